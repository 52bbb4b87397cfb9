"""The inventory's alarm settings: every problem named before anything is planned."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.alarm_settings import ALARM_THRESHOLD_KINDS
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.alarm_settings import alarm_settings_problems
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.alarm_settings import threshold_problems

VALID = {
    "rds_cpu_percent": 80,
    "rds_free_storage_bytes": 10737418240,
    "rds_freeable_memory_bytes": 1073741824,
    "rds_connections_percent": 80,
    "alb_5xx_count": 10,
    "alb_target_5xx_count": 25,
    "alb_unhealthy_hosts": 0,
    "alb_target_response_time_seconds": 1.5,
    "ecs_cpu_percent": 80,
    "ecs_memory_percent": 80.5,
    "efs_percent_io_limit": 80,
    "efs_burst_credit_balance_bytes": 107374182400,
    "nat_port_allocation_errors": 0,
    "nat_packets_dropped": 100,
    "cloudfront_5xx_error_rate_percent": 1,
}


def test_valid_thresholds_have_no_problem() -> None:
    assert sorted(VALID) == sorted(ALARM_THRESHOLD_KINDS)
    assert alarm_settings_problems(VALID, [], False) == []
    assert alarm_settings_problems(VALID, ["oncall@example.com"], True) == []


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("rds_cpu_percent", 101, "bbws_alarm_thresholds.rds_cpu_percent is 101: it must be a percentage above 0"),
        ("ecs_memory_percent", 0, "ecs_memory_percent is 0: it must be a percentage above 0 and at most 100"),
        ("rds_free_storage_bytes", 0, "rds_free_storage_bytes is 0: it must be a whole number of bytes above 0"),
        ("efs_burst_credit_balance_bytes", 1.5, "is 1.5: it must be a whole number of bytes above 0"),
        ("alb_5xx_count", -1, "alb_5xx_count is -1: it must be a whole number, 0 or more"),
        ("alb_unhealthy_hosts", 0.5, "alb_unhealthy_hosts is 0.5: it must be a whole number, 0 or more"),
        ("alb_target_response_time_seconds", 61, "is 61: it must be seconds above 0 and at most 60"),
        ("rds_cpu_percent", "80", "rds_cpu_percent is '80': it must be a percentage"),
        ("nat_packets_dropped", True, "nat_packets_dropped is True: it must be a whole number, 0 or more"),
        ("alb_5xx_count", None, "alb_5xx_count is None: it must be a whole number"),
    ],
)
def test_a_value_out_of_range_or_of_the_wrong_type_is_named(key: str, value: object, problem: str) -> None:
    problems = threshold_problems({**VALID, key: value})
    assert len(problems) == 1 and problem in problems[0], problems


def test_missing_and_unknown_keys_are_named() -> None:
    thresholds = {k: v for k, v in VALID.items() if k not in ("nat_packets_dropped", "rds_cpu_percent")}
    thresholds["rds_cpu"] = 80
    assert threshold_problems(thresholds) == [
        "bbws_alarm_thresholds lacks rds_cpu_percent, nat_packets_dropped",
        f"bbws_alarm_thresholds has unknown keys rds_cpu (known: {', '.join(ALARM_THRESHOLD_KINDS)})",
    ]


def test_not_a_dict() -> None:
    assert threshold_problems([80]) == ["bbws_alarm_thresholds must be a dict of 15 thresholds, not [80]"]


def test_endpoints_and_notify_ok() -> None:
    assert alarm_settings_problems(VALID, "ops@example.com", "yes") == [
        "bbws_alarm_email_endpoints must be a list of e-mail addresses ([] for none), not 'ops@example.com'",
        "bbws_alarm_notify_ok must be true or false, not 'yes'",
    ]
    assert alarm_settings_problems(VALID, ["ops@example.com", "ops", 3], False) == [
        "bbws_alarm_email_endpoints holds 'ops', 3: not e-mail addresses"
    ]
