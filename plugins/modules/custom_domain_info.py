#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: custom_domain_info
version_added: 1.1.0
short_description: Decide, read-only, whether an environment serves its custom domain
description:
  - The one decision every phase uses for the stack's C(enable_custom_domain), so that a re-run plans the same
    domain as the run before it and never removes a live custom domain by accident.
  - O(mode=on) and O(mode=off) are taken as they are. O(mode=auto) is decided from what is true now, in this order -
    a fallback recorded by the edge phase keeps the environment on CloudFront's default certificate (no flipping
    between runs); a distribution that already serves the domain keeps it; a domain in a zone of this account is on;
    otherwise the parent zone's delegation verdict (O(delegation)) decides, and without one the domain stays off.
  - Reads the edge record (a JSON value in an SSM parameter of the environment's account) and the environment's
    CloudFront distribution and certificate. Changes nothing, so it behaves the same in check mode.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  mode:
    description:
      - The inventory's C(bbws_custom_domain) - C(on), C(off) or C(auto).
      - YAML reads an unquoted C(on) or C(off) as a boolean; true and false are taken as C(on) and C(off).
    type: str
    default: auto
  domain:
    description: The environment's domain (C(wpdev.kimmyai.io)); empty means the environment has none.
    type: str
    default: ""
  name:
    description: The stack's name (C(<project>-<environment>)), the distribution's comment.
    type: str
    required: true
  owns_zone:
    description: Whether the domain lies in a hosted zone this account owns (no delegation needed).
    type: bool
    default: false
  delegation:
    description:
      - The parent zone's verdict on this environment's delegation, when the run has one - C(state) (verified,
        not_verified or unknown) and C(cause); other keys are ignored.
    type: dict
  certificate_region:
    description: The region of CloudFront certificates.
    type: str
    default: us-east-1
  record:
    description: The name of the SSM parameter that holds the edge record; without it no record is read.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Decide dev's custom domain
  bbws.ecs_cluster.custom_domain_info:
    profile: Tebogo-dev
    region: af-south-1
    mode: auto
    domain: wpdev.kimmyai.io
    name: bbws-dev
    record: /bbws/bbws/dev/custom-domain
  register: custom_domain
"""

RETURN = r"""
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"ssm.GetParameter": 1, "cloudfront.ListDistributions": 1, "acm.DescribeCertificate": 1}
enabled:
  description: Whether the stack serves the custom domain (the value of C(enable_custom_domain)).
  returned: success
  type: bool
  sample: true
source:
  description:
    - What decided - C(inventory), C(fallback_record), C(live), C(own_zone), C(delegation), C(unknown), C(no_domain).
  returned: success
  type: str
  sample: live
cause:
  description: The decision in one sentence.
  returned: success
  type: str
  sample: the distribution already serves wpdev.kimmyai.io
live:
  description: Whether the distribution serves the domain now (an alias of it, with an ISSUED certificate).
  returned: success
  type: bool
  sample: true
record:
  description: The edge record (C(state) enabled or fallback, C(cause), C(at)), or null when there is none.
  returned: success
  type: dict
  sample: {"state": "fallback", "cause": "ACM certificate validation timeout", "at": "2026-11-30T10:00:00Z"}
record_location:
  description: Where the record lives.
  returned: success
  type: str
  sample: ssm:/bbws/bbws/dev/custom-domain
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import custom_domain
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import module_clients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.edge import find_distribution


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            mode=dict(type="str", default="auto"),
            domain=dict(type="str", default=""),
            name=dict(type="str", required=True),
            owns_zone=dict(type="bool", default=False),
            delegation=dict(type="dict"),
            certificate_region=dict(type="str", default="us-east-1"),
            record=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    location = f"ssm:{params['record']}" if params.get("record") else ""
    clients = module_clients(module)
    try:
        text = custom_domain.read_record(clients.client("ssm"), params.get("record"))
        distribution = find_distribution(clients.client("cloudfront"), params["name"])
        arn = custom_domain.certificate_arn(distribution)
        status = None
        if arn:
            acm = clients.client("acm", region=params["certificate_region"])
            status = acm.describe_certificate(aws_retry=True, CertificateArn=arn)["Certificate"]["Status"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, clients, action="read the edge state")
    record = custom_domain.parse_record(text)
    live = custom_domain.serves(distribution, params["domain"], status)
    try:
        decision = custom_domain.decide(
            custom_domain.normalize_mode(params["mode"]),
            params["domain"],
            live,
            record,
            params["owns_zone"],
            params.get("delegation"),
            location,
        )
    except ValueError as e:
        module.fail_json(msg=str(e), api_calls=clients.api_calls)
    module.exit_json(
        changed=False, live=live, record=record, record_location=location, api_calls=clients.api_calls, **decision
    )


if __name__ == "__main__":
    main()
