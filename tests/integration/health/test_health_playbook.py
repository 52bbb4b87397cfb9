"""playbooks/health.yml for all three environments, in --check, against the emulated clusters.

One real ansible-playbook run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import faults

pytestmark = pytest.mark.emulator
# The three environments without prod's DR standby (bbws-prod-dr; tests/integration/dr covers it).
INVENTORIES = ["-i", "inventories/dev", "-i", "inventories/sit", "-i", "inventories/prod", "--limit", "!bbws-prod-dr"]


def test_health_playbook_reports_every_environment_in_check_mode(aws, playbook, tmp_path):
    clusters = {env: faults.build_cluster(env) for env in faults.environments()}
    faults.inject("sit", "rds_ingress_missing", cluster=clusters["sit"])
    run = playbook("playbooks/health.yml", *INVENTORIES, "--check", "-e", f"cluster_health_artifacts_dir={tmp_path}")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "DEV: HEALTHY" in run.stdout and "PROD: HEALTHY" in run.stdout and "SIT: UNHEALTHY" in run.stdout
    assert "changed=0" in run.stdout and "changed=1" not in run.stdout
    # The closing block of the seed, with the real ids.
    assert f"- ALB DNS: {clusters['dev'].alb_dns_name}" in run.stdout
    assert f"- CloudFront Distribution ID: {clusters['prod'].distribution_id}" in run.stdout
    assert "- Tenant URL Example: banana.wpsit.kimmyai.io" in run.stdout
    assert "fix: terraform apply -target=aws_vpc_security_group_ingress_rule.rds_from_ecs" in run.stdout
    reports = sorted(Path(tmp_path).glob("*-*/health/*-health.*"))
    assert {p.name for p in reports} == {f"{e}-health.{x}" for e in clusters for x in ("json", "md", "html")}
    sit = json.loads(next(p for p in reports if p.name == "sit-health.json").read_text())
    assert sit["status"] == "unhealthy" and sit["account_id"] == clusters["sit"].account_id
    # prod adopts the root zone (bbws_dns_zone): the role looks there, not for a wp.kimmyai.io zone.
    root = faults.load_inventory("prod")["bbws_root_domain"]
    assert f"- Route53 Zone: {root} ({clusters['prod'].zone_id})" in run.stdout
    prod = json.loads(next(p for p in reports if p.name == "prod-health.json").read_text())
    assert prod["access_points"]["route53_zone"] == root
    # History: the first report of each environment says so, and the artifacts index lists all three.
    assert run.stdout.count("Since the last report: none (the first report of this environment).") == 3
    index = (Path(tmp_path) / "index.html").read_text(encoding="utf-8")
    assert sorted(re.findall(r'<tr data-environment="(\w+)">', index)) == ["dev", "prod", "sit"]
