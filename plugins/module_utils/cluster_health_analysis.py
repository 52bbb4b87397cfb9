# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn what was read into checks, findings and exact fixes (no AWS calls here).

- Status checks per area (ECS, RDS, EFS, ALB, CloudFront, ACM, DNS, secret, logs, NAT, tags).
- Security review: least-privilege security groups, RDS not public, encryption, CloudFront TLS,
  tag consistency (resources claiming another environment are reported, never modified).
- Connectivity over the security-group graph: a path needs an egress rule on the source group AND
  an ingress rule on the destination group; a broken path names both groups, the port, the missing
  side(s) and the fix (the Terraform resource to re-apply and the equivalent AWS CLI command).
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timezone
from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_alarms
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import DEFAULT_WARNING_TENANTS
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import TenantCost
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import headroom
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.rds_engine_support import check_engine_support

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
TERRAFORM_ALB_INGRESS = {80: "aws_vpc_security_group_ingress_rule.alb_http", 443: "aws_vpc_security_group_ingress_rule.alb_https"}
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
}
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

    def notice(self, area: str, summary: str, cause: str, next_step: str) -> None:
        self.notices.append(Notice(area, summary, cause, next_step))

    def path(self, edge: str, status: str, label: str, detail: str = "") -> None:
        source, target = edge.split("-", 1)
        self.paths = [p for p in self.paths if p.edge != edge] + [Path(edge, source, target, status, label, detail)]

    def check(self, area: str, name: str, ok: bool | None, detail: str, warn_only: bool = False) -> bool:
        status = "skip" if ok is None else "pass" if ok else "warn" if warn_only else "fail"
        self.checks.append(Check(name, area, status, detail))
        return bool(ok)

    def find(self, severity: str, area: str, summary: str, recommendation: str, ids: list[str] | None = None,
             impact: str = "", **fix: str) -> None:
        self.findings.append(Finding(severity, area, summary, recommendation, [i for i in ids or [] if i], fix,
                                     impact or IMPACTS.get(area, "")))

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
        return {"status": self.status, "checks": [asdict(c) for c in self.checks], "findings": [asdict(f) for f in findings],
                "notices": [asdict(n) for n in self.notices], "paths": [asdict(p) for p in self.paths],
                "headroom": self.headroom}


class Env:
    """The facts the fixes need: names, region, profile; and the edge the inventory intends.

    ``custom_domain`` is the inventory's intent for the CloudFront custom domain (on, off, auto: on once the
    zone's delegation is verified); ``fallback`` is the cause the edge phase recorded when it fell back to
    CloudFront's default certificate. Either makes the default certificate the intended state.
    """

    def __init__(self, environment: str, project: str, region: str, edge_region: str, profile: str | None,
                 domain: str | None, policy: dict[str, Any], custom_domain: str = "auto", fallback: str | None = None,
                 zone: str | None = None, expected_alarms: list[str] | None = None,
                 tenant_cost: TenantCost | None = None, warning_tenants: int = DEFAULT_WARNING_TENANTS) -> None:
        self.environment = environment
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


# -- security-group graph ------------------------------------------------------------------------
def _covers(rule: dict[str, Any], port: int) -> bool:
    if rule["protocol"] in ("-1", "all"):
        return True
    if rule["protocol"] not in ("tcp", "6"):
        return False
    low, high = rule.get("from_port"), rule.get("to_port")
    return low is not None and high is not None and low <= port <= high


def _cidr_reaches(cidr: str, target_cidr: str | None) -> bool:
    if cidr in INTERNET:
        return True
    if not target_cidr:
        return False
    try:
        return ipaddress.ip_network(target_cidr).subnet_of(ipaddress.ip_network(cidr))
    except (ValueError, TypeError):
        return False


def side_allows(rules: list[dict[str, Any]], peer_groups: list[str], port: int, vpc_cidr: str | None) -> bool:
    """Does one side's rule list let traffic on ``port`` to/from any of ``peer_groups``?"""
    for rule in rules:
        if not _covers(rule, port):
            continue
        if set(rule["groups"]) & set(peer_groups):
            return True
        if any(_cidr_reaches(cidr, vpc_cidr) for cidr in rule["cidrs"]):
            return True
    return False


def path_status(groups: dict[str, dict], sources: list[str], destinations: list[str], port: int,
                vpc_cidr: str | None) -> list[str]:
    """The sides missing for traffic from ``sources`` to ``destinations`` on ``port`` ([] = open)."""
    missing = []
    if not any(side_allows(groups[s]["egress"], destinations, port, vpc_cidr) for s in sources if s in groups):
        missing.append("egress")
    if not any(side_allows(groups[d]["ingress"], sources, port, vpc_cidr) for d in destinations if d in groups):
        missing.append("ingress")
    return missing


def _ip_permissions(port: int, peer: str) -> str:
    return f"IpProtocol=tcp,FromPort={port},ToPort={port},UserIdGroupPairs='[{{GroupId={peer}}}]'"


# -- the analysis --------------------------------------------------------------------------------
def analyse(snapshot: dict[str, Any], env: Env) -> Analysis:
    result = Analysis()
    for area, data in snapshot.items():
        if data.get("error"):
            result.check(area, f"{area} readable", False, data["error"])
            result.find("high", area, f"Could not read the {area} resources: {data['error']}",
                        "Fix access (profile, permissions, endpoint) and re-run the health check.")
    groups = _named_groups(snapshot, env)
    _ecs(result, snapshot["ecs"], env)
    _rds(result, snapshot["rds"], env)
    _efs(result, snapshot["efs"], snapshot["network"], groups, env)
    _alb(result, snapshot["alb"], env)
    _edge(result, snapshot["cloudfront"], snapshot["acm"], snapshot["zone"], snapshot["alb"], env)
    _logs_and_nat(result, snapshot["logs"], snapshot["network"], env)
    _security(result, snapshot, groups, env)
    _connectivity(result, snapshot, groups, env)
    _tags(result, snapshot, env)
    if "alarms" in snapshot:
        cluster_health_alarms.review(result, snapshot, env)
    _capacity(result, snapshot, env)
    return result


def _capacity(result: Analysis, snapshot: dict[str, Any], env: Env) -> None:
    """Tenant headroom: a warning finding when fewer tenants fit than the inventory's bbws_capacity_warning_tenants."""
    result.headroom = headroom(snapshot, env.tenant_cost, env.warning_tenants)
    tenants = result.headroom["tenants"]
    if tenants is None:
        result.check("capacity", "Tenant headroom", None, result.headroom["summary"])
        return
    first = next(item for item in result.headroom["limits"] if item["tenants"] == tenants)
    if result.check("capacity", "Tenant headroom", tenants >= env.warning_tenants,
                    f"{result.headroom['summary']} (warning below {env.warning_tenants})", warn_only=True):
        return
    fix = ("request a quota increase in Service Quotas, or plan a second ALB" if "ALB" in first["name"]
           else "raise max_connections with a larger RDS class (bbws_rds_instance_class) or fewer connections per tenant"
           if "RDS" in first["name"] else "request a quota increase in Service Quotas")
    result.find("medium", "capacity", f"Only {tenants} more tenant{'s' if tenants != 1 else ''} fit in {env.environment}: "
                f"the first limit is {first['name']} ({first['resource']}: {first['used']:g} of {first['limit']:g}, "
                f"{first['source']}); the warning threshold is {env.warning_tenants}.",
                f"Before adding tenants, {fix}.", [first["resource"]])


def _named_groups(snapshot: dict[str, Any], env: Env) -> dict[str, str]:
    """role (alb/ecs/rds/efs) -> group id, by the names Terraform gives the groups."""
    network = snapshot["network"]
    found = {}
    for group in (network.get("security_groups") or {}).values():
        for role in ("alb", "ecs", "rds", "efs"):
            if group["name"] == f"{env.name}-{role}" or group["tags"].get("Name") == f"{env.name}-{role}":
                found[role] = group["id"]
    return found


def _missing(result: Analysis, area: str, data: dict[str, Any], what: str) -> bool:
    if data.get("error"):
        return True
    if not data.get("found"):
        result.check(area, f"{what} exists", False, f"{what} {data.get('id') or data.get('name') or ''} not found".strip())
        result.find("critical", area, f"{what} {data.get('id') or data.get('name') or ''} does not exist in this account.",
                    "Run the plan and apply phases (site.yml --tags plan,apply) to create it.",
                    [data.get("id") or data.get("name")])
        return True
    return False


def _ecs(result: Analysis, ecs: dict[str, Any], env: Env) -> None:
    if _missing(result, "ecs", ecs, "ECS cluster"):
        return
    if not result.check("ecs", "ECS cluster ACTIVE", ecs["status"] == "ACTIVE", f"{ecs['name']} is {ecs['status']}"):
        # ECS changes state at once, so a cluster that is not ACTIVE is reported at once, never waited for.
        result.find("critical", "ecs", f"ECS cluster {ecs['name']} is {ecs['status']}, not ACTIVE.",
                    "Investigate at once (ECS clusters are ACTIVE immediately): check the cluster's events and re-apply.",
                    [ecs["arn"]], terraform="terraform apply (the ECS cluster resource)")
    insights = ecs["container_insights"] in ("enabled", "enhanced")
    if not result.check("ecs", "Container Insights", insights, f"containerInsights={ecs['container_insights']}", warn_only=True):
        result.find("low", "ecs", f"Container Insights is {ecs['container_insights']} on {ecs['name']}.",
                    "Enable it in terraform (setting containerInsights) and re-apply.", [ecs["arn"]])
    short = [s for s in ecs["services"] if s["running"] < s["desired"]]
    detail = f"{len(ecs['services'])} services, {ecs['running_tasks']} running tasks"
    if short:
        names = ", ".join(f"{s['name']} ({s['running']}/{s['desired']})" for s in short[:10])
        more = f" and {len(short) - 10} more" if len(short) > 10 else ""
        result.check("ecs", "Services running as desired", False, f"{detail}; short: {names}{more}", warn_only=True)
        result.find("medium", "ecs", f"{len(short)} service(s) run fewer tasks than desired: {names}{more}.",
                    "Check the services' events and stopped tasks (aws ecs describe-services), then target health and "
                    "the ALB -> ECS security group rules.", [ecs["arn"]])
    else:
        result.check("ecs", "Services running as desired", True, detail)


def _rds(result: Analysis, rds: dict[str, Any], env: Env) -> None:
    if _missing(result, "rds", rds, "RDS instance"):
        return
    waited = f" after {rds['waited_seconds']}s ({rds['attempts']} reads)" if rds["attempts"] > 1 else ""
    if not result.check("rds", "RDS available", rds["status"] == "available", f"{rds['id']} is {rds['status']}{waited}"):
        result.find("critical", "rds", f"RDS {rds['id']} is {rds['status']}{waited}, not available.",
                    "If it is still provisioning, re-run the health check later (wait_timeout); otherwise read the RDS "
                    "events: aws rds describe-events --source-identifier " + rds["id"], [rds["arn"]])
    result.check("rds", "RDS engine", rds["engine"] == "mysql", f"{rds['engine']} {rds['engine_version']}")
    check_engine_support(result, rds)
    policy = env.policy
    if "rds_instance_class" in policy and not result.check(
        "rds", "RDS instance class", rds["instance_class"] == policy["rds_instance_class"],
        f"{rds['instance_class']} (inventory: {policy['rds_instance_class']})", warn_only=True,
    ):
        result.find("medium", "rds", f"RDS {rds['id']} is {rds['instance_class']}, the inventory says {policy['rds_instance_class']}.",
                    "Re-apply terraform with the inventory's sizing (plan first: a class change restarts the instance).", [rds["arn"]])
    if "rds_multi_az" in policy and not result.check(
        "rds", "RDS multi-AZ", rds["multi_az"] == bool(policy["rds_multi_az"]),
        f"multi_az={rds['multi_az']} (inventory: {bool(policy['rds_multi_az'])})", warn_only=True,
    ):
        result.find("medium", "rds", f"RDS {rds['id']} multi-AZ is {rds['multi_az']}, the inventory says {bool(policy['rds_multi_az'])}.",
                    "Re-apply terraform with the inventory's sizing.", [rds["arn"]])
    if "rds_backup_retention_days" in policy and not result.check(
        "rds", "RDS backups", rds["backup_retention"] >= int(policy["rds_backup_retention_days"]),
        f"retention {rds['backup_retention']} days (inventory: {policy['rds_backup_retention_days']})", warn_only=True,
    ):
        result.find("medium", "rds", f"RDS {rds['id']} keeps backups {rds['backup_retention']} days, the inventory says "
                    f"{policy['rds_backup_retention_days']}.", "Re-apply terraform with the inventory's backup retention.", [rds["arn"]])
    secret = rds.get("secret") or {}
    if result.check("rds", "Master credentials secret", bool(secret.get("found")),
                    f"{secret.get('name')} (managed by RDS)" if secret.get("found") else "no RDS-managed master secret"):
        if not result.check("rds", "Secret rotation", secret["rotation_enabled"],
                            f"rotation every {secret.get('rotation_days') or 'n/a'} days" if secret["rotation_enabled"] else "rotation disabled",
                            warn_only=True):
            result.find("low", "rds", f"Rotation is disabled on the master credentials secret {secret['name']}.",
                        "Let RDS manage the password (manage_master_user_password = true) so it rotates the secret.", [secret["arn"]])
    else:
        result.find("high", "rds", f"RDS {rds['id']} has no RDS-managed master credentials secret.",
                    "Set manage_master_user_password = true in terraform so the password lives only in Secrets Manager.", [rds["arn"]])


def _efs(result: Analysis, efs: dict[str, Any], network: dict[str, Any], groups: dict[str, str], env: Env) -> None:
    if _missing(result, "efs", efs, "EFS file system"):
        return
    if not result.check("efs", "EFS available", efs["state"] == "available", f"{efs['id']} is {efs['state']}"):
        result.find("high", "efs", f"EFS {efs['id']} is {efs['state']}.", "Check the file system in the console and re-apply.", [efs["id"]])
    private = [s for s in network.get("subnets", []) if "-private-" in s["name"] or s["tags"].get("Tier") == "private"]
    by_az = {m["az"]: m for m in efs["mount_targets"] if m["state"] == "available"}
    missing = [s for s in private if s["az"] not in by_az]
    detail = f"{len(by_az)}/{len(private) or len(efs['mount_targets'])} private-subnet AZs have an available mount target"
    result.check("efs", "EFS mount targets", not missing and bool(by_az), detail)
    for subnet in missing:
        sg = groups.get("efs", "<efs security group>")
        result.find("high", "efs", f"EFS {efs['id']} has no available mount target in {subnet['az']} ({subnet['id']}): tasks in "
                    f"that AZ cannot mount WordPress files.", "Re-apply the EFS mount targets, or create the one missing.",
                    [efs["id"], subnet["id"]], terraform="terraform apply -target=aws_efs_mount_target.this",
                    cli=env.cli(f"aws efs create-mount-target --file-system-id {efs['id']} --subnet-id {subnet['id']} "
                                f"--security-groups {sg}"))


def _alb(result: Analysis, alb: dict[str, Any], env: Env) -> None:
    if _missing(result, "alb", alb, "ALB"):
        return
    if not result.check("alb", "ALB active", alb["state"] == "active", f"{alb['name']} is {alb['state']} ({alb['dns_name']})"):
        result.find("high", "alb", f"ALB {alb['name']} is {alb['state']}.", "Check the load balancer's state reason and re-apply.", [alb["arn"]])
    ports = sorted((listener["port"], listener["protocol"]) for listener in alb["listeners"])
    result.check("alb", "ALB listeners", bool(ports), ", ".join(f"{p}/{proto}" for p, proto in ports) or "no listeners")
    if "alb_deletion_protection" in env.policy:
        actual = alb["attributes"].get("deletion_protection.enabled") == "true"
        if not result.check("alb", "ALB deletion protection", actual == bool(env.policy["alb_deletion_protection"]),
                            f"deletion_protection={actual}", warn_only=True):
            result.find("low", "alb", f"ALB {alb['name']} deletion protection is {actual}, the inventory says "
                        f"{bool(env.policy['alb_deletion_protection'])}.", "Re-apply terraform.", [alb["arn"]])
    totals: dict[str, int] = {}
    failing = []
    for tg in alb["target_groups"]:
        for state, count in tg["states"].items():
            totals[state] = totals.get(state, 0) + count
        if any(state in ("unhealthy", "unavailable") for state in tg["states"]):
            failing.append(tg)
    vouched = sum(1 for tg in alb["target_groups"] if tg.get("vouched_by"))
    read = len(alb["target_groups"]) - vouched
    summary = ", ".join(f"{count} {state}" for state, count in sorted(totals.items())) or "no registered targets"
    detail = f"{len(alb['target_groups'])} target groups: {read} read ({summary})"
    if vouched:
        detail += f"; {vouched} of steady ECS services (all desired tasks running, deployment completed, no unhealthy event)"
    result.check("alb", "Target health", not failing, detail, warn_only=True)
    for tg in failing:
        # Review the target group's configuration first, then the security groups.
        result.find("medium", "alb", f"Target group {tg['name']} has unhealthy targets ({', '.join(tg['reasons']) or 'no reason given'}).",
                    f"Review the target group's health check (path {tg['health_check_path']}, port {tg['port']}) and the "
                    "container's answer on it; then check the ALB -> ECS security group rules (see connectivity).",
                    [tg["arn"]])


def default_certificate_reason(cloudfront: dict[str, Any], acm: dict[str, Any], env: Env) -> tuple[str, str] | None:
    """Why CloudFront is meant to serve its default certificate here: (cause, next step), or None when a custom domain
    is expected. Off by the inventory, an edge fallback the edge phase recorded, or ``auto`` before the switch-on."""
    domain = env.domain
    edge = f"ansible-playbook site.yml -i inventories/{env.environment} --tags edge"
    if env.custom_domain == "off":
        return (f"the custom domain is off for {env.environment} in the inventory (bbws_custom_domain: off)",
                f"to serve *.{domain}, set bbws_custom_domain to on or auto and run site.yml (the edge phase requests the "
                "certificate and adds the aliases)")
    if env.fallback:
        return (f"the edge phase fell back to it: {env.fallback}",
                f"fix that cause, then re-run the edge phase ({edge}); it switches *.{domain} on once the certificate is ISSUED")
    serves_custom = bool(cloudfront.get("certificate_arn")) or bool(cloudfront.get("aliases"))
    if env.custom_domain == "auto" and not serves_custom and not acm.get("certificates"):
        return (f"the custom domain is auto and not switched on yet: the delegation of {env.zone} is not verified",
                f"delegate {env.zone} from its parent zone (site.yml --tags dns with the parent's inventory), then run site.yml; "
                f"the edge phase switches *.{domain} on once the delegation resolves")
    return None


def _edge(result: Analysis, cloudfront: dict[str, Any], acm: dict[str, Any], zone: dict[str, Any], alb: dict[str, Any],
          env: Env) -> None:
    if not env.domain:
        skipped = "skipped: no domain given for this environment"
        for area, name in (("dns", "Route53 zone"), ("acm", "ACM certificate"), ("cloudfront", "CloudFront aliases")):
            result.check(area, name, None, skipped)
        result.notice("dns", "Zone and certificate checks skipped: no domain is set for this environment.",
                      "no domain given (bbws_domain / the module's domain option)",
                      "set bbws_domain in the inventory to check the hosted zone, the *.domain certificate and the CloudFront "
                      "aliases")
        reason = ("no domain is set for this environment", "set bbws_domain in the inventory to serve a custom domain")
    else:
        reason = default_certificate_reason(cloudfront, acm, env)
        _zone(result, zone)
    records = {(r["name"].rstrip(".").lower(), r["type"]) for r in zone.get("records", [])}
    cert_by_arn = {c["arn"]: c for c in acm.get("certificates", [])}
    if env.domain and not acm.get("error"):
        if not acm.get("certificates"):
            if reason:
                result.check("acm", "ACM certificate", None, f"no certificate for *.{env.domain} expected: {reason[0]}")
            else:
                result.check("acm", "ACM certificate", False, f"no certificate for *.{env.domain} in {env.edge_region}")
                result.find("high", "acm", f"No ACM certificate for *.{env.domain} in {env.edge_region}.",
                            "Run the edge phase (terraform requests it in us-east-1 for CloudFront).", [])
        for cert in acm.get("certificates", []):
            if reason and cert["status"] != "ISSUED":
                result.check("acm", "Certificate ISSUED", None, f"{cert['domain']}: {cert['status']} (not in use: {reason[0]})")
                continue
            _certificate(result, cert, zone, records, env)
    if _missing(result, "cloudfront", cloudfront, "CloudFront distribution"):
        result.path("internet-cloudfront", "broken", "no distribution")
        return
    deployed = cloudfront["status"] == "Deployed"
    result.check("cloudfront", "CloudFront deployed", deployed,
                 f"{cloudfront['id']} ({cloudfront['domain']}) is {cloudfront['status']}"
                 + ("" if deployed else f": {CLOUDFRONT_NOTE}"), warn_only=cloudfront["status"] == "InProgress")
    viewer = cloudfront.get("viewer_protocol_policy") or "allow-all"
    result.path("internet-cloudfront", "ok" if deployed else "warn", f"HTTPS ({viewer})" if deployed else cloudfront["status"])
    if cloudfront["status"] == "InProgress":
        result.find("info", "cloudfront", f"CloudFront distribution {cloudfront['id']} is InProgress: {CLOUDFRONT_NOTE}.",
                    f"Re-run the health check in 15-20 minutes; monitor distribution {cloudfront['id']} in the console or with "
                    f"aws cloudfront get-distribution --id {cloudfront['id']}.", [cloudfront["id"]])
    if env.domain:
        wanted = f"*.{env.domain}"
        if reason:
            result.check("cloudfront", "CloudFront aliases", None,
                         (", ".join(cloudfront["aliases"]) or "no aliases") + f" (none expected: {reason[0]})")
        elif not result.check("cloudfront", "CloudFront aliases", wanted in cloudfront["aliases"],
                              ", ".join(cloudfront["aliases"]) or "no aliases", warn_only=True):
            result.find("medium", "cloudfront", f"CloudFront {cloudfront['id']} has no alias {wanted}: tenant URLs will not reach it.",
                        "Re-apply the edge phase once the certificate is ISSUED.", [cloudfront["id"]])
    cert_arn = cloudfront["certificate_arn"]
    cert = cert_by_arn.get(cert_arn) if cert_arn else None
    if reason and not cert_arn:
        result.check("cloudfront", "CloudFront certificate", True, f"CloudFront default certificate (*.cloudfront.net): {reason[0]}")
        if env.domain:
            result.notice("cloudfront", f"CloudFront {cloudfront['id']} serves its default *.cloudfront.net certificate: tenants are "
                          f"reached at {cloudfront['domain']}, not *.{env.domain}.", reason[0], reason[1])
    else:
        ok = bool(cert_arn) and (cert is None or cert["status"] == "ISSUED")
        detail = (f"{cert_arn} ({cert['status'] if cert else 'not read'})" if cert_arn else "CloudFront default certificate")
        if not result.check("cloudfront", "CloudFront certificate", ok, detail, warn_only=True):
            result.find("medium", "cloudfront", f"CloudFront {cloudfront['id']} does not serve an ISSUED ACM certificate for its aliases.",
                        "Associate the us-east-1 certificate once ISSUED (edge phase).", [cloudfront["id"], cert_arn])
    if alb.get("found"):
        origins = [o for o in cloudfront["origins"] if o["domain"].lower() == alb["dns_name"].lower()]
        if not result.check("cloudfront", "CloudFront origin is this ALB", bool(origins),
                            ", ".join(o["domain"] for o in cloudfront["origins"]) or "no origins"):
            result.find("high", "cloudfront", f"CloudFront {cloudfront['id']} does not point at this environment's ALB "
                        f"{alb['dns_name']}.", "Re-apply the edge phase so the origin is the ALB.", [cloudfront["id"], alb["arn"]])
            result.path("cloudfront-alb", "broken", "origin is not this ALB")


def _zone(result: Analysis, zone: dict[str, Any]) -> None:
    if zone.get("skipped"):
        result.check("dns", "Route53 zone", None, zone["skipped"])
    elif not zone.get("error"):
        if zone.get("found"):
            result.check("dns", "Route53 zone", True,
                         f"{zone.get('name')} ({zone.get('id')}), NS {', '.join(zone.get('name_servers', []))}")
        else:
            result.check("dns", "Route53 zone", False, f"no public zone {zone.get('name') or ''}".strip())
            result.find("high", "dns", f"The hosted zone {zone.get('name') or ''} does not exist in this account.",
                        "Run the apply phase (terraform creates the zone), then the dns phase for the delegation.",
                        [zone.get("name")])


def _certificate(result: Analysis, cert: dict[str, Any], zone: dict[str, Any], records: set, env: Env) -> None:
    missing = [r for r in cert["validation_records"] if (r["Name"].rstrip(".").lower(), r["Type"]) not in records]
    if zone.get("found"):
        result.check("acm", "Validation records in the zone", not missing,
                     f"{len(cert['validation_records']) - len(missing)}/{len(cert['validation_records'])} present in {zone['name']}",
                     warn_only=cert["status"] == "ISSUED")
    days = None
    if cert["not_after"]:
        days = (datetime.fromisoformat(cert["not_after"]) - datetime.now(timezone.utc)).days
    issued = cert["status"] == "ISSUED"
    result.check("acm", "Certificate ISSUED", issued, f"{cert['domain']}: {cert['status']}"
                 + (f", expires in {days} days" if days is not None and issued else ""))
    if issued and days is not None and not result.check("acm", "Certificate expiry", days > CERT_EXPIRY_WARN_DAYS,
                                                        f"{days} days left", warn_only=True):
        result.find("medium", "acm", f"Certificate {cert['domain']} expires in {days} days.",
                    "ACM renews DNS-validated certificates only while the validation CNAME stays in the zone: check it.", [cert["arn"]])
    if not issued:
        fix: dict[str, str] = {}
        if missing and zone.get("found"):
            record = missing[0]
            change = ('{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"%s","Type":"%s","TTL":300,'
                      '"ResourceRecords":[{"Value":"%s"}]}}]}') % (record["Name"], record["Type"], record["Value"])
            fix = {"terraform": "terraform apply -target=aws_route53_record.acm_validation",
                   "cli": env.cli(f"aws route53 change-resource-record-sets --hosted-zone-id {zone['id']} --change-batch '{change}'")}
        reason = (f"its DNS validation record(s) {', '.join(r['Name'] for r in missing)} are missing from {zone.get('name')}"
                  if missing else "validation has not completed")
        result.find("high", "acm", f"Certificate {cert['domain']} is {cert['status']}: {reason}.",
                    "Write the validation CNAME(s) into the zone; ACM issues within minutes once they resolve "
                    "(the zone must be delegated from the parent for that).", [cert["arn"], zone.get("id")], **fix)


def _logs_and_nat(result: Analysis, logs: dict[str, Any], network: dict[str, Any], env: Env) -> None:
    if not logs.get("error"):
        if not logs.get("found"):
            result.check("logs", "Log group", False, f"{logs['name']} not found")
            result.find("medium", "logs", f"Log group {logs['name']} does not exist: containers cannot ship logs.",
                        "Re-apply terraform.", [logs["name"]])
        else:
            wanted = env.policy.get("log_retention_days")
            ok = wanted is None or logs["retention_days"] == int(wanted)
            if not result.check("logs", "Log retention", ok, f"{logs['name']}: {logs['retention_days'] or 'never expire'} days"
                                + (f" (inventory: {wanted})" if wanted is not None else ""), warn_only=True):
                result.find("low", "logs", f"Log group {logs['name']} keeps logs {logs['retention_days'] or 'forever'} days, "
                            f"the inventory says {wanted}.", "Re-apply terraform.", [logs["name"]],
                            cli=env.cli(f"aws logs put-retention-policy --log-group-name {logs['name']} --retention-in-days {wanted}"))
    if network.get("error"):
        return
    if not network.get("found"):
        _missing(result, "network", {"found": False, "name": f"{env.name}-vpc"}, "VPC")
        return
    available = [n for n in network["nat_gateways"] if n["state"] == "available"]
    per_az = env.policy.get("nat_gateway_per_az")
    azs = {s["az"] for s in network["subnets"]}
    wanted = (len(azs) if per_az else 1) if per_az is not None else 1
    if not result.check("network", "NAT gateways", len(available) >= wanted,
                        f"{len(available)} available (expected {wanted}{' one per AZ' if per_az else ''})"):
        result.find("high", "network", f"{len(available)} NAT gateway(s) available, {wanted} expected: private tasks lose "
                    "outbound access.", "Re-apply terraform (NAT gateways).", [n["id"] for n in network["nat_gateways"]])


def _security(result: Analysis, snapshot: dict[str, Any], groups: dict[str, str], env: Env) -> None:
    network = snapshot["network"]
    if not network.get("found"):
        return
    sgs = network["security_groups"]
    role_of = {gid: role for role, gid in groups.items()}
    problems = 0
    for gid, group in sgs.items():
        role = role_of.get(gid)
        for rule in group["ingress"]:
            open_cidrs = [c for c in rule["cidrs"] if c in INTERNET]
            if not open_cidrs:
                continue
            web_port = rule["protocol"] in ("tcp", "6") and rule["from_port"] == rule["to_port"] and rule["from_port"] in (80, 443)
            if role == "alb" and web_port:
                continue
            problems += 1
            severity = "critical" if role in ("rds", "efs") else "high"
            result.find(severity, "security", f"Security group {group['name']} ({gid}) allows {_describe_ports(rule)} from "
                        f"{', '.join(open_cidrs)}: only the ALB may be reachable from the internet, and only on 80/443.",
                        "Remove the rule (terraform apply restores the intended rules).", [gid],
                        terraform="terraform apply", cli=env.cli(
                            f"aws ec2 revoke-security-group-ingress --group-id {gid} --ip-permissions "
                            f"IpProtocol={rule['protocol']},FromPort={rule['from_port']},ToPort={rule['to_port']},"
                            f"IpRanges='[{{CidrIp={open_cidrs[0]}}}]'"))
        if role in ("rds", "efs") and "ecs" in groups:
            others = sorted({g for rule in group["ingress"] for g in rule["groups"] if g != groups["ecs"]})
            if others:
                problems += 1
                result.find("medium", "security", f"{role.upper()} group {gid} also accepts traffic from {', '.join(others)}: "
                            "only the ECS group should reach it.", "Remove the extra rules (terraform apply).", [gid, *others])
    result.check("security", "Security groups least privilege", problems == 0,
                 "internet only to the ALB on 80/443; RDS and EFS only from ECS" if problems == 0 else f"{problems} rule problem(s)")
    rds, efs, cloudfront = snapshot["rds"], snapshot["efs"], snapshot["cloudfront"]
    if rds.get("found"):
        if not result.check("security", "RDS not publicly accessible", not rds["public"], f"PubliclyAccessible={rds['public']}"):
            result.find("critical", "security", f"RDS {rds['id']} is publicly accessible.",
                        "Turn public access off (terraform apply restores publicly_accessible = false).", [rds["arn"]],
                        terraform="terraform apply -target=aws_db_instance.this",
                        cli=env.cli(f"aws rds modify-db-instance --db-instance-identifier {rds['id']} --no-publicly-accessible "
                                    "--apply-immediately"))
        if not result.check("security", "RDS encrypted", rds["encrypted"], f"StorageEncrypted={rds['encrypted']}"):
            result.find("high", "security", f"RDS {rds['id']} storage is not encrypted.",
                        "Encryption cannot be turned on in place: restore an encrypted copy of a snapshot.", [rds["arn"]])
    if efs.get("found") and not result.check("security", "EFS encrypted", efs["encrypted"], f"Encrypted={efs['encrypted']}"):
        result.find("high", "security", f"EFS {efs['id']} is not encrypted at rest.",
                    "Create an encrypted file system and move the data (encryption is set at creation).", [efs["id"]])
    if cloudfront.get("found"):
        policy = cloudfront["viewer_protocol_policy"]
        if not result.check("security", "CloudFront viewer protocol", policy in ("redirect-to-https", "https-only"), policy,
                            warn_only=True):
            result.find("medium", "security", f"CloudFront {cloudfront['id']} lets viewers use plain HTTP ({policy}).",
                        "Set viewer_protocol_policy = redirect-to-https and re-apply the edge phase.", [cloudfront["id"]])
        tls = cloudfront["minimum_protocol"] or "TLSv1"
        modern = tls in TLS_ORDER and TLS_ORDER.index(tls) >= TLS_ORDER.index("TLSv1.2_2018")
        if not cloudfront["certificate_arn"]:
            # On the default *.cloudfront.net certificate CloudFront itself sets the minimum protocol (TLSv1).
            result.check("security", "CloudFront TLS policy", None, f"minimum {tls}, set by CloudFront for its default certificate")
        elif not result.check("security", "CloudFront TLS policy", modern, f"minimum {tls}", warn_only=True):
            result.find("medium", "security", f"CloudFront {cloudfront['id']} accepts {tls}.",
                        "Set minimum_protocol_version = TLSv1.2_2021 and re-apply the edge phase.", [cloudfront["id"]])


def _describe_ports(rule: dict[str, Any]) -> str:
    if rule["protocol"] in ("-1", "all"):
        return "all traffic"
    if rule["from_port"] == rule["to_port"]:
        return f"{rule['protocol']}/{rule['from_port']}"
    return f"{rule['protocol']}/{rule['from_port']}-{rule['to_port']}"


def _connectivity(result: Analysis, snapshot: dict[str, Any], groups: dict[str, str], env: Env) -> None:
    network = snapshot["network"]
    if not network.get("found"):
        return
    sgs = network["security_groups"]
    vpc_cidr = network["vpc"]["cidr"]
    port = int(env.policy.get("container_port") or 80)
    rds_port = int(snapshot["rds"].get("port") or 3306) if snapshot["rds"].get("found") else 3306
    # Attached groups when known (what AWS enforces), otherwise the groups Terraform names for the role.
    attached = {
        "alb": snapshot["alb"].get("security_groups") or [groups.get("alb")],
        "rds": snapshot["rds"].get("security_groups") or [groups.get("rds")],
        "efs": sorted({g for m in snapshot["efs"].get("mount_targets", []) for g in m["security_groups"]}) or [groups.get("efs")],
        "ecs": [groups.get("ecs")],
    }
    paths = (("alb", "ecs", port, "ALB -> ECS tasks"), ("ecs", "rds", rds_port, "ECS tasks -> RDS MySQL"),
             ("ecs", "efs", 2049, "ECS tasks -> EFS (NFS)"))
    for src, dst, p, label in paths:
        sources = [g for g in attached[src] if g]
        destinations = [g for g in attached[dst] if g]
        if not sources or not destinations:
            result.check("connectivity", label, None, f"not checked: the {src if not sources else dst} security group was not found")
            result.path(f"{src}-{dst}", "unknown", f"tcp/{p}: not checked")
            continue
        missing = path_status(sgs, sources, destinations, p, vpc_cidr)
        detail = f"{', '.join(sources)} -> {', '.join(destinations)} tcp/{p}"
        if result.check("connectivity", label, not missing, detail + ("" if not missing else f": missing {' and '.join(missing)}")):
            result.path(f"{src}-{dst}", "ok", f"tcp/{p}", detail)
            continue
        rules = _missing_rules(sources[0], destinations[0], missing)
        result.path(f"{src}-{dst}", "broken", f"tcp/{p}: missing {' and '.join(missing)} rule", "; ".join(rules))
        _broken_path(result, src, dst, sources[0], destinations[0], p, missing, label, env)
    _cloudfront_path(result, snapshot, sgs, env)
    _outbound_path(result, snapshot, sgs, groups)


def _missing_rules(src_sg: str, dst_sg: str, missing: list[str]) -> list[str]:
    rules = []
    if "egress" in missing:
        rules.append(f"egress on {src_sg} to {dst_sg}")
    if "ingress" in missing:
        rules.append(f"ingress on {dst_sg} from {src_sg}")
    return rules


def _outbound_path(result: Analysis, snapshot: dict[str, Any], sgs: dict[str, dict], groups: dict[str, str]) -> None:
    """ECS tasks -> NAT -> internet (image pulls, AWS APIs): the ECS group's egress on tcp/443 and an available NAT."""
    network = snapshot["network"]
    ecs_sg = groups.get("ecs")
    if ecs_sg and ecs_sg in sgs:
        allowed = side_allows(sgs[ecs_sg]["egress"], [], 443, "0.0.0.0/0")
        result.path("ecs-nat", "ok" if allowed else "broken", "tcp/443" if allowed else "tcp/443: missing egress rule",
                    f"egress on {ecs_sg} to 0.0.0.0/0" + ("" if allowed else " is missing"))
    else:
        result.path("ecs-nat", "unknown", "tcp/443: not checked")
    available = [n for n in network.get("nat_gateways", []) if n["state"] == "available"]
    result.path("nat-internet", "ok" if available else "broken",
                f"{len(available)} NAT gateway(s)" if available else "no available NAT gateway")


def _broken_path(result: Analysis, src: str, dst: str, src_sg: str, dst_sg: str, port: int, missing: list[str], label: str,
                 env: Env) -> None:
    side = "both ingress and egress" if len(missing) == 2 else missing[0]
    targets = " ".join(f"-target={TERRAFORM_RULES[(src, dst, s)]}" for s in ("egress", "ingress") if s in missing)
    commands = []
    if "ingress" in missing:
        commands.append(env.cli(f"aws ec2 authorize-security-group-ingress --group-id {dst_sg} --ip-permissions "
                                + _ip_permissions(port, src_sg)))
    if "egress" in missing:
        commands.append(env.cli(f"aws ec2 authorize-security-group-egress --group-id {src_sg} --ip-permissions "
                                + _ip_permissions(port, dst_sg)))
    rules = _missing_rules(src_sg, dst_sg, missing)
    impact = {"rds": "tenant WordPress containers cannot connect to the database",
              "efs": "tenant containers cannot mount their WordPress files",
              "ecs": "the ALB cannot reach the tenant containers (targets fail health checks)"}[dst]
    result.find("critical", "connectivity",
                f"{label} is broken on tcp/{port}: missing {side} rule ({'; '.join(rules)}). Impact: {impact}. "
                "Security group configuration drift: the rule was removed or never created.",
                "Re-apply the Terraform rule(s), or add them with the AWS CLI.", [src_sg, dst_sg], impact=impact,
                terraform=f"terraform apply {targets}", cli="\n".join(commands))


def _cloudfront_path(result: Analysis, snapshot: dict[str, Any], sgs: dict[str, dict], env: Env) -> None:
    cloudfront, alb = snapshot["cloudfront"], snapshot["alb"]
    if not cloudfront.get("found") or not alb.get("found"):
        return
    origin = next((o for o in cloudfront["origins"] if o["domain"].lower() == alb["dns_name"].lower()), None)
    if origin is None:
        return
    policy = origin["protocol_policy"] or "match-viewer"
    needed = {"http-only": [("HTTP", origin["http_port"])], "https-only": [("HTTPS", origin["https_port"])]}.get(
        policy, [("HTTP", origin["http_port"]), ("HTTPS", origin["https_port"])])
    listeners = {(listener["protocol"], listener["port"]) for listener in alb["listeners"]}
    problems = []
    for protocol, port in needed:
        if (protocol, port) not in listeners:
            problems.append(f"no {protocol} listener on port {port}")
            result.find("critical", "connectivity", f"CloudFront {cloudfront['id']} sends {protocol} to port {port} "
                        f"({policy}) but ALB {alb['name']} has no {protocol}:{port} listener.",
                        "Re-apply the ALB listeners (terraform apply) or change the origin protocol policy.",
                        [cloudfront["id"], alb["arn"]], terraform="terraform apply")
        # CloudFront reaches the ALB from the internet: the ALB group must accept the port from anywhere.
        open_in = any(_covers(rule, port) and (set(rule["cidrs"]) & set(INTERNET) or rule["prefix_lists"])
                      for gid in alb["security_groups"] if gid in sgs for rule in sgs[gid]["ingress"])
        if not open_in:
            gid = alb["security_groups"][0] if alb["security_groups"] else "<alb security group>"
            problems.append(f"ALB group does not accept tcp/{port} from CloudFront")
            result.find("critical", "connectivity", f"CloudFront -> ALB is broken: {gid} has no ingress rule for tcp/{port} "
                        "from the internet/CloudFront.", "Re-apply the ALB ingress rule.", [cloudfront["id"], gid],
                        terraform=f"terraform apply -target={TERRAFORM_ALB_INGRESS.get(port, 'aws_vpc_security_group_ingress_rule.alb_http')}",
                        cli=env.cli(f"aws ec2 authorize-security-group-ingress --group-id {gid} --ip-permissions "
                                    f"IpProtocol=tcp,FromPort={port},ToPort={port},IpRanges='[{{CidrIp=0.0.0.0/0}}]'"))
    if problems:
        result.path("cloudfront-alb", "broken", "; ".join(problems))
    else:
        result.path("cloudfront-alb", "ok", ", ".join(f"{p}:{n}" for p, n in needed))
    result.check("connectivity", "CloudFront -> ALB", not problems,
                 f"origin {policy} {', '.join(f'{p}:{n}' for p, n in needed)}; " + ("; ".join(problems) or "listeners and rules match"))


def _tags(result: Analysis, snapshot: dict[str, Any], env: Env) -> None:
    """Tag consistency: Project/Environment/ManagedBy on what we read; other environments' resources are reported only."""
    resources: list[tuple[str, dict[str, str]]] = []
    network = snapshot["network"]
    if network.get("found"):
        resources.append((network["vpc"]["id"], network["vpc"]["tags"]))
        resources += [(s["id"], s["tags"]) for s in network["subnets"]]
        resources += [(g["id"], g["tags"]) for g in network["security_groups"].values() if g["name"] != "default"]
    for area in ("ecs", "rds", "efs", "alb", "cloudfront"):
        data = snapshot[area]
        if data.get("found"):
            resources.append((data.get("arn") or data.get("id"), data.get("tags", {})))
    untagged = [rid for rid, tags in resources if not {"Project", "Environment", "ManagedBy"} <= set(tags)]
    mixed = {rid: tags["Environment"] for rid, tags in resources if tags.get("Environment") not in (None, env.environment)}
    for item in snapshot["tagged"].get("resources", []):
        other = item["tags"].get("Environment")
        if other and other != env.environment:
            mixed.setdefault(item["arn"], other)
    result.check("tags", "Required tags", not untagged,
                 f"{len(resources) - len(untagged)}/{len(resources)} resources tagged Project/Environment/ManagedBy", warn_only=True)
    if untagged:
        result.find("low", "tags", f"{len(untagged)} resource(s) lack Project/Environment/ManagedBy tags: {', '.join(untagged[:10])}.",
                    "Re-apply terraform (the provider's default_tags set them).", untagged[:10])
    result.check("tags", "Single environment in this account", not mixed,
                 "every Environment tag names " + env.environment if not mixed else f"{len(mixed)} resource(s) tagged for another environment")
    if mixed:
        listing = ", ".join(f"{rid} (Environment={other})" for rid, other in sorted(mixed.items())[:10])
        result.find("high", "tags", f"Mixed-environment infrastructure in the {env.environment} account: {listing}.",
                    "Nothing was changed. Find out who created or re-tagged these resources; each environment lives in its own "
                    "account, so move or re-tag them deliberately.", sorted(mixed)[:10])
