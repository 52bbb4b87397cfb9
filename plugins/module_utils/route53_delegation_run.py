# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run of ``route53_delegation``: check the request, read the parent and every child, plan, write, verify.

The run takes the module's parameters as a plain dict and the collection's client factory
(``AWSClients.client(service, **credentials)``), never the module: the entry file builds the module and its (counted)
clients, calls :meth:`DelegationRun.run` and turns its result into ``exit_json``, or a :class:`DelegationFailed` into
``fail_json_aws`` (an AWS error) or ``fail_json``. So the order of the steps, and
what each failure reports, are unit-tested with stubbed clients, and tested against the emulator through the module.
"""

from __future__ import annotations

from typing import Any
from typing import Callable

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # reported by AnsibleAWSModule
    BotoCoreError = ClientError = ()

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import dns_verify
from ansible_collections.bbws.ecs_cluster.plugins.module_utils import route53_delegation as r53d
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import AccountMismatchError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import assert_account
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import validate_account_id
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import ClientFactory
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import connection_failure_message
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import missing_profile_message


class DelegationFailed(Exception):
    """The run stops: ``msg`` is the task's message, ``extra`` the other keys of the failed result, ``error`` the AWS
    exception behind it (whose own words ``fail_json_aws`` adds after ``msg``), if any."""

    def __init__(self, msg: str, error: Exception | None = None, **extra: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.error = error
        self.extra = extra


class DelegationRun:
    """One run over ``params`` (the module's options); every AWS client comes from ``make_client``."""

    def __init__(
        self,
        params: dict[str, Any],
        make_client: ClientFactory,
        check_mode: bool = False,
        make_verifier: Callable[[], Any] | None = None,
    ) -> None:
        self.params = params
        self.make_client = make_client
        self.check_mode = check_mode
        self.make_verifier = make_verifier or self._dns_verifier
        self.parent_zone = r53d.normalize_name(params["parent_zone"])

    # -- the request ---------------------------------------------------------------------------
    def checked_children(self) -> list[dict[str, Any]]:
        """The children with normalized names and account IDs; refuses a bad request before any AWS call."""
        params = self.params
        children = [dict(child) for child in params["children"]]
        try:
            for child in children:
                child["zone"] = r53d.normalize_name(child["zone"])
                child["account_id"] = validate_account_id(child["account_id"], what=f"account_id of {child['zone']}")
                r53d.check_child_of_parent(child["zone"], self.parent_zone)
            if params.get("parent_account_id"):
                validate_account_id(params["parent_account_id"], what="parent_account_id")
            r53d.validate_ttl(params["ttl"])
        except (ValueError, r53d.DelegationError) as e:
            raise DelegationFailed(str(e)) from e
        names = [c["zone"] for c in children]
        if len(set(names)) != len(names):
            raise DelegationFailed(f"Each child zone may appear once in children, got: {', '.join(names)}")
        problem = missing_profile_message(params.get("profile"))
        if problem:
            raise DelegationFailed(problem)
        return children

    # -- parent --------------------------------------------------------------------------------
    def read_parent(self) -> tuple[Any, dict[str, str], dict[str, dict[str, Any]], list[str]]:
        """The parent's Route 53 client, zone, NS record sets and (for verify_dns) name servers."""
        profile = self.params.get("profile")
        route53 = self.make_client("route53")
        try:
            if self.params.get("parent_account_id"):
                identity = self.make_client("sts").get_caller_identity(aws_retry=True)
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
            raise DelegationFailed(str(e)) from e
        except (BotoCoreError, ClientError) as e:
            raise DelegationFailed(
                connection_failure_message(
                    e, profile, action=f"read the parent zone {self.parent_zone}", with_error=False
                ),
                error=e,
            ) from e
        return route53, zone, records, servers

    # -- children ------------------------------------------------------------------------------
    def credentials(self, child: dict[str, Any]) -> dict[str, str | None]:
        """boto3 client arguments for the child: its profile, its keys, or a role assumed from the parent."""
        creds: dict[str, str | None] = {
            "profile_name": None,
            "aws_access_key_id": None,
            "aws_secret_access_key": None,
            "aws_session_token": None,
        }
        if child.get("profile"):
            creds["profile_name"] = child["profile"]
        elif child.get("role_arn"):
            assumed = self.make_client("sts").assume_role(
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

    def read_child(self, child: dict[str, Any], parent: dict[str, str], records: dict[str, Any]) -> dict[str, Any]:
        """Assert the child account and read its zone's name servers ({nameservers: None} for state=absent)."""
        zone = child["zone"]
        where = f"account {child['account_id']}" + (f" ({child['environment']})" if child.get("environment") else "")
        profile = child.get("profile")
        try:
            problem = missing_profile_message(profile)
            if problem:
                raise r53d.DelegationError(problem)
            creds = self.credentials(child)
            identity = self.make_client("sts", **creds).get_caller_identity(aws_retry=True)
            assert_account(
                identity,
                child["account_id"],
                environment=child.get("environment"),
                known_accounts=self.params.get("known_accounts"),
                profile=profile,
            )
            if self.params["state"] == "absent":
                return {"nameservers": None}  # removal needs only the parent's record
            route53 = self.make_client("route53", **creds)
            found = r53d.find_public_zone(route53, zone, where=where)
            return {"nameservers": r53d.zone_nameservers(route53, found["id"]), "zone_id": found["id"]}
        except AccountMismatchError as e:
            raise DelegationFailed(f"Refusing to delegate {zone}: {e}") from e
        except r53d.ZoneNotFoundError as e:
            raise DelegationFailed(
                missing_zone_message(str(e), zone, records),
                dangling_delegations=r53d.find_dangling(records, {zone: None}),
            ) from e
        except r53d.AmbiguousZoneError as e:
            raise DelegationFailed(str(e)) from e
        except (r53d.DelegationError, BotoCoreError, ClientError) as e:
            aws_error = None if isinstance(e, r53d.DelegationError) else e
            reason = (
                str(e)
                if aws_error is None
                else connection_failure_message(
                    e, profile, action=f"read the child zone {zone} in {where}", with_error=False
                )
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
            raise DelegationFailed(
                f"Cannot reach the child account for {zone}: {reason}\n{steps}", error=aws_error, manual_steps=steps
            ) from e

    # -- the run -------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        """The task's result (without ``api_calls``, which the client factory counts)."""
        params = self.params
        children = self.checked_children()
        names = [c["zone"] for c in children]
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
        if changes and not self.check_mode:
            change = self.write(route53, parent, plans, {c["zone"]: c for c in children})

        delegations = []
        verifier = self.make_verifier() if params["verify_dns"] and params["state"] == "present" else None
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

        return {
            "changed": bool(changes),
            "parent": {"zone": parent["name"], "id": parent["id"], "nameservers": parent_servers},
            "delegations": delegations,
            "change": change,
            "dangling_delegations": dangling,
            "undelegated": [c["zone"] for c in children if c["zone"] not in records],
            "unmanaged_delegations": r53d.unmanaged_delegations(records, names),
            "diff": {
                "before": {p["zone"]: p["before"] for p in plans},
                "after": {p["zone"]: p["after"] for p in plans},
            },
        }

    def write(self, route53: Any, parent: dict[str, str], plans: list[dict], children: dict[str, dict]) -> dict:
        """One change batch for every child that changes; waits for INSYNC when asked."""
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
                e, params.get("profile"), action=f"write the NS records in {self.parent_zone}", with_error=False
            )
            raise DelegationFailed(f"{msg}\n{steps}".strip(), error=e, manual_steps=steps) from e
        if params["wait"] and change["status"] != "INSYNC":
            raise DelegationFailed(
                f"Route 53 change {change['id']} is still {change['status']} after {params['wait_timeout']}s. "
                "It was accepted and completes on its own: check it with aws route53 get-change "
                f"--id {change['id']}, or re-run (it will report unchanged).",
                changed=True,
                change=change,
            )
        return change

    def _dns_verifier(self) -> Any:
        if not dns_verify.HAS_DNSPYTHON:
            raise DelegationFailed(missing_required_lib("dnspython"))
        params = self.params
        return dns_verify.Verifier(params.get("nameservers"), port=params["port"], timeout=params["timeout"])


def missing_zone_message(message: str, zone: str, records: dict[str, Any]) -> str:
    """The child zone is gone: say so, and whether the parent still delegates the name (a takeover risk)."""
    current = records.get(zone)
    if not current:
        return f"{message} Create it in the child account first (terraform does), then re-run."
    return (
        f"{message} The parent still delegates {zone} to {', '.join(current['nameservers'])}: a dangling "
        "delegation (subdomain-takeover risk: whoever gets a zone on those servers answers for the name). "
        "Recreate the child zone, or remove the delegation with state=absent."
    )
