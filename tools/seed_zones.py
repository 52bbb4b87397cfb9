#!/usr/bin/env python3
"""Create the hosted zones a delegation needs, in the emulator, from the prod inventory.

In real accounts terraform creates the parent zone (prod) and each child zone (dev, sit). The local
emulator starts empty, so the demo and the tests create them here, from the same inventory facts the
playbooks read (``bbws_dns_parent_zone`` and ``bbws_dns_delegations`` in inventories/prod).

Command line (with the emulator's environment exported)::

    python tools/seed_zones.py [--inventory inventories/prod]

Python::

    plan = load_dns_plan()
    zone_ids = seed_zones(plan)    # {"kimmyai.io": "Z...", "wpdev.kimmyai.io": "Z...", ...}
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REGISTRY = REPO / "inventories" / "common" / "group_vars" / "all" / "environments.yml"


def _render(value: Any, context: dict) -> Any:
    """Resolve the inventory's Jinja references ({{ bbws_environments['dev']['domain'] }}) with jinja2."""
    import jinja2

    if isinstance(value, str):
        return jinja2.Template(value, undefined=jinja2.StrictUndefined).render(**context)
    if isinstance(value, list):
        return [_render(v, context) for v in value]
    if isinstance(value, dict):
        return {k: _render(v, context) for k, v in value.items()}
    return value


def load_dns_plan(inventory: Path | str = REPO / "inventories" / "prod") -> dict[str, Any]:
    """The parent zone, its account/profile and the delegations, as the prod inventory declares them."""
    import yaml

    inventory = Path(inventory)
    context = yaml.safe_load(REGISTRY.read_text())
    env = yaml.safe_load((inventory / "group_vars" / "bbws_prod" / "environment.yml").read_text())
    dns = yaml.safe_load((inventory / "group_vars" / "bbws_prod" / "dns.yml").read_text())
    context.update(env)
    parent_env = context["bbws_environments"][env["bbws_environment"]]
    return {
        "parent_zone": _render(dns["bbws_dns_parent_zone"], context),
        "parent_account_id": str(parent_env["account_id"]),
        "parent_profile": parent_env["profile"],
        "delegations": _render(dns["bbws_dns_delegations"], context),
        "known_accounts": context["bbws_environments"],
    }


def create_zone(session: Any, name: str) -> str:
    """Create a public hosted zone (or return the existing one's ID) with the given boto3 session."""
    client = session.client("route53")
    existing = [
        z["Id"].split("/")[-1]
        for z in client.list_hosted_zones_by_name(DNSName=name)["HostedZones"]
        if z["Name"].rstrip(".") == name and not z.get("Config", {}).get("PrivateZone")
    ]
    if existing:
        return existing[0]
    zone = client.create_hosted_zone(Name=name, CallerReference=str(uuid.uuid4()))
    return zone["HostedZone"]["Id"].split("/")[-1]


def seed_zones(plan: dict[str, Any] | None = None, children: bool = True) -> dict[str, str]:
    """Create the parent zone in the parent account and each child zone in its account; zone -> ID."""
    import boto3

    plan = plan or load_dns_plan()
    ids = {plan["parent_zone"]: create_zone(boto3.Session(profile_name=plan["parent_profile"]), plan["parent_zone"])}
    for child in plan["delegations"] if children else []:
        ids[child["zone"]] = create_zone(boto3.Session(profile_name=child["profile"]), child["zone"])
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", default=str(REPO / "inventories" / "prod"))
    args = parser.parse_args(argv)
    print(json.dumps(seed_zones(load_dns_plan(args.inventory)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
