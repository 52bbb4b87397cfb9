#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: terraform_apply
version_added: 1.0.0
short_description: Apply exactly the approved Terraform plan file
description:
  - Recomputes the SHA-256 of O(plan_file) and refuses, changing nothing, when it differs from O(expected_digest)
    (the plan changed since it was approved).
  - Optionally writes the state as it was before the apply (C(terraform state pull)) to O(state_snapshot), with
    every sensitive value masked; the restorable original is the state backend's previous version.
  - Runs C(terraform apply PLAN) on that plan file only, then returns C(terraform output -json) as a
    name to value map in which sensitive values are replaced by C((sensitive value)).
  - A stale plan (the state changed after planning), a held state lock and AWS service limits are reported as
    clear messages; nothing is retried or unlocked.
  - In check mode it verifies the digest and reports whether the plan would change anything, without applying.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  project_path:
    description: The Terraform root module directory the plan was made in (already initialised).
    type: path
    required: true
  plan_file:
    description: The plan file written by M(bbws.ecs_cluster.terraform_plan).
    type: path
    required: true
  expected_digest:
    description: The approved plan's SHA-256 (RV(bbws.ecs_cluster.terraform_plan#module:digest)).
    type: str
    required: true
  binary_path:
    description: The Terraform executable, a name looked up on C(PATH) or a full path.
    type: str
    default: terraform
  lock_timeout:
    description: How long to wait for the state lock before failing.
    type: str
    default: 60s
  state_snapshot:
    description: Where to write the pre-apply state (sensitive values masked). Not written when omitted.
    type: path
  state_bucket:
    description:
      - The versioned S3 bucket of the state (the backend's C(bucket)). With O(state_key) and O(state_snapshot), the
        record written before the apply names the state object's version and the exact command that restores it.
    type: str
  state_key:
    description: The state object's key in O(state_bucket) (the backend's C(key)).
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Apply the approved plan
  bbws.ecs_cluster.terraform_apply:
    profile: Tebogo-dev
    region: af-south-1
    project_path: "{{ playbook_dir }}/../terraform"
    plan_file: "{{ plan.plan_file }}"
    expected_digest: "{{ plan.digest }}"
    state_snapshot: artifacts/20260101T000000Z-dev/state-before-apply.json
  register: applied
"""

RETURN = r"""
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"s3.HeadObject": 1}
digest:
  description: The plan file's SHA-256 (equal to O(expected_digest)).
  returned: success
  type: str
  sample: 3f1c9e0b5a7d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e
outputs:
  description: The root module's outputs after the apply, sensitive values masked. Empty in check mode.
  returned: success
  type: dict
  sample: {"alb_dns_name": "bbws-dev-alb-123.af-south-1.elb.amazonaws.com", "rds_password": "(sensitive value)"}
state_snapshot:
  description: The absolute path of the pre-apply state snapshot.
  returned: when O(state_snapshot) is set and not in check mode
  type: str
  sample: /srv/bbws/artifacts/20260101T000000Z-dev/state-before-apply.json
state_serial:
  description: The serial of the state before the apply (find that version in the state bucket to roll back).
  returned: when O(state_snapshot) is set and not in check mode
  type: int
  sample: 41
state_lineage:
  description: The lineage of the state before the apply.
  returned: when O(state_snapshot) is set and not in check mode
  type: str
  sample: a8c98b51-d49f-579b-624f-8472f4ec3cb0
state_version:
  description:
    - The state object before the apply - C(bucket), C(key), C(version_id) and C(restore_command), the exact command
      that makes that version the current state again. Also written next to O(state_snapshot) (C(.version.json)).
  returned: when O(state_bucket), O(state_key) and O(state_snapshot) are set and not in check mode
  type: dict
  sample: {"bucket": "bbws-terraform-state-536580886816", "key": "ecs-cluster/dev/terraform.tfstate",
           "version_id": "3HL4kqtJlcpXroDTDmJ", "restore_command": "aws s3api copy-object ..."}
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import AWSClients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import TerraformCommands
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import aws_environment
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import resolve_binary
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import run_apply
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import state_object_version
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import state_version_record
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformLimitExceeded


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            project_path=dict(type="path", required=True),
            plan_file=dict(type="path", required=True),
            expected_digest=dict(type="str", required=True),
            binary_path=dict(type="str", default="terraform"),
            lock_timeout=dict(type="str", default="60s"),
            state_snapshot=dict(type="path"),
            state_bucket=dict(type="str"),
            state_key=dict(type="str", no_log=False),
        ),
        supports_check_mode=True,
        required_together=[["state_bucket", "state_key"]],
    )
    params = module.params
    clients = AWSClients.from_module(module)
    version = None
    if params["state_bucket"] and params["state_snapshot"] and not module.check_mode:
        try:
            version = state_object_version(clients.client("s3"), params["state_bucket"], params["state_key"])
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            fail_aws(module, e, clients, action="read the state object's version")
    try:
        commands = TerraformCommands(
            module.run_command, params["project_path"], resolve_binary(params["binary_path"]), aws_environment(params)
        )
        result = run_apply(
            commands,
            params["plan_file"],
            params["expected_digest"],
            state_snapshot=params["state_snapshot"],
            lock_timeout=params["lock_timeout"],
            check_mode=module.check_mode,
        )
    except TerraformLimitExceeded as e:
        if module.region:  # the quota and usage reads need the stack's region; without one the error stays as it is
            e.explain(clients.client, module.region)
        e.fail_json(module, api_calls=clients.api_calls)
    except TerraformError as e:
        e.fail_json(module, api_calls=clients.api_calls)
    if params["state_bucket"] and params["state_snapshot"] and not module.check_mode:
        result["state_version"] = state_version_record(
            params["state_snapshot"], params["state_bucket"], params["state_key"], version, params.get("profile")
        )
    module.exit_json(api_calls=clients.api_calls, **result)


if __name__ == "__main__":
    main()
