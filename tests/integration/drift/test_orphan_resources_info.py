"""orphan_resources_info against the emulator: tagged resources the state in the S3 backend does not manage."""

from __future__ import annotations

import json

import boto3
import pytest

from ansible_collections.bbws.ecs_cluster.plugins.modules import orphan_resources_info

pytestmark = pytest.mark.emulator

DEV = {"account": "536580886816", "profile": "Tebogo-dev", "region": "af-south-1"}
BUCKET = f"bbws-terraform-state-{DEV['account']}"
KEY = "ecs-cluster/dev/terraform.tfstate"
TAGS = [{"Key": "Project", "Value": "bbws"}, {"Key": "Environment", "Value": "dev"}]


def session() -> boto3.Session:
    return boto3.Session(profile_name=DEV["profile"], region_name=DEV["region"])


def tagged_group(ec2, vpc_id: str, name: str, tags: list[dict]) -> str:
    spec = [{"ResourceType": "security-group", "Tags": [*tags, {"Key": "Name", "Value": name}]}]
    return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id, TagSpecifications=spec)["GroupId"]


def write_state(s3, managed_group: str) -> None:
    """A state as the S3 backend holds it, managing one security group (its id and ARN)."""
    arn = f"arn:aws:ec2:{DEV['region']}:{DEV['account']}:security-group/{managed_group}"
    state = {
        "version": 4,
        "terraform_version": "1.15.5",
        "serial": 7,
        "lineage": "3c1c7a52-0000-4000-8000-000000000001",
        "outputs": {},
        "check_results": None,
        "resources": [
            {
                "mode": "managed",
                "type": "aws_security_group",
                "name": "alb",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [
                    {"schema_version": 1, "attributes": {"id": managed_group, "arn": arn, "name": "bbws-dev-alb"}}
                ],
            }
        ],
    }
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=json.dumps(state).encode())


@pytest.fixture
def dev_account(aws):
    s = session()
    s3, ec2 = s.client("s3"), s.client("ec2")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": DEV["region"]})
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    groups = {
        "managed": tagged_group(ec2, vpc_id, "bbws-dev-alb", TAGS),
        "orphan": tagged_group(ec2, vpc_id, "legacy-admin", TAGS),
        "other_env": tagged_group(ec2, vpc_id, "bbws-sit-thing", [TAGS[0], {"Key": "Environment", "Value": "sit"}]),
        "untagged": ec2.create_security_group(GroupName="untagged", Description="x", VpcId=vpc_id)["GroupId"],
    }
    write_state(s3, groups["managed"])
    s.client("logs").create_log_group(
        logGroupName="/bbws/dev/old-tenant", tags={"Project": "bbws", "Environment": "dev"}
    )
    topic = s.client("sns", region_name="us-east-1").create_topic(Name="bbws-dev-alerts-old", Tags=TAGS)["TopicArn"]
    return {"groups": groups, "topic": topic}


def args(**extra) -> dict:
    return {
        "profile": DEV["profile"],
        "region": DEV["region"],
        "project": "bbws",
        "environment": "dev",
        "expected_account_id": DEV["account"],
        "state_bucket": BUCKET,
        "state_key": KEY,
        **extra,
    }


def test_tagged_group_absent_from_state_is_an_orphan_with_its_import_block(dev_account, module_runner):
    result = module_runner(orphan_resources_info, args())
    assert not result.failed, result
    assert result["changed"] is False and result["account_id"] == DEV["account"]
    assert result["regions"] == [DEV["region"], "us-east-1"]
    by_id = {o["id"]: o for o in result["orphans"]}
    groups = dev_account["groups"]
    # The group the state manages is not an orphan; other environments' and untagged groups are not listed at all.
    assert groups["managed"] not in by_id and groups["other_env"] not in by_id and groups["untagged"] not in by_id
    orphan = by_id[groups["orphan"]]
    assert orphan["type"] == "ec2:security-group" and orphan["region"] == DEV["region"]
    assert orphan["arn"] == f"arn:aws:ec2:{DEV['region']}:{DEV['account']}:security-group/{groups['orphan']}"
    assert orphan["tags"] == {"Project": "bbws", "Environment": "dev", "Name": "legacy-admin"}
    assert orphan["import"] == {
        "to": "aws_security_group.legacy_admin",
        "id": groups["orphan"],
        "provider": None,
        "block": f'import {{\n  to = aws_security_group.legacy_admin\n  id = "{groups["orphan"]}"\n}}',
    }
    assert (
        orphan["delete_command"]
        == f"aws ec2 delete-security-group --group-id {groups['orphan']} --region {DEV['region']} --profile"
        f" {DEV['profile']}"
    )
    assert orphan["created"] is None and orphan["age_days"] is None  # EC2 gives no creation time for a group
    assert result["managed"] >= 1 and result["tagged"] == result["managed"] + len(result["orphans"])
    assert result["state"]["serial"] == 7 and result["state"]["key"] == KEY


def test_other_types_and_regions_get_their_own_import_form_and_age(dev_account, module_runner):
    s = session()
    vpc_id = s.client("ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.20.0.0/16"]}])["Vpcs"][0]["VpcId"]
    target_group = s.client("elbv2").create_target_group(
        Name="bbws-dev-old-tenant", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip", Tags=TAGS
    )["TargetGroups"][0]["TargetGroupArn"]
    efs = s.client("efs")
    file_system = efs.create_file_system(CreationToken="bbws-dev-old", Tags=TAGS)["FileSystemId"]
    access_point = efs.create_access_point(FileSystemId=file_system, Tags=TAGS)["AccessPointId"]

    result = module_runner(orphan_resources_info, args())
    assert not result.failed, result
    by_type = {o["type"]: o for o in result["orphans"]}
    log_group = by_type["logs:log-group"]
    assert log_group["id"] == log_group["import"]["id"] == "/bbws/dev/old-tenant"
    assert log_group["import"]["to"] == "aws_cloudwatch_log_group.old_tenant"
    assert log_group["delete_command"].startswith("aws logs delete-log-group --log-group-name /bbws/dev/old-tenant ")
    # A target group is imported by its ARN, and named after its name.
    tg = by_type["elasticloadbalancing:targetgroup"]
    assert tg["import"]["id"] == target_group and tg["import"]["to"] == "aws_lb_target_group.bbws_dev_old_tenant"
    assert tg["delete_command"].startswith(f"aws elbv2 delete-target-group --target-group-arn {target_group} ")
    ap = by_type["elasticfilesystem:access-point"]
    assert ap["id"] == ap["import"]["id"] == access_point and ap["import"]["to"].startswith("aws_efs_access_point.")
    assert ap["delete_command"].startswith(f"aws efs delete-access-point --access-point-id {access_point} ")
    fs = by_type["elasticfilesystem:file-system"]
    assert fs["created"] and fs["delete_command"].endswith("# delete its mount targets first")
    assert log_group["created"] and log_group["age_days"] == 0  # the service gives a creation time
    topic = by_type["sns"]
    assert topic["region"] == "us-east-1" and topic["import"]["id"] == dev_account["topic"]
    # The stack manages us-east-1 through its aliased provider: the import block says so.
    assert topic["import"]["provider"] == "aws.us_east_1" and "provider = aws.us_east_1" in topic["import"]["block"]
    assert topic["delete_command"].startswith(
        f"aws sns delete-topic --topic-arn {dev_account['topic']} --region us-east-1"
    )


def test_nothing_is_deleted_in_check_mode_or_otherwise(dev_account, module_runner):
    before = session().client("ec2").describe_security_groups()["SecurityGroups"]
    result = module_runner(orphan_resources_info, args(_ansible_check_mode=True))
    assert not result.failed and result["orphans"]
    assert session().client("ec2").describe_security_groups()["SecurityGroups"] == before


def test_missing_state_fails_instead_of_calling_everything_an_orphan(dev_account, module_runner):
    result = module_runner(orphan_resources_info, args(state_key="ecs-cluster/dev/wrong.tfstate"))
    assert result.failed and "No Terraform state at s3://" in result["msg"] and "none is listed" in result["msg"]
    assert "orphans" not in result


def test_credentials_of_another_account_read_nothing(dev_account, module_runner):
    result = module_runner(orphan_resources_info, args(expected_account_id="815856636111"))
    assert result.failed and "Account ID mismatch: expected 815856636111" in result["msg"]
    assert "orphans" not in result
