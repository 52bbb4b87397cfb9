# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Account assertion: is the caller in the account the environment says it should be?

Plain functions that take values, not the module, so they are tested without AWS and reused by the
delegation module (which asserts every child account before it writes anything).
"""

from __future__ import annotations

import re
from typing import Any

ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
ENVIRONMENTS = ("dev", "sit", "prod")


class AccountMismatchError(Exception):
    """The credentials landed in another account than the one the environment expects."""


def validate_account_id(value: str, what: str = "expected_account_id") -> str:
    """Return the account ID as a string, or raise ValueError saying what is wrong with it."""
    text = str(value).strip()
    if not ACCOUNT_ID_RE.match(text):
        raise ValueError(f"{what} must be exactly 12 digits (an AWS account ID), got {value!r}")
    return text


def normalize_known_accounts(known_accounts: dict | None) -> dict[str, dict[str, str]]:
    """Accept ``{account_id: {environment, profile}}`` and return it with IDs validated.

    Also accepts the inventory's registry shape ``{environment: {account_id, profile}}`` so callers
    can pass ``bbws_environments`` as it is.
    """
    result: dict[str, dict[str, str]] = {}
    for key, value in (known_accounts or {}).items():
        value = dict(value or {})
        if ACCOUNT_ID_RE.match(str(key)):
            account_id = str(key)
            env = value.get("environment", "")
        else:
            account_id = str(value.get("account_id", ""))
            env = value.get("environment", key)
        account_id = validate_account_id(account_id, what=f"known_accounts entry {key!r}")
        if account_id in result and result[account_id].get("environment") != env:
            raise ValueError(
                f"Two environments claim account {account_id}: {result[account_id]['environment']} and {env}. "
                "Each environment must have its own AWS account."
            )
        result[account_id] = {"environment": str(env), "profile": str(value.get("profile") or "")}
    return result


def _label(account_id: str, known: dict[str, dict[str, str]]) -> str:
    info = known.get(account_id)
    if not info:
        return f"{account_id} (not a known BBWS account)"
    profile = f", profile {info['profile']}" if info.get("profile") else ""
    return f"{account_id} ({info['environment']}{profile})"


def caller_identity(make_client: Any, profile: str | None = None) -> dict[str, Any]:
    """GetCallerIdentity of the module's own credentials, or, given ``profile``, of that profile alone (no keys of the
    module's mixed in). ``make_client`` is the collection's client factory (aws_client.AWSClients.client)."""
    credentials = (
        {}
        if profile is None
        else {
            "profile_name": profile,
            "aws_access_key_id": None,
            "aws_secret_access_key": None,
            "aws_session_token": None,
        }
    )
    return make_client("sts", **credentials).get_caller_identity(aws_retry=True)


def mismatch_message(
    expected_account_id: str,
    environment: str | None,
    actual_account_id: str,
    known_accounts: dict[str, dict[str, str]],
    profile: str | None = None,
) -> str:
    """The environment-mismatch report: expected and found account, what is blocked, how to fix it, in one message."""
    env = environment or known_accounts.get(expected_account_id, {}).get("environment") or "the target environment"
    found = known_accounts.get(actual_account_id, {})
    expected_profile = known_accounts.get(expected_account_id, {}).get("profile")
    lines = [
        (
            f"Account ID mismatch: expected {expected_account_id} ({env}) but found"
            f" {_label(actual_account_id, known_accounts)}."
        ),
        (
            f"DEPLOYMENT BLOCKED: the credentials{f' of profile {profile}' if profile else ''} are for "
            f"{(found.get('environment') or 'an unknown').upper()} account {actual_account_id}, not {env.upper()}."
        ),
        "Resolution:",
    ]
    if found.get("environment"):
        lines.append(f"- If you meant {found['environment']}: run against inventories/{found['environment']} instead.")
    switch = f"use profile {expected_profile}" if expected_profile else "use credentials for that account"
    lines.append(f"- If you meant {env}: switch to account {expected_account_id} ({switch}) and re-run.")
    lines.append("Nothing was changed. This check prevents deployments to the wrong environment.")
    return "\n".join(lines)


def expected_account_problem(params: dict[str, Any], actual: str | None, environment: str | None = None) -> str | None:
    """The mismatch message when the module's ``expected_account_id`` is set and the credentials landed in another
    account; None otherwise. ``params`` are the module's options (``expected_account_id``, ``known_accounts``,
    ``profile``, and ``environment`` unless given)."""
    expected = params.get("expected_account_id")
    if not expected or actual == expected:
        return None
    return mismatch_message(
        expected,
        environment if environment is not None else params.get("environment"),
        str(actual),
        normalize_known_accounts(params.get("known_accounts")),
        params.get("profile"),
    )


def assert_account(
    identity: dict,
    expected_account_id: str,
    environment: str | None = None,
    known_accounts: dict | None = None,
    profile: str | None = None,
) -> dict[str, str]:
    """Compare a GetCallerIdentity answer with the expected account; raise AccountMismatchError if not equal."""
    expected = validate_account_id(expected_account_id)
    known = normalize_known_accounts(known_accounts)
    actual = str(identity.get("Account", ""))
    if actual != expected:
        raise AccountMismatchError(mismatch_message(expected, environment, actual, known, profile))
    env = environment or known.get(actual, {}).get("environment")
    if environment and known.get(actual, {}).get("environment") not in (None, "", environment):
        raise AccountMismatchError(
            f"Account ID mismatch: account {actual} is registered as {known[actual]['environment']}, "
            f"but the run targets {environment}. Fix the inventory: each environment has its own account."
        )
    return {
        "account_id": actual,
        "arn": identity.get("Arn", ""),
        "user_id": identity.get("UserId", ""),
        "environment": env or "",
    }
