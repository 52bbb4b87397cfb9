"""orphan_resources_info's orchestration: the account is checked before the state is read, and a missing state lists
nothing (stubbed clients, see stubs.py). Finding orphans is tested in module_utils/test_orphan_fixes.py."""

from __future__ import annotations

from botocore.exceptions import ClientError

from ansible_collections.bbws.ecs_cluster.plugins.modules import orphan_resources_info

from .stubs import StubClient
from .stubs import run_main

DEV, SIT = "536580886816", "815856636111"


def params(**extra) -> dict:
    return {
        "profile": "Tebogo-dev",
        "region": "af-south-1",
        "project": "bbws",
        "environment": "dev",
        "regions": None,
        "state_bucket": "bbws-tfstate-dev",
        "state_key": "bbws/dev/terraform.tfstate",
        "state_region": None,
        "expected_account_id": DEV,
        "known_accounts": {},
        **extra,
    }


def test_credentials_in_another_account_stop_before_the_state_is_read(monkeypatch):
    clients = {"sts": StubClient("sts", get_caller_identity={"Account": SIT}), "s3": StubClient("s3")}
    outcome, result, _module = run_main(
        monkeypatch, orphan_resources_info, params(), lambda service, region, kw: clients[service]
    )
    assert outcome == "fail"
    assert result["account_id"] == SIT
    assert result["msg"].startswith(f"Account ID mismatch: expected {DEV}")
    assert result["api_calls"] == {"sts.GetCallerIdentity": 1}
    assert clients["s3"].made == []


def test_a_missing_state_lists_nothing_and_says_why(monkeypatch):
    missing = ClientError({"Error": {"Code": "NoSuchKey", "Message": "gone"}}, "GetObject")
    clients = {
        "sts": StubClient("sts", get_caller_identity={"Account": DEV}),
        "s3": StubClient("s3", get_object=missing),
        "resourcegroupstaggingapi": StubClient("tagging"),
    }
    outcome, result, module = run_main(
        monkeypatch, orphan_resources_info, params(), lambda service, region, kw: clients[service]
    )
    assert outcome == "fail"
    assert "No Terraform state at s3://bbws-tfstate-dev/bbws/dev/terraform.tfstate (NoSuchKey)" in result["msg"]
    assert result["api_calls"] == {"s3.GetObject": 1, "sts.GetCallerIdentity": 1}
    assert clients["resourcegroupstaggingapi"].made == []
    module.fail_json_aws.assert_not_called()
