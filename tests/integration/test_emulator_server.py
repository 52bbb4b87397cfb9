"""The emulator's server (tools/emulator_server.py): a build restored from a snapshot is the build, in every
account; an operation moto lacks is refused at once, not retried as a server error.

Real moto server over HTTP, real Terraform for the build and the plan that checks the restored state.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import boto3
import faults
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from emulated_stack import Stack
from emulator import restore_snapshot
from emulator import snapshot_origin
from emulator import take_snapshot


def _session(aws, account: str) -> boto3.Session:
    profile = next(p for p, a in aws.profiles().items() if a == account)
    return boto3.Session(profile_name=profile, region_name="af-south-1")


def test_a_snapshot_holds_every_account_and_the_origin_tracks_changes(aws):
    dev, prod = (_session(aws, faults.load_inventory(env)["bbws_account_id"]) for env in ("dev", "prod"))
    assert snapshot_origin(aws.endpoint).startswith("clean|")
    dev_vpc = dev.client("ec2").create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    # moto holds an asymmetric key's material as a cryptography object, which the snapshot must carry.
    key = prod.client("kms").create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    certificate = prod.client("acm", region_name="us-east-1").request_certificate(DomainName="x.example.com")
    assert snapshot_origin(aws.endpoint) == "", "a write must leave the known starting point"

    take_snapshot(aws.endpoint, "one", b"attached")
    assert snapshot_origin(aws.endpoint).startswith("one|")
    dev.client("ec2").describe_vpcs()
    prod.client("kms").list_keys()
    assert snapshot_origin(aws.endpoint).startswith("one|"), "reads change nothing"

    dev.client("ec2").create_vpc(CidrBlock="10.2.0.0/16")
    prod.client("kms").schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert restore_snapshot(aws.endpoint, "one") == b"attached"
    dev, prod = (_session(aws, faults.load_inventory(env)["bbws_account_id"]) for env in ("dev", "prod"))
    cidrs = {v["VpcId"]: v["CidrBlock"] for v in dev.client("ec2").describe_vpcs()["Vpcs"] if not v["IsDefault"]}
    assert cidrs == {dev_vpc: "10.1.0.0/16"}
    assert prod.client("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
    signed = prod.client("kms").sign(KeyId=key, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
    assert prod.client("kms").verify(KeyId=key, Message=b"m", Signature=signed, SigningAlgorithm="RSASSA_PSS_SHA_256")[
        "SignatureValid"
    ]
    acm = prod.client("acm", region_name="us-east-1")
    assert (
        acm.describe_certificate(CertificateArn=certificate["CertificateArn"])["Certificate"]["DomainName"]
        == "x.example.com"
    )
    assert dev.client("ec2").describe_vpcs(VpcIds=[dev_vpc])["Vpcs"], "the dev account is still dev's"

    assert restore_snapshot(aws.endpoint, "no-such-snapshot") is None
    aws.reset()
    assert snapshot_origin(aws.endpoint).startswith("clean|")


def test_a_restored_build_is_what_terraform_applied(aws, tmp_path):
    first = faults.build_cluster("dev", artifacts_dir=tmp_path / "first")
    faults.inject("dev", "rds_open_to_internet", cluster=first)
    aws.reset()
    again = faults.build_cluster("dev", artifacts_dir=tmp_path / "again")
    assert again == first, "the same ids: the build was restored, not applied anew"
    assert (tmp_path / "again" / "local-emulator" / "dev" / "terraform.tfstate").read_bytes() == (
        tmp_path / "first" / "local-emulator" / "dev" / "terraform.tfstate"
    ).read_bytes()
    with tempfile.TemporaryDirectory() as workdir:
        state = tmp_path / "again" / "local-emulator" / "dev" / "terraform.tfstate"
        stack = Stack("dev", Path(workdir), custom_domain=True, state_path=state)
        result = stack.plan()
    assert result.returncode == 0, "Terraform finds the restored cluster exactly as its state says:\n" + result.stdout


def test_an_operation_the_emulator_lacks_is_refused_at_once_not_retried(aws):
    # The offline provider's clients retry transient failures as the real provider does (25 attempts).
    efs = _session(aws, faults.load_inventory("dev")["bbws_account_id"]).client(
        "efs", config=Config(retries={"max_attempts": 25, "mode": "standard"})
    )
    file_system = efs.create_file_system(CreationToken="bbws-dev-efs")["FileSystemId"]
    with pytest.raises(ClientError) as raised:
        efs.delete_file_system_policy(FileSystemId=file_system)  # moto has no DeleteFileSystemPolicy
    answer = raised.value.response
    assert answer["Error"]["Code"] == "NotImplemented" and "delete_file_system_policy" in answer["Error"]["Message"]
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert answer["ResponseMetadata"]["RetryAttempts"] == 0


def _origin(origin_id: str) -> dict:
    return {
        "Id": origin_id,
        "DomainName": f"{origin_id}.example.com",
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
    }


def test_a_default_behaviour_may_target_an_origin_group_as_cloudfront_allows(aws):
    """A DR primary's distribution sends its default behaviour to the origin group; moto alone refuses that."""
    cloudfront = _session(aws, faults.load_inventory("prod")["bbws_account_id"]).client("cloudfront")
    members = {"Quantity": 2, "Items": [{"OriginId": "primary"}, {"OriginId": "standby"}]}
    group = {
        "Id": "failover",
        "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [502, 503]}},
        "Members": members,
    }
    config = {
        "CallerReference": "origin-group",
        "Comment": "origin-group",
        "Enabled": True,
        "Origins": {"Quantity": 2, "Items": [_origin("primary"), _origin("standby")]},
        "OriginGroups": {"Quantity": 1, "Items": [group]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "failover",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        },
    }
    created = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
    kept = cloudfront.get_distribution_config(Id=created["Id"])["DistributionConfig"]
    assert kept["DefaultCacheBehavior"]["TargetOriginId"] == "failover"
    [group_kept] = kept["OriginGroups"]["Items"]
    assert [m["OriginId"] for m in group_kept["Members"]["Items"]] == ["primary", "standby"]
    # A target that is neither an origin nor a group is still refused, as CloudFront refuses it.
    config = {**config, "CallerReference": "no-such-target"}
    config["DefaultCacheBehavior"] = {**config["DefaultCacheBehavior"], "TargetOriginId": "nowhere"}
    with pytest.raises(ClientError, match="NoSuchOrigin"):
        cloudfront.create_distribution(DistributionConfig=config)
