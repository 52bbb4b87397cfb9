# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reports over time: what changed since an environment's previous report, and the artifacts index.

Every report folder holds ``<env>-health-digest.json`` next to the full report: environment, status, when,
and the findings' keys. The history reads only these small files, so a long history of large reports
(hundreds of tenants) stays quick to compare and to index. The index is one self-contained HTML page,
rebuilt under a lock so environments reported in parallel never lose each other's rows.
"""

from __future__ import annotations

import glob
import html
import json
import os
import tempfile
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

DIGEST_SUFFIX = "-health-digest.json"
INDEX_NAME = "index.html"
STATUS_COLOURS = {"healthy": "#1e7e34", "degraded": "#8a6d00", "unhealthy": "#b02a37"}


def finding_key(finding: dict[str, Any]) -> str:
    """The identity of a finding across runs: its area and what it says."""
    return f"{finding['area']}|{finding['summary']}"


def digest(report: dict[str, Any], html_name: str) -> dict[str, Any]:
    return {
        "environment": report["environment"],
        "status": report["status"],
        "generated_at": report["generated_at"],
        "account_id": report.get("account_id") or "",
        "html": html_name,
        "findings": [
            {"key": finding_key(f), "severity": f["severity"], "summary": f["summary"]} for f in report["findings"]
        ],
        "since_last": {
            k: v for k, v in (report.get("since_last") or {}).items() if k in ("new", "resolved", "previous")
        },
    }


def _digests(history_dir: str, environment: str = "*") -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in glob.glob(os.path.join(glob.escape(history_dir), "*", "health", f"{environment}{DIGEST_SUFFIX}")):
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            continue  # a report being written or damaged is left out, never a reason to fail the health run
        if isinstance(data, dict) and {"environment", "status", "generated_at", "findings"} <= set(data):
            found.append((path, data))
    return sorted(found, key=lambda item: (item[1]["generated_at"], item[0]), reverse=True)


def since_last(history_dir: str, report: dict[str, Any]) -> dict[str, Any]:
    """New and resolved findings against the newest earlier report of the same environment."""
    previous = next(
        (d for _p, d in _digests(history_dir, report["environment"]) if d["generated_at"] <= report["generated_at"]),
        None,
    )
    if previous is None:
        return {
            "previous": "",
            "new": len(report["findings"]),
            "resolved": 0,
            "new_findings": [],
            "resolved_findings": [],
            "first": True,
        }
    before = {f["key"]: f for f in previous["findings"]}
    now = {finding_key(f): f for f in report["findings"]}
    new = [now[k]["summary"] for k in now if k not in before]
    resolved = [before[k]["summary"] for k in before if k not in now]
    return {
        "previous": previous["generated_at"],
        "previous_status": previous["status"],
        "new": len(new),
        "resolved": len(resolved),
        "new_findings": new,
        "resolved_findings": resolved,
        "first": False,
    }


def since_last_line(since: dict[str, Any] | None) -> str:
    if not since:
        return ""
    if since.get("first"):
        return "Since the last report: none (the first report of this environment)."
    return (
        f"Since the last report ({since['previous']}, {since.get('previous_status', 'unknown')}): "
        f"{since['new']} new, {since['resolved']} resolved findings."
    )


def write_atomic(path: str, text: str) -> None:
    directory = os.path.dirname(path)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".html")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def rebuild_index(history_dir: str) -> str:
    """Rebuild <history_dir>/index.html from every report digest found there; return its path."""
    os.makedirs(history_dir, mode=0o700, exist_ok=True)
    path = os.path.join(os.path.abspath(history_dir), INDEX_NAME)
    with open(os.path.join(history_dir, ".index.lock"), "a", encoding="utf-8") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        write_atomic(path, render_index(history_dir, _digests(history_dir)))
    return path


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def render_index(history_dir: str, digests: list[tuple[str, dict[str, Any]]]) -> str:
    latest: dict[str, dict[str, Any]] = {}
    rows = []
    for path, data in digests:
        latest.setdefault(data["environment"], data)
        link = os.path.relpath(os.path.join(os.path.dirname(path), data["html"]), history_dir).replace(os.sep, "/")
        severities: dict[str, int] = {}
        for finding in data["findings"]:
            severities[finding["severity"]] = severities.get(finding["severity"], 0) + 1
        counts = ", ".join(f"{n} {s}" for s, n in severities.items()) or "none"
        since = data.get("since_last") or {}
        change = f"+{since['new']} / -{since['resolved']}" if since.get("previous") else "first report"
        colour = STATUS_COLOURS.get(data["status"], "#6c757d")
        rows.append(
            f'<tr data-environment="{_esc(data["environment"])}"><td>{_esc(data["environment"])}</td>'
            f'<td><span class="badge" style="background:{colour}">{_esc(data["status"])}</span></td>'
            f"<td>{len(data['findings'])} ({_esc(counts)})</td><td>{_esc(change)}</td>"
            f"<td><time>{_esc(data['generated_at'])}</time></td>"
            f'<td><a href="{_esc(link)}">{_esc(link)}</a></td></tr>'
        )
    cards = "".join(
        '<div class="card"'
        f' style="border-color:{STATUS_COLOURS.get(d["status"], "#6c757d")}"><strong>{_esc(env)}</strong> '
        f"{_esc(d['status'])}<br>{len(d['findings'])} finding(s), {_esc(d['generated_at'])}</div>"
        for env, d in sorted(latest.items())
    )
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en"><head><meta charset="utf-8"><title>BBWS cluster health: every report</title>',
                (
                    "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#212529}table{border-collapse:collapse;width:100%}th,td{border:1px"
                    " solid #dee2e6;padding:.35rem"
                    " .6rem;text-align:left}th{background:#f1f3f5}.badge{color:#fff;border-radius:.25rem;padding:.1rem"
                    " .45rem}.cards{display:flex;gap:1rem;margin:1rem 0}.card{border-left:.4rem solid"
                    " #ccc;padding:.4rem .8rem;background:#f8f9fa}</style></head><body>"
                ),
                "<h1>BBWS cluster health: every report</h1>",
                f"<p>{len(digests)} report(s), newest first. Latest per environment:</p>",
                f'<div class="cards">{cards}</div>',
                (
                    '<table id="reports"><thead><tr><th>environment</th><th>status</th><th>findings</th><th>since'
                    " previous</th><th>when (UTC)</th><th>report</th></tr></thead><tbody>"
                ),
                *rows,
                "</tbody></table></body></html>",
            ]
        )
        + "\n"
    )
