# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connectivity over the security-group graph: a path needs an egress rule on the source group AND an ingress rule on
the destination group; a broken path names both groups, the port, the missing side(s) and the fix (the Terraform
resource to re-apply and the equivalent AWS CLI command)."""

from __future__ import annotations

import ipaddress
from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import (
    INTERNET,
    TERRAFORM_ALB_INGRESS,
    TERRAFORM_RULES,
    Analysis,
    Env,
    alb_origins,
)


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


def path_status(
    groups: dict[str, dict], sources: list[str], destinations: list[str], port: int, vpc_cidr: str | None
) -> list[str]:
    """The sides missing for traffic from ``sources`` to ``destinations`` on ``port`` ([] = open)."""
    missing = []
    if not any(side_allows(groups[s]["egress"], destinations, port, vpc_cidr) for s in sources if s in groups):
        missing.append("egress")
    if not any(side_allows(groups[d]["ingress"], sources, port, vpc_cidr) for d in destinations if d in groups):
        missing.append("ingress")
    return missing


def _ip_permissions(port: int, peer: str) -> str:
    return f"IpProtocol=tcp,FromPort={port},ToPort={port},UserIdGroupPairs='[{{GroupId={peer}}}]'"


def check_connectivity(result: Analysis, snapshot: dict[str, Any], groups: dict[str, str], env: Env) -> None:
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
        "efs": (
            sorted({g for m in snapshot["efs"].get("mount_targets", []) for g in m["security_groups"]})
            or [groups.get("efs")]
        ),
        "ecs": [groups.get("ecs")],
    }
    paths = (
        ("alb", "ecs", port, "ALB -> ECS tasks"),
        ("ecs", "rds", rds_port, "ECS tasks -> RDS MySQL"),
        ("ecs", "efs", 2049, "ECS tasks -> EFS (NFS)"),
    )
    for src, dst, p, label in paths:
        sources = [g for g in attached[src] if g]
        destinations = [g for g in attached[dst] if g]
        if not sources or not destinations:
            result.check(
                "connectivity",
                label,
                None,
                f"not checked: the {src if not sources else dst} security group was not found",
            )
            result.path(f"{src}-{dst}", "unknown", f"tcp/{p}: not checked")
            continue
        missing = path_status(sgs, sources, destinations, p, vpc_cidr)
        detail = f"{', '.join(sources)} -> {', '.join(destinations)} tcp/{p}"
        if result.check(
            "connectivity", label, not missing, detail + ("" if not missing else f": missing {' and '.join(missing)}")
        ):
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
        result.path(
            "ecs-nat",
            "ok" if allowed else "broken",
            "tcp/443" if allowed else "tcp/443: missing egress rule",
            f"egress on {ecs_sg} to 0.0.0.0/0" + ("" if allowed else " is missing"),
        )
    else:
        result.path("ecs-nat", "unknown", "tcp/443: not checked")
    available = [n for n in network.get("nat_gateways", []) if n["state"] == "available"]
    result.path(
        "nat-internet",
        "ok" if available else "broken",
        f"{len(available)} NAT gateway(s)" if available else "no available NAT gateway",
    )


def _broken_path(
    result: Analysis, src: str, dst: str, src_sg: str, dst_sg: str, port: int, missing: list[str], label: str, env: Env
) -> None:
    side = "both ingress and egress" if len(missing) == 2 else missing[0]
    targets = " ".join(f"-target={TERRAFORM_RULES[(src, dst, s)]}" for s in ("egress", "ingress") if s in missing)
    commands = []
    if "ingress" in missing:
        commands.append(
            env.cli(
                f"aws ec2 authorize-security-group-ingress --group-id {dst_sg} --ip-permissions "
                + _ip_permissions(port, src_sg)
            )
        )
    if "egress" in missing:
        commands.append(
            env.cli(
                f"aws ec2 authorize-security-group-egress --group-id {src_sg} --ip-permissions "
                + _ip_permissions(port, dst_sg)
            )
        )
    rules = _missing_rules(src_sg, dst_sg, missing)
    impact = {
        "rds": "tenant WordPress containers cannot connect to the database",
        "efs": "tenant containers cannot mount their WordPress files",
        "ecs": "the ALB cannot reach the tenant containers (targets fail health checks)",
    }[dst]
    result.find(
        "critical",
        "connectivity",
        f"{label} is broken on tcp/{port}: missing {side} rule ({'; '.join(rules)}). Impact: {impact}. "
        "Security group configuration drift: the rule was removed or never created.",
        "Re-apply the Terraform rule(s), or add them with the AWS CLI.",
        [src_sg, dst_sg],
        impact=impact,
        terraform=f"terraform apply {targets}",
        cli="\n".join(commands),
    )


def _cloudfront_path(result: Analysis, snapshot: dict[str, Any], sgs: dict[str, dict], env: Env) -> None:
    cloudfront, alb = snapshot["cloudfront"], snapshot["alb"]
    if not cloudfront.get("found") or not alb.get("found"):
        return
    origin = next(iter(alb_origins(cloudfront, alb, snapshot.get("zone") or {})), None)
    if origin is None:
        return
    policy = origin["protocol_policy"] or "match-viewer"
    needed = {"http-only": [("HTTP", origin["http_port"])], "https-only": [("HTTPS", origin["https_port"])]}.get(
        policy, [("HTTP", origin["http_port"]), ("HTTPS", origin["https_port"])]
    )
    listeners = {(listener["protocol"], listener["port"]) for listener in alb["listeners"]}
    problems = []
    for protocol, port in needed:
        if (protocol, port) not in listeners:
            problems.append(f"no {protocol} listener on port {port}")
            result.find(
                "critical",
                "connectivity",
                f"CloudFront {cloudfront['id']} sends {protocol} to port {port} "
                f"({policy}) but ALB {alb['name']} has no {protocol}:{port} listener.",
                "Re-apply the ALB listeners (terraform apply) or change the origin protocol policy.",
                [cloudfront["id"], alb["arn"]],
                terraform="terraform apply",
            )
        # CloudFront reaches the ALB from the internet: the ALB group must accept the port from anywhere.
        open_in = any(
            _covers(rule, port) and (set(rule["cidrs"]) & set(INTERNET) or rule["prefix_lists"])
            for gid in alb["security_groups"]
            if gid in sgs
            for rule in sgs[gid]["ingress"]
        )
        if not open_in:
            gid = alb["security_groups"][0] if alb["security_groups"] else "<alb security group>"
            problems.append(f"ALB group does not accept tcp/{port} from CloudFront")
            result.find(
                "critical",
                "connectivity",
                f"CloudFront -> ALB is broken: {gid} has no ingress rule for tcp/{port} from the internet/CloudFront.",
                "Re-apply the ALB ingress rule.",
                [cloudfront["id"], gid],
                terraform=(
                    "terraform apply"
                    f" -target={TERRAFORM_ALB_INGRESS.get(port, 'aws_vpc_security_group_ingress_rule.alb_http')}"
                ),
                cli=env.cli(
                    f"aws ec2 authorize-security-group-ingress --group-id {gid} --ip-permissions "
                    f"IpProtocol=tcp,FromPort={port},ToPort={port},IpRanges='[{{CidrIp=0.0.0.0/0}}]'"
                ),
            )
    if problems:
        result.path("cloudfront-alb", "broken", "; ".join(problems))
    else:
        result.path("cloudfront-alb", "ok", ", ".join(f"{p}:{n}" for p, n in needed))
    result.check(
        "connectivity",
        "CloudFront -> ALB",
        not problems,
        f"origin {policy} {', '.join(f'{p}:{n}' for p, n in needed)}; "
        + ("; ".join(problems) or "listeners and rules match"),
    )
