"""Prod consent covers every class that holds data or serves tenants.

Real Terraform plans, through the offline hashicorp/aws provider, the deletion of one resource of each protected
class (a state that holds them, a configuration that no longer declares them); the terraform_stack role, run on the
prod inventory as the site runs it, must refuse that plan at its gate without bbws_allow_protected_changes and name
every one of them. dev plans the same deletions without that refusal (protection is prod's).
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import REPO
from tf_paths import TERRAFORM

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
PLAYBOOK = "tests/integration/terraform_wrapper/stack.yml"
PROTECTED = yaml.safe_load((REPO / "roles" / "terraform_stack" / "defaults" / "main.yml").read_text())[
    "terraform_stack_protected_resource_types"
]
# What must be protected in prod, whatever else is: the classes that hold data or serve tenants.
MUST = {
    "aws_db_instance",
    "aws_db_parameter_group",
    "aws_db_subnet_group",
    "aws_efs_file_system",
    "aws_efs_mount_target",
    "aws_kms_key",
    "aws_kms_alias",
    "aws_lb",
    "aws_lb_listener",
    "aws_lb_target_group",
    "aws_acm_certificate",
    "aws_acm_certificate_validation",
    "aws_route53_zone",
    "aws_route53_record",
    "aws_cloudfront_distribution",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_nat_gateway",
    "aws_eip",
}
CONFIG = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "6.25.0" }
  }
}
provider "aws" {
  region = "af-south-1"
}
"""


def test_the_protected_list_names_every_class_that_holds_data_or_serves_tenants():
    assert MUST <= set(PROTECTED), sorted(MUST - set(PROTECTED))


@pytest.fixture
def offline_cli_config(tmp_path) -> str:
    """The offline provider as a filesystem mirror: init must install it for a state that already holds resources
    (development overrides are not consulted for providers found in the state)."""
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "offline_provider.py"), "cli-config"],
        capture_output=True,
        text=True,
        check=True,
    )
    launcher = Path(done.stdout.strip()).parent / "bin" / "terraform-provider-aws"
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    target = tmp_path / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / "6.25.0" / f"linux_{arch}"
    target.mkdir(parents=True)
    shutil.copy2(launcher, target / "terraform-provider-aws_v6.25.0")
    config = tmp_path / "terraformrc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{tmp_path / "mirror"}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n'
    )
    return str(config)


def stack_with_one_of_each(folder: Path) -> list[str]:
    """A configuration without resources and a state that holds one of each protected class: a plan deletes all."""
    folder.mkdir()
    (folder / "main.tf").write_text(CONFIG)
    provider = 'provider["registry.terraform.io/hashicorp/aws"]'
    resources = [
        {
            "mode": "managed",
            "type": t,
            "name": "live",
            "provider": provider,
            "instances": [{"schema_version": 0, "attributes": {"id": f"{t}-1"}}],
        }
        for t in PROTECTED
    ]
    state = {
        "version": 4,
        "terraform_version": "1.15.5",
        "serial": 1,
        "lineage": "protected-classes",
        "outputs": {},
        "resources": resources,
    }
    (folder / "terraform.tfstate").write_text(json.dumps(state))
    return [f"{t}.live" for t in PROTECTED]


@pytest.mark.parametrize("environment", ["prod", "dev"])
def test_prod_refuses_a_plan_that_deletes_any_protected_class_without_consent(
    environment, playbook, aws, tmp_path, offline_cli_config
):
    addresses = stack_with_one_of_each(tmp_path / "stack")
    values = {
        "terraform_stack_project_path": str(tmp_path / "stack"),
        "terraform_stack_backend_config": {},
        "terraform_stack_profile": "",
        "terraform_stack_binary_path": str(TERRAFORM),
        "terraform_stack_artifacts_dir": str(tmp_path / "artifacts"),
        "terraform_stack_variables": {},
        "terraform_stack_backup_resource_types": {},
    }
    profile = {"prod": "Tebogo-prod", "dev": "Tebogo-dev"}[environment]
    run = playbook(
        "-i",
        f"inventories/{environment}",
        PLAYBOOK,
        "-e",
        json.dumps(values),
        # The state's objects are stand-ins the emulator does not hold: the plan judges them as recorded (no refresh).
        env={
            **aws.env(),
            "TF_CLI_CONFIG_FILE": offline_cli_config,
            "AWS_PROFILE": profile,
            "TF_CLI_ARGS_plan": "-refresh=false",
        },
    )
    text = " ".join((run.stdout + run.stderr).split())
    assert run.returncode != 0, text[-3000:]  # prod: refused; dev: no approval given, the gate fails closed
    [summary] = [json.loads(p.read_text()) for p in (tmp_path / "artifacts").glob("*/plan-summary.json")]
    assert summary["summary"]["destroy"] == len(PROTECTED)
    if environment == "prod":
        assert "PROD plan refused: it deletes or replaces protected resources" in text
        for address in addresses:
            assert address in text, address
    else:
        assert "plan refused: it deletes or replaces protected resources" not in text
    state = json.loads((tmp_path / "stack" / "terraform.tfstate").read_text())
    assert len(state["resources"]) == len(PROTECTED)  # nothing was applied
