# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn what was read into checks, findings and exact fixes (no AWS calls here), area by area:

- cluster_health_resources: status checks per area (ECS, RDS, EFS, ALB, CloudFront, ACM, DNS, secret, logs, NAT) and
  the tenant headroom;
- cluster_health_security: least-privilege security groups, public access, encryption, CloudFront TLS, tags;
- cluster_health_connectivity: the paths tenants need, over the security-group graph;
- cluster_health_alarms: the CloudWatch alarms the inventory expects;
- cluster_health_dr: disaster recovery (a standby judged as one; a primary's standby and EFS replication);
- cluster_health_model: the checks, findings and environment they share.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_alarms
from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_dr
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_connectivity import check_connectivity
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import Analysis
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_model import Env
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_resources import check_alb
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_resources import check_capacity
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_resources import check_ecs
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_resources import check_edge
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_resources import check_efs
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_resources import check_logs_and_nat
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_resources import check_rds
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_resources import named_groups
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_security import review_security
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_security import review_tags

__all__ = ["Analysis", "Env", "analyse"]


def analyse(snapshot: dict[str, Any], env: Env) -> Analysis:
    result = Analysis()
    for area, data in snapshot.items():
        if data.get("error"):
            result.check(area, f"{area} readable", False, data["error"])
            result.find(
                "high",
                area,
                f"Could not read the {area} resources: {data['error']}",
                "Fix access (profile, permissions, endpoint) and re-run the health check.",
            )
    groups = named_groups(snapshot, env)
    check_ecs(result, snapshot["ecs"], env)
    check_rds(result, snapshot["rds"], env, snapshot.get("replica_lag"))
    check_efs(result, snapshot["efs"], snapshot["network"], groups, env)
    check_alb(result, snapshot["alb"], env)
    check_edge(result, snapshot["cloudfront"], snapshot["acm"], snapshot["zone"], snapshot["alb"], env)
    check_logs_and_nat(result, snapshot["logs"], snapshot["network"], env)
    review_security(result, snapshot, groups, env)
    check_connectivity(result, snapshot, groups, env)
    review_tags(result, snapshot, env)
    if "alarms" in snapshot:
        cluster_health_alarms.review(result, snapshot, env)
    check_capacity(result, snapshot, env)
    if "dr" in snapshot:
        cluster_health_dr.check_dr(
            result, snapshot["dr"], snapshot["rds"], snapshot["efs"], env, cloudfront=snapshot.get("cloudfront")
        )
    if env.dr_role != "none":
        result.dr = {
            "role": env.dr_role,
            "region": env.dr_region if env.dr_role == "primary" else env.region,
            **result.dr,
        }
    return result
