"""Break one thing at a time in an environment's cluster in the local emulator, the way drift does in a real account.

The cluster itself is made by Terraform: `build_cluster` applies the collection's terraform/ into the environment's
emulated account with the offline provider (tools/emulated_stack.py), with the inventory's tfvars, and returns the
ids of what it made (`Cluster`, read back by name and tag as an operator would). Each fault injector then undoes
one piece behind Terraform's back; `add_tenants` adds the tenant services the tenant manager would.

It refuses to touch anything but a loopback endpoint: it is for the emulator only.

Command line (the emulator from ``tools/emulator.py start --dir DIR`` must be running)::

    python tools/faults.py build --env all [--emulator-dir .build/emulator] [--tenants 0]
    python tools/faults.py inject --env dev --fault rds_ingress_missing
    python tools/faults.py faults

Python::

    from faults import build_cluster, inject
    cluster = build_cluster("dev")            # uses AWS_ENDPOINT_URL / AWS_CONFIG_FILE of this process
    inject("dev", "rds_public", cluster=cluster)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Callable

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from emulated_stack import Stack  # noqa: E402  (tools/ is on the path just above)
from emulator import restore_snapshot  # noqa: E402
from emulator import snapshot_origin  # noqa: E402
from emulator import take_snapshot  # noqa: E402
from inventory import ENVIRONMENTS  # noqa: E402
from inventory import host_vars  # noqa: E402
from inventory import stack_tfvars  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CONTAINER_PORT = 80
EDGE_REGION = "us-east-1"


# -- inventory -----------------------------------------------------------------------------------
def load_inventory(environment: str) -> dict[str, Any]:
    return host_vars(environment)


def environments() -> list[str]:
    return list(ENVIRONMENTS)


# -- what Terraform built ------------------------------------------------------------------------
@dataclass
class Cluster:
    """Ids of what the builder created in one environment (the terraform outputs, in effect)."""

    environment: str
    account_id: str
    region: str
    domain: str
    vpc_id: str = ""
    public_subnet_ids: list[str] = field(default_factory=list)
    private_subnet_ids: list[str] = field(default_factory=list)
    security_groups: dict[str, str] = field(default_factory=dict)
    nat_gateway_ids: list[str] = field(default_factory=list)
    alb_arn: str = ""
    alb_dns_name: str = ""
    listener_arns: dict[str, str] = field(default_factory=dict)
    target_group_arn: str = ""
    cluster_name: str = ""
    rds_identifier: str = ""
    efs_id: str = ""
    mount_target_ids: list[str] = field(default_factory=list)
    zone_id: str = ""
    zone_name: str = ""
    certificate_arn: str = ""
    distribution_id: str = ""
    distribution_domain: str = ""
    log_group: str = ""
    tenants: int = 0

    def outputs(self) -> dict[str, Any]:
        """The shape of the terraform outputs the health role can pass as ``resources``."""
        return {
            "vpc_id": self.vpc_id,
            "ecs_cluster_name": self.cluster_name,
            "alb_arn": self.alb_arn,
            "rds_identifier": self.rds_identifier,
            "efs_id": self.efs_id,
            "route53_zone_id": self.zone_id,
            "acm_certificate_arn": self.certificate_arn,
            "cloudfront_distribution_id": self.distribution_id,
        }


def _require_emulator() -> None:
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    host = urllib.parse.urlparse(endpoint).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit(
            f"Refusing to touch AWS: AWS_ENDPOINT_URL is {endpoint or 'unset'}. This helper works on the local "
            "emulator only (start it with: python tools/emulator.py start --dir .build/emulator, then source env.sh)."
        )


def session_for(environment: str, facts: dict[str, Any] | None = None) -> boto3.Session:
    _require_emulator()
    facts = facts or load_inventory(environment)
    return boto3.Session(profile_name=facts["bbws_aws_profile"], region_name=facts["bbws_region"])


def _tags(facts: dict[str, Any], name: str, **extra: str) -> list[dict[str, str]]:
    base = {
        "Project": facts["bbws_project"],
        "Environment": facts["bbws_environment"],
        "ManagedBy": "terraform",
        "Name": name,
        **extra,
    }
    return [{"Key": k, "Value": v} for k, v in base.items()]


def _sg_pair(group_id: str, port: int, protocol: str = "tcp") -> dict[str, Any]:
    return {"IpProtocol": protocol, "FromPort": port, "ToPort": port, "UserIdGroupPairs": [{"GroupId": group_id}]}


def _cidr_rule(port: int, cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}


# -- the builder: Terraform ----------------------------------------------------------------------
def build_cluster(
    environment: str,
    tenants: int = 0,
    session: boto3.Session | None = None,
    custom_domain: bool = True,
    artifacts_dir: Path | None = None,
    certificate_pending: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Cluster:
    """Apply terraform/ for the environment into its emulated account and return the ids of what it made.

    The custom domain is on by default (the certificate validated through the environment's zone, CloudFront
    with its aliases), as the site run leaves a healthy environment. The state is kept where a run under the local
    emulator with the same artifacts folder (default: the repository's artifacts/) keeps it, so the site's phases
    find what was built. Each call starts from a fresh state: the emulator is expected to be clean (tests reset it).
    With ``certificate_pending`` (an emulator that keeps certificates PENDING_VALIDATION) the apply goes as far as a
    real one would: it stops at the certificate validation wait, after the certificates and their records exist.
    ``overrides`` replace some of the inventory's tfvars (``{"dr_role": "primary", "dr_region": "eu-west-1"}``: the
    primary of a DR standby, which ``build_standby`` builds next).
    """
    _require_emulator()
    state = _fresh_state(artifacts_dir, environment)
    _snapshotted(
        [environment, custom_domain, certificate_pending, stack_tfvars(environment), overrides or {}],
        state,
        lambda: _apply(environment, state, custom_domain, certificate_pending, overrides or {}),
    )
    return _discovered(environment, session, tenants)


def _fresh_state(artifacts_dir: Path | None, stack: str) -> Path:
    """Where a build keeps its Terraform state (as a site run under the local emulator does), emptied."""
    state = Path(artifacts_dir or REPO / "artifacts") / "local-emulator" / stack / "terraform.tfstate"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.unlink(missing_ok=True)
    return state


def _snapshotted(asked: list[Any], state: Path, build: Callable[[], None]) -> None:
    """Run ``build`` (which writes ``state``), or restore what it left the last time it was asked from the same
    starting point: the emulator keeps a snapshot by starting point and request, restored in about a second instead
    of an apply. An emulator without snapshots (or no starting point) always builds."""
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    origin = snapshot_origin(endpoint)
    snapshot = ""
    if origin:
        snapshot = hashlib.sha256(json.dumps([origin, *asked], sort_keys=True, default=str).encode()).hexdigest()[:32]
        kept = restore_snapshot(endpoint, snapshot)
        if kept is not None:
            if kept:
                state.write_bytes(kept)
            return
    build()
    if snapshot:
        take_snapshot(endpoint, snapshot, state.read_bytes() if state.exists() else b"")


@dataclass
class Standby:
    """A DR standby of an environment (terraform/ with dr_role standby in ``region``) and the EFS replication to it."""

    environment: str
    region: str
    primary_region: str
    rds_identifier: str
    replica_arn: str
    source_db_arn: str
    efs_id: str
    primary_efs_id: str
    alb_dns_name: str
    cluster_name: str


class _OverriddenStack(Stack):
    """terraform/ with the environment's tfvars and some replaced (a DR primary's or standby's inputs)."""

    def __init__(self, environment: str, workdir: Path, overrides: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(environment, workdir, **kwargs)
        self.overrides = overrides

    def tfvars(self) -> dict[str, Any]:
        return {**super().tfvars(), **self.overrides}


def build_standby(environment: str, region: str = "eu-west-1", artifacts_dir: Path | None = None) -> Standby:
    """Apply terraform/ as the DR standby of the environment's primary (built with ``build_cluster`` first) in
    ``region`` of the same account: the read replica of the primary's database and the replication of the primary's
    file system into the standby's, both the standby's own (dr_role standby). Snapshotted like ``build_cluster``."""
    _require_emulator()
    facts = load_inventory(environment)
    session = session_for(environment, facts)
    name = f"{facts['bbws_project']}-{environment}"
    primary = session.client("rds").describe_db_instances(DBInstanceIdentifier=f"{name}-mysql")["DBInstances"][0]
    primary_efs = session.client("efs").describe_file_systems(CreationToken=f"{name}-efs")["FileSystems"][0][
        "FileSystemId"
    ]
    dr = {
        "aws_region": region,
        "dr_role": "standby",
        "dr_primary_region": facts["bbws_region"],
        "dr_source_db_secret_arn": primary["MasterUserSecret"]["SecretArn"],
        "dr_source_efs_id": primary_efs,
    }
    state = _fresh_state(artifacts_dir, f"{environment}-dr")

    def apply() -> None:
        with tempfile.TemporaryDirectory(prefix=f"bbws-stack-{environment}-dr-") as workdir:
            _OverriddenStack(environment, Path(workdir), dr, custom_domain=True, state_path=state).apply()

    _snapshotted(["standby", environment, dr, stack_tfvars(environment)], state, apply)
    # A restore puts back the STS state of the snapshot, where this session's assumed role does not exist: a new one.
    session = session_for(environment, facts)
    standby_efs = session.client("efs", region_name=region).describe_file_systems(CreationToken=f"{name}-efs")[
        "FileSystems"
    ][0]["FileSystemId"]
    replica = session.client("rds", region_name=region).describe_db_instances(DBInstanceIdentifier=f"{name}-mysql")[
        "DBInstances"
    ][0]
    alb = session.client("elbv2", region_name=region).describe_load_balancers(Names=[f"{name}-alb"])
    return Standby(
        environment,
        region,
        facts["bbws_region"],
        replica["DBInstanceIdentifier"],
        replica["DBInstanceArn"],
        primary["DBInstanceArn"],
        standby_efs,
        primary_efs,
        alb["LoadBalancers"][0]["DNSName"],
        f"{name}-cluster",
    )


def _discovered(environment: str, session: boto3.Session | None, tenants: int) -> Cluster:
    session = session or session_for(environment)
    cluster = discover(environment, session)
    if tenants:
        add_tenants(environment, tenants, cluster=cluster, session=session)
    return cluster


def _apply(
    environment: str, state: Path, custom_domain: bool, certificate_pending: bool, overrides: dict[str, Any]
) -> None:
    if load_inventory(environment)["bbws_root_zone_mode"] == "adopt":
        # The root zone an adopting environment's stack reads exists before the platform, as in the real account.
        from emulator_zones import create_zones

        create_zones(children=False)
    with tempfile.TemporaryDirectory(prefix=f"bbws-stack-{environment}-") as workdir:
        stack = _OverriddenStack(environment, Path(workdir), overrides, custom_domain=custom_domain, state_path=state)
        if certificate_pending:
            stack.prepare()
            result = stack.terraform("apply", "-auto-approve", "-input=false", check=False)
            if "to be issued: timeout" not in result.stdout + result.stderr:
                raise RuntimeError(
                    f"expected the apply to stop at the certificate validation:\n{result.stdout[-3000:]}"
                )
        else:
            stack.apply()


def add_tenants(environment: str, count: int, cluster: Cluster, session: boto3.Session | None = None) -> None:
    """Add ``count`` tenant services, each with its own target group (the shape the tenant manager creates)."""
    facts = load_inventory(environment)
    session = session or session_for(environment, facts)
    ecs, elbv2 = session.client("ecs"), session.client("elbv2")
    name = f"{facts['bbws_project']}-{environment}"
    family = f"{name}-tenant"
    task_def = ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=str(facts["bbws_ecs_task_cpu"]),
        memory=str(facts["bbws_ecs_task_memory"]),
        containerDefinitions=[
            {"name": "wordpress", "image": "wordpress:6", "portMappings": [{"containerPort": CONTAINER_PORT}]}
        ],
    )["taskDefinition"]["taskDefinitionArn"]
    for number in range(cluster.tenants + 1, cluster.tenants + count + 1):
        tenant = f"t{number:04d}"
        tg_arn = elbv2.create_target_group(
            Name=f"{name}-{tenant}",
            Protocol="HTTP",
            Port=CONTAINER_PORT,
            VpcId=cluster.vpc_id,
            TargetType="ip",
            Tags=_tags(facts, f"{name}-{tenant}"),
        )["TargetGroups"][0]["TargetGroupArn"]
        ecs.create_service(
            cluster=cluster.cluster_name,
            serviceName=f"{tenant}-wordpress",
            taskDefinition=task_def,
            desiredCount=0,  # the emulator never starts tasks; 0 keeps desired == running
            launchType="FARGATE",
            loadBalancers=[{"targetGroupArn": tg_arn, "containerName": "wordpress", "containerPort": CONTAINER_PORT}],
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": cluster.private_subnet_ids,
                    "securityGroups": [cluster.security_groups["ecs"]],
                }
            },
        )
    cluster.tenants += count


# -- fault injectors -----------------------------------------------------------------------------
def _revoke(ec2: Any, group_id: str, peer: str, port: int, direction: str) -> None:
    """Remove the group's rule to or from ``peer`` on ``port``, by its rule id (whatever its description)."""
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])[
        "SecurityGroupRules"
    ]
    ids = [
        rule["SecurityGroupRuleId"]
        for rule in rules
        if rule["IsEgress"] == (direction == "egress")
        and rule.get("FromPort") == port
        and (rule.get("ReferencedGroupInfo") or {}).get("GroupId") == peer
    ]
    if not ids:
        raise RuntimeError(f"no {direction} rule tcp/{port} with {peer} on {group_id}")
    call = ec2.revoke_security_group_ingress if direction == "ingress" else ec2.revoke_security_group_egress
    call(GroupId=group_id, SecurityGroupRuleIds=ids)


def fault_rds_ingress_missing(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    sg = cluster.security_groups
    _revoke(session.client("ec2"), sg["rds"], sg["ecs"], 3306, "ingress")
    return f"removed the ingress rule tcp/3306 from {sg['ecs']} on the RDS group {sg['rds']}"


def fault_ecs_egress_rds_missing(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    sg = cluster.security_groups
    _revoke(session.client("ec2"), sg["ecs"], sg["rds"], 3306, "egress")
    return f"removed the egress rule tcp/3306 to {sg['rds']} from the ECS group {sg['ecs']}"


def fault_efs_ingress_missing(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    sg = cluster.security_groups
    _revoke(session.client("ec2"), sg["efs"], sg["ecs"], 2049, "ingress")
    return f"removed the ingress rule tcp/2049 from {sg['ecs']} on the EFS group {sg['efs']}"


def fault_alb_to_ecs_missing(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    sg = cluster.security_groups
    ec2 = session.client("ec2")
    _revoke(ec2, sg["ecs"], sg["alb"], CONTAINER_PORT, "ingress")
    _revoke(ec2, sg["alb"], sg["ecs"], CONTAINER_PORT, "egress")
    return f"removed both sides of ALB {sg['alb']} -> ECS {sg['ecs']} on tcp/{CONTAINER_PORT}"


def fault_rds_open_to_internet(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    sg = cluster.security_groups
    session.client("ec2").authorize_security_group_ingress(GroupId=sg["rds"], IpPermissions=[_cidr_rule(3306)])
    return f"opened tcp/3306 on the RDS group {sg['rds']} to 0.0.0.0/0"


def fault_rds_public(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    session.client("rds").modify_db_instance(
        DBInstanceIdentifier=cluster.rds_identifier, PubliclyAccessible=True, ApplyImmediately=True
    )
    return f"made {cluster.rds_identifier} publicly accessible"


def fault_mount_target_missing(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    efs = session.client("efs")
    mount_target = cluster.mount_target_ids[-1]
    efs.delete_mount_target(MountTargetId=mount_target)
    cluster.mount_target_ids.remove(mount_target)
    return f"deleted the EFS mount target {mount_target} of {cluster.efs_id}"


def fault_cloudfront_in_progress(
    session: boto3.Session, cluster: Cluster, api: Callable[..., Any] | None = None, **_: Any
) -> str:
    """Hold the distribution in InProgress via moto's state manager (server-wide) and redeploy it."""
    if api is None:
        raise ValueError("cloudfront_in_progress needs the emulator's control API (api=emulator.api)")
    api(
        "state-manager/set-transition",
        {
            "model_name": "cloudfront::distribution",
            "transition": {"progression": "manual", "times": 1_000_000},
        },
    )
    # The state only applies to a distribution that has not been read yet: redeploy it under a new id,
    # as a replaced distribution would be.
    cloudfront = session.client("cloudfront")
    current = cloudfront.get_distribution_config(Id=cluster.distribution_id)
    config = current["DistributionConfig"]
    config["CallerReference"] = f"{config['CallerReference']}-redeploy-{time.time_ns()}"
    tags = cloudfront.list_tags_for_resource(
        Resource=cloudfront.get_distribution(Id=cluster.distribution_id)["Distribution"]["ARN"]
    )
    cloudfront.delete_distribution(Id=cluster.distribution_id, IfMatch=current["ETag"])
    created = cloudfront.create_distribution_with_tags(
        DistributionConfigWithTags={"DistributionConfig": config, "Tags": {"Items": tags["Tags"]["Items"]}}
    )["Distribution"]
    cluster.distribution_id, cluster.distribution_domain = created["Id"], created["DomainName"]
    return f"CloudFront {cluster.distribution_id} held InProgress (moto state manager)"


def release_cloudfront(api: Callable[..., Any]) -> None:
    """Undo ``cloudfront_in_progress``: the state manager setting outlives a reset."""
    api("state-manager/unset-transition", {"model_name": "cloudfront::distribution"})


def fault_certificate_pending(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    """Remove the ACM validation records, so validation cannot complete.

    The emulator issues certificates on a timer whatever the zone holds: the certificate stays
    PENDING_VALIDATION only on an emulator started with ``MOTO_ACM_VALIDATION_WAIT`` above 0.
    """
    acm = session.client("acm", region_name=EDGE_REGION)
    certificate = acm.describe_certificate(CertificateArn=cluster.certificate_arn)["Certificate"]
    route53 = session.client("route53")
    names = {
        o["ResourceRecord"]["Name"] for o in certificate.get("DomainValidationOptions", []) if o.get("ResourceRecord")
    }
    changes = []
    for page in route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=cluster.zone_id):
        for record in page["ResourceRecordSets"]:
            if record["Type"] == "CNAME" and record["Name"] in names:
                changes.append({"Action": "DELETE", "ResourceRecordSet": record})
    if changes:
        route53.change_resource_record_sets(HostedZoneId=cluster.zone_id, ChangeBatch={"Changes": changes})
    status = acm.describe_certificate(CertificateArn=cluster.certificate_arn)["Certificate"]["Status"]
    if status != "PENDING_VALIDATION":
        raise RuntimeError(
            f"certificate {cluster.certificate_arn} is {status}: start the emulator with MOTO_ACM_VALIDATION_WAIT>0 "
            "to keep certificates pending"
        )
    return f"removed the validation records of {cluster.certificate_arn}; it stays PENDING_VALIDATION"


def fault_mixed_environment_tag(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    """Tag a resource of this account as another environment's (infrastructure mixed across accounts)."""
    other = next(env for env in environments() if env != cluster.environment)
    session.client("ec2").create_tags(
        Resources=[cluster.security_groups["efs"]], Tags=[{"Key": "Environment", "Value": other}]
    )
    return f"tagged {cluster.security_groups['efs']} Environment={other}"


def fault_log_retention(session: boto3.Session, cluster: Cluster, **_: Any) -> str:
    session.client("logs").put_retention_policy(logGroupName=cluster.log_group, retentionInDays=1)
    return f"set the retention of {cluster.log_group} to 1 day"


FAULTS: dict[str, Callable[..., str]] = {
    "rds_ingress_missing": fault_rds_ingress_missing,
    "ecs_egress_rds_missing": fault_ecs_egress_rds_missing,
    "efs_ingress_missing": fault_efs_ingress_missing,
    "alb_to_ecs_missing": fault_alb_to_ecs_missing,
    "rds_open_to_internet": fault_rds_open_to_internet,
    "rds_public": fault_rds_public,
    "mount_target_missing": fault_mount_target_missing,
    "cloudfront_in_progress": fault_cloudfront_in_progress,
    "certificate_pending": fault_certificate_pending,
    "mixed_environment_tag": fault_mixed_environment_tag,
    "log_retention": fault_log_retention,
}


def inject(
    environment: str,
    fault: str,
    cluster: Cluster | None = None,
    api: Callable[..., Any] | None = None,
    session: boto3.Session | None = None,
) -> str:
    """Break one thing in the environment's emulated cluster; returns what was done."""
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; choose one of {', '.join(FAULTS)}")
    session = session or session_for(environment)
    cluster = cluster or discover(environment, session)
    return FAULTS[fault](session, cluster, api=api)


def discover(environment: str, session: boto3.Session | None = None) -> Cluster:
    """The ids of the environment's cluster, read by the names and tags terraform/ gives them."""
    facts = load_inventory(environment)
    session = session or session_for(environment, facts)
    name = f"{facts['bbws_project']}-{environment}"
    cluster = Cluster(environment, facts["bbws_account_id"], facts["bbws_region"], facts["bbws_domain"])
    ec2 = session.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{name}-vpc"]}])["Vpcs"]
    if not vpcs:
        raise SystemExit(
            f"No {name}-vpc in the emulated {environment} account: build it first (build --env {environment})"
        )
    cluster.vpc_id = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [cluster.vpc_id]}])["Subnets"]
    for subnet in sorted(subnets, key=lambda s: (s["AvailabilityZone"], s["SubnetId"])):  # index i is AZ i
        tier = {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}.get("Tier")
        {"public": cluster.public_subnet_ids, "private": cluster.private_subnet_ids}.get(tier, []).append(
            subnet["SubnetId"]
        )
    for group in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [cluster.vpc_id]}])[
        "SecurityGroups"
    ]:
        if group["GroupName"].startswith(f"{name}-"):
            cluster.security_groups[group["GroupName"][len(name) + 1 :]] = group["GroupId"]
    cluster.cluster_name, cluster.rds_identifier, cluster.log_group = (
        f"{name}-cluster",
        f"{name}-mysql",
        f"/ecs/{environment}",
    )
    nats = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [cluster.vpc_id]}])["NatGateways"]
    cluster.nat_gateway_ids = [n["NatGatewayId"] for n in nats if n.get("State") not in ("deleted", "deleting")]
    elbv2 = session.client("elbv2")
    for balancer in elbv2.describe_load_balancers()["LoadBalancers"]:
        if balancer["LoadBalancerName"] == f"{name}-alb":
            cluster.alb_arn, cluster.alb_dns_name = balancer["LoadBalancerArn"], balancer["DNSName"]
            for listener in elbv2.describe_listeners(LoadBalancerArn=cluster.alb_arn)["Listeners"]:
                cluster.listener_arns[listener["Protocol"]] = listener["ListenerArn"]
    efs = session.client("efs")
    for fs in efs.describe_file_systems()["FileSystems"]:
        if fs.get("CreationToken") == f"{name}-efs":
            cluster.efs_id = fs["FileSystemId"]
            targets = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]
            order = {subnet: index for index, subnet in enumerate(cluster.private_subnet_ids)}
            cluster.mount_target_ids = [
                m["MountTargetId"] for m in sorted(targets, key=lambda m: order.get(m["SubnetId"], len(order)))
            ]
    for item in session.client("cloudfront").list_distributions().get("DistributionList", {}).get("Items", []):
        if item.get("Comment") == name:
            cluster.distribution_id, cluster.distribution_domain = item["Id"], item["DomainName"]
            cluster.certificate_arn = item.get("ViewerCertificate", {}).get("ACMCertificateArn", "")
    if not cluster.certificate_arn:  # no distribution (yet): the edge certificate by its domain
        acm = session.client("acm", region_name=EDGE_REGION)
        for summary in acm.list_certificates()["CertificateSummaryList"]:
            if summary["DomainName"] == f"*.{facts['bbws_domain']}":
                cluster.certificate_arn = summary["CertificateArn"]
    zones = session.client("route53").list_hosted_zones_by_name(DNSName=facts["bbws_dns_zone"])["HostedZones"]
    cluster.zone_id = next(
        (z["Id"].split("/")[-1] for z in zones if z["Name"].rstrip(".") == facts["bbws_dns_zone"]), ""
    )
    cluster.zone_name = facts["bbws_dns_zone"]
    return cluster


# -- command line --------------------------------------------------------------------------------
def _load_emulator_env(emulator_dir: Path) -> None:
    if os.environ.get("AWS_ENDPOINT_URL"):
        return
    env_file = emulator_dir / "env.sh"
    if not env_file.exists():
        raise SystemExit(
            f"No running emulator: {env_file} is missing (python tools/emulator.py start --dir {emulator_dir})"
        )
    for line in env_file.read_text().splitlines():
        key, _sep, value = line.removeprefix("export ").partition("=")
        os.environ[key] = value


def _emulator_api(emulator_dir: Path) -> Callable[..., Any]:
    from emulator import Emulator  # the control API helper of the running emulator

    port = int(urllib.parse.urlparse(os.environ["AWS_ENDPOINT_URL"]).port or 0)
    return Emulator(emulator_dir, port=port).api


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "inject", "faults"])
    parser.add_argument("--env", default="all", help="dev, sit, prod or all (build only)")
    parser.add_argument("--fault", choices=sorted(FAULTS), help="the fault to inject")
    parser.add_argument("--tenants", type=int, default=0, help="tenant services + target groups to add")
    parser.add_argument("--emulator-dir", default=str(REPO / ".build" / "emulator"), type=Path)
    parser.add_argument("--json", action="store_true", help="print the built ids as JSON")
    parser.add_argument(
        "--artifacts-dir", type=Path, help="where the Terraform state is kept (default: the repository's artifacts/)"
    )
    args = parser.parse_args(argv)
    if args.action == "faults":
        print("\n".join(FAULTS))
        return 0
    _load_emulator_env(args.emulator_dir)
    envs = environments() if args.env == "all" else [args.env]
    if args.action == "build":
        built = {
            env: asdict(build_cluster(env, tenants=args.tenants, artifacts_dir=args.artifacts_dir)) for env in envs
        }
        if args.json:
            print(json.dumps(built, indent=2))
        else:
            for env, ids in built.items():
                print(
                    f"{env}: account {ids['account_id']}: VPC {ids['vpc_id']}, ALB {ids['alb_dns_name']}, "
                    f"CloudFront {ids['distribution_id']}, RDS {ids['rds_identifier']}, EFS {ids['efs_id']}"
                )
        return 0
    if not args.fault or args.env == "all":
        parser.error("inject needs --env <one environment> and --fault")
    print(inject(args.env, args.fault, api=_emulator_api(args.emulator_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
