"""dr_peer_info against the emulated prod account: what a disaster-recovery stack's plan needs of the other region."""

from __future__ import annotations

import boto3
import pytest

from ansible_collections.bbws.ecs_cluster.plugins.modules import dr_peer_info

pytestmark = pytest.mark.emulator

PROFILE = "Tebogo-prod"
PRIMARY, STANDBY = "af-south-1", "eu-west-1"
STANDBY_ARGS = {
    "profile": PROFILE,
    "region": STANDBY,
    "dr_role": "standby",
    "peer_region": PRIMARY,
    "project": "bbws",
    "environment": "prod",
}


def build_primary(database: bool = True, file_system: bool = True) -> dict[str, str]:
    """The primary's database (its password managed by RDS in Secrets Manager) and file system, named as terraform/."""
    session = boto3.Session(profile_name=PROFILE, region_name=PRIMARY)
    built = {}
    if database:
        db = session.client("rds").create_db_instance(
            DBInstanceIdentifier="bbws-prod-mysql",
            DBInstanceClass="db.r5.large",
            Engine="mysql",
            EngineVersion="8.4.3",
            AllocatedStorage=100,
            MasterUsername="admin",
            ManageMasterUserPassword=True,
        )["DBInstance"]
        built["db_arn"] = db["DBInstanceArn"]
        built["secret_arn"] = (db.get("MasterUserSecret") or {}).get("SecretArn", "")
    if file_system:
        built["efs_id"] = session.client("efs").create_file_system(CreationToken="bbws-prod-efs", Encrypted=True)[
            "FileSystemId"
        ]
    return built


def test_a_standby_reads_the_primarys_database_secret_and_file_system(aws, module_runner) -> None:
    built = build_primary()
    result = module_runner(dr_peer_info, STANDBY_ARGS)
    assert not result.failed, result
    assert result["changed"] is False
    assert result["source_db_arn"] == built["db_arn"]
    assert (
        result["source_db_secret_arn"] == built["secret_arn"] and ":secretsmanager:af-south-1:" in built["secret_arn"]
    )
    assert result["source_efs_id"] == built["efs_id"]
    assert result["missing"] == []
    assert result["api_calls"] == {"rds.DescribeDBInstances": 1, "efs.DescribeFileSystems": 1}


@pytest.mark.parametrize(
    ("database", "file_system", "named"),
    [
        (False, True, "database bbws-prod-mysql in af-south-1"),
        (True, False, "file system (creation token bbws-prod-efs)"),
    ],
)
def test_a_standby_whose_primary_is_not_built_is_refused_saying_what_to_apply_first(
    aws, module_runner, database: bool, file_system: bool, named: str
) -> None:
    build_primary(database=database, file_system=file_system)
    result = module_runner(dr_peer_info, STANDBY_ARGS)
    assert result.failed
    assert "The prod standby cannot be planned yet" in result["msg"]
    assert named in result["msg"] and "apply the primary stack first" in result["msg"]
    # The same reading without failing lists the same gap.
    kept = module_runner(dr_peer_info, {**STANDBY_ARGS, "fail_on_missing": False})
    assert not kept.failed and len(kept["missing"]) == 1 and named in kept["missing"][0]


def test_a_primary_reads_the_standby_alb_once_it_exists(aws, module_runner) -> None:
    args = {**STANDBY_ARGS, "region": PRIMARY, "dr_role": "primary", "peer_region": STANDBY}
    before = module_runner(dr_peer_info, args)
    assert not before.failed, before
    assert before["standby_alb_dns_name"] is None and before["missing"] == []
    session = boto3.Session(profile_name=PROFILE, region_name=STANDBY)
    ec2 = session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{n}.0/24", AvailabilityZone=f"{STANDBY}{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate("ab")
    ]
    alb = session.client("elbv2").create_load_balancer(Name="bbws-prod-alb", Subnets=subnets)["LoadBalancers"][0]
    after = module_runner(dr_peer_info, args)
    assert after["standby_alb_dns_name"] == alb["DNSName"]


def test_a_stack_without_disaster_recovery_reads_nothing(aws, module_runner) -> None:
    result = module_runner(dr_peer_info, {**STANDBY_ARGS, "dr_role": "none", "peer_region": None})
    assert not result.failed, result
    assert result["api_calls"] == {} and result["source_db_arn"] is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dr_role": "replica"}, "value of dr_role must be one of: none, primary, standby"),
        ({"peer_region": None}, "dr_role standby needs peer_region"),
        ({"dr_role": "primary", "peer_region": ""}, "dr_role primary needs peer_region"),
    ],
)
def test_bad_input_is_refused_before_any_call(aws, module_runner, change: dict, message: str) -> None:
    result = module_runner(dr_peer_info, {**STANDBY_ARGS, **change})
    assert result.failed and message in result["msg"]
    assert result.get("api_calls", {}) == {}
