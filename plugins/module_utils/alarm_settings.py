# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory's alarm settings (bbws_alarm_thresholds, bbws_alarm_email_endpoints, bbws_alarm_notify_ok).

The same rules as terraform/variables.tf's alarm_thresholds, alarm_email_endpoints and alarm_notify_ok, checked
before anything is planned, so a missing, unknown or mistyped threshold stops the run with every problem named.
Each alarm of the stack is named <project>-<environment>-<key with "_" as "-">.
"""

from __future__ import annotations

import re
from typing import Any

PERCENT = "a percentage above 0 and at most 100"
BYTES = "a whole number of bytes above 0"
COUNT = "a whole number, 0 or more"
SECONDS = "seconds above 0 and at most 60"

# Every threshold key and what its value must be (terraform/variables.tf has the same keys and rules).
ALARM_THRESHOLD_KINDS: dict[str, str] = {
    "rds_cpu_percent": PERCENT,
    "rds_free_storage_bytes": BYTES,
    "rds_freeable_memory_bytes": BYTES,
    "rds_connections_percent": PERCENT,
    "alb_5xx_count": COUNT,
    "alb_target_5xx_count": COUNT,
    "alb_unhealthy_hosts": COUNT,
    "alb_target_response_time_seconds": SECONDS,
    "ecs_cpu_percent": PERCENT,
    "ecs_memory_percent": PERCENT,
    "efs_percent_io_limit": PERCENT,
    "efs_burst_credit_balance_bytes": BYTES,
    "nat_port_allocation_errors": COUNT,
    "nat_packets_dropped": COUNT,
    "cloudfront_5xx_error_rate_percent": PERCENT,
}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _fits(kind: str, value: float) -> bool:
    if kind == PERCENT:
        return 0 < value <= 100
    if kind == BYTES:
        return value > 0 and value == int(value)
    if kind == COUNT:
        return value >= 0 and value == int(value)
    return 0 < value <= 60


def threshold_problems(thresholds: Any) -> list[str]:
    """What is wrong with a bbws_alarm_thresholds value: one sentence per problem, none when it is valid."""
    if not isinstance(thresholds, dict):
        return [f"bbws_alarm_thresholds must be a dict of {len(ALARM_THRESHOLD_KINDS)} thresholds, not {thresholds!r}"]
    problems = []
    missing = [key for key in ALARM_THRESHOLD_KINDS if key not in thresholds]
    if missing:
        problems.append(f"bbws_alarm_thresholds lacks {', '.join(missing)}")
    unknown = sorted(str(key) for key in thresholds if key not in ALARM_THRESHOLD_KINDS)
    if unknown:
        problems.append(
            f"bbws_alarm_thresholds has unknown keys {', '.join(unknown)} (known: {', '.join(ALARM_THRESHOLD_KINDS)})"
        )
    for key, kind in ALARM_THRESHOLD_KINDS.items():
        if key not in thresholds:
            continue
        value = thresholds[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _fits(kind, value):
            problems.append(f"bbws_alarm_thresholds.{key} is {value!r}: it must be {kind}")
    return problems


def alarm_settings_problems(thresholds: Any, email_endpoints: Any, notify_ok: Any) -> list[str]:
    """Every problem of the three alarm settings together."""
    problems = threshold_problems(thresholds)
    if not isinstance(email_endpoints, list):
        problems.append(
            f"bbws_alarm_email_endpoints must be a list of e-mail addresses ([] for none), not {email_endpoints!r}"
        )
    else:
        bad = [address for address in email_endpoints if not isinstance(address, str) or not EMAIL.match(address)]
        if bad:
            problems.append(f"bbws_alarm_email_endpoints holds {', '.join(repr(b) for b in bad)}: not e-mail addresses")
    if not isinstance(notify_ok, bool):
        problems.append(f"bbws_alarm_notify_ok must be true or false, not {notify_ok!r}")
    return problems
