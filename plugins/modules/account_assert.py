#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: account_assert
version_added: 1.0.0
short_description: Refuse to go on unless the AWS credentials are in the expected account
description:
  - Calls STS C(GetCallerIdentity) with the given credentials and compares the account with
    O(expected_account_id).
  - On a mismatch the task fails with a message that starts with C(Account ID mismatch) followed by the expected
    account and environment and the account found, names the environment and profile the found account belongs
    to (from O(known_accounts)) and says how to fix it.
  - It only reads, so it behaves the same in check mode and never reports C(changed).
  - When the host belongs to an environment group of the inventory (C(bbws_<environment>)), the task also checks
    that the host's group, O(environment), O(expected_account_id) and O(profile) all name the same environment of
    O(known_accounts), and that no other host of the play claims that environment; then it sets the fact
    C(bbws_guard_proof), which every role of the collection that touches AWS verifies before its first task.
    The proof is bound to this C(ansible-playbook) run, the host, the account and the profiles asserted.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  expected_account_id:
    description: The 12-digit AWS account ID the credentials must belong to.
    type: str
    required: true
  environment:
    description: The environment the run targets, used in messages and checked against O(known_accounts).
    type: str
    choices: [dev, sit, prod]
  known_accounts:
    description:
      - The account registry, so that a mismatch can name the environment and profile of the account found.
      - Keyed by account ID with C(environment) and C(profile) values, or keyed by environment with
        C(account_id) and C(profile) values (the inventory's C(bbws_environments) as it is).
      - Two environments claiming the same account is an error.
    type: dict
  additional_profiles:
    description:
      - Other profiles the run uses, each asserted against its own account in the same task (for example the
        child accounts whose zones the DNS delegation reads with their profiles).
    type: list
    elements: dict
    default: []
    suboptions:
      profile:
        description: The AWS profile.
        type: str
        required: true
      account_id:
        description: The account the profile must land in.
        type: str
        required: true
      environment:
        description: The environment that account belongs to.
        type: str
      zone:
        description: What the profile is used for (informational).
        type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Assert the prod profile lands in the prod account
  bbws.ecs_cluster.account_assert:
    profile: Tebogo-prod
    expected_account_id: "093646564004"
    environment: prod
    known_accounts: "{{ bbws_environments }}"
"""

RETURN = r"""
account_id:
  description: The account the credentials belong to (equal to O(expected_account_id)).
  returned: success
  type: str
  sample: "093646564004"
arn:
  description: The ARN of the calling identity.
  returned: success
  type: str
  sample: arn:aws:sts::093646564004:assumed-role/operator/Tebogo-prod
user_id:
  description: The unique identifier of the calling identity.
  returned: success
  type: str
  sample: AROAEXAMPLE:Tebogo-prod
environment:
  description: The environment of the account, from O(environment) or O(known_accounts).
  returned: success
  type: str
  sample: prod
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"sts.GetCallerIdentity": 2}
verified:
  description: Every profile asserted by this task and the account it landed in.
  returned: success
  type: list
  elements: dict
  sample: [{"profile": "Tebogo-prod", "account_id": "093646564004", "environment": "prod"}]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import AccountMismatchError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import assert_account
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import caller_identity
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import normalize_known_accounts
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import validate_account_id
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import AWSClients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import ambient_keys_message
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import missing_profile_message


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            expected_account_id=dict(type="str", required=True),
            environment=dict(type="str", choices=["dev", "sit", "prod"]),
            known_accounts=dict(type="dict"),
            additional_profiles=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    profile=dict(type="str", required=True),
                    account_id=dict(type="str", required=True),
                    environment=dict(type="str"),
                    zone=dict(type="str"),
                ),
            ),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        validate_account_id(params["expected_account_id"])
        normalize_known_accounts(params["known_accounts"])
        for other in params["additional_profiles"]:
            validate_account_id(other["account_id"], what=f"account_id of profile {other['profile']}")
    except ValueError as e:
        module.fail_json(msg=str(e))

    checks = [(params.get("profile"), params["expected_account_id"], params.get("environment"), True)]
    checks += [(o["profile"], o["account_id"], o.get("environment"), False) for o in params["additional_profiles"]]
    verified = []
    clients = AWSClients.from_module(module)
    for profile, account_id, environment, own in checks:
        problem = missing_profile_message(profile) or (ambient_keys_message(profile, params) if own else None)
        if problem:
            module.fail_json(msg=problem, api_calls=clients.api_calls)
        try:
            identity = caller_identity(clients.client, None if own else profile)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            fail_aws(module, e, clients, profile=profile)
        try:
            result = assert_account(
                identity,
                account_id,
                environment=environment,
                known_accounts=params.get("known_accounts"),
                profile=profile,
            )
        except AccountMismatchError as e:
            module.fail_json(
                msg=str(e),
                account_id=identity.get("Account"),
                expected_account_id=account_id,
                api_calls=clients.api_calls,
            )
        verified.append(
            {"profile": profile or "", "account_id": result["account_id"], "environment": result["environment"]}
        )
        if own:
            main_result = result
    module.exit_json(changed=False, verified=verified, api_calls=clients.api_calls, **main_result)


if __name__ == "__main__":
    main()
