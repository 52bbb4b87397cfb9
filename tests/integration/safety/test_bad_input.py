"""Bad input is refused early, with a message that names the problem, and nothing is created.

One row per case of the seed's list: the command a user would run (with the bad value as an extra var, a
broken inventory copy or a misdirected AWS profile), a fragment of the refusal, and the proof that nothing
was created: the emulator recorded no write (moto's recorder), and for the Terraform rows nothing was planned
or applied.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
import yaml

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import TerraformCommands
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformError
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
    return lambda ctx: [
        "playbooks/plan.yml",
        "-i",
        "inventories/dev",
        *extra,
        "-e",
        f"terraform_stack_artifacts_dir={ctx.artifacts}",
    ]


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
    config = ctx.emulator.write_config(
        ctx.tmp / "aws_config", overrides={DEV["bbws_aws_profile"]: PROD["bbws_account_id"]}
    )
    ctx.env["AWS_CONFIG_FILE"] = str(config)
    return ["playbooks/delegate_dns.yml", "-i", "inventories/prod"]


def guard_skipped(playbook: str, *options: str) -> Callable[[Ctx], list[str]]:
    """A prod run of ``playbook`` with options that skip the guard's own tasks; the roles must still refuse."""

    def command(ctx: Ctx) -> list[str]:
        folders = {
            "terraform_stack_artifacts_dir": str(ctx.artifacts),
            "cluster_health_artifacts_dir": str(ctx.artifacts),
        }
        return [playbook, "-i", "inventories/prod", *options, "-e", json.dumps(folders)]

    return command


def doubled_dev_inventory(ctx: Ctx) -> list[str]:
    """A second inventory that also claims dev (another host name in group bbws_dev)."""
    copy = ctx.tmp / "inventories"
    shutil.copytree(REPO / "inventories", copy, symlinks=True)
    hosts = copy / "dev" / "hosts.yml"
    hosts.write_text(hosts.read_text().replace("bbws-dev:", "bbws-dev-copy:"))
    return ["site.yml", "-i", "inventories/dev", "-i", str(copy / "dev"), *NO_TERRAFORM]


def keys_beside_profile(ctx: Ctx) -> list[str]:
    ctx.env.update({"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXPORTED", "AWS_SECRET_ACCESS_KEY": "exported-secret"})
    return ["site.yml", "-i", "inventories/dev", *NO_TERRAFORM]


def child_in_parent_account_site(ctx: Ctx) -> list[str]:
    """prod alone: its guard asserts the child profiles, and the dev child lands in prod's account."""
    child_in_parent_account(ctx)
    return ["site.yml", "-i", "inventories/prod", *NO_TERRAFORM]


def report_folder_is_a_file(ctx: Ctx) -> list[str]:
    ctx.tmp.mkdir(exist_ok=True)
    (ctx.tmp / "reports").write_text("not a folder\n")
    return [
        "playbooks/health.yml",
        "-i",
        "inventories/dev",
        "-e",
        f"cluster_health_artifacts_dir={ctx.tmp / 'reports'}",
    ]


def health_in_another_account(ctx: Ctx) -> list[str]:
    """dev's health with an AWS config whose dev profile lands in sit's account, past the guard (its own task)."""
    config = ctx.emulator.write_config(
        ctx.tmp / "aws_config", overrides={DEV["bbws_aws_profile"]: SIT["bbws_account_id"]}
    )
    ctx.env["AWS_CONFIG_FILE"] = str(config)
    return [
        "tests/integration/safety/health_unguarded_account.yml",
        "-i",
        "inventories/dev",
        "-e",
        f"cluster_health_artifacts_dir={ctx.tmp / 'reports'}",
    ]


FORGED_PROOF = {
    "environment": "prod",
    "account_id": PROD["bbws_account_id"],
    "protected": False,
    "mac": "0" * 64,
    "profiles": {PROD["bbws_aws_profile"]: PROD["bbws_account_id"]},
}
NOT_GUARDED = "The account guard has not verified bbws-prod in this run"


def fixture_vars(ctx: Ctx, **extra) -> list[str]:
    values = {
        "terraform_stack_project_path": str(ctx.stack),
        "terraform_stack_backend_config": {},
        "terraform_stack_profile": "",
        "terraform_stack_binary_path": str(TERRAFORM),
        "terraform_stack_artifacts_dir": str(ctx.artifacts),
        "terraform_stack_variables": {"environment": "dev"},
        "terraform_stack_protected_resource_types": ["terraform_data"],
        "terraform_stack_backup_resource_types": {},
        **extra,
    }
    return ["-e", json.dumps(values)]


def _fixture_plan(ctx: Ctx, name: str, environment: str) -> dict:
    shutil.copytree(FIXTURE_STACK, ctx.stack, dirs_exist_ok=True)
    variables = ctx.tmp / f"{name}.tfvars.json"
    variables.write_text(json.dumps({"environment": environment}))
    args = {
        "project_path": str(ctx.stack),
        "plan_file": str(ctx.tmp / f"{name}.tfplan"),
        "binary_path": str(TERRAFORM),
        "variables_file": str(variables),
    }
    result = run_module(terraform_plan, args)
    assert not result.failed, result
    return result | {"args": args}


def approval_for_another_plan(ctx: Ctx) -> list[str]:
    """A real digest of a sit plan, given as the approval of a dev run."""
    other = _fixture_plan(ctx, "sit", "sit")
    return ["-i", "inventories/dev", STACK_PLAYBOOK, *fixture_vars(ctx), "-e", f"bbws_approve={other['digest'][:12]}"]


def ambiguous_approval(ctx: Ctx) -> list[str]:
    """Two dev plan summaries whose digests start alike: a prefix of both is ambiguous, not 'no match'."""
    plan = _fixture_plan(ctx, "dev", "dev")
    prefix = plan["digest"][:12]
    for run, tail in (("20260101T000000Z", plan["digest"][12:]), ("20260102T000000Z", "f" * 52)):
        folder = ctx.artifacts / f"{run}-dev"
        folder.mkdir(parents=True)
        (folder / "plan-summary.json").write_text(
            json.dumps({"digest": prefix + tail, "plan_file": plan["plan_file"], "project_path": str(ctx.stack)})
        )
    return ["-i", "inventories/dev", STACK_PLAYBOOK, *fixture_vars(ctx), "-e", f"bbws_approve={prefix}"]


def protected_prod_change(ctx: Ctx) -> list[str]:
    """The fixture applied, then a prod plan that replaces its protected resource, without consent."""
    seed = _fixture_plan(ctx, "seed", "prod")
    applied = run_module(
        terraform_apply,
        {k: v for k, v in seed["args"].items() if k != "variables_file"} | {"expected_digest": seed["digest"]},
    )
    assert not applied.failed, applied
    return [
        "-i",
        "inventories/prod",
        STACK_PLAYBOOK,
        "-vvv",
        *fixture_vars(ctx, terraform_stack_variables={"environment": "prod", "generation": 2}),
    ]


ROWS = [
    Row(
        "unknown environment name",
        site("inventories/dev", "-e", "bbws_environment=staging"),
        "Unknown environment staging: use one of dev, sit, prod",
    ),
    Row(
        "account ID not 12 digits",
        site("inventories/dev", "-e", "bbws_account_id=53658088681"),
        "expected_account_id must be exactly 12 digits (an AWS account ID), got '53658088681'",
    ),
    Row(
        "profile that does not exist",
        site("inventories/dev", "-e", "bbws_aws_profile=Tebogo-nope"),
        "AWS profile 'Tebogo-nope' is not configured",
    ),
    Row(
        "region outside af-south-1/eu-west-1",
        site("inventories/dev", "-e", "bbws_region=us-west-2"),
        "Region us-west-2 is not allowed for dev: use one of af-south-1, eu-west-1",
    ),
    Row(
        "malformed CIDR",
        plan_with("-e", "bbws_vpc_cidr=10.10.0/16"),
        "bbws_vpc_cidr 10.10.0/16 is not an IPv4 CIDR block with a prefix length from /16 to /23",
    ),
    Row(
        "VPC CIDR too small to carve the subnets",
        plan_with("-e", "bbws_vpc_cidr=10.10.0.0/26"),
        "bbws_vpc_cidr 10.10.0.0/26 is not an IPv4 CIDR block with a prefix length from /16 to /23",
    ),
    Row(
        "VPC CIDR whose /28 subnets an ALB refuses",
        plan_with("-e", "bbws_vpc_cidr=10.10.0.0/24"),
        "bbws_vpc_cidr 10.10.0.0/24 is not an IPv4 CIDR block with a prefix length from /16 to /23",
    ),
    Row(
        "state key pattern that does not name the environment",
        plan_with("-e", "bbws_state_key_pattern=ecs-cluster/terraform.tfstate"),
        "DEV: the Terraform state key ecs-cluster/terraform.tfstate does not name the environment",
    ),
    Row(
        "Fargate cpu/memory pair AWS rejects",
        plan_with("-e", "bbws_ecs_task_cpu=256", "-e", "bbws_ecs_task_memory=4096"),
        "Fargate does not accept ecs_task_cpu 256 with ecs_task_memory 4096 MiB. Memory for that CPU: 512, 1024, 2048",
    ),
    Row(
        "alarm threshold missing",
        plan_with(
            "-e",
            json.dumps(
                {
                    "bbws_alarm_thresholds": {
                        k: v for k, v in DEV["bbws_alarm_thresholds"].items() if k != "nat_packets_dropped"
                    }
                }
            ),
        ),
        "DEV: bbws_alarm_thresholds lacks nat_packets_dropped. Fix them in the inventory's"
        " group_vars/bbws_dev/monitoring.yml",
    ),
    Row(
        "alarm threshold mistyped",
        plan_with(
            "-e", json.dumps({"bbws_alarm_thresholds": {**DEV["bbws_alarm_thresholds"], "rds_cpu_percent": "eighty"}})
        ),
        "bbws_alarm_thresholds.rds_cpu_percent is 'eighty': it must be a percentage above 0 and at most 100",
    ),
    Row(
        "alarm e-mail endpoint that is no address",
        plan_with("-e", json.dumps({"bbws_alarm_email_endpoints": ["ops"]})),
        "bbws_alarm_email_endpoints holds 'ops': not e-mail addresses",
    ),
    Row(
        "destroy.yml on prod",
        lambda ctx: ["playbooks/destroy.yml", "-i", "inventories/prod"],
        f"Destroying PROD is not allowed (account {PROD['bbws_account_id']})",
    ),
    Row("approval digest for another plan", approval_for_another_plan, "does not match any dev plan"),
    Row("health report folder that is a file", report_folder_is_a_file, "reports is a file. Nothing was read."),
    Row(
        "cluster_health with another account's credentials",
        health_in_another_account,
        f"Account ID mismatch: expected {DEV['bbws_account_id']} (dev) but found {SIT['bbws_account_id']} (sit",
    ),
    Row("approval digest prefix of two plans", ambiguous_approval, "is ambiguous: it is the start of 2 dev plans"),
    Row(
        "prod plan touching protected resources without consent",
        protected_prod_change,
        "PROD plan refused: it deletes or replaces protected resources (terraform_data.db)",
        gate=True,
    ),
    Row(
        "two environments claim the same account",
        shared_account_inventory,
        f"Two environments claim account {DEV['bbws_account_id']}: dev and sit",
    ),
    Row(
        "delegation child whose profile lands in the parent's account",
        child_in_parent_account,
        f"expected {DEV['bbws_account_id']} (dev) but found {PROD['bbws_account_id']} (prod",
    ),
    # Options that skip the guard's tasks: every role that touches AWS checks the guard's proof by itself.
    Row(
        "destroy.yml on prod starting after the refusal and the guard",
        guard_skipped("playbooks/destroy.yml", "--start-at-task", "Plan the stack"),
        NOT_GUARDED,
    ),
    Row(
        "destroy.yml on prod skipping the always tags",
        guard_skipped("playbooks/destroy.yml", "--skip-tags", "always"),
        NOT_GUARDED,
    ),
    Row(
        "plan.yml on prod with terraform_stack_destroy=true",
        guard_skipped("playbooks/plan.yml", "-e", "terraform_stack_destroy=true"),
        f"Destroying PROD is not allowed (account {PROD['bbws_account_id']})",
    ),
    Row(
        "apply.yml on prod starting after the guard",
        guard_skipped(
            "playbooks/apply.yml", "--start-at-task", "Load the approved plan", "-e", "bbws_approve=0123456789ab"
        ),
        NOT_GUARDED,
    ),
    Row(
        "delegate_dns.yml on prod starting after the guard",
        guard_skipped("playbooks/delegate_dns.yml", "--start-at-task", "Delegate the child zones from the parent zone"),
        NOT_GUARDED,
    ),
    Row(
        "plan.yml on prod starting after the guard",
        guard_skipped("playbooks/plan.yml", "--start-at-task", "Plan the stack"),
        NOT_GUARDED,
    ),
    Row(
        "health.yml on prod skipping the always tags",
        guard_skipped("playbooks/health.yml", "--skip-tags", "always"),
        NOT_GUARDED,
    ),
    Row("site.yml on prod skipping the always tags", guard_skipped("site.yml", "--skip-tags", "always"), NOT_GUARDED),
    Row(
        "a guard proof given as an extra var",
        guard_skipped(
            "playbooks/plan.yml", "--skip-tags", "always", "-e", json.dumps({"bbws_guard_proof": FORGED_PROOF})
        ),
        "The guard proof of bbws-prod was not issued by this run's guard",
    ),
    Row(
        "an extra var renames prod's environment",
        site("inventories/prod", "-e", "bbws_environment=dev"),
        "Host bbws-prod is in group bbws_prod, but its environment is given as 'dev'",
    ),
    Row("two inventories claim dev", doubled_dev_inventory, "One environment per run: dev by bbws-dev, bbws-dev-copy"),
    Row(
        "mistyped inventory path",
        lambda ctx: ["site.yml", "-i", "inventories/prdo"],
        "Completely failed to parse inventory source",
    ),
    Row(
        "tags that select no phase",
        site("inventories/dev", "--tags", "bakcend"),
        "--tags bakcend selects no phase of this playbook",
    ),
    Row(
        "the retired custom-domain switch",
        site("inventories/dev", "-e", "bbws_enable_custom_domain=true"),
        "bbws_enable_custom_domain is no longer read (set for bbws-dev): the custom domain is bbws_custom_domain",
    ),
    Row(
        "NS delegation TTL 0",
        lambda ctx: ["playbooks/delegate_dns.yml", "-i", "inventories/prod", "-e", "dns_delegation_ttl=0"],
        "ttl 0 is not accepted for an NS delegation",
    ),
    Row(
        "NS delegation TTL beyond Route 53's maximum",
        lambda ctx: ["playbooks/delegate_dns.yml", "-i", "inventories/prod", "-e", "dns_delegation_ttl=999999999999"],
        "ttl 999999999999 is not accepted for an NS delegation",
    ),
    Row(
        "negative NS delegation TTL",
        lambda ctx: ["playbooks/delegate_dns.yml", "-i", "inventories/prod", "-e", "dns_delegation_ttl=-5"],
        "ttl -5 is not accepted for an NS delegation",
    ),
    Row(
        "access keys exported beside the profile",
        keys_beside_profile,
        "Both profile 'Tebogo-dev' and access keys exported in the environment (AWS_ACCESS_KEY_ID)",
    ),
    Row(
        "a failed child profile's cause reaches the summary",
        child_in_parent_account_site,
        f"PROD: FAILED in its guard phase: Account ID mismatch: expected {DEV['bbws_account_id']} (dev)",
    ),
    Row(
        "prod's DR standby goes no further once prod failed",
        child_in_parent_account_site,
        "PROD-DR: held in its backend phase: not run: its primary bbws-prod failed in its guard phase in this run",
    ),
]


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(r, id=r.case, marks=[pytest.mark.xfail(reason=r.xfail, strict=True)] if r.xfail else [])
        for r in ROWS
    ],
)
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


def _missing_variables(ctx: Ctx) -> dict:
    return {"variables_file": str(ctx.tmp / "no-such.tfvars.json")}


def _broken_variables(ctx: Ctx) -> dict:
    (ctx.tmp / "broken.tfvars.json").write_text("{environment: dev")
    return {"variables_file": str(ctx.tmp / "broken.tfvars.json")}


MODULE_ROWS = [
    (
        "terraform_plan with a missing variables file",
        _missing_variables,
        "no-such.tfvars.json does not exist: nothing was planned",
    ),
    (
        "terraform_plan with a variables file that does not parse",
        _broken_variables,
        "broken.tfvars.json is not valid JSON",
    ),
]


@pytest.mark.parametrize("case, args, refusal", MODULE_ROWS, ids=[r[0] for r in MODULE_ROWS])
def test_terraform_plan_refuses_bad_inputs_before_planning(case, args, refusal, tmp_path, monkeypatch):
    """Terraform here reports an unreadable -var-file and plans from defaults anyway: the module must not."""
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(TERRAFORMRC))
    ctx = Ctx(tmp_path, None)
    shutil.copytree(FIXTURE_STACK, ctx.stack)
    plan_file = tmp_path / "refused.tfplan"
    result = run_module(
        terraform_plan,
        {"project_path": str(ctx.stack), "plan_file": str(plan_file), "binary_path": str(TERRAFORM), **args(ctx)},
    )
    assert result.failed and refusal in result["msg"], result
    assert "digest" not in result and not plan_file.exists()


def test_terraform_errors_fail_the_plan_whatever_the_exit_code(tmp_path, monkeypatch):
    """A -var-file Terraform cannot read, given past the module's own checks, still fails with Terraform's message."""
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(TERRAFORMRC))
    shutil.copytree(FIXTURE_STACK, tmp_path / "stack")

    def run(argv, cwd=None, environ_update=None):
        done = subprocess.run(
            argv, cwd=cwd, env={**os.environ, **(environ_update or {})}, capture_output=True, text=True, check=False
        )
        return done.returncode, done.stdout, done.stderr

    commands = TerraformCommands(run, str(tmp_path / "stack"), str(TERRAFORM))
    commands.init()
    with pytest.raises(TerraformError, match="Failed to read variables file"):
        commands.plan(str(tmp_path / "p.tfplan"), str(tmp_path / "missing.tfvars"))


def test_an_empty_approval_digest_is_refused_as_such(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(TERRAFORMRC))
    ctx = Ctx(tmp_path, None)
    plan = _fixture_plan(ctx, "dev", "dev")
    result = run_module(
        terraform_apply, {k: v for k, v in plan["args"].items() if k != "variables_file"} | {"expected_digest": ""}
    )
    assert result.failed and "No approval was given: expected_digest is empty" in result["msg"], result
    assert "the approval was for ." not in result["msg"]
    assert (
        not (ctx.stack / "terraform.tfstate").exists()
        or "resources" not in (ctx.stack / "terraform.tfstate").read_text()
    )
