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

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import total_calls
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_history import DIGEST_SUFFIX
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_history import digest
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_history import since_last_line

STATUS_COLOURS = {
    "healthy": "#1e7e34",
    "degraded": "#b8860b",
    "unhealthy": "#b02a37",
    "pass": "#1e7e34",
    "warn": "#b8860b",
    "fail": "#b02a37",
    "skip": "#6c757d",
    "critical": "#7a0012",
    "high": "#b02a37",
    "medium": "#b8860b",
    "low": "#31708f",
    "info": "#6c757d",
}
AREA_TITLES = {
    "ecs": "ECS cluster",
    "rds": "RDS MySQL",
    "efs": "EFS",
    "alb": "Application Load Balancer",
    "cloudfront": "CloudFront",
    "acm": "ACM certificate",
    "dns": "Route53",
    "logs": "CloudWatch Logs",
    "network": "Network",
    "security": "Security review",
    "connectivity": "Connectivity (security-group graph)",
    "tags": "Tags",
    "alarms": "CloudWatch alarms",
    "capacity": "Capacity headroom",
    "dr": "Disaster recovery",
}
ICONS = {"pass": "✓", "warn": "⚠", "fail": "✗", "skip": "–"}


def access_points(
    snapshot: dict[str, Any], domain: str | None, zone: str | None = None, example_tenant: str | None = None
) -> dict[str, Any]:
    """The closing facts: where the cluster answers and what DNS says."""
    alb, cloudfront, rds, efs = snapshot["alb"], snapshot["cloudfront"], snapshot["rds"], snapshot["efs"]
    zone, acm, zone_name = snapshot["zone"], snapshot["acm"], zone
    cert = next(iter(acm.get("certificates") or []), {})
    served = cloudfront.get("certificate_arn")
    served_cert = next((c for c in acm.get("certificates") or [] if c["arn"] == served), None)
    return {
        "alb_dns_name": alb.get("dns_name"),
        "cloudfront_domain": cloudfront.get("domain"),
        "cloudfront_distribution_id": cloudfront.get("id") if cloudfront.get("found") else None,
        "cloudfront_aliases": cloudfront.get("aliases", []),
        "cloudfront_certificate": (
            None
            if not cloudfront.get("found")
            else (
                f"{served_cert['status']} {served_cert['domain']}"
                if served_cert
                else f"ACM {served}" if served else "default *.cloudfront.net"
            )
        ),
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
        "tenant_url_example": f"{example_tenant}.{domain}" if domain and example_tenant else None,
    }


def _esc(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _md(value: Any) -> str:
    return str(value if value is not None else "n/a").replace("|", "\\|").replace("\n", "<br>")


def _shown(value: Any) -> str:
    """A value as people read it: a list joined, a missing value as n/a (never ``None``)."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return "n/a" if value is None or value == "" else str(value)


def _area_state(checks: list[dict[str, Any]]) -> str:
    statuses = {c["status"] for c in checks}
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"


HEADROOM_COLUMNS = ("limit", "resource", "used", "of", "source", "per tenant", "tenants fit")


def _headroom_rows(headroom: Any) -> list[tuple[str, ...]]:
    """One row per limit (tightest first): name, resource, used, limit, source of the limit, per tenant, tenants."""
    if not isinstance(headroom, dict) or not headroom.get("limits"):
        return []
    return [
        (
            item["name"],
            item["resource"],
            _count(item["used"]),
            _count(item["limit"]),
            item["source"] + (f"; {item['detail']}" if item.get("detail") else ""),
            _count(item["per_tenant"]),
            _count(item["tenants"]) if item["per_tenant"] else "not per tenant",
        )
        for item in headroom["limits"]
    ]


def _count(value: Any) -> str:
    if value is None:
        return "unknown"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def render_markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# BBWS cluster health: {report['environment']} ({report['status'].upper()})",
        "",
        f"- Account {report.get('account_id') or 'n/a'}, region {report['region']}, generated {report['generated_at']}",
        (
            f"- {len(report['checks'])} checks, {len(report['findings'])} findings, {total_calls(report['api_calls'])}"
            f" AWS API calls, {report['duration_seconds']} s"
        ),
    ]
    if report.get("since_last"):
        lines.append(f"- {since_last_line(report['since_last'])}")
    lines += ["", "## Findings", ""]
    if not report["findings"]:
        lines.append("No findings.")
    for number, finding in enumerate(report["findings"], 1):
        lines += [
            f"### {number}. [{finding['severity'].upper()}] {AREA_TITLES.get(finding['area'], finding['area'])}",
            "",
            finding["summary"],
            "",
        ]
        if finding.get("impact"):
            lines += [f"Impact: {finding['impact']}", ""]
        lines += [f"Recommendation: {finding['recommendation']}", ""]
        if finding["resource_ids"]:
            lines += [f"Resources: {', '.join(finding['resource_ids'])}", ""]
        for kind in ("terraform", "cli"):
            if finding["fix"].get(kind):
                lines += [f"Fix ({kind}):", "", "```", finding["fix"][kind], "```", ""]
    if report.get("notices"):
        lines += ["## Notices", ""]
        lines += [f"- {n['summary']} Cause: {n['cause']}. Next step: {n['next_step']}." for n in report["notices"]]
        lines.append("")
    rows = _headroom_rows(report.get("headroom"))
    if rows:
        lines += [
            "## Capacity headroom",
            "",
            f"**{report['headroom']['summary']}.**",
            "",
            "| " + " | ".join(HEADROOM_COLUMNS) + " |",
            "|" + "---|" * len(HEADROOM_COLUMNS),
        ]
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
        lines.append("")
    if report.get("paths"):
        lines += ["## Paths", "", "| path | state | detail |", "|---|---|---|"]
        lines += [
            f"| {NODE_TITLES.get(p['source'], p['source'])} -> {NODE_TITLES.get(p['target'], p['target'])} | "
            f"{p['status']} | {_md(p['label'] + ('; ' + p['detail'] if p['detail'] else ''))} |"
            for p in report["paths"]
        ]
        lines.append("")
    for area, checks in _by_area(report["checks"]).items():
        lines += [f"## {AREA_TITLES.get(area, area)}", "", "| check | status | detail |", "|---|---|---|"]
        lines += [
            f"| {_md(c['name'])} | {ICONS.get(c['status'], '')} {c['status']} | {_md(c['detail'])} |" for c in checks
        ]
        lines.append("")
    lines += ["## Access points", "", "| item | value |", "|---|---|"]
    lines += [f"| {key} | {_md(_shown(value))} |" for key, value in report["access_points"].items()]
    return "\n".join(lines) + "\n"


def _by_area(checks: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for check in checks:
        grouped.setdefault(check["area"], []).append(check)
    return grouped


def _badge(status: str) -> str:
    return f'<span class="badge" style="background:{STATUS_COLOURS.get(status, "#6c757d")}">{_esc(status)}</span>'


# -- the diagram ----------------------------------------------------------------------------------
NODE_TITLES = {
    "internet": "Internet",
    "cloudfront": "CloudFront",
    "alb": "ALB",
    "ecs": "ECS tasks",
    "rds": "RDS MySQL",
    "efs": "EFS",
    "nat": "NAT gateway",
}
# node -> x, y, width, height in the diagram's 640 x 520 space
NODES = {
    "internet": (250, 10, 140, 36),
    "cloudfront": (190, 90, 260, 66),
    "alb": (250, 216, 140, 36),
    "ecs": (250, 330, 140, 40),
    "rds": (40, 456, 150, 40),
    "efs": (450, 456, 150, 40),
    "nat": (480, 200, 130, 36),
}
EDGE_COLOURS = {"ok": "#1e7e34", "broken": "#b02a37", "warn": "#b8860b", "unknown": "#868e96"}
# edge -> polyline points and where its label goes (x, y, anchor)
EDGES = {
    "internet-cloudfront": ([(320, 46), (320, 90)], (328, 72, "start")),
    "cloudfront-alb": ([(320, 156), (320, 216)], (328, 180, "start")),
    "alb-ecs": ([(320, 252), (320, 330)], (328, 276, "start")),
    "ecs-rds": ([(290, 370), (115, 456)], (196, 398, "end")),
    "ecs-efs": ([(350, 370), (525, 456)], (444, 398, "start")),
    "ecs-nat": ([(390, 340), (545, 340), (545, 236)], (470, 356, "middle")),
    "nat-internet": ([(545, 200), (545, 28), (390, 28)], (537, 180, "end")),
}


def _wrap(text: str, width: int = 30) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def render_diagram(report: dict[str, Any]) -> str:
    """Inline SVG: Internet -> CloudFront -> ALB -> ECS tasks -> RDS and EFS, with NAT.

    Each edge is coloured by its analysis."""
    paths = {p["edge"]: p for p in report.get("paths") or []}
    ap = report.get("access_points") or {}
    parts = [
        (
            '<svg id="diagram" viewBox="0 0 640 520" role="img" '
            'aria-labelledby="diagram-title"><title id="diagram-title">The cluster\'s paths and their state</title>'
        ),
        "<defs>"
        + "".join(
            f'<marker id="arrow-{state}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
            f'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for state, colour in EDGE_COLOURS.items()
        )
        + "</defs>",
    ]
    for edge, (points, (lx, ly, anchor)) in EDGES.items():
        path = paths.get(edge) or {"status": "unknown", "label": "not checked", "detail": ""}
        colour = EDGE_COLOURS.get(path["status"], EDGE_COLOURS["unknown"])
        dash = ' stroke-dasharray="7 4"' if path["status"] in ("broken", "unknown") else ""
        bold = ' font-weight="bold"' if path["status"] == "broken" else ""
        width = 3.5 if path["status"] == "broken" else 2
        label = _wrap(path["label"] + (f" ({path['detail']})" if path["status"] == "broken" and path["detail"] else ""))
        parts.append(
            f'<g class="edge {path["status"]}" data-edge="{edge}" data-status="{path["status"]}">'
            f"<title>{_esc(path['label'])}{_esc(': ' + path['detail'] if path['detail'] else '')}</title>"
            f'<polyline points="{" ".join(f"{x},{y}" for x, y in points)}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}"{dash} marker-end="url(#arrow-{path["status"]})"/>'
            f'<text x="{lx}" y="{ly}" text-anchor="{anchor}" fill="{colour}" font-size="11"{bold}>'
            + "".join(
                f'<tspan x="{lx}" dy="{0 if n == 0 else 13}">{_esc(line)}</tspan>' for n, line in enumerate(label)
            )
            + "</text></g>"
        )
    cert = ap.get("cloudfront_certificate")
    aliases = ap.get("cloudfront_aliases") or []
    cloudfront_lines = [f"cert: {_shown(cert)[:38]}", f"aliases: {', '.join(aliases)[:36] if aliases else 'none'}"]
    for node, (x, y, w, h) in NODES.items():
        lines = cloudfront_lines if node == "cloudfront" else []
        parts.append(
            f'<g class="node" data-node="{node}"><rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" '
            f'fill="#f8f9fa" stroke="#495057"/><text x="{x + w / 2}" y="{y + 16 if lines else y + h / 2 + 4}" '
            f'text-anchor="middle" font-size="13" font-weight="bold" fill="#212529">{NODE_TITLES[node]}</text>'
            + "".join(
                f'<text x="{x + w / 2}" y="{y + 34 + 14 * n}" text-anchor="middle" font-size="11" '
                f'fill="#495057" data-line="{line.split(":")[0]}">{_esc(line)}</text>'
                for n, line in enumerate(lines)
            )
            + "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


COPY = (
    "navigator.clipboard.writeText(this.parentNode.querySelector('pre').textContent)"
    ".then(()=>{this.textContent='Copied'},()=>{this.textContent='Select and copy'})"
)
CSS = (
    "body{font-family:system-ui,sans-serif;margin:0 1.5rem"
    " 2rem;color:#212529;line-height:1.35}h1{font-size:1.5rem;margin:.8rem 0 .3rem}h2{font-size:1.15rem;margin:1rem 0"
    " .4rem}.meta{margin:.2rem 0 .6rem;color:#495057}.verdict{font-size:1.1rem;padding:.15rem"
    " .6rem}.top{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,560px);gap:1.5rem;align-items:start}@media"
    " (max-width:1000px){.top{grid-template-columns:1fr}}table{border-collapse:collapse;margin:.3rem 0"
    " 1rem;width:100%}th,td{border:1px solid #dee2e6;padding:.3rem"
    " .55rem;text-align:left;vertical-align:top}th{background:#f1f3f5}"
    ".badge{color:#fff;border-radius:.25rem;padding:.1rem"
    " .45rem;font-size:.85em}pre{background:#f8f9fa;border:1px solid"
    " #dee2e6;padding:.45rem;white-space:pre-wrap;margin:.2rem 0;font-size:.85em}.finding{border-left:.3rem solid"
    " #ccc;padding:.1rem .8rem;margin:.6rem 0;background:#fff}.finding p{margin:.25rem"
    " 0}.fix{position:relative}.copy{float:right;margin:.1rem 0 .1rem .4rem;cursor:pointer}.notice{border-left:.3rem"
    " solid #31708f;padding:.1rem .8rem;margin:.6rem 0;background:#f4f8fb}details{margin:.3rem 0;border:1px solid"
    " #dee2e6;border-radius:.25rem;padding:.2rem"
    " .6rem}summary{cursor:pointer;font-weight:600}#diagram{width:100%;height:auto;max-height:75vh}"
)


def render_html(report: dict[str, Any]) -> str:
    """One page, inline CSS and SVG, no external assets: it opens from a mail attachment or an artifact store.

    The first screen holds the verdict, the findings with their exact fixes (each with a copy button), the
    capacity headroom when the report has one, and the diagram; the per-area tables follow, folded when all pass.
    """
    findings = report["findings"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        f"<title>BBWS cluster health: {_esc(report['environment'])} {_esc(report['status'])}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<h1 id="verdict">BBWS cluster health: {_esc(report["environment"])} '
        f'<span class="badge verdict" style="background:{STATUS_COLOURS.get(report["status"], "#6c757d")}">'
        f"{_esc(report['status'].upper())}</span></h1>",
        f'<p class="meta">{len(findings)} finding(s), {len(report["checks"])} checks. Account '
        f"{_esc(report.get('account_id') or 'n/a')}, region {_esc(report['region'])}, generated"
        f" {_esc(report['generated_at'])}, "
        f"{total_calls(report['api_calls'])} AWS API calls in {report['duration_seconds']} s."
        + (
            f' <span id="since-last">{_esc(since_last_line(report["since_last"]))}</span>'
            if report.get("since_last")
            else ""
        )
        + "</p>",
        '<div class="top"><div id="findings">',
    ]
    if not findings:
        parts.append("<p><strong>No findings.</strong></p>")
    for number, finding in enumerate(findings, 1):
        colour = STATUS_COLOURS.get(finding["severity"], "#6c757d")
        parts.append(
            f'<div class="finding" id="finding-{number}" style="border-color:{colour}">'
            f"<p>{_badge(finding['severity'])} <strong>{_esc(AREA_TITLES.get(finding['area'], finding['area']))}"
            f"</strong>: {_esc(finding['summary'])}</p>"
        )
        if finding.get("impact"):
            parts.append(f"<p><strong>Impact:</strong> {_esc(finding['impact'])}</p>")
        parts.append(f"<p><strong>Fix:</strong> {_esc(finding['recommendation'])}</p>")
        for kind in ("terraform", "cli"):
            if finding["fix"].get(kind):
                parts.append(
                    f'<div class="fix" data-kind="{kind}"><button type="button" class="copy" onclick="{_esc(COPY)}">'
                    f"Copy</button><small>{'Terraform' if kind == 'terraform' else 'AWS CLI'}</small>"
                    f"<pre>{_esc(finding['fix'][kind])}</pre></div>"
                )
        if finding["resource_ids"]:
            parts.append(f"<p><small>Resources: {_esc(', '.join(finding['resource_ids']))}</small></p>")
        parts.append("</div>")
    for notice in report.get("notices") or []:
        parts.append(
            f'<div class="notice"><p><strong>Notice:</strong> {_esc(notice["summary"])}</p>'
            f"<p><strong>Cause:</strong> {_esc(notice['cause'])}. <strong>Next step:</strong> "
            f"{_esc(notice['next_step'])}.</p></div>"
        )
    rows = _headroom_rows(report.get("headroom"))
    if rows:
        parts.append(
            f'<h2>Capacity headroom</h2><p id="headroom-summary"><strong>{_esc(report["headroom"]["summary"])}.'
            '</strong></p><table id="headroom"><thead><tr>'
            + "".join(f"<th>{c}</th>" for c in HEADROOM_COLUMNS)
            + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{_esc(cell)}</td>" for cell in row) + "</tr>" for row in rows)
            + "</tbody></table>"
        )
    parts += ["</div>", f"<div>{render_diagram(report)}</div></div>", "<h2>Checks by area</h2>"]
    for area, checks in _by_area(report["checks"]).items():
        state = _area_state(checks)
        counts = ", ".join(
            f"{sum(c['status'] == s for c in checks)} {s}"
            for s in ("fail", "warn", "pass", "skip")
            if any(c["status"] == s for c in checks)
        )
        parts.append(
            f'<details data-area="{_esc(area)}" data-state="{state}"{" open" if state != "pass" else ""}>'
            f"<summary>{_esc(AREA_TITLES.get(area, area))} {_badge(state)} <small>{counts}</small></summary>"
            f'<table class="area" data-area="{_esc(area)}">'
            "<thead><tr><th>check</th><th>status</th><th>detail</th></tr></thead><tbody>"
        )
        parts += [
            f"<tr><td>{_esc(c['name'])}</td><td>{_badge(c['status'])}</td><td>{_esc(c['detail'])}</td></tr>"
            for c in checks
        ]
        parts.append("</tbody></table></details>")
    parts.append(
        '<details data-area="access" open><summary>Access points</summary><table class="area"'
        ' data-area="access"><tbody>'
    )
    parts += [
        f"<tr><th>{_esc(key)}</th><td>{_esc(_shown(value))}</td></tr>" for key, value in report["access_points"].items()
    ]
    parts.append("</tbody></table></details></body></html>")
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
    summary = json.dumps(digest(report, os.path.basename(base + suffix["html"])), indent=1, sort_keys=True) + "\n"
    for kind, text in (*contents.items(), ("digest", summary)):
        path = base + suffix[kind] if kind in suffix else base[: -len("-health")] + DIGEST_SUFFIX
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        if kind in suffix:
            paths[kind] = path
    return paths


def closing_block(report: dict[str, Any]) -> str:
    """The end-of-run summary: access points, DNS configuration, tenant URL, next steps."""
    ap = report["access_points"]
    env = report["environment"]
    lines = [f"=== CLUSTER {env.upper()}: {report['status'].upper()} ===", ""]
    if report.get("since_last"):
        lines += [since_last_line(report["since_last"]), ""]
    lines += [
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
        (
            f"- ACM Certificate: {ap['certificate_domain'] or 'none'} ({ap['certificate_status'] or 'n/a'};"
            f" {ap['certificate_arn'] or 'n/a'})"
        ),
        f"- Tenant URL Example: {ap['tenant_url_example'] or 'n/a'}",
        f"- CloudFront Alternate Domains: {', '.join(ap['cloudfront_aliases']) or 'none'}",
        f"- CloudFront Certificate: {ap.get('cloudfront_certificate') or 'n/a'}",
        "",
    ]
    if (report.get("headroom") or {}).get("summary"):
        lines += [f"Capacity headroom: {report['headroom']['summary']}.", ""]
    if report.get("notices"):
        lines.append("Notices:")
        lines += [f"- {n['summary']} Cause: {n['cause']}. Next step: {n['next_step']}." for n in report["notices"]]
        lines.append("")
    if report["findings"]:
        lines.append("Findings (most severe first):")
        for finding in report["findings"][:10]:
            lines.append(f"- [{finding['severity'].upper()}] {finding['summary']}")
            lines += [
                f"  fix: {line}" for kind in ("terraform", "cli") for line in finding["fix"].get(kind, "").splitlines()
            ]
        if len(report["findings"]) > 10:
            lines.append(f"- ... {len(report['findings']) - 10} more in the report")
        lines.append("")
    lines.append("Next Steps:")
    steps = []
    if report["status"] == "healthy":
        steps.append("Cluster is ready to host WordPress tenants")
    else:
        steps.append(f"Fix the {len(report['findings'])} finding(s) in the health report first (each names its fix)")
    if env != "prod" and ap.get("route53_zone"):
        steps.append(
            f"DNS delegation: the prod run writes the NS records for {ap['route53_zone']} (site.yml --tags dns)"
        )
    steps += [
        (
            "Deploy tenants with the tenant manager (per-tenant database, EFS access point, service, target group,"
            " listener rule)"
        ),
        (
            f"RDS master credentials: Secrets Manager secret {ap['rds_master_secret'] or 'n/a'} (managed and rotated by"
            " RDS)"
        ),
        f"Monitor cluster health: ansible-playbook playbooks/health.yml -i inventories/{env}",
    ]
    lines += [f"{number}. {step}" for number, step in enumerate(steps, 1)]
    if report.get("report_files", {}).get("html"):
        lines += ["", f"Report: {report['report_files']['html']}"]
    return "\n".join(lines)


def writable_folder_problem(what: str, folder: str | None) -> str | None:
    """None when ``folder`` is (or can be made) a writable folder; else why not, said before any AWS read."""
    if not folder:
        return None
    path = os.path.abspath(folder)
    if os.path.exists(path) and not os.path.isdir(path):
        return f"{what} {path} is a file, not a folder: give a folder for the reports. Nothing was read."
    existing = path
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        return f"{what} {path} cannot be created: {existing} is a file. Nothing was read."
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{what} {path} cannot be written: {existing} is not writable by this user. Nothing was read."
    return None
