#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: route53_delegation
version_added: 1.0.0
short_description: Delegate subdomains of a parent Route 53 zone to hosted zones in other AWS accounts
description:
  - Runs with the parent account's credentials (the usual O(profile), O(access_key), ... options) and,
    for every entry of O(children), with that child account's own credentials.
  - For each child it asserts the child's credentials land in the child's account (refusing, with nothing
    written, when they land elsewhere), finds the child's public hosted zone by exact name and reads the
    name servers Route 53 assigned to it.
  - It then finds the parent's public hosted zone the same way, reads its NS record sets, and writes only
    what differs, all children in one C(ChangeResourceRecordSets) batch (C(UPSERT), or C(DELETE) for
    O(state=absent)), and waits for the change to be C(INSYNC).
  - More than one public zone with the exact name (in the parent or a child account) is refused with the
    list of zone IDs; none is a clear error naming the zone.
  - Reports dangling delegations (the parent delegates a managed name whose zone is gone or whose name
    servers differ, a subdomain-takeover risk), managed children without delegation, and NS record sets
    in the parent that this run does not manage.
  - When a child account cannot be reached, fails with the manual steps (console and
    C(aws route53 change-resource-record-sets) JSON) for the teams to do it by hand.
  - In check mode nothing is written; C(changed) and RV(diff) say what would change.
author:
  - BBWS Platform Engineering (@bbws-platform)
requirements:
  - dnspython (only for O(verify_dns=true))
options:
  parent_zone:
    description: Name of the parent public hosted zone, for example C(kimmyai.io).
    type: str
    required: true
  parent_account_id:
    description: When given, the parent credentials must land in this account (checked before anything else).
    type: str
  children:
    description:
      - The delegated subdomains. Each entry names the child zone, the account that owns it and the
        credentials that read it (O(children[].profile), or keys, or O(children[].role_arn) assumed with the
        parent's credentials).
    type: list
    elements: dict
    required: true
    suboptions:
      zone:
        description: The child zone, a subdomain of O(parent_zone), for example C(wpdev.kimmyai.io).
        type: str
        required: true
      account_id:
        description: The 12-digit account that owns the child zone; the child credentials must land in it.
        type: str
        required: true
      environment:
        description: The environment of the child account (used in messages).
        type: str
      profile:
        description: AWS profile with read access to the child zone.
        type: str
      access_key:
        description: Access key ID for the child account (instead of O(children[].profile)).
        type: str
      secret_key:
        description: Secret access key for the child account.
        type: str
      session_token:
        description: Session token for the child account's temporary credentials.
        type: str
      role_arn:
        description: A role in the child account to assume with the parent's credentials.
        type: str
  known_accounts:
    description:
      - The account registry (the inventory's C(bbws_environments)), so an account mismatch names the
        environment and profile of the account that was found.
    type: dict
  ttl:
    description:
      - TTL of the NS record sets written in the parent, in seconds.
      - From 60 (the floor for a delegation) to 2147483647 (Route 53's maximum); anything else is refused before any
        AWS call.
    type: int
    default: 300
  state:
    description:
      - V(present) writes the delegations; V(absent) removes the NS record sets (the safe first step before
        deleting a child zone, so the name never points at servers nobody controls).
    type: str
    choices: [present, absent]
    default: present
  wait:
    description: Wait for the change to be C(INSYNC) on all Route 53 name servers.
    type: bool
    default: true
  wait_timeout:
    description: How long to wait for C(INSYNC), in seconds; the task fails when the change is still pending.
    type: int
    default: 300
  verify_dns:
    description:
      - Ask the parent zone's authoritative servers (recursion off) for each child's NS and check the referral
        lists exactly the child zone's name servers, then ask each of those for the child's SOA.
    type: bool
    default: false
  nameservers:
    description:
      - Resolver addresses used to find the name servers' addresses for O(verify_dns). Default is the system
        resolver.
    type: list
    elements: str
  port:
    description: The DNS port of the resolver and of the authoritative servers, for O(verify_dns).
    type: int
    default: 53
  timeout:
    description: Seconds to wait for each DNS answer, for O(verify_dns).
    type: float
    default: 3.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Delegate wpdev and wpsit from the prod account's kimmyai.io zone
  bbws.ecs_cluster.route53_delegation:
    profile: Tebogo-prod
    parent_zone: kimmyai.io
    parent_account_id: "093646564004"
    children:
      - zone: wpdev.kimmyai.io
        account_id: "536580886816"
        profile: Tebogo-dev
      - zone: wpsit.kimmyai.io
        account_id: "815856636111"
        profile: Tebogo-sit
    verify_dns: true
  register: delegation

- name: Remove the wpsit delegation before its zone is deleted
  bbws.ecs_cluster.route53_delegation:
    profile: Tebogo-prod
    parent_zone: kimmyai.io
    children:
      - zone: wpsit.kimmyai.io
        account_id: "815856636111"
        profile: Tebogo-sit
    state: absent
"""

RETURN = r"""
parent:
  description: The parent zone.
  returned: always
  type: dict
  sample: {"zone": "kimmyai.io", "id": "Z0123456789ABCDEFGHIJ", "nameservers": ["ns-1.awsdns-1.com"]}
delegations:
  description: One entry per child.
  returned: always
  type: list
  elements: dict
  contains:
    zone:
      description: The child zone.
      returned: always
      type: str
      sample: wpdev.kimmyai.io
    account_id:
      description: The account the child credentials were verified to be in.
      returned: always
      type: str
      sample: "536580886816"
    nameservers:
      description: The child zone's name servers (for V(absent), the values removed from the parent).
      returned: always
      type: list
      elements: str
      sample: ["ns-123.awsdns-12.com", "ns-456.awsdns-45.net", "ns-789.awsdns-78.org", "ns-012.awsdns-01.co.uk"]
    action:
      description: What was (or in check mode would be) done.
      returned: always
      type: str
      sample: created
    change_id:
      description: The Route 53 change that wrote it; null when nothing was written.
      returned: always
      type: str
      sample: C2682N5HXP0BZ4
    verification:
      description: The DNS check (status V(delegated), V(propagating), V(lame), V(mismatch) or V(unreachable)).
      returned: when O(verify_dns=true)
      type: dict
      sample: {"status": "delegated", "message": "wpdev.kimmyai.io is delegated to ...; all answer."}
change:
  description: The single change batch written (id, status after the wait); null when nothing was written.
  returned: always
  type: dict
  sample: {"id": "C2682N5HXP0BZ4", "status": "INSYNC"}
dangling_delegations:
  description:
    - Managed names the parent delegated, before this run, to servers that no child zone uses (zone gone or
      name servers differ), a subdomain-takeover risk. This run repairs (or removes) them unless in check mode.
  returned: always
  type: list
  elements: dict
  sample: [{"zone": "wpsit.kimmyai.io", "nameservers": ["ns-1.example.net"],
            "reason": "the delegated name servers differ from the child zone's"}]
undelegated:
  description: Children the parent did not delegate before this run.
  returned: always
  type: list
  elements: str
  sample: ["wpdev.kimmyai.io"]
unmanaged_delegations:
  description: NS record sets in the parent for names not in O(children); check who owns them.
  returned: always
  type: list
  elements: dict
  sample: [{"zone": "old.kimmyai.io", "nameservers": ["ns-9.awsdns-9.com"]}]
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"route53.ListHostedZonesByName": 3, "route53.ChangeResourceRecordSets": 1}
diff:
  description: NS values (and TTL) per child before and after.
  returned: always
  type: dict
  sample: {"before": {"wpdev.kimmyai.io": null},
           "after": {"wpdev.kimmyai.io": {"ttl": 300, "nameservers": ["ns-1.awsdns-1.com"]}}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import AWSClients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.route53_delegation_run import DelegationFailed
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.route53_delegation_run import DelegationRun


def main():
    child_spec = dict(
        zone=dict(type="str", required=True),
        account_id=dict(type="str", required=True),
        environment=dict(type="str"),
        profile=dict(type="str"),
        access_key=dict(type="str", no_log=False),
        secret_key=dict(type="str", no_log=True),
        session_token=dict(type="str", no_log=True),
        role_arn=dict(type="str"),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            parent_zone=dict(type="str", required=True),
            parent_account_id=dict(type="str"),
            children=dict(
                type="list",
                elements="dict",
                required=True,
                options=child_spec,
                required_one_of=[["profile", "access_key", "role_arn"]],
                mutually_exclusive=[["profile", "access_key", "role_arn"]],
                required_together=[["access_key", "secret_key"]],
            ),
            known_accounts=dict(type="dict"),
            ttl=dict(type="int", default=300),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
            verify_dns=dict(type="bool", default=False),
            nameservers=dict(type="list", elements="str"),
            port=dict(type="int", default=53),
            timeout=dict(type="float", default=3.0),
        ),
        supports_check_mode=True,
    )
    clients = AWSClients.from_module(module)
    try:
        result = DelegationRun(module.params, clients.client, check_mode=module.check_mode).run()
    except DelegationFailed as e:
        if e.error is not None:
            module.fail_json_aws(e.error, msg=e.msg, api_calls=clients.api_calls, **e.extra)
        module.fail_json(msg=e.msg, api_calls=clients.api_calls, **e.extra)
    module.exit_json(api_calls=clients.api_calls, **result)


if __name__ == "__main__":
    main()
