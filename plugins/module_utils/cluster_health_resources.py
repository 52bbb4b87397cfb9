# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Status checks per area (ECS, RDS, EFS, ALB, CloudFront, ACM, DNS, secret, logs, NAT) and the tenant headroom."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_dr
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_capacity import headroom
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import (
    CERT_EXPIRY_WARN_DAYS,
    CLOUDFRONT_NOTE,
    Analysis,
    Env,
    alb_origins,
)
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.rds_engine_support import check_engine_support


def check_capacity(result: Analysis, snapshot: dict[str, Any], env: Env) -> None:
    """Tenant headroom: a warning finding when fewer tenants fit than the inventory's bbws_capacity_warning_tenants."""
    result.headroom = headroom(snapshot, env.tenant_cost, env.warning_tenants)
    tenants = result.headroom["tenants"]
    if tenants is None:
        result.check("capacity", "Tenant headroom", None, result.headroom["summary"])
        return
    first = next(item for item in result.headroom["limits"] if item["tenants"] == tenants)
    if result.check(
        "capacity",
        "Tenant headroom",
        tenants >= env.warning_tenants,
        f"{result.headroom['summary']} (warning below {env.warning_tenants})",
        warn_only=True,
    ):
        return
    fix = (
        "request a quota increase in Service Quotas, or plan a second ALB"
        if "ALB" in first["name"]
        else (
            "raise max_connections with a larger RDS class (bbws_rds_instance_class) or fewer connections per tenant"
            if "RDS" in first["name"]
            else "request a quota increase in Service Quotas"
        )
    )
    result.find(
        "medium",
        "capacity",
        f"Only {tenants} more tenant{'s' if tenants != 1 else ''} fit in {env.environment}: "
        f"the first limit is {first['name']} ({first['resource']}: {first['used']:g} of {first['limit']:g}, "
        f"{first['source']}); the warning threshold is {env.warning_tenants}.",
        f"Before adding tenants, {fix}.",
        [first["resource"]],
    )


def named_groups(snapshot: dict[str, Any], env: Env) -> dict[str, str]:
    """role (alb/ecs/rds/efs) -> group id, by the names Terraform gives the groups."""
    network = snapshot["network"]
    found = {}
    for group in (network.get("security_groups") or {}).values():
        for role in ("alb", "ecs", "rds", "efs"):
            if group["name"] == f"{env.name}-{role}" or group["tags"].get("Name") == f"{env.name}-{role}":
                found[role] = group["id"]
    return found


def resource_missing(result: Analysis, area: str, data: dict[str, Any], what: str) -> bool:
    if data.get("error"):
        return True
    if not data.get("found"):
        result.check(
            area, f"{what} exists", False, f"{what} {data.get('id') or data.get('name') or ''} not found".strip()
        )
        result.find(
            "critical",
            area,
            f"{what} {data.get('id') or data.get('name') or ''} does not exist in this account.",
            "Run the plan and apply phases (site.yml --tags plan,apply) to create it.",
            [data.get("id") or data.get("name")],
        )
        return True
    return False


def check_ecs(result: Analysis, ecs: dict[str, Any], env: Env) -> None:
    if resource_missing(result, "ecs", ecs, "ECS cluster"):
        return
    if not result.check("ecs", "ECS cluster ACTIVE", ecs["status"] == "ACTIVE", f"{ecs['name']} is {ecs['status']}"):
        # ECS changes state at once, so a cluster that is not ACTIVE is reported at once, never waited for.
        result.find(
            "critical",
            "ecs",
            f"ECS cluster {ecs['name']} is {ecs['status']}, not ACTIVE.",
            "Investigate at once (ECS clusters are ACTIVE immediately): check the cluster's events and re-apply.",
            [ecs["arn"]],
            terraform="terraform apply (the ECS cluster resource)",
        )
    insights = ecs["container_insights"] in ("enabled", "enhanced")
    if not result.check(
        "ecs", "Container Insights", insights, f"containerInsights={ecs['container_insights']}", warn_only=True
    ):
        result.find(
            "low",
            "ecs",
            f"Container Insights is {ecs['container_insights']} on {ecs['name']}.",
            "Enable it in terraform (setting containerInsights) and re-apply.",
            [ecs["arn"]],
        )
    if env.dr_role == "standby":
        cluster_health_dr.check_standby_ecs(result, ecs, env)
    short = [s for s in ecs["services"] if s["running"] < s["desired"]]
    detail = f"{len(ecs['services'])} services, {ecs['running_tasks']} running tasks"
    if short:
        names = ", ".join(f"{s['name']} ({s['running']}/{s['desired']})" for s in short[:10])
        more = f" and {len(short) - 10} more" if len(short) > 10 else ""
        result.check("ecs", "Services running as desired", False, f"{detail}; short: {names}{more}", warn_only=True)
        result.find(
            "medium",
            "ecs",
            f"{len(short)} service(s) run fewer tasks than desired: {names}{more}.",
            "Check the services' events and stopped tasks (aws ecs describe-services), then target health and "
            "the ALB -> ECS security group rules.",
            [ecs["arn"]],
        )
    else:
        result.check("ecs", "Services running as desired", True, detail)


def check_rds(result: Analysis, rds: dict[str, Any], env: Env, replica_lag: dict[str, Any] | None = None) -> None:
    """The instance's state, engine, sizing and master secret; a standby's replica instead of the secret."""
    if resource_missing(result, "rds", rds, "RDS instance"):
        return
    waited = f" after {rds['waited_seconds']}s ({rds['attempts']} reads)" if rds["attempts"] > 1 else ""
    if not result.check(
        "rds", "RDS available", rds["status"] == "available", f"{rds['id']} is {rds['status']}{waited}"
    ):
        result.find(
            "critical",
            "rds",
            f"RDS {rds['id']} is {rds['status']}{waited}, not available.",
            "If it is still provisioning, re-run the health check later (wait_timeout); otherwise read the RDS "
            "events: aws rds describe-events --source-identifier "
            + rds["id"],
            [rds["arn"]],
        )
    result.check("rds", "RDS engine", rds["engine"] == "mysql", f"{rds['engine']} {rds['engine_version']}")
    check_engine_support(result, rds)
    policy = env.policy
    if "rds_instance_class" in policy and not result.check(
        "rds",
        "RDS instance class",
        rds["instance_class"] == policy["rds_instance_class"],
        f"{rds['instance_class']} (inventory: {policy['rds_instance_class']})",
        warn_only=True,
    ):
        result.find(
            "medium",
            "rds",
            f"RDS {rds['id']} is {rds['instance_class']}, the inventory says {policy['rds_instance_class']}.",
            "Re-apply terraform with the inventory's sizing (plan first: a class change restarts the instance).",
            [rds["arn"]],
        )
    if "rds_multi_az" in policy and not result.check(
        "rds",
        "RDS multi-AZ",
        rds["multi_az"] == bool(policy["rds_multi_az"]),
        f"multi_az={rds['multi_az']} (inventory: {bool(policy['rds_multi_az'])})",
        warn_only=True,
    ):
        result.find(
            "medium",
            "rds",
            f"RDS {rds['id']} multi-AZ is {rds['multi_az']}, the inventory says {bool(policy['rds_multi_az'])}.",
            "Re-apply terraform with the inventory's sizing.",
            [rds["arn"]],
        )
    if "rds_backup_retention_days" in policy and not result.check(
        "rds",
        "RDS backups",
        rds["backup_retention"] >= int(policy["rds_backup_retention_days"]),
        f"retention {rds['backup_retention']} days (inventory: {policy['rds_backup_retention_days']})",
        warn_only=True,
    ):
        result.find(
            "medium",
            "rds",
            f"RDS {rds['id']} keeps backups {rds['backup_retention']} days, the inventory says "
            f"{policy['rds_backup_retention_days']}.",
            "Re-apply terraform with the inventory's backup retention.",
            [rds["arn"]],
        )
    if env.dr_role == "standby":
        cluster_health_dr.check_standby_rds(result, rds, replica_lag, env)
        return
    secret = rds.get("secret") or {}
    if result.check(
        "rds",
        "Master credentials secret",
        bool(secret.get("found")),
        f"{secret.get('name')} (managed by RDS)" if secret.get("found") else "no RDS-managed master secret",
    ):
        if not result.check(
            "rds",
            "Secret rotation",
            secret["rotation_enabled"],
            (
                f"rotation every {secret.get('rotation_days') or 'n/a'} days"
                if secret["rotation_enabled"]
                else "rotation disabled"
            ),
            warn_only=True,
        ):
            result.find(
                "low",
                "rds",
                f"Rotation is disabled on the master credentials secret {secret['name']}.",
                "Let RDS manage the password (manage_master_user_password = true) so it rotates the secret.",
                [secret["arn"]],
            )
    else:
        result.find(
            "high",
            "rds",
            f"RDS {rds['id']} has no RDS-managed master credentials secret.",
            "Set manage_master_user_password = true in terraform so the password lives only in Secrets Manager.",
            [rds["arn"]],
        )


def check_efs(result: Analysis, efs: dict[str, Any], network: dict[str, Any], groups: dict[str, str], env: Env) -> None:
    if resource_missing(result, "efs", efs, "EFS file system"):
        return
    if not result.check("efs", "EFS available", efs["state"] == "available", f"{efs['id']} is {efs['state']}"):
        result.find(
            "high",
            "efs",
            f"EFS {efs['id']} is {efs['state']}.",
            "Check the file system in the console and re-apply.",
            [efs["id"]],
        )
    if env.dr_role == "standby":
        cluster_health_dr.check_standby_efs(result, efs, env)
    private = [s for s in network.get("subnets", []) if "-private-" in s["name"] or s["tags"].get("Tier") == "private"]
    by_az = {m["az"]: m for m in efs["mount_targets"] if m["state"] == "available"}
    missing = [s for s in private if s["az"] not in by_az]
    detail = (
        f"{len(by_az)}/{len(private) or len(efs['mount_targets'])} private-subnet AZs have an available mount target"
    )
    result.check("efs", "EFS mount targets", not missing and bool(by_az), detail)
    for subnet in missing:
        sg = groups.get("efs", "<efs security group>")
        result.find(
            "high",
            "efs",
            f"EFS {efs['id']} has no available mount target in {subnet['az']} ({subnet['id']}): tasks in "
            "that AZ cannot mount WordPress files.",
            "Re-apply the EFS mount targets, or create the one missing.",
            [efs["id"], subnet["id"]],
            terraform="terraform apply -target=aws_efs_mount_target.this",
            cli=env.cli(
                f"aws efs create-mount-target --file-system-id {efs['id']} --subnet-id {subnet['id']} "
                f"--security-groups {sg}"
            ),
        )


def check_alb(result: Analysis, alb: dict[str, Any], env: Env) -> None:
    if resource_missing(result, "alb", alb, "ALB"):
        return
    if not result.check(
        "alb", "ALB active", alb["state"] == "active", f"{alb['name']} is {alb['state']} ({alb['dns_name']})"
    ):
        result.find(
            "high",
            "alb",
            f"ALB {alb['name']} is {alb['state']}.",
            "Check the load balancer's state reason and re-apply.",
            [alb["arn"]],
        )
    ports = sorted((listener["port"], listener["protocol"]) for listener in alb["listeners"])
    result.check("alb", "ALB listeners", bool(ports), ", ".join(f"{p}/{proto}" for p, proto in ports) or "no listeners")
    if "alb_deletion_protection" in env.policy:
        actual = alb["attributes"].get("deletion_protection.enabled") == "true"
        if not result.check(
            "alb",
            "ALB deletion protection",
            actual == bool(env.policy["alb_deletion_protection"]),
            f"deletion_protection={actual}",
            warn_only=True,
        ):
            result.find(
                "low",
                "alb",
                f"ALB {alb['name']} deletion protection is {actual}, the inventory says "
                f"{bool(env.policy['alb_deletion_protection'])}.",
                "Re-apply terraform.",
                [alb["arn"]],
            )
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
        detail += (
            f"; {vouched} of steady ECS services (all desired tasks running, deployment completed, no unhealthy event)"
        )
    result.check("alb", "Target health", not failing, detail, warn_only=True)
    for tg in failing:
        # Review the target group's configuration first, then the security groups.
        result.find(
            "medium",
            "alb",
            f"Target group {tg['name']} has unhealthy targets ({', '.join(tg['reasons']) or 'no reason given'}).",
            f"Review the target group's health check (path {tg['health_check_path']}, port {tg['port']}) and the "
            "container's answer on it; then check the ALB -> ECS security group rules (see connectivity).",
            [tg["arn"]],
        )


def default_certificate_reason(cloudfront: dict[str, Any], acm: dict[str, Any], env: Env) -> tuple[str, str] | None:
    """Why CloudFront is meant to serve its default certificate here: (cause, next step), or None when a custom domain
    is expected. Off by the inventory, an edge fallback the edge phase recorded, or ``auto`` before the switch-on."""
    domain = env.domain
    edge = f"ansible-playbook site.yml -i inventories/{env.environment} --tags edge"
    if env.custom_domain == "off":
        return (
            f"the custom domain is off for {env.environment} in the inventory (bbws_custom_domain: off)",
            (
                f"to serve *.{domain}, set bbws_custom_domain to on or auto and run site.yml (the edge phase requests"
                " the certificate and adds the aliases)"
            ),
        )
    if env.fallback:
        return (
            f"the edge phase fell back to it: {env.fallback}",
            (
                f"fix that cause, then re-run the edge phase ({edge}); it switches *.{domain} on once the certificate"
                " is ISSUED"
            ),
        )
    serves_custom = bool(cloudfront.get("certificate_arn")) or bool(cloudfront.get("aliases"))
    if env.custom_domain == "auto" and not serves_custom and not acm.get("certificates"):
        return (
            f"the custom domain is auto and not switched on yet: the delegation of {env.zone} is not verified",
            (
                f"delegate {env.zone} from its parent zone (site.yml --tags dns with the parent's inventory), then run"
                f" site.yml; the edge phase switches *.{domain} on once the delegation resolves"
            ),
        )
    return None


def check_edge(
    result: Analysis,
    cloudfront: dict[str, Any],
    acm: dict[str, Any],
    zone: dict[str, Any],
    alb: dict[str, Any],
    env: Env,
) -> None:
    if not env.domain:
        skipped = "skipped: no domain given for this environment"
        for area, name in (("dns", "Route53 zone"), ("acm", "ACM certificate"), ("cloudfront", "CloudFront aliases")):
            result.check(area, name, None, skipped)
        result.notice(
            "dns",
            "Zone and certificate checks skipped: no domain is set for this environment.",
            "no domain given (bbws_domain / the module's domain option)",
            "set bbws_domain in the inventory to check the hosted zone, the *.domain certificate and the CloudFront "
            "aliases",
        )
        reason = ("no domain is set for this environment", "set bbws_domain in the inventory to serve a custom domain")
    else:
        reason = default_certificate_reason(cloudfront, acm, env)
        _zone(result, zone)
    if env.dr_role == "standby":
        cluster_health_dr.check_standby_edge(result)
        return
    records = {(r["name"].rstrip(".").lower(), r["type"]) for r in zone.get("records", [])}
    cert_by_arn = {c["arn"]: c for c in acm.get("certificates", [])}
    if env.domain and not acm.get("error"):
        if not acm.get("certificates"):
            if reason:
                result.check("acm", "ACM certificate", None, f"no certificate for *.{env.domain} expected: {reason[0]}")
            else:
                result.check("acm", "ACM certificate", False, f"no certificate for *.{env.domain} in {env.edge_region}")
                result.find(
                    "high",
                    "acm",
                    f"No ACM certificate for *.{env.domain} in {env.edge_region}.",
                    "Run the edge phase (terraform requests it in us-east-1 for CloudFront).",
                    [],
                )
        for cert in acm.get("certificates", []):
            if reason and cert["status"] != "ISSUED":
                result.check(
                    "acm", "Certificate ISSUED", None, f"{cert['domain']}: {cert['status']} (not in use: {reason[0]})"
                )
                continue
            _certificate(result, cert, zone, records, env)
    if resource_missing(result, "cloudfront", cloudfront, "CloudFront distribution"):
        result.path("internet-cloudfront", "broken", "no distribution")
        return
    deployed = cloudfront["status"] == "Deployed"
    result.check(
        "cloudfront",
        "CloudFront deployed",
        deployed,
        f"{cloudfront['id']} ({cloudfront['domain']}) is {cloudfront['status']}"
        + ("" if deployed else f": {CLOUDFRONT_NOTE}"),
        warn_only=cloudfront["status"] == "InProgress",
    )
    viewer = cloudfront.get("viewer_protocol_policy") or "allow-all"
    result.path(
        "internet-cloudfront", "ok" if deployed else "warn", f"HTTPS ({viewer})" if deployed else cloudfront["status"]
    )
    if cloudfront["status"] == "InProgress":
        result.find(
            "info",
            "cloudfront",
            f"CloudFront distribution {cloudfront['id']} is InProgress: {CLOUDFRONT_NOTE}.",
            f"Re-run the health check in 15-20 minutes; monitor distribution {cloudfront['id']} in the console or with "
            f"aws cloudfront get-distribution --id {cloudfront['id']}.",
            [cloudfront["id"]],
        )
    if env.domain:
        wanted = f"*.{env.domain}"
        if reason:
            result.check(
                "cloudfront",
                "CloudFront aliases",
                None,
                (", ".join(cloudfront["aliases"]) or "no aliases") + f" (none expected: {reason[0]})",
            )
        elif not result.check(
            "cloudfront",
            "CloudFront aliases",
            wanted in cloudfront["aliases"],
            ", ".join(cloudfront["aliases"]) or "no aliases",
            warn_only=True,
        ):
            result.find(
                "medium",
                "cloudfront",
                f"CloudFront {cloudfront['id']} has no alias {wanted}: tenant URLs will not reach it.",
                "Re-apply the edge phase once the certificate is ISSUED.",
                [cloudfront["id"]],
            )
    cert_arn = cloudfront["certificate_arn"]
    cert = cert_by_arn.get(cert_arn) if cert_arn else None
    if reason and not cert_arn:
        result.check(
            "cloudfront",
            "CloudFront certificate",
            True,
            f"CloudFront default certificate (*.cloudfront.net): {reason[0]}",
        )
        if env.domain:
            result.notice(
                "cloudfront",
                f"CloudFront {cloudfront['id']} serves its default *.cloudfront.net certificate: tenants are "
                f"reached at {cloudfront['domain']}, not *.{env.domain}.",
                reason[0],
                reason[1],
            )
    else:
        ok = bool(cert_arn) and (cert is None or cert["status"] == "ISSUED")
        detail = (
            f"{cert_arn} ({cert['status'] if cert else 'not read'})" if cert_arn else "CloudFront default certificate"
        )
        if not result.check("cloudfront", "CloudFront certificate", ok, detail, warn_only=True):
            result.find(
                "medium",
                "cloudfront",
                f"CloudFront {cloudfront['id']} does not serve an ISSUED ACM certificate for its aliases.",
                "Associate the us-east-1 certificate once ISSUED (edge phase).",
                [cloudfront["id"], cert_arn],
            )
    if alb.get("found"):
        origins = alb_origins(cloudfront, alb, zone)
        if not result.check(
            "cloudfront",
            "CloudFront origin is this ALB",
            bool(origins),
            ", ".join(o["domain"] for o in cloudfront["origins"]) or "no origins",
        ):
            result.find(
                "high",
                "cloudfront",
                f"CloudFront {cloudfront['id']} does not point at this environment's ALB {alb['dns_name']}.",
                "Re-apply the edge phase so the origin is the ALB.",
                [cloudfront["id"], alb["arn"]],
            )
            result.path("cloudfront-alb", "broken", "origin is not this ALB")


def _zone(result: Analysis, zone: dict[str, Any]) -> None:
    if zone.get("skipped"):
        result.check("dns", "Route53 zone", None, zone["skipped"])
    elif not zone.get("error"):
        if zone.get("found"):
            result.check(
                "dns",
                "Route53 zone",
                True,
                f"{zone.get('name')} ({zone.get('id')}), NS {', '.join(zone.get('name_servers', []))}",
            )
        else:
            result.check("dns", "Route53 zone", False, f"no public zone {zone.get('name') or ''}".strip())
            result.find(
                "high",
                "dns",
                f"The hosted zone {zone.get('name') or ''} does not exist in this account.",
                "Run the apply phase (terraform creates the zone), then the dns phase for the delegation.",
                [zone.get("name")],
            )


def _certificate(result: Analysis, cert: dict[str, Any], zone: dict[str, Any], records: set, env: Env) -> None:
    missing = [r for r in cert["validation_records"] if (r["Name"].rstrip(".").lower(), r["Type"]) not in records]
    if zone.get("found"):
        result.check(
            "acm",
            "Validation records in the zone",
            not missing,
            f"{len(cert['validation_records']) - len(missing)}/{len(cert['validation_records'])} present in"
            f" {zone['name']}",
            warn_only=cert["status"] == "ISSUED",
        )
    days = None
    if cert["not_after"]:
        days = (datetime.fromisoformat(cert["not_after"]) - datetime.now(timezone.utc)).days
    issued = cert["status"] == "ISSUED"
    result.check(
        "acm",
        "Certificate ISSUED",
        issued,
        f"{cert['domain']}: {cert['status']}" + (f", expires in {days} days" if days is not None and issued else ""),
    )
    if (
        issued
        and days is not None
        and not result.check(
            "acm", "Certificate expiry", days > CERT_EXPIRY_WARN_DAYS, f"{days} days left", warn_only=True
        )
    ):
        result.find(
            "medium",
            "acm",
            f"Certificate {cert['domain']} expires in {days} days.",
            "ACM renews DNS-validated certificates only while the validation CNAME stays in the zone: check it.",
            [cert["arn"]],
        )
    if not issued:
        fix: dict[str, str] = {}
        if missing and zone.get("found"):
            record = missing[0]
            change = (
                '{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"%s","Type":"%s","TTL":300,'
                '"ResourceRecords":[{"Value":"%s"}]}}]}' % (record["Name"], record["Type"], record["Value"])
            )
            fix = {
                "terraform": "terraform apply -target=aws_route53_record.acm_validation",
                "cli": env.cli(
                    f"aws route53 change-resource-record-sets --hosted-zone-id {zone['id']} --change-batch '{change}'"
                ),
            }
        reason = (
            f"its DNS validation record(s) {', '.join(r['Name'] for r in missing)} are missing from {zone.get('name')}"
            if missing
            else "validation has not completed"
        )
        result.find(
            "high",
            "acm",
            f"Certificate {cert['domain']} is {cert['status']}: {reason}.",
            "Write the validation CNAME(s) into the zone; ACM issues within minutes once they resolve "
            "(the zone must be delegated from the parent for that).",
            [cert["arn"], zone.get("id")],
            **fix,
        )


def check_logs_and_nat(result: Analysis, logs: dict[str, Any], network: dict[str, Any], env: Env) -> None:
    if not logs.get("error"):
        if not logs.get("found"):
            result.check("logs", "Log group", False, f"{logs['name']} not found")
            result.find(
                "medium",
                "logs",
                f"Log group {logs['name']} does not exist: containers cannot ship logs.",
                "Re-apply terraform.",
                [logs["name"]],
            )
        else:
            wanted = env.policy.get("log_retention_days")
            ok = wanted is None or logs["retention_days"] == int(wanted)
            if not result.check(
                "logs",
                "Log retention",
                ok,
                f"{logs['name']}: {logs['retention_days'] or 'never expire'} days"
                + (f" (inventory: {wanted})" if wanted is not None else ""),
                warn_only=True,
            ):
                result.find(
                    "low",
                    "logs",
                    f"Log group {logs['name']} keeps logs {logs['retention_days'] or 'forever'} days, "
                    f"the inventory says {wanted}.",
                    "Re-apply terraform.",
                    [logs["name"]],
                    cli=env.cli(
                        f"aws logs put-retention-policy --log-group-name {logs['name']} --retention-in-days {wanted}"
                    ),
                )
    if network.get("error"):
        return
    if not network.get("found"):
        resource_missing(result, "network", {"found": False, "name": f"{env.name}-vpc"}, "VPC")
        return
    available = [n for n in network["nat_gateways"] if n["state"] == "available"]
    per_az = env.policy.get("nat_gateway_per_az")
    azs = {s["az"] for s in network["subnets"]}
    wanted = (len(azs) if per_az else 1) if per_az is not None else 1
    if not result.check(
        "network",
        "NAT gateways",
        len(available) >= wanted,
        f"{len(available)} available (expected {wanted}{' one per AZ' if per_az else ''})",
    ):
        result.find(
            "high",
            "network",
            f"{len(available)} NAT gateway(s) available, {wanted} expected: private tasks lose outbound access.",
            "Re-apply terraform (NAT gateways).",
            [n["id"] for n in network["nat_gateways"]],
        )
