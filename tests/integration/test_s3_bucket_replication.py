"""s3_bucket_replication against the emulated prod account: the state bucket replicated to the DR region's bucket."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from ansible_collections.bbws.ecs_cluster.plugins.modules import s3_bucket_replication

pytestmark = pytest.mark.emulator

PROFILE = "Tebogo-prod"
PRIMARY, STANDBY = "af-south-1", "eu-west-1"
SOURCE = "bbws-terraform-state-093646564004"
REPLICA = f"{SOURCE}-{STANDBY}"
ROLE_ARN = "arn:aws:iam::093646564004:role/bbws-state-replication-af-south-1"
ARGS = {
    "profile": PROFILE,
    "region": PRIMARY,
    "bucket": SOURCE,
    "destination_bucket": REPLICA,
    "role_arn": ROLE_ARN,
}
WANTED_RULE = {
    "ID": "replicate-all-objects",
    "Priority": 1,
    "Filter": {"Prefix": ""},
    "Status": "Enabled",
    "DeleteMarkerReplication": {"Status": "Enabled"},
    "Destination": {"Bucket": f"arn:aws:s3:::{REPLICA}"},
}


def s3(region: str = PRIMARY):
    return boto3.Session(profile_name=PROFILE, region_name=region).client("s3")


def versioned_bucket(name: str, region: str) -> None:
    client = s3(region)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def replication() -> dict | None:
    try:
        return s3().get_bucket_replication(Bucket=SOURCE)["ReplicationConfiguration"]
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError"
        return None


@pytest.fixture
def buckets(aws) -> None:
    versioned_bucket(SOURCE, PRIMARY)
    versioned_bucket(REPLICA, STANDBY)


def test_replication_is_set_once_and_a_second_run_changes_nothing(buckets, module_runner) -> None:
    first = module_runner(s3_bucket_replication, ARGS)
    assert not first.failed, first
    assert first["changed"] is True
    assert first["diff"]["before"] is None
    assert first["replication_configuration"] == {"Role": ROLE_ARN, "Rules": [WANTED_RULE]}
    assert first["api_calls"]["s3.PutBucketReplication"] == 1
    stored = replication()
    assert stored["Role"] == ROLE_ARN and len(stored["Rules"]) == 1
    rule = stored["Rules"][0]
    assert rule["Status"] == "Enabled" and rule["Priority"] == 1
    assert rule["DeleteMarkerReplication"] == {"Status": "Enabled"}
    assert rule["Destination"]["Bucket"] == f"arn:aws:s3:::{REPLICA}"
    assert rule.get("Filter", {}).get("Prefix", "") == ""

    second = module_runner(s3_bucket_replication, ARGS)
    assert not second.failed, second
    assert second["changed"] is False
    assert second["diff"]["before"] == second["diff"]["after"]
    assert "s3.PutBucketReplication" not in second["api_calls"]


def test_a_changed_setting_is_written_back(buckets, module_runner) -> None:
    assert module_runner(s3_bucket_replication, ARGS)["changed"]
    other_role = ROLE_ARN.replace("af-south-1", "other")
    result = module_runner(s3_bucket_replication, {**ARGS, "role_arn": other_role})
    assert not result.failed and result["changed"] is True
    assert result["diff"]["before"]["Role"] == ROLE_ARN and result["diff"]["after"]["Role"] == other_role
    assert replication()["Role"] == other_role


def test_check_mode_reports_the_change_and_writes_nothing(buckets, module_runner) -> None:
    result = module_runner(s3_bucket_replication, {**ARGS, "_ansible_check_mode": True})
    assert not result.failed, result
    assert result["changed"] is True
    assert result["diff"] == {"before": None, "after": {"Role": ROLE_ARN, "Rules": [WANTED_RULE]}}
    assert "s3.PutBucketReplication" not in result["api_calls"]
    assert replication() is None


def test_check_mode_before_the_buckets_exist_warns_and_creates_nothing(aws, module_runner) -> None:
    result = module_runner(s3_bucket_replication, {**ARGS, "_ansible_check_mode": True})
    assert not result.failed, result
    assert result["changed"] is True
    warned = str(result.get("warnings", []))  # plain strings or, in newer ansible-core, dicts with the message
    assert f"Source bucket {SOURCE} does not exist yet" in warned
    assert f"Destination bucket {REPLICA} does not exist" in warned
    assert s3().list_buckets()["Buckets"] == []


def test_absent_removes_the_replication(buckets, module_runner) -> None:
    module_runner(s3_bucket_replication, ARGS)
    gone = module_runner(
        s3_bucket_replication, {"profile": PROFILE, "region": PRIMARY, "bucket": SOURCE, "state": "absent"}
    )
    assert not gone.failed and gone["changed"] is True
    assert replication() is None
    again = module_runner(
        s3_bucket_replication, {"profile": PROFILE, "region": PRIMARY, "bucket": SOURCE, "state": "absent"}
    )
    assert not again.failed and again["changed"] is False


def test_an_omitted_destination_is_refused_by_the_argument_spec(aws, module_runner) -> None:
    args = {key: value for key, value in ARGS.items() if key != "destination_bucket"}
    result = module_runner(s3_bucket_replication, args)
    assert (
        result.failed and "state is present but all of the following are missing: destination_bucket" in result["msg"]
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"destination_bucket": None}, "state=present needs destination_bucket"),
        ({"destination_bucket": ""}, "state=present needs destination_bucket"),
        ({"role_arn": None}, "state=present needs role_arn"),
        ({"destination_bucket": None, "role_arn": " "}, "state=present needs destination_bucket"),
        ({"role_arn": "bbws-state-replication"}, "role_arn must be an IAM role ARN"),
        ({"storage_class": "COLD"}, "value of storage_class must be one of"),
    ],
)
def test_bad_input_is_refused_before_any_call(aws, module_runner, change: dict, message: str) -> None:
    result = module_runner(s3_bucket_replication, {**ARGS, **change})
    assert result.failed and message in result["msg"], result
    assert result.get("api_calls", {}) == {}


def test_a_missing_destination_bucket_is_refused_naming_it(aws, module_runner) -> None:
    versioned_bucket(SOURCE, PRIMARY)
    result = module_runner(s3_bucket_replication, ARGS)
    assert result.failed
    assert f"Destination bucket {REPLICA} does not exist" in result["msg"] and "Nothing was changed" in result["msg"]
    assert replication() is None


def test_a_missing_source_bucket_is_refused_naming_it(aws, module_runner) -> None:
    versioned_bucket(REPLICA, STANDBY)
    result = module_runner(s3_bucket_replication, ARGS)
    assert result.failed
    assert f"Source bucket {SOURCE} does not exist" in result["msg"]
