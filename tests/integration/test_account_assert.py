"""account_assert against the three emulated accounts (real STS assume-role over HTTP)."""

from __future__ import annotations

import itertools

import boto3
import pytest

from ansible_collections.bbws.ecs_cluster.plugins.modules import account_assert

pytestmark = pytest.mark.emulator

ACCOUNTS = {"dev": "536580886816", "sit": "815856636111", "prod": "093646564004"}
PROFILES = {"dev": "Tebogo-dev", "sit": "Tebogo-sit", "prod": "Tebogo-prod"}
REGISTRY = {env: {"account_id": ACCOUNTS[env], "profile": PROFILES[env]} for env in ACCOUNTS}


@pytest.mark.parametrize("env", sorted(ACCOUNTS))
def test_each_profile_matches_its_account(aws, module_runner, env):
    result = module_runner(
        account_assert,
        {
            "profile": PROFILES[env],
            "expected_account_id": ACCOUNTS[env],
            "environment": env,
            "known_accounts": REGISTRY,
        },
    )
    assert not result.failed, result
    assert result["changed"] is False
    assert result["account_id"] == ACCOUNTS[env]
    assert result["environment"] == env
    assert f":{ACCOUNTS[env]}:assumed-role/" in result["arn"]


@pytest.mark.parametrize("used,target", list(itertools.permutations(sorted(ACCOUNTS), 2)))
def test_wrong_profile_is_refused_with_seed_message(aws, module_runner, used, target):
    result = module_runner(
        account_assert,
        {
            "profile": PROFILES[used],
            "expected_account_id": ACCOUNTS[target],
            "environment": target,
            "known_accounts": REGISTRY,
        },
    )
    assert result.failed
    assert result["msg"].startswith(
        f"Account ID mismatch: expected {ACCOUNTS[target]} ({target}) but found {ACCOUNTS[used]} "
        f"({used}, profile {PROFILES[used]})"
    )
    assert f"use profile {PROFILES[target]}" in result["msg"]


def test_bad_account_id_format(aws, module_runner):
    result = module_runner(account_assert, {"profile": "Tebogo-dev", "expected_account_id": "5365808868"})
    assert result.failed
    assert "exactly 12 digits" in result["msg"]


def test_missing_profile_names_config_file(aws, module_runner):
    result = module_runner(account_assert, {"profile": "Tebogo-qa", "expected_account_id": ACCOUNTS["dev"]})
    assert result.failed
    assert "AWS profile 'Tebogo-qa' is not configured" in result["msg"]
    assert str(aws.config_file) in result["msg"]
    assert "Traceback" not in str(result)


def test_endpoint_down_is_a_clear_error(aws, module_runner, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    result = module_runner(account_assert, {"profile": "Tebogo-dev", "expected_account_id": ACCOUNTS["dev"]})
    assert result.failed
    assert "no answer from http://127.0.0.1:9" in result["msg"]
    assert "Traceback" not in str(result)


def test_expired_credentials_are_named(aws, module_runner, monkeypatch):
    # moto accepts any key; a session token it never issued is the closest real answer to an expired one.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAEXPIREDEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "expired")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "expired")
    result = module_runner(account_assert, {"expected_account_id": ACCOUNTS["dev"]})
    # Either moto refuses the token, or it answers for its default account: both must fail cleanly.
    assert result.failed
    assert "Traceback" not in str(result)


def test_check_mode_reads_only(aws, module_runner):
    result = module_runner(
        account_assert,
        {"profile": "Tebogo-sit", "expected_account_id": ACCOUNTS["sit"], "_ansible_check_mode": True},
    )
    assert not result.failed and result["changed"] is False


def test_guard_refuses_prod_profile_mapped_to_dev_and_creates_nothing(aws, playbook, tmp_path):
    config = aws.write_config(tmp_path / "aws_config", overrides={"Tebogo-prod": ACCOUNTS["dev"]})
    proc = playbook("site.yml", "-i", "inventories/prod", "--check", env={"AWS_CONFIG_FILE": str(config)})
    assert proc.returncode != 0
    words = " ".join(proc.stdout.split())  # the YAML callback folds long messages
    assert "Account ID mismatch: expected 093646564004 (prod) but found 536580886816 (dev, profile Tebogo-dev)" in words
    assert "use profile Tebogo-prod" in words
    assert "Traceback" not in proc.stdout + proc.stderr
    # Nothing was created in any account.
    for env in ACCOUNTS:
        session = boto3.Session(profile_name=PROFILES[env])
        assert session.client("route53").list_hosted_zones()["HostedZones"] == []
        assert session.client("s3").list_buckets()["Buckets"] == []
        assert session.client("ec2").describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])["Vpcs"] == []


def test_site_guard_accepts_all_three_accounts(aws, playbook):
    proc = playbook(
        "site.yml",
        "-i",
        "inventories/dev",
        "-i",
        "inventories/sit",
        "-i",
        "inventories/prod",
        "--check",
        "--tags",
        "guard",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for env, account in ACCOUNTS.items():
        assert f"{env.upper()}: profile {PROFILES[env]} is in account {account}" in proc.stdout
