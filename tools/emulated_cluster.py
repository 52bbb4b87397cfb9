"""Build the BBWS cluster shape of ``terraform/`` in the local emulator's accounts, and break it on purpose.

Terraform's AWS provider cannot run against the emulator on this machine, so this helper creates,
with boto3, the resources the stack describes -- same names, same ``Project``/``Environment``/
``ManagedBy``/``Name`` tags -- in each environment's emulated account. Fault injectors then undo one
piece at a time, the way configuration drift does in a real account.

It refuses to touch anything but a loopback endpoint: it is for the emulator only.

Command line (the emulator from ``tools/emulator.py start --dir DIR`` must be running)::

    python tools/emulated_cluster.py build --env all [--emulator-dir .build/emulator] [--tenants 0]
    python tools/emulated_cluster.py inject --env dev --fault rds_ingress_missing
    python tools/emulated_cluster.py faults

Python::

    from emulated_cluster import build_cluster, inject
    cluster = build_cluster("dev")            # uses AWS_ENDPOINT_URL / AWS_CONFIG_FILE of this process
    inject("dev", "rds_public", cluster=cluster)
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
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
from inventory import ENVIRONMENTS  # noqa: E402  (tools/ is on the path just above)
from inventory import host_vars  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
AZ_SUFFIXES = ("a", "b")
CONTAINER_PORT = 80
EDGE_REGION = "us-east-1"
BANNER = (
    "NOTE: the emulated AWS accounts were populated by tools/emulated_cluster.py (boto3 against the local "
    "emulator), not by Terraform: the AWS provider cannot run here. Names and tags follow terraform/."
)


# -- inventory -----------------------------------------------------------------------------------
def load_inventory(environment: str) -> dict[str, Any]:
    """The environment's facts as Ansible renders them from its inventory (tools/inventory.py)."""
    return host_vars(environment)


def environments() -> list[str]:
    return list(ENVIRONMENTS)


# -- what was built ------------------------------------------------------------------------------
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
            f"Refusing to build: AWS_ENDPOINT_URL is {endpoint or 'unset'}. This helper only populates the local "
            "emulator (start it with: python tools/emulator.py start --dir .build/emulator, then source env.sh)."
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


def _spec(resource_type: str, tags: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": tags}]


def _sg_pair(group_id: str, port: int, protocol: str = "tcp") -> dict[str, Any]:
    return {"IpProtocol": protocol, "FromPort": port, "ToPort": port, "UserIdGroupPairs": [{"GroupId": group_id}]}


def _cidr_rule(port: int, cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}


# -- the builder ---------------------------------------------------------------------------------
def build_cluster(environment: str, tenants: int = 0, session: boto3.Session | None = None) -> Cluster:
    """Create the environment's cluster in its emulated account and return the ids (idempotent per reset)."""
    facts = load_inventory(environment)
    session = session or session_for(environment, facts)
    name = f"{facts['bbws_project']}-{environment}"
    region = facts["bbws_region"]
    cluster = Cluster(environment, facts["bbws_account_id"], region, facts["bbws_domain"])
    ec2 = session.client("ec2")

    # Network: VPC, 2 public + 2 private subnets, IGW, NAT gateway(s).
    net = ipaddress.ip_network(facts["bbws_vpc_cidr"])
    subnets = list(net.subnets(new_prefix=24))
    vpc_id = ec2.create_vpc(CidrBlock=str(net), TagSpecifications=_spec("vpc", _tags(facts, f"{name}-vpc")))["Vpc"][
        "VpcId"
    ]
    cluster.vpc_id = vpc_id
    igw = ec2.create_internet_gateway(TagSpecifications=_spec("internet-gateway", _tags(facts, f"{name}-igw")))
    ec2.attach_internet_gateway(InternetGatewayId=igw["InternetGateway"]["InternetGatewayId"], VpcId=vpc_id)
    for index, suffix in enumerate(AZ_SUFFIXES):
        az = f"{region}{suffix}"
        for kind, offset, ids in (
            ("public", 0, cluster.public_subnet_ids),
            ("private", 10, cluster.private_subnet_ids),
        ):
            subnet = ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=str(subnets[offset + index]),
                AvailabilityZone=az,
                TagSpecifications=_spec("subnet", _tags(facts, f"{name}-{kind}-{az}", Tier=kind)),
            )
            ids.append(subnet["Subnet"]["SubnetId"])
    nat_subnets = cluster.public_subnet_ids if facts["bbws_nat_gateway_per_az"] else cluster.public_subnet_ids[:1]
    for subnet_id in nat_subnets:
        eip = ec2.allocate_address(Domain="vpc", TagSpecifications=_spec("elastic-ip", _tags(facts, f"{name}-nat")))
        nat = ec2.create_nat_gateway(
            SubnetId=subnet_id,
            AllocationId=eip["AllocationId"],
            TagSpecifications=_spec("natgateway", _tags(facts, f"{name}-nat")),
        )
        cluster.nat_gateway_ids.append(nat["NatGateway"]["NatGatewayId"])

    # Security groups: terraform removes the default allow-all egress and adds least-privilege rules.
    for role in ("alb", "ecs", "rds", "efs"):
        group_id = ec2.create_security_group(
            GroupName=f"{name}-{role}",
            Description=f"BBWS {environment} {role}",
            VpcId=vpc_id,
            TagSpecifications=_spec("security-group", _tags(facts, f"{name}-{role}")),
        )["GroupId"]
        ec2.revoke_security_group_egress(
            GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        )
        cluster.security_groups[role] = group_id
    sg = cluster.security_groups
    ec2.authorize_security_group_ingress(GroupId=sg["alb"], IpPermissions=[_cidr_rule(80), _cidr_rule(443)])
    ec2.authorize_security_group_egress(GroupId=sg["alb"], IpPermissions=[_sg_pair(sg["ecs"], CONTAINER_PORT)])
    ec2.authorize_security_group_ingress(GroupId=sg["ecs"], IpPermissions=[_sg_pair(sg["alb"], CONTAINER_PORT)])
    ec2.authorize_security_group_egress(
        GroupId=sg["ecs"], IpPermissions=[_sg_pair(sg["rds"], 3306), _sg_pair(sg["efs"], 2049), _cidr_rule(443)]
    )
    ec2.authorize_security_group_ingress(GroupId=sg["rds"], IpPermissions=[_sg_pair(sg["ecs"], 3306)])
    ec2.authorize_security_group_ingress(GroupId=sg["efs"], IpPermissions=[_sg_pair(sg["ecs"], 2049)])

    # Logs, IAM, ECS.
    logs = session.client("logs")
    cluster.log_group = f"/ecs/{environment}"
    logs.create_log_group(
        logGroupName=cluster.log_group, tags={t["Key"]: t["Value"] for t in _tags(facts, cluster.log_group)}
    )
    logs.put_retention_policy(logGroupName=cluster.log_group, retentionInDays=int(facts["bbws_log_retention_days"]))
    iam = session.client("iam")
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    role_arns = {}
    for suffix, actions in (
        (
            "ecs-execution",
            ["ecr:GetAuthorizationToken", "logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue"],
        ),
        ("ecs-task", ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]),
    ):
        role_name = f"{name}-{suffix}"
        role_arns[suffix] = iam.create_role(
            RoleName=role_name, AssumeRolePolicyDocument=trust, Tags=_tags(facts, role_name)
        )["Role"]["Arn"]
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        iam.put_role_policy(RoleName=role_name, PolicyName=f"{role_name}-inline", PolicyDocument=json.dumps(policy))
    ecs = session.client("ecs")
    cluster.cluster_name = f"{name}-cluster"
    ecs.create_cluster(
        clusterName=cluster.cluster_name,
        settings=[{"name": "containerInsights", "value": "enabled"}],  # update_cluster_settings is not emulated
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        tags=[{"key": t["Key"], "value": t["Value"]} for t in _tags(facts, cluster.cluster_name)],
    )
    ecs.register_task_definition(
        family=f"{name}-db-init",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=str(facts["bbws_ecs_task_cpu"]),
        memory=str(facts["bbws_ecs_task_memory"]),
        executionRoleArn=role_arns["ecs-execution"],
        taskRoleArn=role_arns["ecs-task"],
        containerDefinitions=[{"name": "db-init", "image": "mysql:8.0", "essential": True}],
        tags=[{"key": t["Key"], "value": t["Value"]} for t in _tags(facts, f"{name}-db-init")],
    )

    # ALB with its HTTP/HTTPS listeners and the default target group.
    elbv2 = session.client("elbv2")
    alb = elbv2.create_load_balancer(
        Name=f"{name}-alb",
        Subnets=cluster.public_subnet_ids,
        SecurityGroups=[sg["alb"]],
        Scheme="internet-facing",
        Type="application",
        Tags=_tags(facts, f"{name}-alb"),
    )["LoadBalancers"][0]
    cluster.alb_arn, cluster.alb_dns_name = alb["LoadBalancerArn"], alb["DNSName"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=cluster.alb_arn,
        Attributes=[
            {"Key": "deletion_protection.enabled", "Value": str(bool(facts["bbws_alb_deletion_protection"])).lower()},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        ],
    )
    cluster.target_group_arn = elbv2.create_target_group(
        Name=f"{name}-default",
        Protocol="HTTP",
        Port=CONTAINER_PORT,
        VpcId=vpc_id,
        TargetType="ip",
        HealthCheckPath="/",
        Tags=_tags(facts, f"{name}-default"),
    )["TargetGroups"][0]["TargetGroupArn"]
    acm_regional = session.client("acm")
    regional_cert = _request_certificate(acm_regional, facts)
    for port, protocol in ((80, "HTTP"), (443, "HTTPS")):
        extra: dict[str, Any] = {}
        if protocol == "HTTPS":
            extra = {
                "Certificates": [{"CertificateArn": regional_cert}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            }
        cluster.listener_arns[protocol] = elbv2.create_listener(
            LoadBalancerArn=cluster.alb_arn,
            Port=port,
            Protocol=protocol,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": cluster.target_group_arn}],
            **extra,
        )["Listeners"][0]["ListenerArn"]

    # RDS MySQL with the master password managed by RDS (a Secrets Manager secret nobody types).
    rds = session.client("rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName=f"{name}-db",
        DBSubnetGroupDescription=f"BBWS {environment} database subnets",
        SubnetIds=cluster.private_subnet_ids,
        Tags=_tags(facts, f"{name}-db"),
    )
    cluster.rds_identifier = f"{name}-mysql"
    rds.create_db_instance(
        DBInstanceIdentifier=cluster.rds_identifier,
        DBInstanceClass=facts["bbws_rds_instance_class"],
        Engine="mysql",
        EngineVersion=str(facts["bbws_rds_engine_version"]),
        AllocatedStorage=int(facts["bbws_rds_allocated_storage"]),
        MasterUsername="bbws_admin",
        ManageMasterUserPassword=True,
        DBSubnetGroupName=f"{name}-db",
        VpcSecurityGroupIds=[sg["rds"]],
        MultiAZ=bool(facts["bbws_rds_multi_az"]),
        BackupRetentionPeriod=int(facts["bbws_rds_backup_retention_days"]),
        StorageEncrypted=True,
        PubliclyAccessible=False,
        DeletionProtection=bool(facts["bbws_rds_deletion_protection"]),
        Tags=_tags(facts, cluster.rds_identifier),
    )
    secret_arn = (
        rds.describe_db_instances(DBInstanceIdentifier=cluster.rds_identifier)["DBInstances"][0]
        .get("MasterUserSecret", {})
        .get("SecretArn")
    )
    if secret_arn:
        secrets = session.client("secretsmanager")
        secrets.tag_resource(SecretId=secret_arn, Tags=_tags(facts, f"{name}-rds-master"))
        # RDS turns on a 7-day rotation for the secrets it manages; the emulator does not.
        secrets.rotate_secret(SecretId=secret_arn, RotationRules={"AutomaticallyAfterDays": 7}, RotateImmediately=False)

    # EFS with one mount target per private subnet.
    efs = session.client("efs")
    cluster.efs_id = efs.create_file_system(
        CreationToken=f"{name}-efs",
        Encrypted=True,
        PerformanceMode="generalPurpose",
        ThroughputMode="bursting",
        Tags=_tags(facts, f"{name}-efs"),
    )["FileSystemId"]
    for subnet_id in cluster.private_subnet_ids:
        mount = efs.create_mount_target(FileSystemId=cluster.efs_id, SubnetId=subnet_id, SecurityGroups=[sg["efs"]])
        cluster.mount_target_ids.append(mount["MountTargetId"])

    # DNS, the edge certificate (us-east-1) with its validation records, CloudFront in front of the ALB.
    # As terraform/route53.tf: one zone holds the environment's records -- prod's adopted root zone
    # (kimmyai.io, no wp.kimmyai.io zone; it also holds the children's delegations), else the domain's own zone.
    route53 = session.client("route53")
    cluster.zone_id, cluster.zone_name = _create_zone(route53, facts["bbws_dns_zone"], name), facts["bbws_dns_zone"]
    if "bbws_dns_parent_zone" in facts and facts["bbws_dns_zone"] != facts["bbws_root_domain"]:
        _create_zone(route53, facts["bbws_root_domain"], name)
    acm_edge = session.client("acm", region_name=EDGE_REGION)
    cluster.certificate_arn = _request_certificate(acm_edge, facts)
    _write_validation_records(route53, cluster.zone_id, acm_edge, cluster.certificate_arn)
    _write_origin_record(route53, cluster.zone_id, facts["bbws_domain"], alb)
    distribution = session.client("cloudfront").create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": _distribution_config(
                name, facts["bbws_domain"], cluster.alb_dns_name, cluster.certificate_arn
            ),
            "Tags": {"Items": _tags(facts, f"{name}-cdn")},
        }
    )["Distribution"]
    cluster.distribution_id, cluster.distribution_domain = distribution["Id"], distribution["DomainName"]
    _create_alarms(session, facts, name, cluster)
    if tenants:
        add_tenants(environment, tenants, cluster=cluster, session=session)
    return cluster


# Namespace and metric of each alarm of terraform/monitoring.tf, by the inventory's threshold key ("lower" alarms fire
# below the threshold). The NAT alarms have one copy per NAT gateway; the CloudFront alarm lives in us-east-1.
ALARM_METRICS: dict[str, tuple[str, str, bool]] = {
    "rds_cpu_percent": ("AWS/RDS", "CPUUtilization", False),
    "rds_free_storage_bytes": ("AWS/RDS", "FreeStorageSpace", True),
    "rds_freeable_memory_bytes": ("AWS/RDS", "FreeableMemory", True),
    "rds_connections_percent": ("AWS/RDS", "DatabaseConnections", False),
    "alb_5xx_count": ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", False),
    "alb_target_5xx_count": ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", False),
    "alb_unhealthy_hosts": ("AWS/ApplicationELB", "UnHealthyHostCount", False),
    "alb_target_response_time_seconds": ("AWS/ApplicationELB", "TargetResponseTime", False),
    "ecs_cpu_percent": ("ECS/ContainerInsights", "CpuUtilized", False),
    "ecs_memory_percent": ("ECS/ContainerInsights", "MemoryUtilized", False),
    "efs_percent_io_limit": ("AWS/EFS", "PercentIOLimit", False),
    "efs_burst_credit_balance_bytes": ("AWS/EFS", "BurstCreditBalance", True),
    "nat_port_allocation_errors": ("AWS/NATGateway", "ErrorPortAllocation", False),
    "nat_packets_dropped": ("AWS/NATGateway", "PacketsDropCount", False),
    "cloudfront_5xx_error_rate_percent": ("AWS/CloudFront", "5xxErrorRate", False),
}
PER_NAT_GATEWAY = ("nat_port_allocation_errors", "nat_packets_dropped")


def _create_alarms(session: boto3.Session, facts: dict[str, Any], name: str, cluster: Cluster) -> None:
    """The alarms of the inventory's bbws_alarm_thresholds, each notifying the environment's SNS topic."""
    topics = {}
    for region, suffix in ((cluster.region, ""), (EDGE_REGION, "-us-east-1")):
        topics[region] = session.client("sns", region_name=region).create_topic(
            Name=f"{name}-alarms{suffix}", Tags=_tags(facts, f"{name}-alarms{suffix}")
        )["TopicArn"]
    for key, threshold in sorted((facts.get("bbws_alarm_thresholds") or {}).items()):
        namespace, metric, lower = ALARM_METRICS[key]
        region = EDGE_REGION if namespace == "AWS/CloudFront" else cluster.region
        base = f"{name}-{key.replace('_', '-')}"
        names = (
            [f"{base}-{index}" for index in range(len(cluster.nat_gateway_ids))] if key in PER_NAT_GATEWAY else [base]
        )
        actions = [topics[region]]
        for alarm in names:
            session.client("cloudwatch", region_name=region).put_metric_alarm(
                AlarmName=alarm,
                Namespace=namespace,
                MetricName=metric,
                Statistic="Average",
                Period=300,
                EvaluationPeriods=3,
                Threshold=float(threshold),
                ComparisonOperator="LessThanThreshold" if lower else "GreaterThanThreshold",
                AlarmActions=actions,
                OKActions=actions if facts.get("bbws_alarm_notify_ok") else [],
                Tags=_tags(facts, alarm),
            )


def _create_zone(route53: Any, domain: str, name: str) -> str:
    zone = route53.create_hosted_zone(Name=domain, CallerReference=f"{name}-{domain}-{time.time_ns()}")
    zone_id = zone["HostedZone"]["Id"].split("/")[-1]
    route53.change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=zone_id, AddTags=[{"Key": "Project", "Value": name.split("-")[0]}]
    )
    return zone_id


def _request_certificate(acm: Any, facts: dict[str, Any]) -> str:
    domain = facts["bbws_domain"]
    return acm.request_certificate(
        DomainName=f"*.{domain}",
        SubjectAlternativeNames=[f"*.{domain}", domain],
        ValidationMethod="DNS",
        Tags=_tags(facts, f"{facts['bbws_project']}-{facts['bbws_environment']}-cert"),
    )["CertificateArn"]


def _write_validation_records(route53: Any, zone_id: str, acm: Any, certificate_arn: str) -> None:
    options = acm.describe_certificate(CertificateArn=certificate_arn)["Certificate"].get("DomainValidationOptions", [])
    records = {o["ResourceRecord"]["Name"]: o["ResourceRecord"] for o in options if o.get("ResourceRecord")}
    changes = [
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": r["Name"],
                "Type": r["Type"],
                "TTL": 300,
                "ResourceRecords": [{"Value": r["Value"]}],
            },
        }
        for r in records.values()
    ]
    if changes:
        route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


def _write_origin_record(route53: Any, zone_id: str, domain: str, alb: dict[str, Any]) -> None:
    """terraform's aws_route53_record.origin: origin.<domain> as an alias of the ALB, in the environment's zone."""
    record = {
        "Name": f"origin.{domain}",
        "Type": "A",
        "AliasTarget": {
            "HostedZoneId": alb["CanonicalHostedZoneId"],
            "DNSName": alb["DNSName"],
            "EvaluateTargetHealth": True,
        },
    }
    route53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]}
    )


def _distribution_config(name: str, domain: str, alb_dns: str, certificate_arn: str) -> dict[str, Any]:
    return {
        "CallerReference": f"{name}-{time.time_ns()}",
        "Comment": name,
        "Enabled": True,
        "Aliases": {"Quantity": 2, "Items": [f"*.{domain}", domain]},
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": f"{name}-alb",
                    "DomainName": alb_dns,
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "http-only",
                        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                    },
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": f"{name}-alb",
            "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]},
            "ForwardedValues": {
                "QueryString": True,
                "Cookies": {"Forward": "all"},
                "Headers": {"Quantity": 1, "Items": ["Host"]},
            },
            "MinTTL": 0,
        },
        "ViewerCertificate": {
            "ACMCertificateArn": certificate_arn,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        },
        "PriceClass": "PriceClass_All",
    }


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
    call = ec2.revoke_security_group_ingress if direction == "ingress" else ec2.revoke_security_group_egress
    call(GroupId=group_id, IpPermissions=[_sg_pair(peer, port)])


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
    """Re-read the ids of an already built cluster by its names (for the CLI's ``inject``)."""
    facts = load_inventory(environment)
    session = session or session_for(environment, facts)
    name = f"{facts['bbws_project']}-{environment}"
    cluster = Cluster(environment, facts["bbws_account_id"], facts["bbws_region"], facts["bbws_domain"])
    ec2 = session.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{name}-vpc"]}])["Vpcs"]
    if not vpcs:
        raise SystemExit(f"No {name}-vpc in the emulated {environment} account: run `build --env {environment}` first")
    cluster.vpc_id = vpcs[0]["VpcId"]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [cluster.vpc_id]}])["Subnets"]:
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
    efs = session.client("efs")
    for fs in efs.describe_file_systems()["FileSystems"]:
        if fs.get("CreationToken") == f"{name}-efs":
            cluster.efs_id = fs["FileSystemId"]
            cluster.mount_target_ids = [
                m["MountTargetId"] for m in efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"]
            ]
    for item in session.client("cloudfront").list_distributions().get("DistributionList", {}).get("Items", []):
        if item.get("Comment") == name:
            cluster.distribution_id, cluster.distribution_domain = item["Id"], item["DomainName"]
            cluster.certificate_arn = item.get("ViewerCertificate", {}).get("ACMCertificateArn", "")
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
    args = parser.parse_args(argv)
    if args.action == "faults":
        print("\n".join(FAULTS))
        return 0
    _load_emulator_env(args.emulator_dir)
    envs = environments() if args.env == "all" else [args.env]
    if args.action == "build":
        print(BANNER, file=sys.stderr)
        built = {env: asdict(build_cluster(env, tenants=args.tenants)) for env in envs}
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
