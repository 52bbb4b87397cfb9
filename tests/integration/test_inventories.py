"""The inventories: one host per environment, complete, consistent, and composable."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.alarm_settings import alarm_settings_problems
from inventory import ENVIRONMENTS
from inventory import STANDBYS
from inventory import host_vars

REQUIRED = (
    "bbws_environment",
    "bbws_account_id",
    "bbws_aws_profile",
    "bbws_region",
    "bbws_domain",
    "bbws_vpc_cidr",
    "bbws_rds_instance_class",
    "bbws_ecs_task_cpu",
    "bbws_ecs_task_memory",
    "bbws_nat_gateway_per_az",
    "bbws_log_retention_days",
    "bbws_rds_backup_retention_days",
    "bbws_rds_multi_az",
    "bbws_alarm_thresholds",
    "bbws_alarm_email_endpoints",
    "bbws_alarm_notify_ok",
    "bbws_capacity_warning_tenants",
)
# Alarm thresholds that fire below their value (the rest fire above it).
LOWER_BOUND_THRESHOLDS = ("rds_free_storage_bytes", "rds_freeable_memory_bytes", "efs_burst_credit_balance_bytes")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_is_complete(env):
    facts = host_vars(env)
    missing = [k for k in REQUIRED if k not in facts]
    assert missing == []
    assert facts["bbws_environment"] == env
    assert facts["bbws_region"] in facts["bbws_allowed_regions"]
    assert facts["bbws_domain"].endswith("." + facts["bbws_root_domain"])


@pytest.mark.parametrize("stack", sorted(STANDBYS))
def test_a_standby_is_its_environment_in_the_dr_region_with_a_network_of_its_own(stack):
    facts, primary = host_vars(stack), host_vars(STANDBYS[stack])
    assert [k for k in REQUIRED if k not in facts] == []
    assert facts["bbws_stack"] == stack and facts["bbws_dr_role"] == "standby"
    for key in ("bbws_environment", "bbws_account_id", "bbws_aws_profile", "bbws_domain", "bbws_alarm_thresholds"):
        assert facts[key] == primary[key], key
    # The primary's standby region is where the standby runs, from the primary's region.
    assert facts["bbws_region"] == primary["bbws_dr_region"] != primary["bbws_region"]
    assert facts["bbws_dr_primary_region"] == primary["bbws_region"] and primary["bbws_dr_role"] == "primary"
    assert facts["bbws_rollout_wave"] > primary["bbws_rollout_wave"]
    # Its own state and network: nothing it writes can land on the primary's.
    for key in ("bbws_state_key", "bbws_state_bucket", "bbws_vpc_cidr"):
        assert facts[key] != primary[key], key
    assert facts["bbws_vpc_cidr"] not in {host_vars(env)["bbws_vpc_cidr"] for env in ENVIRONMENTS}
    assert facts["bbws_dns_delegations"] == [] and facts["bbws_dns_parent_zone"] == ""


def test_accounts_profiles_and_networks_are_distinct():
    facts = [host_vars(env) for env in ENVIRONMENTS]
    for key in ("bbws_account_id", "bbws_aws_profile", "bbws_domain", "bbws_vpc_cidr"):
        values = [f[key] for f in facts]
        assert len(set(values)) == len(values), f"{key} repeats: {values}"


def test_sizing_grows_from_dev_to_prod():
    dev, sit, prod = (host_vars(env) for env in ENVIRONMENTS)
    assert dev["bbws_ecs_task_cpu"] < sit["bbws_ecs_task_cpu"] < prod["bbws_ecs_task_cpu"]
    assert dev["bbws_log_retention_days"] < sit["bbws_log_retention_days"] < prod["bbws_log_retention_days"]
    assert prod["bbws_nat_gateway_per_az"] and prod["bbws_rds_multi_az"] and prod["bbws_rds_deletion_protection"]
    assert not dev["bbws_nat_gateway_per_az"] and not dev["bbws_rds_multi_az"]


def test_prod_delegates_to_the_registered_children():
    prod = host_vars("prod")
    assert prod["bbws_dns_parent_zone"] == prod["bbws_root_domain"]
    children = {d["environment"]: d for d in prod["bbws_dns_delegations"]}
    assert sorted(children) == ["dev", "sit"]
    for env, child in children.items():
        registry = prod["bbws_environments"][env]
        assert (child["zone"], child["account_id"], child["profile"]) == (
            registry["domain"],
            registry["account_id"],
            registry["profile"],
        )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_alarm_settings_pass_the_preflight(env):
    facts = host_vars(env)
    problems = alarm_settings_problems(
        facts["bbws_alarm_thresholds"], facts["bbws_alarm_email_endpoints"], facts["bbws_alarm_notify_ok"]
    )
    assert problems == []


def test_alarms_are_looser_in_dev_and_tighter_in_prod():
    dev, sit, prod = (host_vars(env) for env in ENVIRONMENTS)
    for key, value in prod["bbws_alarm_thresholds"].items():
        chain = [dev["bbws_alarm_thresholds"][key], sit["bbws_alarm_thresholds"][key], value]
        # Tighter alarms fire earlier: a higher floor, or a lower ceiling.
        assert chain == (sorted(chain) if key in LOWER_BOUND_THRESHOLDS else sorted(chain, reverse=True)), (key, chain)
    assert dev["bbws_alarm_thresholds"] != prod["bbws_alarm_thresholds"]
    assert dev["bbws_alarm_email_endpoints"] == [] and prod["bbws_alarm_email_endpoints"]
    assert [f["bbws_alarm_notify_ok"] for f in (dev, sit, prod)] == [False, False, True]
    warnings = [f["bbws_capacity_warning_tenants"] for f in (dev, sit, prod)]
    assert all(isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in warnings), warnings
