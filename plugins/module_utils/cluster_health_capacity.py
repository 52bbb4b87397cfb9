# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tenant capacity headroom: how many more tenants fit before the first AWS limit, from live numbers.

No AWS calls here.

The collector reads the usage (listener rules, target groups, EFS access points, RDS connections, Fargate vCPUs,
security-group rules) and the limits (Service Quotas where the API answers, else AWS's documented default, named
as such); this module divides what is left of each limit by what one tenant takes of it (``TenantCost``).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any

# The limits, with AWS's documented defaults for when Service Quotas has no value (or cannot be read).
# (key, Service Quotas service code, quota code or name, default, what AWS calls it)
RULES_PER_ALB = (
    "rules_per_alb",
    "elasticloadbalancing",
    "Rules per Application Load Balancer",
    100,
    "listener rules per ALB (excluding default rules)",
)
TARGET_GROUPS_PER_ALB = (
    "target_groups_per_alb",
    "elasticloadbalancing",
    "Target Groups per Application Load Balancer",
    100,
    "target groups per ALB",
)
# Fargate's vCPU quota has no fixed default: AWS sets it per account (new accounts start low, ECS raises it with use),
# so without a Service Quotas answer it is unknown rather than guessed.
FARGATE_VCPU = ("fargate_vcpu", "fargate", "L-3032A538", None, "Fargate On-Demand vCPUs")
RULES_PER_SECURITY_GROUP = ("sg_rules", "vpc", "L-0EA8095F", 60, "inbound rules per security group")
# EFS has no Service Quotas entry for access points per file system: AWS documents 10,000 (raised on request).
ACCESS_POINTS_PER_FILE_SYSTEM = 10000
QUOTAS = (RULES_PER_ALB, TARGET_GROUPS_PER_ALB, FARGATE_VCPU, RULES_PER_SECURITY_GROUP)
# MySQL on RDS sizes max_connections by default as {DBInstanceClassMemory/12582880}.
MYSQL_CONNECTION_BYTES = 12582880
DEFAULT_WARNING_TENANTS = 10


@dataclass(frozen=True)
class TenantCost:
    """What one more tenant takes from each limit: the platform's tenant model, in one place.

    A tenant (created by the tenant layer, not by this stack) is one WordPress ECS service behind the shared ALB,
    with its own database on the shared RDS instance and its own directory on the shared EFS file system:

    - ``listener_rules``: one host-header rule on every ALB listener that forwards tenant traffic. A listener whose
      default action is a redirect (HTTP to HTTPS) needs none. AWS counts the rules of all of an ALB's listeners
      against one quota per ALB ("Rules per Application Load Balancer", default rules excluded).
    - ``target_groups``: one target group per tenant, counted against "Target Groups per Application Load Balancer"
      from its creation (its rule attaches it to the ALB).
    - ``efs_access_points``: one access point per tenant on the shared file system.
    - ``db_connections``: the connections one tenant holds on the shared RDS instance at its peak (one per PHP worker
      of each of its tasks); ``bbws_tenant_db_connections`` in the inventory, 10 when not set.
    - ``task_vcpu`` x ``tasks``: the Fargate On-Demand vCPUs of the tenant's running tasks: the inventory's task size
      (``bbws_ecs_task_cpu`` / 1024) times the tasks a tenant runs (1 unless the inventory says otherwise).
    - security-group rules: none. Tenants share the cluster's ECS security group, so the rules per group do not grow
      with tenants; the report shows the fullest group's usage for the day a rule is added by hand.
    """

    task_vcpu: float = 0.25
    tasks: int = 1
    db_connections: int = 10
    listener_rules: int = 1
    target_groups: int = 1
    efs_access_points: int = 1

    @classmethod
    def from_options(cls, options: dict[str, Any] | None) -> TenantCost:
        """The module's ``tenant_cost`` option.

        ``task_cpu`` in ECS CPU units (1024 = 1 vCPU), ``tasks``, ``db_connections``."""
        options = {k: v for k, v in (options or {}).items() if v is not None}
        return cls(
            task_vcpu=int(options.get("task_cpu", 256)) / 1024,
            tasks=int(options.get("tasks", 1)),
            db_connections=int(options.get("db_connections", 10)),
        )


@dataclass
class Limit:
    """One limit: its usage, its value and where the value came from, and how many more tenants it leaves room for."""

    name: str
    resource: str
    used: float | None
    limit: float | None
    source: str
    per_tenant: float
    detail: str = ""

    @property
    def tenants(self) -> int | None:
        """Tenants that still fit (None when the limit does not grow with tenants or a number is unknown)."""
        if self.used is None or self.limit is None or self.per_tenant <= 0:
            return None
        return max(0, math.floor((self.limit - self.used) / self.per_tenant + 1e-9))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "tenants": self.tenants}

    def describe(self) -> str:
        return f"{self.name} ({self.resource}: {_number(self.used)} of {_number(self.limit)}, {self.source})"


def _number(value: float | None) -> str:
    if value is None:
        return "unknown"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def quota_value(quotas: dict[str, Any], quota: tuple) -> tuple[float | None, str, str]:
    """(value, source, note): the Service Quotas value the collector found, else AWS's default named as such."""
    key, service, code, default = quota[:4]
    found = (quotas or {}).get(key) or {}
    if found.get("value") is not None:
        return float(found["value"]), "Service Quotas", f"{service} {found.get('code') or code}"
    note = f"Service Quotas: {found['error']}" if found.get("error") else ""
    if default is None:
        return None, "unknown", _joined(note, "AWS sets this quota per account")
    return float(default), "AWS default", note


def _joined(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def mysql_max_connections(memory_bytes: int) -> int:
    """RDS MySQL's default max_connections for an instance class with this much memory."""
    return int(memory_bytes // MYSQL_CONNECTION_BYTES)


def inbound_rules(group: dict[str, Any]) -> int:
    """Inbound rules as AWS counts them against the quota: one per CIDR, peer group or prefix list of a permission."""
    return sum(
        max(1, len(rule["cidrs"]) + len(rule["groups"]) + len(rule["prefix_lists"])) for rule in group["ingress"]
    )


def limits(snapshot: dict[str, Any], cost: TenantCost) -> list[Limit]:
    """Every limit the tenants of this environment draw on, from what the collector read."""
    quotas = (snapshot.get("quotas") or {}).get("quotas") or {}
    result: list[Limit] = []
    alb = snapshot.get("alb") or {}
    if alb.get("found"):
        forwarding = [listener for listener in alb["listeners"] if listener.get("default_action") != "redirect"]
        rules = [listener.get("rules") for listener in alb["listeners"]]
        value, source, note = quota_value(quotas, RULES_PER_ALB)
        detail = "; ".join(
            f"{listener['protocol']}:{listener['port']} {_number(listener.get('rules'))} rule(s)"
            + (" (redirect: no tenant rules)" if listener.get("default_action") == "redirect" else "")
            for listener in alb["listeners"]
        )
        result.append(
            Limit(
                RULES_PER_ALB[4],
                alb["name"],
                None if None in rules else sum(rules),
                value,
                source,
                cost.listener_rules * len(forwarding),
                _joined(detail, note),
            )
        )
        value, source, note = quota_value(quotas, TARGET_GROUPS_PER_ALB)
        result.append(
            Limit(
                TARGET_GROUPS_PER_ALB[4],
                alb["name"],
                len(alb["target_groups"]),
                value,
                source,
                cost.target_groups,
                _joined("the ALB's target groups and the tenants' (named <project>-<env>-...)", note),
            )
        )
    efs = snapshot.get("efs") or {}
    if efs.get("found"):
        result.append(
            Limit(
                "EFS access points per file system",
                efs["id"],
                efs.get("access_points"),
                ACCESS_POINTS_PER_FILE_SYSTEM,
                "AWS default",
                cost.efs_access_points,
                "EFS has no Service Quotas entry for it; AWS raises it on request",
            )
        )
    rds = snapshot.get("rds") or {}
    if rds.get("found"):
        limit = rds.get("max_connections") or {}
        metrics = snapshot.get("metrics") or {}
        in_use = (metrics.get("db_connections") or {}).get("value")
        detail = _joined(
            f"in use: {(metrics.get('db_connections') or {}).get('detail') or 'not read'}",
            f"{cost.db_connections} per tenant",
        )
        result.append(
            Limit(
                "RDS connections (max_connections)",
                rds["id"],
                in_use,
                limit.get("value"),
                limit.get("source") or "unknown",
                cost.db_connections,
                detail,
            )
        )
    ecs = snapshot.get("ecs") or {}
    vcpu = (snapshot.get("metrics") or {}).get("fargate_vcpu") or {}
    used, detail = vcpu.get("value"), vcpu.get("detail") or ""
    if used is None and ecs.get("found"):
        # No usage metric: this cluster's running tasks at the inventory's task size (other clusters not counted).
        used = ecs.get("running_tasks", 0) * cost.task_vcpu
        detail = (
            f"estimate: {ecs.get('running_tasks', 0)} running task(s) of {ecs['name']} x {cost.task_vcpu:g} vCPU "
            "(no AWS/Usage vCPU datapoint)"
        )
    value, source, note = quota_value(quotas, FARGATE_VCPU)
    result.append(
        Limit(
            FARGATE_VCPU[4],
            "account and region",
            used,
            value,
            source,
            cost.task_vcpu * cost.tasks,
            _joined(detail, f"{cost.tasks} task(s) x {cost.task_vcpu:g} vCPU per tenant", note),
        )
    )
    groups = ((snapshot.get("network") or {}).get("security_groups") or {}).values()
    if groups:
        fullest = max(groups, key=inbound_rules)
        value, source, note = quota_value(quotas, RULES_PER_SECURITY_GROUP)
        result.append(
            Limit(
                RULES_PER_SECURITY_GROUP[4],
                f"{fullest['name']} ({fullest['id']})",
                inbound_rules(fullest),
                value,
                source,
                0,
                _joined("the fullest group; tenants share the ECS group and add no rules", note),
            )
        )
    return result


def headroom(
    snapshot: dict[str, Any], cost: TenantCost, warning_tenants: int = DEFAULT_WARNING_TENANTS
) -> dict[str, Any]:
    """ "N more tenants fit; the first limit is X", with every limit behind it (tightest first)."""
    items = limits(snapshot, cost)
    bound = sorted((item for item in items if item.tenants is not None), key=lambda item: item.tenants)
    unknown = [item for item in items if item.tenants is None and item.per_tenant > 0]
    items = bound + [item for item in items if item not in bound]
    if bound:
        first = bound[0]
        summary = (
            f"{first.tenants} more tenant{'s' if first.tenants != 1 else ''} fit; the first limit is {first.describe()}"
        )
    else:
        first = None
        summary = "Tenant headroom unknown: no limit could be read"
    if unknown:
        summary += f" (not known: {', '.join(item.name for item in unknown)})"
    return {
        "tenants": first.tenants if first else None,
        "first_limit": first.name if first else None,
        "summary": summary,
        "warning_below": warning_tenants,
        "cost": asdict(cost),
        "limits": [item.as_dict() for item in items],
    }
