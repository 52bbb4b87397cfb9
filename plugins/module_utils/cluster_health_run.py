# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ``cluster_health`` run around the reads: the options checked before any AWS call, the identity checked after
the reads, and the report the module returns (analysis, access points, history, report files, closing block).

Plain functions over the module's parameters (a dict) and what was read, never the module: the entry file makes the
clients, calls :func:`cluster_health_collect.collect`, and turns these answers into ``fail_json`` or ``exit_json``.
"""

from __future__ import annotations

import time
from datetime import datetime
from datetime import timezone
from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import expected_account_problem
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import validate_account_id
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_analysis import Env
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_analysis import analyse
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_alarms import EDGE_ALARMS
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import TenantCost
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import Context
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_history import rebuild_index
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_history import since_last
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_report import access_points
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_report import closing_block
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_report import write_reports
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_report import writable_folder_problem


def option_problem(params: dict[str, Any]) -> str | None:
    """What is wrong with the options, before any AWS call; None when nothing is."""
    for option in ("task_cpu", "tasks", "db_connections"):
        value = params["tenant_cost"][option]
        if value is not None and value <= 0:
            return f"tenant_cost.{option} must be a positive number, got {value}"
    if params["wait_timeout"] < 0:
        return f"wait_timeout must be 0 (do not wait) or a number of seconds, got {params['wait_timeout']}"
    for what, folder in (("report_dir", params["report_dir"]), ("history_dir", params["history_dir"])):
        problem = writable_folder_problem(what, folder)
        if problem:
            return problem
    if params.get("dr_role", "none") == "primary" and not params.get("dr_region"):
        return "dr_role primary needs dr_region (the standby's region)"
    if (
        params.get("dr_region")
        and params.get("dr_role", "none") == "primary"
        and params.get("dr_region") == params.get("region")
    ):
        return f"dr_region must be another region than the primary's, got {params['dr_region']}"
    if params.get("expected_account_id"):
        try:
            validate_account_id(params["expected_account_id"])
        except ValueError as e:
            return str(e)
    return None


def context(params: dict[str, Any], region: str) -> Context:
    return Context(
        params["environment"],
        params["project"],
        region,
        params["domain"],
        params["resources"],
        params["wait_timeout"],
        zone=params["zone"],
        edge_region=params["edge_region"],
        dr_role=params.get("dr_role", "none"),
        dr_region=params.get("dr_region"),
    )


def identity_problem(params: dict[str, Any], identity: dict[str, Any]) -> str | None:
    """Why the reads cannot be reported: the identity could not be read (nothing else can have worked either), or the
    credentials are in another account (every other read was of the wrong account, not of a missing cluster)."""
    if identity.get("error"):
        return identity["error"]
    return expected_account_problem(params, identity.get("account_id"))


def environment(params: dict[str, Any], region: str) -> Env:
    return Env(
        params["environment"],
        params["project"],
        region,
        params["edge_region"],
        params.get("profile"),
        params["domain"],
        params["policy"],
        custom_domain=params["custom_domain"],
        fallback=params["certificate_fallback"],
        zone=params["zone"],
        # A standby has no CloudFront distribution, so none of the edge alarms that watch one.
        expected_alarms=[
            key
            for key in params["expected_alarms"]
            if params.get("dr_role", "none") != "standby" or key not in EDGE_ALARMS
        ],
        tenant_cost=TenantCost.from_options(params["tenant_cost"]),
        warning_tenants=params["capacity_warning_tenants"],
        dr_role=params.get("dr_role", "none"),
        dr_region=params.get("dr_region"),
    )


def build_report(
    params: dict[str, Any],
    region: str,
    account_id: str,
    snapshot: dict[str, Any],
    api_calls: dict[str, int],
    started: float,
) -> dict[str, Any]:
    """The module's result: the analysis of ``snapshot``, and, with ``report_dir``, the report files and history."""
    report = {
        "environment": params["environment"],
        "account_id": account_id,
        "region": region,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **analyse(snapshot, environment(params, region)).as_dict(),
        "access_points": access_points(snapshot, params["domain"], params["zone"], params["example_tenant"]),
        "api_calls": api_calls,
        "duration_seconds": round(time.monotonic() - started, 3),
    }
    history = params["history_dir"] if params["report_dir"] else None
    if history:
        report["since_last"] = since_last(history, report)
    if params["report_dir"]:
        report["report_files"] = write_reports({**report, "resources": snapshot}, params["report_dir"])
    if history:
        report["history_index"] = rebuild_index(history)
    report["summary"] = closing_block(report)
    return report
