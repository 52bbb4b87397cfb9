# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a Terraform command failed, as one clear message that says what to do next.

Terraform reports failures only as text on stderr, so this is the one place that reads that text;
what a plan *changes* is always read from ``terraform show -json``, never from text.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import QUOTAS_URL
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import ClientFactory
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.quota_errors import explain_limit
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.quota_errors import limit_code_in

LOCK_FIELDS = ("ID", "Path", "Operation", "Who", "Version", "Created")
LIMIT_MARKERS = ("LimitExceeded", "ServiceQuotaExceeded", "TooManyHostedZones")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


class TerraformError(Exception):
    """A failure with a message meant for the operator; ``details`` are returned alongside it."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def fail_json(self, module, **extra: Any) -> None:
        module.fail_json(msg=self.message, **self.details, **extra)


class TerraformBinaryNotFound(TerraformError):
    pass


class TerraformInitError(TerraformError):
    pass


class TerraformStateLocked(TerraformError):
    pass


class TerraformLimitExceeded(TerraformError):
    def explain(self, client: ClientFactory, region: str | None) -> None:
        """Add the quota's name, value and the usage we can count (read-only calls), when the error names one."""
        text = explain_limit(self.details.get("limit_code"), client, region or "")
        if text:
            self.message = f"{self.message} {text}"
            self.details["quota"] = text


class TerraformStalePlan(TerraformError):
    pass


class TerraformPlanChanged(TerraformError):
    """The plan file on disk is not the plan that was approved."""


class TerraformApprovalRefused(TerraformError):
    """The approval names no single plan of this environment, or the plan store cannot give the approved plan."""


class TerraformCommandError(TerraformError):
    pass


def binary_not_found(binary_path: str) -> TerraformBinaryNotFound:
    return TerraformBinaryNotFound(
        f"Terraform is not installed or not executable: {binary_path!r} was not found on PATH. "
        "Install Terraform (>= 1.10) or set binary_path (terraform_stack_binary_path) to its full path."
    )


def parse_lock_info(text: str) -> dict[str, str]:
    """The ``Lock Info:`` block Terraform prints when the state is locked, as a dict."""
    info: dict[str, str] = {}
    for field in LOCK_FIELDS:
        match = re.search(rf"^\s*{field}:\s*(.*?)\s*$", text, re.MULTILINE)
        if match:
            info[field.lower()] = match.group(1)
    return info


def state_locked(text: str, project_path: str, binary: str = "terraform") -> TerraformStateLocked:
    info = parse_lock_info(text)
    lock_id = info.get("id", "<lock ID>")
    return TerraformStateLocked(
        f"The Terraform state is locked by {info.get('who', 'another process')} since "
        f"{info.get('created', 'an unknown time')} (lock ID {lock_id}, operation {info.get('operation', 'unknown')}). "
        "Another plan or apply is probably running: wait for it to finish. Only if you are sure that run is dead, "
        f"release the lock with: {binary} -chdir={project_path} force-unlock {lock_id} "
        "(this run never unlocks by itself).",
        lock=info,
    )


def first_error(text: str) -> str:
    """The first ``Error: ...`` paragraph of Terraform's output, or the last lines when there is none."""
    clean = ANSI_RE.sub("", text).replace("\u2577", "").replace("\u2575", "").replace("\u2502", "")
    match = re.search(r"Error: (.+?)(?:\n\s*\n\s*\n|\Z)", clean, re.DOTALL)
    if match:
        return " ".join(line.strip() for line in match.group(1).splitlines() if line.strip())
    lines = [line.strip() for line in clean.splitlines() if line.strip()]
    return " ".join(lines[-5:]) or "no output"


def classify(command: str, rc: int, stdout: str, stderr: str, project_path: str, binary: str) -> TerraformError:
    """Turn a failed ``terraform <command>`` into the most specific error we can name."""
    text = ANSI_RE.sub("", f"{stderr}\n{stdout}")
    if "Error acquiring the state lock" in text or "Error locking state" in text:
        return state_locked(text, project_path, binary)
    code = limit_code_in(text)
    if code or any(marker in text for marker in LIMIT_MARKERS):
        return TerraformLimitExceeded(
            f"terraform {command} stopped: an AWS service limit was reached ({first_error(text)}). "
            f"This is not retried. Free capacity or request a quota increase at {QUOTAS_URL}, then plan again.",
            rc=rc,
            limit_code=code,
        )
    if "Saved plan is stale" in text:
        return TerraformStalePlan(
            "The saved plan is stale: the state changed after the plan was made (another apply ran). "
            "Nothing was applied. Run the plan again and approve the new digest.",
            rc=rc,
        )
    if command == "init":
        if (
            "Failed to query available provider packages" in text
            or "Failed to install provider" in text
            or ("registry.terraform.io" in text)
        ):
            return TerraformInitError(
                f"terraform init could not install the providers of {project_path}: the provider registry cannot be "
                f"reached from here, so the provider cannot be installed ({first_error(text)}). Run where "
                "registry.terraform.io is reachable, or provide a provider mirror (provider_installation in the CLI "
                "config, TF_CLI_CONFIG_FILE) or a plugin cache with the pinned versions.",
                rc=rc,
            )
        return TerraformInitError(f"terraform init failed in {project_path}: {first_error(text)}", rc=rc)
    return TerraformCommandError(f"terraform {command} failed in {project_path}: {first_error(text)}", rc=rc)
