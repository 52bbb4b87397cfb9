"""route53_delegation against the three emulated accounts (real boto3 over HTTP to moto).

Every zone in the emulator gets the same four name servers, so a correct delegation looks the same as
the emulator's default: tests that prove an update seed the parent with a wrong NS set first, and every
outcome is read back from the parent zone with boto3 rather than trusted from the module's answer.
"""

from __future__ import annotations

import boto3
import pytest
from emulator import render_config
from emulator_zones import create_zone
from emulator_zones import create_zones
from emulator_zones import load_dns_plan

from ansible_collections.bbws.ecs_cluster.plugins.modules import route53_delegation

pytestmark = pytest.mark.emulator

PLAN = load_dns_plan()
PARENT = PLAN["parent_zone"]
DEV, SIT = PLAN["delegations"]
STALE = ["ns-1.stale-provider.example.", "ns-2.stale-provider.example."]


def args(**extra) -> dict:
    base = {
        "profile": PLAN["parent_profile"],
        "parent_zone": PARENT,
        "parent_account_id": PLAN["parent_account_id"],
        "children": [dict(c) for c in PLAN["delegations"]],
        "known_accounts": PLAN["known_accounts"],
    }
    base.update(extra)
    return base


def parent_client():
    return boto3.Session(profile_name=PLAN["parent_profile"]).client("route53")


def parent_ns(zone_id: str) -> dict[str, list[str]]:
    """NS record sets below the parent apex, read back from the emulator: name -> sorted values."""
    records = parent_client().list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {
        r["Name"].rstrip("."): sorted(v["Value"].rstrip(".") for v in r["ResourceRecords"])
        for r in records
        if r["Type"] == "NS" and r["Name"].rstrip(".") != PARENT
    }


def child_ns(child: dict) -> list[str]:
    client = boto3.Session(profile_name=child["profile"]).client("route53")
    zone = client.list_hosted_zones_by_name(DNSName=child["zone"])["HostedZones"][0]
    return sorted(client.get_hosted_zone(Id=zone["Id"])["DelegationSet"]["NameServers"])


def upsert(zone_id: str, name: str, values: list[str]) -> None:
    parent_client().change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": "NS",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": v} for v in values],
                    },
                }
            ]
        },
    )


@pytest.fixture
def zones(aws):
    return create_zones(PLAN)


def test_first_run_delegates_both_children_in_one_batch(zones, module_runner):
    result = module_runner(route53_delegation, args())
    assert not result.failed, result
    assert result["changed"] is True
    assert [(d["zone"], d["action"]) for d in result["delegations"]] == [
        (DEV["zone"], "created"),
        (SIT["zone"], "created"),
    ]
    change_ids = {d["change_id"] for d in result["delegations"]}
    assert len(change_ids) == 1 and None not in change_ids
    assert result["change"]["status"] == "INSYNC"
    assert result["api_calls"]["route53.ChangeResourceRecordSets"] == 1
    assert sorted(result["undelegated"]) == sorted([DEV["zone"], SIT["zone"]])
    assert result["dangling_delegations"] == []
    # Read back: both delegations carry exactly the child zones' name servers.
    assert parent_ns(zones[PARENT]) == {DEV["zone"]: child_ns(DEV), SIT["zone"]: child_ns(SIT)}
    for entry, child in zip(result["delegations"], (DEV, SIT)):
        assert entry["account_id"] == child["account_id"]
        assert entry["nameservers"] == child_ns(child)


def test_second_run_is_unchanged_and_writes_nothing(zones, module_runner):
    assert module_runner(route53_delegation, args())["changed"] is True
    result = module_runner(route53_delegation, args())
    assert not result.failed, result
    assert result["changed"] is False
    assert {d["action"] for d in result["delegations"]} == {"unchanged"}
    assert {d["change_id"] for d in result["delegations"]} == {None}
    assert "route53.ChangeResourceRecordSets" not in result["api_calls"]
    assert result["undelegated"] == []


def test_stale_ns_set_is_reported_dangling_and_repaired(zones, module_runner):
    upsert(zones[PARENT], SIT["zone"], STALE)
    result = module_runner(route53_delegation, args())
    assert not result.failed, result
    actions = {d["zone"]: d["action"] for d in result["delegations"]}
    assert actions == {DEV["zone"]: "created", SIT["zone"]: "updated"}
    [dangling] = result["dangling_delegations"]
    assert dangling["zone"] == SIT["zone"]
    assert dangling["nameservers"] == sorted(v.rstrip(".") for v in STALE)
    assert "differ" in dangling["reason"]
    assert result["diff"]["before"][SIT["zone"]]["nameservers"] == sorted(v.rstrip(".") for v in STALE)
    assert result["diff"]["after"][SIT["zone"]]["nameservers"] == child_ns(SIT)
    # UPSERT replaced the set (no duplicate record set), and it now matches the child zone.
    assert parent_ns(zones[PARENT])[SIT["zone"]] == child_ns(SIT)
    records = parent_client().list_resource_record_sets(HostedZoneId=zones[PARENT])["ResourceRecordSets"]
    assert [r["Name"] for r in records if r["Type"] == "NS"].count(f"{SIT['zone']}.") == 1


def test_check_mode_reports_diff_and_writes_nothing(zones, module_runner):
    upsert(zones[PARENT], SIT["zone"], STALE)
    before = parent_ns(zones[PARENT])
    result = module_runner(route53_delegation, args(_ansible_check_mode=True))
    assert not result.failed, result
    assert result["changed"] is True
    assert {d["zone"]: d["action"] for d in result["delegations"]} == {DEV["zone"]: "created", SIT["zone"]: "updated"}
    assert result["diff"]["before"][DEV["zone"]] is None
    assert result["diff"]["after"][DEV["zone"]] == {"ttl": 300, "nameservers": child_ns(DEV)}
    assert result["change"] is None
    assert "route53.ChangeResourceRecordSets" not in result["api_calls"]
    assert parent_ns(zones[PARENT]) == before


def test_child_profile_in_wrong_account_is_refused_and_nothing_written(zones, module_runner, tmp_path, monkeypatch):
    # The sit profile resolves to the dev account: the module must refuse before writing wpdev either.
    monkeypatch.setenv(
        "AWS_CONFIG_FILE", str(write_wrong_config(tmp_path / "aws_config", SIT["profile"], DEV["account_id"]))
    )
    result = module_runner(route53_delegation, args())
    assert result.failed
    assert (
        f"Refusing to delegate {SIT['zone']}: Account ID mismatch: expected {SIT['account_id']} (sit)" in result["msg"]
    )
    assert f"found {DEV['account_id']} (dev" in result["msg"]
    assert "route53.ChangeResourceRecordSets" not in result["api_calls"]
    assert parent_ns(zones[PARENT]) == {}


def write_wrong_config(path, profile: str, account_id: str):
    """An AWS config in which ``profile`` assumes its role in ``account_id`` instead of its own account."""
    profiles = {c["profile"]: c["account_id"] for c in PLAN["known_accounts"].values()}
    profiles[profile] = account_id
    path.write_text(render_config(profiles))
    return path


def test_parent_profile_in_wrong_account_is_refused(zones, module_runner, tmp_path, monkeypatch):
    path = write_wrong_config(tmp_path / "aws_config", PLAN["parent_profile"], DEV["account_id"])
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    result = module_runner(route53_delegation, args())
    assert result.failed
    assert result["msg"].startswith(f"Account ID mismatch: expected {PLAN['parent_account_id']}")
    assert list(result["api_calls"]) == ["sts.GetCallerIdentity"]


def test_missing_child_zone_is_a_clear_error_and_nothing_written(aws, module_runner):
    ids = create_zones(PLAN, children=False)
    create_zone(boto3.Session(profile_name=DEV["profile"]), DEV["zone"])
    result = module_runner(route53_delegation, args())
    assert result.failed
    assert f"No public hosted zone named {SIT['zone']} in account {SIT['account_id']} (sit)" in result["msg"]
    assert "Create it in the child account first" in result["msg"]
    assert parent_ns(ids[PARENT]) == {}


def test_deleted_child_zone_with_delegation_is_reported_dangling(zones, module_runner):
    assert not module_runner(route53_delegation, args()).failed
    sit = boto3.Session(profile_name=SIT["profile"]).client("route53")
    sit.delete_hosted_zone(Id=zones[SIT["zone"]])
    result = module_runner(route53_delegation, args())
    assert result.failed
    assert f"The parent still delegates {SIT['zone']}" in result["msg"]
    assert "subdomain-takeover risk" in result["msg"]
    assert [d["zone"] for d in result["dangling_delegations"]] == [SIT["zone"]]
    assert result["dangling_delegations"][0]["reason"] == "the child hosted zone no longer exists"
    # The fix the message names: state=absent removes the delegation without needing the zone.
    removed = module_runner(route53_delegation, args(state="absent", children=[dict(SIT)]))
    assert not removed.failed, removed
    assert [d["action"] for d in removed["delegations"]] == ["removed"]
    assert SIT["zone"] not in parent_ns(zones[PARENT])


def test_two_parent_zones_with_the_same_name_are_refused(zones, module_runner):
    client = parent_client()
    second = client.create_hosted_zone(Name=PARENT, CallerReference="second-zone")["HostedZone"]["Id"].split("/")[-1]
    result = module_runner(route53_delegation, args())
    assert result.failed
    assert f"2 public hosted zones are named {PARENT} in the parent account" in result["msg"]
    assert zones[PARENT] in result["msg"] and second in result["msg"]
    assert parent_ns(zones[PARENT]) == {} and parent_ns(second) == {}


def test_two_child_zones_with_the_same_name_are_refused(zones, module_runner):
    client = boto3.Session(profile_name=DEV["profile"]).client("route53")
    client.create_hosted_zone(Name=DEV["zone"], CallerReference="second-child")
    result = module_runner(route53_delegation, args())
    assert result.failed
    assert f"2 public hosted zones are named {DEV['zone']} in account {DEV['account_id']} (dev)" in result["msg"]
    assert parent_ns(zones[PARENT]) == {}


def test_absent_removes_and_is_then_unchanged(zones, module_runner):
    assert not module_runner(route53_delegation, args()).failed
    result = module_runner(route53_delegation, args(state="absent"))
    assert not result.failed, result
    assert result["changed"] is True
    assert {d["action"] for d in result["delegations"]} == {"removed"}
    assert result["api_calls"]["route53.ChangeResourceRecordSets"] == 1
    assert parent_ns(zones[PARENT]) == {}
    again = module_runner(route53_delegation, args(state="absent"))
    assert again["changed"] is False and {d["action"] for d in again["delegations"]} == {"unchanged"}


def test_absent_in_check_mode_writes_nothing(zones, module_runner):
    assert not module_runner(route53_delegation, args()).failed
    before = parent_ns(zones[PARENT])
    result = module_runner(route53_delegation, args(state="absent", _ansible_check_mode=True))
    assert result["changed"] is True
    assert result["diff"]["after"] == {DEV["zone"]: None, SIT["zone"]: None}
    assert parent_ns(zones[PARENT]) == before


def test_unmanaged_delegation_in_parent_is_listed(zones, module_runner):
    upsert(zones[PARENT], f"old.{PARENT}", STALE)
    result = module_runner(route53_delegation, args())
    assert result["unmanaged_delegations"] == [
        {"zone": f"old.{PARENT}", "nameservers": sorted(v.rstrip(".") for v in STALE)}
    ]
    # Not ours to touch: it is still there.
    assert f"old.{PARENT}" in parent_ns(zones[PARENT])


def test_unreachable_child_account_fails_with_manual_steps(zones, module_runner):
    children = [dict(DEV), dict(SIT, profile="Tebogo-sit-missing")]
    result = module_runner(route53_delegation, args(children=children))
    assert result.failed
    assert f"Cannot reach the child account for {SIT['zone']}" in result["msg"]
    assert "aws route53 change-resource-record-sets" in result["manual_steps"]
    assert f"--hosted-zone-id {zones[PARENT]}" in result["manual_steps"]
    assert '"Name": "wpsit.kimmyai.io."' in result["manual_steps"]
    assert f"--dns-name {SIT['zone']} --profile Tebogo-sit-missing" in result["manual_steps"]
    assert "Traceback" not in str(result)
    assert parent_ns(zones[PARENT]) == {}


def test_role_arn_credentials_for_a_child(zones, module_runner):
    # The cross-account role pattern: the parent's credentials assume a role in the child account.
    children = [
        {
            "zone": DEV["zone"],
            "account_id": DEV["account_id"],
            "role_arn": f"arn:aws:iam::{DEV['account_id']}:role/dns-reader",
        }
    ]
    result = module_runner(route53_delegation, args(children=children))
    assert not result.failed, result
    assert parent_ns(zones[PARENT]) == {DEV["zone"]: child_ns(DEV)}
    assert result["api_calls"]["sts.AssumeRole"] == 1


def test_child_outside_parent_is_refused(zones, module_runner):
    children = [dict(DEV, zone="wpdev.example.org")]
    result = module_runner(route53_delegation, args(children=children))
    assert result.failed and "is not a subdomain of" in result["msg"]
