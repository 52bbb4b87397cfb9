"""cluster_health and disaster recovery, against prod and its warm standby in the emulated prod account.

The primary is terraform/ applied in af-south-1, the standby terraform/ with dr_role standby in eu-west-1 (its RDS
instance a cross-region read replica of the primary's), and the primary's file system replicates to the standby's
(the emulator's EFS replication). Both builds are snapshotted by the emulator: only the first test pays for them.
"""

from __future__ import annotations

import boto3
import pytest

import faults
from ansible_collections.bbws.ecs_cluster.plugins.modules import cluster_health

pytestmark = pytest.mark.emulator

DR_REGION = "eu-west-1"


@pytest.fixture
def prod_dr(aws) -> tuple[faults.Cluster, faults.Standby]:
    """A clean emulator holding prod (af-south-1) and its standby (eu-west-1) with the EFS replication."""
    primary = faults.build_cluster("prod")
    return primary, faults.build_standby("prod", DR_REGION)


def checks(result: dict) -> dict[str, dict]:
    return {(c["area"], c["name"]): c for c in result["checks"]}


def test_standby_is_healthy_with_its_replica_expected(prod_dr, module_runner, health_args):
    _primary, standby = prod_dr
    result = module_runner(cluster_health, health_args("prod", region=DR_REGION, dr_role="standby"))
    assert not result.failed, result
    assert result["status"] == "healthy", result["findings"]
    assert result["findings"] == []
    found = checks(result)
    assert found[("rds", "Read replica of the primary")]["status"] == "pass"
    assert standby.source_db_arn in found[("rds", "Read replica of the primary")]["detail"]
    assert found[("rds", "Master credentials secret")]["status"] == "pass"
    assert found[("ecs", "Standby services at 0")]["status"] == "pass"
    assert found[("cloudfront", "CloudFront distribution")]["status"] == "pass"
    assert found[("efs", "Replication destination")]["status"] == "pass"
    assert result["dr"]["role"] == "standby"
    assert result["dr"]["replica"]["source"] == standby.source_db_arn
    assert result["dr"]["efs_replication"]["source_id"] == standby.primary_efs_id
    assert result["dr"]["efs_replication"]["status"] == "ENABLED"
    # No distribution was read: a standby has none of its own.
    assert not any(call.startswith(("cloudfront.", "acm.")) for call in result["api_calls"])

    # Judged as an ordinary environment, the same standby is not healthy: that is what dr_role standby changes.
    plain = module_runner(cluster_health, health_args("prod", region=DR_REGION))
    assert plain["status"] == "unhealthy"
    assert any("master credentials secret" in f["summary"] for f in plain["findings"])


def test_primary_reports_its_standby_replica_and_efs_replication(prod_dr, module_runner, health_args):
    primary, standby = prod_dr
    result = module_runner(cluster_health, health_args("prod", dr_role="primary", dr_region=DR_REGION))
    assert not result.failed, result
    assert result["status"] == "healthy", result["findings"]
    dr = result["dr"]
    assert (dr["role"], dr["region"]) == ("primary", DR_REGION)
    assert dr["replica"]["exists"] is True and dr["replica"]["status"] == "available"
    assert dr["replica"]["id"] == standby.rds_identifier
    assert dr["efs_replication"]["exists"] is True
    assert dr["efs_replication"]["status"] == "ENABLED"
    assert dr["efs_replication"]["destination_id"] == standby.efs_id
    assert dr["efs_replication"]["destination_region"] == DR_REGION
    assert 0 <= dr["efs_replication"]["age_seconds"] < 3600
    assert dr["standby_ready"] is True
    found = checks(result)
    for name in (
        "Standby replica exists",
        "Standby replica follows this instance",
        "EFS replication",
        "Standby ALB active",
        "Standby ECS cluster ACTIVE",
        "Standby ready for failover",
    ):
        assert found[("dr", name)]["status"] == "pass", name
    # The reads of the standby are counted with the others.
    assert result["api_calls"]["efs.DescribeReplicationConfigurations"] == 1
    assert result["api_calls"]["rds.DescribeDBInstances"] == 2


def test_a_standby_never_built_is_a_notice_with_the_command_that_builds_it(aws, module_runner, health_args):
    # prod as its plan makes it before the standby exists: no origin group on its distribution.
    faults.build_cluster("prod")
    result = module_runner(cluster_health, health_args("prod", dr_role="primary", dr_region=DR_REGION))
    assert [f["summary"] for f in result["findings"] if f["area"] == "dr"] == []
    [notice] = [n for n in result["notices"] if n["area"] == "dr"]
    assert notice["summary"] == f"No standby in {DR_REGION} yet: DR is not in place."
    assert notice["next_step"].endswith("site.yml -i inventories/prod --limit bbws-prod-dr --tags plan,apply")
    assert result["dr"]["standby_ready"] is False


def test_missing_standby_is_a_finding_with_its_diagnosis_and_fix(aws, module_runner, health_args):
    # The primary with its origin group and no standby: the standby was destroyed (moto cannot delete a cross-region
    # replica, so it is never built here).
    faults.build_cluster("prod", overrides={"dr_role": "primary", "dr_region": DR_REGION})
    result = module_runner(cluster_health, health_args("prod", dr_role="primary", dr_region=DR_REGION))
    assert result["status"] == "unhealthy"
    findings = {f["summary"].split(":")[0]: f for f in result["findings"] if f["area"] == "dr"}
    replica = findings[f"There is no read replica bbws-prod-mysql in {DR_REGION}"]
    assert replica["severity"] == "high"
    assert "Rebuild the standby" in replica["recommendation"]
    assert (
        replica["fix"]["terraform"]
        == "ansible-playbook site.yml -i inventories/prod --limit bbws-prod-dr --tags plan,apply"
    )
    # Without a standby file system the replication's fix lets EFS create the destination.
    efs = next(
        f for f in result["findings"] if f["summary"].startswith("EFS ") and "has no replication" in f["summary"]
    )
    assert efs["fix"]["cli"].endswith(f"--destinations Region={DR_REGION} --region af-south-1 --profile Tebogo-prod")
    assert {
        "The standby's ALB does not exist in eu-west-1",
        "The standby's ECS cluster does not exist in eu-west-1",
    } <= set(findings)
    assert result["dr"]["replica"]["exists"] is False
    assert result["dr"]["standby_ready"] is False
    assert checks(result)[("dr", "Standby ready for failover")]["status"] == "fail"


def test_missing_efs_replication_is_a_finding_whose_cli_fix_restores_it(prod_dr, module_runner, health_args):
    primary, standby = prod_dr
    efs = boto3.Session(profile_name="Tebogo-prod").client("efs", region_name=primary.region)
    efs.delete_replication_configuration(SourceFileSystemId=primary.efs_id)
    result = module_runner(cluster_health, health_args("prod", dr_role="primary", dr_region=DR_REGION))
    assert result["status"] == "unhealthy"
    [finding] = [f for f in result["findings"] if f["area"] == "dr"]
    assert f"EFS {primary.efs_id} has no replication to {DR_REGION}" in finding["summary"]
    assert finding["fix"]["terraform"].startswith("terraform apply -target='aws_efs_replication_configuration.dr[0]'")
    assert (
        finding["fix"]["cli"]
        == f"aws efs create-replication-configuration --source-file-system-id {primary.efs_id} --destinations "
        f"Region={DR_REGION},FileSystemId={standby.efs_id} --region af-south-1 --profile Tebogo-prod"
    )
    assert result["dr"]["efs_replication"] == {"exists": False}

    # The standby sees it too: its file system no longer receives the primary's.
    seen = module_runner(cluster_health, health_args("prod", region=DR_REGION, dr_role="standby"))
    [finding] = [f for f in seen["findings"] if f["area"] == "efs"]
    assert "Apply the standby's stack" in finding["recommendation"] and standby.efs_id in finding["recommendation"]
    assert (
        finding["fix"]["terraform"]
        == "terraform apply -target='aws_efs_replication_configuration.dr[0]' (the standby's stack: ansible-playbook "
        "site.yml -i inventories/prod --limit bbws-prod-dr --tags plan,apply)"
    )

    # The fix is exact: its API equivalent makes the primary healthy again.
    efs.create_replication_configuration(
        SourceFileSystemId=primary.efs_id, Destinations=[{"Region": DR_REGION, "FileSystemId": standby.efs_id}]
    )
    assert (
        module_runner(cluster_health, health_args("prod", dr_role="primary", dr_region=DR_REGION))["status"]
        == "healthy"
    )


def test_primary_without_dr_region_is_refused_before_any_call(aws, module_runner, health_args):
    result = module_runner(cluster_health, health_args("prod", dr_role="primary"))
    assert result.failed and "dr_region" in result["msg"]
    assert result["api_calls"] == {}
