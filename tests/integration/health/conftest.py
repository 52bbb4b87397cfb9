"""Fixtures for the cluster_health tests.

The emulated cluster is built (by tools/faults.py) in a clean emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import faults  # tools/ is on sys.path (tests/conftest.py)

REPO = Path(__file__).resolve().parents[3]


def inventory_policy(environment: str) -> dict:
    """The module's ``policy`` option as the role builds it from the inventory's sizing."""
    sizing = yaml.safe_load(
        (REPO / "inventories" / environment / "group_vars" / f"bbws_{environment}" / "sizing.yml").read_text()
    )
    return {
        "rds_instance_class": sizing["bbws_rds_instance_class"],
        "rds_multi_az": sizing["bbws_rds_multi_az"],
        "rds_backup_retention_days": sizing["bbws_rds_backup_retention_days"],
        "log_retention_days": sizing["bbws_log_retention_days"],
        "nat_gateway_per_az": sizing["bbws_nat_gateway_per_az"],
        "alb_deletion_protection": sizing["bbws_alb_deletion_protection"],
    }


def module_args(environment: str, **extra) -> dict:
    facts = faults.load_inventory(environment)
    return {
        "profile": facts["bbws_aws_profile"],
        "region": facts["bbws_region"],
        "environment": environment,
        "domain": facts["bbws_domain"],
        "zone": facts["bbws_dns_zone"],
        "example_tenant": facts["bbws_example_tenant"],
        "policy": inventory_policy(environment),
        "wait_timeout": 0,
        **extra,
    }


@pytest.fixture
def dev_cluster(aws) -> faults.Cluster:
    """A clean emulator holding the dev cluster exactly as terraform/ describes it."""
    return faults.build_cluster("dev")


@pytest.fixture
def health_args():
    """Build the module's arguments for an environment from the inventory (plus overrides)."""
    return module_args
