#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: dr_peer_info
version_added: 1.2.0
short_description: Read what a disaster-recovery stack needs of its peer in the other region
description:
  - Before each plan of a stack with a part in disaster recovery (the stack's C(dr_role)), reads the values its plan
    needs from the other region of the same account.
  - For a C(standby) - the primary's database (its ARN and RDS-managed master secret, which the read replica uses) and
    the primary's EFS file system (the source of the replication the standby owns). What is missing is listed in
    RV(missing) with what to do; the task fails on it unless O(fail_on_missing=false).
  - For a C(primary) - the DNS name of the standby's ALB, the origin group's secondary origin when the custom domain is
    off (null while the standby does not exist).
  - Names follow the stack - C(<project>-<environment>-mysql), the EFS creation token C(<project>-<environment>-efs),
    C(<project>-<environment>-alb). Changes nothing, so it behaves the same in check mode.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  dr_role:
    description: This stack's part in disaster recovery; C(none) reads nothing.
    type: str
    choices: [none, primary, standby]
    required: true
  peer_region:
    description:
      - The other stack's region - the primary's for a standby, the standby's for a primary.
      - Required unless O(dr_role=none).
    type: str
  project:
    description: The project prefix of the stack's names.
    type: str
    required: true
  environment:
    description: The environment whose primary and standby these are.
    type: str
    required: true
  fail_on_missing:
    description: Fail when a standby's peer lacks what its plan needs.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the primary's database and file system for the standby's plan
  bbws.ecs_cluster.dr_peer_info:
    profile: Tebogo-prod
    region: eu-west-1
    dr_role: standby
    peer_region: af-south-1
    project: bbws
    environment: prod
  register: peer
"""

RETURN = r"""
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"rds.DescribeDBInstances": 1, "efs.DescribeFileSystems": 1}
source_db_arn:
  description: The primary database's ARN (standby), else null.
  returned: success
  type: str
  sample: arn:aws:rds:af-south-1:093646564004:db:bbws-prod-mysql
source_db_secret_arn:
  description: The primary database's master secret (standby), else null.
  returned: success
  type: str
  sample: arn:aws:secretsmanager:af-south-1:093646564004:secret:rds!db-1234-AbCdEf
source_efs_id:
  description: The primary's EFS file system (standby), else null.
  returned: success
  type: str
  sample: fs-0123456789abcdef0
standby_alb_dns_name:
  description: The standby ALB's DNS name (primary), or null while there is none.
  returned: success
  type: str
  sample: bbws-prod-alb-123456789.eu-west-1.elb.amazonaws.com
missing:
  description: What a standby's plan needs and its primary lacks, each with what to do.
  returned: always
  type: list
  elements: str
  sample: []
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import dr_peer
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import module_clients


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            dr_role=dict(type="str", required=True, choices=list(dr_peer.ROLES)),
            peer_region=dict(type="str"),
            project=dict(type="str", required=True),
            environment=dict(type="str", required=True),
            fail_on_missing=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["dr_role"] != "none" and not params.get("peer_region"):
        module.fail_json(
            msg=(
                f"dr_role {params['dr_role']} needs peer_region: the other region of disaster recovery (a standby's "
                "primary region, a primary's standby region). Nothing was read."
            ),
            api_calls={},
        )
    clients = module_clients(module)
    try:
        peer = dr_peer.read_peer(
            clients.client, params["dr_role"], params.get("peer_region"), params["project"], params["environment"]
        )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, clients, action=f"read the disaster-recovery peer in {params.get('peer_region')}")
    if peer["missing"] and params["fail_on_missing"]:
        module.fail_json(
            msg=f"The {params['environment']} standby cannot be planned yet: missing " + "; ".join(peer["missing"]),
            api_calls=clients.api_calls,
            **{k: v for k, v in peer.items() if k not in ("role",)},
        )
    module.exit_json(changed=False, api_calls=clients.api_calls, **{k: v for k, v in peer.items() if k != "role"})


if __name__ == "__main__":
    main()
