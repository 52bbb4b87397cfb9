# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A bucket's replication configuration: the one rule that copies every object to another bucket.

The wanted configuration is built from values (:func:`wanted_configuration`), compared with the bucket's current one
in a canonical form (:func:`canonical`: S3 answers with defaults and shapes the request may leave out), and written
only when they differ (:func:`ensure`). Helpers take an S3 client, never the module.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import has_code

NOT_CONFIGURED = {"ReplicationConfigurationNotFoundError"}
NO_BUCKET = {"NoSuchBucket", "404", "NotFound"}
DEFAULT_RULE_ID = "replicate-all-objects"


class ReplicationError(Exception):
    """A problem the operator must fix before the configuration can be written (not an AWS failure)."""


def bucket_arn(bucket: str) -> str:
    """An S3 bucket's ARN from its name; an ARN is kept as it is."""
    return bucket if bucket.startswith("arn:") else f"arn:aws:s3:::{bucket}"


def bucket_name(bucket: str) -> str:
    """A bucket's name from its name or ARN."""
    return bucket.rsplit(":", 1)[-1] if bucket.startswith("arn:") else bucket


def wanted_configuration(
    role_arn: str,
    destination_bucket: str,
    rule_id: str = DEFAULT_RULE_ID,
    delete_marker_replication: bool = True,
    storage_class: str | None = None,
) -> dict[str, Any]:
    """One enabled rule of priority 1 that replicates every object (empty prefix filter) to the destination."""
    if not role_arn or not role_arn.startswith("arn:"):
        raise ReplicationError(
            f"role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), not {role_arn!r}"
        )
    if not destination_bucket or not bucket_name(destination_bucket):
        raise ReplicationError("destination_bucket must name the bucket that receives the copies")
    destination: dict[str, Any] = {"Bucket": bucket_arn(destination_bucket)}
    if storage_class:
        destination["StorageClass"] = storage_class
    return {
        "Role": role_arn,
        "Rules": [
            {
                "ID": rule_id,
                "Priority": 1,
                "Filter": {"Prefix": ""},
                "Status": "Enabled",
                "DeleteMarkerReplication": {"Status": "Enabled" if delete_marker_replication else "Disabled"},
                "Destination": destination,
            }
        ],
    }


def canonical_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule as S3 means it: a missing or empty filter is the empty prefix, the legacy top-level Prefix a filter,
    missing delete marker replication is Disabled, STANDARD is the destination's default storage class."""
    rule_filter = rule.get("Filter")
    if rule_filter is None:
        rule_filter = {"Prefix": rule.get("Prefix", "")}
    if not rule_filter:
        rule_filter = {"Prefix": ""}
    destination = dict(rule.get("Destination") or {})
    if destination.get("StorageClass") == "STANDARD":
        del destination["StorageClass"]
    if "Bucket" in destination:
        destination["Bucket"] = bucket_arn(destination["Bucket"])
    canonical = {
        "ID": rule.get("ID", ""),
        "Priority": rule.get("Priority", 0),
        "Filter": rule_filter,
        "Status": rule.get("Status", ""),
        "DeleteMarkerReplication": {"Status": (rule.get("DeleteMarkerReplication") or {}).get("Status", "Disabled")},
        "Destination": destination,
    }
    for key in ("SourceSelectionCriteria", "ExistingObjectReplication"):
        if rule.get(key):
            canonical[key] = rule[key]
    return canonical


def canonical(configuration: dict[str, Any] | None) -> dict[str, Any] | None:
    """The configuration without S3's answer metadata, its rules canonical and sorted by priority; None stays None."""
    if not configuration:
        return None
    rules = [canonical_rule(rule) for rule in configuration.get("Rules") or []]
    return {"Role": configuration.get("Role", ""), "Rules": sorted(rules, key=lambda r: (r["Priority"], r["ID"]))}


def read_configuration(s3: Any, bucket: str) -> dict[str, Any] | None:
    """The bucket's replication configuration, canonical, or None when it has none.

    A missing bucket raises the ClientError (NoSuchBucket): the caller decides what it means."""
    try:
        answer = s3.get_bucket_replication(Bucket=bucket, aws_retry=True)
    except Exception as error:  # pylint: disable=broad-exception-caught
        if has_code(error, NOT_CONFIGURED):
            return None
        raise
    return canonical(answer.get("ReplicationConfiguration"))


def bucket_exists(s3: Any, bucket: str) -> bool:
    """Whether the bucket exists and this account may read it (HeadBucket)."""
    try:
        s3.head_bucket(Bucket=bucket, aws_retry=True)
    except Exception as error:  # pylint: disable=broad-exception-caught
        if has_code(error, NO_BUCKET):
            return False
        raise
    return True


def ensure(
    s3: Any,
    bucket: str,
    wanted: dict[str, Any] | None,
    check_mode: bool = False,
) -> dict[str, Any]:
    """Make the bucket's replication configuration ``wanted`` (None: no replication); changes nothing in check mode.

    Returns ``changed``, ``diff`` (before/after, canonical) and ``replication_configuration`` (after), plus
    ``warnings``. A missing source or destination bucket is a :class:`ReplicationError`, except in check mode, where
    the run that creates it comes first: then it is a warning and the diff shows the configuration to be written."""
    warnings: list[str] = []
    wanted = canonical(wanted)
    try:
        before = read_configuration(s3, bucket)
    except Exception as error:  # pylint: disable=broad-exception-caught
        if not has_code(error, NO_BUCKET):
            raise
        if wanted is None:
            warnings.append(f"Bucket {bucket} does not exist: it has no replication to remove.")
            return {
                "changed": False,
                "diff": {"before": None, "after": None},
                "replication_configuration": None,
                "warnings": warnings,
            }
        if not check_mode:
            raise ReplicationError(
                f"Source bucket {bucket} does not exist (or this profile cannot see it): create it, versioned, "
                "before configuring its replication. Nothing was changed."
            ) from error
        before = None
        warnings.append(f"Source bucket {bucket} does not exist yet: the replication shown is what a run would set.")
    if wanted is not None:
        destination = bucket_name(wanted["Rules"][0]["Destination"]["Bucket"])
        if not bucket_exists(s3, destination):
            message = (
                f"Destination bucket {destination} does not exist (or this profile cannot see it): create it, "
                f"versioned, before replicating {bucket} into it."
            )
            if not check_mode:
                raise ReplicationError(message + " Nothing was changed.")
            warnings.append(message)
    changed = before != wanted
    if changed and not check_mode:
        if wanted is None:
            s3.delete_bucket_replication(Bucket=bucket, aws_retry=True)
        else:
            s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=wanted, aws_retry=True)
    return {
        "changed": changed,
        "diff": {"before": before, "after": wanted},
        "replication_configuration": wanted,
        "warnings": warnings,
    }
