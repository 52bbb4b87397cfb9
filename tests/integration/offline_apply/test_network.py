"""The network as Terraform applies it into the emulator: created in the environment's own account, read back,
drift found, repaired by a targeted apply, and a second plan with nothing to do."""

from __future__ import annotations

from offline_support import session
from emulated_stack import Stack

RDS_RULE = "aws_vpc_security_group_ingress_rule.rds_from_ecs"


def test_the_vpc_and_groups_are_in_the_environments_account(applied: Stack) -> None:
    ec2 = session(applied).client("ec2")
    vpcs = [v for v in ec2.describe_vpcs()["Vpcs"] if v["CidrBlock"] == applied.facts["bbws_vpc_cidr"]]
    assert len(vpcs) == 1
    tags = {t["Key"]: t["Value"] for t in vpcs[0]["Tags"]}
    assert tags["Environment"] == "dev" and tags["Name"] == "bbws-dev-vpc"
    groups = {g["GroupName"]: g for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert {"bbws-dev-alb", "bbws-dev-ecs", "bbws-dev-rds", "bbws-dev-efs"} <= set(groups)
    # The allow-all egress AWS gives a new group is gone; the RDS group only admits the ECS group on 3306.
    assert groups["bbws-dev-rds"]["IpPermissionsEgress"] == []
    [rule] = groups["bbws-dev-rds"]["IpPermissions"]
    assert (rule["FromPort"], rule["UserIdGroupPairs"][0]["GroupId"]) == (3306, groups["bbws-dev-ecs"]["GroupId"])


def test_a_second_plan_has_nothing_to_do(applied: Stack) -> None:
    assert applied.plan().returncode == 0


def test_a_rule_removed_behind_terraforms_back_is_drift_and_a_targeted_apply_restores_it(applied: Stack) -> None:
    ec2 = session(applied).client("ec2")
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["bbws-dev-rds"]}])
    group = group["SecurityGroups"][0]
    ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])

    drift = applied.plan(f"-target={RDS_RULE}")
    assert drift.returncode == 2
    assert f"{RDS_RULE} will be created" in drift.stdout

    applied.apply(f"-target={RDS_RULE}")
    group = ec2.describe_security_groups(GroupIds=[group["GroupId"]])["SecurityGroups"][0]
    assert [p["FromPort"] for p in group["IpPermissions"]] == [3306]
    assert applied.plan(f"-target={RDS_RULE}").returncode == 0
