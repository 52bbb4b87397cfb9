#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: terraform_plan_store
version_added: 1.1.0
short_description: Stash a Terraform plan in the state bucket, or load the approved plan for the apply
description:
  - A plan file records when it was made, so every plan has its own SHA-256 digest and an approval names one plan
    made by an earlier run. This module carries that plan from the plan run to the apply; it never plans.
  - O(mode=stash) uploads the run's plan file (C(stack.tfplan)), its summary (C(plan-summary.json)) and the provider
    lock file of O(project_path) (C(.terraform.lock.hcl), also copied into O(run_dir)) to
    C(s3://BUCKET/PREFIX/DIGEST/), server-side encrypted (AES256). An object that already has the same bytes is left
    alone. A plan file that no longer hashes to its summary's digest is not stashed.
  - O(mode=load) finds the plan whose digest is O(digest), or starts with it, among the plan summaries of this
    environment's runs in O(artifacts_dir) (C(ARTIFACTS/RUN-ENVIRONMENT/plan-summary.json)) made for O(project_path).
    It refuses, and nothing is applied, when O(digest) is not a full digest or its first O(short_digest_length)
    hexadecimal characters, when no plan matches, and when a prefix matches several plans.
  - With O(store=s3), an approved plan that is not in O(artifacts_dir) is first fetched from
    O(location) (or C(s3://BUCKET/PREFIX/DIGEST/stack.tfplan) for a full digest) into O(run_dir). The location must
    be in this store. The file must hash to the approved digest and its summary must say so and name O(environment);
    otherwise it is deleted and the run stops. The plan's provider lock file is then restored into O(project_path)
    and the working directory is initialised as the plan run's was (C(terraform init -reconfigure), with
    C(-lockfile=readonly) when the lock file was stored, and O(backend_config)). Last, the variable values recorded
    in the plan file are written to C(terraform.tfvars.json) in O(run_dir), so the plan with refresh after the apply
    uses the inputs the approved plan was made with.
  - In check mode nothing is uploaded, downloaded or initialised; C(changed) says whether something would be.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  mode:
    description: V(stash) a new plan in the store, or V(load) the approved plan.
    type: str
    required: true
    choices: [stash, load]
  environment:
    description: The environment the plan is for (C(dev), C(sit), C(prod)); run folders end in C(-ENVIRONMENT).
    type: str
    required: true
  project_path:
    description: The Terraform root module directory the plan was made for.
    type: path
    required: true
  run_dir:
    description:
      - With O(mode=stash), the run's artifacts folder that holds C(stack.tfplan) and C(plan-summary.json).
      - With O(mode=load) and O(store=s3), the folder a fetched plan is written to.
    type: path
  digest:
    description:
      - The approved plan's SHA-256 digest, or its first O(short_digest_length) characters (O(mode=load)).
    type: str
  short_digest_length:
    description: How many leading characters of a digest an approval may give instead of all 64.
    type: int
    default: 12
  artifacts_dir:
    description: The artifacts folder whose run folders hold the plan summaries of earlier runs (O(mode=load)).
    type: path
  store:
    description:
      - Where plans travel between runs for O(mode=load). V(local) - the artifacts folder only. V(s3) - also the
        bucket, from which a plan missing locally is fetched. O(mode=stash) always uses the bucket.
    type: str
    choices: [local, s3]
    default: local
  bucket:
    description: The plan store's S3 bucket (the account's state bucket).
    type: str
  prefix:
    description: The key prefix under which plans are stored by digest.
    type: str
    default: plans
  location:
    description:
      - The location the plan run published for the approved plan (C(s3://BUCKET/PREFIX/DIGEST/stack.tfplan)).
      - Needed when O(digest) is a short digest; must be a plan of O(bucket) under O(prefix).
    type: str
    default: ""
  backend_config:
    description: Backend settings for C(terraform init) of a fetched plan, as in M(bbws.ecs_cluster.terraform_plan).
    type: dict
    default: {}
  binary_path:
    description: The Terraform executable, a name looked up on C(PATH) or a full path.
    type: str
    default: terraform
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Stash the new plan in the state bucket
  bbws.ecs_cluster.terraform_plan_store:
    mode: stash
    profile: Tebogo-dev
    region: af-south-1
    environment: dev
    project_path: /srv/bbws/terraform
    run_dir: artifacts/20260101T000000Z-dev
    bucket: bbws-terraform-state-536580886816
    prefix: ecs-cluster/dev/plans
  register: stashed

- name: Load the approved plan, fetching it from the state bucket when this machine does not have it
  bbws.ecs_cluster.terraform_plan_store:
    mode: load
    profile: Tebogo-dev
    region: af-south-1
    environment: dev
    project_path: /srv/bbws/terraform
    digest: 3f1c9e0b5a7d
    artifacts_dir: artifacts
    run_dir: artifacts/20260102T000000Z-dev
    store: s3
    bucket: bbws-terraform-state-536580886816
    prefix: ecs-cluster/dev/plans
    location: s3://bbws-terraform-state-536580886816/ecs-cluster/dev/plans/3f1c9e0b5a7d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e/stack.tfplan
    backend_config:
      bucket: bbws-terraform-state-536580886816
      key: ecs-cluster/dev/terraform.tfstate
      region: af-south-1
  register: loaded
"""

RETURN = r"""
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"s3.HeadObject": 3, "s3.PutObject": 3}
location:
  description: Where the stashed plan file is (O(mode=stash)).
  returned: when O(mode=stash)
  type: str
  sample: s3://bbws-terraform-state-536580886816/ecs-cluster/dev/plans/3f1c9e0b5a7d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e/stack.tfplan
digest:
  description: The stashed plan's SHA-256 (O(mode=stash)).
  returned: when O(mode=stash)
  type: str
  sample: 3f1c9e0b5a7d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e
uploaded:
  description: The files uploaded (or, in check mode, that would be); files the store already had are not listed.
  returned: when O(mode=stash)
  type: list
  elements: str
  sample: [stack.tfplan, plan-summary.json, .terraform.lock.hcl]
plan:
  description:
    - The approved plan's summary as the plan run wrote it (C(environment), C(digest), C(plan_file), C(summary),
      ...; a fetched plan also has C(plan_location)). Empty in check mode when the plan would be fetched.
  returned: when O(mode=load)
  type: dict
  sample: {"environment": "dev", "digest": "3f1c9e0b5a7d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e",
           "plan_file": "/srv/bbws/artifacts/20260101T000000Z-dev/stack.tfplan", "changed": true,
           "summary": {"add": 3, "change": 0, "destroy": 0, "replace": 0}}
run_dir:
  description: The folder that holds the approved plan file, where the apply writes its artifacts.
  returned: when O(mode=load)
  type: str
  sample: /srv/bbws/artifacts/20260101T000000Z-dev
fetched:
  description: Whether the plan was fetched from the store.
  returned: when O(mode=load)
  type: bool
  sample: false
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import module_clients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import TerraformCommands
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import aws_environment
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import resolve_binary
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_plan_store import PlanStore
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_plan_store import load_plan
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_plan_store import stash_plan


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            mode=dict(type="str", required=True, choices=["stash", "load"]),
            environment=dict(type="str", required=True),
            project_path=dict(type="path", required=True),
            run_dir=dict(type="path"),
            digest=dict(type="str"),
            short_digest_length=dict(type="int", default=12),
            artifacts_dir=dict(type="path"),
            store=dict(type="str", choices=["local", "s3"], default="local"),
            bucket=dict(type="str"),
            prefix=dict(type="str", default="plans"),
            location=dict(type="str", default=""),
            backend_config=dict(type="dict", default={}),
            binary_path=dict(type="str", default="terraform"),
        ),
        required_if=[
            ["mode", "stash", ["run_dir", "bucket"]],
            ["mode", "load", ["digest", "artifacts_dir"]],
            ["store", "s3", ["run_dir", "bucket"]],
        ],
        supports_check_mode=True,
    )
    params = module.params
    stashing = params["mode"] == "stash"
    store = commands = None
    clients = module_clients(module)
    try:
        if stashing or params["store"] == "s3":
            store = PlanStore(clients.client("s3"), params["bucket"], params["prefix"])
        if stashing:
            result = stash_plan(store, params["run_dir"], params["project_path"], module.check_mode)
        else:
            if store is not None and not module.check_mode:
                binary = resolve_binary(params["binary_path"])
                commands = TerraformCommands(
                    module.run_command, params["project_path"], binary, aws_environment(params)
                )
            result = load_plan(
                params["digest"],
                params["environment"],
                params["project_path"],
                params["artifacts_dir"],
                short_length=params["short_digest_length"],
                store=store,
                commands=commands,
                fetch_dir=params["run_dir"] or "",
                location=params["location"],
                backend_config=params["backend_config"],
                check_mode=module.check_mode,
            )
    except TerraformError as e:
        e.fail_json(module, api_calls=clients.api_calls)
    except (BotoCoreError, ClientError) as e:
        action = "stash the plan in" if stashing else "fetch the approved plan from"
        fail_aws(module, e, clients, action=f"{action} the plan store")
    module.exit_json(api_calls=clients.api_calls, **result)


if __name__ == "__main__":
    main()
