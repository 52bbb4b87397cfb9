"""Create the hosted zones a delegation needs, in the emulator, from the prod inventory.

In the real prod account the parent zone exists before the platform (the stack adopts it), and terraform
creates each child zone (dev, sit). The local emulator starts empty, so the demo and the tests create the
adopted parent zone here before Terraform applies (and, for tests of the delegation alone, the child zones),
from the same inventory facts the playbooks read (``bbws_dns_parent_zone`` and ``bbws_dns_delegations`` in
inventories/prod).

Command line (with the emulator's environment exported)::

    python tools/emulator_zones.py [--environment prod] [--parent-only]

Python::

    plan = load_dns_plan()
    zone_ids = create_zones(plan)    # {"kimmyai.io": "Z...", "wpdev.kimmyai.io": "Z...", ...}
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

from inventory import host_vars  # noqa: E402  (tools/ is put on the path just above)


def load_dns_plan(environment: str = "prod") -> dict[str, Any]:
    """The parent zone, its account/profile and the delegations, as the inventory declares them."""
    facts = host_vars(environment)
    return {
        "parent_zone": facts["bbws_dns_parent_zone"],
        "parent_account_id": facts["bbws_account_id"],
        "parent_profile": facts["bbws_aws_profile"],
        "delegations": facts["bbws_dns_delegations"],
        "known_accounts": facts["bbws_environments"],
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


def create_zones(plan: dict[str, Any] | None = None, children: bool = True) -> dict[str, str]:
    """Create the parent zone in the parent account and each child zone in its account; zone -> ID."""
    import boto3

    plan = plan or load_dns_plan()
    ids = {plan["parent_zone"]: create_zone(boto3.Session(profile_name=plan["parent_profile"]), plan["parent_zone"])}
    for child in plan["delegations"] if children else []:
        ids[child["zone"]] = create_zone(boto3.Session(profile_name=child["profile"]), child["zone"])
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", default="prod", help="the inventory that owns the parent zone")
    parser.add_argument(
        "--parent-only", action="store_true", help="only the parent zone (Terraform makes the child zones)"
    )
    args = parser.parse_args(argv)
    print(json.dumps(create_zones(load_dns_plan(args.environment), children=not args.parent_only), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
