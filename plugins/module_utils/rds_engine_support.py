# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where an RDS instance's engine major version stands in RDS's support lifecycle.

RDS answers this with ``DescribeDBMajorEngineVersions``: for each major version the dates of
standard support and of (paid) RDS Extended Support. After standard support ends, an instance whose
``EngineLifecycleSupport`` is ``open-source-rds-extended-support`` is billed for Extended Support;
one with ``open-source-rds-extended-support-disabled`` is upgraded by RDS to a supported major.

When RDS does not answer (no permission, an endpoint or SDK without the operation), the RDS
answer is reported as unknown with the reason, and the status falls back to
``END_OF_STANDARD_SUPPORT_FALLBACK``: the end-of-standard-support dates RDS publishes in its MySQL
release calendar, kept here by hand and named as a fallback wherever it is used.
"""

from __future__ import annotations

import datetime
from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import error_code

STANDARD = "open-source-rds-standard-support"
EXTENDED = "open-source-rds-extended-support"
EXTENDED_DISABLED = "open-source-rds-extended-support-disabled"

# Fallback only: RDS's published end of standard support and end of Extended Support per major
# version (RDS for MySQL release calendar). RDS's own answer always wins over this table.
END_OF_STANDARD_SUPPORT_FALLBACK: dict[str, dict[str, tuple[str, str]]] = {
    "mysql": {
        "5.7": ("2024-02-29", "2027-02-28"),
        "8.0": ("2026-07-31", "2029-07-31"),
        "8.4": ("2029-07-31", "2032-07-31"),
    },
}


def major_version(engine_version: str | None) -> str | None:
    """8.0.39 -> 8.0; 8.4 -> 8.4."""
    parts = (engine_version or "").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 and all(p.isdigit() for p in parts[:2]) else None


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value[:10])
    return None


def _ask_rds(
    rds: Any, engine: str, major: str, retry: bool
) -> tuple[dict[str, datetime.date | None] | None, str | None]:
    """(lifecycle end dates by name, None) from RDS, or (None, why RDS gave no answer)."""
    try:
        call = rds.describe_db_major_engine_versions
        kwargs: dict[str, Any] = {"Engine": engine, "MajorEngineVersion": major}
        response = call(aws_retry=True, **kwargs) if retry else call(**kwargs)
    except AttributeError:
        return None, "this SDK has no DescribeDBMajorEngineVersions"
    except Exception as e:  # botocore ClientError/BotoCoreError, NotImplemented from an endpoint without it
        return None, f"DescribeDBMajorEngineVersions failed ({error_code(e) or type(e).__name__}): {str(e)[:200]}"
    for version in response.get("DBMajorEngineVersions", []):
        if version.get("Engine") == engine and version.get("MajorEngineVersion") == major:
            lifecycles = version.get("SupportedEngineLifecycles") or []
            ends = {item.get("LifecycleSupportName"): _day(item.get("LifecycleSupportEndDate")) for item in lifecycles}
            if ends.get(STANDARD):
                return ends, None
    return None, f"RDS lists no standard-support dates for {engine} {major}"


def engine_support(
    rds: Any,
    engine: str | None,
    engine_version: str | None,
    lifecycle_support: str | None,
    today: datetime.date | None = None,
    retry: bool = False,
) -> dict[str, Any]:
    """The support status of one instance's engine.

    ``status`` is standard-support, extended-support, end-of-support or unknown; ``source`` says where
    the dates came from (rds or fallback-table); ``rds_answer`` is ok or unknown with ``reason``.
    """
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    major = major_version(engine_version)
    result: dict[str, Any] = {
        "engine": engine,
        "major_version": major,
        "lifecycle_support": lifecycle_support,
        "status": "unknown",
        "end_of_standard_support": None,
        "end_of_extended_support": None,
        "source": None,
        "rds_answer": "unknown",
        "reason": None,
    }
    if not engine or not major:
        result["reason"] = f"no engine version to look up ({engine} {engine_version})"
        return result
    ends, reason = _ask_rds(rds, engine, major, retry)
    if ends is not None:
        standard_end, extended_end = ends.get(STANDARD), ends.get(EXTENDED)
        result.update(source="rds", rds_answer="ok")
    else:
        result["reason"] = reason
        fallback = END_OF_STANDARD_SUPPORT_FALLBACK.get(engine, {}).get(major)
        if fallback is None:
            result["reason"] = f"{reason}; the fallback table has no dates for {engine} {major}"
            return result
        standard_end, extended_end = (_day(d) for d in fallback)
        result["source"] = "fallback-table"
    result["end_of_standard_support"] = standard_end.isoformat() if standard_end else None
    result["end_of_extended_support"] = extended_end.isoformat() if extended_end else None
    if standard_end and today <= standard_end:
        result["status"] = "standard-support"
    elif extended_end and today <= extended_end:
        result["status"] = "extended-support"
    else:
        result["status"] = "end-of-support"
    return result


def check_engine_support(result: Any, rds: dict[str, Any]) -> None:
    """Add the support-status check (and a finding past standard support) to a health analysis."""
    support = rds.get("engine_support")
    if not support:
        return
    where = (
        "RDS"
        if support["source"] == "rds"
        else f"the fallback table of end-of-standard-support dates (RDS did not answer: {support['reason']})"
    )
    label = f"{support['engine']} {support['major_version']}"
    if support["status"] == "unknown":
        result.check("rds", "RDS engine support", None, f"{label}: unknown ({support['reason']})")
        return
    detail = f"{label}: {support['status']} until {support['end_of_standard_support']} (from {where})"
    if result.check("rds", "RDS engine support", support["status"] == "standard-support", detail, warn_only=True):
        return
    billed = support["lifecycle_support"] != EXTENDED_DISABLED
    consequence = (
        "it is billed for RDS Extended Support"
        if billed and support["status"] == "extended-support"
        else (
            "RDS upgrades it to a supported major version in a maintenance window"
            if not billed
            else "it is past the end of Extended Support and RDS upgrades it"
        )
    )
    result.find(
        "high" if support["status"] == "end-of-support" else "medium",
        "rds",
        f"RDS {rds['id']} runs {label}, whose standard support ended on {support['end_of_standard_support']}: "
        f"{consequence} (dates from {where}).",
        "Choose a supported major (8.4) in bbws_rds_engine_version in the inventory's sizing.yml and apply it "
        "(a snapshot is taken before the upgrade).",
        [rds.get("arn")],
    )
