"""The preflight's Fargate table and terraform/checks.tf's are one table: they must agree exactly."""

from __future__ import annotations

import re

import hcl2
import yaml

from support import REPO


def terraform_table() -> dict[int, list[int]]:
    """local.fargate_memory_by_cpu, with its `[for gib in range(a, b[, step]) : gib * 1024]` entries evaluated."""
    with (REPO / "terraform" / "checks.tf").open() as handle:
        locals_ = hcl2.load(handle)["locals"][0]["fargate_memory_by_cpu"]
    table = {}
    for cpu, value in locals_.items():
        if isinstance(value, str):
            match = re.fullmatch(r"\$\{\[for gib in range\(([\d, ]+)\) : gib \* 1024\]\}", value)
            assert match, f"unexpected expression for {cpu}: {value}"
            value = [gib * 1024 for gib in range(*(int(n) for n in match.group(1).split(",")))]
        table[int(cpu.strip('"'))] = value
    return table


def test_preflight_fargate_pairs_match_terraform_checks():
    ours = yaml.safe_load((REPO / "roles" / "terraform_stack" / "vars" / "fargate.yml").read_text())
    assert ours["__terraform_stack_fargate_memory_by_cpu"] == terraform_table()


def test_every_inventory_sizing_passes_the_preflight_table():
    table = terraform_table()
    for env in ("dev", "sit", "prod"):
        sizing = yaml.safe_load((REPO / "inventories" / env / "group_vars" / f"bbws_{env}" / "sizing.yml").read_text())
        assert sizing["bbws_ecs_task_memory"] in table[sizing["bbws_ecs_task_cpu"]], env
