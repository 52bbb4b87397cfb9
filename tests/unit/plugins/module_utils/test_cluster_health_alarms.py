"""The alarm names of the stack's contract and how the report reads them (no AWS)."""

from __future__ import annotations

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_alarms import expected_names
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_alarms import key_of
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_analysis import Analysis
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_analysis import Env
from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_alarms


def test_names_follow_the_contract_with_one_nat_alarm_per_gateway():
    names = expected_names("bbws", "prod", ["rds_cpu_percent", "nat_port_allocation_errors"], nat_gateways=2)
    assert names == {
        "bbws-prod-rds-cpu-percent": "rds_cpu_percent",
        "bbws-prod-nat-port-allocation-errors-0": "nat_port_allocation_errors",
        "bbws-prod-nat-port-allocation-errors-1": "nat_port_allocation_errors",
    }
    assert list(expected_names("bbws", "dev", ["nat_packets_dropped"], nat_gateways=0)) == [
        "bbws-dev-nat-packets-dropped-0"
    ]


def test_key_of_an_alarm_name():
    assert key_of("bbws-prod-nat-packets-dropped-1", "bbws", "prod") == "nat_packets_dropped"
    assert key_of("bbws-prod-rds-cpu-percent", "bbws", "prod") == "rds_cpu_percent"
    assert key_of("bbws-prod-rds-cpu-percent-1", "bbws", "prod") is None
    assert key_of("bbws-dev-rds-cpu-percent", "bbws", "prod") is None


def alarm(name: str, state: str = "OK", actions: list | None = None, enabled: bool = True) -> dict:
    return {
        "name": name,
        "arn": f"arn:{name}",
        "region": "af-south-1",
        "state": state,
        "reason": "r",
        "since": "t",
        "metric": "AWS/RDS CPUUtilization",
        "metrics": False,
        "threshold": "Average > 80",
        "actions": ["arn:aws:sns:af-south-1:1:bbws-dev-alarms"] if actions is None else actions,
        "actions_enabled": enabled,
    }


def review(alarms: list[dict], expected: list[str]) -> Analysis:
    result = Analysis()
    env = Env("dev", "bbws", "af-south-1", "us-east-1", "Tebogo-dev", None, {}, expected_alarms=expected)
    snapshot = {"alarms": {"found": True, "alarms": alarms}, "network": {"nat_gateways": [{"state": "available"}]}}
    cluster_health_alarms.review(result, snapshot, env)
    return result


def test_disabled_actions_count_as_no_action_and_unknown_alarms_in_alarm_still_count():
    result = review(
        [alarm("bbws-dev-rds-cpu-percent", enabled=False), alarm("bbws-dev-custom", state="ALARM")], ["rds_cpu_percent"]
    )
    summaries = [f.summary for f in result.findings]
    assert any(
        "bbws-dev-rds-cpu-percent (af-south-1) notifies nobody: its actions are disabled" in s for s in summaries
    )
    assert any(s.startswith("Alarm bbws-dev-custom (af-south-1) is in ALARM since t") for s in summaries)
    assert len(summaries) == 2


def test_all_present_with_actions_is_clean():
    result = review(
        [alarm("bbws-dev-rds-cpu-percent"), alarm("bbws-dev-nat-packets-dropped-0")],
        ["rds_cpu_percent", "nat_packets_dropped"],
    )
    assert result.findings == [] and result.status == "healthy"
