"""The RDS engine support status in the health report: RDS's answer, and the named fallback when RDS has none."""

from __future__ import annotations

import datetime
import time

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import rds_engine_support as support
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_analysis import Analysis
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import AWSClients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import Context
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import make_clients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import read_rds

AFTER_80_STANDARD = datetime.date(2026, 11, 30)
BEFORE_80_END = datetime.date(2026, 7, 31)


def emulated_rds(aws) -> object:
    return boto3.client("rds", region_name="af-south-1", endpoint_url=aws.endpoint)


@pytest.mark.parametrize("major", ["5.7", "8.0", "8.4"])
def test_major_version(major):
    assert support.major_version(f"{major}.39") == major
    assert support.major_version(major) == major


def test_emulator_without_the_operation_gives_unknown_and_the_fallback_table(aws):
    """moto does not implement DescribeDBMajorEngineVersions: the RDS answer is unknown, with the reason."""
    result = support.engine_support(emulated_rds(aws), "mysql", "8.0.39", support.EXTENDED, today=AFTER_80_STANDARD)
    assert result["rds_answer"] == "unknown"
    assert "DescribeDBMajorEngineVersions" in result["reason"]
    assert result["source"] == "fallback-table"
    assert result["status"] == "extended-support"
    assert result["end_of_standard_support"] == "2026-07-31"
    on_the_last_day = support.engine_support(
        emulated_rds(aws), "mysql", "8.0.39", support.EXTENDED, today=BEFORE_80_END
    )
    assert on_the_last_day["status"] == "standard-support"
    current = support.engine_support(
        emulated_rds(aws), "mysql", "8.4.7", support.EXTENDED_DISABLED, today=AFTER_80_STANDARD
    )
    assert (current["status"], current["source"]) == ("standard-support", "fallback-table")


def test_unknown_major_is_unknown_with_both_reasons(aws):
    result = support.engine_support(emulated_rds(aws), "mysql", "9.1.0", None, today=AFTER_80_STANDARD)
    assert result["status"] == "unknown" and result["source"] is None
    assert "DescribeDBMajorEngineVersions" in result["reason"] and "fallback table has no dates" in result["reason"]


def test_rds_answer_wins_over_the_fallback_table():
    """A stubbed answer (botocore's Stubber checks it against the real RDS model; the emulator cannot give one)."""
    client = boto3.client("rds", region_name="af-south-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    stubber.add_response(
        "describe_db_major_engine_versions",
        {
            "DBMajorEngineVersions": [
                {
                    "Engine": "mysql",
                    "MajorEngineVersion": "8.0",
                    "SupportedEngineLifecycles": [
                        {
                            "LifecycleSupportName": support.STANDARD,
                            "LifecycleSupportStartDate": datetime.datetime(2018, 10, 23),
                            "LifecycleSupportEndDate": datetime.datetime(2026, 12, 31),
                        },
                        {
                            "LifecycleSupportName": support.EXTENDED,
                            "LifecycleSupportStartDate": datetime.datetime(2027, 1, 1),
                            "LifecycleSupportEndDate": datetime.datetime(2029, 12, 31),
                        },
                    ],
                }
            ]
        },
        {"Engine": "mysql", "MajorEngineVersion": "8.0"},
    )
    with stubber:
        result = support.engine_support(client, "mysql", "8.0.39", support.EXTENDED, today=AFTER_80_STANDARD)
    assert (result["source"], result["rds_answer"], result["reason"]) == ("rds", "ok", None)
    assert result["status"] == "standard-support" and result["end_of_standard_support"] == "2026-12-31"


def test_read_rds_reports_the_support_status_through_the_retrying_clients(aws):
    """The collector's own (retry-wrapped) client: the missing operation must not be retried for minutes."""
    raw = emulated_rds(aws)
    raw.create_db_instance(
        DBInstanceIdentifier="bbws-dev-mysql",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        EngineVersion="8.0.39",
        AllocatedStorage=20,
        MasterUsername="dbadmin",
        MasterUserPassword="not-a-real-password-1",
    )
    clients = make_clients(AWSClients("af-south-1", aws.endpoint, {}), "us-east-1")
    start = time.monotonic()
    result = read_rds(clients["rds"], clients["secretsmanager"], Context("dev"))
    assert time.monotonic() - start < 30
    engine = result["engine_support"]
    assert engine["major_version"] == "8.0" and engine["rds_answer"] == "unknown"
    assert engine["source"] == "fallback-table" and engine["end_of_standard_support"] == "2026-07-31"


def snapshot_rds(status: str, source: str = "fallback-table", lifecycle: str = support.EXTENDED) -> dict:
    return {
        "id": "bbws-dev-mysql",
        "arn": "arn:rds",
        "engine_support": {
            "engine": "mysql",
            "major_version": "8.0",
            "lifecycle_support": lifecycle,
            "status": status,
            "end_of_standard_support": "2026-07-31",
            "end_of_extended_support": "2029-07-31",
            "source": source,
            "rds_answer": "unknown" if source != "rds" else "ok",
            "reason": "DescribeDBMajorEngineVersions failed (x): y",
        },
    }


def test_extended_support_is_a_medium_finding_that_names_the_inventory_setting():
    result = Analysis()
    support.check_engine_support(result, snapshot_rds("extended-support"))
    assert [c.status for c in result.checks] == ["warn"]
    assert "fallback table" in result.checks[0].detail
    (finding,) = result.findings
    assert finding.severity == "medium" and "billed for RDS Extended Support" in finding.summary
    assert "bbws_rds_engine_version" in finding.recommendation
    assert result.status == "degraded"


def test_extended_support_disabled_says_rds_upgrades_it():
    result = Analysis()
    support.check_engine_support(result, snapshot_rds("extended-support", "rds", support.EXTENDED_DISABLED))
    assert "RDS upgrades it" in result.findings[0].summary


def test_standard_support_passes_and_unknown_is_reported_not_judged():
    result = Analysis()
    support.check_engine_support(result, snapshot_rds("standard-support"))
    unknown = snapshot_rds("unknown")
    unknown["engine_support"]["source"] = None
    support.check_engine_support(result, unknown)
    assert [c.status for c in result.checks] == ["pass", "skip"]
    assert "unknown (DescribeDBMajorEngineVersions failed" in result.checks[1].detail
    assert result.findings == [] and result.status == "healthy"
