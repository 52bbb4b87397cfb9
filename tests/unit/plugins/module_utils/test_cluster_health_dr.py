"""Disaster recovery in the health analysis, on plain values (no AWS): the states the emulator cannot reach."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_dr as dr
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import Analysis
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import Env

PRIMARY_ARN = "arn:aws:rds:af-south-1:093646564004:db:bbws-prod-mysql"


def env() -> Env:
    return Env("prod", "bbws", "af-south-1", "us-east-1", "Tebogo-prod", "wp.kimmyai.io", {}, dr_role="primary",
               dr_region="eu-west-1")  # fmt: skip


def standby(**replication) -> dict:
    return {
        "found": True,
        "region": "eu-west-1",
        "replica": {
            "found": True,
            "id": "bbws-prod-mysql",
            "arn": "arn:aws:rds:eu-west-1:093646564004:db:bbws-prod-mysql",
            "status": "available",
            "replica_source": PRIMARY_ARN,
            "replication": {"status": "replicating", "normal": True, "message": None},
            "lag": {"value": 2.0, "detail": "2 s"},
        },
        "alb": {
            "found": True,
            "arn": "alb",
            "dns_name": "bbws-prod-alb-1.eu-west-1.elb.amazonaws.com",
            "state": "active",
        },
        "ecs": {"found": True, "name": "bbws-prod-cluster", "arn": "ecs", "status": "ACTIVE"},
        "efs": {"found": True, "id": "fs-standby", "protection": "REPLICATING"},
        "efs_replication": {
            "found": True,
            "source_id": "fs-primary",
            "destination_id": "fs-standby",
            "destination_region": "eu-west-1",
            "status": "ENABLED",
            "status_message": None,
            "last_replicated": "2026-01-01T12:00:00+00:00",
            "age_seconds": 60,
            **replication,
        },
    }


def analyse(snapshot: dict, cloudfront: dict | None = None) -> Analysis:
    result = Analysis()
    dr.check_dr(
        result,
        snapshot,
        {"id": "bbws-prod-mysql", "arn": PRIMARY_ARN},
        {"id": "fs-primary"},
        env(),
        cloudfront=cloudfront,
    )
    return result


def test_a_ready_standby_is_no_finding() -> None:
    result = analyse(standby())
    assert result.findings == [] and result.status == "healthy"
    assert result.dr["standby_ready"] is True
    assert result.dr["replica"]["lag_seconds"] == 2.0
    assert result.dr["efs_replication"]["status"] == "ENABLED"


@pytest.mark.parametrize(
    "status, severity, fix_kind, fix_text",
    [
        ("ERROR", "high", "terraform", "-replace='aws_efs_replication_configuration.dr[0]'"),
        ("PAUSED", "medium", "cli", "aws kms enable-key --key-id alias/bbws-prod --region eu-west-1"),
    ],
)
def test_a_replication_in_error_or_paused_has_its_diagnosis_and_fix(status, severity, fix_kind, fix_text) -> None:
    result = analyse(standby(status=status, status_message="Destination file system not writable"))
    [finding] = result.findings
    assert (finding.severity, finding.area) == (severity, "dr")
    assert f"is {status}" in finding.summary and "Destination file system not writable" in finding.summary
    assert fix_text in finding.fix[fix_kind]
    assert finding.resource_ids == ["fs-primary", "fs-standby"]


def test_enabling_is_a_notice_not_a_finding() -> None:
    result = analyse(standby(status="ENABLING", age_seconds=None, last_replicated=None))
    assert result.findings == []
    assert [n.area for n in result.notices] == ["dr"]


def test_an_old_last_sync_and_a_lagging_replica_are_findings() -> None:
    snapshot = standby(age_seconds=dr.EFS_SYNC_WARN_SECONDS + 1)
    snapshot["replica"]["lag"] = {"value": 900.0, "detail": "900 s"}
    summaries = [f.summary for f in analyse(snapshot).findings]
    assert any("lags 900 s" in s for s in summaries)
    assert any("last finished a sync 1 h" in s or "last finished a sync 60 min" in s for s in summaries)


def test_a_promoted_standby_instance_does_not_follow_the_primary() -> None:
    snapshot = standby()
    snapshot["replica"]["replica_source"] = None
    [finding] = analyse(snapshot).findings
    assert "is not a read replica" in finding.summary
    assert finding.fix["terraform"].startswith("terraform apply -replace='aws_db_instance.replica[0]'")


def test_a_replication_to_another_region_is_a_finding() -> None:
    [finding] = analyse(standby(destination_region="eu-central-1")).findings
    assert "replicates to eu-central-1, not to the standby's region eu-west-1" in finding.summary


def test_a_standby_never_built_is_a_notice_a_lost_one_findings() -> None:
    nothing = {
        "found": True,
        "region": "eu-west-1",
        "replica": {"found": False, "id": "bbws-prod-mysql"},
        "alb": {"found": False, "id": "bbws-prod-alb"},
        "ecs": {"found": False, "name": "bbws-prod-cluster"},
        "efs": {"found": False, "id": "bbws-prod-efs"},
        "efs_replication": {"found": False, "file_system_id": "fs-primary"},
    }
    # No origin group on the primary's distribution: its stack never had a standby to fail over to.
    result = analyse(nothing, cloudfront={"found": True, "origin_groups": []})
    assert result.findings == [] and result.status == "healthy"
    assert result.dr["standby_ready"] is False
    (notice,) = result.notices
    assert notice.summary == "No standby in eu-west-1 yet: DR is not in place."
    assert "--limit bbws-prod-dr --tags plan,apply" in notice.next_step
    # The origin group is there (the standby was built and is gone), or the distribution could not be read: findings.
    for cloudfront in ({"found": True, "origin_groups": ["bbws-prod-failover"]}, {"found": False}, None):
        lost = analyse(nothing, cloudfront=cloudfront)
        assert "high" in {f.severity for f in lost.findings} and lost.notices == [], cloudfront
        assert lost.status == "unhealthy"
    # Any part of the standby built: judged in full.
    partial = analyse({**nothing, "alb": standby()["alb"]}, cloudfront={"found": True, "origin_groups": []})
    assert "high" in {f.severity for f in partial.findings} and partial.dr["standby_ready"] is False
