"""Planning, dangling detection, waiting and the manual fallback, without AWS."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import route53_delegation as r53d

CHILD_NS = ["ns-1.awsdns-1.com", "ns-2.awsdns-2.net", "ns-3.awsdns-3.org", "ns-4.awsdns-4.co.uk"]


def record(values, ttl=300):
    return {"ttl": ttl, "values": values, "nameservers": r53d.normalize_nameservers(values)}


def test_normalize_ignores_case_trailing_dot_and_order():
    assert r53d.normalize_nameservers(["NS-2.awsdns-2.net.", "ns-1.awsdns-1.com"]) == [
        "ns-1.awsdns-1.com",
        "ns-2.awsdns-2.net",
    ]
    assert r53d.normalize_name("WpDev.KimmyAI.io.") == "wpdev.kimmyai.io"


@pytest.mark.parametrize(
    "current,action",
    [
        (None, "created"),
        (record([f"{n}." for n in reversed(CHILD_NS)]), "unchanged"),  # same set, other order and dots
        (record(CHILD_NS[:3]), "updated"),
        (record(CHILD_NS, ttl=172800), "updated"),  # TTL differs
    ],
)
def test_plan_present(current, action):
    plan = r53d.plan_child("wpdev.kimmyai.io", "present", 300, current, CHILD_NS)
    assert plan["action"] == action
    if action == "unchanged":
        assert plan["change"] is None
    else:
        change = plan["change"]
        assert change["Action"] == "UPSERT"
        assert change["ResourceRecordSet"]["Name"] == "wpdev.kimmyai.io."
        assert [r["Value"] for r in change["ResourceRecordSet"]["ResourceRecords"]] == [
            f"{n}." for n in sorted(CHILD_NS)
        ]
        assert plan["after"] == {"ttl": 300, "nameservers": sorted(CHILD_NS)}


def test_plan_absent_deletes_exactly_what_is_stored():
    stored = record(["ns-9.Old.example.", "ns-8.old.example"], ttl=3600)
    plan = r53d.plan_child("wpsit.kimmyai.io", "absent", 300, stored, None)
    assert plan["action"] == "removed"
    rrset = plan["change"]["ResourceRecordSet"]
    assert plan["change"]["Action"] == "DELETE"
    assert rrset["TTL"] == 3600 and [r["Value"] for r in rrset["ResourceRecords"]] == stored["values"]
    assert r53d.plan_child("wpsit.kimmyai.io", "absent", 300, None, None)["action"] == "unchanged"


def test_dangling_reports_gone_and_differing_but_not_matching():
    current = {
        "wpdev.kimmyai.io": record(CHILD_NS),
        "wpsit.kimmyai.io": record(["ns-9.old.example"]),
        "wpqa.kimmyai.io": record(CHILD_NS),
    }
    dangling = r53d.find_dangling(
        current, {"wpdev.kimmyai.io": CHILD_NS, "wpsit.kimmyai.io": CHILD_NS, "wpqa.kimmyai.io": None}
    )
    assert [(d["zone"], d["reason"]) for d in dangling] == [
        ("wpsit.kimmyai.io", "the delegated name servers differ from the child zone's"),
        ("wpqa.kimmyai.io", "the child hosted zone no longer exists"),
    ]
    assert r53d.unmanaged_delegations(current, ["wpdev.kimmyai.io", "wpsit.kimmyai.io"]) == [
        {"zone": "wpqa.kimmyai.io", "nameservers": sorted(CHILD_NS)}
    ]


def test_child_must_be_below_parent():
    r53d.check_child_of_parent("wpdev.kimmyai.io", "kimmyai.io")
    for bad in ("kimmyai.io", "evilkimmyai.io", "wpdev.example.org"):
        with pytest.raises(r53d.DelegationError, match="not a subdomain"):
            r53d.check_child_of_parent(bad, "kimmyai.io")


class FakeChanges:
    """Stands in for Route 53's GetChange: the emulator reports every change INSYNC at once."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.calls = 0

    def get_change(self, aws_retry, Id):
        self.calls += 1
        return {"ChangeInfo": {"Id": Id, "Status": self.statuses.pop(0)}}


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_polls_pending_until_insync():
    client, clock = FakeChanges(["PENDING", "INSYNC"]), Clock()
    assert r53d.wait_insync(client, "C1", "PENDING", timeout=60, delay=10, sleep=clock.sleep, clock=clock) == "INSYNC"
    assert client.calls == 2 and clock.now == 20


def test_wait_is_bounded():
    client, clock = FakeChanges(["PENDING"] * 100), Clock()
    assert r53d.wait_insync(client, "C1", "PENDING", timeout=25, delay=10, sleep=clock.sleep, clock=clock) == "PENDING"
    assert clock.now == 25 and client.calls == 3


def test_wait_does_not_poll_when_already_insync():
    client = FakeChanges([])
    assert r53d.wait_insync(client, "C1", "INSYNC", timeout=60) == "INSYNC"
    assert client.calls == 0


def test_manual_steps_with_known_servers_have_exact_values_and_valid_json():
    text = r53d.manual_delegation_steps(
        "kimmyai.io", "Z123", "wpdev.kimmyai.io", "536580886816", "Tebogo-dev", "Tebogo-prod", CHILD_NS, 300
    )
    batch = json.loads(text[text.index("{") : text.rindex("}") + 1])
    rrset = batch["Changes"][0]["ResourceRecordSet"]
    assert batch["Changes"][0]["Action"] == "UPSERT"
    assert rrset == {
        "Name": "wpdev.kimmyai.io.",
        "Type": "NS",
        "TTL": 300,
        "ResourceRecords": [{"Value": f"{n}."} for n in sorted(CHILD_NS)],
    }
    assert (
        "aws route53 change-resource-record-sets --hosted-zone-id Z123 --change-batch"
        " file://wpdev.kimmyai.io-delegation.json --profile Tebogo-prod"
        in text
    )
    assert "name wpdev, type NS, TTL 300" in text


def test_manual_steps_without_access_tell_the_child_team_how_to_read_them():
    text = r53d.manual_delegation_steps(
        "kimmyai.io", None, "wpsit.kimmyai.io", "815856636111", "Tebogo-sit", None, None, 300
    )
    assert "aws route53 list-hosted-zones-by-name --dns-name wpsit.kimmyai.io --profile Tebogo-sit" in text
    assert "--query DelegationSet.NameServers" in text
    assert re.search(r"<name server 1 of wpsit\.kimmyai\.io>", text)
    assert "--hosted-zone-id <hosted zone ID of kimmyai.io>" in text


def test_propagation_guidance_names_the_commands():
    text = r53d.propagation_guidance("wpdev.kimmyai.io")
    assert (
        "48-72 hours" in text and "dig wpdev.kimmyai.io NS @8.8.8.8" in text and "dig +trace wpdev.kimmyai.io" in text
    )
