"""A re-run never plans a live custom domain away.

The emulated dev and prod serve their custom domains (CloudFront aliases with ISSUED us-east-1 certificates). The
site's plan phase (real Terraform, the offline provider) runs twice; both times dev's and prod's rendered tfvars keep
enable_custom_domain true, decided by the same read-only decision the edge phase uses. Switching it off is an explicit
inventory setting, and the plan phase says that the plan removes a live domain.
"""

from __future__ import annotations

import json

import pytest

import faults
from site_support import flat_output

pytestmark = [pytest.mark.emulator, pytest.mark.slow]


def rendered(artifacts, environment: str) -> list[dict]:
    files = sorted(artifacts.glob(f"*-{environment}/terraform.tfvars.json"))
    return [json.loads(f.read_text()) for f in files]


def test_the_plan_phase_keeps_a_live_custom_domain_run_after_run(aws, playbook, tmp_path):
    artifacts = tmp_path / "artifacts"
    for environment in ("dev", "prod"):
        faults.build_cluster(environment, artifacts_dir=artifacts)
    args = (
        "site.yml",
        "-i",
        "inventories/dev",
        "-i",
        "inventories/prod",
        "--limit",
        "!bbws-prod-dr",
        "--tags",
        "plan",
        "-e",
        json.dumps({"terraform_stack_artifacts_dir": str(artifacts)}),
    )
    for _run in range(2):
        run = playbook(*args)
        out = flat_output(run.stdout)
        assert run.returncode == 0, out[-3000:]
        assert "DEV: custom domain on - the distribution already serves wpdev.kimmyai.io" in out
        assert "PROD: custom domain on - the distribution already serves wp.kimmyai.io" in out
    for environment in ("dev", "prod"):
        tfvars = rendered(artifacts, environment)
        assert len(tfvars) == 2 and all(t["enable_custom_domain"] is True for t in tfvars), tfvars

    # Off is the inventory's explicit choice, and the plan phase says what it does to a live domain.
    run = playbook(
        "site.yml",
        "-i",
        "inventories/dev",
        "--tags",
        "plan",
        "-e",
        json.dumps({"terraform_stack_artifacts_dir": str(artifacts), "bbws_custom_domain": "off"}),
    )
    out = flat_output(run.stdout)
    assert run.returncode == 0, out[-3000:]
    assert (
        "custom domain off - bbws_custom_domain is off for wpdev.kimmyai.io (it is live now: this plan removes it"
        in out
    )
    assert rendered(artifacts, "dev")[-1]["enable_custom_domain"] is False


# What a live custom domain adds to prod's stack (terraform/acm.tf, alb.tf, route53.tf).
LIVE_CUSTOM_DOMAIN = (
    "aws_acm_certificate.cloudfront[0]",
    "aws_acm_certificate_validation.cloudfront[0]",
    "aws_lb_listener.https[0]",
    "aws_route53_record.origin[0]",
)


def test_switching_a_live_custom_domain_off_in_prod_lists_the_deletions_and_needs_consent(aws, playbook, tmp_path):
    artifacts = tmp_path / "artifacts"
    faults.build_cluster("prod", artifacts_dir=artifacts)  # applied by Terraform with the custom domain on
    addresses = LIVE_CUSTOM_DOMAIN
    values = {"terraform_stack_artifacts_dir": str(artifacts), "bbws_custom_domain": "off"}
    run = playbook(
        "site.yml", "-i", "inventories/prod", "--limit", "bbws-prod", "--tags", "plan,approve", "-e", json.dumps(values)
    )
    out = flat_output(run.stdout)
    assert run.returncode != 0, out[-3000:]
    assert "PROD plan refused: it deletes or replaces protected resources" in out
    for address in addresses:
        assert address in out, address
    consented = playbook(
        "site.yml",
        "-i",
        "inventories/prod",
        "--limit",
        "bbws-prod",
        "--tags",
        "plan,approve",
        "-e",
        json.dumps({**values, "bbws_allow_protected_changes": True}),
    )
    assert "PROD plan refused" not in flat_output(consented.stdout)  # with consent only the digest is still missing
