# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a health report as JSON, Markdown and one self-contained HTML page, plus the closing summary.

The report holds ids, states and fixes only: the collector never reads a secret's value, so none
can reach these files.
"""

from __future__ import annotations

import html
import json
import os
from typing import Any

STATUS_COLOURS = {
    "healthy": "#1e7e34", "degraded": "#b8860b", "unhealthy": "#b02a37",
    "pass": "#1e7e34", "warn": "#b8860b", "fail": "#b02a37", "skip": "#6c757d",
    "critical": "#7a0012", "high": "#b02a37", "medium": "#b8860b", "low": "#31708f", "info": "#6c757d",
}
AREA_TITLES = {
    "ecs": "ECS cluster", "rds": "RDS MySQL", "efs": "EFS", "alb": "Application Load Balancer", "cloudfront": "CloudFront",
    "acm": "ACM certificate", "dns": "Route53", "logs": "CloudWatch Logs", "network": "Network", "security": "Security review",
    "connectivity": "Connectivity (security-group graph)", "tags": "Tags",
}
ICONS = {"pass": "✓", "warn": "⚠", "fail": "✗", "skip": "–"}


def access_points(snapshot: dict[str, Any], domain: str | None, zone: str | None = None) -> dict[str, Any]:
    """The seed's closing facts: where the cluster answers and what DNS says."""
    alb, cloudfront, rds, efs = snapshot["alb"], snapshot["cloudfront"], snapshot["rds"], snapshot["efs"]
    zone, acm, zone_name = snapshot["zone"], snapshot["acm"], zone
    cert = next(iter(acm.get("certificates") or []), {})
    return {
        "alb_dns_name": alb.get("dns_name"),
        "cloudfront_domain": cloudfront.get("domain"),
        "cloudfront_distribution_id": cloudfront.get("id") if cloudfront.get("found") else None,
        "cloudfront_aliases": cloudfront.get("aliases", []),
        "rds_endpoint": f"{rds['endpoint']}:{rds['port']}" if rds.get("endpoint") else None,
        "rds_master_secret": (rds.get("secret") or {}).get("name"),
        "efs_id": efs.get("id") if efs.get("found") else None,
        "ecs_cluster": snapshot["ecs"].get("name") if snapshot["ecs"].get("found") else None,
        "route53_zone": zone.get("name") if zone.get("found") else (zone_name or domain),
        "route53_zone_id": zone.get("id"),
        "name_servers": zone.get("name_servers", []),
        "certificate_domain": cert.get("domain"),
        "certificate_arn": cert.get("arn"),
        "certificate_status": cert.get("status"),
        "tenant_url_example": f"banana.{domain}" if domain else None,
    }


def _esc(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _md(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", "<br>")


def render_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# BBWS cluster health: {report['environment']} ({report['status'].upper()})",
        "",
        f"- Account {report.get('account_id') or 'n/a'}, region {report['region']}, generated {report['generated_at']}",
        f"- {len(report['checks'])} checks, {len(report['findings'])} findings, {report['api_calls']} AWS API calls, "
        f"{report['duration_seconds']} s",
        "",
    ]
    for area, checks in _by_area(report["checks"]).items():
        lines += [f"## {AREA_TITLES.get(area, area)}", "", "| check | status | detail |", "|---|---|---|"]
        lines += [f"| {_md(c['name'])} | {ICONS.get(c['status'], '')} {c['status']} | {_md(c['detail'])} |" for c in checks]
        lines.append("")
    lines += ["## Findings", ""]
    if not report["findings"]:
        lines.append("None.")
    for number, finding in enumerate(report["findings"], 1):
        lines += [f"### {number}. [{finding['severity'].upper()}] {finding['area']}", "", finding["summary"], "",
                  f"Recommendation: {finding['recommendation']}", ""]
        if finding["resource_ids"]:
            lines += [f"Resources: {', '.join(finding['resource_ids'])}", ""]
        for kind in ("terraform", "cli"):
            if finding["fix"].get(kind):
                lines += [f"Fix ({kind}):", "", "```", finding["fix"][kind], "```", ""]
    lines += ["## Access points", "", "| item | value |", "|---|---|"]
    lines += [f"| {key} | {_md(value if not isinstance(value, list) else ', '.join(value))} |"
              for key, value in report["access_points"].items()]
    return "\n".join(lines) + "\n"


def _by_area(checks: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for check in checks:
        grouped.setdefault(check["area"], []).append(check)
    return grouped


def _badge(status: str) -> str:
    return f'<span class="badge" style="background:{STATUS_COLOURS.get(status, "#6c757d")}">{_esc(status)}</span>'


def render_html(report: dict[str, Any]) -> str:
    """One page, inline CSS, no scripts, no external assets: it opens from a mail attachment or an artifact store."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>BBWS cluster health: {_esc(report['environment'])} {_esc(report['status'])}</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#212529}"
        "table{border-collapse:collapse;margin:0 0 1.5rem;width:100%}th,td{border:1px solid #dee2e6;padding:.35rem .6rem;"
        "text-align:left;vertical-align:top}th{background:#f1f3f5}.badge{color:#fff;border-radius:.25rem;padding:.1rem .45rem;"
        "font-size:.85em}pre{background:#f8f9fa;border:1px solid #dee2e6;padding:.5rem;white-space:pre-wrap}"
        ".finding{border-left:.3rem solid #ccc;padding:.2rem .8rem;margin:.8rem 0}</style></head><body>",
        f"<h1>BBWS cluster health: {_esc(report['environment'])} {_badge(report['status'])}</h1>",
        f"<p>Account {_esc(report.get('account_id') or 'n/a')}, region {_esc(report['region'])}, generated "
        f"{_esc(report['generated_at'])}. {len(report['checks'])} checks, {len(report['findings'])} findings, "
        f"{report['api_calls']} AWS API calls in {report['duration_seconds']} s.</p>",
    ]
    for area, checks in _by_area(report["checks"]).items():
        parts.append(f'<h2>{_esc(AREA_TITLES.get(area, area))}</h2><table class="area" data-area="{_esc(area)}">'
                     "<thead><tr><th>check</th><th>status</th><th>detail</th></tr></thead><tbody>")
        parts += [f"<tr><td>{_esc(c['name'])}</td><td>{_badge(c['status'])}</td><td>{_esc(c['detail'])}</td></tr>" for c in checks]
        parts.append("</tbody></table>")
    parts.append("<h2>Findings</h2>")
    if not report["findings"]:
        parts.append("<p>None.</p>")
    for finding in report["findings"]:
        colour = STATUS_COLOURS.get(finding["severity"], "#6c757d")
        parts.append(f'<div class="finding" style="border-color:{colour}"><p>{_badge(finding["severity"])} '
                     f"<strong>{_esc(finding['area'])}</strong>: {_esc(finding['summary'])}</p>"
                     f"<p>Recommendation: {_esc(finding['recommendation'])}</p>")
        if finding["resource_ids"]:
            parts.append(f"<p>Resources: {_esc(', '.join(finding['resource_ids']))}</p>")
        for kind in ("terraform", "cli"):
            if finding["fix"].get(kind):
                parts.append(f"<p>Fix ({kind}):</p><pre>{_esc(finding['fix'][kind])}</pre>")
        parts.append("</div>")
    parts.append('<h2>Access points</h2><table class="area" data-area="access"><tbody>')
    parts += [f"<tr><th>{_esc(key)}</th><td>{_esc(', '.join(value) if isinstance(value, list) else value)}</td></tr>"
              for key, value in report["access_points"].items()]
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts) + "\n"


def write_reports(report: dict[str, Any], directory: str) -> dict[str, str]:
    """Write <env>-health.{json,md,html} (operator-readable only) and return their paths."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    base = os.path.join(os.path.abspath(directory), f"{report['environment']}-health")
    contents = {
        "json": json.dumps(report, indent=2, sort_keys=True, default=str) + "\n",
        "markdown": render_markdown(report),
        "html": render_html(report),
    }
    suffix = {"json": ".json", "markdown": ".md", "html": ".html"}
    paths = {}
    for kind, text in contents.items():
        path = base + suffix[kind]
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        paths[kind] = path
    return paths


def closing_block(report: dict[str, Any]) -> str:
    """The seed's end-of-run summary: access points, DNS configuration, tenant URL, next steps."""
    ap = report["access_points"]
    env = report["environment"]
    lines = [
        f"=== CLUSTER {env.upper()}: {report['status'].upper()} ===",
        "",
        "Access Points:",
        f"- ALB DNS: {ap['alb_dns_name'] or 'not found'}",
        f"- CloudFront Domain: {ap['cloudfront_domain'] or 'not found'}",
        f"- CloudFront Distribution ID: {ap['cloudfront_distribution_id'] or 'not found'}",
        f"- RDS Endpoint: {ap['rds_endpoint'] or 'not found'}",
        f"- EFS ID: {ap['efs_id'] or 'not found'}",
        "",
        "DNS Configuration:",
        f"- Route53 Zone: {ap['route53_zone'] or 'n/a'} ({ap['route53_zone_id'] or 'not found'})",
        f"- Nameservers: {', '.join(ap['name_servers']) or 'n/a'}",
        f"- ACM Certificate: {ap['certificate_domain'] or 'none'} ({ap['certificate_status'] or 'n/a'}; {ap['certificate_arn'] or 'n/a'})",
        f"- Tenant URL Example: {ap['tenant_url_example'] or 'n/a'}",
        f"- CloudFront Alternate Domains: {', '.join(ap['cloudfront_aliases']) or 'none'}",
        "",
    ]
    if report["findings"]:
        lines.append("Findings (most severe first):")
        for finding in report["findings"][:10]:
            lines.append(f"- [{finding['severity'].upper()}] {finding['summary']}")
            lines += [f"  fix: {line}" for kind in ("terraform", "cli") for line in finding["fix"].get(kind, "").splitlines()]
        if len(report["findings"]) > 10:
            lines.append(f"- ... {len(report['findings']) - 10} more in the report")
        lines.append("")
    lines.append("Next Steps:")
    steps = []
    if report["status"] == "healthy":
        steps.append("Cluster is ready to host WordPress tenants")
    else:
        steps.append(f"Fix the {len(report['findings'])} finding(s) in the health report first (each names its fix)")
    if env != "prod":
        steps.append(f"DNS delegation: the prod run writes the NS records for {ap['route53_zone']} (site.yml --tags dns)")
    steps += [
        "Deploy tenants with the tenant manager (per-tenant database, EFS access point, service, target group, listener rule)",
        f"RDS master credentials: Secrets Manager secret {ap['rds_master_secret'] or 'n/a'} (managed and rotated by RDS)",
        f"Monitor cluster health: ansible-playbook playbooks/health.yml -i inventories/{env}",
    ]
    lines += [f"{number}. {step}" for number, step in enumerate(steps, 1)]
    if report.get("report_files", {}).get("html"):
        lines += ["", f"Report: {report['report_files']['html']}"]
    return "\n".join(lines)
