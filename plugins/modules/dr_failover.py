#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: dr_failover
version_added: 1.1.0
short_description: Fail over to the warm standby in the DR region, or fail back, by an approved plan
description:
  - Reads the state of both regions of one account and of the stack's CloudFront distribution, computes an ordered
    action plan for O(direction), and returns it with its digest. It executes the plan only when O(approved_digest)
    is the digest of the plan it computes in the same run, so nothing runs that was not reviewed against the current
    state.
  - "Names follow terraform/ (one rule, for both regions): database C(<project>-<environment>-mysql), ECS cluster
    C(<project>-<environment>-cluster), ALB C(<project>-<environment>-alb); the distribution is the one whose comment
    (and, if several, Name tag) is C(<project>-<environment>), with the origin group C(<project>-<environment>-failover)
    of the origins C(<project>-<environment>-alb) (the primary's ALB) and C(<project>-<environment>-alb-<dr_region>)
    (the standby's)."
  - "State read: the primary's database status, ALB state, ECS cluster status and service desired counts in
    O(primary_region) (anything that does not answer, or answers with an error, counts as V(unreachable); only a
    denied or expired credential fails the run, since it says nothing about the primary's health); the
    standby database in O(dr_region) (still a replica? its C(ReplicaLag) from CloudWatch, reported but not digested);
    the DR cluster's services and their desired counts; the origin group's member order and the targets of the
    behaviours that reach an ALB directly (all but the O(health_check_path) behaviour)."
  - "Failover plan, in this order: C(promote_read_replica) (the standby database, then a bounded wait until it is
    available), C(scale_service) for each DR service whose desired count differs from its failover count,
    C(set_behavior_origin) for each behaviour that reaches the primary's ALB directly (writes, wp-admin, PHP:
    CloudFront fails over only GET, HEAD and OPTIONS, so they bypass the origin group), and
    C(set_origin_group_primary) (the standby's ALB first). The health path keeps the primary, so the Route 53 health
    check sees when the primary is back."
  - "A DR service's failover count is, in this order: its entry in O(desired_counts), the desired count of the
    primary's service of the same name (when the primary region answers), its C(bbws:dr-desired-count) tag; a
    service with none of these stops the run before anything is done."
  - "The promoted database is tagged C(bbws:dr-promoted) (time and plan digest): the record of the promotion, and
    what marks it as promoted where the replica's source stays reported."
  - "Failback plan: the behaviours and the origin group back to the primary's ALB, then every DR service to 0. It
    does not touch the databases: the promoted standby stays standalone, writes made in the DR region are not copied
    back, and the standby must be rebuilt (RV(next_steps) says how). A failback while nothing is served from the DR
    region is a no-op."
  - "Refusals (nothing is done): a failover while the primary is healthy (its database C(available), its ALB
    C(active) and its ECS cluster C(ACTIVE)) unless O(force) with O(force_reason); a failback while the primary's
    database is not C(available) (not overridden by O(force)); an O(approved_digest) that is not the digest of the plan
    computed now (the state changed since approval)."
  - Idempotent - once a failover is complete the plan is empty and a run changes nothing; the same holds for failback.
  - In check mode nothing is changed; with a matching O(approved_digest) C(changed) says whether the run would change
    something.
  - O(region) is not used - every call names its region (O(primary_region), O(dr_region), and C(us-east-1) for
    CloudFront; the account check calls STS in O(dr_region), which must answer when the primary does not).
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  direction:
    description: V(failover) moves service to O(dr_region); V(failback) returns it to O(primary_region).
    type: str
    choices: [failover, failback]
    required: true
  project:
    description: The project, the first part of every name (C(bbws)).
    type: str
    required: true
  environment:
    description: The environment, the second part of every name.
    type: str
    default: prod
  primary_region:
    description: The primary stack's region.
    type: str
    default: af-south-1
  dr_region:
    description: The warm standby's region (the primary stack's C(dr_region)).
    type: str
    default: eu-west-1
  approved_digest:
    description:
      - The digest of a plan an operator reviewed (RV(digest) of an earlier run). When it equals the digest of the plan
        computed now, the plan is executed; any other value fails with nothing done.
      - Without it the run only returns the plan.
    type: str
  force:
    description:
      - Fail over although the primary looks healthy (a drill, or a failure the health checks do not see).
        Requires O(force_reason). Has no effect on failback.
    type: bool
    default: false
  force_reason:
    description: Why the failover is forced; returned in RV(forced) and required with O(force=true).
    type: str
  desired_counts:
    description:
      - Failover desired count per DR service name, overriding the primary's counts and the services' tags.
    type: dict
  health_check_path:
    description:
      - The path of the distribution's health behaviour, which keeps targeting the primary's ALB (terraform's
        C(health_check_path)).
    type: str
    default: /health
  wait_timeout:
    description:
      - Seconds to wait, polling every 10 seconds, for the promoted database to be C(available) before the services
        are scaled. On timeout the task fails saying what was done; a new run plans the rest.
    type: int
    default: 1800
  expected_account_id:
    description: When given, the credentials must land in this account (checked before anything else is read).
    type: str
  known_accounts:
    description: The account registry (the inventory's C(bbws_environments)), for the mismatch message.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Plan a failover of prod to eu-west-1 (changes nothing; prints the digest to approve)
  bbws.ecs_cluster.dr_failover:
    profile: Tebogo-prod
    project: bbws
    environment: prod
    direction: failover
  register: failover_plan

- name: Execute exactly the reviewed plan
  bbws.ecs_cluster.dr_failover:
    profile: Tebogo-prod
    project: bbws
    environment: prod
    direction: failover
    approved_digest: "{{ failover_plan.digest }}"

- name: A failover drill while the primary is healthy
  bbws.ecs_cluster.dr_failover:
    profile: Tebogo-prod
    project: bbws
    direction: failover
    force: true
    force_reason: quarterly DR drill
    approved_digest: 0f4c2d...

- name: Plan the failback to af-south-1
  bbws.ecs_cluster.dr_failover:
    profile: Tebogo-prod
    project: bbws
    direction: failback
"""

RETURN = r"""
direction:
  description: The direction planned.
  returned: always
  type: str
  sample: failover
names:
  description: The names derived from O(project), O(environment) and O(dr_region).
  returned: always
  type: dict
  sample: {"db": "bbws-prod-mysql", "cluster": "bbws-prod-cluster", "origin_group": "bbws-prod-failover"}
state:
  description:
    - The state the plan was computed from (C(primary), C(dr), C(distribution)); all of it but the primary's read
      errors and the distribution's deployment status is covered by the digest.
  returned: success
  type: dict
  sample: {"primary": {"region": "af-south-1", "db_status": "unreachable", "alb_state": "unreachable",
           "cluster_status": "unreachable", "services": null, "healthy": false},
           "dr": {"region": "eu-west-1", "db": {"id": "bbws-prod-mysql", "status": "available", "is_replica": true},
                  "services": {"banana": {"desired": 0, "tag": 2}}},
           "distribution": {"id": "E2QWRUHEXAMPLE", "origin_group": {"id": "bbws-prod-failover",
                            "members": ["bbws-prod-alb", "bbws-prod-alb-eu-west-1"]}, "behaviors": {}}}
replica_lag_seconds:
  description: The standby's latest CloudWatch C(ReplicaLag) (maximum of the last minute with data); null without data.
  returned: success
  type: float
  sample: 2.0
primary_healthy:
  description: Whether the primary's database is available, its ALB active and its ECS cluster ACTIVE.
  returned: success
  type: bool
  sample: false
actions:
  description:
    - The plan, in execution order. Each has C(action) (V(promote_read_replica), V(scale_service),
      V(set_behavior_origin), V(set_origin_group_primary)), C(target), C(from) and C(to); C(scale_service) also has
      C(source), where its count came from.
  returned: success
  type: list
  elements: dict
  sample: [{"action": "promote_read_replica", "target": "eu-west-1:bbws-prod-mysql",
            "from": "read replica of arn:aws:rds:af-south-1:093646564004:db:bbws-prod-mysql", "to": "standalone"},
           {"action": "scale_service", "target": "eu-west-1:bbws-prod-cluster/banana", "from": 0, "to": 2,
            "source": "tag bbws:dr-desired-count"},
           {"action": "set_origin_group_primary", "target": "E2QWRUHEXAMPLE:bbws-prod-failover",
            "from": ["bbws-prod-alb", "bbws-prod-alb-eu-west-1"], "to": ["bbws-prod-alb-eu-west-1", "bbws-prod-alb"]}]
digest:
  description: sha256 of the canonical JSON of the direction, the actions and the (digested) state; approve this value.
  returned: success
  type: str
  sample: 9b1e3f0c6d1a4b1f8e2c3d4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8
approved:
  description: Whether O(approved_digest) matched and the plan was (or in check mode would be) executed.
  returned: success
  type: bool
  sample: false
would_change:
  description: Whether the plan has actions (executing it would change something).
  returned: success
  type: bool
  sample: true
executed:
  description:
    - The actions done, in order, each with a C(result) (database statuses seen while waiting, new desired count,
      distribution status).
  returned: always
  type: list
  elements: dict
  sample: [{"action": "scale_service", "target": "eu-west-1:bbws-prod-cluster/banana", "from": 0, "to": 2,
            "result": {"desired": 2}}]
post_state:
  description: The DR region and the distribution read again after execution (the primary part is the one read before).
  returned: when the plan was executed
  type: dict
forced:
  description: The reason given with O(force=true) when the failover ran although the primary looked healthy.
  returned: when forced
  type: dict
  sample: {"reason": "quarterly DR drill"}
next_steps:
  description:
    - What the module does not do and the operator must (EFS writability, copying writes, rebuilding the standby).
  returned: success
  type: list
  elements: str
message:
  description: One sentence on the outcome.
  returned: always
  type: str
  sample: "Plan only: awaiting approval. Re-run with approved_digest=9b1e... to execute it."
account_id:
  description: The account the credentials landed in.
  returned: success
  type: str
  sample: "093646564004"
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>).
  returned: always
  type: dict
  sample: {"rds.DescribeDBInstances": 2, "cloudfront.GetDistributionConfig": 1}
diff:
  description: The state before and after.
  returned: success
  type: dict
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import caller_identity
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import expected_account_problem
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import validate_account_id
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import module_clients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.dr_failover import FailoverError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.dr_failover import run


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            direction=dict(type="str", required=True, choices=["failover", "failback"]),
            project=dict(type="str", required=True),
            environment=dict(type="str", default="prod"),
            primary_region=dict(type="str", default="af-south-1"),
            dr_region=dict(type="str", default="eu-west-1"),
            approved_digest=dict(type="str"),
            force=dict(type="bool", default=False),
            force_reason=dict(type="str"),
            desired_counts=dict(type="dict"),
            health_check_path=dict(type="str", default="/health"),
            wait_timeout=dict(type="int", default=1800),
            expected_account_id=dict(type="str"),
            known_accounts=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    params = module.params
    # A reason of nothing but blanks is no reason (required_if would accept an empty or null one).
    if params["force"] and not (params.get("force_reason") or "").strip():
        module.fail_json(
            msg=(
                "force is true but force_reason is missing: say why the failover is forced. Nothing was read or"
                " changed."
            ),
            api_calls={},
        )
    if params["primary_region"] == params["dr_region"]:
        module.fail_json(msg="primary_region and dr_region must differ.", api_calls={})
    if params.get("expected_account_id"):
        try:
            validate_account_id(params["expected_account_id"])
        except ValueError as e:
            module.fail_json(msg=str(e), api_calls={})
    clients = module_clients(module)
    try:
        # STS in the DR region: the one region this module needs to answer (the primary may be down).
        account = caller_identity(lambda service, **kw: clients.client(service, params["dr_region"], **kw))["Account"]
        problem = expected_account_problem(params, account)
        if problem:
            module.fail_json(msg=problem, account_id=account, api_calls=clients.api_calls)
        result = run(clients.client, params, check_mode=module.check_mode)
    except FailoverError as e:
        if e.error is not None:
            module.fail_json_aws(e.error, msg=e.msg, api_calls=clients.api_calls, **e.extra)
        module.fail_json(msg=e.msg, api_calls=clients.api_calls, **e.extra)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, clients, action=f"read the {params['direction']} state")
    module.exit_json(account_id=account, api_calls=clients.api_calls, **result)


if __name__ == "__main__":
    main()
