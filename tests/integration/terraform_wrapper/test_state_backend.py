"""The backend phase of site.yml against the emulated accounts: the dev state bucket, read back with boto3.

The bucket name, accounts and profiles come from the inventory; every account is read back, so a bucket
made with the wrong profile (in sit or prod) fails the test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.exceptions import ClientError

from inventory import host_vars

REPO = Path(__file__).resolve().parents[3]
REGISTRY = yaml.safe_load((REPO / "inventories" / "common" / "group_vars" / "all" / "environments.yml").read_text())
DEV = yaml.safe_load((REPO / "inventories" / "dev" / "group_vars" / "bbws_dev" / "environment.yml").read_text())
BACKEND = ("site.yml", "-i", "inventories/dev", "--tags", "backend")


DEV_BUCKET = host_vars("dev")["bbws_state_bucket"]  # as Ansible renders the inventory
DEV_PROFILE = REGISTRY["bbws_environments"]["dev"]["profile"]


def s3(profile: str):
    return boto3.Session(profile_name=profile).client("s3", region_name=DEV["bbws_region"])


def buckets_by_profile() -> dict[str, list[str]]:
    return {
        env["profile"]: sorted(b["Name"] for b in s3(env["profile"]).list_buckets()["Buckets"])
        for env in REGISTRY["bbws_environments"].values()
    }


def recap(result) -> dict[str, int]:
    match = re.search(r"bbws-dev\s*:\s*(.*)", result.stdout)
    assert match, result.stdout + result.stderr
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def test_backend_phase_makes_the_dev_bucket_safe_and_is_idempotent(aws, playbook):
    first = playbook(*BACKEND)
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first)["changed"] == 1

    # Only the dev account holds a bucket, and it is the inventory's bbws_state_bucket.
    expected = {env["profile"]: [] for env in REGISTRY["bbws_environments"].values()}
    expected[DEV_PROFILE] = [DEV_BUCKET]
    assert buckets_by_profile() == expected
    assert DEV_BUCKET.endswith(str(REGISTRY["bbws_environments"]["dev"]["account_id"]))

    client = s3(DEV_PROFILE)
    assert client.get_bucket_location(Bucket=DEV_BUCKET)["LocationConstraint"] == DEV["bbws_region"]
    assert client.get_bucket_versioning(Bucket=DEV_BUCKET)["Status"] == "Enabled"
    rules = client.get_bucket_encryption(Bucket=DEV_BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules] in (["AES256"], ["aws:kms"])
    block = client.get_public_access_block(Bucket=DEV_BUCKET)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    policy = json.loads(client.get_bucket_policy(Bucket=DEV_BUCKET)["Policy"])
    deny_plain_http = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny"
        and s["Principal"] in ("*", {"AWS": "*"})
        and s["Action"] in ("s3:*", ["s3:*"])
        and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert len(deny_plain_http) == 1, policy
    assert set(deny_plain_http[0]["Resource"]) == {f"arn:aws:s3:::{DEV_BUCKET}", f"arn:aws:s3:::{DEV_BUCKET}/*"}

    second = playbook(*BACKEND)
    assert second.returncode == 0, second.stdout + second.stderr
    assert recap(second)["changed"] == 0, second.stdout
    assert buckets_by_profile() == expected


def test_backend_phase_in_check_mode_reports_and_creates_nothing(aws, playbook):
    empty = {env["profile"]: [] for env in REGISTRY["bbws_environments"].values()}
    result = playbook(*BACKEND, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    # The run would create the bucket: check mode says so, and leaves every account empty.
    assert recap(result)["changed"] == 1, result.stdout
    assert f"{DEV_BUCKET}: create the bucket" in result.stdout
    assert buckets_by_profile() == empty

    # A bucket made by hand without the safeguards: check mode names what it lacks and fixes nothing.
    client = s3(DEV_PROFILE)
    client.create_bucket(Bucket=DEV_BUCKET, CreateBucketConfiguration={"LocationConstraint": DEV["bbws_region"]})
    result = playbook(*BACKEND, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert recap(result)["changed"] == 1, result.stdout
    said = " ".join(result.stdout.split())  # the callback wraps long messages
    for missing in ("enable versioning", "block all public access", "set the TLS-only policy"):
        assert missing in said, said
    assert "Status" not in client.get_bucket_versioning(Bucket=DEV_BUCKET)
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        client.get_bucket_policy(Bucket=DEV_BUCKET)


PROD = host_vars("prod")
PROD_BACKEND = ("site.yml", "-i", "inventories/prod", "--tags", "backend")


def prod_recap(result) -> dict[str, int]:
    match = re.search(r"bbws-prod\s*:\s*(.*)", result.stdout)
    assert match, result.stdout + result.stderr
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def test_prod_replicates_its_state_bucket_to_the_dr_regions_bucket(aws, playbook):
    source, replica = PROD["bbws_state_bucket"], PROD["bbws_state_replica_bucket"]
    assert replica == f"{source}-{PROD['bbws_dr_region']}"
    account = boto3.Session(profile_name=PROD["bbws_aws_profile"])

    check = playbook(*PROD_BACKEND, "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    said = " ".join(check.stdout.split())
    assert f"{source}: create the bucket" in said and f"{replica}: create the bucket" in said, said
    assert f"{source} replication: create the replication role" in said, said
    assert f"set the replication to {replica}" in said, said
    assert account.client("s3", region_name=PROD["bbws_region"]).list_buckets()["Buckets"] == []
    assert account.client("iam").list_roles()["Roles"] == []

    first = playbook(*PROD_BACKEND)
    assert first.returncode == 0, first.stdout + first.stderr
    primary = account.client("s3", region_name=PROD["bbws_region"])
    standby = account.client("s3", region_name=PROD["bbws_dr_region"])
    assert standby.get_bucket_location(Bucket=replica)["LocationConstraint"] == PROD["bbws_dr_region"]
    assert standby.get_bucket_versioning(Bucket=replica)["Status"] == "Enabled"
    assert standby.get_bucket_ownership_controls(Bucket=replica)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}
    ]
    policy = json.loads(standby.get_bucket_policy(Bucket=replica)["Policy"])
    assert set(policy["Statement"][0]["Resource"]) == {f"arn:aws:s3:::{replica}", f"arn:aws:s3:::{replica}/*"}

    role_name = f"bbws-state-replication-{PROD['bbws_region']}"
    iam = account.client("iam")
    role = iam.get_role(RoleName=role_name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    granted = iam.get_role_policy(RoleName=role_name, PolicyName="state-replication")["PolicyDocument"]
    granted = json.loads(granted) if isinstance(granted, str) else granted
    by_resource = {s["Resource"]: set(s["Action"]) for s in granted["Statement"]}
    assert by_resource[f"arn:aws:s3:::{replica}/*"] == {"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"}
    assert all("s3:*" not in actions for actions in by_resource.values())

    rules = primary.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]
    assert rules["Role"] == role["Arn"]
    assert [
        (r["Status"], r["Priority"], r["DeleteMarkerReplication"]["Status"], r["Destination"]["Bucket"])
        for r in rules["Rules"]
    ] == [("Enabled", 1, "Enabled", f"arn:aws:s3:::{replica}")]

    second = playbook(*PROD_BACKEND)
    assert second.returncode == 0, second.stdout + second.stderr
    assert prod_recap(second)["changed"] == 0, second.stdout

    settled = playbook(*PROD_BACKEND, "--check")
    assert settled.returncode == 0, settled.stdout + settled.stderr
    assert prod_recap(settled)["changed"] == 0, settled.stdout
    said = " ".join(settled.stdout.split())
    assert f"{source}: as required" in said and f"{replica}: as required" in said, said
    assert f"{source} replication: as required" in said, said


def test_dev_has_no_dr_region_and_replicates_nothing(aws, playbook):
    assert host_vars("dev")["bbws_state_replica_bucket"] is None
    result = playbook(*BACKEND)
    assert result.returncode == 0, result.stdout + result.stderr
    account = boto3.Session(profile_name=DEV_PROFILE)
    assert account.client("iam").list_roles()["Roles"] == []
    with pytest.raises(ClientError, match="ReplicationConfigurationNotFoundError"):
        s3(DEV_PROFILE).get_bucket_replication(Bucket=DEV_BUCKET)
