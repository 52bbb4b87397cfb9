"""Disaster recovery (terraform/dr.tf, var.dr_role): real Terraform plans the stack over the offline provider as a
primary (prod in its region, failing over to eu-west-1) and as a warm standby (prod in eu-west-1, same account,
replicating the primary's database and file system).

The tfvars come from the inventory (tools/inventory.py, as the role renders them): the standby's are those of prod's
DR host bbws-prod-dr with the values dr_peer_info reads from the primary before each plan; the primary's are prod's
with the DR inputs of a primary (prod turns them on once its standby is built: docs/disaster_recovery.md).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from test_contract import plan as validation_plan
from test_contract import role_tfvars
from test_contract import validation_workdir  # noqa: F401 # pylint: disable=unused-import
from test_offline_plan import Plan
from test_offline_plan import cli_config  # noqa: F401 # pylint: disable=unused-import
from test_offline_plan import flat
from test_offline_plan import scratch_copy
from test_offline_plan import terraform

DR_REGION = "eu-west-1"
STANDBY_ALB = "bbws-prod-alb-1234567890.eu-west-1.elb.amazonaws.com"
FAILOVER_CODES = [500, 502, 503, 504]
# What a primary gets (prod as it is, plus the standby's region and ALB), and what dr_peer_info reads from the primary
# for the standby's plan (its master secret and file system).
PRIMARY_REGION = "af-south-1"
PRIMARY_EFS = "fs-0a1b2c3d4e5f60718"
PRIMARY = {"dr_role": "primary", "dr_region": DR_REGION, "dr_alb_dns_name": STANDBY_ALB}
PEER = {
    "dr_source_db_secret_arn": "arn:aws:secretsmanager:af-south-1:093646564004:secret:rds!db-0a1b2c3d-AbCdEf",
    "dr_source_efs_id": PRIMARY_EFS,
}
# The DR inputs of the inventory's standby host (test_the_inventory_standby_is_prod_in_the_dr_region checks them),
# for the refusals below, which start from prod's tfvars.
STANDBY = {"aws_region": DR_REGION, "dr_role": "standby", "dr_primary_region": PRIMARY_REGION, **PEER}
# Each case: the inventory host's stack (prod, or its standby prod-dr) and the overrides.
CASES = {
    "prod": ("prod", {}),
    "primary": ("prod", PRIMARY),
    "primary-custom-domain": ("prod", {**PRIMARY, "dr_alb_dns_name": None, "enable_custom_domain": True}),
    "standby": ("prod-dr", {**PEER, "enable_custom_domain": False}),
    "standby-custom-domain": ("prod-dr", {**PEER, "enable_custom_domain": True}),
}


@pytest.fixture(scope="module")
def dr_plans(tmp_path_factory: pytest.TempPathFactory, cli_config: Path) -> dict[str, Plan]:  # noqa: F811
    """Each case planned once over a scratch copy of the stack (the checks below read the same plans)."""
    workdir = scratch_copy(tmp_path_factory.mktemp("dr-stack"))
    result = terraform(workdir, cli_config, "init", "-input=false", "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for name, (stack, overrides) in CASES.items():
        tfvars = {**role_tfvars(stack), **overrides}
        (workdir / f"{name}.tfvars.json").write_text(json.dumps(tfvars))
        start = time.monotonic()
        result = terraform(
            workdir, cli_config, "plan", "-refresh=false", "-input=false", "-no-color", "-lock=false",
            f"-var-file={name}.tfvars.json", f"-out={name}.tfplan",
        )  # fmt: skip
        plan = Plan("prod", bool(tfvars["enable_custom_domain"]), tfvars, result, time.monotonic() - start)
        if result.returncode == 0:
            shown = terraform(workdir, cli_config, "show", "-json", f"{name}.tfplan")
            assert shown.returncode == 0, shown.stderr
            plan.json_path = workdir / f"{name}.json"
            plan.json_path.write_text(shown.stdout)
        found[name] = plan
    return found


def after(change: dict[str, Any]) -> dict[str, Any]:
    return change["change"]["after"]


def test_the_inventory_standby_is_prod_in_the_dr_region() -> None:
    """bbws-prod-dr is prod's stack (account, project, engine, thresholds) in eu-west-1 as a standby, with a network
    and a database class of its own; the peer values are read at plan time, so the inventory has none."""
    prod, standby = role_tfvars("prod"), role_tfvars("prod-dr")
    assert {k: standby[k] for k in ("aws_region", "dr_role", "dr_primary_region")} == {
        k: STANDBY[k] for k in ("aws_region", "dr_role", "dr_primary_region")
    }
    same = ("environment", "project", "expected_account_id", "domain", "rds_engine_version", "alarm_thresholds")
    assert {k: standby[k] for k in same} == {k: prod[k] for k in same}
    assert standby["vpc_cidr"] != prod["vpc_cidr"]
    assert (standby["rds_multi_az"], standby["nat_gateway_per_az"], standby["enable_route53_health_check"]) == (
        False,
        False,
        False,
    )
    assert standby["dr_source_db_secret_arn"] is None and standby["dr_source_efs_id"] is None
    assert prod["dr_role"] == "none" and prod["dr_primary_region"] is None


def config_expressions(plan: Plan, address: str) -> dict[str, Any]:
    resources = {r["address"]: r for r in plan.document["configuration"]["root_module"]["resources"]}
    return resources[address]["expressions"]


@pytest.mark.parametrize("case", [c for c in CASES if c != "prod"])
def test_dr_plan_is_green_and_only_creates(dr_plans: dict[str, Plan], case: str) -> None:
    plan = dr_plans[case]
    assert plan.result.returncode == 0, plan.result.stdout + plan.result.stderr
    actions = {
        action
        for change in plan.document["resource_changes"]
        if change["mode"] == "managed"
        for action in change["change"]["actions"]
    }
    assert actions == {"create"}, actions


# --- primary


def test_primary_differs_from_prod_only_by_the_origin_group(dr_plans: dict[str, Plan]) -> None:
    prod, primary = dr_plans["prod"], dr_plans["primary"]
    before = {c["address"]: after(c) for c in prod.document["resource_changes"]}
    now = {c["address"]: after(c) for c in primary.document["resource_changes"]}
    # Nothing in the DR region and no EFS replication: the standby owns that, so the primary needs nothing of it.
    assert set(now) == set(before)
    changed = sorted(address for address in before if before[address] != now[address])
    # The snapshot suffix is the plan's own time.
    assert changed in (
        ["aws_cloudfront_distribution.this[0]"],
        ["aws_cloudfront_distribution.this[0]", "terraform_data.rds_final_snapshot_suffix"],
    )


@pytest.mark.parametrize("case", ["primary", "primary-custom-domain"])
def test_primary_keeps_its_database_and_has_nothing_in_the_dr_region(dr_plans: dict[str, Plan], case: str) -> None:
    plan = dr_plans[case]
    assert plan.changes("aws_efs_replication_configuration") == []
    regions = {after(change).get("region") for change in plan.document["resource_changes"]}
    assert DR_REGION not in regions
    # The primary's database stays the primary: its own master secret, no source.
    (database,) = plan.changes("aws_db_instance")
    assert (database["name"], after(database)["replicate_source_db"]) == ("this", None)
    assert after(database)["manage_master_user_password"] is True


@pytest.mark.parametrize("case", ["primary", "primary-custom-domain"])
def test_primary_distribution_fails_over_to_the_standby_alb(dr_plans: dict[str, Plan], case: str) -> None:
    plan = dr_plans[case]
    (distribution,) = plan.changes("aws_cloudfront_distribution")
    values = after(distribution)
    (group,) = values["origin_group"]
    assert group["origin_id"] == "bbws-prod-failover"
    assert sorted(group["failover_criteria"][0]["status_codes"]) == FAILOVER_CODES
    assert [member["origin_id"] for member in group["member"]] == ["bbws-prod-alb", f"bbws-prod-alb-{DR_REGION}"]
    origins = {origin["origin_id"]: origin for origin in values["origin"]}
    assert set(origins) == {"bbws-prod-alb", f"bbws-prod-alb-{DR_REGION}"}
    secondary = origins[f"bbws-prod-alb-{DR_REGION}"]
    if plan.custom_domain:
        assert secondary["domain_name"] == f"origin-{DR_REGION}.{plan.tfvars['domain']}"
        assert secondary["custom_origin_config"][0]["origin_protocol_policy"] == "https-only"
    else:
        assert secondary["domain_name"] == STANDBY_ALB
    # CloudFront fails over GET, HEAD and OPTIONS only, and refuses a group behind a behaviour allowing writes.
    (default,) = values["default_cache_behavior"]
    assert default["target_origin_id"] == "bbws-prod-failover"
    assert sorted(default["allowed_methods"]) == ["GET", "HEAD", "OPTIONS"]
    for behaviour in values["ordered_cache_behavior"]:
        writes = {"POST", "PUT", "PATCH", "DELETE"} & set(behaviour["allowed_methods"])
        target = behaviour["target_origin_id"]
        assert not (writes and target == "bbws-prod-failover"), behaviour["path_pattern"]
        if behaviour["path_pattern"] == plan.tfvars.get("health_check_path", "/healthz"):
            assert target == "bbws-prod-alb"  # the health check watches the primary, not the failover


# --- standby


@pytest.mark.parametrize("case", ["standby", "standby-custom-domain"])
def test_standby_database_is_a_cross_region_read_replica_without_a_secret(dr_plans: dict[str, Plan], case: str) -> None:
    plan = dr_plans[case]
    (replica,) = plan.changes("aws_db_instance")
    values = after(replica)
    assert replica["address"] == "aws_db_instance.replica[0]"
    assert values["replicate_source_db"] == "arn:aws:rds:af-south-1:093646564004:db:bbws-prod-mysql"
    assert values["region"] == DR_REGION
    assert values["identifier"] == "bbws-prod-mysql"
    assert (
        values["instance_class"]
        == role_tfvars("prod-dr")["rds_instance_class"]
        != role_tfvars("prod")["rds_instance_class"]
    )
    assert values["storage_encrypted"] is True and values["publicly_accessible"] is False
    # No master user, password or RDS-managed secret of its own.
    assert values.get("manage_master_user_password") is None
    assert values.get("username") is None and values.get("password") is None
    assert plan.changes("aws_secretsmanager_secret") == []
    # Encrypted with the standby's own key, which is in the DR region.
    expressions = config_expressions(plan, "aws_db_instance.replica")
    assert "aws_kms_key.this.arn" in expressions["kms_key_id"]["references"]
    keys = {change["name"]: after(change) for change in plan.changes("aws_kms_key")}
    assert keys["this"]["region"] == DR_REGION


@pytest.mark.parametrize("case", ["standby", "standby-custom-domain"])
def test_standby_replicates_the_primary_file_system_into_its_own(dr_plans: dict[str, Plan], case: str) -> None:
    plan = dr_plans[case]
    (system,) = plan.changes("aws_efs_file_system")
    assert after(system)["region"] == DR_REGION
    assert after(system)["protection"] == [{"replication_overwrite": "DISABLED"}]
    # The configuration lives with its source, in the primary's region; the destination is this stack's file
    # system, encrypted with this stack's key in the DR region (EFS keeps an existing destination's key).
    (replication,) = plan.changes("aws_efs_replication_configuration")
    assert replication["address"] == "aws_efs_replication_configuration.dr[0]"
    values = after(replication)
    assert (values["source_file_system_id"], values["region"]) == (PRIMARY_EFS, PRIMARY_REGION)
    (destination,) = values["destination"]
    assert destination["region"] == DR_REGION
    assert destination.get("kms_key_id") is None
    expressions = config_expressions(plan, "aws_efs_replication_configuration.dr")
    assert "aws_efs_file_system.this.id" in expressions["destination"][0]["file_system_id"]["references"]
    assert "aws_kms_key.this.arn" in config_expressions(plan, "aws_efs_file_system.this")["kms_key_id"]["references"]
    assert [after(change)["region"] for change in plan.changes("aws_kms_key", "this")] == [DR_REGION]


@pytest.mark.parametrize("case", ["standby", "standby-custom-domain"])
def test_standby_has_no_distribution_and_region_aware_global_names(dr_plans: dict[str, Plan], case: str) -> None:
    plan = dr_plans[case]
    assert plan.changes("aws_cloudfront_distribution") == []
    assert plan.changes("aws_route53_health_check") == []
    assert [c["name"] for c in plan.changes("aws_acm_certificate")] == (["regional"] if plan.custom_domain else [])
    alarms = {after(change)["alarm_name"] for change in plan.changes("aws_cloudwatch_metric_alarm")}
    assert "bbws-prod-cloudfront-5xx-error-rate-percent" not in alarms
    stem = f"bbws-prod-{DR_REGION}"
    roles = {change["name"]: after(change)["name"] for change in plan.changes("aws_iam_role")}
    assert roles["rds_monitoring"] == f"{stem}-rds-monitoring"
    if plan.tfvars["enable_flow_logs"]:
        assert roles["flow_logs"] == f"{stem}-flow-logs"
    names = {
        "cache policies": {after(c)["name"] for c in plan.changes("aws_cloudfront_cache_policy")},
        "headers policy": {after(c)["name"] for c in plan.changes("aws_cloudfront_response_headers_policy")},
        "buckets": {after(c)["bucket"] for c in plan.changes("aws_s3_bucket")},
        "us-east-1 topic": {
            after(c)["name"] for c in plan.changes("aws_sns_topic") if after(c)["region"] == "us-east-1"
        },
        "us-east-1 alias": {
            after(c)["name"] for c in plan.changes("aws_kms_alias") if after(c)["region"] == "us-east-1"
        },
        "dashboard": {after(c)["dashboard_name"] for c in plan.changes("aws_cloudwatch_dashboard")},
    }
    for what, found in names.items():
        assert found and all(stem in name for name in found), (what, found)
    # The origin record does not take the primary's name in the shared zone.
    if plan.custom_domain:
        (record,) = plan.changes("aws_route53_record", "origin")
        assert after(record)["name"] == f"origin-{DR_REGION}.{plan.tfvars['domain']}"


def test_standby_ecs_role_names_are_region_aware(dr_plans: dict[str, Plan]) -> None:
    roles = {change["name"]: after(change)["name"] for change in dr_plans["standby"].changes("aws_iam_role")}
    assert DR_REGION in roles["ecs_execution"] and DR_REGION in roles["ecs_task"]


# --- inputs refused with a clear message (variables.tf only, no provider)

INVALID_DR = {
    "unknown-role": ({"dr_role": "secondary"}, "dr_role must be one of none, primary, standby."),
    "primary-without-region": ({"dr_role": "primary"}, "dr_role primary needs dr_region"),
    "primary-same-region": (
        {"dr_role": "primary", "dr_region": "af-south-1", "dr_alb_dns_name": STANDBY_ALB},
        "dr_role primary needs dr_region: the standby's region, different from aws_region.",
    ),
    "primary-without-alb": ({"dr_role": "primary", "dr_region": DR_REGION}, "needs dr_alb_dns_name"),
    "standby-without-secret": (
        {k: v for k, v in STANDBY.items() if k != "dr_source_db_secret_arn"},
        "dr_role standby needs dr_source_db_secret_arn",
    ),
    "standby-without-primary-region": (
        {k: v for k, v in STANDBY.items() if k != "dr_primary_region"},
        "dr_role standby needs dr_primary_region",
    ),
    "standby-creating-the-zone": ({**STANDBY, "root_zone_mode": "create"}, "root_zone_mode must be adopt"),
    "bad-source-arn": ({**STANDBY, "dr_source_db_arn": "bbws-prod-mysql"}, "dr_source_db_arn must be an RDS"),
    "standby-without-source-efs": (
        {k: v for k, v in STANDBY.items() if k != "dr_source_efs_id"},
        "dr_role standby needs dr_source_efs_id",
    ),
    "bad-source-efs": ({**STANDBY, "dr_source_efs_id": "bbws-prod-efs"}, "dr_source_efs_id must be an EFS"),
    "source-efs-on-primary": (
        {**PRIMARY, "dr_source_efs_id": PRIMARY_EFS},
        "dr_source_efs_id is only used with dr_role standby.",
    ),
    "bad-failover-code": ({**PRIMARY, "dr_failover_status_codes": [500, 501]}, "dr_failover_status_codes must be"),
    "region-without-role": ({"dr_region": DR_REGION}, "leave it null with dr_role none"),
}


@pytest.mark.parametrize("case", sorted(INVALID_DR))
def test_invalid_dr_inputs_are_refused(validation_workdir: Path, case: str) -> None:  # noqa: F811
    overrides, message = INVALID_DR[case]
    result = validation_plan(validation_workdir, {**role_tfvars("prod"), **overrides}, f"dr-{case}")
    assert result.returncode != 0
    assert message in flat(result)
