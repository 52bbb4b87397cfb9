"""After an apply the role plans again with refresh: a stack that does not settle fails as "drift after apply".

Real Terraform on a provider-less stack whose value is the time of each plan (tests/fixtures/terraform/unsettled):
the approved plan applies, and the plan right after it is not empty. The settled fixture stack passes the same
check in test_approval_gate.py (its approved apply ends green).
"""

from __future__ import annotations

import json
import shutil

import pytest

from tf_paths import FIXTURES
from tf_paths import TERRAFORM
from tf_paths import TERRAFORMRC

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
PLAYBOOK = "tests/integration/terraform_wrapper/stack.yml"


def test_a_plan_that_is_not_empty_after_the_apply_fails_the_environment(playbook, aws, tmp_path):
    stack = tmp_path / "stack"
    shutil.copytree(FIXTURES / "unsettled", stack)
    values = {
        "terraform_stack_project_path": str(stack),
        "terraform_stack_backend_config": {},
        "terraform_stack_profile": "",
        "terraform_stack_binary_path": str(TERRAFORM),
        "terraform_stack_artifacts_dir": str(tmp_path / "artifacts"),
        "terraform_stack_variables": {"environment": "dev"},
        "terraform_stack_protected_resource_types": [],
        "terraform_stack_backup_resource_types": {},
    }
    env = {**aws.env(), "TF_CLI_CONFIG_FILE": str(TERRAFORMRC)}
    closed = playbook("-i", "inventories/dev", PLAYBOOK, "-e", json.dumps(values), env=env)
    assert closed.returncode != 0  # no approval: the gate fails closed, nothing applied
    [summary] = [json.loads(p.read_text()) for p in (tmp_path / "artifacts").glob("*/plan-summary.json")]

    run = playbook(
        "-i",
        "inventories/dev",
        PLAYBOOK,
        "-e",
        json.dumps(values),
        "-e",
        f"bbws_approve={summary['digest'][:12]}",
        env=env,
    )
    text = " ".join((run.stdout + run.stderr).split())
    assert run.returncode != 0, text[-3000:]
    assert "drift after apply: a plan with refresh right after applying" in text
    assert "still changes terraform_data.clock (update)" in text
    state = json.loads((stack / "terraform.tfstate").read_text())
    assert [r["name"] for r in state["resources"]] == ["clock"]  # the approved plan itself was applied
