"""account module_utils: the comparison and the seed's mismatch message, without AWS."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import AccountMismatchError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import assert_account
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import caller_identity
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import expected_account_problem
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import normalize_known_accounts
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import validate_account_id

REGISTRY = {
    "dev": {"account_id": "536580886816", "profile": "Tebogo-dev"},
    "sit": {"account_id": "815856636111", "profile": "Tebogo-sit"},
    "prod": {"account_id": "093646564004", "profile": "Tebogo-prod"},
}


@pytest.mark.parametrize("value", ["12345", "0936465640041", "09364656400a", "", " 093646564004x"])
def test_bad_account_id_is_refused(value):
    with pytest.raises(ValueError, match="exactly 12 digits"):
        validate_account_id(value)


def test_account_id_keeps_leading_zero():
    assert validate_account_id("093646564004") == "093646564004"


def test_registry_shapes_are_equivalent():
    by_env = normalize_known_accounts(REGISTRY)
    by_id = normalize_known_accounts({"093646564004": {"environment": "prod", "profile": "Tebogo-prod"}})
    assert by_env["093646564004"] == by_id["093646564004"] == {"environment": "prod", "profile": "Tebogo-prod"}


def test_two_environments_claiming_one_account_are_refused():
    registry = {**REGISTRY, "sit": {"account_id": "536580886816", "profile": "Tebogo-sit"}}
    with pytest.raises(ValueError, match="Two environments claim account 536580886816: dev and sit"):
        normalize_known_accounts(registry)


def test_match_returns_identity():
    identity = {"Account": "093646564004", "Arn": "arn:aws:sts::093646564004:assumed-role/r/s", "UserId": "AROA:s"}
    result = assert_account(identity, "093646564004", "prod", REGISTRY)
    assert result == {
        "account_id": "093646564004",
        "arn": "arn:aws:sts::093646564004:assumed-role/r/s",
        "user_id": "AROA:s",
        "environment": "prod",
    }


def test_mismatch_names_found_environment_and_right_profile():
    with pytest.raises(AccountMismatchError) as err:
        assert_account({"Account": "536580886816"}, "093646564004", "prod", REGISTRY, profile="Tebogo-prod")
    msg = str(err.value)
    assert msg.startswith(
        "Account ID mismatch: expected 093646564004 (prod) but found 536580886816 (dev, profile Tebogo-dev)"
    )
    assert "use profile Tebogo-prod" in msg
    assert "run against inventories/dev" in msg
    assert "Nothing was changed" in msg


def test_mismatch_with_unknown_account():
    with pytest.raises(AccountMismatchError, match=r"found 123456789012 \(not a known BBWS account\)"):
        assert_account({"Account": "123456789012"}, "536580886816", "dev", REGISTRY)


def test_environment_contradicting_registry_is_refused():
    with pytest.raises(AccountMismatchError, match="registered as dev, but the run targets sit"):
        assert_account({"Account": "536580886816"}, "536580886816", "sit", REGISTRY)


def test_expected_account_problem_only_when_the_account_differs():
    params = {"expected_account_id": "536580886816", "environment": "dev", "known_accounts": None, "profile": "p"}
    assert expected_account_problem(params, "536580886816") is None
    assert expected_account_problem({**params, "expected_account_id": None}, "815856636111") is None
    assert expected_account_problem(params, "815856636111").startswith(
        "Account ID mismatch: expected 536580886816 (dev)"
    )


def test_caller_identity_of_another_profile_carries_no_keys_of_the_module():
    asked = []

    class Sts:
        def get_caller_identity(self, aws_retry=False):
            return {"Account": "536580886816", "retried": aws_retry}

    def make_client(service, **credentials):
        asked.append((service, credentials))
        return Sts()

    assert caller_identity(make_client)["retried"] is True
    caller_identity(make_client, "Tebogo-dev")
    assert asked == [
        ("sts", {}),
        (
            "sts",
            {
                "profile_name": "Tebogo-dev",
                "aws_access_key_id": None,
                "aws_secret_access_key": None,
                "aws_session_token": None,
            },
        ),
    ]
