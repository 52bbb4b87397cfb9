"""The whole site, end to end, with Terraform applying into the three emulated accounts (offline provider).

One module-wide platform: prod's root zone exists (it is adopted), the plans of dev, sit and prod are made and
approved by digest, and the site run applies them. On that real state, in order:

* dev's and sit's custom domains come with their own edge plans, approved once their zones are delegated;
* a second site run plans no change in any environment, applies nothing and sends the emulator no write;
* the custom domain stays on across the re-run (CloudFront keeps its aliases and ACM certificate);
* a security-group rule removed behind Terraform's back is found by health with its fix
  `terraform apply -target=...`; that fix, run through the plan, approval and apply phases (bbws_plan_targets),
  restores the rule and health is healthy again;
* a resource deleted behind Terraform's back is drift in a `--check` run, and the next approved apply re-creates it;
* playbooks/destroy.yml on dev leaves nothing of dev's stack in the dev account, and prod is refused.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any
from typing import Iterator

import boto3
import pytest
from site_support import INVENTORIES
from site_support import flat_output
from site_support import summary

from emulator_zones import create_zones
from faults import inject
from support import run_playbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "safety"))
from safety_support import emulator_env  # noqa: E402  (the safety suite's helpers, path set just above)
from safety_support import recording  # noqa: E402

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

ENVIRONMENTS = ("dev", "sit", "prod")
RDS_RULE = "aws_vpc_security_group_ingress_rule.rds_from_ecs"


@dataclass
class Platform:
    emulator: Any
    artifacts: Path
    first: CompletedProcess
    edge: CompletedProcess | None = None
    edge_plans: dict[str, str] | None = None

    def run(self, *args: str) -> CompletedProcess:
        return run_playbook(*args, "-e", f"bbws_artifacts_dir={self.artifacts}", env=self.emulator.env())

    def plan_digests(self, *args: str) -> dict[str, str]:
        """Run playbooks/plan.yml; the digest of each environment's new plan."""
        before = set(self.artifacts.glob("*/plan-summary.json"))
        run = self.run("playbooks/plan.yml", *args)
        assert run.returncode == 0, flat_output(run.stdout)[-3000:]
        digests = {}
        for path in sorted(set(self.artifacts.glob("*/plan-summary.json")) - before):
            record = json.loads(path.read_text())
            digests[record["environment"]] = record["digest"][:12]
        return digests


def session(environment: str, region: str = "af-south-1") -> boto3.Session:
    return boto3.Session(profile_name=f"Tebogo-{environment}", region_name=region)


@pytest.fixture(scope="module")
def platform(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    emulator.reset()
    artifacts = tmp_path_factory.mktemp("artifacts")
    with emulator_env(emulator):
        create_zones(children=False)
        made = Platform(emulator, artifacts, None)  # type: ignore[arg-type]
        digests = made.plan_digests(*INVENTORIES)
        assert sorted(digests) == sorted(ENVIRONMENTS)
        started = time.time()
        made.first = made.run("site.yml", *INVENTORIES, "-e", json.dumps({"bbws_approve": digests}))
        # dev's and sit's zones were delegated by that run, after their stacks were applied: the plans that turn their
        # custom domains on wait for an approval of their own, and get it.
        edge = {}
        for path in sorted(artifacts.glob("*/plan-summary.json"), key=lambda p: p.stat().st_mtime):
            record = json.loads(path.read_text())
            if path.stat().st_mtime >= started and record["changed"] and not (path.parent / "approval.json").exists():
                edge[record["environment"]] = record["digest"][:12]
        made.edge = made.run("playbooks/edge.yml", *INVENTORIES, "-e", json.dumps({"bbws_edge_approve": edge}))
        made.edge_plans = edge
        yield made


def test_the_site_run_applies_every_environment_into_its_own_account(platform: Platform) -> None:
    out = flat_output(platform.first.stdout)
    assert platform.first.returncode == 0, out[-4000:]
    text = summary(platform.first.stdout)
    assert text.count("apply: ok") == 3, text
    assert "not runnable" not in out
    for environment in ENVIRONMENTS:
        ec2 = session(environment).client("ec2")
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"bbws-{environment}-vpc"]}])["Vpcs"]
        assert len(vpcs) == 1, environment
        assert {t["Key"]: t["Value"] for t in vpcs[0]["Tags"]}["Environment"] == environment


def test_the_delegated_environments_get_their_custom_domains_through_their_own_approved_edge_plans(
    platform: Platform,
) -> None:
    first = summary(platform.first.stdout)
    waiting = "edge: skipped - awaiting approval: the plan that turns the custom domain on (digest"
    assert first.count(waiting) == 2, first
    assert sorted(platform.edge_plans or {}) == ["dev", "sit"]
    assert platform.edge is not None
    out = flat_output(platform.edge.stdout)
    assert platform.edge.returncode == 0, out[-4000:]
    assert "DEV edge: custom domain; URL https://banana.wpdev.kimmyai.io" in out
    assert "SIT edge: custom domain; URL https://banana.wpsit.kimmyai.io" in out


def test_a_second_site_run_plans_no_change_and_applies_nothing(platform: Platform) -> None:
    with recording(platform.emulator) as seen:
        second = platform.run("site.yml", *INVENTORIES)
    out = flat_output(second.stdout)
    assert second.returncode == 0, out[-4000:]
    for environment in ENVIRONMENTS:
        assert f"{environment.upper()}: the plan has no changes: nothing to approve or apply" in out
    assert "Apply complete" not in out
    writes = sorted({request.action for request in seen.requests if request.write})
    assert writes == [], writes


def test_the_custom_domain_stays_on_across_re_runs(platform: Platform) -> None:
    for environment, domain in (("dev", "wpdev.kimmyai.io"), ("prod", "wp.kimmyai.io")):
        cloudfront = session(environment).client("cloudfront")
        [item] = cloudfront.list_distributions()["DistributionList"]["Items"]
        assert item["Aliases"]["Items"] == [f"*.{domain}"], environment
        assert item["ViewerCertificate"].get("ACMCertificateArn", "").startswith("arn:aws:acm:us-east-1:")


def _finding_with_target(report: dict[str, Any], target: str) -> dict[str, Any]:
    for finding in report["findings"]:
        if f"-target={target}" in (finding.get("fix") or {}).get("terraform", ""):
            return finding
    raise AssertionError(f"no finding whose fix targets {target}: {json.dumps(report['findings'])[:3000]}")


def _health_report(platform: Platform, environment: str) -> dict[str, Any]:
    run = platform.run("playbooks/health.yml", "-i", f"inventories/{environment}")
    reports = sorted(platform.artifacts.glob(f"**/{environment}-health.json"), key=lambda p: p.stat().st_mtime)
    assert reports, flat_output(run.stdout)[-3000:]
    return json.loads(reports[-1].read_text())


def test_a_removed_rule_is_found_by_health_and_its_fix_restores_it_through_the_gate(platform: Platform) -> None:
    with emulator_env(platform.emulator):
        inject("dev", "rds_ingress_missing")
    report = _health_report(platform, "dev")
    assert report["status"] != "healthy"
    fix = _finding_with_target(report, RDS_RULE)["fix"]["terraform"]
    targets = re.findall(r"-target=(\S+)", fix)

    digests = platform.plan_digests("-i", "inventories/dev", "-e", json.dumps({"bbws_plan_targets": targets}))
    applied = platform.run("playbooks/apply.yml", "-i", "inventories/dev", "-e", f"bbws_approve={digests['dev']}")
    assert applied.returncode == 0, flat_output(applied.stdout)[-3000:]

    assert _health_report(platform, "dev")["status"] == "healthy"


def test_a_deleted_resource_is_drift_in_check_mode_and_the_next_approved_apply_recreates_it(
    platform: Platform,
) -> None:
    logs = session("sit").client("logs")
    logs.delete_log_group(logGroupName="/ecs/sit")

    check = platform.run("site.yml", "-i", "inventories/sit", "--check")
    out = flat_output(check.stdout)
    assert check.returncode == 0, out[-3000:]
    assert "DRIFT: aws_cloudwatch_log_group.ecs" in out and "deleted outside Terraform" in out
    assert logs.describe_log_groups(logGroupNamePrefix="/ecs/sit")["logGroups"] == []

    digests = platform.plan_digests("-i", "inventories/sit")
    applied = platform.run("playbooks/apply.yml", "-i", "inventories/sit", "-e", f"bbws_approve={digests['sit']}")
    assert applied.returncode == 0, flat_output(applied.stdout)[-3000:]
    [group] = logs.describe_log_groups(logGroupNamePrefix="/ecs/sit")["logGroups"]
    assert group["retentionInDays"] > 1


def _tagged(environment: str) -> list[str]:
    arns = []
    for region in ("af-south-1", "us-east-1"):
        tagging = session(environment, region).client("resourcegroupstaggingapi")
        for page in tagging.get_paginator("get_resources").paginate(
            TagFilters=[{"Key": "Environment", "Values": [environment]}]
        ):
            arns += [item["ResourceARN"] for item in page["ResourceTagMappingList"]]
    return arns


def _live(environment: str, arn: str) -> bool:
    """False for what AWS itself keeps listing after a delete, each checked by its state, and for what a destroy keeps
    on purpose: the state bucket (the backend phase's, holding the now empty state) and the final DB snapshot."""
    service, region, resource = arn.split(":")[2], arn.split(":")[3], arn.split(":", 5)[5]
    client = session(environment, region or "af-south-1").client
    if service == "s3" and resource.startswith("bbws-terraform-state-"):
        return False
    if service == "rds" and resource.startswith("snapshot:") and "-final-" in resource:
        return False
    if service == "kms":
        return client("kms").describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] != "PendingDeletion"
    if service == "ec2" and resource.startswith("natgateway/"):
        [nat] = client("ec2").describe_nat_gateways(NatGatewayIds=[resource.split("/")[1]])["NatGateways"]
        return nat["State"] not in ("deleted", "deleting")
    if service == "ecs" and resource.startswith("cluster/"):
        return client("ecs").describe_clusters(clusters=[arn])["clusters"][0]["status"] != "INACTIVE"
    if service == "ecs" and resource.startswith("task-definition/"):
        return client("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]["status"] != "INACTIVE"
    return True


def test_destroy_leaves_nothing_of_dev_and_refuses_prod(platform: Platform) -> None:
    assert _tagged("dev"), "the platform should hold dev's resources before the destroy"
    first = platform.run("playbooks/destroy.yml", "-i", "inventories/dev")
    assert first.returncode != 0  # the gate fails closed without an approval, and prints the digest
    [record] = [
        json.loads(p.read_text())
        for p in sorted(platform.artifacts.glob("*-dev/plan-summary.json"), key=lambda p: p.stat().st_mtime)[-1:]
    ]
    assert record["destroy"] is True
    approved = platform.run(
        "playbooks/destroy.yml", "-i", "inventories/dev", "-e", f"bbws_approve={record['digest'][:12]}"
    )
    assert approved.returncode == 0, flat_output(approved.stdout)[-3000:]
    # Nothing of the stack is live: what is still listed is deleted in AWS's own terms (keys pending deletion, a
    # deleted NAT gateway, inactive ECS objects), or kept on purpose (the state bucket, the final DB snapshot).
    assert [arn for arn in _tagged("dev") if _live("dev", arn)] == []

    prod = platform.run("playbooks/destroy.yml", "-i", "inventories/prod")
    assert prod.returncode != 0
    assert "Destroying PROD is not allowed" in flat_output(prod.stdout)
    assert _tagged("prod")
