# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether an environment serves its custom domain: one decision, made the same way by every phase.

The inventory says ``on``, ``off`` or ``auto`` (``bbws_custom_domain``). ``auto`` is decided from what is true now,
read-only, in this order:

1. the edge phase recorded a fallback to CloudFront's default certificate: stay on it (so runs do not flip the
   domain back and forth) until the operator says ``on`` or removes the record;
2. the live distribution already serves the domain: keep it (a re-run never plans the domain away);
3. the environment keeps its domain in a zone it owns (no delegation needed): on;
4. the parent zone's delegation of the environment's zone is verified: on; not verified or not known: off.

The edge phase writes the record (``state``: ``enabled`` or ``fallback``, with the cause and the time) as a small JSON
value in an SSM parameter of the environment's account (outside the Terraform state, so no apply resets it).
"""

from __future__ import annotations

import json
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

MODES = ("on", "off", "auto")
RECORD_STATES = ("enabled", "fallback")


def read_record(ssm: Any, name: str | None) -> str | None:
    """The edge record's text from its SSM parameter; None without a name or when the parameter does not exist."""
    if not name:
        return None
    try:
        return ssm.get_parameter(aws_retry=True, Name=name)["Parameter"]["Value"]
    except is_boto3_error_code("ParameterNotFound"):
        return None


def normalize_mode(value) -> str:
    """on, off or auto; YAML's unquoted on/off arrive as booleans (and Ansible renders them True/False)."""
    text = str(value).strip().lower()
    return {"true": "on", "yes": "on", "false": "off", "no": "off"}.get(text, text)


def certificate_arn(distribution: dict[str, Any] | None) -> str | None:
    return ((distribution or {}).get("ViewerCertificate", {}) or {}).get("ACMCertificateArn")


def serves(distribution: dict[str, Any] | None, domain: str, certificate_status: str | None) -> bool:
    """True when the distribution has the domain (or a name under it) as an alias with an ISSUED certificate."""
    if not distribution or not domain:
        return False
    aliases = (distribution.get("Aliases", {}) or {}).get("Items", []) or []
    matches = any(a == domain or a.endswith("." + domain) for a in aliases)
    return matches and certificate_status == "ISSUED"


def parse_record(text: str | None) -> dict[str, Any] | None:
    """The edge record, or None when there is none; a record that does not parse is reported, not trusted."""
    if not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return {"state": "unreadable", "cause": "the record is not JSON"}
    if not isinstance(record, dict) or record.get("state") not in RECORD_STATES:
        return {"state": "unreadable", "cause": f"unexpected record {str(record)[:80]}"}
    return record


def decide(
    mode: str,
    domain: str,
    live: bool,
    record: dict[str, Any] | None = None,
    owns_zone: bool = False,
    delegation: dict[str, Any] | None = None,
    record_location: str = "",
) -> dict[str, Any]:
    """{enabled, cause, source}: the custom domain of one environment, and why."""
    if mode not in MODES:
        raise ValueError(f"bbws_custom_domain must be one of {', '.join(MODES)}, got {mode!r}")
    if not domain:
        return {"enabled": False, "source": "no_domain", "cause": "the environment has no domain"}
    if mode == "on":
        return {"enabled": True, "source": "inventory", "cause": f"bbws_custom_domain is on for {domain}"}
    if mode == "off":
        cause = f"bbws_custom_domain is off for {domain}"
        if live:
            cause += " (it is live now: this plan removes it, and lists every deletion)"
        return {"enabled": False, "source": "inventory", "cause": cause}
    record = record or {}
    if record.get("state") == "fallback":
        return {
            "enabled": False,
            "source": "fallback_record",
            "cause": (
                f"held on CloudFront's default certificate since {record.get('at', 'an earlier run')}: the edge phase "
                f"fell back ({record.get('cause', 'cause not recorded')}). Set bbws_custom_domain=on to try again"
                + (f", or delete the record {record_location}" if record_location else "")
            ),
        }
    if live:
        return {"enabled": True, "source": "live", "cause": f"the distribution already serves {domain}"}
    if owns_zone:
        return {"enabled": True, "source": "own_zone", "cause": f"{domain} is in a zone of this account"}
    delegation = delegation or {}
    state = delegation.get("state", "unknown")
    if state == "verified":
        return {"enabled": True, "source": "delegation", "cause": f"delegation verified: {delegation.get('cause', '')}"}
    if state == "not_verified":
        return {
            "enabled": False,
            "source": "delegation",
            "cause": f"DNS delegation not verified: {delegation.get('cause', '')}",
        }
    return {
        "enabled": False,
        "source": "unknown",
        "cause": (
            f"no verdict on the delegation of {domain} in this run (the environment that owns the parent zone is not "
            "part of it) and the domain is not live: CloudFront's default certificate until a run with the parent "
            "verifies it"
        ),
    }


# What route53_delegation reports for a child whose NS records in the parent already match (read-only check), and
# the actions that leave them matching once written.
IN_SYNC = "unchanged"
WRITTEN = ("unchanged", "created", "updated")


def delegation_verdict(delegation: dict[str, Any], verify_dns: bool, parent_zone: str, written: bool) -> dict[str, str]:
    """The verdict on one child's delegation from a route53_delegation result entry: verified or not, and why.

    ``written``: the entry comes from a run that wrote the records (the dns phase), not from a read-only check.
    """
    zone = delegation.get("zone", "")
    servers = ", ".join(delegation.get("nameservers") or [])
    action = delegation.get("action", "")
    in_parent = action in (WRITTEN if written else (IN_SYNC,))
    verification = delegation.get("verification") or {}
    dns_ok = not verify_dns or verification.get("status") == "delegated"
    if not in_parent:
        cause = (
            f"{parent_zone} does not delegate {zone} to its zone's name servers {servers} "
            f"(the dns phase would have {action} the NS records)"
        )
    elif not dns_ok:
        cause = f"DNS delegation not propagated: {verification.get('message') or 'no answer'}"
    else:
        cause = f"{parent_zone} delegates {zone} to {servers}" + (
            "" if verify_dns else " (checked in Route 53; public DNS may take 48-72 hours to follow)"
        )
    return {"state": "verified" if in_parent and dns_ok else "not_verified", "cause": cause, "zone": zone}
