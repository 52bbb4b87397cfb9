"""The tenant cost model and the headroom arithmetic, on hand-made snapshots (no AWS)."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import Limit
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import TenantCost
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import headroom
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import inbound_rules
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import limits
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import mysql_max_connections
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import quota_value
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import RULES_PER_ALB
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import FARGATE_VCPU

GIB = 1073741824


def listener(protocol: str, port: int, rules: int, action: str = "forward") -> dict:
    return {"protocol": protocol, "port": port, "rules": rules, "default_action": action}


def snapshot(**areas) -> dict:
    base = {
        "alb": {
            "found": True,
            "name": "bbws-dev-alb",
            "listeners": [listener("HTTP", 80, 1), listener("HTTPS", 443, 1)],
            "target_groups": [{}] * 3,
        },
        "efs": {"found": True, "id": "fs-1", "access_points": 3},
        "rds": {"found": True, "id": "bbws-dev-mysql", "max_connections": {"value": 85, "source": "RDS default"}},
        "ecs": {"found": True, "name": "bbws-dev-cluster", "running_tasks": 3},
        "metrics": {
            "db_connections": {"value": 15.0, "detail": "15 at ..."},
            "fargate_vcpu": {"value": 3.0, "detail": "3"},
        },
        "quotas": {"quotas": {"fargate_vcpu": {"value": 10.0, "code": "L-3032A538"}}},
        "network": {"security_groups": {}},
    }
    base.update(areas)
    return base


def by_name(items: list) -> dict:
    return {item.name if isinstance(item, Limit) else item["name"]: item for item in items}


def test_cost_from_the_inventory_options():
    cost = TenantCost.from_options({"task_cpu": 1024, "tasks": 2, "db_connections": None})
    assert (cost.task_vcpu, cost.tasks, cost.db_connections) == (1.0, 2, 10)
    assert TenantCost.from_options(None) == TenantCost()


def test_each_forwarding_listener_costs_a_rule_per_tenant_a_redirect_none():
    both = by_name(limits(snapshot(), TenantCost()))["listener rules per ALB (excluding default rules)"]
    assert (both.used, both.limit, both.per_tenant, both.tenants) == (2, 100, 2, 49)
    alb = {**snapshot()["alb"], "listeners": [listener("HTTP", 80, 0, "redirect"), listener("HTTPS", 443, 95)]}
    one = by_name(limits(snapshot(alb=alb), TenantCost()))["listener rules per ALB (excluding default rules)"]
    assert (one.used, one.per_tenant, one.tenants, one.source) == (95, 1, 5, "AWS default")


def test_service_quotas_value_wins_over_the_default_and_says_so():
    quotas = {"rules_per_alb": {"value": 200.0, "code": "L-X"}}
    assert quota_value(quotas, RULES_PER_ALB) == (200.0, "Service Quotas", "elasticloadbalancing L-X")
    assert quota_value({"rules_per_alb": {"error": "no value for this account"}}, RULES_PER_ALB) == (
        100.0,
        "AWS default",
        "Service Quotas: no value for this account",
    )
    # Fargate's vCPU quota has no fixed AWS default: unknown, never guessed.
    value, source, note = quota_value({}, FARGATE_VCPU)
    assert (value, source) == (None, "unknown") and "per account" in note


def test_rds_fargate_efs_and_target_groups():
    items = by_name(limits(snapshot(), TenantCost(task_vcpu=0.5, db_connections=20)))
    rds = items["RDS connections (max_connections)"]
    assert (rds.used, rds.limit, rds.tenants) == (15.0, 85, 3)  # floor(70 / 20)
    fargate = items["Fargate On-Demand vCPUs"]
    assert (fargate.used, fargate.limit, fargate.tenants, fargate.source) == (3.0, 10.0, 14, "Service Quotas")
    assert items["EFS access points per file system"].tenants == 9997
    assert items["target groups per ALB"].tenants == 97


def test_fargate_usage_estimated_from_running_tasks_without_the_usage_metric():
    metrics = {"db_connections": {"value": 0.0}, "fargate_vcpu": {"value": None, "detail": "no datapoint"}}
    fargate = by_name(limits(snapshot(metrics=metrics), TenantCost(task_vcpu=1.0)))["Fargate On-Demand vCPUs"]
    assert fargate.used == 3.0 and fargate.tenants == 7 and fargate.detail.startswith("estimate: 3 running task(s)")


def test_headroom_names_the_tightest_limit_and_lists_unknowns():
    result = headroom(snapshot(), TenantCost(db_connections=40))
    assert result["tenants"] == 1 and result["first_limit"] == "RDS connections (max_connections)"
    assert (
        result["summary"]
        == "1 more tenant fit; the first limit is RDS connections (max_connections) "
        "(bbws-dev-mysql: 15 of 85, RDS default)"
    )
    assert [item["tenants"] for item in result["limits"][:3]] == [1, 28, 49]
    unknown = headroom(snapshot(metrics={}), TenantCost())
    assert "not known: RDS connections (max_connections)" in unknown["summary"]


def test_full_limits_leave_no_room_rather_than_a_negative_count():
    alb = {**snapshot()["alb"], "target_groups": [{}] * 120}
    result = headroom(snapshot(alb=alb), TenantCost())
    assert result["tenants"] == 0 and result["first_limit"] == "target groups per ALB"


def test_security_group_rules_are_shown_but_do_not_bound_tenants():
    rule = {"cidrs": ["0.0.0.0/0", "::/0"], "groups": [], "prefix_lists": []}
    group = {
        "id": "sg-1",
        "name": "bbws-dev-alb",
        "ingress": [rule, {"cidrs": [], "groups": ["sg-2"], "prefix_lists": []}],
    }
    assert inbound_rules(group) == 3
    items = by_name(limits(snapshot(network={"security_groups": {"sg-1": group}}), TenantCost()))
    sg = items["inbound rules per security group"]
    assert (sg.used, sg.limit, sg.per_tenant, sg.tenants) == (3, 60, 0, None)


@pytest.mark.parametrize("memory_gib, expected", [(1, 85), (16, 1365)])
def test_mysql_default_max_connections_follows_the_class_memory(memory_gib, expected):
    assert mysql_max_connections(memory_gib * GIB) == expected
