#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: orphan_resources_info
version_added: 1.1.0
short_description: List resources tagged for an environment that its Terraform state does not manage
description:
  - Reads the environment's Terraform state from its S3 backend (O(state_bucket), O(state_key)) and every resource
    tagged C(Project=<project>) and C(Environment=<environment>) in O(regions) (Resource Groups Tagging API
    C(GetResources)); a tagged resource whose ARN or id no managed instance of the state holds is an orphan.
  - Each orphan is returned with its type, id, ARN, region, tags and, where the service gives a creation time, its
    age; and with both ways to settle it - a Terraform C(import) block (a resource address to adopt it under and the
    id in the form the hashicorp/aws provider's import expects), and the AWS CLI command that deletes it.
  - Read-only. It never deletes or imports anything, and runs the same in check mode.
  - A missing state object or bucket fails the module instead of listing every tagged resource as an orphan.
  - The Tagging API lists only resources that carry tags (and may list one deleted moments ago); resources the
    stack creates untagged are not seen.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  project:
    description: The C(Project) tag value of the stack's resources (the inventory's C(bbws_project)).
    type: str
    required: true
  environment:
    description: The C(Environment) tag value (C(dev), C(sit), C(prod)).
    type: str
    required: true
  regions:
    description:
      - The regions to list tagged resources in.
      - Default the module's O(region) and C(us-east-1) (CloudFront, its certificate and logs live there).
    type: list
    elements: str
  state_bucket:
    description: The S3 bucket of the Terraform backend (the terraform_stack role's C(backend_config.bucket)).
    type: str
    required: true
  state_key:
    description: The state object's key (the terraform_stack role's C(backend_config.key)).
    type: str
    required: true
  state_region:
    description: The region of the state bucket; default the module's O(region).
    type: str
  expected_account_id:
    description: The account the credentials must land in; any other fails before the state or a resource is read.
    type: str
  known_accounts:
    description: The account registry (the inventory's C(bbws_environments)), so a mismatch names the account found.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: List the resources tagged for dev that the stack's state does not manage
  bbws.ecs_cluster.orphan_resources_info:
    profile: Tebogo-dev
    region: af-south-1
    project: bbws
    environment: dev
    expected_account_id: "536580886816"
    state_bucket: bbws-terraform-state-536580886816
    state_key: ecs-cluster/dev/terraform.tfstate
  register: orphans

- name: Show how to settle each one
  ansible.builtin.debug:
    msg: "{{ item.type }} {{ item.id }}: {{ item.import.block if item.import else item.note }}"
  loop: "{{ orphans.orphans }}"
"""

RETURN = r"""
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"sts.GetCallerIdentity": 1, "s3.GetObject": 1, "resourcegroupstaggingapi.GetResources": 2}
orphans:
  description: The tagged resources the state does not manage, sorted by region, type and id; C([]) when none.
  returned: success
  type: list
  elements: dict
  contains:
    arn:
      returned: always
      description: The resource's ARN.
      type: str
      sample: arn:aws:ec2:af-south-1:536580886816:security-group/sg-0123456789abcdef0
    id:
      returned: always
      description:
        - Its id or name (for the types imported by ARN, the ARN's resource part, e.g. C(name/hash) of a target group).
      type: str
      sample: sg-0123456789abcdef0
    type:
      returned: always
      description: The service and resource type of the ARN.
      type: str
      sample: ec2:security-group
    region:
      returned: always
      description: The region it lives in.
      type: str
      sample: af-south-1
    tags:
      returned: always
      description: Its tags.
      type: dict
      sample: {"Project": "bbws", "Environment": "dev", "Name": "legacy-admin"}
    created:
      returned: always
      description: When it was created (ISO 8601), where the service says it; null otherwise.
      type: str
      sample: "2026-10-01T08:15:00+00:00"
    age_days:
      returned: always
      description: Whole days since C(created); null when unknown.
      type: int
      sample: 61
    import:
      returned: always
      description:
        - How to adopt it into the stack - C(to) (a suggested resource address), C(id) (the import id the
          hashicorp/aws provider expects), C(provider) (C(aws.us_east_1) for the stack's second region, else null)
          and C(block) (the Terraform C(import) block).
        - Null for a resource type whose import form is not known here (see C(note)).
      type: dict
      sample: {"to": "aws_security_group.legacy_admin", "id": "sg-0123456789abcdef0", "provider": null,
               "block": "import {\n  to = aws_security_group.legacy_admin\n  id = \"sg-0123456789abcdef0\"\n}"}
    delete_command:
      returned: always
      description: The AWS CLI command that deletes it (with region and profile), with what must go first; null when
        not known.
      type: str
      sample: aws ec2 delete-security-group --group-id sg-0123456789abcdef0 --region af-south-1 --profile Tebogo-dev
    note:
      returned: always
      description: What to do with the import block or the command.
      type: str
tagged:
  description: How many resources carry both tags in O(regions).
  returned: success
  type: int
  sample: 64
managed:
  description: How many of them the state manages.
  returned: success
  type: int
  sample: 63
state:
  description: The state that was read - C(bucket), C(key), C(serial), C(lineage), C(resources) (instances).
  returned: success
  type: dict
regions:
  description: The regions that were listed.
  returned: success
  type: list
  elements: str
  sample: [af-south-1, us-east-1]
account_id:
  description: The account the credentials landed in.
  returned: success
  type: str
  sample: "536580886816"
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
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.orphans import OrphanError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.orphans import find_orphans
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.orphans import read_state


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            project=dict(type="str", required=True),
            environment=dict(type="str", required=True),
            regions=dict(type="list", elements="str"),
            state_bucket=dict(type="str", required=True),
            state_key=dict(type="str", required=True, no_log=False),
            state_region=dict(type="str"),
            expected_account_id=dict(type="str"),
            known_accounts=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params.get("expected_account_id"):
        try:
            validate_account_id(params["expected_account_id"])
        except ValueError as e:
            module.fail_json(msg=str(e), api_calls={})
    clients = module_clients(module)
    client_for = clients.client
    regions = params["regions"] or [module.region, "us-east-1"]
    try:
        account = caller_identity(client_for)["Account"]
        problem = expected_account_problem(params, account)
        if problem:
            module.fail_json(msg=problem, account_id=account, api_calls=clients.api_calls)
        state = read_state(
            client_for("s3", params["state_region"] or module.region), params["state_bucket"], params["state_key"]
        )
        result = find_orphans(
            client_for, params["project"], params["environment"], regions, state, module.region, params.get("profile")
        )
    except OrphanError as e:
        module.fail_json(msg=str(e), api_calls=clients.api_calls)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, clients)
    result["state"].update(bucket=params["state_bucket"], key=params["state_key"])
    module.exit_json(
        changed=False, regions=list(dict.fromkeys(regions)), account_id=account, api_calls=clients.api_calls, **result
    )


if __name__ == "__main__":
    main()
