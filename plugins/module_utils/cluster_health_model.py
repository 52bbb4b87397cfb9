# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The health report's vocabulary: checks, findings, notices, paths, the analysis that collects them, the environment
it is made for, and the constants the areas share (severities, Terraform rule addresses, tenant impact per area)."""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import DEFAULT_WARNING_TENANTS
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import TenantCost

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
INTERNET = ("0.0.0.0/0", "::/0")
CERT_EXPIRY_WARN_DAYS = 30
CLOUDFRONT_NOTE = "CloudFront deployments can take 15-20 minutes"
TERRAFORM_RULES = {
    ("ecs", "rds", "ingress"): "aws_vpc_security_group_ingress_rule.rds_from_ecs",
    ("ecs", "rds", "egress"): "aws_vpc_security_group_egress_rule.ecs_to_rds",
    ("ecs", "efs", "ingress"): "aws_vpc_security_group_ingress_rule.efs_from_ecs",
    ("ecs", "efs", "egress"): "aws_vpc_security_group_egress_rule.ecs_to_efs",
    ("alb", "ecs", "ingress"): "aws_vpc_security_group_ingress_rule.ecs_from_alb",
    ("alb", "ecs", "egress"): "aws_vpc_security_group_egress_rule.alb_to_ecs",
}
TERRAFORM_ALB_INGRESS = {
    80: "aws_vpc_security_group_ingress_rule.alb_http",
    443: "aws_vpc_security_group_ingress_rule.alb_https",
}
# What a finding of an area means for tenants, when the finding does not say it more precisely.
IMPACTS = {
    "ecs": "tenant containers may not run, or not as many as intended",
    "rds": "tenant sites may lose their database, its backups or its credentials' protection",
    "efs": "tenant containers may not read or write their WordPress files",
    "alb": "requests may not reach the tenant containers",
    "cloudfront": "tenant URLs may not reach the cluster, or not over the intended certificate",
    "acm": "tenant URLs cannot be served over HTTPS on the custom domain",
    "dns": "tenant names may not resolve",
    "logs": "container logs are lost or kept differently than intended",
    "network": "private tasks may lose outbound access (image pulls, AWS APIs)",
    "security": "the cluster is exposed beyond its intended access",
    "connectivity": "a path tenants need is blocked",
    "tags": "ownership, environment separation and cost reporting are wrong",
    "alarms": "operators are not told, or are told now, that something tenants depend on is wrong",
    "capacity": "new tenants cannot be added once an AWS limit is reached",
    "dr": "a regional outage of the primary would lose more data, or take longer to recover, than the DR design allows",
}
# A DR standby's role, a primary's: none means no disaster recovery is set up for the environment.
DR_ROLES = ("none", "primary", "standby")
TLS_ORDER = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021")


@dataclass
class Check:
    name: str
    area: str
    status: str  # pass, warn, fail, skip
    detail: str


@dataclass
class Finding:
    severity: str
    area: str
    summary: str
    recommendation: str
    resource_ids: list[str] = field(default_factory=list)
    fix: dict[str, str] = field(default_factory=dict)
    impact: str = ""


@dataclass
class Notice:
    """A state the design asks for that an operator should still know about: not a finding, status unchanged."""

    area: str
    summary: str
    cause: str
    next_step: str


@dataclass
class Path:
    """One edge of the cluster diagram: ok, broken (with its port and missing rule), warn or unknown."""

    edge: str
    source: str
    target: str
    status: str
    label: str
    detail: str = ""


@dataclass
class Analysis:
    checks: list[Check] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    headroom: dict[str, Any] = field(default_factory=dict)
    # Disaster recovery as the report shows it (a primary's standby and replication, or a standby's own role).
    dr: dict[str, Any] = field(default_factory=dict)

    def notice(self, area: str, summary: str, cause: str, next_step: str) -> None:
        self.notices.append(Notice(area, summary, cause, next_step))

    def path(self, edge: str, status: str, label: str, detail: str = "") -> None:
        source, target = edge.split("-", 1)
        self.paths = [p for p in self.paths if p.edge != edge] + [Path(edge, source, target, status, label, detail)]

    def check(self, area: str, name: str, ok: bool | None, detail: str, warn_only: bool = False) -> bool:
        status = "skip" if ok is None else "pass" if ok else "warn" if warn_only else "fail"
        self.checks.append(Check(name, area, status, detail))
        return bool(ok)

    def find(
        self,
        severity: str,
        area: str,
        summary: str,
        recommendation: str,
        ids: list[str] | None = None,
        impact: str = "",
        **fix: str,
    ) -> None:
        self.findings.append(
            Finding(
                severity,
                area,
                summary,
                recommendation,
                [i for i in ids or [] if i],
                fix,
                impact or IMPACTS.get(area, ""),
            )
        )

    @property
    def status(self) -> str:
        severities = {f.severity for f in self.findings}
        if severities & {"critical", "high"} or any(c.status == "fail" for c in self.checks):
            return "unhealthy"
        if severities & {"medium", "low"} or any(c.status == "warn" for c in self.checks):
            return "degraded"
        return "healthy"

    def as_dict(self) -> dict[str, Any]:
        findings = sorted(self.findings, key=lambda f: SEVERITY_ORDER.index(f.severity))
        return {
            "status": self.status,
            "checks": [asdict(c) for c in self.checks],
            "findings": [asdict(f) for f in findings],
            "notices": [asdict(n) for n in self.notices],
            "paths": [asdict(p) for p in self.paths],
            "headroom": self.headroom,
            "dr": self.dr,
        }


class Env:
    """The facts the fixes need: names, region, profile; and the edge the inventory intends.

    ``custom_domain`` is the inventory's intent for the CloudFront custom domain (on, off, auto: on once the
    zone's delegation is verified); ``fallback`` is the cause the edge phase recorded when it fell back to
    CloudFront's default certificate. Either makes the default certificate the intended state.
    """

    def __init__(
        self,
        environment: str,
        project: str,
        region: str,
        edge_region: str,
        profile: str | None,
        domain: str | None,
        policy: dict[str, Any],
        custom_domain: str = "auto",
        fallback: str | None = None,
        zone: str | None = None,
        expected_alarms: list[str] | None = None,
        tenant_cost: TenantCost | None = None,
        warning_tenants: int = DEFAULT_WARNING_TENANTS,
        dr_role: str = "none",
        dr_region: str | None = None,
    ) -> None:
        self.environment = environment
        # Disaster recovery: a standby is judged as one (read replica, services at 0, no distribution, read-only
        # file system); a primary with its dr_region gets the DR section (replica, EFS replication, readiness).
        self.dr_role = dr_role
        self.dr_region = dr_region
        # The inventory's bbws_alarm_thresholds keys: each names an alarm the stack must have created.
        self.expected_alarms = list(expected_alarms or [])
        self.tenant_cost = tenant_cost or TenantCost()
        self.warning_tenants = warning_tenants
        self.custom_domain = custom_domain
        self.fallback = fallback or None
        self.zone = zone or domain
        self.project = project
        self.region = region
        self.edge_region = edge_region
        self.profile = profile
        self.domain = domain
        self.policy = {k: v for k, v in (policy or {}).items() if v is not None}

    @property
    def name(self) -> str:
        return f"{self.project}-{self.environment}"

    def cli(self, command: str, region: str | None = None) -> str:
        profile = f" --profile {self.profile}" if self.profile else ""
        return f"{command} --region {region or self.region}{profile}"


def alb_origins(cloudfront: dict[str, Any], alb: dict[str, Any], zone: dict[str, Any]) -> list[dict[str, Any]]:
    """CloudFront's origins that are this ALB: its own DNS name, or (custom domain on: HTTPS to the origin) a name
    in the environment's zone whose alias record targets the ALB (Route 53 may answer with dualstack. and a dot)."""
    target = alb["dns_name"].lower()
    names = {target} | {
        record["name"].rstrip(".").lower()
        for record in (zone or {}).get("records") or []
        if (record.get("alias") or "").lower().rstrip(".").removeprefix("dualstack.") == target
    }
    return [origin for origin in cloudfront["origins"] if origin["domain"].lower() in names]
