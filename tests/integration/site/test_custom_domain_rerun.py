"""A re-run never plans a live custom domain away.

The emulated dev and prod serve their custom domains (CloudFront aliases with ISSUED us-east-1 certificates). The
site's plan phase (real Terraform, the offline provider) runs twice; both times dev's and prod's rendered tfvars keep
enable_custom_domain true, decided by the same read-only decision the edge phase uses. Switching it off is an explicit
inventory setting, and the plan phase says that the plan removes a live domain.
"""

from __future__ import annotations

import json

import pytest

import emulated_cluster
from site_support import flat_output

pytestmark = [pytest.mark.emulator, pytest.mark.slow]


def rendered(artifacts, environment: str) -> list[dict]:
    files = sorted(artifacts.glob(f"*-{environment}/terraform.tfvars.json"))
    return [json.loads(f.read_text()) for f in files]


def test_the_plan_phase_keeps_a_live_custom_domain_run_after_run(aws, playbook, tmp_path):
    for environment in ("dev", "prod"):
        emulated_cluster.build_cluster(environment)
    artifacts = tmp_path / "artifacts"
    args = ("site.yml", "-i", "inventories/dev", "-i", "inventories/prod", "--tags", "plan",
            "-e", json.dumps({"terraform_stack_artifacts_dir": str(artifacts)}))
    for _ in range(2):
        run = playbook(*args)
        out = flat_output(run.stdout)
        assert run.returncode == 0, out[-3000:]
        assert "DEV: custom domain on - the distribution already serves wpdev.kimmyai.io" in out
        assert "PROD: custom domain on - the distribution already serves wp.kimmyai.io" in out
    for environment in ("dev", "prod"):
        tfvars = rendered(artifacts, environment)
        assert len(tfvars) == 2 and all(t["enable_custom_domain"] is True for t in tfvars), tfvars

    # Off is the inventory's explicit choice, and the plan phase says what it does to a live domain.
    run = playbook("site.yml", "-i", "inventories/dev", "--tags", "plan",
                   "-e", json.dumps({"terraform_stack_artifacts_dir": str(artifacts), "bbws_custom_domain": "off"}))
    out = flat_output(run.stdout)
    assert run.returncode == 0, out[-3000:]
    assert "custom domain off - bbws_custom_domain is off for wpdev.kimmyai.io (it is live now: this plan removes it" in out
    assert rendered(artifacts, "dev")[-1]["enable_custom_domain"] is False
