"""route53_delegation's orchestration: what main() reports for answers the emulator never gives.

moto accepts every change as INSYNC at once and never refuses a write, so a change still PENDING after the wait, a
write refused by AWS, and a run without dnspython are driven here with stubbed clients (as amazon.aws unit-tests its
modules: the module object and its clients are stand-ins, no network). Everything AWS really does (zones, record
sets, accounts) is tested against the emulator in tests/integration/dns.
"""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from botocore.exceptions import ClientError

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import route53_delegation_run
from ansible_collections.bbws.ecs_cluster.plugins.modules import route53_delegation

from .stubs import ExitJson
from .stubs import FailJson
from .stubs import StubClient
from .stubs import stub_aws

PARENT_ACCOUNT, DEV_ACCOUNT = "093646564004", "536580886816"
PARENT_NS = ["ns-p1.awsdns-1.com", "ns-p2.awsdns-2.net"]
CHILD_NS = ["ns-c1.awsdns-3.org", "ns-c2.awsdns-4.co.uk"]


def zone_answer(name: str, zone_id: str) -> dict:
    return {
        "HostedZones": [{"Id": f"/hostedzone/{zone_id}", "Name": f"{name}.", "Config": {"PrivateZone": False}}],
        "IsTruncated": False,
    }


@pytest.fixture
def clients():
    """The parent's and the dev child's clients, chosen by the credentials main() asks for."""
    parent_route53 = StubClient(
        "route53",
        list_hosted_zones_by_name=zone_answer("kimmyai.io", "ZPARENT"),
        list_resource_record_sets={"ResourceRecordSets": []},
        get_hosted_zone={"DelegationSet": {"NameServers": PARENT_NS}},
        change_resource_record_sets={"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING"}},
        get_change={"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING"}},
    )
    made = {
        ("route53", None): parent_route53,
        ("sts", None): StubClient("sts", get_caller_identity={"Account": PARENT_ACCOUNT}),
        ("sts", "AKIDEV"): StubClient("sts", get_caller_identity={"Account": DEV_ACCOUNT}),
        ("route53", "AKIDEV"): StubClient(
            "route53",
            list_hosted_zones_by_name=zone_answer("wpdev.kimmyai.io", "ZDEV"),
            get_hosted_zone={"DelegationSet": {"NameServers": CHILD_NS}},
        ),
    }
    return made


def run_main(monkeypatch, clients: dict, check_mode: bool = False, **options) -> tuple[str, dict, MagicMock]:
    """main() with a stand-in AnsibleAWSModule; returns ('exit' or 'fail', the result, the module)."""
    params = {
        "profile": None,
        "parent_zone": "kimmyai.io",
        "parent_account_id": PARENT_ACCOUNT,
        "children": [
            {"zone": "wpdev.kimmyai.io", "account_id": DEV_ACCOUNT, "access_key": "AKIDEV", "secret_key": "s"}
        ],
        "known_accounts": None,
        "ttl": 300,
        "state": "present",
        "wait": True,
        "wait_timeout": 0,
        "verify_dns": False,
        "nameservers": None,
        "port": 53,
        "timeout": 3.0,
    }
    params.update(options)
    module = MagicMock(params=params, check_mode=check_mode)
    stub_aws(monkeypatch, lambda service, region, kw: clients[(service, kw.get("aws_access_key_id"))])
    module.exit_json.side_effect = ExitJson
    module.fail_json.side_effect = FailJson
    module.fail_json_aws.side_effect = FailJson
    monkeypatch.setattr(route53_delegation, "AnsibleAWSModule", lambda **spec: module)
    try:
        route53_delegation.main()
    except ExitJson:
        return "exit", module.exit_json.call_args.kwargs, module
    except FailJson:
        return "fail", (module.fail_json_aws.call_args or module.fail_json.call_args).kwargs, module
    raise AssertionError("main() returned without exit_json or fail_json")


def test_change_still_pending_after_the_wait_fails_as_changed_with_the_change(monkeypatch, clients):
    outcome, result = run_main(monkeypatch, clients, wait_timeout=0)[:2]
    assert outcome == "fail"
    assert result["changed"] is True
    assert result["change"] == {"id": "C1", "status": "PENDING"}
    assert "Route 53 change C1 is still PENDING after 0s" in result["msg"]
    assert "aws route53 get-change --id C1" in result["msg"]
    assert result["api_calls"]["route53.ChangeResourceRecordSets"] == 1
    [batch] = clients[("route53", None)].called("change_resource_record_sets")
    assert batch["HostedZoneId"] == "ZPARENT"
    [upsert] = batch["ChangeBatch"]["Changes"]
    assert upsert["Action"] == "UPSERT"
    assert upsert["ResourceRecordSet"]["ResourceRecords"] == [{"Value": f"{ns}."} for ns in sorted(CHILD_NS)]


def test_without_wait_the_pending_change_is_returned_unpolled(monkeypatch, clients):
    outcome, result = run_main(monkeypatch, clients, wait=False)[:2]
    assert outcome == "exit"
    assert result["changed"] is True
    assert result["change"] == {"id": "C1", "status": "PENDING"}
    assert [(d["zone"], d["action"], d["change_id"]) for d in result["delegations"]] == [
        ("wpdev.kimmyai.io", "created", "C1")
    ]
    assert clients[("route53", None)].called("get_change") == []
    assert result["api_calls"] == {
        "sts.GetCallerIdentity": 2,
        "route53.ListHostedZonesByName": 2,
        "route53.ListResourceRecordSets": 1,
        "route53.GetHostedZone": 1,
        "route53.ChangeResourceRecordSets": 1,
    }


def test_refused_write_fails_with_the_manual_steps(monkeypatch, clients):
    clients[("route53", None)].answers["change_resource_record_sets"] = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "ChangeResourceRecordSets"
    )
    outcome, result = run_main(monkeypatch, clients)[:2]
    assert outcome == "fail"
    assert result["msg"].startswith("Could not write the NS records in kimmyai.io: access denied (AccessDenied)")
    steps = result["manual_steps"]
    assert steps in result["msg"]
    assert "--hosted-zone-id ZPARENT" in steps
    assert '"Name": "wpdev.kimmyai.io."' in steps
    assert f"The name servers of wpdev.kimmyai.io are: {', '.join(sorted(CHILD_NS))}." in steps


def test_check_mode_plans_the_change_and_writes_nothing(monkeypatch, clients):
    outcome, result = run_main(monkeypatch, clients, check_mode=True)[:2]
    assert outcome == "exit"
    assert result["changed"] is True
    assert result["change"] is None
    assert result["diff"] == {
        "before": {"wpdev.kimmyai.io": None},
        "after": {"wpdev.kimmyai.io": {"ttl": 300, "nameservers": sorted(CHILD_NS)}},
    }
    assert clients[("route53", None)].called("change_resource_record_sets") == []
    assert "route53.ChangeResourceRecordSets" not in result["api_calls"]


def test_a_bad_request_fails_before_any_client_is_made(monkeypatch, clients):
    child = {"zone": "wpdev.kimmyai.io", "account_id": DEV_ACCOUNT, "access_key": "AKIDEV", "secret_key": "s"}
    outcome, result, module = run_main(monkeypatch, clients, children=[child, dict(child, zone="WPDEV.kimmyai.io.")])
    assert outcome == "fail"
    assert result["msg"] == "Each child zone may appear once in children, got: wpdev.kimmyai.io, wpdev.kimmyai.io"
    assert result["api_calls"] == {}
    module.client.assert_not_called()


def test_verify_dns_without_dnspython_names_the_missing_library(monkeypatch, clients):
    monkeypatch.setattr(route53_delegation_run.dns_verify, "HAS_DNSPYTHON", False)
    outcome, result = run_main(monkeypatch, clients, check_mode=True, verify_dns=True)[:2]
    assert outcome == "fail"
    assert "dnspython" in result["msg"]


def test_each_delegation_carries_the_verifiers_verdict(clients):
    """DelegationRun takes the DNS verifier as an injected factory, as it takes its clients."""
    seen = []

    class Verifier:
        def verify(self, zone, servers, parent_servers):
            seen.append((zone, servers, parent_servers))
            return {"status": "delegated", "message": f"{zone} answers"}

    def make_client(service, **creds):
        return clients[(service, creds.get("aws_access_key_id"))]

    params = {
        "parent_zone": "kimmyai.io",
        "children": [
            {"zone": "wpdev.kimmyai.io", "account_id": DEV_ACCOUNT, "access_key": "AKIDEV", "secret_key": "s"}
        ],
        "ttl": 300,
        "state": "present",
        "wait": False,
        "verify_dns": True,
    }
    result = route53_delegation_run.DelegationRun(params, make_client, check_mode=True, make_verifier=Verifier).run()
    assert seen == [("wpdev.kimmyai.io", sorted(CHILD_NS), sorted(PARENT_NS))]
    assert result["delegations"][0]["verification"] == {"status": "delegated", "message": "wpdev.kimmyai.io answers"}
    assert result["parent"] == {"zone": "kimmyai.io", "id": "ZPARENT", "nameservers": sorted(PARENT_NS)}
