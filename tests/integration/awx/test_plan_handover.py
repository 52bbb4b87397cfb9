"""The AWX workflow's plan -> approval -> apply hand-over, replayed without AWX.

The plan job runs playbooks/plan.yml; AWX passes its set_stats data to the next workflow nodes as extra vars.
Here the ansible.posix.json callback prints the same data (global_custom_stats), and the apply job's playbook
(playbooks/apply.yml, as the apply job template runs it) gets it as -e. The two runs use separate
artifacts folders and the apply starts from an uninitialised Terraform directory without the plan's provider lock
file, like two AWX job containers: the plan file and its lock file can only travel through the account's (emulated)
state bucket. The apply job gets the plan job's published values unchanged (bbws_plan_digest, bbws_plan_location)
and the apply template's extra vars as awx/show.yml renders them, none of which holds Jinja.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from awx_support import FIXTURE_STACK
from awx_support import TERRAFORM
from awx_support import TERRAFORMRC
from inventory import host_vars

pytestmark = [pytest.mark.slow, pytest.mark.emulator]
SECRET = "fixture-pw-"
# The lock file a project ships (Terraform keeps its header when the stack needs no downloaded provider).
LOCK_FILE = (
    '# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n'
)
# What AWX sets in every job: the approval gate then knows nobody can answer a prompt.
AWX_JOB = {"awx_job_id": 4242, "awx_user_name": "approver"}


def role_vars(stack: Path, artifacts: Path, **extra) -> list[str]:
    values = {
        "terraform_stack_project_path": str(stack),
        "terraform_stack_backend_config": {},
        "terraform_stack_binary_path": str(TERRAFORM),
        "terraform_stack_artifacts_dir": str(artifacts),
        "terraform_stack_variables": {"environment": "dev"},
        "terraform_stack_protected_resource_types": ["terraform_data"],
        "terraform_stack_backup_resource_types": {},
        "terraform_stack_plan_store": "s3",
        **AWX_JOB,
        **extra,
    }
    return ["-e", json.dumps(values)]


def output(run: subprocess.CompletedProcess) -> str:
    return run.stdout + run.stderr


def custom_stats(run: subprocess.CompletedProcess) -> dict:
    assert run.returncode == 0, output(run)[-3000:]
    return json.loads(run.stdout)["global_custom_stats"]


def resources(stack: Path) -> list:
    path = stack / "terraform.tfstate"
    return json.loads(path.read_text()).get("resources", []) if path.exists() else []


def test_apply_job_applies_exactly_the_approved_plan_from_the_state_bucket(playbook, aws, tmp_path):
    stack = tmp_path / "stack"
    shutil.copytree(FIXTURE_STACK, stack)
    lock = stack / ".terraform.lock.hcl"
    lock.write_text(LOCK_FILE)
    dev = host_vars("dev")
    bucket = dev["bbws_state_bucket"]
    s3 = boto3.Session(profile_name=dev["bbws_aws_profile"]).client("s3", region_name=dev["bbws_region"])
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": dev["bbws_region"]})
    env = {**aws.env(), "TF_CLI_CONFIG_FILE": str(TERRAFORMRC)}
    # show_custom_stats: the json callback prints set_stats data only when asked to.
    json_env = {**env, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_SHOW_CUSTOM_STATS": "true"}
    plan_artifacts = tmp_path / "plan-job"
    runs = []

    # The plan job: a plan, stashed encrypted in the state bucket; only its digest and location are published.
    planned = playbook("-i", "inventories/dev", "playbooks/plan.yml", *role_vars(stack, plan_artifacts), env=json_env)
    runs.append(planned)
    stats = custom_stats(planned)
    assert set(stats) == {"bbws_plan_digest", "bbws_plan_location", "bbws_plans"}
    digest, location = stats["bbws_plan_digest"], stats["bbws_plan_location"]
    key = f"ecs-cluster/dev/plans/{digest}/stack.tfplan"
    assert location == f"s3://{bucket}/{key}"
    assert stats["bbws_plans"] == {"dev": {"digest": digest, "location": location}}
    stored = s3.get_object(Bucket=bucket, Key=key)
    assert stored["ServerSideEncryption"] == "AES256"
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == digest
    # The provider lock file the plan was made with travels with it.
    stashed_lock = s3.get_object(Bucket=bucket, Key=f"ecs-cluster/dev/plans/{digest}/.terraform.lock.hcl")
    assert stashed_lock["ServerSideEncryption"] == "AES256"
    assert stashed_lock["Body"].read().decode() == lock.read_text()

    # The stack changes after the approval was given: a second plan, with another digest and location.
    changed = playbook(
        "-i",
        "inventories/dev",
        "playbooks/plan.yml",
        *role_vars(stack, plan_artifacts, terraform_stack_variables={"environment": "dev", "size": "large"}),
        env=json_env,
    )
    runs.append(changed)
    changed_stats = custom_stats(changed)
    assert changed_stats["bbws_plan_digest"] != digest

    # What the apply template adds (awx/show.yml): plain values, no Jinja for AWX to render or refuse.
    show = playbook("awx/show.yml", env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    assert show.returncode == 0, output(show)[-2000:]
    objects = json.loads(show.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"]
    [template] = [t for t in objects["job_templates"] if t["name"] == "BBWS apply"]
    assert "{{" not in json.dumps(template["extra_vars"])

    # Each apply job starts in a fresh container: no artifacts, an uninitialised Terraform directory, and no lock
    # file (the checkout has none, or another one than the plan job's init left).
    def apply_job(**artifacts_from_plan_job: str) -> subprocess.CompletedProcess:
        shutil.rmtree(stack / ".terraform", ignore_errors=True)
        lock.unlink(missing_ok=True)
        artifacts = tmp_path / f"apply-job-{len(runs)}"
        run = playbook(
            "-i",
            "inventories/dev",
            "playbooks/apply.yml",
            *role_vars(stack, artifacts),
            "-e",
            json.dumps(template["extra_vars"]),
            "-e",
            json.dumps(artifacts_from_plan_job),
            env=env,
        )
        runs.append(run)
        return run

    refused = apply_job(bbws_plan_digest=digest, bbws_plan_location=changed_stats["bbws_plan_location"])
    assert refused.returncode != 0
    assert f"has SHA-256 {changed_stats['bbws_plan_digest']}" in output(refused)
    assert f"which is not the approved dev plan {digest}: nothing was applied" in output(refused)
    assert resources(stack) == []
    assert not list(tmp_path.glob("apply-job-*/*/stack.tfplan"))  # the refused file is not left behind

    applied = apply_job(**stats)
    assert applied.returncode == 0, output(applied)[-3000:]
    # The plan's lock file was restored before init (which ran with -lockfile=readonly); an init without it creates
    # no lock file for this provider-less stack.
    assert lock.read_text() == LOCK_FILE
    assert sorted(r["name"] for r in resources(stack)) == ["app", "db", "extra"]
    [record] = [json.loads(p.read_text()) for p in tmp_path.glob("apply-job-*/*/approval.json")]
    assert record["digest"] == digest and record["method"] == "extra-var" and record["who"] == "approver"
    [summary] = [json.loads(p.read_text()) for p in tmp_path.glob("apply-job-*/*/plan-summary.json")]
    assert summary["plan_location"] == location and summary["summary"]["add"] == 3

    for run in runs:
        assert SECRET not in output(run)
        assert "Traceback" not in output(run)


def test_an_inventory_with_a_standby_hands_each_stack_its_own_plan(playbook, aws, tmp_path):
    """inventories/prod plans two stacks in one plan job (prod and its DR standby prod-dr): the job publishes
    bbws_plans with both, and the apply job applies each stack's own plan."""
    stacks = {}
    for host in ("bbws-prod", "bbws-prod-dr"):
        stacks[host] = tmp_path / "stacks" / host
        shutil.copytree(FIXTURE_STACK, stacks[host])
        (stacks[host] / ".terraform.lock.hcl").write_text(LOCK_FILE)
    for stack in ("prod", "prod-dr"):
        facts = host_vars(stack)
        s3 = boto3.Session(profile_name=facts["bbws_aws_profile"]).client("s3", region_name=facts["bbws_region"])
        s3.create_bucket(
            Bucket=facts["bbws_state_bucket"], CreateBucketConfiguration={"LocationConstraint": facts["bbws_region"]}
        )
    env = {**aws.env(), "TF_CLI_CONFIG_FILE": str(TERRAFORMRC)}
    json_env = {**env, "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_SHOW_CUSTOM_STATS": "true"}
    # Each host its own copy of the toy stack (extra vars are templated per host); the toy stack has no DR part.
    # The stacks' inputs differ, as prod's and prod-dr's do, so their plans (and digests) differ: two plans of
    # identical inputs made within the same second are the same file.
    per_host = {
        "terraform_stack_project_path": str(tmp_path / "stacks") + "/{{ inventory_hostname }}",
        "terraform_stack_variables": {"environment": "prod", "size": "{{ bbws_stack }}"},
        "terraform_stack_dr_role": "none",
    }
    planned = playbook(
        "-i", "inventories/prod", "playbooks/plan.yml", *role_vars(tmp_path, tmp_path / "plan-job", **per_host),
        env=json_env,
    )  # fmt: skip
    stats = custom_stats(planned)
    # Only bbws_plans: set_stats would join the two hosts' bbws_plan_digest strings into one that names no plan.
    assert set(stats) == {"bbws_plans"} and sorted(stats["bbws_plans"]) == ["prod", "prod-dr"]
    digests = {stack: plan["digest"] for stack, plan in stats["bbws_plans"].items()}
    assert digests["prod"] != digests["prod-dr"]
    assert stats["bbws_plans"]["prod-dr"]["location"].startswith(f"s3://{host_vars('prod-dr')['bbws_state_bucket']}/")

    show = playbook("awx/show.yml", env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    objects = json.loads(show.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"]
    [template] = [t for t in objects["job_templates"] if t["name"] == "BBWS apply"]
    for stack in stacks.values():
        shutil.rmtree(stack / ".terraform", ignore_errors=True)
    applied = playbook(
        "-i", "inventories/prod", "playbooks/apply.yml", *role_vars(tmp_path, tmp_path / "apply-job", **per_host),
        "-e", json.dumps(template["extra_vars"]), "-e", json.dumps(stats), env=env,
    )  # fmt: skip
    assert applied.returncode == 0, output(applied)[-4000:]
    for host, stack in stacks.items():
        assert sorted(r["name"] for r in resources(stack)) == ["app", "db", "extra"], host
    records = [json.loads(p.read_text()) for p in (tmp_path / "apply-job").glob("*/approval.json")]
    assert sorted(r["digest"] for r in records) == sorted(digests.values())
