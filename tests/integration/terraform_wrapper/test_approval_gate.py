"""The terraform_stack role end to end with ansible-playbook and real Terraform on the fixture stack.

Each run costs a few seconds, so each test proves several things a user relies on at once.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import REPO
from tf_paths import TERRAFORM
from tf_paths import TERRAFORMRC

from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_apply
from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_plan

pytestmark = pytest.mark.slow
PLAYBOOK = "tests/integration/terraform_wrapper/stack.yml"
SECRET = "fixture-pw-"
ENV = {"TF_CLI_CONFIG_FILE": str(TERRAFORMRC)}


def role_vars(stack: Path, artifacts: Path, **extra) -> list[str]:
    """Point the role at the fixture, a local backend and a private artifacts folder."""
    values = {
        "terraform_stack_project_path": str(stack),
        "terraform_stack_backend_config": {},
        "terraform_stack_profile": "",
        "terraform_stack_binary_path": str(TERRAFORM),
        "terraform_stack_artifacts_dir": str(artifacts),
        "terraform_stack_variables": {"environment": "dev"},
        "terraform_stack_protected_resource_types": ["terraform_data"],
        "terraform_stack_backup_resource_types": {},
        **extra,
    }
    return ["-e", json.dumps(values)]


def output(run: subprocess.CompletedProcess) -> str:
    return run.stdout + run.stderr


def resources(stack: Path) -> list:
    path = stack / "terraform.tfstate"
    return json.loads(path.read_text()).get("resources", []) if path.exists() else []


def summaries(artifacts: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(artifacts.glob("*-*/plan-summary.json"))]


def test_gate_fails_closed_then_applies_only_the_approved_digest(playbook, stack, tmp_path, aws):
    env = {**ENV, **aws.env()}  # the guard asserts the dev account before the role runs
    artifacts = tmp_path / "artifacts"
    runs = []

    closed = playbook("-i", "inventories/dev", PLAYBOOK, *role_vars(stack, artifacts), env=env)
    runs.append(closed)
    assert closed.returncode != 0
    [plan] = summaries(artifacts)
    short = plan["digest"][:12]
    assert "DEV plan not approved: nothing was applied" in output(closed)
    assert f"re-run with -e bbws_approve={short}" in output(closed)
    assert resources(stack) == []
    assert plan["summary"]["add"] == 3 and plan["account_id"] == "536580886816"
    assert "Estimated monthly cost" in output(closed) and "Expected apply time" in output(closed)

    wrong = playbook(
        "-i", "inventories/dev", PLAYBOOK, *role_vars(stack, artifacts), "-e", "bbws_approve=0123456789ab", env=env
    )
    runs.append(wrong)
    assert wrong.returncode != 0
    assert "bbws_approve=0123456789ab does not match any dev plan" in output(wrong)
    assert resources(stack) == []

    approved = playbook(
        "-i", "inventories/dev", PLAYBOOK, *role_vars(stack, artifacts), "-e", f"bbws_approve={short}", env=env
    )
    runs.append(approved)
    assert approved.returncode == 0, output(approved)
    assert len(resources(stack)) == 3
    run_dir = artifacts / Path(plan["plan_file"]).parent.name
    names = sorted(p.name for p in run_dir.iterdir())
    assert names == [
        "approval.json",
        "outputs.json",
        "plan-summary.json",
        "plan-summary.txt",
        "stack.tfplan",
        "state-before-apply.json",
        "terraform.tfvars.json",
        "verify-after-apply.tfplan",
    ]  # the plan with refresh after the apply: empty, so the run is green
    record = json.loads((run_dir / "approval.json").read_text())
    assert record["digest"] == plan["digest"] and record["method"] == "extra-var" and record["approved"] is True
    assert json.loads((run_dir / "outputs.json").read_text())["db_password"] == "(sensitive value)"

    # The secret exists in the state, and nowhere in the playbook output or the artifacts.
    assert SECRET in (stack / "terraform.tfstate").read_text()
    for run in runs:
        assert SECRET not in output(run)
    for path in artifacts.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path

    # An approval names one plan: used once, the state moved on, and applying it again is refused as stale.
    again = playbook(
        "-i", "inventories/dev", PLAYBOOK, *role_vars(stack, artifacts), "-e", f"bbws_approve={short}", env=env
    )
    assert again.returncode != 0
    assert "saved plan is stale" in output(again)


def test_check_mode_plans_and_applies_nothing(playbook, stack, tmp_path, aws):
    env = {**ENV, **aws.env()}
    run = playbook("-i", "inventories/dev", PLAYBOOK, "--check", *role_vars(stack, tmp_path / "a"), env=env)
    assert run.returncode == 0, output(run)
    assert "check mode: the gate and the apply do not run" in output(run)
    assert re.search(r"Plan the stack\] \*+\nchanged: \[bbws-dev\]", run.stdout)  # drift reported as changed
    assert resources(stack) == []
    assert "Not waiting for response" not in output(run)


def _apply_fixture(module_runner, stack: Path, tmp_path: Path) -> None:
    args = {"project_path": str(stack), "plan_file": str(tmp_path / "seed.tfplan"), "binary_path": str(TERRAFORM)}
    planned = module_runner(terraform_plan, args)
    assert not module_runner(terraform_apply, {**args, "expected_digest": planned["digest"]}).failed


def test_prod_refuses_protected_changes_even_when_approved(playbook, module_runner, stack, tmp_path, aws):
    _apply_fixture(module_runner, stack, tmp_path)
    artifacts = tmp_path / "artifacts"
    env = {**ENV, **aws.env()}
    extra = {"terraform_stack_variables": {"environment": "prod", "generation": 2}}
    refused = playbook(
        "-i", "inventories/prod", "--limit", "bbws-prod", PLAYBOOK, *role_vars(stack, artifacts, **extra), env=env
    )
    assert refused.returncode != 0
    assert "PROD plan refused: it deletes or replaces protected resources (terraform_data.db)" in output(refused)
    short = summaries(artifacts)[0]["digest"][:12]
    still = playbook(
        "-i",
        "inventories/prod",
        "--limit",
        "bbws-prod",
        PLAYBOOK,
        *role_vars(stack, artifacts, **extra),
        "-e",
        f"bbws_approve={short}",
        env=env,
    )
    assert still.returncode != 0 and "PROD plan refused" in output(still)
    consent = playbook(
        "-i",
        "inventories/prod",
        "--limit",
        "bbws-prod",
        PLAYBOOK,
        *role_vars(stack, artifacts, **extra),
        "-e",
        f"bbws_approve={short}",
        "-e",
        "bbws_allow_protected_changes=true",
        env=env,
    )
    assert consent.returncode == 0, output(consent)


def _run_in_pty(argv: list[str], env: dict, answer_pattern: str, deadline_s: float = 60) -> tuple[int, str]:
    """Run argv with a pseudo-terminal as its controlling terminal; type the prefix it asks for."""
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is stdin/stdout and the controlling terminal
        os.chdir(REPO)
        os.execve(argv[0], argv, env)
    text, answered = "", False
    deadline = time.monotonic() + deadline_s
    try:
        while time.monotonic() < deadline:
            ready = select.select([fd], [], [], 1.0)[0]
            if ready:
                try:
                    chunk = os.read(fd, 4096).decode(errors="replace")
                except OSError:
                    break  # EIO: the child closed the terminal
                if not chunk:
                    break
                text += chunk
            match = re.search(answer_pattern, text)
            if match and not answered:
                time.sleep(0.5)  # the prompt flushes input typed before it reads
                os.write(fd, match.group(1).encode() + b"\r")
                answered = True
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        status = os.waitpid(pid, 0)[1]
        os.close(fd)
    return os.waitstatus_to_exitcode(status), text


def test_person_at_a_terminal_types_the_digest_prefix(stack, tmp_path, aws):
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        **ENV,
        **aws.env(),
        "ANSIBLE_COLLECTIONS_PATH": str(REPO / "collections"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
    }
    argv = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        "-i",
        "inventories/dev",
        PLAYBOOK,
        *role_vars(stack, tmp_path / "artifacts"),
    ]
    rc, text = _run_in_pty(argv, env, r"Type ([0-9a-f]{12}) to apply this plan\s+to bbws-dev \(anything else stops\):")
    assert "Type " in text and "Digest: " in text
    assert rc == 0, text[-3000:]
    assert len(resources(stack)) == 3
    [record] = [json.loads(p.read_text()) for p in (tmp_path / "artifacts").glob("*/approval.json")]
    assert record["method"] == "prompt"
    assert SECRET not in text


def test_a_real_run_whose_provider_cannot_be_installed_fails_and_the_emulator_run_plans_offline(
    playbook, aws, tmp_path
):
    """The collection's terraform/ needs hashicorp/aws, which cannot be downloaded here, as in a registry outage.

    Without bbws_local_emulator that is a failure of the environment with its cause, and the run exits non-zero;
    only a run that says it targets the local emulator may plan (and apply) with the offline provider.
    """
    args = (
        "-i",
        "inventories/dev",
        "site.yml",
        "--tags",
        "plan",
        "-e",
        json.dumps({"terraform_stack_backend_config": {}, "terraform_stack_artifacts_dir": str(tmp_path / "a")}),
    )
    real = playbook(*args, env={**ENV, **aws.env()}, local_emulator=False)
    text = " ".join(output(real).split())
    assert real.returncode != 0, text[-3000:]
    assert "DEV: FAILED in its plan phase: terraform init could not install the providers" in text
    assert "not runnable" not in text
    assert "Traceback" not in text

    # Under the local emulator the same run plans the real stack with the offline provider.
    emulated = playbook(*args, env={**ENV, **aws.env()})
    text = " ".join(output(emulated).split())
    assert emulated.returncode == 0, text[-3000:]
    assert "DEV: ok" in text and "plan: ok" in text, text[-3000:]
    assert "not runnable" not in text
