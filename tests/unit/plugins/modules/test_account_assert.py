"""account_assert's orchestration: which identities main() reads, and what it reports (stubbed STS, see stubs.py).

The account comparison itself is tested in module_utils/test_account.py, the module against the emulator's three
accounts in tests/integration/test_account_assert.py and through a faulty proxy in tests/integration/faults.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.bbws.ecs_cluster.plugins.modules import account_assert

from .stubs import StubClient
from .stubs import run_main

PROD, DEV = "093646564004", "536580886816"


@pytest.fixture(autouse=True)
def no_config_file(monkeypatch):
    """The profile checks read the AWS config file, which unit tests do not have (tested against the emulator)."""
    monkeypatch.setattr(account_assert, "missing_profile_message", lambda profile: None)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "EC2_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)


def sts(account: str) -> StubClient:
    return StubClient(
        "sts", get_caller_identity={"Account": account, "Arn": f"arn:aws:iam::{account}:user/x", "UserId": "AIDAX"}
    )


def params(**extra) -> dict:
    return {
        "profile": "Tebogo-prod",
        "access_key": None,
        "expected_account_id": PROD,
        "environment": "prod",
        "known_accounts": None,
        "additional_profiles": [],
        **extra,
    }


def test_the_own_identity_is_asserted_and_the_calls_counted(monkeypatch):
    outcome, result, _module = run_main(monkeypatch, account_assert, params(), lambda service, region, kw: sts(PROD))
    assert outcome == "exit"
    assert (result["account_id"], result["environment"]) == (PROD, "prod")
    assert result["verified"] == [{"profile": "Tebogo-prod", "account_id": PROD, "environment": "prod"}]
    assert result["api_calls"] == {"sts.GetCallerIdentity": 1}


def test_another_profile_in_the_wrong_account_fails_naming_both(monkeypatch):
    clients = {"Tebogo-prod": sts(PROD), "Tebogo-dev": sts(PROD)}
    other = {"profile": "Tebogo-dev", "account_id": DEV, "environment": "dev", "zone": None}
    outcome, result, _module = run_main(
        monkeypatch,
        account_assert,
        params(additional_profiles=[other]),
        lambda service, region, kw: clients[kw.get("profile_name") or "Tebogo-prod"],
    )
    assert outcome == "fail"
    assert (result["account_id"], result["expected_account_id"]) == (PROD, DEV)
    assert result["msg"].startswith(f"Account ID mismatch: expected {DEV} (dev)")
    assert result["api_calls"] == {"sts.GetCallerIdentity": 2}
    assert clients["Tebogo-dev"].called("get_caller_identity") == [{}]


def test_an_aws_error_goes_to_fail_json_aws_with_the_advice(monkeypatch):
    error = ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "GetCallerIdentity")
    stub = StubClient("sts", get_caller_identity=error)
    outcome, result, module = run_main(monkeypatch, account_assert, params(), lambda service, region, kw: stub)
    assert outcome == "fail"
    assert result["args"] == (error,)
    assert "the credentials are expired or invalid (ExpiredToken)" in result["msg"]
    assert result["api_calls"] == {"sts.GetCallerIdentity": 1}
    module.exit_json.assert_not_called()


def test_a_malformed_account_id_is_refused_before_any_call(monkeypatch):
    made = []
    outcome, result, _module = run_main(
        monkeypatch,
        account_assert,
        params(expected_account_id="93646564004"),
        lambda service, region, kw: made.append(service),
    )
    assert outcome == "fail" and "12 digits" in result["msg"]
    assert made == []
