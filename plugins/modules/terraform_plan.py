#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: terraform_plan
version_added: 1.0.0
short_description: Plan a Terraform root module to a plan file and summarise what it would change
description:
  - Runs C(terraform init -input=false) (with O(backend_config)), then
    C(terraform plan -input=false -lock-timeout=... -detailed-exitcode -out=PLAN), then C(terraform show -json PLAN).
  - Returns the SHA-256 digest of the plan file, which an approval is bound to, and a summary built from the
    JSON plan's C(actions) (never from Terraform's text).
  - The C(changed) result is true when the plan has changes, so in check mode it is the drift signal.
  - The plan refreshes the state first (Terraform's default), so RV(summary.drift) lists what changed outside
    Terraform, attribute by attribute, and what the next apply would do to each resource.
  - It only plans (it writes the plan file and Terraform's working directory), so it runs the same in check mode.
  - Failures are reported as one clear message - state locked (by whom, since when, the lock ID and the
    C(terraform force-unlock) command; the lock is never released by this module), Terraform not installed,
    providers that cannot be installed, AWS service limits (not retried).
  - The AWS connection options are handed to Terraform as C(AWS_PROFILE), C(AWS_REGION), ... environment variables.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  project_path:
    description: The Terraform root module directory.
    type: path
    required: true
  plan_file:
    description: Where to write the plan file (its directory is created).
    type: path
    required: true
  variables_file:
    description: A tfvars JSON file passed as C(-var-file).
    type: path
  backend_config:
    description:
      - Backend settings passed as C(-backend-config=key=value) to C(terraform init).
      - Empty means the configuration's own backend (local state for a root without a backend block).
    type: dict
    default: {}
  binary_path:
    description: The Terraform executable, a name looked up on C(PATH) or a full path.
    type: str
    default: terraform
  lock_timeout:
    description: How long to wait for the state lock before failing (Terraform duration, e.g. C(60s)).
    type: str
    default: 60s
  protected_resource_types:
    description: Resource types whose deletion or replacement is reported in RV(summary.protected_changes).
    type: list
    elements: str
    default: []
  identifier_attributes:
    description:
      - Per resource type, the attribute that names the existing object (returned as C(identifier) in each
        resource change), e.g. C(aws_db_instance=identifier) to know which database to snapshot.
      - Types not listed use C(id). Values Terraform marks sensitive are never returned.
    type: dict
    default: {aws_db_instance: identifier}
  destroy:
    description: Plan the destruction of everything in the state (C(terraform plan -destroy)).
    type: bool
    default: false
  targets:
    description:
      - Plan only these resource addresses and what they depend on (C(-target=ADDRESS) each), e.g. the
        C(terraform apply -target=...) fix a health report gives for one drifted resource.
      - Each must be a resource address (C(aws_vpc_security_group_ingress_rule.rds_from_ecs), C(aws_subnet.private[0]),
        C(module.x.aws_s3_bucket.y)); anything else is refused before Terraform runs. Empty plans everything.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Plan the cluster stack for dev
  bbws.ecs_cluster.terraform_plan:
    profile: Tebogo-dev
    region: af-south-1
    project_path: "{{ playbook_dir }}/../terraform"
    plan_file: artifacts/20260101T000000Z-dev/cluster.tfplan
    variables_file: artifacts/20260101T000000Z-dev/terraform.tfvars.json
    backend_config:
      bucket: bbws-terraform-state-536580886816
      key: ecs-cluster/dev/terraform.tfstate
      region: af-south-1
      encrypt: true
      use_lockfile: true
    protected_resource_types: [aws_db_instance, aws_efs_file_system]
  register: plan
"""

RETURN = r"""
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"service-quotas.GetServiceQuota": 1, "ec2.DescribeVpcs": 1}
digest:
  description: SHA-256 of the plan file's bytes; approvals and M(bbws.ecs_cluster.terraform_apply) are bound to it.
  returned: success
  type: str
  sample: 3f1c9e0b5a7d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e
plan_file:
  description: The absolute path of the plan file.
  returned: success
  type: str
  sample: /srv/bbws/artifacts/20260101T000000Z-dev/cluster.tfplan
summary:
  description: What the plan changes, from the JSON plan's actions.
  returned: success
  type: dict
  contains:
    add:
      description: Resources to create.
      type: int
      returned: success
      sample: 62
    change:
      description: Resources to update in place.
      type: int
      returned: success
      sample: 0
    destroy:
      description: Resources to delete (not counting replacements).
      type: int
      returned: success
      sample: 0
    replace:
      description: Resources to delete and create again.
      type: int
      returned: success
      sample: 0
    resource_changes:
      description: Every managed resource with changes - C(address), C(type), C(actions), C(kind) and, when the
        object exists, C(identifier).
      type: list
      elements: dict
      returned: success
      sample: [{"address": "aws_db_instance.this[0]", "type": "aws_db_instance", "actions": ["update"],
                "kind": "update", "identifier": "bbws-dev-mysql"}]
    protected_changes:
      description: Addresses of resources of O(protected_resource_types) whose actions include delete (replace too).
      type: list
      elements: str
      returned: success
      sample: ["aws_db_instance.this[0]"]
    has_destroy:
      description: Whether any resource is deleted or replaced.
      type: bool
      returned: success
      sample: false
    drift:
      description:
        - Every managed resource whose real object differs from the state, found by the plan's refresh (the JSON
          plan's C(resource_drift)) - changed or deleted outside Terraform.
        - Each has C(address), C(type), C(drift) (C(update) - changed, C(delete) - gone), C(changed_attributes)
          (C(attribute) path such as C(tags.Owner), C(before), C(after), C(sensitive)), C(next_apply) (what the next
          apply does to it - C(update), C(replace), C(create), C(delete) or C(none) when the configuration ignores
          or matches the change) and, when known, C(identifier).
        - A value Terraform marks sensitive on either side (C(before_sensitive), C(after_sensitive)) is never
          returned, only the mask C((sensitive value)).
      type: list
      elements: dict
      returned: success
      sample: [{"address": "aws_security_group.alb", "type": "aws_security_group", "drift": "update",
                "changed_attributes": [{"attribute": "tags.Owner", "before": "platform", "after": "someone",
                                        "sensitive": false}],
                "next_apply": "update", "identifier": "sg-0123456789abcdef0"}]
    terraform_version:
      description: The Terraform version that made the plan.
      type: str
      returned: success
      sample: 1.15.5
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import TerraformCommands
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import aws_environment
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import resolve_binary
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import run_plan
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import AWSClients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformLimitExceeded


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            project_path=dict(type="path", required=True),
            plan_file=dict(type="path", required=True),
            variables_file=dict(type="path"),
            backend_config=dict(type="dict", default={}),
            binary_path=dict(type="str", default="terraform"),
            lock_timeout=dict(type="str", default="60s"),
            protected_resource_types=dict(type="list", elements="str", default=[]),
            identifier_attributes=dict(type="dict", default={"aws_db_instance": "identifier"}),
            destroy=dict(type="bool", default=False),
            targets=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    clients = AWSClients.from_module(module)
    try:
        commands = TerraformCommands(
            module.run_command, params["project_path"], resolve_binary(params["binary_path"]), aws_environment(params)
        )
        result = run_plan(
            commands,
            params["plan_file"],
            variables_file=params["variables_file"],
            backend_config=params["backend_config"],
            lock_timeout=params["lock_timeout"],
            protected_resource_types=params["protected_resource_types"],
            identifier_attributes=params["identifier_attributes"],
            destroy=params["destroy"],
            targets=params["targets"],
        )
    except TerraformLimitExceeded as e:
        if module.region:  # the quota and usage reads need the stack's region; without one the error stays as it is
            e.explain(clients.client, module.region)
        e.fail_json(module, api_calls=clients.api_calls)
    except TerraformError as e:
        e.fail_json(module, api_calls=clients.api_calls)
    summary = result["summary"]
    module.exit_json(
        diff={"before": "", "after": "\n".join(f"{c['kind']}: {c['address']}" for c in summary["resource_changes"])},
        api_calls=clients.api_calls,
        **result,
    )


if __name__ == "__main__":
    main()
