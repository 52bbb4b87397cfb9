"""terraform_plan and terraform_apply run in-process against real Terraform 1.15 on a terraform_data stack."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest
from tf_paths import FIXTURES
from tf_paths import TERRAFORM

from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_apply
from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_plan

pytestmark = pytest.mark.slow
SECRET = "fixture-pw-"  # every fixture password starts with it (see tests/fixtures/terraform/stack)


def plan(run, project, tmp_path, name="p", variables=None, **extra):
    args = {
        "project_path": str(project),
        "plan_file": str(tmp_path / "plans" / f"{name}.tfplan"),
        "binary_path": str(TERRAFORM),
        "protected_resource_types": ["terraform_data"],
        **extra,
    }
    if variables is not None:
        varfile = tmp_path / f"{name}.tfvars.json"
        varfile.write_text(json.dumps(variables))
        args["variables_file"] = str(varfile)
    return run(terraform_plan, args)


def apply(run, project, result, **extra):
    args = {
        "project_path": str(project),
        "plan_file": result["plan_file"],
        "expected_digest": result["digest"],
        "binary_path": str(TERRAFORM),
        **extra,
    }
    return run(terraform_apply, args)


def state(project) -> dict:
    path = project / "terraform.tfstate"
    return json.loads(path.read_text()) if path.exists() else {}


def test_create_then_update_replace_delete_counts(module_runner, stack, tmp_path):
    first = plan(module_runner, stack, tmp_path, "create")
    assert not first.failed, first
    assert first["changed"] is True
    assert first["digest"] == hashlib.sha256(open(first["plan_file"], "rb").read()).hexdigest()
    s = first["summary"]
    assert (s["add"], s["change"], s["replace"], s["destroy"], s["has_destroy"]) == (3, 0, 0, 0, False)
    assert s["protected_changes"] == []
    applied = apply(module_runner, stack, first)
    assert not applied.failed, applied
    assert applied["outputs"] == {"app_size": "small", "db_password": "(sensitive value)"}

    second = plan(module_runner, stack, tmp_path, "mixed", {"size": "large", "generation": 2, "keep_extra": False})
    s = second["summary"]
    assert (s["add"], s["change"], s["replace"], s["destroy"], s["has_destroy"]) == (0, 1, 1, 1, True)
    kinds = {c["address"]: c["kind"] for c in s["resource_changes"]}
    assert kinds == {
        "terraform_data.app": "update",
        "terraform_data.db": "replace",
        "terraform_data.extra[0]": "delete",
    }
    # replace includes delete: both the replaced and the deleted resource are protected changes.
    assert sorted(s["protected_changes"]) == ["terraform_data.db", "terraform_data.extra[0]"]
    assert {c["address"]: c["actions"] for c in s["resource_changes"]}["terraform_data.db"] == ["delete", "create"]


def test_no_changes_is_not_changed_and_check_mode_applies_nothing(module_runner, stack, tmp_path):
    first = plan(module_runner, stack, tmp_path, "create", _ansible_check_mode=True)
    assert first["changed"] is True  # drift: nothing exists yet
    dry = apply(module_runner, stack, first, _ansible_check_mode=True)
    assert not dry.failed and dry["changed"] is True and dry["outputs"] == {}
    assert state(stack).get("resources", []) == []
    apply(module_runner, stack, first)
    again = plan(module_runner, stack, tmp_path, "again", _ansible_check_mode=True)
    assert again["changed"] is False
    assert again["summary"]["resource_changes"] == []


def test_wrong_digest_is_refused_and_nothing_applied(module_runner, stack, tmp_path):
    first = plan(module_runner, stack, tmp_path)
    result = apply(module_runner, stack, {**first, "digest": "0" * 64})
    assert result.failed
    assert "plan changed since it was approved" in result["msg"]
    assert "Nothing was applied" in result["msg"]
    assert state(stack).get("resources", []) == []


def test_tampered_plan_file_is_refused(module_runner, stack, tmp_path):
    approved = plan(module_runner, stack, tmp_path, "approved")
    other = plan(module_runner, stack, tmp_path, "other", {"size": "huge"})
    os.replace(other["plan_file"], approved["plan_file"])  # same path, different bytes
    result = apply(module_runner, stack, approved)
    assert result.failed and "plan changed since it was approved" in result["msg"]
    assert state(stack).get("resources", []) == []


def test_stale_plan_is_reported(module_runner, stack, tmp_path):
    one = plan(module_runner, stack, tmp_path, "one")
    two = plan(module_runner, stack, tmp_path, "two")
    assert not apply(module_runner, stack, one).failed
    result = apply(module_runner, stack, two)
    assert result.failed
    assert "saved plan is stale" in result["msg"] and "Nothing was applied" in result["msg"]
    assert "Traceback" not in json.dumps(result)


def test_sensitive_values_never_leave_terraform(module_runner, stack, tmp_path):
    first = plan(module_runner, stack, tmp_path, variables={"db_identifier": "bbws-dev-mysql"})
    snapshot = tmp_path / "snap" / "state.json"
    applied = apply(module_runner, stack, first)
    second = plan(module_runner, stack, tmp_path, "second", {"size": "large"})
    applied = apply(module_runner, stack, second, state_snapshot=str(snapshot))
    assert not applied.failed, applied
    assert SECRET in (stack / "terraform.tfstate").read_text()  # the fixture does have a secret
    for text in (json.dumps(first), json.dumps(second), json.dumps(applied), snapshot.read_text()):
        assert SECRET not in text
    assert json.loads(snapshot.read_text())["outputs"]["db_password"]["value"] == "(sensitive value)"
    assert oct(snapshot.stat().st_mode & 0o777) == "0o600"
    assert applied["state_serial"] >= 1


def test_identifier_of_the_changed_object(module_runner, stack, tmp_path):
    apply(module_runner, stack, plan(module_runner, stack, tmp_path))
    replaced = plan(
        module_runner, stack, tmp_path, "r", {"generation": 5}, identifier_attributes={"terraform_data": "input"}
    )
    db = [c for c in replaced["summary"]["resource_changes"] if c["address"] == "terraform_data.db"][0]
    assert db["identifier"] == "bbws-dev-mysql"


HOLD_LOCK = """
import fcntl, json, sys, time
state = open(sys.argv[1], "a+")
fcntl.lockf(state, fcntl.LOCK_EX | fcntl.LOCK_NB)
with open(sys.argv[2], "w") as info:
    json.dump({"ID": "5d2e61b9-0c3a-4d7e-9b1f-2a6c8e4f7a10", "Operation": "OperationTypeApply",
               "Who": "operator@build-host", "Version": "1.15.5", "Created": "2026-01-05T10:00:00Z",
               "Path": "terraform.tfstate", "Info": ""}, info)
print("locked", flush=True)
time.sleep(60)
"""


def test_lock_held_by_another_process(module_runner, stack, tmp_path):
    apply(module_runner, stack, plan(module_runner, stack, tmp_path))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD_LOCK,
            str(stack / "terraform.tfstate"),
            str(stack / ".terraform.tfstate.lock.info"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        result = plan(module_runner, stack, tmp_path, "locked", lock_timeout="2s")
        assert time.monotonic() - start < 30
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert result.failed
    msg = result["msg"]
    assert "state is locked by operator@build-host since 2026-01-05 10:00:00" in msg
    assert "lock ID 5d2e61b9-0c3a-4d7e-9b1f-2a6c8e4f7a10" in msg
    assert f"-chdir={stack} force-unlock 5d2e61b9-0c3a-4d7e-9b1f-2a6c8e4f7a10" in msg
    assert "never unlocks by itself" in msg
    assert (stack / ".terraform.tfstate.lock.info").exists()  # left alone


def test_missing_binary_is_a_clear_error(module_runner, stack, tmp_path):
    result = plan(module_runner, stack, tmp_path, binary_path="terraform-not-installed-here")
    assert result.failed
    assert "Terraform is not installed" in result["msg"] and "terraform-not-installed-here" in result["msg"]


def test_provider_that_cannot_be_installed(module_runner, tmp_path):
    result = plan(module_runner, FIXTURES / "needs_aws", tmp_path)
    assert result.failed
    assert "provider cannot be installed" in result["msg"]
    assert "hashicorp/aws" in result["msg"]
    assert "Traceback" not in json.dumps(result)


def test_the_record_before_an_apply_names_the_state_version_and_how_to_restore_it(module_runner, stack, tmp_path, aws):
    """A versioned bucket holds the state object (as the S3 backend keeps it); the record names its version."""
    import boto3

    s3 = boto3.Session(profile_name="Tebogo-dev").client("s3", region_name="af-south-1")
    bucket, key = "bbws-state-version-probe", "ecs-cluster/dev/terraform.tfstate"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "af-south-1"})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key=key, Body=b'{"version": 4}')["VersionId"]
    first = plan(module_runner, stack, tmp_path, "create")
    snapshot = tmp_path / "state-before-apply.json"
    applied = apply(
        module_runner,
        stack,
        first,
        state_snapshot=str(snapshot),
        state_bucket=bucket,
        state_key=key,
        profile="Tebogo-dev",
        region="af-south-1",
    )
    assert not applied.failed, applied
    record = json.loads((tmp_path / "state-before-apply.version.json").read_text())
    assert record == applied["state_version"] and record["version_id"] == version
    assert f"--copy-source '{bucket}/{key}?versionId={version}'" in record["restore_command"]
    assert "--profile Tebogo-dev" in record["restore_command"]
