"""The roles as an AWX job runs them: the inventory at ansible-runner's /runner/inventory/hosts (a script printing the
inventory AWX imported from inventories/<env>), and a project the job must not write to.

AWX writes the inventory to <private data dir>/inventory/hosts; here the private data dir is a temporary folder with
the same layout. The repository is mounted read-only for the run (a bind mount in a private mount namespace of the
ansible-playbook process only; root ignores file modes, so chmod would prove nothing): every artifact has to go to
<private data dir>/artifacts (bbws_artifacts_dir).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from awx_support import FIXTURE_STACK
from awx_support import TERRAFORM
from awx_support import TERRAFORMRC
from support import BIN
from support import REPO
from support import ansible_env

import faults

pytestmark = [pytest.mark.slow, pytest.mark.emulator]
READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@"'


def read_only_repository_works() -> bool:
    """Whether this machine lets a process mount the repository read-only in its own mount namespace."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "--", "sh", "-c", READ_ONLY, "sh", str(REPO), "true"], check=False)
    return probe.returncode == 0


def awx_inventory(private_data_dir: Path, environment: str) -> Path:
    """What AWX does with an SCM inventory source: import it (ansible-inventory --list --export), then hand each job
    a script at <private data dir>/inventory/hosts that prints it."""
    listed = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", f"inventories/{environment}", "--list", "--export"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=ansible_env(),
    )
    hosts = private_data_dir / "inventory" / "hosts"
    hosts.parent.mkdir(parents=True)
    imported = private_data_dir.parent / f"imported-{environment}.json"
    imported.write_text(listed.stdout)
    hosts.write_text(f"#!{sys.executable}\nimport sys\nsys.stdout.write(open({str(imported)!r}).read())\n")
    hosts.chmod(0o755)
    return hosts


def run_as_awx_job(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["unshare", "-m", "--", "sh", "-c", READ_ONLY, "sh", str(REPO), str(BIN / "ansible-playbook"), *args],
        cwd=REPO,
        env=ansible_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_roles_write_their_artifacts_to_the_jobs_folder_with_a_read_only_project(aws, tmp_path):
    if not read_only_repository_works():
        pytest.skip("no private mount namespace here (unshare -m): the repository cannot be mounted read-only")
    runner = tmp_path / "runner"
    hosts = awx_inventory(runner, "dev")
    stack = tmp_path / "stack"
    shutil.copytree(FIXTURE_STACK, stack)
    env = {**aws.env(), "TF_CLI_CONFIG_FILE": str(TERRAFORMRC)}
    before = sorted(p.name for p in (REPO / "artifacts").glob("*")) if (REPO / "artifacts").is_dir() else []

    # The plan job (terraform_stack), on the fixture stack, with no artifacts folder given.
    stack_vars = {
        "terraform_stack_project_path": str(stack),
        "terraform_stack_backend_config": {},
        "terraform_stack_binary_path": str(TERRAFORM),
        "terraform_stack_variables": {"environment": "dev"},
        "terraform_stack_protected_resource_types": ["terraform_data"],
        "terraform_stack_backup_resource_types": {},
        "awx_job_id": 4242,
    }
    planned = run_as_awx_job("-i", str(hosts), "playbooks/plan.yml", "-e", json.dumps(stack_vars), env=env)
    assert planned.returncode == 0, (planned.stdout + planned.stderr)[-3000:]
    [summary] = list((runner / "artifacts").glob("*-dev/plan-summary.json"))
    assert json.loads(summary.read_text())["environment"] == "dev"
    assert (summary.parent / "stack.tfplan").is_file()

    # The health job (cluster_health) on an emulated dev cluster.
    faults.build_cluster("dev", artifacts_dir=tmp_path / "stack-state")  # its Terraform state stays out of the project
    health = run_as_awx_job("-i", str(hosts), "playbooks/health.yml", "--check", env=env)
    assert health.returncode == 0, (health.stdout + health.stderr)[-3000:]
    reports = {p.name for p in (runner / "artifacts").glob("*-dev/health/*")}
    assert {"dev-health.json", "dev-health.md", "dev-health.html"} <= reports

    after = sorted(p.name for p in (REPO / "artifacts").glob("*")) if (REPO / "artifacts").is_dir() else []
    assert after == before
    assert "Read-only file system" not in planned.stdout + planned.stderr + health.stdout + health.stderr
