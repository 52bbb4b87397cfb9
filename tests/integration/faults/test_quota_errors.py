"""A quota error names the quota, its value and the usage we can see, read from the emulator's accounts."""

from __future__ import annotations

import os
import stat

import boto3
import pytest

import faults
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import AWSClients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.quota_errors import explain_limit
from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_plan

pytestmark = pytest.mark.emulator

REGION = "af-south-1"
VPC_LIMIT = (
    "Error: creating EC2 VPC: operation error EC2: CreateVpc, VpcLimitExceeded: The maximum number of VPCs has been"
    " reached."
)


def clients(profile: str = "Tebogo-dev"):
    """The collection's client factory, as the terraform modules give it to explain_limit."""
    return AWSClients(REGION, None, {"profile_name": profile}).client


def test_vpc_limit_names_the_quota_its_service_quotas_value_and_the_vpcs_in_use(aws):
    ec2 = boto3.Session(profile_name="Tebogo-dev", region_name=REGION).client("ec2")
    for number in range(3):
        ec2.create_vpc(CidrBlock=f"10.{50 + number}.0.0/16")
    in_use = len(ec2.describe_vpcs()["Vpcs"])
    text = explain_limit("VpcLimitExceeded", clients(), REGION)
    assert text.startswith(
        f"The quota is VPCs per Region: 5 (Service Quotas vpc L-F678F1CE); in use: {in_use} VPCs in {REGION}."
    )
    assert (
        "aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE "
        f"--desired-value <new value> --region {REGION}"
        in text
    )


def test_a_quota_without_a_service_quotas_value_uses_the_aws_default_named_as_such(aws):
    cluster = faults.build_cluster("dev")
    text = explain_limit("TooManyLoadBalancers", clients(), REGION)
    assert (
        text
        == "The quota is Application Load Balancers per Region: 50 (AWS default); in use: 1 load balancers in "
        f"{REGION}."
    )
    zones = explain_limit("TooManyHostedZones", clients(), REGION)
    # Route 53 is global: its quota is read in us-east-1 and the usage is the account's.
    assert zones.startswith("The quota is Hosted zones: 500 ") and "in use: 1 hosted zones in the account." in zones
    assert cluster.zone_id
    assert explain_limit("SomethingElse", clients(), REGION) == ""


def test_terraform_quota_error_in_the_module_says_usage_and_limit(aws, module_runner, tmp_path):
    """AWS's answer comes through Terraform's error text; no real Terraform here can reach AWS, so a stand-in binary
    prints the error Terraform prints for CreateVpc over a used-up quota (and exits 1, as Terraform does)."""
    fake = tmp_path / "terraform"
    fake.write_text(f"#!/bin/sh\necho '{VPC_LIMIT}' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    stack = tmp_path / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text("")
    in_use = len(boto3.Session(profile_name="Tebogo-dev", region_name=REGION).client("ec2").describe_vpcs()["Vpcs"])
    result = module_runner(
        terraform_plan,
        {
            "project_path": str(stack),
            "plan_file": str(tmp_path / "p.tfplan"),
            "binary_path": str(fake),
            "profile": "Tebogo-dev",
            "region": REGION,
        },
    )
    assert result.failed
    assert "an AWS service limit was reached" in result["msg"] and "VpcLimitExceeded" in result["msg"]
    assert (
        f"The quota is VPCs per Region: 5 (Service Quotas vpc L-F678F1CE); in use: {in_use} VPCs in {REGION}."
        in result["msg"]
    )
    assert result["quota"] in result["msg"] and result["limit_code"] == "VpcLimitExceeded"
    assert os.environ.get("AWS_ENDPOINT_URL")  # the reads went to the emulator
