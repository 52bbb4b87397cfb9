# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Terraform CLI calls and the plan / apply workflows built from them.

``TerraformCommands`` receives the function that runs a command (``module.run_command`` in the
modules), so the same code runs the real binary in integration tests and a fake one in unit tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from typing import Any
from typing import Callable

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformCommandError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformPlanChanged
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import binary_not_found
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import classify
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import PlanSummary
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import file_sha256
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import masked_outputs
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import redacted_state


def resolve_binary(binary_path: str) -> str:
    """The Terraform executable's full path (a name is looked up on PATH)."""
    found = shutil.which(binary_path)
    if not found:
        raise binary_not_found(binary_path)
    return found


def aws_environment(params: dict[str, Any]) -> dict[str, str]:
    """The module's AWS connection options as the environment Terraform's AWS provider and S3 backend read."""
    names = {
        "profile": "AWS_PROFILE",
        "region": "AWS_REGION",
        "endpoint_url": "AWS_ENDPOINT_URL",
        "access_key": "AWS_ACCESS_KEY_ID",
        "secret_key": "AWS_SECRET_ACCESS_KEY",
        "session_token": "AWS_SESSION_TOKEN",
        "aws_ca_bundle": "AWS_CA_BUNDLE",
    }
    return {env: str(params[key]) for key, env in names.items() if params.get(key)}


# run_command(argv, cwd=..., environ_update=...) -> (rc, stdout, stderr), as AnsibleModule.run_command.
RunCommand = Callable[..., tuple[int, str, str]]

# Terraform must never wait for input or print colour codes into results.
AUTOMATION_ENV = {"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "NO_COLOR": "1"}
# A diagnostic of severity error, plain or boxed. Some builds report an unreadable -var-file and then plan anyway
# (from defaults) with a success exit code: any error diagnostic fails the command, whatever the exit code.
ERROR_DIAGNOSTIC_RE = re.compile(r"^(?:\u2502 )?Error: ", re.MULTILINE)


# A resource address: optional module path, type.name, optional [index] or ["key"] per step.
_ADDRESS_STEP = r'[A-Za-z_][A-Za-z0-9_-]*(\[(\d+|"[^"\]]*")\])?'
_RESOURCE_ADDRESS = re.compile(rf"^(module\.{_ADDRESS_STEP}\.)*(data\.)?{_ADDRESS_STEP}\.{_ADDRESS_STEP}$")


def check_targets(targets: list[str]) -> None:
    """Refuse a target that is not a resource address before Terraform runs (an option would pass as one)."""
    bad = [target for target in targets if not _RESOURCE_ADDRESS.match(target)]
    if bad:
        raise TerraformCommandError(
            f"Not a resource address: {', '.join(repr(t) for t in bad)}. A target names a resource, e.g. "
            "aws_vpc_security_group_ingress_rule.rds_from_ecs or aws_subnet.private[0]; nothing was planned."
        )


def check_variables_file(variables_file: str | None) -> None:
    """Refuse a variables file that is missing, unreadable, or (JSON) does not parse, before Terraform runs."""
    if not variables_file:
        return
    if not os.path.isfile(variables_file):
        raise TerraformCommandError(
            f"The variables file {variables_file} does not exist: nothing was planned (a plan made without it would "
            "use the stack's defaults)."
        )
    try:
        with open(variables_file, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as e:
        raise TerraformCommandError(f"The variables file {variables_file} cannot be read ({e}): nothing was planned.")
    if variables_file.endswith(".json"):
        try:
            values = json.loads(text)
        except ValueError as e:
            raise TerraformCommandError(
                f"The variables file {variables_file} is not valid JSON ({e}): nothing was planned."
            ) from None
        if not isinstance(values, dict):
            raise TerraformCommandError(
                f"The variables file {variables_file} must hold a JSON object of variable values: nothing was planned."
            )


class TerraformCommands:
    def __init__(self, run_command: RunCommand, project_path: str, binary: str, env: dict[str, str] | None = None):
        self.run_command = run_command
        self.project_path = project_path
        self.binary = binary
        self.env = {**AUTOMATION_ENV, **(env or {})}

    def _run(self, command: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> tuple[int, str, str]:
        argv = [self.binary, command, *args]
        rc, out, err = self.run_command(argv, cwd=self.project_path, environ_update=self.env)
        if rc not in ok_codes or ERROR_DIAGNOSTIC_RE.search(err or ""):
            raise classify(command, rc, out, err, self.project_path, self.binary)
        return rc, out, err

    def init(self, backend_config: dict[str, Any] | None = None, lockfile_readonly: bool = False) -> None:
        """``lockfile_readonly``: install exactly the provider versions of the existing lock file, or fail."""
        args = ["-input=false", "-no-color", "-reconfigure"]
        if lockfile_readonly:
            args.append("-lockfile=readonly")
        for key, value in sorted((backend_config or {}).items()):
            if isinstance(value, bool):
                value = str(value).lower()
            args.append(f"-backend-config={key}={value}")
        self._run("init", *args)

    def plan(
        self,
        plan_file: str,
        variables_file: str | None = None,
        lock_timeout: str = "60s",
        destroy: bool = False,
        targets: list[str] | None = None,
    ) -> bool:
        """Write the plan file; True when Terraform says it has changes (exit code 2 of -detailed-exitcode)."""
        args = ["-input=false", "-no-color", f"-lock-timeout={lock_timeout}", "-detailed-exitcode", f"-out={plan_file}"]
        if variables_file:
            args.append(f"-var-file={variables_file}")
        if destroy:
            args.append("-destroy")
        args.extend(f"-target={target}" for target in targets or [])
        rc, _out, _err = self._run("plan", *args, ok_codes=(0, 2))
        return rc == 2

    def _json(self, command: str, *args: str) -> Any:
        _rc, out, _err = self._run(command, *args)
        try:
            return json.loads(out or "{}")
        except ValueError:
            raise TerraformCommandError(f"terraform {command} did not return JSON in {self.project_path}") from None

    def show_plan(self, plan_file: str) -> dict[str, Any]:
        return self._json("show", "-json", "-no-color", plan_file)

    def apply(self, plan_file: str, lock_timeout: str = "60s") -> None:
        # A saved plan applies exactly what it records, without asking.
        self._run("apply", "-input=false", "-no-color", f"-lock-timeout={lock_timeout}", plan_file)

    def state_pull(self) -> dict[str, Any]:
        return self._json("state", "pull")

    def outputs(self) -> dict[str, Any]:
        return self._json("output", "-json", "-no-color")


def write_private(path: str, text: str) -> None:
    """Run artifacts may describe infrastructure: readable by the operator only."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def run_plan(
    commands: TerraformCommands,
    plan_file: str,
    variables_file: str | None = None,
    backend_config: dict[str, Any] | None = None,
    lock_timeout: str = "60s",
    protected_resource_types: list[str] | None = None,
    identifier_attributes: dict[str, str] | None = None,
    destroy: bool = False,
    targets: list[str] | None = None,
) -> dict[str, Any]:
    """init, plan to ``plan_file``, read the plan back as JSON; the plan file's digest binds approval to it."""
    check_variables_file(variables_file)
    check_targets(targets or [])
    os.makedirs(os.path.dirname(os.path.abspath(plan_file)), exist_ok=True)
    commands.init(backend_config)
    has_changes = commands.plan(plan_file, variables_file, lock_timeout, destroy, targets)
    summary = PlanSummary.from_json(commands.show_plan(plan_file), protected_resource_types, identifier_attributes)
    # The plan file holds state and variable values: the operator's eyes only.
    os.chmod(plan_file, 0o600)
    return {
        "changed": has_changes or summary.has_changes,
        "digest": file_sha256(plan_file),
        "plan_file": os.path.abspath(plan_file),
        "summary": summary.to_dict(),
    }


def state_object_version(s3: Any, bucket: str, key: str) -> str | None:
    """The version of the state object before an apply; None when there is none yet (the first apply)."""
    try:
        return s3.head_object(aws_retry=True, Bucket=bucket, Key=key).get("VersionId")
    except is_boto3_error_code(["404", "NoSuchKey"]):
        return None


def state_version_record(
    snapshot: str, bucket: str, key: str, version_id: str | None, profile: str | None = None
) -> dict[str, Any]:
    """Write, next to the redacted snapshot, which version of the state object preceded the apply and how to restore it.

    The redacted copy is for reading; restoring means making the bucket's own earlier version current again.
    """
    who = f" --profile {profile}" if profile else ""
    if version_id:
        restore = (
            f"aws s3api copy-object --bucket {bucket} --key {key} --copy-source '{bucket}/{key}?versionId={version_id}'"
            f"{who}  # then: terraform init -reconfigure && terraform plan, to see what differs from the live account"
        )
    else:
        restore = f"(no state object existed before this apply: s3://{bucket}/{key} was created by it)"
    record = {"bucket": bucket, "key": key, "version_id": version_id, "restore_command": restore}
    record_file = (
        snapshot[: -len(".json")] + ".version.json" if snapshot.endswith(".json") else snapshot + ".version.json"
    )
    write_private(record_file, json.dumps(record, indent=2) + "\n")
    return record


def verify_digest(plan_file: str, expected_digest: str) -> str:
    if not (expected_digest or "").strip():
        raise TerraformPlanChanged(
            "No approval was given: expected_digest is empty. Nothing was applied. Give the SHA-256 digest of the "
            "approved plan, as printed by the plan run."
        )
    if not os.path.isfile(plan_file):
        raise TerraformPlanChanged(f"The plan file {plan_file} does not exist: plan again and approve the new digest.")
    actual = file_sha256(plan_file)
    if actual != expected_digest.strip().lower():
        raise TerraformPlanChanged(
            f"The plan changed since it was approved: {plan_file} has digest {actual}, the approval was for "
            f"{expected_digest}. Nothing was applied. Plan again and approve the new digest.",
            digest=actual,
            expected_digest=expected_digest,
        )
    return actual


def run_apply(
    commands: TerraformCommands,
    plan_file: str,
    expected_digest: str,
    state_snapshot: str | None = None,
    lock_timeout: str = "60s",
    check_mode: bool = False,
) -> dict[str, Any]:
    """Apply exactly the approved plan file: digest first, state snapshot next, then apply and read outputs."""
    digest = verify_digest(plan_file, expected_digest)
    summary = PlanSummary.from_json(commands.show_plan(plan_file))
    result: dict[str, Any] = {"changed": summary.has_changes, "digest": digest, "outputs": {}}
    if check_mode:
        return result
    if state_snapshot:
        state = commands.state_pull()
        write_private(state_snapshot, json.dumps(redacted_state(state), indent=2, sort_keys=True) + "\n")
        result["state_snapshot"] = os.path.abspath(state_snapshot)
        result["state_serial"] = state.get("serial")
        result["state_lineage"] = state.get("lineage")
    commands.apply(plan_file, lock_timeout)
    result["outputs"] = masked_outputs(commands.outputs())
    return result
