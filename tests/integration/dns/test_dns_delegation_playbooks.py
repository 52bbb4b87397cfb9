"""The role through real ansible-playbook runs: the delegate_dns playbook in check mode, and the site's dns phase."""

from __future__ import annotations

import boto3
import pytest
from emulator_zones import create_zones
from emulator_zones import load_dns_plan

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

PLAN = load_dns_plan()
# The three environments without prod's DR standby (bbws-prod-dr; it has no DNS of its own).
INVENTORIES = ["-i", "inventories/dev", "-i", "inventories/sit", "-i", "inventories/prod", "--limit", "!bbws-prod-dr"]


def flat(text: str) -> str:
    """The output with the callback's line wrapping undone."""
    return " ".join(text.split())


def parent_ns(zone_id: str) -> dict[str, list[str]]:
    client = boto3.Session(profile_name=PLAN["parent_profile"]).client("route53")
    return {
        r["Name"].rstrip("."): sorted(v["Value"].rstrip(".") for v in r["ResourceRecords"])
        for r in client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
        if r["Type"] == "NS" and r["Name"].rstrip(".") != PLAN["parent_zone"]
    }


def test_delegate_dns_check_mode_reports_and_writes_nothing(aws, playbook):
    ids = create_zones(PLAN)
    proc = playbook("playbooks/delegate_dns.yml", "-i", "inventories/prod", "--check", "--diff")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for child in PLAN["delegations"]:
        assert (
            f"{child['zone']} in account {child['account_id']} ({child['environment']}): created (check mode: nothing"
            " written)"
            in flat(proc.stdout)
        )
    assert "changed=1" in proc.stdout
    assert "AWS API calls: 9" in proc.stdout
    assert parent_ns(ids[PLAN["parent_zone"]]) == {}


def test_site_dns_phase_delegates_from_prod_only(aws, playbook):
    ids = create_zones(PLAN)
    proc = playbook("site.yml", *INVENTORIES, "--tags", "dns")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = parent_ns(ids[PLAN["parent_zone"]])
    assert sorted(written) == sorted(c["zone"] for c in PLAN["delegations"])
    for child in PLAN["delegations"]:
        assert f"{child['zone']} in account {child['account_id']} ({child['environment']}): created" in flat(
            proc.stdout
        )
    # dev and sit own no parent zone: their hosts skip the phase.
    assert "bbws-dev                   : ok=" in proc.stdout and "bbws-prod                  : ok=" in proc.stdout
