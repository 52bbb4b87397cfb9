"""cluster_health's orchestration: options refused before any AWS call, and the identity read with the other reads
decides whether there is a report (stubbed STS, a stand-in for the reads). The reads and the report are tested against
the emulator in tests/integration/health, the analysis in module_utils/test_cluster_health_analysis.py."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.modules import cluster_health

from .stubs import StubClient
from .stubs import run_main

DEV, SIT = "536580886816", "815856636111"


def params(**extra) -> dict:
    return {
        "profile": "Tebogo-dev",
        "region": "af-south-1",
        "environment": "dev",
        "project": "bbws",
        "domain": "wpdev.kimmyai.io",
        "zone": None,
        "example_tenant": "banana",
        "custom_domain": "auto",
        "certificate_fallback": None,
        "history_dir": None,
        "edge_region": "us-east-1",
        "resources": {},
        "policy": {},
        "wait_timeout": 0,
        "report_dir": None,
        "expected_account_id": DEV,
        "known_accounts": None,
        "expected_alarms": [],
        "tenant_cost": {"task_cpu": 256, "tasks": 1, "db_connections": 10},
        "capacity_warning_tenants": 10,
        **extra,
    }


@pytest.fixture
def reads(monkeypatch):
    """The reads stand in: they ask STS who the caller is, as collect() does, and found nothing else."""
    answers = {}

    def collect(clients, ctx):
        identity = clients["sts"].get_caller_identity(aws_retry=True)
        return {"identity": answers.get("identity") or {"account_id": identity["Account"]}}

    monkeypatch.setattr(cluster_health, "collect", collect)
    return answers


@pytest.mark.parametrize(
    "bad,words",
    [
        ({"wait_timeout": -1}, "wait_timeout must be 0"),
        (
            {"tenant_cost": {"task_cpu": 0, "tasks": 1, "db_connections": 10}},
            "tenant_cost.task_cpu must be a positive number",
        ),
        ({"expected_account_id": "123"}, "12 digits"),
    ],
)
def test_bad_options_are_refused_before_any_aws_call(monkeypatch, reads, bad, words):
    made = []
    outcome, result, _module = run_main(
        monkeypatch, cluster_health, params(**bad), lambda service, region, kw: made.append(service)
    )
    assert outcome == "fail" and words in result["msg"]
    assert result["api_calls"] == {} and made == []


def test_credentials_in_another_account_give_no_report(monkeypatch, reads):
    sts = StubClient("sts", get_caller_identity={"Account": SIT})
    outcome, result, module = run_main(monkeypatch, cluster_health, params(), lambda service, region, kw: sts)
    assert outcome == "fail"
    assert result["account_id"] == SIT
    assert result["msg"].startswith(f"Account ID mismatch: expected {DEV} (dev)")
    assert result["api_calls"] == {"sts.GetCallerIdentity": 1}
    module.exit_json.assert_not_called()


def test_an_unreadable_identity_is_the_one_reason_given(monkeypatch, reads):
    reads["identity"] = {"error": "Could not read the identity resources: the credentials are expired or invalid"}
    sts = StubClient("sts", get_caller_identity={"Account": DEV})
    outcome, result, _module = run_main(monkeypatch, cluster_health, params(), lambda service, region, kw: sts)
    assert outcome == "fail"
    assert result["msg"] == reads["identity"]["error"]
