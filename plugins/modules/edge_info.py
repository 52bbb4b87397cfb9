#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: edge_info
version_added: 1.0.0
short_description: Read an environment's CloudFront certificate and distribution, with what is still missing and why
description:
  - Reads, in one call, the environment's wildcard ACM certificate for CloudFront (in O(certificate_region),
    us-east-1), whether each of its DNS validation CNAMEs is in the Route 53 zone that holds it, and the
    environment's CloudFront distribution (found by O(distribution_id) or by its comment, O(name)).
  - Returns verdicts the edge role waits on in bounded C(until) loops, so progress shows on screen while it
    waits (C(certificate_state) V(issued), V(pending) or V(failed); C(distribution_state) V(deployed),
    V(in_progress) or V(missing)) and the cause of each, for example the validation CNAME missing from the zone.
  - It only reads; it never waits itself and never reports C(changed).
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  domain:
    description: The environment's domain; its certificate is the one for C(*.<domain>).
    type: str
    required: true
  zone:
    description:
      - The public hosted zone that holds the certificate's validation CNAMEs (the one the stack writes them to).
      - Where the account owns the root zone (prod adopts V(kimmyai.io)), there is no zone of the domain's own and
        this is the root zone. The edge role passes C(bbws_dns_zone).
      - Without it, the closest zone of the account that each record name falls under.
    type: str
  name:
    description: The stack's name (C(<project>-<environment>)), which terraform sets as the distribution's comment.
    type: str
    required: true
  certificate_arn:
    description:
      - The certificate to read (the stack output C(acm_certificate_arn)).
      - Without it, the distribution's viewer certificate is read, else the newest C(*.<domain>) certificate.
    type: str
  distribution_id:
    description:
      - The distribution to read (the stack output C(cloudfront_distribution_id)); without it, found by O(name).
    type: str
  certificate_region:
    description: The region of CloudFront certificates.
    type: str
    default: us-east-1
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait up to 10 minutes for the dev certificate, showing each retry
  bbws.ecs_cluster.edge_info:
    profile: Tebogo-dev
    domain: wpdev.kimmyai.io
    name: bbws-dev
  register: edge
  until: edge.certificate_state != 'pending'
  retries: 40
  delay: 15

- name: Read prod's edge; its validation CNAMEs live in the adopted root zone
  bbws.ecs_cluster.edge_info:
    profile: Tebogo-prod
    domain: wp.kimmyai.io
    zone: kimmyai.io
    name: bbws-prod
  register: edge
"""

RETURN = r"""
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"cloudfront.ListDistributions": 1, "acm.DescribeCertificate": 1}
certificate:
  description: The certificate; null when there is none for the domain.
  returned: always
  type: dict
  sample:
    arn: arn:aws:acm:us-east-1:536580886816:certificate/0b8c3f1e-1111-2222-3333-444455556666
    domain_name: "*.wpdev.kimmyai.io"
    status: PENDING_VALIDATION
    failure_reason: null
    validation_records:
      - {"name": "_x1.wpdev.kimmyai.io.", "type": "CNAME", "value": "_y1.acm-validations.aws.",
         "zone": "wpdev.kimmyai.io", "in_zone": false}
certificate_state:
  description: V(issued), V(pending) (may still be issued) or V(failed) (will not be; no certificate counts as failed).
  returned: always
  type: str
  sample: pending
certificate_cause:
  description: Why the certificate is in that state, in words an operator can act on.
  returned: always
  type: str
  sample: "the certificate's validation CNAME is not in the zone: _x1.wpdev.kimmyai.io. CNAME _y1.acm-validations.aws."
distribution:
  description: The distribution; null when there is none.
  returned: always
  type: dict
  sample: {"id": "E2QWRUHAPOMQZL", "arn": "arn:aws:cloudfront::536580886816:distribution/E2QWRUHAPOMQZL",
           "domain_name": "d111111abcdef8.cloudfront.net", "status": "InProgress", "aliases": ["*.wpdev.kimmyai.io"],
           "certificate_arn": "arn:aws:acm:us-east-1:536580886816:certificate/0b8c3f1e", "default_certificate": false}
distribution_state:
  description: V(deployed), V(in_progress) or V(missing).
  returned: always
  type: str
  sample: in_progress
distribution_cause:
  description:
    - The state in words; for V(in_progress) the note that deployments take 15-20 minutes and the id to monitor.
  returned: always
  type: str
  sample: "CloudFront deployments can take 15-20 minutes; monitor distribution E2QWRUHAPOMQZL in the AWS Console ..."
cloudfront_url:
  description:
    - The distribution's own URL (the fallback when the custom domain cannot be used); null without a distribution.
  returned: always
  type: str
  sample: https://d111111abcdef8.cloudfront.net
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import module_clients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.edge import read_edge


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            domain=dict(type="str", required=True),
            zone=dict(type="str"),
            name=dict(type="str", required=True),
            certificate_arn=dict(type="str"),
            distribution_id=dict(type="str"),
            certificate_region=dict(type="str", default="us-east-1"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    clients = module_clients(module)
    try:
        result = read_edge(
            acm=clients.client("acm", region=params["certificate_region"]),
            cloudfront=clients.client("cloudfront"),
            route53=clients.client("route53"),
            domain=params["domain"],
            comment=params["name"],
            certificate_arn=params.get("certificate_arn"),
            distribution_id=params.get("distribution_id"),
            zone=params.get("zone"),
        )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        fail_aws(module, e, clients)
    module.exit_json(changed=False, api_calls=clients.api_calls, **result)


if __name__ == "__main__":
    main()
