#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: s3_bucket_replication
version_added: 1.3.0
short_description: Replicate every object of an S3 bucket to another bucket
description:
  - Sets a bucket's replication configuration to one rule that copies every object (empty prefix filter) to
    O(destination_bucket), enabled, priority 1, with delete marker replication, using the IAM role O(role_arn).
    amazon.aws has no module for bucket replication.
  - Idempotent - the bucket's current configuration is read and compared with the wanted one (in the form S3 answers
    with); it is written only when they differ, and any other rule of the bucket is replaced.
  - Both buckets must exist and be versioned. A missing source or destination bucket fails the task before anything
    is written; in check mode it is a warning, as the run that creates the bucket comes first.
  - In check mode nothing is written; the result says whether the run would change the configuration, and
    RV(diff) (shown with C(--diff)) holds the configuration before and after.
  - O(state=absent) removes the bucket's replication configuration.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  bucket:
    description: The source bucket, whose objects are replicated.
    type: str
    required: true
  state:
    description: Whether the bucket replicates (V(present)) or has no replication configuration (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  destination_bucket:
    description:
      - The bucket that receives the copies, by name or ARN; it may be in another region.
      - Required with O(state=present).
    type: str
  role_arn:
    description:
      - The IAM role S3 assumes to replicate (trusted by C(s3.amazonaws.com), allowed to read the source's versions and
        replication configuration and to replicate into the destination).
      - Required with O(state=present).
    type: str
  rule_id:
    description: The ID of the replication rule.
    type: str
    default: replicate-all-objects
  delete_marker_replication:
    description: Whether deletions (delete markers) are replicated too.
    type: bool
    default: true
  storage_class:
    description: The storage class of the copies; the destination's default (C(STANDARD)) when not set.
    type: str
    choices: [STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE,
              GLACIER_IR]
notes:
  - Replication copies objects written after the configuration is set; S3 Batch Replication copies older ones.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Replicate the state bucket to the disaster-recovery region
  bbws.ecs_cluster.s3_bucket_replication:
    profile: Tebogo-prod
    region: af-south-1
    bucket: bbws-terraform-state-093646564004
    destination_bucket: bbws-terraform-state-093646564004-eu-west-1
    role_arn: arn:aws:iam::093646564004:role/bbws-state-replication-af-south-1

- name: Stop replicating the bucket
  bbws.ecs_cluster.s3_bucket_replication:
    bucket: bbws-terraform-state-093646564004
    state: absent
"""

RETURN = r"""
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"s3.GetBucketReplication": 1, "s3.HeadBucket": 1, "s3.PutBucketReplication": 1}
replication_configuration:
  description: The bucket's replication configuration after the task (what it would be, in check mode); null without.
  returned: success
  type: dict
  sample:
    Role: arn:aws:iam::093646564004:role/bbws-state-replication-af-south-1
    Rules:
      - ID: replicate-all-objects
        Priority: 1
        Filter: {Prefix: ""}
        Status: Enabled
        DeleteMarkerReplication: {Status: Enabled}
        Destination: {Bucket: "arn:aws:s3:::bbws-terraform-state-093646564004-eu-west-1"}
diff:
  description: The replication configuration before and after the task (null where there is none).
  returned: success
  type: dict
  contains:
    before:
      description: The configuration the bucket had.
      type: dict
      returned: success
    after:
      description: The configuration the bucket has after the task (in check mode, would have).
      type: dict
      returned: success
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import s3_replication
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import module_clients

STORAGE_CLASSES = [
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
]


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            destination_bucket=dict(type="str"),
            role_arn=dict(type="str"),
            rule_id=dict(type="str", default=s3_replication.DEFAULT_RULE_ID),
            delete_marker_replication=dict(type="bool", default=True),
            storage_class=dict(type="str", choices=STORAGE_CLASSES),
        ),
        required_if=[("state", "present", ["destination_bucket", "role_arn"])],
        supports_check_mode=True,
    )
    params = module.params
    wanted = None
    if params["state"] == "present":
        # required_if lets an explicit null or empty value through.
        missing = [name for name in ("destination_bucket", "role_arn") if not params.get(name)]
        if missing:
            module.fail_json(
                msg=(
                    f"state=present needs {' and '.join(missing)}: the bucket that receives the copies and the IAM "
                    "role S3 replicates with. Nothing was changed."
                ),
                api_calls={},
            )
        try:
            wanted = s3_replication.wanted_configuration(
                params["role_arn"],
                params["destination_bucket"],
                params["rule_id"],
                params["delete_marker_replication"],
                params.get("storage_class"),
            )
        except s3_replication.ReplicationError as e:
            module.fail_json(msg=f"{e}. Nothing was changed.", api_calls={})
    clients = module_clients(module)
    try:
        result = s3_replication.ensure(clients.client("s3"), params["bucket"], wanted, module.check_mode)
    except s3_replication.ReplicationError as e:
        module.fail_json(msg=str(e), api_calls=clients.api_calls)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, clients, action=f"set the replication of bucket {params['bucket']}")
    for warning in result.pop("warnings"):
        module.warn(warning)
    module.exit_json(api_calls=clients.api_calls, **result)


if __name__ == "__main__":
    main()
