"""The offline hashicorp/aws provider's own behaviour, through real Terraform on a small configuration.

Data sources answered from the run (account, zones, the adopted root zone from the emulator or a stand-in
id), plan-time values (unknown computed attributes, tags_all from default_tags), apply into the emulator in the
profile's account, and apply refused anywhere else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from stack_paths import REPO

TERRAFORM = Path(sys.executable).parent / "terraform"
OFFLINE_PROVIDER = REPO / "tools" / "offline_provider.py"

CONFIG = """
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "allowed_account_ids" {
  type    = list(string)
  default = null
}

variable "zone_name" {
  type    = string
  default = "example.com"
}

provider "aws" {
  region              = "af-south-1"
  allowed_account_ids = var.allowed_account_ids

  default_tags {
    tags = { Project = "bbws", Name = "default" }
  }
}

data "aws_caller_identity" "current" {}

data "aws_availability_zones" "available" {}

data "aws_route53_zone" "root" {
  name = var.zone_name
}

resource "aws_cloudwatch_log_group" "this" {
  name = "offline-provider-test"
  tags = { Name = "log-group" }
}

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}

output "zones" {
  value = data.aws_availability_zones.available.names
}

output "zone_id" {
  value = data.aws_route53_zone.root.zone_id
}
"""


@pytest.fixture(scope="module")
def cli_config() -> Path:
    result = subprocess.run(
        [sys.executable, str(OFFLINE_PROVIDER), "cli-config"], capture_output=True, text=True, timeout=120, check=True
    )
    return Path(result.stdout.strip())


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(CONFIG)
    return tmp_path


def terraform(workdir: Path, cli_config: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full_env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    full_env.update(env, TF_CLI_CONFIG_FILE=str(cli_config), TF_IN_AUTOMATION="1")
    return subprocess.run(
        [str(TERRAFORM), *args], cwd=workdir, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


def plan_json(workdir: Path, cli_config: Path, env: dict[str, str], *variables: str) -> dict[str, Any]:
    var_args = [f"-var={v}" for v in variables]
    result = terraform(workdir, cli_config, env, "plan", "-input=false", "-no-color", "-out=test.tfplan", *var_args)
    assert result.returncode == 0, result.stdout + result.stderr
    shown = terraform(workdir, cli_config, env, "show", "-json", "test.tfplan")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_plan_answers_from_the_run_and_fills_what_the_provider_computes(workdir: Path, cli_config: Path) -> None:
    document = plan_json(workdir, cli_config, {}, 'allowed_account_ids=["093646564004"]')
    outputs = {name: output["value"] for name, output in document["planned_values"]["outputs"].items()}
    assert outputs["account_id"] == "093646564004"
    assert outputs["zones"] == ["af-south-1a", "af-south-1b", "af-south-1c"]
    assert outputs["zone_id"].startswith("Z")
    again = plan_json(workdir, cli_config, {}, 'allowed_account_ids=["093646564004"]')
    assert again["planned_values"]["outputs"]["zone_id"]["value"] == outputs["zone_id"]  # deterministic stand-in

    (log_group,) = document["resource_changes"]
    after, unknown = log_group["change"]["after"], log_group["change"]["after_unknown"]
    assert after["tags_all"] == {"Project": "bbws", "Name": "log-group"}  # tags over default_tags
    assert unknown["arn"] is True and unknown["id"] is True  # computed: known after apply
    assert after["retention_in_days"] is None and "retention_in_days" not in unknown  # optional, unset: null


def test_account_comes_from_the_profile_without_allowed_account_ids(workdir: Path, cli_config: Path, aws: Any) -> None:
    env = {**aws.env(), "AWS_PROFILE": "Tebogo-sit"}
    boto3.Session(profile_name="Tebogo-sit").client("route53").create_hosted_zone(
        Name="example.com", CallerReference="offline-provider-test"
    )
    document = plan_json(workdir, cli_config, env)
    assert document["planned_values"]["outputs"]["account_id"]["value"] == "815856636111"


def test_root_zone_id_is_read_from_the_emulator(workdir: Path, cli_config: Path, aws: Any) -> None:
    env = {**aws.env(), "AWS_PROFILE": "Tebogo-prod"}
    session = boto3.Session(profile_name="Tebogo-prod")
    zone = session.client("route53").create_hosted_zone(Name="kimmyai.io", CallerReference="offline-provider-test")
    zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]

    document = plan_json(workdir, cli_config, env, "zone_name=kimmyai.io")
    assert document["planned_values"]["outputs"]["zone_id"]["value"] == zone_id

    missing = terraform(workdir, cli_config, env, "plan", "-input=false", "-no-color", "-var=zone_name=nowhere.example")
    assert missing.returncode == 1
    assert "no matching Route 53 Hosted Zone found" in missing.stdout + missing.stderr


@pytest.mark.parametrize("endpoint", [None, "https://logs.af-south-1.amazonaws.com"])
def test_apply_outside_the_emulator_is_refused_with_the_reason(
    workdir: Path, cli_config: Path, endpoint: str | None
) -> None:
    env = {"AWS_ENDPOINT_URL": endpoint} if endpoint else {}
    result = terraform(
        workdir, cli_config, env, "apply", "-auto-approve", "-input=false", "-no-color",
        '-var=allowed_account_ids=["093646564004"]', "-var=zone_name=nowhere.example",
        "-target=aws_cloudwatch_log_group.this",
    )  # fmt: skip
    assert result.returncode == 1
    output = " ".join((result.stdout + result.stderr).replace("│", " ").split())
    assert "The offline hashicorp/aws provider applies only into the local emulator" in output
    assert "Against AWS, run Terraform with the real hashicorp/aws provider" in output
    assert not (workdir / ".terraform.lock.hcl").exists()


def test_apply_creates_in_the_profiles_account_and_destroy_removes_it(
    workdir: Path, cli_config: Path, aws: Any
) -> None:
    env = {**aws.env(), "AWS_PROFILE": "Tebogo-prod"}
    args = (
        "-input=false",
        "-no-color",
        '-var=allowed_account_ids=["093646564004"]',
        "-target=aws_cloudwatch_log_group.this",
    )
    applied = terraform(workdir, cli_config, env, "apply", "-auto-approve", *args)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    logs = boto3.Session(profile_name="Tebogo-prod", region_name="af-south-1").client("logs")
    [group] = logs.describe_log_groups(logGroupNamePrefix="offline-provider-test")["logGroups"]
    assert group["arn"].split(":")[4] == "093646564004"
    assert logs.list_tags_log_group(logGroupName="offline-provider-test")["tags"] == {
        "Project": "bbws",
        "Name": "log-group",
    }
    # The sit account holds nothing of it.
    sit = boto3.Session(profile_name="Tebogo-sit", region_name="af-south-1").client("logs")
    assert sit.describe_log_groups(logGroupNamePrefix="offline-provider-test")["logGroups"] == []

    again = terraform(workdir, cli_config, env, "plan", "-detailed-exitcode", *args)
    assert again.returncode == 0, again.stdout + again.stderr

    destroyed = terraform(workdir, cli_config, env, "destroy", "-auto-approve", *args)
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr
    assert logs.describe_log_groups(logGroupNamePrefix="offline-provider-test")["logGroups"] == []


def test_apply_with_credentials_of_another_account_is_refused(workdir: Path, cli_config: Path, aws: Any) -> None:
    env = {**aws.env(), "AWS_PROFILE": "Tebogo-sit"}
    result = terraform(
        workdir, cli_config, env, "apply", "-auto-approve", "-input=false", "-no-color",
        '-var=allowed_account_ids=["093646564004"]', "-target=aws_cloudwatch_log_group.this",
    )  # fmt: skip
    assert result.returncode == 1
    assert "AWS account ID not allowed: 815856636111" in result.stdout + result.stderr
    sit = boto3.Session(profile_name="Tebogo-sit", region_name="af-south-1").client("logs")
    assert sit.describe_log_groups(logGroupNamePrefix="offline-provider-test")["logGroups"] == []


def test_credentials_of_another_account_are_refused(workdir: Path, cli_config: Path, aws: Any) -> None:
    env = {**aws.env(), "AWS_PROFILE": "Tebogo-sit"}
    result = terraform(
        workdir, cli_config, env, "plan", "-input=false", "-no-color", '-var=allowed_account_ids=["093646564004"]'
    )
    assert result.returncode == 1
    assert "AWS account ID not allowed: 815856636111" in result.stdout + result.stderr


def test_every_resource_type_of_the_stack_has_a_handler_and_the_docs_list_them_all() -> None:
    import re

    sys.path.insert(0, str(REPO / "tools"))
    import offline_aws

    offline_aws.load()
    used = set()
    for path in (REPO / "terraform").glob("*.tf"):
        used |= set(re.findall(r'^resource "(aws_[a-z0-9_]+)"', path.read_text(), flags=re.M))
    assert used and sorted(used - set(offline_aws.REGISTRY)) == []
    docs = (REPO / "docs" / "offline_provider.md").read_text()
    listed = docs[docs.index("<!-- resources:begin -->\n") + 25 : docs.index("<!-- resources:end -->")]
    assert listed == offline_aws.table(), "regenerate the table: python tools/offline_provider.py resources"
