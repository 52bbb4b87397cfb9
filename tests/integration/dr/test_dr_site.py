"""prod's warm standby (bbws-prod-dr in inventories/prod) through the site run, against the emulator with Terraform
applying through the offline provider: held while prod is not built, then planned from prod's live stack, approved by
its own digest and applied in eu-west-1; prod's next plan then adds the CloudFront origin group that fails over to
it, and a re-run of both plans nothing. Real ansible-playbook runs over the shipped inventory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import faults
import pytest
from emulator_zones import create_zones

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "site"))
from site_support import flat_output  # noqa: E402  (the site suite's helpers, path set just above)
from site_support import summary  # noqa: E402

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

PROD = ["-i", "inventories/prod"]
DR = "eu-west-1"


def new_plans(artifacts: Path, before: set[Path]) -> dict[str, dict]:
    found = {}
    for path in set(artifacts.glob("*/plan-summary.json")) - before:
        record = json.loads(path.read_text())
        found[record["environment"]] = record
    return found


def plan(playbook, artifacts: Path, host: str) -> dict:
    before = set(artifacts.glob("*/plan-summary.json"))
    run = playbook("playbooks/plan.yml", *PROD, "--limit", host, "-e", f"bbws_artifacts_dir={artifacts}")
    assert run.returncode == 0, flat_output(run.stdout)[-3000:]
    plans = list(new_plans(artifacts, before).values())
    assert len(plans) == 1, f"expected one new plan of {host}, found {len(plans)}"
    return plans[0]


def site(playbook, artifacts: Path, *args: str):
    return playbook("site.yml", *PROD, "-e", f"bbws_artifacts_dir={artifacts}", *args)


def test_the_standby_is_held_until_prod_is_built_then_built_and_failed_over_to(aws, playbook, tmp_path):
    artifacts = tmp_path / "artifacts"
    # prod's root zone and the child zones it delegates (dev's and sit's stacks are not part of this test).
    create_zones()

    # Before prod exists: the standby's plan is held with what to apply first; the run does not fail for it.
    check = site(playbook, artifacts, "--check", "--limit", "bbws-prod-dr")
    text = summary(check.stdout)
    assert check.returncode == 0, flat_output(check.stdout)[-3000:]
    assert "PROD-DR: held in its plan phase: not planned: the primary prod is not built in af-south-1 yet" in text
    assert "approve:" not in text and "apply:" not in text and "health:" not in text
    assert (
        not boto3.Session(profile_name="Tebogo-prod")
        .client("ec2", region_name=DR)
        .describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["bbws-prod-vpc"]}])["Vpcs"]
    )

    # prod as Terraform builds it (as its site run would); its plan sees no standby, so no origin group.
    faults.build_cluster("prod", artifacts_dir=artifacts)
    assert plan(playbook, artifacts, "bbws-prod")["changed"] is False

    # The standby: planned from prod's database and file system, approved by its own digest, applied in eu-west-1.
    standby = plan(playbook, artifacts, "bbws-prod-dr")
    assert standby["environment"] == "prod-dr" and standby["region"] == DR and standby["changed"]
    approve = json.dumps({"bbws_approve": {"prod-dr": standby["digest"][:12]}})
    built = site(playbook, artifacts, "--limit", "bbws-prod-dr", "-e", approve)
    out, text = flat_output(built.stdout), summary(built.stdout)
    assert built.returncode == 0, out[-4000:]
    assert "PROD-DR: ok" in text and "apply: ok" in text, text
    assert "edge: skipped - DR standby: no CloudFront distribution or certificate of its own" in text, text
    assert "health: ok" in text, text
    session = boto3.Session(profile_name="Tebogo-prod")
    primary = session.client("rds").describe_db_instances(DBInstanceIdentifier="bbws-prod-mysql")["DBInstances"][0]
    [replica] = session.client("rds", region_name=DR).describe_db_instances(DBInstanceIdentifier="bbws-prod-mysql")[
        "DBInstances"
    ]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == primary["DBInstanceArn"]
    state = artifacts / "local-emulator" / "prod-dr" / "terraform.tfstate"
    assert state.is_file() and '"aws_efs_replication_configuration"' in state.read_text()

    # prod's next plan finds the standby's ALB and adds the origin group; approved and applied.
    prod = plan(playbook, artifacts, "bbws-prod")
    assert prod["changed"], prod["summary"]
    applied = site(
        playbook, artifacts, "--limit", "bbws-prod", "-e", json.dumps({"bbws_approve": {"prod": prod["digest"][:12]}})
    )
    assert applied.returncode == 0, flat_output(applied.stdout)[-4000:]
    cloudfront = session.client("cloudfront")
    [item] = cloudfront.list_distributions()["DistributionList"]["Items"]
    config = cloudfront.get_distribution_config(Id=item["Id"])["DistributionConfig"]
    [group] = config["OriginGroups"]["Items"]
    assert group["Id"] == "bbws-prod-failover"
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "bbws-prod-failover"

    # Both stacks settled: a re-run over the whole prod inventory plans nothing and applies nothing.
    again = site(playbook, artifacts)
    out = flat_output(again.stdout)
    assert again.returncode == 0, out[-4000:]
    for stack in ("PROD", "PROD-DR"):
        assert f"{stack}: the plan has no changes: nothing to approve or apply" in out, stack
    assert "Apply complete" not in out
