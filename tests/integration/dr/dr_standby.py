"""The failover/failback tests' scenario: a warm standby in the emulated prod account.

Built with boto3 the way terraform/ names things (rds.tf, ecs.tf, alb.tf, cloudfront.tf with dr_role primary and
standby): the primary database, file system, ALB, ECS cluster and service in af-south-1; a cross-region read replica of
that database (source by ARN), a file system the primary's replicates into (the emulator's EFS replication), a cluster
and the same service at desired count 0 in eu-west-1; the primary's CloudFront distribution with both ALBs as origins
and the origin group.

The emulator keeps a distribution's origin groups (member order included, through UpdateDistribution), but refuses a
cache behaviour whose target is an origin group (NoSuchOrigin). The distribution built here therefore has its default
behaviour on the primary's ALB instead of the group; the module never reads or changes the default behaviour.

A module of its own (not conftest.py), so the tests import it by a name no other test folder uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import boto3

PROFILE = "Tebogo-prod"
ACCOUNT_ID = "093646564004"
PROJECT = "bbws"
ENVIRONMENT = "prod"
PRIMARY = "af-south-1"
DR = "eu-west-1"
NAME = f"{PROJECT}-{ENVIRONMENT}"
DB = f"{NAME}-mysql"
CLUSTER = f"{NAME}-cluster"
PRIMARY_ORIGIN = f"{NAME}-alb"
DR_ORIGIN = f"{NAME}-alb-{DR}"
GROUP = f"{NAME}-failover"
HEALTH_PATH = "/health"
WRITE_PATHS = ["/wp-admin/*", "/wp-login.php", "/*.php"]


@dataclass
class Standby:
    """What the scenario built (ids the tests check against)."""

    session: boto3.Session
    distribution_id: str
    services: dict[str, int] = field(default_factory=dict)

    def client(self, service: str, region: str = PRIMARY):
        return self.session.client(service, region_name=region)

    def dr_db(self) -> dict:
        return self.client("rds", DR).describe_db_instances(DBInstanceIdentifier=DB)["DBInstances"][0]

    def dr_desired(self) -> dict[str, int]:
        ecs = self.client("ecs", DR)
        answer = ecs.describe_services(cluster=CLUSTER, services=list(self.services))
        return {s["serviceName"]: s["desiredCount"] for s in answer["services"]}

    def distribution_config(self) -> dict:
        return self.client("cloudfront").get_distribution_config(Id=self.distribution_id)["DistributionConfig"]

    def group_members(self) -> list[str]:
        [group] = self.distribution_config()["OriginGroups"]["Items"]
        return [m["OriginId"] for m in group["Members"]["Items"]]

    def behavior_targets(self) -> dict[str, str]:
        return {b["PathPattern"]: b["TargetOriginId"] for b in self.distribution_config()["CacheBehaviors"]["Items"]}

    def dr_file_system_replicated(self) -> bool:
        """Whether the DR file system is still a replication's destination (read-only)."""
        efs = self.client("efs", DR)
        [fs] = efs.describe_file_systems(CreationToken=f"{NAME}-efs")["FileSystems"]
        try:
            return bool(efs.describe_replication_configurations(FileSystemId=fs["FileSystemId"])["Replications"])
        except efs.exceptions.ReplicationNotFound:
            return False

    def stop_primary_db(self) -> None:
        self.client("rds").stop_db_instance(DBInstanceIdentifier=DB)

    def start_primary_db(self) -> None:
        self.client("rds").start_db_instance(DBInstanceIdentifier=DB)


def build_alb(session: boto3.Session, region: str) -> str:
    ec2 = session.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(zones)
    ]
    alb = session.client("elbv2", region_name=region).create_load_balancer(Name=f"{NAME}-alb", Subnets=subnets)
    return alb["LoadBalancers"][0]["DNSName"]


def custom_origin(origin_id: str, domain: str) -> dict:
    return {
        "Id": origin_id,
        "DomainName": domain,
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"},
    }


def behavior(path: str, target: str) -> dict:
    return {
        "PathPattern": path,
        "TargetOriginId": target,
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    }


def build_distribution(session: boto3.Session, primary_dns: str, dr_dns: str) -> str:
    behaviors = [behavior(HEALTH_PATH, PRIMARY_ORIGIN), *(behavior(p, PRIMARY_ORIGIN) for p in WRITE_PATHS)]
    config = {
        "CallerReference": NAME,
        "Comment": NAME,
        "Enabled": True,
        "Origins": {
            "Quantity": 2,
            "Items": [custom_origin(PRIMARY_ORIGIN, primary_dns), custom_origin(DR_ORIGIN, dr_dns)],
        },
        "OriginGroups": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": GROUP,
                    "FailoverCriteria": {"StatusCodes": {"Quantity": 4, "Items": [500, 502, 503, 504]}},
                    "Members": {"Quantity": 2, "Items": [{"OriginId": PRIMARY_ORIGIN}, {"OriginId": DR_ORIGIN}]},
                }
            ],
        },
        # terraform targets the origin group here; the emulator refuses that (see the module docstring).
        "DefaultCacheBehavior": {
            "TargetOriginId": PRIMARY_ORIGIN,
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
        "CacheBehaviors": {"Quantity": len(behaviors), "Items": behaviors},
    }
    answer = session.client("cloudfront").create_distribution_with_tags(
        DistributionConfigWithTags={"DistributionConfig": config, "Tags": {"Items": [{"Key": "Name", "Value": NAME}]}}
    )
    return answer["Distribution"]["Id"]


def build_standby(services: dict[str, int], tagged: bool = True) -> Standby:
    """The scenario: ``services`` (name -> the primary's desired count) run in af-south-1 and exist at 0 in eu-west-1,
    where each carries the bbws:dr-desired-count tag when ``tagged``."""
    session = boto3.Session(profile_name=PROFILE)
    primary_rds = session.client("rds", region_name=PRIMARY)
    arn = primary_rds.create_db_instance(
        DBInstanceIdentifier=DB,
        Engine="mysql",
        DBInstanceClass="db.t4g.micro",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
    )["DBInstance"]["DBInstanceArn"]
    session.client("rds", region_name=DR).create_db_instance_read_replica(
        DBInstanceIdentifier=DB, SourceDBInstanceIdentifier=arn, DBInstanceClass="db.t4g.micro"
    )
    source, destination = (
        session.client("efs", region_name=region).create_file_system(CreationToken=f"{NAME}-efs", Encrypted=True)[
            "FileSystemId"
        ]
        for region in (PRIMARY, DR)
    )
    session.client("efs", region_name=PRIMARY).create_replication_configuration(
        SourceFileSystemId=source, Destinations=[{"Region": DR, "FileSystemId": destination}]
    )
    for region, at_zero in ((PRIMARY, False), (DR, True)):
        ecs = session.client("ecs", region_name=region)
        ecs.create_cluster(clusterName=CLUSTER)
        for name, count in services.items():
            tags = [{"key": "bbws:dr-desired-count", "value": str(count)}] if at_zero and tagged else []
            extra = {"tags": tags} if tags else {}
            ecs.create_service(
                cluster=CLUSTER, serviceName=name, desiredCount=0 if at_zero else count, launchType="FARGATE", **extra
            )
    distribution = build_distribution(session, build_alb(session, PRIMARY), build_alb(session, DR))
    return Standby(session=session, distribution_id=distribution, services=dict(services))
