# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The environment's CloudWatch alarms in the health report (no AWS calls here).

Names follow the stack's contract: ``<project>-<environment>-<key with "_" as "-">`` for each key of the
inventory's ``bbws_alarm_thresholds``, with ``-<index>`` per NAT gateway for the NAT alarms; every alarm is in the
environment's region except the CloudFront one, which is in us-east-1 where CloudFront's metrics are. Each alarm
notifies the environment's SNS topic ``<project>-<environment>-alarms``.

An alarm in ALARM is a finding (metric, threshold, state reason, since when, next step); an expected alarm that is
missing or has no alarm action is a finding whose fix is the stack's plan and apply.
"""

from __future__ import annotations

from typing import Any

# Alarms with one copy per resource: the key's name gets "-<index>" per NAT gateway.
PER_NAT_GATEWAY = ("nat_port_allocation_errors", "nat_packets_dropped")
EDGE_ALARMS = ("cloudfront_5xx_error_rate_percent",)
# What an operator does first when the alarm fires; severity "high" where tenants see errors now.
NEXT_STEPS: dict[str, tuple[str, str]] = {
    "rds_cpu_percent": (
        "medium",
        (
            "find the busy tenant database (Performance Insights, slow query log); if the load "
            "lasts, raise bbws_rds_instance_class and run the plan and apply phases"
        ),
    ),
    "rds_free_storage_bytes": (
        "high",
        (
            "find the growing tenant database; raise bbws_rds_allocated_storage and run the "
            "plan and apply phases before the instance runs out of space"
        ),
    ),
    "rds_freeable_memory_bytes": (
        "medium",
        (
            "check the connections in use (capacity headroom) and the buffer pool; raise "
            "bbws_rds_instance_class if it lasts"
        ),
    ),
    "rds_connections_percent": (
        "high",
        (
            "see the capacity headroom's RDS connections; find the tenant holding most "
            "connections, or raise bbws_rds_instance_class"
        ),
    ),
    "alb_5xx_count": (
        "high",
        (
            "the ALB itself answers 5xx: check the Target health check and the ALB -> ECS path in "
            "this report (target groups with no healthy target)"
        ),
    ),
    "alb_target_5xx_count": (
        "high",
        (
            "tenant containers answer 5xx: read the failing services' logs in the ECS log "
            "group and their recent deployments"
        ),
    ),
    "alb_unhealthy_hosts": (
        "high",
        (
            "see Target health and the ALB -> ECS path in this report, then the services' "
            "events (aws ecs describe-services)"
        ),
    ),
    "alb_target_response_time_seconds": (
        "medium",
        "tenant containers answer slowly: check ECS CPU and memory and RDS load; raise the task size or count",
    ),
    "ecs_cpu_percent": (
        "medium",
        "find the busy services in Container Insights; raise bbws_ecs_task_cpu or the services' task count",
    ),
    "ecs_memory_percent": (
        "medium",
        "find the services near their memory limit in Container Insights; raise bbws_ecs_task_memory",
    ),
    "efs_percent_io_limit": ("medium", "find the tenant doing heavy file I/O; consider EFS elastic throughput"),
    "efs_burst_credit_balance_bytes": (
        "medium",
        "the file system is spending its burst credits: move it to elastic throughput or reduce sustained throughput",
    ),
    "nat_port_allocation_errors": (
        "high",
        (
            "too many simultaneous connections to one destination through the NAT "
            "gateway: spread them, or turn on VPC endpoints (bbws_enable_vpc_endpoints)"
        ),
    ),
    "nat_packets_dropped": (
        "medium",
        "check the NAT gateway's bandwidth; use one NAT gateway per AZ (bbws_nat_gateway_per_az) or VPC endpoints",
    ),
    "cloudfront_5xx_error_rate_percent": (
        "high",
        "check the origin: the ALB 5xx alarms and the CloudFront -> ALB path in this report, then CloudFront's logs",
    ),
}
DEFAULT_NEXT_STEP = ("medium", "read the alarm's metric on the environment's dashboard and the resource it watches")


def alarm_name(project: str, environment: str, key: str) -> str:
    return f"{project}-{environment}-{key.replace('_', '-')}"


def expected_names(project: str, environment: str, keys: list[str], nat_gateways: int) -> dict[str, str]:
    """{alarm name: key} for the inventory's threshold keys (NAT alarms once per NAT gateway, at least one)."""
    names = {}
    for key in keys:
        base = alarm_name(project, environment, key)
        if key in PER_NAT_GATEWAY:
            names.update({f"{base}-{index}": key for index in range(max(1, nat_gateways))})
        else:
            names[base] = key
    return names


def key_of(name: str, project: str, environment: str) -> str | None:
    """The threshold key an alarm name stands for (the NAT index dropped), when it is one of the contract's."""
    prefix = f"{project}-{environment}-"
    if not name.startswith(prefix):
        return None
    rest = name[len(prefix) :]
    for key in NEXT_STEPS:
        base = key.replace("_", "-")
        if rest == base or (key in PER_NAT_GATEWAY and rest.startswith(base + "-") and rest[len(base) + 1 :].isdigit()):
            return key
    return None


def describe_metric(alarm: dict[str, Any]) -> str:
    if alarm.get("metric"):
        return alarm["metric"]
    return "metric math" if alarm.get("metrics") else "no metric"


def review(result: Any, snapshot: dict[str, Any], env: Any) -> None:
    """Checks and findings for the alarms: ``result`` is the analysis (check/find), ``env`` the environment facts."""
    alarms = snapshot.get("alarms") or {}
    if alarms.get("error"):
        return  # reported as an unreadable area
    found = {a["name"]: a for a in alarms.get("alarms", [])}
    project, environment = env.project, env.environment
    nat_count = len([n for n in (snapshot.get("network") or {}).get("nat_gateways", []) if n["state"] == "available"])
    expected = expected_names(project, environment, list(env.expected_alarms), nat_count)
    apply = f"ansible-playbook site.yml -i inventories/{environment} --tags plan,apply"
    topic = f"{project}-{environment}-alarms"
    firing = [a for a in found.values() if a["state"] == "ALARM"]
    waiting = [a for a in found.values() if a["state"] == "INSUFFICIENT_DATA"]
    detail = (
        f"{len(found)} alarm(s) named {project}-{environment}-*: {len(firing)} in ALARM, {len(waiting)} with "
        "insufficient data"
    )
    result.check("alarms", "Alarms in ALARM", not firing, detail, warn_only=True)
    for alarm in sorted(firing, key=lambda a: a["name"]):
        key = key_of(alarm["name"], project, environment)
        severity, step = NEXT_STEPS.get(key, DEFAULT_NEXT_STEP) if key else DEFAULT_NEXT_STEP
        result.find(
            severity,
            "alarms",
            f"Alarm {alarm['name']} ({alarm['region']}) is in ALARM since {alarm['since'] or 'an unknown time'}: "
            f"{describe_metric(alarm)} {alarm['threshold']}. Reason: {alarm['reason'] or 'none given'}",
            f"Next step: {step}.",
            [alarm.get("arn") or alarm["name"]],
            impact=f"the condition the alarm watches ({(key or alarm['name']).replace('_', ' ')}) is breached now",
            cli=env.cli(
                f"aws cloudwatch describe-alarm-history --alarm-name {alarm['name']} --history-item-type "
                "StateUpdate --max-items 5",
                region=alarm["region"],
            ),
        )
    if not expected:
        result.check(
            "alarms", "Expected alarms", None, "no alarm expected: the inventory sets no bbws_alarm_thresholds"
        )
        return
    missing = sorted(name for name in expected if name not in found)
    silent = sorted(
        name
        for name in expected
        if name in found and (not found[name]["actions"] or found[name].get("actions_enabled") is False)
    )
    result.check(
        "alarms",
        "Expected alarms",
        not missing and not silent,
        f"{len(expected) - len(missing)}/{len(expected)} present, {len(silent)} without an alarm action",
        warn_only=True,
    )
    for name in missing:
        region = env.edge_region if expected[name] in EDGE_ALARMS else env.region
        result.find(
            "medium",
            "alarms",
            f"Expected alarm {name} does not exist in {region}: nobody is told when "
            f"{expected[name].replace('_', ' ')} crosses its threshold.",
            "Run the plan and apply phases: the stack creates every alarm of the inventory's bbws_alarm_thresholds.",
            [name],
            impact="trouble of this kind reaches operators only through tenants",
            terraform=apply,
        )
    for name in silent:
        alarm = found[name]
        why = "its actions are disabled" if alarm.get("actions_enabled") is False else "it has no alarm action"
        result.find(
            "medium",
            "alarms",
            f"Alarm {name} ({alarm['region']}) notifies nobody: {why} (expected the SNS "
            f"topic {topic}{'-us-east-1' if alarm['region'] != env.region else ''}).",
            "Run the plan and apply phases: the stack sets every alarm's action to the environment's topic.",
            [alarm.get("arn") or name],
            impact="the alarm changes state without telling anyone",
            terraform=apply,
        )
