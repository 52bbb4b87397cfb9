# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Disaster recovery in the health report (no AWS calls here).

A standby (``dr_role`` standby) is judged as one: its RDS instance is a read replica of the primary's (no master
secret of its own), its ECS services wait at desired 0, it has no CloudFront distribution, and its file system is
the read-only destination of the primary's EFS replication. A primary with a ``dr_region`` gets the DR section: the
replica there (exists, status, lag), the EFS replication (status, last sync and its age) and the standby's readiness
(its ALB, its ECS cluster, the replica available). Each problem is a finding with its diagnosis and exact fix.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import Analysis
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import Env

# Replica lag above this many seconds is a finding: the data a failover would lose.
REPLICA_LAG_WARN_SECONDS = 300
# A replication whose last finished sync is older than this is a finding. EFS replication is designed for an RPO of
# 15 minutes for most file systems; an hour leaves room for a large first copy or a burst of writes.
EFS_SYNC_WARN_SECONDS = 3600
EFS_REPLICATION_OK = ("ENABLED",)
# States RDS reports while a replica is normal or on its way to it.
REPLICA_OK = ("available",)
REPLICATION_OK = ("replicating",)


def inventory_host(env: Env) -> str:
    """The inventory host of the environment's standby (the primary's is bbws-<environment>)."""
    return f"{env.name}-dr"


def standby_apply(env: Env) -> str:
    return f"ansible-playbook site.yml -i inventories/{env.environment} --limit {inventory_host(env)} --tags plan,apply"


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 120:
        return f"{int(seconds)} s ago"
    if seconds < 7200:
        return f"{int(seconds // 60)} min ago"
    return f"{seconds / 3600:.1f} h ago"


def _lag_detail(lag: dict[str, Any] | None) -> str:
    if not lag:
        return "lag not read"
    return f"lag {lag['value']:g} s" if lag.get("value") is not None else f"lag unknown ({lag.get('detail')})"


def _check_lag(result: Analysis, area: str, identifier: str, arn: str | None, lag: dict[str, Any], env: Env) -> None:
    value = (lag or {}).get("value")
    if value is None:
        result.check(area, "Replica lag", None, (lag or {}).get("detail") or "no ReplicaLag datapoint")
        return
    if not result.check(
        area,
        "Replica lag",
        value <= REPLICA_LAG_WARN_SECONDS,
        f"{value:g} s (AWS/RDS ReplicaLag; warning above {REPLICA_LAG_WARN_SECONDS} s)",
        warn_only=True,
    ):
        result.find(
            "medium",
            area,
            f"Read replica {identifier} lags {value:g} s behind its source: a failover now would lose that much of "
            "the tenants' database writes.",
            "Diagnose: compare the replica's CPU, IOPS and class with the primary's (a smaller standby class falls "
            "behind under write bursts) and read its events; then give the standby a class that keeps up "
            "(bbws_rds_instance_class of the standby host) and re-apply it.",
            [arn or identifier],
            cli=env.cli(f"aws rds describe-events --source-type db-instance --source-identifier {identifier}"),
            terraform=standby_apply(env),
        )


def _check_replication_status(
    result: Analysis, area: str, identifier: str, replica: dict[str, Any], region: str, env: Env
) -> None:
    replication = replica.get("replication")
    if not replication:
        result.check(area, "Replication status", None, "RDS gives no read-replication status")
        return
    ok = replication["status"] in REPLICATION_OK and replication["normal"]
    detail = replication["status"] + (f": {replication['message']}" if replication.get("message") else "")
    if not result.check(area, "Replication status", ok, detail):
        result.find(
            "high",
            area,
            f"Read replica {identifier} in {region} is {replication['status']}"
            + (f" ({replication['message']})" if replication.get("message") else "")
            + ": it no longer follows the primary.",
            "Diagnose with the replica's events (a replication error stops applying the primary's changes and does "
            "not resume by itself); then rebuild the standby by replacing the replica with a new one of the primary.",
            [replica.get("arn") or identifier],
            cli=env.cli(f"aws rds describe-events --source-type db-instance --source-identifier {identifier}", region),
            terraform=(
                f"terraform apply -replace='aws_db_instance.replica[0]' (the standby's stack: {standby_apply(env)})"
            ),
        )


# -- a standby --------------------------------------------------------------------------------------
def check_standby_rds(result: Analysis, rds: dict[str, Any], lag: dict[str, Any] | None, env: Env) -> None:
    """A standby's instance is a read replica of the primary's: the replica, its status and lag instead of a secret."""
    source = rds.get("replica_source")
    result.dr["replica"] = {
        "id": rds["id"],
        "source": source,
        "status": rds["status"],
        "replication": (rds.get("replication") or {}).get("status"),
        "lag_seconds": (lag or {}).get("value"),
    }
    if not result.check(
        "rds",
        "Read replica of the primary",
        bool(source),
        f"replica of {source}, {_lag_detail(lag)}" if source else f"{rds['id']} is not a read replica",
    ):
        result.find(
            "high",
            "rds",
            f"RDS {rds['id']} in the standby is not a read replica: either a failover promoted it (this region now "
            "serves the tenants) or it was made on its own; either way it does not follow the primary.",
            "After a failover: finish it and fail back with playbooks/failback.yml, then rebuild the standby (take a "
            "final snapshot of this instance and delete it; the standby's next apply creates a new read replica of "
            "the primary). Otherwise re-create the standby's replica from the primary (its next apply does).",
            [rds["arn"]],
            terraform=(
                f"terraform apply -replace='aws_db_instance.replica[0]' (the standby's stack: {standby_apply(env)})"
            ),
        )
        return
    _check_replication_status(result, "rds", rds["id"], rds, env.region, env)
    _check_lag(result, "rds", rds["id"], rds["arn"], lag or {}, env)
    result.check(
        "rds",
        "Master credentials secret",
        True,
        "none of its own in a standby: the replica carries the primary's users; the master secret stays in the "
        "primary's region (not replicated)",
    )


def check_standby_ecs(result: Analysis, ecs: dict[str, Any], env: Env) -> None:
    running = [s for s in ecs["services"] if s["desired"] > 0]
    if running:
        result.check(
            "ecs",
            "Standby services at 0",
            True,
            f"{len(running)} of {len(ecs['services'])} services have a desired count above 0",
        )
        result.notice(
            "ecs",
            f"{len(running)} tenant service(s) run in the standby {ecs['name']} ({env.region}).",
            "a standby keeps its services at desired 0 until a failover scales them; running ones mean a failover "
            "happened or the tenant layer scaled them",
            "after a failover nothing; otherwise scale them back to 0 (they cost Fargate time and hold no traffic)",
        )
    else:
        result.check(
            "ecs",
            "Standby services at 0",
            True,
            f"{len(ecs['services'])} services at desired 0 until a failover scales them",
        )


def check_standby_efs(result: Analysis, efs: dict[str, Any], env: Env) -> None:
    replication = efs.get("replication") or {}
    result.dr["efs_replication"] = {
        key: replication.get(key)
        for key in ("source_id", "source_region", "status", "last_replicated", "age_seconds")
        if replication.get("found")
    }
    if not result.check(
        "efs",
        "Replication destination",
        bool(replication.get("found")) and replication.get("destination_id") == efs["id"],
        (
            f"read-only destination of {replication['source_id']} ({replication['source_region']}), "
            f"{replication['status']}, last replicated {_age(replication.get('age_seconds'))} "
            f"(protection {efs.get('protection') or 'n/a'})"
            if replication.get("found")
            else f"{efs['id']} is not the destination of a replication"
        ),
    ):
        result.find(
            "high",
            "efs",
            f"EFS {efs['id']} in the standby is not the destination of the primary's replication: the tenants' "
            "WordPress files are not copied to this region.",
            "Apply the standby's stack: it holds the replication from the primary's file system (dr_source_efs_id, "
            f"read from the primary before each plan) into {efs['id']}, whose replication overwrite protection is off "
            "for this.",
            [efs["id"]],
            terraform=(
                "terraform apply -target='aws_efs_replication_configuration.dr[0]' (the standby's stack: "
                f"{standby_apply(env)})"
            ),
        )


def check_standby_edge(result: Analysis) -> None:
    result.check(
        "cloudfront",
        "CloudFront distribution",
        True,
        "none in a DR standby: the primary's distribution fails over to this ALB (origin group)",
    )
    result.path("internet-cloudfront", "ok", "the primary's distribution")


# -- a primary's DR section ---------------------------------------------------------------------------
def check_dr(
    result: Analysis,
    dr: dict[str, Any],
    rds: dict[str, Any],
    efs: dict[str, Any],
    env: Env,
    cloudfront: dict[str, Any] | None = None,
) -> None:
    """The primary's standby in dr_region and the EFS replication to it. A standby of which nothing exists while the
    primary's distribution has no origin group was never built (a notice); with the origin group it was lost (findings).
    """
    if dr.get("error"):
        return  # reported as unreadable by the analysis
    region = dr["region"]
    replica = dr["replica"]
    nothing = not any(dr[key].get("found") for key in ("replica", "alb", "ecs", "efs", "efs_replication"))
    never_built = bool(cloudfront and cloudfront.get("found")) and not cloudfront.get("origin_groups")
    if nothing and never_built:
        # Nothing of the standby exists and the primary's stack never had it (it plans the origin group once the
        # standby's ALB exists): not built yet. Its own host's report says what to apply.
        result.dr["standby_ready"] = False
        result.check("dr", "Standby built", None, f"no standby in {region} yet")
        result.notice(
            "dr",
            f"No standby in {region} yet: DR is not in place.",
            f"no replica, ALB, ECS cluster or file system of {env.name} in {region}, and no EFS replication to it; "
            "until the standby is applied this stack plans no CloudFront origin group",
            f"build the standby once this stack is applied: {standby_apply(env)}",
        )
        return
    _dr_replica(result, replica, rds, region, env)
    _dr_efs(result, dr["efs_replication"], dr["efs"], efs, region, env)
    ready = []
    for key, what, ok_state in (("alb", "ALB", "active"), ("ecs", "ECS cluster", "ACTIVE")):
        item = dr[key]
        state = item.get("state") or item.get("status")
        name = item.get("dns_name") or item.get("name") or item.get("id")
        ok = bool(item.get("found")) and state == ok_state
        ready.append(ok)
        if not result.check(
            "dr",
            f"Standby {what} {ok_state}",
            ok,
            (
                f"{name} is {state} in {region}"
                if item.get("found")
                else f"no {what} {item.get('id') or name} in {region}"
            ),
        ):
            result.find(
                "high",
                "dr",
                f"The standby's {what} "
                + (f"{name} is {state} in {region}" if item.get("found") else f"does not exist in {region}")
                + ": a failover would have nowhere to run the tenants.",
                f"Apply the standby's stack (inventory host {inventory_host(env)}).",
                [item.get("arn") or name],
                terraform=standby_apply(env),
            )
    ready.append(bool(replica.get("found")) and replica.get("status") in REPLICA_OK)
    result.dr["standby_ready"] = all(ready)
    result.check(
        "dr",
        "Standby ready for failover",
        all(ready),
        "replica available, ALB active, ECS cluster active" if all(ready) else "see the DR checks above",
    )


def _dr_replica(result: Analysis, replica: dict[str, Any], rds: dict[str, Any], region: str, env: Env) -> None:
    lag = replica.get("lag") or {}
    result.dr["replica"] = {
        "region": region,
        "id": replica.get("id"),
        "exists": bool(replica.get("found")),
        "status": replica.get("status"),
        "replication": (replica.get("replication") or {}).get("status"),
        "lag_seconds": lag.get("value"),
    }
    if not result.check(
        "dr",
        "Standby replica exists",
        bool(replica.get("found")),
        (
            f"{replica['id']} in {region} is {replica['status']}, {_lag_detail(lag)}"
            if replica.get("found")
            else f"no instance {replica['id']} in {region}"
        ),
    ):
        result.find(
            "high",
            "dr",
            f"There is no read replica {replica['id']} in {region}: the database has no standby, so a regional outage "
            f"of {env.region} would be recovered only from backups (hours, and the writes since the last one lost).",
            "Rebuild the standby: apply its stack, which creates the cross-region read replica of this instance.",
            [rds.get("arn") or replica["id"]],
            terraform=standby_apply(env),
        )
        return
    source = replica.get("replica_source") or ""
    primary_arn = rds.get("arn") or ""
    follows = bool(source) and (source == primary_arn or source == rds.get("id"))
    if not result.check(
        "dr",
        "Standby replica follows this instance",
        follows,
        f"source {source or 'none (not a replica)'}",
    ):
        result.find(
            "high",
            "dr",
            f"Instance {replica['id']} in {region} "
            + (f"replicates {source}, not {primary_arn}" if source else "is not a read replica (promoted?)")
            + ": the standby does not hold this database's changes.",
            "If a failover promoted it, fail back (playbooks/failback.yml) before relying on DR again; otherwise "
            "replace the standby's replica with a new one of this instance.",
            [replica.get("arn") or replica["id"]],
            terraform=(
                f"terraform apply -replace='aws_db_instance.replica[0]' (the standby's stack: {standby_apply(env)})"
            ),
        )
        return
    if not result.check(
        "dr", "Standby replica available", replica["status"] in REPLICA_OK, f"{replica['id']} is {replica['status']}"
    ):
        result.find(
            "high",
            "dr",
            f"Read replica {replica['id']} in {region} is {replica['status']}, not available: a failover cannot "
            "promote it now.",
            "Read the replica's events; a replica stuck in a failed or incompatible state is rebuilt by replacing it.",
            [replica.get("arn") or replica["id"]],
            cli=env.cli(
                f"aws rds describe-events --source-type db-instance --source-identifier {replica['id']}", region
            ),
            terraform=(
                f"terraform apply -replace='aws_db_instance.replica[0]' (the standby's stack: {standby_apply(env)})"
            ),
        )
    _check_replication_status(result, "dr", replica["id"], replica, region, env)
    _check_lag(result, "dr", replica["id"], replica.get("arn"), lag, env)


def _dr_efs(
    result: Analysis,
    replication: dict[str, Any],
    standby_efs: dict[str, Any],
    efs: dict[str, Any],
    region: str,
    env: Env,
) -> None:
    result.dr["efs_replication"] = {
        "exists": bool(replication.get("found")),
        **{
            key: replication.get(key)
            for key in ("destination_id", "destination_region", "status", "last_replicated", "age_seconds")
            if replication.get("found")
        },
    }
    source = efs.get("id") or f"{env.name}-efs"
    destination = standby_efs.get("id") if standby_efs.get("found") else None
    recreate_cli = env.cli(
        f"aws efs create-replication-configuration --source-file-system-id {source} --destinations "
        + (f"Region={region},FileSystemId={destination}" if destination else f"Region={region}")
    )
    terraform = f"terraform apply -target='aws_efs_replication_configuration.dr[0]' ({standby_apply(env)})"
    if not result.check(
        "dr",
        "EFS replication",
        bool(replication.get("found")),
        (
            f"{source} -> {replication['destination_id']} ({replication['destination_region']}): "
            f"{replication['status']}, last replicated {_age(replication.get('age_seconds'))}"
            if replication.get("found")
            else f"{source} is not replicated"
        ),
    ):
        result.find(
            "high",
            "dr",
            f"EFS {source} has no replication to {region}: the tenants' WordPress files would be missing after a "
            "failover.",
            "Re-create the replication (the standby's stack holds it) to the standby's file system"
            + (f" {destination}" if destination else "")
            + ".",
            [source],
            terraform=terraform,
            cli=recreate_cli,
        )
        return
    if replication.get("destination_region") != region:
        result.check("dr", "EFS replication region", False, f"replicates to {replication.get('destination_region')}")
        result.find(
            "high",
            "dr",
            f"EFS {source} replicates to {replication.get('destination_region')}, not to the standby's region {region}:"
            " the standby would start without the tenants' files.",
            "Delete the replication and re-create it to the standby's file system (the standby's stack does both).",
            [source, replication.get("destination_id")],
            terraform=f"terraform apply -replace='aws_efs_replication_configuration.dr[0]' ({standby_apply(env)})",
        )
        return
    status = replication["status"]
    if status not in EFS_REPLICATION_OK:
        enabling = status == "ENABLING"
        result.check("dr", "EFS replication status", None if enabling else False, status)
        if enabling:
            result.notice(
                "dr",
                f"EFS replication {source} -> {replication['destination_id']} is ENABLING.",
                "the first copy of the file system is still being made",
                "re-run the health check later; the standby is not ready until it is ENABLED",
            )
            return
        message = f" ({replication['status_message']})" if replication.get("status_message") else ""
        diagnosis = {
            "ERROR": (
                "EFS stopped replicating"
                + message
                + ": typically the destination file system was deleted or written to, or its KMS key is unusable"
            ),
            "PAUSED": (
                "EFS paused the replication"
                + message
                + ": typically the destination's KMS key "
                f"(the standby's key alias/{env.name} in {region}) is disabled or pending deletion"
            ),
            "DELETING": "the replication is being deleted (a failover or a destroy is in progress)",
        }.get(status, f"the replication is {status}{message}")
        fix = (
            {"cli": env.cli(f"aws kms enable-key --key-id alias/{env.name}", region)}
            if status == "PAUSED"
            else {
                "terraform": (
                    f"terraform apply -replace='aws_efs_replication_configuration.dr[0]' ({standby_apply(env)})"
                )
            }
        )
        result.find(
            "high" if status in ("ERROR", "DELETING") else "medium",
            "dr",
            f"EFS replication {source} -> {replication['destination_id']} ({region}) is {status}: {diagnosis}.",
            (
                "Re-enable the key; EFS resumes the replication by itself."
                if status == "PAUSED"
                else (
                    "Read the status message (aws efs describe-replication-configurations), then delete and "
                    "re-create the replication; its first sync copies the file system again."
                )
            ),
            [source, replication["destination_id"]],
            **fix,
        )
        return
    age = replication.get("age_seconds")
    if not result.check(
        "dr",
        "EFS replication status",
        age is not None and age <= EFS_SYNC_WARN_SECONDS,
        f"{status}, last replicated {_age(age)}",
        warn_only=True,
    ):
        result.find(
            "medium",
            "dr",
            f"EFS replication {source} -> {replication['destination_id']} last finished a sync {_age(age)}: the files "
            f"a failover would lose are older than {EFS_SYNC_WARN_SECONDS // 60} minutes.",
            "Check the source's write burst and throughput (AWS/EFS metrics) and the replication's status message; "
            "a replication that makes no progress is deleted and re-created.",
            [source, replication["destination_id"]],
            cli=env.cli(f"aws efs describe-replication-configurations --file-system-id {source}"),
        )
