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
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import AccountMismatchError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import assert_account
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import normalize_known_accounts
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import validate_account_id
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import aws_client
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import connection_failure_message
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import missing_profile_message


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            expected_account_id=dict(type="str", required=True),
            environment=dict(type="str", choices=["dev", "sit", "prod"]),
            known_accounts=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        validate_account_id(params["expected_account_id"])
        normalize_known_accounts(params["known_accounts"])
    except ValueError as e:
        module.fail_json(msg=str(e))

    problem = missing_profile_message(params.get("profile"))
    if problem:
        module.fail_json(msg=problem)

    sts = aws_client(module, "sts")
    try:
        identity = sts.get_caller_identity(aws_retry=True)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json(msg=connection_failure_message(e, params.get("profile")))

    try:
        result = assert_account(
            identity,
            params["expected_account_id"],
            environment=params.get("environment"),
            known_accounts=params.get("known_accounts"),
            profile=params.get("profile"),
        )
    except AccountMismatchError as e:
        module.fail_json(msg=str(e), account_id=identity.get("Account"), expected_account_id=params["expected_account_id"])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
