"""The read/write classifier the check-mode test relies on: a write it misses would hide a non-dry run."""

from __future__ import annotations

import base64
import uuid

import boto3
import pytest

from safety_support import Request
from safety_support import classify
from safety_support import recording

E = "http://127.0.0.1:5000"


def query(action: str) -> dict:
    body = base64.b64encode(f"Action={action}&Version=2016-11-15".encode()).decode()
    return {"method": "POST", "url": f"{E}/", "body": body, "body_encoded": True, "headers": {}}


def target(action: str) -> dict:
    return {
        "method": "POST",
        "url": f"{E}/",
        "body": "e30=",
        "body_encoded": True,
        "headers": {"X-Amz-Target": f"secretsmanager.{action}"},
    }


def rest(method: str, path: str) -> dict:
    return {"method": method, "url": f"{E}{path}", "body": "", "body_encoded": False, "headers": {}}


@pytest.mark.parametrize(
    ("record", "action", "write"),
    [
        (query("DescribeVpcs"), "DescribeVpcs", False),
        (query("AssumeRole"), "AssumeRole", False),
        (query("GetCallerIdentity"), "GetCallerIdentity", False),
        (query("CreateVpc"), "CreateVpc", True),
        (query("AuthorizeSecurityGroupIngress"), "AuthorizeSecurityGroupIngress", True),
        (target("GetSecretValue"), "GetSecretValue", False),
        (target("PutSecretValue"), "PutSecretValue", True),
        (target("ListSecrets"), "ListSecrets", False),
        (rest("GET", "/2013-04-01/hostedzone/Z1/rrset"), "GET /2013-04-01/hostedzone/Z1/rrset", False),
        (rest("HEAD", "/bucket"), "HEAD /bucket", False),
        (rest("POST", "/2013-04-01/hostedzone/Z1/rrset/"), "POST /2013-04-01/hostedzone/Z1/rrset/", True),
        (rest("PUT", "/bucket"), "PUT /bucket", True),
        (rest("DELETE", "/2020-05-31/distribution/E1"), "DELETE /2020-05-31/distribution/E1", True),
        ({**rest("GET", "/?Action=DescribeRegions"), "method": "GET"}, "DescribeRegions", False),
    ],
)
def test_classify_names_the_action_and_whether_it_writes(record, action, write):
    assert classify(record) == Request(action, write)


@pytest.mark.emulator
def test_recorded_writes_of_each_protocol_are_seen(aws):
    """A real recording: one write per protocol (query, JSON, REST) is classified as a write, the reads as reads."""
    session = boto3.Session(profile_name="Tebogo-dev")
    with recording(aws) as seen:
        session.client("ec2").describe_vpcs()
        session.client("ec2").create_vpc(CidrBlock="10.99.0.0/16")
        session.client("secretsmanager").create_secret(Name=f"probe-{uuid.uuid4().hex[:6]}", SecretString="x")
        session.client("s3").create_bucket(
            Bucket=f"probe-{uuid.uuid4().hex[:8]}", CreateBucketConfiguration={"LocationConstraint": "af-south-1"}
        )
        session.client("route53").list_hosted_zones()
    assert seen.writes[:2] == ["CreateVpc", "CreateSecret"] and seen.writes[2].startswith("PUT /")
    assert len(seen.writes) == 3 and seen.reads >= 3  # AssumeRole, DescribeVpcs, ListHostedZones
