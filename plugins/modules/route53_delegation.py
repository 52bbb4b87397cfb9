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
  sample: [{"zone": "wpsit.kimmyai.io", "nameservers": ["ns-1.example.net"], "reason": "the delegated name servers differ from the child zone's"}]
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
  description: AWS API calls made by the module's clients, per operation (for throttling budgets).
  returned: always
  type: dict
  sample: {"route53.ListHostedZonesByName": 3, "route53.ChangeResourceRecordSets": 1}
diff:
  description: NS values (and TTL) per child before and after.
  returned: always
  type: dict
  sample: {"before": {"wpdev.kimmyai.io": null}, "after": {"wpdev.kimmyai.io": {"ttl": 300, "nameservers": ["ns-1.awsdns-1.com"]}}}
"""

from collections import Counter

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import dns_verify
from ansible_collections.bbws.ecs_cluster.plugins.module_utils import route53_delegation as r53d
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import AccountMismatchError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import assert_account
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import validate_account_id
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import connection_failure_message
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import missing_profile_message


class Delegation:
    """Orchestrates one run; every AWS call goes through clients built here, so they are all counted."""

    def __init__(self, module: AnsibleAWSModule) -> None:
        self.module = module
        self.params = module.params
        self.calls: Counter = Counter()
        self.parent_zone = r53d.normalize_name(self.params["parent_zone"])

    def client(self, service: str, **credentials):
        client = self.module.client(service, retry_decorator=AWSRetry.jittered_backoff(), **credentials)
        client.client.meta.events.register("before-call", self._count)
        return client

    def _count(self, model, **_kwargs) -> None:
        self.calls[f"{model.service_model.endpoint_prefix}.{model.name}"] += 1

    def fail(self, msg: str, **extra) -> None:
        self.module.fail_json(msg=msg, api_calls=dict(self.calls), **extra)

    # -- parent ------------------------------------------------------------------------------
    def read_parent(self) -> tuple:
        profile = self.params.get("profile")
        route53 = self.client("route53")
        try:
            if self.params.get("parent_account_id"):
                identity = self.client("sts").get_caller_identity(aws_retry=True)
                assert_account(
                    identity,
                    self.params["parent_account_id"],
                    known_accounts=self.params.get("known_accounts"),
                    profile=profile,
                )
            zone = r53d.find_public_zone(route53, self.parent_zone, where="the parent account")
            records = r53d.read_ns_records(route53, zone["id"], zone["name"])
            servers = r53d.zone_nameservers(route53, zone["id"]) if self.params["verify_dns"] else []
        except (AccountMismatchError, r53d.DelegationError) as e:
            self.fail(str(e))
        except (BotoCoreError, ClientError) as e:
            self.fail(connection_failure_message(e, profile, action=f"read the parent zone {self.parent_zone}"))
        return route53, zone, records, servers

    # -- children ----------------------------------------------------------------------------
    def credentials(self, child: dict) -> dict:
        """boto3 client arguments for the child: its profile, its keys, or a role assumed from the parent."""
        creds = {
            "profile_name": None,
            "aws_access_key_id": None,
            "aws_secret_access_key": None,
            "aws_session_token": None,
        }
        if child.get("profile"):
            creds["profile_name"] = child["profile"]
        elif child.get("role_arn"):
            assumed = self.client("sts").assume_role(
                aws_retry=True, RoleArn=child["role_arn"], RoleSessionName="bbws-route53-delegation"
            )["Credentials"]
            creds.update(
                aws_access_key_id=assumed["AccessKeyId"],
                aws_secret_access_key=assumed["SecretAccessKey"],
                aws_session_token=assumed["SessionToken"],
            )
        else:  # the argument spec requires one of profile, role_arn, access_key
            creds.update(
                aws_access_key_id=child["access_key"],
                aws_secret_access_key=child.get("secret_key"),
                aws_session_token=child.get("session_token"),
            )
        return creds

    def read_child(self, child: dict, parent: dict, records: dict) -> dict:
        """Assert the child account and read its zone's name servers; None when the zone does not exist."""
        zone = child["zone"]
        where = f"account {child['account_id']}" + (f" ({child['environment']})" if child.get("environment") else "")
        profile = child.get("profile")
        try:
            problem = missing_profile_message(profile)
            if problem:
                raise r53d.DelegationError(problem)
            creds = self.credentials(child)
            identity = self.client("sts", **creds).get_caller_identity(aws_retry=True)
            assert_account(
                identity,
                child["account_id"],
                environment=child.get("environment"),
                known_accounts=self.params.get("known_accounts"),
                profile=profile,
            )
            if self.params["state"] == "absent":
                return {"nameservers": None}  # removal needs only the parent's record
            route53 = self.client("route53", **creds)
            found = r53d.find_public_zone(route53, zone, where=where)
            return {"nameservers": r53d.zone_nameservers(route53, found["id"]), "zone_id": found["id"]}
        except AccountMismatchError as e:
            self.fail(f"Refusing to delegate {zone}: {e}")
        except r53d.ZoneNotFoundError as e:
            self.fail(
                self._missing_zone_message(str(e), zone, records),
                dangling_delegations=r53d.find_dangling(records, {zone: None}),
            )
        except r53d.AmbiguousZoneError as e:
            self.fail(str(e))
        except (r53d.DelegationError, BotoCoreError, ClientError) as e:
            reason = (
                str(e)
                if isinstance(e, r53d.DelegationError)
                else connection_failure_message(e, profile, action=f"read the child zone {zone} in {where}")
            )
            steps = r53d.manual_delegation_steps(
                self.parent_zone,
                parent["id"],
                zone,
                child["account_id"],
                profile,
                self.params.get("profile"),
                None,
                self.params["ttl"],
            )
            self.fail(f"Cannot reach the child account for {zone}: {reason}\n{steps}", manual_steps=steps)

    @staticmethod
    def _missing_zone_message(message: str, zone: str, records: dict) -> str:
        current = records.get(zone)
        if not current:
            return f"{message} Create it in the child account first (terraform does), then re-run."
        return (
            f"{message} The parent still delegates {zone} to {', '.join(current['nameservers'])}: a dangling "
            "delegation (subdomain-takeover risk: whoever gets a zone on those servers answers for the name). "
            "Recreate the child zone, or remove the delegation with state=absent."
        )

    # -- run ---------------------------------------------------------------------------------
    def run(self) -> None:
        params = self.params
        children = params["children"]
        try:
            for child in children:
                child["zone"] = r53d.normalize_name(child["zone"])
                child["account_id"] = validate_account_id(child["account_id"], what=f"account_id of {child['zone']}")
                r53d.check_child_of_parent(child["zone"], self.parent_zone)
            if params.get("parent_account_id"):
                validate_account_id(params["parent_account_id"], what="parent_account_id")
            r53d.validate_ttl(params["ttl"])
        except (ValueError, r53d.DelegationError) as e:
            self.fail(str(e))
        names = [c["zone"] for c in children]
        if len(set(names)) != len(names):
            self.fail(f"Each child zone may appear once in children, got: {', '.join(names)}")
        problem = missing_profile_message(params.get("profile"))
        if problem:
            self.fail(problem)

        route53, parent, records, parent_servers = self.read_parent()
        observed = {c["zone"]: self.read_child(c, parent, records) for c in children}
        plans = [
            r53d.plan_child(
                c["zone"], params["state"], params["ttl"], records.get(c["zone"]), observed[c["zone"]]["nameservers"]
            )
            for c in children
        ]
        dangling = r53d.find_dangling(
            records, {z: o["nameservers"] for z, o in observed.items() if o["nameservers"] is not None}
        )
        changes = [p["change"] for p in plans if p["change"]]
        change = None
        if changes and not self.module.check_mode:
            change = self.write(route53, parent, plans, {c["zone"]: c for c in children})

        delegations = []
        verifier = self._verifier() if params["verify_dns"] and params["state"] == "present" else None
        for child, plan in zip(children, plans):
            servers = observed[child["zone"]]["nameservers"] or (plan["before"] or {}).get("nameservers", [])
            entry = {
                "zone": child["zone"],
                "account_id": child["account_id"],
                "environment": child.get("environment"),
                "nameservers": servers,
                "action": plan["action"],
                "change_id": change["id"] if change and plan["change"] else None,
            }
            if verifier:
                entry["verification"] = verifier.verify(child["zone"], servers, parent_servers)
            delegations.append(entry)

        self.module.exit_json(
            changed=bool(changes),
            parent={"zone": parent["name"], "id": parent["id"], "nameservers": parent_servers},
            delegations=delegations,
            change=change,
            dangling_delegations=dangling,
            undelegated=[c["zone"] for c in children if c["zone"] not in records],
            unmanaged_delegations=r53d.unmanaged_delegations(records, names),
            api_calls=dict(self.calls),
            diff={
                "before": {p["zone"]: p["before"] for p in plans},
                "after": {p["zone"]: p["after"] for p in plans},
            },
        )

    def write(self, route53, parent: dict, plans: list, children: dict) -> dict:
        params = self.params
        changes = [p["change"] for p in plans if p["change"]]
        verb = "Remove" if params["state"] == "absent" else "Delegate"
        comment = f"{verb} {', '.join(p['zone'] for p in plans if p['change'])} (bbws.ecs_cluster.route53_delegation)"
        try:
            change = r53d.submit_changes(route53, parent["id"], changes, comment)
            if params["wait"] and change["status"] != "INSYNC":
                change["status"] = r53d.wait_insync(route53, change["id"], change["status"], params["wait_timeout"])
        except (BotoCoreError, ClientError) as e:
            steps = "\n\n".join(
                r53d.manual_delegation_steps(
                    self.parent_zone,
                    parent["id"],
                    p["zone"],
                    children[p["zone"]]["account_id"],
                    children[p["zone"]].get("profile"),
                    params.get("profile"),
                    (p["after"] or {}).get("nameservers"),
                    params["ttl"],
                )
                for p in plans
                if p["change"] and p["after"]
            )
            msg = connection_failure_message(
                e, params.get("profile"), action=f"write the NS records in {self.parent_zone}"
            )
            self.fail(f"{msg}\n{steps}".strip(), manual_steps=steps)
        if params["wait"] and change["status"] != "INSYNC":
            self.module.fail_json(
                changed=True,
                change=change,
                api_calls=dict(self.calls),
                msg=f"Route 53 change {change['id']} is still {change['status']} after {params['wait_timeout']}s. "
                "It was accepted and completes on its own: check it with aws route53 get-change "
                f"--id {change['id']}, or re-run (it will report unchanged).",
            )
        return change

    def _verifier(self):
        if not dns_verify.HAS_DNSPYTHON:
            self.fail(missing_required_lib("dnspython"))
        params = self.params
        return dns_verify.Verifier(params.get("nameservers"), port=params["port"], timeout=params["timeout"])


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
    Delegation(module).run()


if __name__ == "__main__":
    main()
