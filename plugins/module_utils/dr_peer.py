# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a disaster-recovery stack needs of its peer in the other region, read before each plan.

A standby (``dr_role`` standby) replicates the primary: its plan needs the primary's RDS-managed master secret (the
read replica has none of its own) and the primary's EFS file system (the replication's source). A primary without
its custom domain needs the standby ALB's DNS name for the origin group's secondary origin. The names are the
stack's own (terraform/: ``<project>-<environment>-mysql``, the EFS creation token ``<project>-<environment>-efs``,
``<project>-<environment>-alb``).
"""

from __future__ import annotations

from typing import Any

ROLES = ("none", "primary", "standby")


def stack_names(project: str, environment: str, dr_region: str | None = None) -> dict[str, str]:
    """The names terraform/ gives what disaster recovery reads and changes (main.tf local.name, rds.tf, efs.tf, ecs.tf,
    alb.tf, cloudfront.tf): the standby's database, file system, cluster and ALB carry the primary's names in the DR
    region; the distribution is the primary's, with the origin group and the DR origin named after ``dr_region``."""
    name = f"{project}-{environment}"
    return {
        "name": name,
        "db": f"{name}-mysql",
        "efs_token": f"{name}-efs",
        "cluster": f"{name}-cluster",
        "alb": f"{name}-alb",
        "distribution_comment": name,
        "origin_group": f"{name}-failover",
        "primary_origin": f"{name}-alb",
        "dr_origin": f"{name}-alb-{dr_region}",
    }


def _db(rds: Any, identifier: str) -> dict[str, Any] | None:
    try:
        found = rds.describe_db_instances(aws_retry=True, DBInstanceIdentifier=identifier)["DBInstances"]
    except rds.exceptions.DBInstanceNotFoundFault:
        return None
    return found[0] if found else None


def _efs(efs: Any, token: str) -> dict[str, Any] | None:
    found = efs.describe_file_systems(aws_retry=True, CreationToken=token)["FileSystems"]
    return found[0] if found else None


def _alb(elbv2: Any, name: str) -> dict[str, Any] | None:
    try:
        found = elbv2.describe_load_balancers(aws_retry=True, Names=[name])["LoadBalancers"]
    except elbv2.exceptions.LoadBalancerNotFoundException:
        return None
    return found[0] if found else None


def read_peer(client: Any, role: str, peer_region: str | None, project: str, environment: str) -> dict[str, Any]:
    """The peer's values the stack's plan takes (``client(service, region)`` makes the clients), and ``missing``: what
    a standby cannot be planned without, each with what to do."""
    result: dict[str, Any] = {
        "role": role,
        "peer_region": peer_region,
        "source_db_arn": None,
        "source_db_secret_arn": None,
        "source_efs_id": None,
        "standby_alb_dns_name": None,
        "missing": [],
    }
    if role == "none":
        return result
    wanted = stack_names(project, environment)
    if role == "standby":
        db = _db(client("rds", peer_region), wanted["db"])
        if db is None:
            result["missing"].append(
                f"the primary's database {wanted['db']} in {peer_region}: apply the primary stack first (the site run "
                "builds it in the wave before the standby)"
            )
        else:
            result["source_db_arn"] = db.get("DBInstanceArn")
            result["source_db_secret_arn"] = (db.get("MasterUserSecret") or {}).get("SecretArn")
            if not result["source_db_secret_arn"]:
                result["missing"].append(
                    f"the master secret of {wanted['db']} in {peer_region}: the primary's database must keep its "
                    "password in Secrets Manager (manage_master_user_password, as terraform/rds.tf sets it)"
                )
        system = _efs(client("efs", peer_region), wanted["efs_token"])
        if system is None:
            result["missing"].append(
                f"the primary's file system (creation token {wanted['efs_token']}) in {peer_region}: apply the primary "
                "stack first"
            )
        else:
            result["source_efs_id"] = system["FileSystemId"]
    else:
        alb = _alb(client("elbv2", peer_region), wanted["alb"])
        result["standby_alb_dns_name"] = alb.get("DNSName") if alb else None
    return result
