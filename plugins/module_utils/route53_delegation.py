# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-account NS delegation: read each child zone's name servers, write them into the parent zone.

Plain functions that take boto3 clients and values (never the module), so the planning, the
dangling-delegation report and the manual fallback are tested without AWS, and the AWS parts are
tested against the emulator. ``route53_delegation_run`` puts them in order for one run of the module.
"""

from __future__ import annotations

import json
import time
from typing import Any
from typing import Callable

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import paginate

PROPAGATION_HOURS = "48-72 hours"


class DelegationError(Exception):
    """A delegation cannot be done as asked; the message says why and what to do."""


class ZoneNotFoundError(DelegationError):
    """No public hosted zone has the exact name."""


class AmbiguousZoneError(DelegationError):
    """More than one public hosted zone has the exact name: refusing to guess."""


# Route 53 accepts TTLs from 0 to 2147483647 seconds. An NS delegation with a TTL under a minute makes every
# resolver ask the parent again almost at once; a TTL of 0 disables caching of the delegation altogether.
ROUTE53_MAX_TTL = 2147483647
NS_MIN_TTL = 60


def validate_ttl(ttl) -> int:
    """The NS delegation TTL, or DelegationError saying the accepted range (before anything is read or written)."""
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not NS_MIN_TTL <= ttl <= ROUTE53_MAX_TTL:
        raise DelegationError(
            f"ttl {ttl} is not accepted for an NS delegation: give whole seconds from {NS_MIN_TTL} to {ROUTE53_MAX_TTL}"
            f" (Route 53's maximum; {NS_MIN_TTL} is the floor for delegations, 300 to 172800 is usual). Nothing was"
            " written."
        )
    return ttl


def normalize_name(name: str) -> str:
    """Lower-case DNS name without the trailing dot (Route 53 returns names with it, inventories without)."""
    return str(name).strip().rstrip(".").lower()


def normalize_nameservers(values: list[str]) -> list[str]:
    return sorted({normalize_name(v) for v in values if str(v).strip()})


def check_child_of_parent(child: str, parent: str) -> None:
    if not normalize_name(child).endswith(f".{normalize_name(parent)}"):
        raise DelegationError(
            f"{child} is not a subdomain of {parent}: a parent zone can only delegate names below itself."
        )


# -- reading Route 53 ---------------------------------------------------------------------------


def find_public_zone(client: Any, name: str, where: str = "") -> dict[str, str]:
    """The one public hosted zone named exactly ``name``: {id, name}.

    Route 53 allows several zones with the same name. Taking the first one is how delegations get
    written from (or into) a zone nobody serves, so more than one is refused with the list.
    """
    wanted = normalize_name(name)
    found: list[dict] = []
    private: list[str] = []
    params: dict[str, str] = {"DNSName": wanted}
    while True:
        page = client.list_hosted_zones_by_name(aws_retry=True, **params)
        zones = page.get("HostedZones", [])
        for zone in zones:
            if normalize_name(zone["Name"]) != wanted:
                continue
            zone_id = zone["Id"].split("/")[-1]
            if zone.get("Config", {}).get("PrivateZone"):
                private.append(zone_id)
            else:
                found.append({"id": zone_id, "name": wanted, "comment": zone.get("Config", {}).get("Comment", "")})
        # Results are sorted by name: once a page ends past our name, no later page can hold it.
        past = zones and normalize_name(zones[-1]["Name"]) != wanted
        if not page.get("IsTruncated") or past:
            break
        params = {"DNSName": page["NextDNSName"], "HostedZoneId": page["NextHostedZoneId"]}
    location = f" in {where}" if where else ""
    if not found:
        extra = f" (only private zones have that name: {', '.join(private)})" if private else ""
        raise ZoneNotFoundError(f"No public hosted zone named {wanted}{location}{extra}.")
    if len(found) > 1:
        listing = "; ".join(f"{z['id']}" + (f" ({z['comment']})" if z["comment"] else "") for z in found)
        raise AmbiguousZoneError(
            f"{len(found)} public hosted zones are named {wanted}{location}: {listing}. Refusing to pick one: "
            "only one of them is served by the name servers the registrar (or parent) points at. Delete the "
            "stray zone(s), or keep one, then re-run."
        )
    return {"id": found[0]["id"], "name": wanted}


def zone_nameservers(client: Any, zone_id: str) -> list[str]:
    """The name servers Route 53 assigned to the zone (its delegation set)."""
    zone = client.get_hosted_zone(aws_retry=True, Id=zone_id)
    return normalize_nameservers(zone.get("DelegationSet", {}).get("NameServers", []))


def read_ns_records(client: Any, zone_id: str, zone_name: str) -> dict[str, dict[str, Any]]:
    """Every NS record set below the zone apex: name -> {ttl, values (as stored), nameservers (normalized)}."""
    apex = normalize_name(zone_name)
    records = paginate(client, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
    result: dict[str, dict[str, Any]] = {}
    for record in records:
        name = normalize_name(record["Name"])
        if record["Type"] != "NS" or name == apex:
            continue
        values = [r["Value"] for r in record.get("ResourceRecords", [])]
        result[name] = {"ttl": record.get("TTL"), "values": values, "nameservers": normalize_nameservers(values)}
    return result


# -- planning -----------------------------------------------------------------------------------


def plan_child(
    zone: str,
    state: str,
    ttl: int,
    current: dict[str, Any] | None,
    nameservers: list[str] | None,
) -> dict[str, Any]:
    """What to do for one child: {zone, action, before, after, change (the Route 53 change or None)}."""
    before = {"ttl": current["ttl"], "nameservers": current["nameservers"]} if current else None
    if state == "absent":
        if not current:
            return {"zone": zone, "action": "unchanged", "before": None, "after": None, "change": None}
        change = {
            "Action": "DELETE",
            # DELETE must repeat the record set exactly as stored (TTL and values), or Route 53 refuses it.
            "ResourceRecordSet": {
                "Name": f"{zone}.",
                "Type": "NS",
                "TTL": current["ttl"],
                "ResourceRecords": [{"Value": v} for v in current["values"]],
            },
        }
        return {"zone": zone, "action": "removed", "before": before, "after": None, "change": change}
    desired = normalize_nameservers(nameservers or [])
    after = {"ttl": ttl, "nameservers": desired}
    if before == after:
        return {"zone": zone, "action": "unchanged", "before": before, "after": after, "change": None}
    change = {
        "Action": "UPSERT",  # CREATE would fail on (or, in some emulators, duplicate) an existing set
        "ResourceRecordSet": {
            "Name": f"{zone}.",
            "Type": "NS",
            "TTL": ttl,
            "ResourceRecords": [{"Value": f"{ns}."} for ns in desired],
        },
    }
    action = "updated" if current else "created"
    return {"zone": zone, "action": action, "before": before, "after": after, "change": change}


def find_dangling(
    current: dict[str, dict[str, Any]],
    child_nameservers: dict[str, list[str] | None],
) -> list[dict[str, Any]]:
    """Delegations in the parent that point at servers no child zone uses: a subdomain-takeover risk.

    ``child_nameservers`` maps each managed child to its zone's name servers, or None when the child
    zone no longer exists. Whoever creates a zone that lands on the abandoned name servers answers for
    the name, so these are reported even when this run repairs or removes them.
    """
    dangling = []
    for zone, servers in child_nameservers.items():
        record = current.get(zone)
        if not record:
            continue
        if servers is None:
            reason = "the child hosted zone no longer exists"
        elif record["nameservers"] != normalize_nameservers(servers):
            reason = "the delegated name servers differ from the child zone's"
        else:
            continue
        dangling.append(
            {
                "zone": zone,
                "nameservers": record["nameservers"],
                "expected_nameservers": normalize_nameservers(servers) if servers else [],
                "reason": reason,
            }
        )
    return dangling


def unmanaged_delegations(current: dict[str, dict[str, Any]], managed: list[str]) -> list[dict[str, Any]]:
    """NS record sets in the parent for names this run does not manage: listed so someone checks them."""
    return [
        {"zone": name, "nameservers": record["nameservers"]}
        for name, record in sorted(current.items())
        if name not in managed
    ]


# -- writing ------------------------------------------------------------------------------------


def submit_changes(client: Any, zone_id: str, changes: list[dict], comment: str) -> dict[str, str]:
    """One ChangeResourceRecordSets batch for every child, so the parent zone changes atomically."""
    answer = client.change_resource_record_sets(
        aws_retry=True, HostedZoneId=zone_id, ChangeBatch={"Comment": comment, "Changes": changes}
    )
    info = answer["ChangeInfo"]
    return {"id": info["Id"].split("/")[-1], "status": info["Status"]}


def wait_insync(
    client: Any,
    change_id: str,
    status: str,
    timeout: int,
    delay: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Poll GetChange until INSYNC or ``timeout`` seconds (bounded); returns the last status seen."""
    deadline = clock() + timeout
    while status != "INSYNC" and clock() < deadline:
        sleep(min(delay, max(0.0, deadline - clock())))
        status = client.get_change(aws_retry=True, Id=change_id)["ChangeInfo"]["Status"]
    return status


# -- messages -----------------------------------------------------------------------------------


def propagation_guidance(zone: str) -> str:
    return (
        f"Delegation of {zone} is written but not yet visible everywhere: resolvers and the parent's servers "
        f"can take up to {PROPAGATION_HOURS} to show it. Watch it with: dig {zone} NS @8.8.8.8 ; "
        f"dig +trace {zone} ; https://dnschecker.org/#NS/{zone}"
    )


def manual_delegation_steps(
    parent_zone: str,
    parent_zone_id: str | None,
    child_zone: str,
    child_account: str,
    child_profile: str | None,
    parent_profile: str | None,
    nameservers: list[str] | None,
    ttl: int,
) -> str:
    """The fallback when the child account cannot be read: what each team does by hand."""
    servers = normalize_nameservers(nameservers or [])
    values = [f"{ns}." for ns in servers] or [f"<name server {i} of {child_zone}>" for i in range(1, 5)]
    batch = {
        "Comment": f"Delegate {child_zone} to account {child_account}",
        "Changes": [
            {
                "Action": "UPSERT",
                "ResourceRecordSet": {
                    "Name": f"{child_zone}.",
                    "Type": "NS",
                    "TTL": ttl,
                    "ResourceRecords": [{"Value": v} for v in values],
                },
            }
        ],
    }
    child_flag = f" --profile {child_profile}" if child_profile else ""
    parent_flag = f" --profile {parent_profile}" if parent_profile else ""
    zone_id = parent_zone_id or f"<hosted zone ID of {parent_zone}>"
    file_name = f"{child_zone}-delegation.json"
    known = (
        f"The name servers of {child_zone} are: {', '.join(servers)}."
        if servers
        else (
            f"1. The team of account {child_account} reads the name servers of {child_zone}: console Route 53 > "
            f"Hosted zones > {child_zone} > the NS record's 4 values, or: aws route53 list-hosted-zones-by-name "
            f"--dns-name {child_zone}{child_flag} --query 'HostedZones[0].Id' then aws route53 get-hosted-zone "
            f"--id <that ID>{child_flag} --query DelegationSet.NameServers"
        )
    )
    return "\n".join(
        [
            (
                f"Manual delegation of {child_zone} (until then the environment works on its CloudFront domain, "
                "e.g. d111111abcdef8.cloudfront.net):"
            ),
            known,
            (
                f"2. The {parent_zone} team (console): Route 53 > Hosted zones > {parent_zone} > Create record: "
                f"name {child_zone.removesuffix('.' + parent_zone)}, type NS, TTL {ttl}, one value per name server."
            ),
            (
                f"   Or save this as {file_name} and run: aws route53 change-resource-record-sets "
                f"--hosted-zone-id {zone_id} --change-batch file://{file_name}{parent_flag}"
            ),
            json.dumps(batch, indent=2),
            f"3. Check: dig {child_zone} NS @8.8.8.8 (propagation can take {PROPAGATION_HOURS}).",
        ]
    )
