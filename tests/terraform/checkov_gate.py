"""Run checkov on the Terraform stack and decide from its JSON report, not its exit code.

checkov exits 1 both for findings and for crashes, so the gate reads `-o json` and fails when:
* checkov produced no report (crash, wrong arguments) or reported parsing errors;
* any check failed;
* a skip is not an inline `#checkov:skip=CKV_...:reason` with a real reason, or an inline skip
  no longer matches any check (stale skips hide nothing but mislead readers).

Usage: checkov_gate.py CHECKOV_BINARY TERRAFORM_DIR
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIN_REASON_LENGTH = 20
_BLOCK_RE = re.compile(r'^(?:resource|data)\s+"([^"]+)"\s+"([^"]+)"')
_SKIP_RE = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?$")
_INDEX_RE = re.compile(r"\[[^\]]*\]$")


@dataclass(frozen=True)
class InlineSkip:
    """One `#checkov:skip=` comment and the block it sits in."""

    file: str
    line: int
    check_id: str
    resource: str
    reason: str


def inline_skips(directory: Path) -> list[InlineSkip]:
    """Every skip comment in the module, attributed to its enclosing resource or data block."""
    skips = []
    for path in sorted(directory.glob("*.tf")):
        resource = ""
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            block = _BLOCK_RE.match(line)
            if block:
                resource = f"{block.group(1)}.{block.group(2)}"
            skip = _SKIP_RE.search(line)
            if skip:
                skips.append(InlineSkip(path.name, number, skip.group(1), resource, (skip.group(2) or "").strip()))
    return skips


def run_checkov(checkov: str, directory: Path) -> tuple[dict[str, Any] | None, str]:
    """checkov's JSON report (None when it produced none) and its stderr."""
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    completed = subprocess.run(
        [checkov, "-d", str(directory), "--framework", "terraform", "--skip-download", "--compact", "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        return None, completed.stderr
    # One framework gives one object; checkov returns a list when several ran.
    if isinstance(report, list):
        report = next((r for r in report if r.get("check_type") == "terraform"), None)
    return report, completed.stderr


def evaluate(report: dict[str, Any] | None, skips: list[InlineSkip], stderr: str = "") -> list[str]:
    """Reasons the gate fails (empty when it passes)."""
    if report is None or "results" not in report:
        tail = "\n".join(stderr.strip().splitlines()[-10:])
        return [f"checkov produced no JSON report (crashed?):\n{tail}"]
    errors = []
    summary = report["summary"]
    if summary.get("parsing_errors"):
        errors.append(
            f"checkov could not parse {summary['parsing_errors']} file(s): {report['results'].get('parsing_errors')}"
        )
    for failed in report["results"].get("failed_checks", []):
        errors.append(
            f"FAILED {failed['check_id']} {failed['resource']} ({failed['file_path']}:{failed['file_line_range'][0]}): "
            f"{failed['check_name']}"
        )
    inline = {(skip.check_id, skip.resource) for skip in skips}
    applied = set()
    for skipped in report["results"].get("skipped_checks", []):
        resource = _INDEX_RE.sub("", skipped["resource"])
        applied.add((skipped["check_id"], resource))
        if (skipped["check_id"], resource) not in inline:
            errors.append(f"SKIPPED {skipped['check_id']} {resource} without an inline skip comment")
    for skip in skips:
        where = f"{skip.file}:{skip.line}"
        if len(skip.reason) < MIN_REASON_LENGTH:
            errors.append(f"{where}: skip of {skip.check_id} needs a real reason (#checkov:skip=ID:why it is safe)")
        if not skip.resource:
            errors.append(f"{where}: skip of {skip.check_id} is outside any resource or data block")
        elif (skip.check_id, skip.resource) not in applied:
            errors.append(f"{where}: stale skip of {skip.check_id} on {skip.resource} (no such finding any more)")
    return errors


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    checkov, directory = args[0], Path(args[1])
    report, stderr = run_checkov(checkov, directory)
    skips = inline_skips(directory)
    errors = evaluate(report, skips, stderr)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"checkov gate: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    summary = report["summary"]
    print(
        f"checkov {summary.get('checkov_version')}: {summary['passed']} passed, 0 failed, "
        f"{summary['skipped']} skipped by {len(skips)} inline reasons, {summary['resource_count']} resources"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
