# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security review: least-privilege security groups, RDS not public, encryption, CloudFront TLS, and tag consistency
(resources claiming another environment are reported, never modified)."""

from __future__ import annotations

from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import INTERNET
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import TLS_ORDER
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import Analysis
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import Env


def review_security(result: Analysis, snapshot: dict[str, Any], groups: dict[str, str], env: Env) -> None:
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
            web_port = (
                rule["protocol"] in ("tcp", "6")
                and rule["from_port"] == rule["to_port"]
                and rule["from_port"] in (80, 443)
            )
            if role == "alb" and web_port:
                continue
            problems += 1
            severity = "critical" if role in ("rds", "efs") else "high"
            result.find(
                severity,
                "security",
                f"Security group {group['name']} ({gid}) allows {_describe_ports(rule)} from "
                f"{', '.join(open_cidrs)}: only the ALB may be reachable from the internet, and only on 80/443.",
                "Remove the rule (terraform apply restores the intended rules).",
                [gid],
                terraform="terraform apply",
                cli=env.cli(
                    f"aws ec2 revoke-security-group-ingress --group-id {gid} --ip-permissions "
                    f"IpProtocol={rule['protocol']},FromPort={rule['from_port']},ToPort={rule['to_port']},"
                    f"IpRanges='[{{CidrIp={open_cidrs[0]}}}]'"
                ),
            )
        if role in ("rds", "efs") and "ecs" in groups:
            others = sorted({g for rule in group["ingress"] for g in rule["groups"] if g != groups["ecs"]})
            if others:
                problems += 1
                result.find(
                    "medium",
                    "security",
                    f"{role.upper()} group {gid} also accepts traffic from {', '.join(others)}: "
                    "only the ECS group should reach it.",
                    "Remove the extra rules (terraform apply).",
                    [gid, *others],
                )
    result.check(
        "security",
        "Security groups least privilege",
        problems == 0,
        (
            "internet only to the ALB on 80/443; RDS and EFS only from ECS"
            if problems == 0
            else f"{problems} rule problem(s)"
        ),
    )
    rds, efs, cloudfront = snapshot["rds"], snapshot["efs"], snapshot["cloudfront"]
    if rds.get("found"):
        if not result.check(
            "security", "RDS not publicly accessible", not rds["public"], f"PubliclyAccessible={rds['public']}"
        ):
            result.find(
                "critical",
                "security",
                f"RDS {rds['id']} is publicly accessible.",
                "Turn public access off (terraform apply restores publicly_accessible = false).",
                [rds["arn"]],
                terraform="terraform apply -target=aws_db_instance.this",
                cli=env.cli(
                    f"aws rds modify-db-instance --db-instance-identifier {rds['id']} --no-publicly-accessible "
                    "--apply-immediately"
                ),
            )
        if not result.check("security", "RDS encrypted", rds["encrypted"], f"StorageEncrypted={rds['encrypted']}"):
            result.find(
                "high",
                "security",
                f"RDS {rds['id']} storage is not encrypted.",
                "Encryption cannot be turned on in place: restore an encrypted copy of a snapshot.",
                [rds["arn"]],
            )
    if efs.get("found") and not result.check(
        "security", "EFS encrypted", efs["encrypted"], f"Encrypted={efs['encrypted']}"
    ):
        result.find(
            "high",
            "security",
            f"EFS {efs['id']} is not encrypted at rest.",
            "Create an encrypted file system and move the data (encryption is set at creation).",
            [efs["id"]],
        )
    if cloudfront.get("found"):
        policy = cloudfront["viewer_protocol_policy"]
        if not result.check(
            "security",
            "CloudFront viewer protocol",
            policy in ("redirect-to-https", "https-only"),
            policy,
            warn_only=True,
        ):
            result.find(
                "medium",
                "security",
                f"CloudFront {cloudfront['id']} lets viewers use plain HTTP ({policy}).",
                "Set viewer_protocol_policy = redirect-to-https and re-apply the edge phase.",
                [cloudfront["id"]],
            )
        tls = cloudfront["minimum_protocol"] or "TLSv1"
        modern = tls in TLS_ORDER and TLS_ORDER.index(tls) >= TLS_ORDER.index("TLSv1.2_2018")
        if not cloudfront["certificate_arn"]:
            # On the default *.cloudfront.net certificate CloudFront itself sets the minimum protocol (TLSv1).
            result.check(
                "security",
                "CloudFront TLS policy",
                None,
                f"minimum {tls}, set by CloudFront for its default certificate",
            )
        elif not result.check("security", "CloudFront TLS policy", modern, f"minimum {tls}", warn_only=True):
            result.find(
                "medium",
                "security",
                f"CloudFront {cloudfront['id']} accepts {tls}.",
                "Set minimum_protocol_version = TLSv1.2_2021 and re-apply the edge phase.",
                [cloudfront["id"]],
            )


def _describe_ports(rule: dict[str, Any]) -> str:
    if rule["protocol"] in ("-1", "all"):
        return "all traffic"
    if rule["from_port"] == rule["to_port"]:
        return f"{rule['protocol']}/{rule['from_port']}"
    return f"{rule['protocol']}/{rule['from_port']}-{rule['to_port']}"


def review_tags(result: Analysis, snapshot: dict[str, Any], env: Env) -> None:
    """Tag consistency: Project/Environment/ManagedBy on what we read.

    Other environments' resources are reported only."""
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
    mixed = {
        rid: tags["Environment"] for rid, tags in resources if tags.get("Environment") not in (None, env.environment)
    }
    for item in snapshot["tagged"].get("resources", []):
        other = item["tags"].get("Environment")
        if other and other != env.environment:
            mixed.setdefault(item["arn"], other)
    result.check(
        "tags",
        "Required tags",
        not untagged,
        f"{len(resources) - len(untagged)}/{len(resources)} resources tagged Project/Environment/ManagedBy",
        warn_only=True,
    )
    if untagged:
        result.find(
            "low",
            "tags",
            f"{len(untagged)} resource(s) lack Project/Environment/ManagedBy tags: {', '.join(untagged[:10])}.",
            "Re-apply terraform (the provider's default_tags set them).",
            untagged[:10],
        )
    result.check(
        "tags",
        "Single environment in this account",
        not mixed,
        (
            "every Environment tag names " + env.environment
            if not mixed
            else f"{len(mixed)} resource(s) tagged for another environment"
        ),
    )
    if mixed:
        listing = ", ".join(f"{rid} (Environment={other})" for rid, other in sorted(mixed.items())[:10])
        result.find(
            "high",
            "tags",
            f"Mixed-environment infrastructure in the {env.environment} account: {listing}.",
            "Nothing was changed. Find out who created or re-tagged these resources; each environment lives in its own "
            "account, so move or re-tag them deliberately.",
            sorted(mixed)[:10],
        )
