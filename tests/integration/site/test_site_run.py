"""The site run across the three emulated accounts: waves, per-environment isolation, the closing summary.

One real ansible-playbook run of site.yml with all three inventories against the emulator, where only prod's
adopted root zone exists: every phase runs, Terraform applies sit and prod into their accounts (offline
provider). The dev profile is pointed at the sit account to break dev's guard: dev must stop there, sit and
prod must go on, and prod's dns phase must not delegate wpdev (its inputs come from an environment that
failed).
"""

from __future__ import annotations

import json

import boto3
import pytest

import faults
from emulator_zones import create_zones
from site_support import INVENTORIES
from site_support import TF_ENV_KEY
from site_support import flat_output
from site_support import plays
from site_support import summary
from support import REPO

pytestmark = pytest.mark.emulator


def test_site_run_isolates_a_failed_environment_and_summarises(aws, playbook, tmp_path):
    facts = {env: faults.load_inventory(env) for env in faults.environments()}
    create_zones(children=False)
    artifacts = {
        "cluster_health_artifacts_dir": str(tmp_path),
        "terraform_stack_artifacts_dir": str(tmp_path / "plans"),
    }
    # The plans that will be approved: made first, as a reviewer would (plan.yml), with the offline provider.
    planned = playbook(
        "playbooks/plan.yml",
        "-i",
        "inventories/sit",
        "-i",
        "inventories/prod",
        "-e",
        json.dumps(artifacts),
        env={TF_ENV_KEY: str(REPO / "tools" / "terraformrc")},
    )
    assert planned.returncode == 0, planned.stdout[-3000:]
    digests = {
        json.loads(p.read_text())["environment"]: json.loads(p.read_text())["digest"]
        for p in (tmp_path / "plans").glob("*/plan-summary.json")
    }
    assert sorted(digests) == ["prod", "sit"]
    # prod's DR standby (bbws-prod-dr, in inventories/prod) cannot be planned before prod exists: held, not failed.
    held = flat_output(planned.stdout)
    assert "PROD-DR: the prod standby cannot be planned until its primary is built: missing" in held, held[-3000:]
    assert "the primary's database bbws-prod-mysql in af-south-1: apply the primary stack first" in held
    broken = aws.write_config(
        tmp_path / "aws_config", overrides={facts["dev"]["bbws_aws_profile"]: facts["sit"]["bbws_account_id"]}
    )
    run = playbook(
        "site.yml",
        *INVENTORIES,
        "-e",
        json.dumps({**artifacts, "bbws_approve": {k: v[:12] for k, v in digests.items()}}),
        env={"AWS_CONFIG_FILE": str(broken), TF_ENV_KEY: str(REPO / "tools" / "terraformrc")},
    )
    out = flat_output(run.stdout)
    assert run.returncode != 0, out[-3000:]
    text = summary(out)

    # dev stopped at its guard with the seed's message; nothing later ran for it.
    assert "DEV: FAILED in its guard phase: Account ID mismatch" in text, text
    assert "SIT: ok" in text and "PROD: ok" in text, text
    dev_block = text[text.index("DEV:") : text.index("SIT:")] if text.index("DEV:") < text.index("SIT:") else ""
    assert "backend:" not in dev_block and "health:" not in dev_block
    assert "fatal: [bbws-dev]" in out and "DEV failed in its guard phase" in out

    # The real stack is planned, approved per environment by digest and applied into each account.
    assert "not runnable" not in out
    assert text.count("plan: ok") == 2 and text.count("approve: ok") == 2 and text.count("apply: ok") == 2, text
    for environment in ("sit", "prod"):
        assert faults.discover(environment).vpc_id, environment
    assert (
        not boto3.Session(profile_name=facts["dev"]["bbws_aws_profile"])
        .client("ec2")
        .describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["bbws-dev-vpc"]}])["Vpcs"]
    )

    # Waves: wave 1 (sit; dev failed) runs its stack phases before wave 2 (prod) starts; wave 3 (prod's standby, left
    # out of this run) has no host.
    order = [(name.split(" |")[0], section) for name, section in plays(run.stdout)]
    backends = [section for name, section in order if name == "Backend"]
    assert len(backends) == 3 and "skipping: no hosts matched" in backends[2]
    assert "[bbws-sit]" in backends[0] and "[bbws-prod]" not in backends[0]
    assert "[bbws-prod]" in backends[1] and "[bbws-sit]" not in backends[1]
    names = [name for name, _section in order]
    assert names.index("DNS") > max(i for i, n in enumerate(names) if n == "Apply")
    assert names.index("DNS") < names.index("Edge") < names.index("Health") < names.index("Summary")

    # prod's dns phase delegated sit only, and said why not dev.
    assert "wpdev.kimmyai.io is not delegated in this run: the dev environment failed in its guard phase" in out
    prod = boto3.Session(profile_name=facts["prod"]["bbws_aws_profile"], region_name=facts["prod"]["bbws_region"])
    route53 = prod.client("route53")
    root = route53.list_hosted_zones_by_name(DNSName=facts["prod"]["bbws_root_domain"])["HostedZones"][0]["Id"]
    ns = {
        r["Name"].rstrip(".")
        for r in route53.list_resource_record_sets(HostedZoneId=root)["ResourceRecordSets"]
        if r["Type"] == "NS"
    }
    assert facts["sit"]["bbws_domain"] in ns and facts["dev"]["bbws_domain"] not in ns

    # edge: sit's zone was delegated by this run, after its stack was applied without the custom domain: the plan that
    # turns it on waits for its own approval (nothing applied, nothing recorded); prod serves its own root zone.
    assert "edge: skipped - awaiting approval: the plan that turns the custom domain on (digest" in text, text
    assert f"edge: ok - custom domain: *.{facts['prod']['bbws_domain']}" in text
    # health ran for the environments that went on, and only for them.
    assert "health: ok - healthy" in text and "DEV: HEALTHY" not in out and "SIT: HEALTHY" in out
    # The health line of the run summary carries the tenant headroom.
    assert "health: ok - healthy - headroom: " in text and " more tenants fit; the first limit is " in text
