# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The approved plan's way from the plan run to the apply: found, stashed, fetched, verified, initialised.

A plan file records when it was made, so every plan has its own digest, and an approval (a digest or its first
characters) names a plan made by an earlier run. That plan is found among the plan summaries of the artifacts
folder (``<artifacts>/<run id>-<environment>/plan-summary.json``), never made again. With the plan store in the
account's state bucket, each new plan file travels with its summary and the provider lock file it was made with
(``<prefix>/<digest>/``, server-side encrypted); an approved plan missing from the artifacts folder is fetched from
there, and applied only if its SHA-256 is the approved digest.

Everything here takes plain values: an S3 client (any client with boto3's methods; the modules pass one with
retries), a ``TerraformCommands`` with its injected runner, paths and strings.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import TerraformCommands
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import write_private
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformApprovalRefused
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformPlanChanged
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import file_sha256

PLAN_FILE = "stack.tfplan"
SUMMARY_FILE = "plan-summary.json"
LOCK_FILE = ".terraform.lock.hcl"
# The variable values a plan was made with, as the plan run writes them next to its plan file.
VARIABLES_FILE = "terraform.tfvars.json"
FULL_DIGEST_LENGTH = 64
HEX_RE = re.compile(r"^[0-9a-f]+$")
LOCATION_RE = re.compile(r"^s3://([^/]+)/(.+)/" + re.escape(PLAN_FILE) + "$")
NOT_FOUND = ["404", "NoSuchKey", "NotFound"]


def parse_summary(text: str | bytes, where: str) -> dict[str, Any]:
    """A plan summary, or a refusal that names the file: a broken summary names no plan that could be applied."""
    try:
        summary = json.loads(text)
    except ValueError as e:
        raise TerraformApprovalRefused(
            f"The plan summary {where} is not valid JSON ({e}): nothing was applied. Remove or repair it."
        ) from None
    if not isinstance(summary, dict):
        raise TerraformApprovalRefused(f"The plan summary {where} is not a JSON object: nothing was applied.")
    return summary


def read_json(path: str) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return parse_summary(handle.read(), path)


def write_summary(path: str, summary: dict[str, Any]) -> None:
    """A plan summary as the role writes it (to_nice_json with sorted keys), readable by the operator only."""
    write_private(path, json.dumps(summary, indent=4, sort_keys=True) + "\n")


def plan_summaries(artifacts_dir: str, environment: str) -> list[dict[str, Any]]:
    """The plan summaries of ``environment``'s runs (``<artifacts_dir>/<run id>-<environment>/plan-summary.json``),
    in the order of their folders' names (run IDs are timestamps: oldest first)."""
    if not os.path.isdir(artifacts_dir):
        return []
    found = []
    for name in sorted(os.listdir(artifacts_dir)):
        path = os.path.join(artifacts_dir, name, SUMMARY_FILE)
        if name.endswith(f"-{environment}") and os.path.isfile(path):
            found.append(read_json(path))
    return found


def normalized_digest(given: str) -> str:
    return (given or "").strip().lower()


def no_such_plan(digest: str, environment: str, project_path: str, artifacts_dir: str, short_length: int):
    return TerraformApprovalRefused(
        f"bbws_approve={digest} does not match any {environment} plan in {artifacts_dir} for {project_path}: "
        f"nothing was applied. Give the full digest or its first {short_length} characters as printed by the plan "
        "run (playbooks/plan.yml, or a run stopped at the approval gate); without bbws_approve a new plan is made."
    )


def checked_approval(given: str, environment: str, project_path: str, artifacts_dir: str, short_length: int) -> str:
    """The approval as a lower-case digest: refused unless it is a full digest or its first ``short_length`` hex
    characters (a shorter prefix would match too many plans, a typo nothing)."""
    digest = normalized_digest(given)
    if not digest:
        raise TerraformApprovalRefused(
            "No approval was given: nothing was applied. Give the digest of the approved plan, or its first "
            f"{short_length} characters, as printed by the plan run."
        )
    if not (HEX_RE.match(digest) and len(digest) in (short_length, FULL_DIGEST_LENGTH)):
        raise no_such_plan(digest, environment, project_path, artifacts_dir, short_length)
    return digest


def select_plan(
    summaries: list[dict[str, Any]],
    given: str,
    environment: str,
    project_path: str,
    artifacts_dir: str,
    short_length: int,
) -> dict[str, Any]:
    """The one plan of this environment and root module whose digest is ``given`` or starts with it.

    Refused, naming what to give instead: a value that is not a digest or its first ``short_length`` hex characters,
    no such plan, or a prefix of several plans.
    """
    digest = checked_approval(given, environment, project_path, artifacts_dir, short_length)
    matches = [
        s for s in summaries if s.get("project_path") == project_path and str(s.get("digest", "")).startswith(digest)
    ]
    if not matches:
        raise no_such_plan(digest, environment, project_path, artifacts_dir, short_length)
    digests = sorted({s["digest"] for s in matches})
    if len(digests) > 1:
        raise TerraformApprovalRefused(
            f"bbws_approve={digest} is ambiguous: it is the start of {len(digests)} {environment} plans "
            f"({', '.join(digests)}): nothing was applied. Give the full {FULL_DIGEST_LENGTH}-character digest of the "
            "plan you approved.",
            digests=digests,
        )
    return matches[0]


class PlanStore:
    """Plan files by digest in an S3 bucket: ``s3://<bucket>/<prefix>/<digest>/<file>``."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    def location(self, digest: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}/{digest}/{PLAN_FILE}"

    def folder_of(self, location: str, digest: str) -> str:
        """The key prefix that holds the plan at ``location``; refused unless it is a plan of this store.

        Without a location only a full digest names a folder: a short one needs the location the plan run published.
        """
        known = location or (self.location(digest) if len(digest) == FULL_DIGEST_LENGTH else "")
        parts = LOCATION_RE.match(known)
        if not (parts and parts.group(1) == self.bucket and parts.group(2).startswith(f"{self.prefix}/")):
            raise TerraformApprovalRefused(
                f"Plan location {location or self.location(digest)} is not a plan in s3://{self.bucket}/{self.prefix}/ "
                "(or bbws_approve is a short digest and no bbws_plan_location was given): nothing was applied. Pass "
                "the full digest and the location the plan run published."
            )
        return parts.group(2)

    def etag(self, key: str) -> str | None:
        try:
            head = self.client.head_object(aws_retry=True, Bucket=self.bucket, Key=key)
        except is_boto3_error_code(NOT_FOUND):
            return None
        return head.get("ETag", "").strip('"')

    def put(self, key: str, path: str, check_mode: bool = False) -> bool:
        """Upload ``path`` server-side encrypted unless the object already has these bytes.

        True when it would change."""
        with open(path, "rb") as handle:
            body = handle.read()
        # ETag is the MD5 of the bytes for a single-part upload with SSE-S3; used to compare, not for security.
        if self.etag(key) == hashlib.md5(body, usedforsecurity=False).hexdigest():
            return False
        if not check_mode:
            self.client.put_object(
                aws_retry=True, Bucket=self.bucket, Key=key, Body=body, ServerSideEncryption="AES256"
            )
        return True

    def get(self, key: str, what: str) -> bytes:
        try:
            return self.client.get_object(aws_retry=True, Bucket=self.bucket, Key=key)["Body"].read()
        except is_boto3_error_code(NOT_FOUND):
            raise TerraformApprovalRefused(
                f"The plan store has no {what} at s3://{self.bucket}/{key}: nothing was applied. The plan was never"
                " stashed there (a plan run with terraform_stack_plan_store=local) or was removed; plan and approve"
                " again."
            ) from None


def stash_plan(store: PlanStore, run_dir: str, project_path: str, check_mode: bool = False) -> dict[str, Any]:
    """Upload the run's plan file, its summary and the provider lock file it was made with, under the plan's digest.

    The plan file must still hash to its summary's digest: a file changed after planning is not stashed.
    """
    plan_file = os.path.join(run_dir, PLAN_FILE)
    summary_file = os.path.join(run_dir, SUMMARY_FILE)
    digest = read_json(summary_file)["digest"]
    actual = file_sha256(plan_file)
    if actual != digest:
        raise TerraformPlanChanged(
            f"The plan file {plan_file} has SHA-256 {actual}, its summary says {digest}: it changed after it was "
            "planned, so it was not stashed. Plan again.",
            digest=actual,
        )
    files = {PLAN_FILE: plan_file, SUMMARY_FILE: summary_file}
    # The provider versions the plan was made with: the apply's fresh init must select the same ones.
    project_lock = os.path.join(project_path, LOCK_FILE)
    if os.path.isfile(project_lock):
        files[LOCK_FILE] = project_lock
        if not check_mode:
            with open(project_lock, encoding="utf-8") as handle:
                write_private(os.path.join(run_dir, LOCK_FILE), handle.read())
            files[LOCK_FILE] = os.path.join(run_dir, LOCK_FILE)
    uploaded = [name for name, path in files.items() if store.put(f"{store.prefix}/{digest}/{name}", path, check_mode)]
    return {
        "changed": bool(uploaded),
        "digest": digest,
        "location": store.location(digest),
        "uploaded": uploaded,
    }


def verify_fetched(plan_file: str, summary: dict[str, Any], given: str, environment: str, location: str) -> str:
    """The fetched plan file must hash to the approved digest, and its summary must say so and name this environment.

    Anything else is removed, so no later step can apply it.
    """
    actual = file_sha256(plan_file)
    if not (actual.startswith(given) and summary.get("digest") == actual and summary.get("environment") == environment):
        os.remove(plan_file)
        raise TerraformPlanChanged(
            f"The plan file at {location} has SHA-256 {actual} (its summary says {summary.get('digest')}, environment"
            f" {summary.get('environment')}), which is not the approved {environment} plan {given}: nothing was"
            " applied. The plan changed after it was approved; plan and approve again.",
            digest=actual,
        )
    return actual


def fetch_plan(
    store: PlanStore,
    commands: TerraformCommands,
    given: str,
    environment: str,
    fetch_dir: str,
    location: str = "",
    backend_config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Download the approved plan into ``fetch_dir``, verify it, restore its provider lock file, initialise
    Terraform for it (the apply runs in a fresh checkout, as the plan run's working directory is not here) and write
    the plan's variable values next to it.

    Returns the plan's summary as recorded in ``fetch_dir``, where the plan lookup finds it.
    """
    folder = store.folder_of(location.strip(), given)
    location = f"s3://{store.bucket}/{folder}/{PLAN_FILE}"
    plan_file = os.path.join(fetch_dir, PLAN_FILE)
    body = store.get(f"{folder}/{PLAN_FILE}", "plan file")
    summary = parse_summary(
        store.get(f"{folder}/{SUMMARY_FILE}", "plan summary"), f"s3://{store.bucket}/{folder}/{SUMMARY_FILE}"
    )
    # A fresh AWX job container has no artifacts folder yet: the run's records are the operator's only.
    os.makedirs(os.path.dirname(os.path.abspath(fetch_dir)), mode=0o700, exist_ok=True)
    os.makedirs(fetch_dir, mode=0o700, exist_ok=True)
    fd = os.open(plan_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(body)
    verify_fetched(plan_file, summary, given, environment, location)
    # Before init: with the plan's lock file in place, init installs exactly the provider versions the plan used, and
    # -lockfile=readonly makes it fail rather than select others.
    lock_key = f"{folder}/{LOCK_FILE}"
    has_lock = store.etag(lock_key) is not None
    if has_lock:
        lock = store.get(lock_key, "provider lock file").decode("utf-8")
        write_private(os.path.join(commands.project_path, LOCK_FILE), lock)
    commands.init(backend_config, lockfile_readonly=has_lock)
    write_plan_variables(commands, plan_file, os.path.join(fetch_dir, VARIABLES_FILE))
    recorded = {**summary, "plan_file": os.path.abspath(plan_file), "plan_location": location}
    write_summary(os.path.join(fetch_dir, SUMMARY_FILE), recorded)
    return recorded


def write_plan_variables(commands: TerraformCommands, plan_file: str, path: str) -> None:
    """Write the variable values recorded in ``plan_file`` as a variables file at ``path``.

    The plan run's own variables file stays with the plan job; the plan made again with refresh after the apply must
    use the values the approved plan was made with, or it reports their difference as drift (or misses a variable
    without a default). The plan file records every root variable's value, so they come from there."""
    variables = commands.show_plan(plan_file).get("variables") or {}
    values = {name: entry.get("value") for name, entry in sorted(variables.items())}
    write_private(path, json.dumps(values, indent=4, sort_keys=True) + "\n")


def load_plan(
    given: str,
    environment: str,
    project_path: str,
    artifacts_dir: str,
    short_length: int = 12,
    store: PlanStore | None = None,
    commands: TerraformCommands | None = None,
    fetch_dir: str = "",
    location: str = "",
    backend_config: dict[str, Any] | None = None,
    check_mode: bool = False,
) -> dict[str, Any]:
    """The approved plan, from the artifacts folder; with a store, fetched into ``fetch_dir`` first when no plan of
    this environment there has that digest. In check mode nothing is fetched (``changed`` says a fetch is due)."""
    digest = checked_approval(given, environment, project_path, artifacts_dir, short_length)
    summaries = plan_summaries(artifacts_dir, environment)
    fetched = False
    if store is not None and not any(str(s.get("digest", "")).startswith(digest) for s in summaries):
        if check_mode:
            store.folder_of(location.strip(), digest)
            return {"changed": True, "fetched": False, "plan": {}, "run_dir": ""}
        if commands is None:
            raise ValueError("fetching a plan needs the Terraform commands to initialise it")
        summaries.append(fetch_plan(store, commands, digest, environment, fetch_dir, location, backend_config))
        fetched = True
    plan = select_plan(summaries, digest, environment, project_path, artifacts_dir, short_length)
    return {"changed": fetched, "fetched": fetched, "plan": plan, "run_dir": os.path.dirname(plan["plan_file"])}
