# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read everything the health report needs, concurrently, without writing anything.

One boto3 client per service, each used by one reader running in a bounded thread pool; readers
that fan out (ECS service batches, target health) use their own small pool. Resources are found by
the names and ``Project``/``Environment`` tags the Terraform stack gives them, or by explicit ids.
Nothing here reads a secret's value: the master-credentials secret is only described.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timezone
from typing import Any
from typing import Callable

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # reported by AnsibleAWSModule
    BotoCoreError = ClientError = Exception

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import AWSClients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import paginate
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import connection_failure_message
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import error_code
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import QUOTAS
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import mysql_max_connections
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.rds_engine_support import engine_support

# client key -> boto3 service; acm and cloudfront are made in the edge region.
SERVICES = {
    "sts": "sts",
    "ec2": "ec2",
    "ecs": "ecs",
    "rds": "rds",
    "secretsmanager": "secretsmanager",
    "efs": "efs",
    "elbv2": "elbv2",
    "cloudfront": "cloudfront",
    "acm": "acm",
    "route53": "route53",
    "logs": "logs",
    "tagging": "resourcegroupstaggingapi",
    "cloudwatch": "cloudwatch",
    "cloudwatch_edge": "cloudwatch",
    "servicequotas": "service-quotas",
    "rds_dr": "rds",
    "elbv2_dr": "elbv2",
    "ecs_dr": "ecs",
    "efs_dr": "efs",
    "cloudwatch_dr": "cloudwatch",
}
EDGE_SERVICES = ("acm", "cloudfront", "cloudwatch_edge")
# A DR primary's readers of its standby, made in the standby's region (dr_region).
DR_SERVICES = ("rds_dr", "elbv2_dr", "ecs_dr", "efs_dr", "cloudwatch_dr")
MAX_WORKERS = 16
FANOUT_WORKERS = 16
# RDS states from which the instance comes back by itself; any other non-available state is reported at once.
RDS_TRANSIENT = {
    "creating",
    "backing-up",
    "modifying",
    "rebooting",
    "starting",
    "upgrading",
    "configuring-enhanced-monitoring",
    "renaming",
    "resetting-master-credentials",
    "maintenance",
    "storage-optimization",
    "configuring-log-exports",
}
RDS_MAX_BACKOFF = 30.0
# Seconds an ECS "unhealthy" service event keeps the service's target groups on DescribeTargetHealth.
STEADY_EVENT_WINDOW = 900
# How far back the latest datapoint of a headroom metric (RDS connections, Fargate vCPU usage) may be.
METRIC_WINDOW = 900


def make_clients(clients: AWSClients, edge_region: str, dr_region: str | None = None) -> "LazyClients":
    """The report's clients by key (:data:`SERVICES`), from the collection's client layer: one session, one retry
    policy, every call counted. Each is made on first use (see LazyClients); the DR clients only with a dr_region."""

    def create(key: str) -> Any:
        if key in DR_SERVICES:
            if not dr_region:
                raise KeyError(key)
            return clients.client(SERVICES[key], region=dr_region)
        return clients.client(SERVICES[key], region=edge_region if key in EDGE_SERVICES else None)

    return LazyClients(create, first="sts")


class LazyClients(dict):
    """The clients, each made on first use: the readers start their calls while later clients are still being made.

    Making a client is mostly CPU (the service model); one lock keeps it to one at a time on the shared session,
    while the readers that already have theirs wait on the network. ``first`` is made at once, so a bad region,
    endpoint or profile still fails before any read starts."""

    def __init__(self, create: Callable[[str], Any], first: str) -> None:
        super().__init__()
        self._create = create
        self._lock = threading.Lock()
        self[first] = self._create(first)

    def __missing__(self, key: str) -> Any:
        if key not in SERVICES:
            raise KeyError(key)
        with self._lock:
            if not dict.__contains__(self, key):
                self[key] = self._create(key)
            return dict.__getitem__(self, key)


def tag_dict(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """AWS tag lists come as Key/Value or key/value pairs; return a flat dict."""
    result = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key"))
        if key is not None:
            result[key] = tag.get("Value", tag.get("value", ""))
    return result


def _fanout(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    if len(items) <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=FANOUT_WORKERS) as pool:
        return list(pool.map(func, items))


def _together(*calls: Callable[[], Any]) -> list[Any]:
    """Independent calls of one reader at the same time (each reader's chain of calls is the report's critical path)."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


class Context:
    """What the readers need to know about the environment they look at."""

    def __init__(
        self,
        environment: str,
        project: str = "bbws",
        region: str = "af-south-1",
        domain: str | None = None,
        resources: dict[str, Any] | None = None,
        wait_timeout: float = 600,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        zone: str | None = None,
        edge_region: str = "us-east-1",
        dr_role: str = "none",
        dr_region: str | None = None,
    ) -> None:
        self.environment = environment
        self.edge_region = edge_region
        self.dr_role = dr_role
        # The standby's region, read by a primary's DR reader (None: no DR section).
        self.dr_region = dr_region if dr_role == "primary" else None
        self.project = project
        self.region = region
        self.domain = domain
        # The hosted zone that holds the environment's records: the root zone where the account owns it
        # (prod adopts kimmyai.io: no zone of the domain's own), else the domain's own zone.
        self.zone = zone or domain
        self.resources = {k: v for k, v in (resources or {}).items() if v}
        self.wait_timeout = wait_timeout
        self.sleep = sleep
        self.clock = clock

    @property
    def name(self) -> str:
        return f"{self.project}-{self.environment}"

    @property
    def tag_filters(self) -> list[dict[str, Any]]:
        return [
            {"Name": "tag:Project", "Values": [self.project]},
            {"Name": "tag:Environment", "Values": [self.environment]},
        ]


# -- readers: each takes its client(s) and the context, returns plain dicts --------------------------
def read_network(ec2: Any, ctx: Context) -> dict[str, Any]:
    vpc_id = ctx.resources.get("vpc_id")
    vpcs = ec2.describe_vpcs(
        aws_retry=True,
        VpcIds=[vpc_id] if vpc_id else [],
        Filters=[] if vpc_id else [{"Name": "tag:Name", "Values": [f"{ctx.name}-vpc"]}],
    )["Vpcs"]
    if not vpcs:
        vpcs = ec2.describe_vpcs(aws_retry=True, Filters=ctx.tag_filters)["Vpcs"]
    if not vpcs:
        return {"found": False}
    vpc = vpcs[0]
    by_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    raw_subnets, raw_groups, raw_nats = _together(
        lambda: paginate(ec2, "describe_subnets", "Subnets", Filters=by_vpc),
        lambda: paginate(ec2, "describe_security_groups", "SecurityGroups", Filters=by_vpc),
        lambda: paginate(ec2, "describe_nat_gateways", "NatGateways", Filters=by_vpc),
    )
    subnets = [
        {
            "id": s["SubnetId"],
            "az": s["AvailabilityZone"],
            "name": tag_dict(s.get("Tags")).get("Name", ""),
            "tags": tag_dict(s.get("Tags")),
        }
        for s in raw_subnets
    ]
    groups = {}
    for group in raw_groups:
        groups[group["GroupId"]] = {
            "id": group["GroupId"],
            "name": group["GroupName"],
            "tags": tag_dict(group.get("Tags")),
            "ingress": [_rule(p) for p in group.get("IpPermissions", [])],
            "egress": [_rule(p) for p in group.get("IpPermissionsEgress", [])],
        }
    nats = [
        {"id": n["NatGatewayId"], "state": n["State"], "subnet_id": n.get("SubnetId"), "tags": tag_dict(n.get("Tags"))}
        for n in raw_nats
        if n["State"] not in ("deleted", "deleting")
    ]
    return {
        "found": True,
        "vpc": {"id": vpc["VpcId"], "cidr": vpc["CidrBlock"], "tags": tag_dict(vpc.get("Tags"))},
        "subnets": subnets,
        "security_groups": groups,
        "nat_gateways": nats,
    }


def _rule(permission: dict[str, Any]) -> dict[str, Any]:
    return {
        "protocol": str(permission.get("IpProtocol", "-1")),
        "from_port": permission.get("FromPort"),
        "to_port": permission.get("ToPort"),
        "cidrs": (
            [r["CidrIp"] for r in permission.get("IpRanges", [])]
            + [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])]
        ),
        "groups": [g["GroupId"] for g in permission.get("UserIdGroupPairs", [])],
        "prefix_lists": [p["PrefixListId"] for p in permission.get("PrefixListIds", [])],
    }


def read_ecs(ecs: Any, ctx: Context) -> dict[str, Any]:
    name = ctx.resources.get("ecs_cluster_name") or f"{ctx.name}-cluster"
    clusters = ecs.describe_clusters(aws_retry=True, clusters=[name], include=["SETTINGS", "STATISTICS", "TAGS"])[
        "clusters"
    ]
    if not clusters:
        return {"found": False, "name": name}
    cluster = clusters[0]
    settings = {s["name"]: s["value"] for s in cluster.get("settings", [])}
    arns = paginate(ecs, "list_services", "serviceArns", cluster=name, PaginationConfig={"PageSize": 100})
    batches = [arns[i : i + 10] for i in range(0, len(arns), 10)]  # DescribeServices takes 10 at a time

    def describe(batch: list[str]) -> list[dict]:
        return ecs.describe_services(aws_retry=True, cluster=name, services=batch)["services"]

    services = [
        {
            "name": s["serviceName"],
            "desired": s.get("desiredCount", 0),
            "running": s.get("runningCount", 0),
            "status": s.get("status"),
            "target_groups": [lb["targetGroupArn"] for lb in s.get("loadBalancers", []) if lb.get("targetGroupArn")],
            "steady": _steady(s),
        }
        for batch in _fanout(describe, batches)
        for s in batch
    ]
    return {
        "found": True,
        "name": cluster["clusterName"],
        "arn": cluster["clusterArn"],
        "status": cluster["status"],
        "container_insights": settings.get("containerInsights", "disabled"),
        "running_tasks": cluster.get("runningTasksCount", 0),
        "active_services": cluster.get("activeServicesCount", 0),
        "services": services,
        "tags": tag_dict(cluster.get("tags")),
    }


def _steady(service: dict[str, Any]) -> bool:
    """Does ECS vouch for this service's targets? All desired tasks running, one deployment and it COMPLETED, and no
    "unhealthy" event in the last STEADY_EVENT_WINDOW seconds (ECS replaces tasks that fail the ELB health check and
    says so in the service's events)."""
    deployments = service.get("deployments") or []
    if service.get("runningCount", 0) != service.get("desiredCount", 0) or len(deployments) > 1:
        return False
    if deployments and deployments[0].get("rolloutState") not in (None, "COMPLETED"):
        return False
    now = datetime.now(timezone.utc)
    for event in service.get("events") or []:
        created = event.get("createdAt")
        if "unhealthy" in (event.get("message") or "").lower() and (
            not isinstance(created, datetime) or (now - created).total_seconds() < STEADY_EVENT_WINDOW
        ):
            return False
    return True


def read_rds(rds: Any, secrets: Any, ctx: Context, ec2: Any = None) -> dict[str, Any]:
    identifier = ctx.resources.get("rds_identifier") or f"{ctx.name}-mysql"
    start = ctx.clock()
    attempts, delay = 0, 2.0
    while True:
        attempts += 1
        try:
            instance = rds.describe_db_instances(aws_retry=True, DBInstanceIdentifier=identifier)["DBInstances"][0]
        except is_boto3_error_code(["DBInstanceNotFound", "DBInstanceNotFoundFault"]):
            return {"found": False, "id": identifier}
        status = instance["DBInstanceStatus"]
        waited = ctx.clock() - start
        # RDS takes time to provision, so wait (with backoff) up to the timeout, then report.
        if status == "available" or status not in RDS_TRANSIENT or waited + delay > ctx.wait_timeout:
            break
        ctx.sleep(delay)
        delay = min(delay * 2, RDS_MAX_BACKOFF)
    endpoint = instance.get("Endpoint") or {}
    secret_info = instance.get("MasterUserSecret") or {}
    result = {
        "found": True,
        "id": identifier,
        "arn": instance.get("DBInstanceArn"),
        "status": status,
        "attempts": attempts,
        "waited_seconds": round(ctx.clock() - start, 1),
        "engine": instance.get("Engine"),
        "engine_version": instance.get("EngineVersion"),
        "instance_class": instance.get("DBInstanceClass"),
        "encrypted": bool(instance.get("StorageEncrypted")),
        "public": bool(instance.get("PubliclyAccessible")),
        "multi_az": bool(instance.get("MultiAZ")),
        "backup_retention": instance.get("BackupRetentionPeriod", 0),
        "deletion_protection": bool(instance.get("DeletionProtection")),
        "endpoint": endpoint.get("Address"),
        "port": endpoint.get("Port") or 3306,
        "security_groups": [g["VpcSecurityGroupId"] for g in instance.get("VpcSecurityGroups", [])],
        "tags": tag_dict(instance.get("TagList")),
        **replica_state(instance),
    }
    result["secret"], result["engine_support"], result["max_connections"] = _together(
        lambda: (
            read_secret(secrets, secret_info.get("SecretArn")) if secret_info.get("SecretArn") else {"found": False}
        ),
        lambda: engine_support(
            rds,
            instance.get("Engine"),
            instance.get("EngineVersion"),
            instance.get("EngineLifecycleSupport"),
            retry=True,
        ),
        lambda: read_max_connections(rds, ec2, instance),
    )
    return result


def replica_state(instance: dict[str, Any]) -> dict[str, Any]:
    """Where the instance stands in replication: its source when it is a read replica (an ARN across regions), its
    replicas, and RDS's "read replication" status (replicating, error, stopped, ...) when RDS gives one."""
    info = next((i for i in instance.get("StatusInfos") or [] if i.get("StatusType") == "read replication"), {})
    return {
        "replica_source": instance.get("ReadReplicaSourceDBInstanceIdentifier"),
        "replicas": list(instance.get("ReadReplicaDBInstanceIdentifiers") or []),
        "replication": (
            {"status": info.get("Status"), "normal": bool(info.get("Normal")), "message": info.get("Message")}
            if info
            else None
        ),
    }


def read_max_connections(rds: Any, ec2: Any, instance: dict[str, Any]) -> dict[str, Any]:
    """max_connections: the parameter group's value when it is a number, else RDS's formula for the class's memory."""
    group = next((g["DBParameterGroupName"] for g in instance.get("DBParameterGroups") or []), None)
    if group:
        try:
            # Only the values set in the group (one short page): RDS's default is the formula, not a number.
            parameters = paginate(
                rds, "describe_db_parameters", "Parameters", DBParameterGroupName=group, Source="user"
            )
        except is_boto3_error_code(["DBParameterGroupNotFound", "DBParameterGroupNotFoundFault"]):
            parameters = []
        except ClientError as e:  # pylint: disable=duplicate-except
            return {"value": None, "source": f"unknown: parameter group {group} not readable ({error_code(e)})"}
        value = next((p.get("ParameterValue") for p in parameters if p.get("ParameterName") == "max_connections"), None)
        if value is not None and str(value).isdigit():
            return {"value": int(value), "source": f"parameter group {group}"}
    instance_class = instance.get("DBInstanceClass") or ""
    if ec2 is None or not instance_class.startswith("db."):
        return {"value": None, "source": f"unknown: no memory size for {instance_class or 'the class'}"}
    try:
        types = ec2.describe_instance_types(aws_retry=True, InstanceTypes=[instance_class[3:]])["InstanceTypes"]
    except ClientError as e:
        return {"value": None, "source": f"unknown: the memory of {instance_class} was not readable ({error_code(e)})"}
    if not types:
        return {"value": None, "source": f"unknown: no memory size for {instance_class}"}
    memory = types[0]["MemoryInfo"]["SizeInMiB"] * 1048576
    return {
        "value": mysql_max_connections(memory),
        "source": f"RDS default for {instance_class} ({memory // 1073741824} GiB / 12582880 bytes per connection)",
    }


def read_secret(secrets: Any, arn: str) -> dict[str, Any]:
    """Existence and rotation state only: DescribeSecret never returns the value, and nothing else is called."""
    try:
        secret = secrets.describe_secret(aws_retry=True, SecretId=arn)
    except is_boto3_error_code("ResourceNotFoundException"):
        return {"found": False, "arn": arn}
    return {
        "found": True,
        "arn": secret["ARN"],
        "name": secret.get("Name"),
        "rotation_enabled": bool(secret.get("RotationEnabled")),
        "rotation_days": (secret.get("RotationRules") or {}).get("AutomaticallyAfterDays"),
        "last_rotated": str(secret["LastRotatedDate"]) if secret.get("LastRotatedDate") else None,
        "tags": tag_dict(secret.get("Tags")),
    }


def read_efs(efs: Any, ctx: Context) -> dict[str, Any]:
    wanted = ctx.resources.get("efs_id")
    token = f"{ctx.name}-efs"
    # DescribeFileSystems carries the tags; the legacy DescribeTags call is not needed (nor emulated).
    systems = paginate(efs, "describe_file_systems", "FileSystems")
    match = [
        fs
        for fs in systems
        if fs["FileSystemId"] == wanted
        or (not wanted and (fs.get("CreationToken") == token or tag_dict(fs.get("Tags")).get("Name") == token))
    ]
    if not match:
        return {"found": False, "id": wanted or token}
    fs = match[0]

    def groups(mount: dict) -> list[str]:
        return efs.describe_mount_target_security_groups(aws_retry=True, MountTargetId=mount["MountTargetId"])[
            "SecurityGroups"
        ]

    def mounts_and_groups() -> tuple[list[dict], list[list[str]]]:
        mounts = paginate(efs, "describe_mount_targets", "MountTargets", FileSystemId=fs["FileSystemId"])
        return mounts, _fanout(groups, mounts)

    def access_points() -> int | None:
        # For the capacity headroom only: a listing that fails leaves the count unknown.
        try:
            return len(paginate(efs, "describe_access_points", "AccessPoints", FileSystemId=fs["FileSystemId"]))
        except ClientError:
            return None

    def replication() -> dict[str, Any] | None:
        # A standby's file system is the destination of the primary's replication (read only by a standby).
        return read_efs_replication(efs, fs["FileSystemId"]) if ctx.dr_role == "standby" else None

    (mounts, mount_groups), access_point_count, replicated = _together(mounts_and_groups, access_points, replication)
    return {
        "found": True,
        "id": fs["FileSystemId"],
        "state": fs["LifeCycleState"],
        "protection": (fs.get("FileSystemProtection") or {}).get("ReplicationOverwriteProtection"),
        "replication": replicated,
        "encrypted": bool(fs.get("Encrypted")),
        "tags": tag_dict(fs.get("Tags")),
        "access_points": access_point_count,
        "mount_targets": [
            {
                "id": m["MountTargetId"],
                "subnet_id": m["SubnetId"],
                "az": m.get("AvailabilityZoneName"),
                "state": m["LifeCycleState"],
                "security_groups": sgs,
            }
            for m, sgs in zip(mounts, mount_groups)
        ],
    }


def read_efs_replication(efs: Any, file_system_id: str) -> dict[str, Any]:
    """The replication ``file_system_id`` takes part in (as source or destination): its destination, status and when
    it last finished a sync; ``found`` False when there is none."""
    try:
        replications = efs.describe_replication_configurations(aws_retry=True, FileSystemId=file_system_id)[
            "Replications"
        ]
    except is_boto3_error_code(["ReplicationNotFound", "FileSystemNotFound"]):
        return {"found": False, "file_system_id": file_system_id}
    if not replications:
        return {"found": False, "file_system_id": file_system_id}
    replication = replications[0]
    destination = (replication.get("Destinations") or [{}])[0]
    last = destination.get("LastReplicatedTimestamp")
    return {
        "found": True,
        "source_id": replication.get("SourceFileSystemId"),
        "source_region": replication.get("SourceFileSystemRegion"),
        "destination_id": destination.get("FileSystemId"),
        "destination_region": destination.get("Region"),
        "status": destination.get("Status"),
        "status_message": destination.get("StatusMessage"),
        "last_replicated": last.isoformat(timespec="seconds") if isinstance(last, datetime) else last,
        "age_seconds": (
            round((datetime.now(timezone.utc) - last).total_seconds()) if isinstance(last, datetime) else None
        ),
    }


def read_replica_lag(cloudwatch: Any, identifier: str) -> dict[str, Any]:
    """The latest AWS/RDS ReplicaLag (seconds) of a read replica; None with the reason when there is none."""
    end = datetime.now(timezone.utc)
    try:
        answer = cloudwatch.get_metric_data(
            aws_retry=True,
            MetricDataQueries=[
                {
                    "Id": "lag",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/RDS",
                            "MetricName": "ReplicaLag",
                            "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": identifier}],
                        },
                        "Period": 60,
                        "Stat": "Maximum",
                    },
                }
            ],
            ScanBy="TimestampDescending",
            StartTime=datetime.fromtimestamp(end.timestamp() - METRIC_WINDOW, timezone.utc),
            EndTime=end,
        )
    except ClientError as e:
        return {"value": None, "detail": f"GetMetricData not readable ({error_code(e)})"}
    return latest_datapoint(next(iter(answer.get("MetricDataResults") or []), {}), "ReplicaLag", " s")


def latest_datapoint(result: dict[str, Any], what: str, unit: str = "") -> dict[str, Any]:
    """The newest value of one GetMetricData result and a line that says it (or that there was none)."""
    points = sorted(zip(result.get("Timestamps", []), result.get("Values", [])), key=lambda p: p[0])
    if not points:
        return {"value": None, "detail": f"no {what} datapoint in the last {METRIC_WINDOW // 60} minutes"}
    at, value = points[-1]
    return {
        "value": value,
        "detail": f"{value:g}{unit} at {at.isoformat(timespec='seconds') if isinstance(at, datetime) else at}",
    }


def read_dr(clients: dict[str, Any], ctx: Context, source_efs: Callable[[], str | None]) -> dict[str, Any]:
    """A DR primary's standby in ctx.dr_region: the read replica of this instance (same identifier), its lag, the
    standby's ALB, ECS cluster and file system (same names, another region), and this file system's replication.

    ``source_efs`` answers this region's file system id (the EFS reader's result)."""
    identifier = ctx.resources.get("rds_identifier") or f"{ctx.name}-mysql"

    def replica() -> dict[str, Any]:
        try:
            instance = clients["rds_dr"].describe_db_instances(aws_retry=True, DBInstanceIdentifier=identifier)[
                "DBInstances"
            ][0]
        except is_boto3_error_code(["DBInstanceNotFound", "DBInstanceNotFoundFault"]):
            return {"found": False, "id": identifier}
        return {
            "found": True,
            "id": identifier,
            "arn": instance.get("DBInstanceArn"),
            "status": instance["DBInstanceStatus"],
            "instance_class": instance.get("DBInstanceClass"),
            **replica_state(instance),
        }

    def alb() -> dict[str, Any]:
        try:
            found = clients["elbv2_dr"].describe_load_balancers(aws_retry=True, Names=[f"{ctx.name}-alb"])
        except is_boto3_error_code("LoadBalancerNotFound"):
            return {"found": False, "id": f"{ctx.name}-alb"}
        balancer = found["LoadBalancers"][0]
        return {
            "found": True,
            "arn": balancer["LoadBalancerArn"],
            "dns_name": balancer["DNSName"],
            "state": balancer["State"]["Code"],
        }

    def ecs() -> dict[str, Any]:
        name = f"{ctx.name}-cluster"
        clusters = clients["ecs_dr"].describe_clusters(aws_retry=True, clusters=[name])["clusters"]
        if not clusters:
            return {"found": False, "name": name}
        return {
            "found": True,
            "name": name,
            "arn": clusters[0]["clusterArn"],
            "status": clusters[0]["status"],
            "active_services": clusters[0].get("activeServicesCount", 0),
        }

    def file_system() -> dict[str, Any]:
        token = f"{ctx.name}-efs"
        systems = paginate(clients["efs_dr"], "describe_file_systems", "FileSystems")
        match = [
            fs for fs in systems if fs.get("CreationToken") == token or tag_dict(fs.get("Tags")).get("Name") == token
        ]
        if not match:
            return {"found": False, "id": token}
        return {
            "found": True,
            "id": match[0]["FileSystemId"],
            "protection": (match[0].get("FileSystemProtection") or {}).get("ReplicationOverwriteProtection"),
        }

    def replication() -> dict[str, Any]:
        source = source_efs()
        return read_efs_replication(clients["efs"], source) if source else {"found": False, "file_system_id": None}

    read_replica, lag, standby_alb, standby_ecs, standby_efs, efs_replication = _together(
        replica,
        lambda: read_replica_lag(clients["cloudwatch_dr"], identifier),
        alb,
        ecs,
        file_system,
        replication,
    )
    return {
        "found": True,
        "region": ctx.dr_region,
        "replica": {**read_replica, "lag": lag} if read_replica["found"] else read_replica,
        "alb": standby_alb,
        "ecs": standby_ecs,
        "efs": standby_efs,
        "efs_replication": efs_replication,
    }


def read_alb(elbv2: Any, ctx: Context, vouched: Callable[[], dict[str, str]] | None = None) -> dict[str, Any]:
    """The ALB, its listeners, attributes and target groups with their target health.

    ``vouched`` answers {target group ARN: service name} for the target groups of steady ECS services (see
    ``_steady``): their health is taken from ECS instead of one DescribeTargetHealth call per group, which is what
    keeps a report over hundreds of tenants close to the report over none. Every other group is read."""
    arn = ctx.resources.get("alb_arn")
    try:
        kwargs = {"LoadBalancerArns": [arn]} if arn else {"Names": [f"{ctx.name}-alb"]}
        albs = elbv2.describe_load_balancers(aws_retry=True, **kwargs)["LoadBalancers"]
    except is_boto3_error_code("LoadBalancerNotFound"):
        return {"found": False, "id": arn or f"{ctx.name}-alb"}
    alb = albs[0]
    arn = alb["LoadBalancerArn"]
    raw_listeners, raw_attributes, tags, all_groups = _together(
        lambda: paginate(elbv2, "describe_listeners", "Listeners", LoadBalancerArn=arn),
        lambda: elbv2.describe_load_balancer_attributes(aws_retry=True, LoadBalancerArn=arn)["Attributes"],
        lambda: elbv2.describe_tags(aws_retry=True, ResourceArns=[arn])["TagDescriptions"],
        lambda: paginate(elbv2, "describe_target_groups", "TargetGroups"),
    )
    listeners = [
        {
            "arn": listener["ListenerArn"],
            "port": listener["Port"],
            "protocol": listener["Protocol"],
            "ssl_policy": listener.get("SslPolicy"),
            "certificates": [c["CertificateArn"] for c in listener.get("Certificates", [])],
            "default_action": (listener.get("DefaultActions") or [{}])[0].get("Type"),
        }
        for listener in raw_listeners
    ]
    attributes = {a["Key"]: a["Value"] for a in raw_attributes}
    # The ALB's own target groups plus the tenants' (named <project>-<env>-...), found in one paginated listing.
    prefix = f"{ctx.name}-"
    groups = [
        tg for tg in all_groups if arn in tg.get("LoadBalancerArns", []) or tg["TargetGroupName"].startswith(prefix)
    ]

    steady = vouched() if vouched else {}

    def health(tg: dict) -> dict[str, Any]:
        group = {
            "arn": tg["TargetGroupArn"],
            "name": tg["TargetGroupName"],
            "port": tg.get("Port"),
            "protocol": tg.get("Protocol"),
            "health_check_path": tg.get("HealthCheckPath"),
        }
        if tg["TargetGroupArn"] in steady:
            return {**group, "states": {}, "reasons": [], "vouched_by": steady[tg["TargetGroupArn"]]}
        states: dict[str, int] = {}
        reasons = set()
        for description in elbv2.describe_target_health(aws_retry=True, TargetGroupArn=tg["TargetGroupArn"])[
            "TargetHealthDescriptions"
        ]:
            state = description["TargetHealth"]["State"]
            states[state] = states.get(state, 0) + 1
            if description["TargetHealth"].get("Reason"):
                reasons.add(description["TargetHealth"]["Reason"])
        return {**group, "states": states, "reasons": sorted(reasons)}

    def rules(listener: dict) -> int | None:
        # Rules other than the default action count against the ALB's rules quota (capacity headroom only: a rule
        # listing that fails leaves the count unknown, not the ALB unreadable).
        try:
            listed = paginate(elbv2, "describe_rules", "Rules", ListenerArn=listener["arn"])
        except ClientError:
            return None
        return sum(1 for rule in listed if not rule.get("IsDefault"))

    rule_counts, target_groups = _together(lambda: _fanout(rules, listeners), lambda: _fanout(health, groups))
    for listener, count in zip(listeners, rule_counts):
        listener["rules"] = count
    return {
        "found": True,
        "arn": arn,
        "name": alb["LoadBalancerName"],
        "dns_name": alb["DNSName"],
        "state": alb["State"]["Code"],
        "scheme": alb.get("Scheme"),
        "security_groups": alb.get("SecurityGroups", []),
        "listeners": listeners,
        "attributes": attributes,
        "target_groups": target_groups,
        "target_health_reads": sum(1 for g in groups if g["TargetGroupArn"] not in steady),
        "tags": tag_dict(tags[0]["Tags"]) if tags else {},
    }


def read_cloudfront(cloudfront: Any, ctx: Context) -> dict[str, Any]:
    wanted = ctx.resources.get("cloudfront_distribution_id")
    items = (paginate(cloudfront, "list_distributions", "DistributionList") or {}).get("Items", [])
    match = [d for d in items if d["Id"] == wanted or (not wanted and d.get("Comment") == ctx.name)]
    if not match:
        return {"found": False, "id": wanted or f"comment {ctx.name}"}
    dist = match[0]
    viewer = dist.get("ViewerCertificate", {})
    origins = [
        {
            "id": o["Id"],
            "domain": o["DomainName"],
            "protocol_policy": (o.get("CustomOriginConfig") or {}).get("OriginProtocolPolicy"),
            "http_port": (o.get("CustomOriginConfig") or {}).get("HTTPPort", 80),
            "https_port": (o.get("CustomOriginConfig") or {}).get("HTTPSPort", 443),
        }
        for o in dist.get("Origins", {}).get("Items", [])
    ]
    tags = cloudfront.list_tags_for_resource(aws_retry=True, Resource=dist["ARN"]).get("Tags", {}).get("Items", [])
    return {
        "found": True,
        "id": dist["Id"],
        "arn": dist["ARN"],
        "domain": dist["DomainName"],
        "status": dist["Status"],
        "enabled": dist.get("Enabled"),
        "aliases": dist.get("Aliases", {}).get("Items", []),
        "certificate_arn": viewer.get("ACMCertificateArn") or None,
        "minimum_protocol": viewer.get("MinimumProtocolVersion"),
        "viewer_protocol_policy": dist.get("DefaultCacheBehavior", {}).get("ViewerProtocolPolicy"),
        "origins": origins,
        "origin_groups": [g["Id"] for g in (dist.get("OriginGroups") or {}).get("Items") or []],
        "tags": tag_dict(tags),
    }


def read_acm(acm: Any, ctx: Context) -> dict[str, Any]:
    wanted = ctx.resources.get("acm_certificate_arn")
    domains = {f"*.{ctx.domain}", ctx.domain} if ctx.domain else set()
    summaries = paginate(
        acm,
        "list_certificates",
        "CertificateSummaryList",
        CertificateStatuses=[
            "PENDING_VALIDATION",
            "ISSUED",
            "INACTIVE",
            "EXPIRED",
            "VALIDATION_TIMED_OUT",
            "REVOKED",
            "FAILED",
        ],
    )
    arns = [
        s["CertificateArn"]
        for s in summaries
        if s["CertificateArn"] == wanted or (not wanted and s.get("DomainName") in domains)
    ]

    def describe(arn: str) -> dict[str, Any]:
        cert = acm.describe_certificate(aws_retry=True, CertificateArn=arn)["Certificate"]
        return {
            "arn": arn,
            "domain": cert.get("DomainName"),
            "status": cert.get("Status"),
            "not_after": cert["NotAfter"].isoformat() if cert.get("NotAfter") else None,
            "in_use_by": cert.get("InUseBy", []),
            "validation_records": [
                o["ResourceRecord"] for o in cert.get("DomainValidationOptions", []) if o.get("ResourceRecord")
            ],
        }

    return {"found": bool(arns), "certificates": _fanout(describe, arns)}


def read_zone(route53: Any, ctx: Context) -> dict[str, Any]:
    zone_id = ctx.resources.get("route53_zone_id")
    if not zone_id:
        if not ctx.zone:
            return {"found": False, "skipped": "no domain given"}
        zones = route53.list_hosted_zones_by_name(aws_retry=True, DNSName=ctx.zone)["HostedZones"]
        zones = [
            z
            for z in zones
            if z["Name"].rstrip(".") == ctx.zone.rstrip(".") and not z.get("Config", {}).get("PrivateZone")
        ]
        if not zones:
            return {"found": False, "name": ctx.zone}
        zone_id = zones[0]["Id"].split("/")[-1]
    zone = route53.get_hosted_zone(aws_retry=True, Id=zone_id)
    records = paginate(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
    return {
        "found": True,
        "id": zone_id,
        "name": zone["HostedZone"]["Name"].rstrip("."),
        "name_servers": zone.get("DelegationSet", {}).get("NameServers", []),
        "records": [
            {
                "name": r["Name"],
                "type": r["Type"],
                "values": [v["Value"] for v in r.get("ResourceRecords", [])],
                "alias": (r.get("AliasTarget") or {}).get("DNSName", "").rstrip("."),
            }
            for r in records
        ],
    }


def read_logs(logs: Any, ctx: Context) -> dict[str, Any]:
    name = ctx.resources.get("log_group_name") or f"/ecs/{ctx.environment}"
    groups = [
        g
        for g in paginate(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=name)
        if g["logGroupName"] == name
    ]
    if not groups:
        return {"found": False, "name": name}
    return {"found": True, "name": name, "retention_days": groups[0].get("retentionInDays")}


def read_tagged(tagging: Any, ctx: Context) -> dict[str, Any]:
    """Every resource in this account and region tagged for the project, whatever environment it claims."""
    mappings = paginate(
        tagging, "get_resources", "ResourceTagMappingList", TagFilters=[{"Key": "Project", "Values": [ctx.project]}]
    )
    return {"found": True, "resources": [{"arn": m["ResourceARN"], "tags": tag_dict(m.get("Tags"))} for m in mappings]}


def read_alarms(cloudwatch: Any, cloudwatch_edge: Any, ctx: Context) -> dict[str, Any]:
    """The metric alarms named ``<project>-<environment>-*`` in the environment's region and the edge region."""
    prefix = f"{ctx.name}-"
    readers = [(ctx.region, cloudwatch)] + (
        [(ctx.edge_region, cloudwatch_edge)] if ctx.edge_region != ctx.region else []
    )
    listed = _together(
        *[
            (lambda client=client: paginate(client, "describe_alarms", "MetricAlarms", AlarmNamePrefix=prefix))
            for _region, client in readers
        ]
    )
    return {
        "found": True,
        "alarms": [_alarm(alarm, region) for (region, _client), alarms in zip(readers, listed) for alarm in alarms],
    }


OPERATORS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


def _alarm(alarm: dict[str, Any], region: str) -> dict[str, Any]:
    dimensions = ", ".join(f"{d['Name']}={d['Value']}" for d in alarm.get("Dimensions") or [])
    metric = (
        f"{alarm.get('Namespace')} {alarm.get('MetricName')}" + (f" ({dimensions})" if dimensions else "")
        if alarm.get("MetricName")
        else None
    )
    statistic = alarm.get("Statistic") or alarm.get("ExtendedStatistic") or ""
    operator = OPERATORS.get(alarm.get("ComparisonOperator"), alarm.get("ComparisonOperator") or "")
    threshold = alarm.get("Threshold")
    periods = f" for {alarm.get('EvaluationPeriods')} x {alarm.get('Period')} s" if alarm.get("Period") else ""
    since = alarm.get("StateUpdatedTimestamp")
    return {
        "name": alarm["AlarmName"],
        "arn": alarm.get("AlarmArn"),
        "region": region,
        "state": alarm.get("StateValue"),
        "reason": alarm.get("StateReason"),
        "since": since.isoformat(timespec="seconds") if isinstance(since, datetime) else since,
        "metric": metric,
        "metrics": bool(alarm.get("Metrics")),
        "threshold": (
            f"{statistic} {operator} {threshold:g}{periods}".strip() if threshold is not None else "no threshold"
        ),
        "actions": alarm.get("AlarmActions") or [],
        "actions_enabled": alarm.get("ActionsEnabled", True),
    }


def read_quotas(servicequotas: Any, ctx: Context) -> dict[str, Any]:
    """The applied quotas the headroom needs; a quota Service Quotas does not give is left to AWS's default.

    Quotas known by code are read with GetServiceQuota; those known by name (Elastic Load Balancing's) come from
    one ListServiceQuotas of their service, which lists only the quotas that have an applied value."""

    def listed(service: str) -> dict[str, Any]:
        try:
            return {
                q["QuotaName"]: q for q in paginate(servicequotas, "list_service_quotas", "Quotas", ServiceCode=service)
            }
        except ClientError as e:
            return {"error": _quota_error(e)}

    def one(service: str, code: str) -> dict[str, Any]:
        try:
            found = servicequotas.get_service_quota(aws_retry=True, ServiceCode=service, QuotaCode=code)["Quota"]
        except ClientError as e:
            return {"error": _quota_error(e)}
        return {"value": found.get("Value"), "code": code}

    by_code = [q for q in QUOTAS if q[2].startswith("L-")]
    services = sorted({q[1] for q in QUOTAS if not q[2].startswith("L-")})
    answers = _together(
        *[(lambda q=q: one(q[1], q[2])) for q in by_code],
        *[(lambda service=service: listed(service)) for service in services],
    )
    values = {q[0]: answer for q, answer in zip(by_code, answers)}
    listings = dict(zip(services, answers[len(by_code) :]))
    for key, service, name, _code, _default in QUOTAS:
        if key in values:
            continue
        listing = listings[service]
        match = listing.get(name)
        values[key] = (
            {"error": listing["error"]}
            if "error" in listing
            else (
                {"value": match["Value"], "code": match.get("QuotaCode")}
                if match
                else {"error": "no applied value listed"}
            )
        )
    return {"found": True, "quotas": values}


def _quota_error(error: Exception) -> str:
    if isinstance(error, is_boto3_error_code("NoSuchResourceException", e=error)):
        return "no value for this account"
    return f"not readable ({error_code(error)})"


def read_metrics(cloudwatch: Any, ctx: Context) -> dict[str, Any]:
    """The latest RDS DatabaseConnections and Fargate On-Demand vCPU usage (AWS/Usage), in one GetMetricData call."""
    identifier = ctx.resources.get("rds_identifier") or f"{ctx.name}-mysql"
    end = datetime.now(timezone.utc)
    queries = [
        {
            "Id": "db",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/RDS",
                    "MetricName": "DatabaseConnections",
                    "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": identifier}],
                },
                "Period": 60,
                "Stat": "Maximum",
            },
        },
        {
            "Id": "vcpu",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Usage",
                    "MetricName": "ResourceCount",
                    "Dimensions": [
                        {"Name": "Service", "Value": "Fargate"},
                        {"Name": "Type", "Value": "Resource"},
                        {"Name": "Resource", "Value": "vCPU"},
                        {"Name": "Class", "Value": "Standard/OnDemand"},
                    ],
                },
                "Period": 60,
                "Stat": "Maximum",
            },
        },
    ]
    try:
        answer = cloudwatch.get_metric_data(
            aws_retry=True,
            MetricDataQueries=queries,
            ScanBy="TimestampDescending",
            StartTime=datetime.fromtimestamp(end.timestamp() - METRIC_WINDOW, timezone.utc),
            EndTime=end,
        )
    except ClientError as e:
        # Usage unknown makes the headroom say so; it is no reason to call the cluster unhealthy.
        unread = {"value": None, "detail": f"GetMetricData not readable ({error_code(e)})"}
        return {"found": True, "db_connections": unread, "fargate_vcpu": unread}
    results = {r["Id"]: r for r in answer.get("MetricDataResults", [])}

    def latest(query: str, what: str) -> dict[str, Any]:
        return latest_datapoint(results.get(query, {}), what)

    return {
        "found": True,
        "db_connections": latest("db", f"DatabaseConnections of {identifier}"),
        "fargate_vcpu": latest("vcpu", "AWS/Usage Fargate vCPU"),
    }


# -- orchestration -----------------------------------------------------------------------------
def collect(clients: dict[str, Any], ctx: Context, max_workers: int = MAX_WORKERS) -> dict[str, Any]:
    """Run every reader concurrently; an area that fails is returned as ``{"error": message}``."""
    jobs: dict[str, Callable[[], dict[str, Any]]] = {
        "identity": lambda: {
            "found": True,
            "account_id": clients["sts"].get_caller_identity(aws_retry=True)["Account"],
        },
        "network": lambda: read_network(clients["ec2"], ctx),
        "ecs": lambda: read_ecs(clients["ecs"], ctx),
        "rds": lambda: read_rds(clients["rds"], clients["secretsmanager"], ctx, clients["ec2"]),
        "efs": lambda: read_efs(clients["efs"], ctx),
        "alb": lambda: read_alb(clients["elbv2"], ctx, vouched),
        "cloudfront": lambda: read_cloudfront(clients["cloudfront"], ctx),
        "acm": lambda: read_acm(clients["acm"], ctx),
        "zone": lambda: read_zone(clients["route53"], ctx),
        "logs": lambda: read_logs(clients["logs"], ctx),
        "tagged": lambda: read_tagged(clients["tagging"], ctx),
        "alarms": lambda: read_alarms(clients["cloudwatch"], clients["cloudwatch_edge"], ctx),
        "quotas": lambda: read_quotas(clients["servicequotas"], ctx),
        "metrics": lambda: read_metrics(clients["cloudwatch"], ctx),
    }
    if ctx.dr_role == "standby":
        # A standby has no distribution (the primary's fails over to it) and no certificate in the edge region.
        skipped = {"found": False, "skipped": "a DR standby has no CloudFront distribution of its own"}
        jobs["cloudfront"] = lambda: dict(skipped)
        jobs["acm"] = lambda: {"found": False, "certificates": [], "skipped": skipped["skipped"]}
        identifier = ctx.resources.get("rds_identifier") or f"{ctx.name}-mysql"
        jobs["replica_lag"] = lambda: {"found": True, **read_replica_lag(clients["cloudwatch"], identifier)}
    if ctx.dr_region:
        jobs["dr"] = lambda: read_dr(clients, ctx, source_efs)

    def run(area: str) -> dict[str, Any]:
        try:
            return jobs[area]()
        except (BotoCoreError, ClientError) as e:
            return {
                "found": False,
                "error": connection_failure_message(e, action=f"read the {area} resources"),
                "error_code": error_code(e),
            }

    futures: dict[str, Any] = {}

    def source_efs() -> str | None:
        # "efs" is submitted before "dr", as "ecs" before "alb".
        return futures["efs"].result().get("id") if futures["efs"].result().get("found") else None

    def vouched() -> dict[str, str]:
        # "ecs" is submitted before "alb", so it is already running when the ALB reader waits for it here.
        ecs = futures["ecs"].result()
        return {tg: s["name"] for s in ecs.get("services", []) if s.get("steady") for tg in s.get("target_groups", [])}

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        for area in jobs:
            futures[area] = pool.submit(run, area)
        return {area: future.result() for area, future in futures.items()}
