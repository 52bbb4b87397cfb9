"""Bad input is refused early, with a message that names the problem, and nothing is created.

One row per case of the seed's list: the command a user would run (with the bad value as an extra var, a
broken inventory copy or a misdirected AWS profile), a fragment of the refusal, and the proof that nothing
was created: the emulator recorded no write (moto's recorder), and for the Terraform rows nothing was planned
or applied.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
import yaml

from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_apply
from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_plan
from inventory import host_vars
from safety_support import NO_TERRAFORM
from safety_support import TRACEBACK
from safety_support import flat
from safety_support import recording
from support import REPO
from support import run_module

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

TERRAFORM = REPO / ".venv" / "bin" / "terraform"
TERRAFORMRC = REPO / "tools" / "terraformrc"
FIXTURE_STACK = REPO / "tests" / "fixtures" / "terraform" / "stack"
STACK_PLAYBOOK = "tests/integration/terraform_wrapper/stack.yml"
FIXTURE_SECRET = "fixture-pw-"  # every password the fixture stack derives starts with it
DEV, SIT, PROD = (host_vars(env) for env in ("dev", "sit", "prod"))


@dataclass
class Ctx:
    """What a row's setup may use: a private folder, the emulator, and the run's extra environment."""

    tmp: Path
    emulator: object
    env: dict = field(default_factory=dict)

    @property
    def artifacts(self) -> Path:
        return self.tmp / "artifacts"

    @property
    def stack(self) -> Path:
        return self.tmp / "stack"


@dataclass
class Row:
    case: str
    command: Callable[[Ctx], list[str]]
    refusal: str
    xfail: str = ""
    gate: bool = False  # refused at the approval gate, after a plan (the plan is the thing approved)


def site(inventory: str, *extra: str) -> Callable[[Ctx], list[str]]:
    return lambda ctx: ["site.yml", "-i", inventory, *NO_TERRAFORM, *extra]


def plan_with(*extra: str) -> Callable[[Ctx], list[str]]:
    return lambda ctx: ["playbooks/plan.yml", "-i", "inventories/dev", *extra,
                        "-e", f"terraform_stack_artifacts_dir={ctx.artifacts}"]


def shared_account_inventory(ctx: Ctx) -> list[str]:
    """A copy of the inventories in which sit claims dev's account."""
    copy = ctx.tmp / "inventories"
    shutil.copytree(REPO / "inventories", copy, symlinks=True)
    registry_file = copy / "common" / "group_vars" / "all" / "environments.yml"
    registry = yaml.safe_load(registry_file.read_text())
    registry["bbws_environments"]["sit"]["account_id"] = DEV["bbws_account_id"]
    registry_file.write_text(yaml.safe_dump(registry, sort_keys=False))
    return ["site.yml", "-i", str(copy / "dev"), "-i", str(copy / "sit"), *NO_TERRAFORM]


def child_in_parent_account(ctx: Ctx) -> list[str]:
    """An AWS config in which the dev child's profile lands in prod's (the parent's) account."""
    config = ctx.emulator.write_config(ctx.tmp / "aws_config", overrides={DEV["bbws_aws_profile"]: PROD["bbws_account_id"]})
    ctx.env["AWS_CONFIG_FILE"] = str(config)
    return ["playbooks/delegate_dns.yml", "-i", "inventories/prod"]


def fixture_vars(ctx: Ctx, **extra) -> list[str]:
    values = {
        "terraform_stack_project_path": str(ctx.stack), "terraform_stack_backend_config": {},
        "terraform_stack_profile": "", "terraform_stack_binary_path": str(TERRAFORM),
        "terraform_stack_artifacts_dir": str(ctx.artifacts), "terraform_stack_variables": {"environment": "dev"},
        "terraform_stack_protected_resource_types": ["terraform_data"], "terraform_stack_backup_resource_types": {},
        **extra,
    }
    return ["-e", json.dumps(values)]


def _fixture_plan(ctx: Ctx, name: str, environment: str) -> dict:
    shutil.copytree(FIXTURE_STACK, ctx.stack, dirs_exist_ok=True)
    variables = ctx.tmp / f"{name}.tfvars.json"
    variables.write_text(json.dumps({"environment": environment}))
    args = {"project_path": str(ctx.stack), "plan_file": str(ctx.tmp / f"{name}.tfplan"), "binary_path": str(TERRAFORM),
            "variables_file": str(variables)}
    result = run_module(terraform_plan, args)
    assert not result.failed, result
    return result | {"args": args}


def approval_for_another_plan(ctx: Ctx) -> list[str]:
    """A real digest of a sit plan, given as the approval of a dev run."""
    other = _fixture_plan(ctx, "sit", "sit")
    return ["-i", "inventories/dev", STACK_PLAYBOOK, *fixture_vars(ctx), "-e", f"bbws_approve={other['digest'][:12]}"]


def protected_prod_change(ctx: Ctx) -> list[str]:
    """The fixture applied, then a prod plan that replaces its protected resource, without consent."""
    seed = _fixture_plan(ctx, "seed", "prod")
    applied = run_module(terraform_apply, {k: v for k, v in seed["args"].items() if k != "variables_file"}
                         | {"expected_digest": seed["digest"]})
    assert not applied.failed, applied
    return ["-i", "inventories/prod", STACK_PLAYBOOK, "-vvv",
            *fixture_vars(ctx, terraform_stack_variables={"environment": "prod", "generation": 2})]


ROWS = [
    Row("unknown environment name", site("inventories/dev", "-e", "bbws_environment=staging"),
        "Unknown environment staging: use one of dev, sit, prod"),
    Row("account ID not 12 digits", site("inventories/dev", "-e", "bbws_account_id=53658088681"),
        "expected_account_id must be exactly 12 digits (an AWS account ID), got '53658088681'"),
    Row("profile that does not exist", site("inventories/dev", "-e", "bbws_aws_profile=Tebogo-nope"),
        "AWS profile 'Tebogo-nope' is not configured"),
    Row("region outside af-south-1/eu-west-1", site("inventories/dev", "-e", "bbws_region=us-west-2"),
        "Region us-west-2 is not allowed for dev: use one of af-south-1, eu-west-1"),
    Row("malformed CIDR", plan_with("-e", "bbws_vpc_cidr=10.10.0/16"),
        "bbws_vpc_cidr 10.10.0/16 is not an IPv4 CIDR block with a prefix length from /16 to /23"),
    Row("VPC CIDR too small to carve the subnets", plan_with("-e", "bbws_vpc_cidr=10.10.0.0/26"),
        "bbws_vpc_cidr 10.10.0.0/26 is not an IPv4 CIDR block with a prefix length from /16 to /23"),
    Row("VPC CIDR whose /28 subnets an ALB refuses", plan_with("-e", "bbws_vpc_cidr=10.10.0.0/24"),
        "bbws_vpc_cidr 10.10.0.0/24 is not an IPv4 CIDR block with a prefix length from /16 to /23"),
    Row("Fargate cpu/memory pair AWS rejects", plan_with("-e", "bbws_ecs_task_cpu=256", "-e", "bbws_ecs_task_memory=4096"),
        "Fargate does not accept ecs_task_cpu 256 with ecs_task_memory 4096 MiB. Memory for that CPU: 512, 1024, 2048"),
    Row("destroy.yml on prod", lambda ctx: ["playbooks/destroy.yml", "-i", "inventories/prod"],
        f"Destroying PROD is not allowed (account {PROD['bbws_account_id']})"),
    Row("approval digest for another plan", approval_for_another_plan, "does not match any dev plan"),
    Row("prod plan touching protected resources without consent", protected_prod_change,
        "PROD plan refused: it deletes or replaces protected resources (terraform_data.db)", gate=True),
    Row("two environments claim the same account", shared_account_inventory,
        f"Two environments claim account {DEV['bbws_account_id']}: dev and sit"),
    Row("delegation child whose profile lands in the parent's account", child_in_parent_account,
        f"expected {DEV['bbws_account_id']} (dev) but found {PROD['bbws_account_id']} (prod"),
]


@pytest.mark.parametrize("row", [pytest.param(r, id=r.case, marks=[pytest.mark.xfail(reason=r.xfail, strict=True)]
                                              if r.xfail else []) for r in ROWS])
def test_bad_input_is_refused_early_and_creates_nothing(row, aws, playbook, tmp_path, monkeypatch):
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(TERRAFORMRC))  # the machine may export one that does not exist
    ctx = Ctx(tmp_path, aws)
    argv = row.command(ctx)
    state_before = (ctx.stack / "terraform.tfstate").read_text() if (ctx.stack / "terraform.tfstate").exists() else ""
    with recording(aws) as seen:
        run = playbook(*argv, env={**aws.env(), "TF_CLI_CONFIG_FILE": str(TERRAFORMRC), **ctx.env})
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-3000:]
    assert row.refusal in flat(output), output[-3000:]
    assert not TRACEBACK.search(output)
    assert seen.writes == [], f"{row.case}: the run wrote {seen.writes}"
    # Nothing planned by the playbook, nothing applied: no plan file of this run, the fixture state unchanged.
    assert row.gate or not list(ctx.artifacts.rglob("*.tfplan")), "the refused run made a plan"
    if ctx.stack.exists():
        after = (ctx.stack / "terraform.tfstate").read_text() if (ctx.stack / "terraform.tfstate").exists() else ""
        assert after == state_before, "the refused run changed the Terraform state"
        assert FIXTURE_SECRET not in output, "a secret the stack derives appeared in the output"
    print(f"{row.case}: refused ({seen.reads} reads, 0 writes)")
