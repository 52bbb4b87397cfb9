"""verify_dns end to end: the delegation the module wrote in the emulator, served by a real nsd.

The zone files are generated from what the emulator holds after the module ran (read back with
boto3), and the emulator's name server host names (ns-2048.awsdns-64.com, ...) resolve to 127.0.0.1
through the same nsd, so the module takes the real-life path: resolve the parent's name servers,
ask them without recursion, resolve the child's name servers, ask them for the SOA.
"""

from __future__ import annotations

import boto3
import pytest
from nsd_zones import zone_text
from emulator_zones import create_zones
from emulator_zones import load_dns_plan

from ansible_collections.bbws.ecs_cluster.plugins.modules import route53_delegation

pytestmark = pytest.mark.emulator

PLAN = load_dns_plan()
PARENT = PLAN["parent_zone"]


def module_args(**extra) -> dict:
    return {
        "profile": PLAN["parent_profile"],
        "parent_zone": PARENT,
        "children": [dict(c) for c in PLAN["delegations"]],
        **extra,
    }


def zone_file_from_route53(profile: str, zone_id: str, origin: str) -> str:
    """The hosted zone's record sets (SOA excluded) as a zone file."""
    client = boto3.Session(profile_name=profile).client("route53")
    lines = []
    for record in client.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]:
        if record["Type"] == "SOA":
            continue
        for value in record.get("ResourceRecords", []):
            target = value["Value"] if not record["Type"] in ("NS", "CNAME") else f"{value['Value'].rstrip('.')}."
            lines.append(f"{record['Name']} {record.get('TTL', 300)} IN {record['Type']} {target}")
    return zone_text(origin, lines)


def name_server_zones(names: list[str]) -> dict[str, str]:
    """Zones that make each name server host name resolve to 127.0.0.1 (ns-2048.awsdns-64.com -> A)."""
    zones: dict[str, list[str]] = {}
    for name in names:
        host, domain = name.rstrip(".").split(".", 1)
        zones.setdefault(domain, [f"@ IN NS {name.rstrip('.')}."]).append(f"{host} IN A 127.0.0.1")
    return {domain: zone_text(domain, lines) for domain, lines in zones.items()}


@pytest.fixture
def delegated(aws, module_runner):
    ids = create_zones(PLAN)
    result = module_runner(route53_delegation, module_args())
    assert not result.failed and result["changed"], result
    return ids


def serve(nsd, ids: dict[str, str], children: list[dict]):
    zones = {PARENT: zone_file_from_route53(PLAN["parent_profile"], ids[PARENT], PARENT)}
    for child in children:
        zones[child["zone"]] = zone_file_from_route53(child["profile"], ids[child["zone"]], child["zone"])
    client = boto3.Session(profile_name=PLAN["parent_profile"]).client("route53")
    servers = client.get_hosted_zone(Id=ids[PARENT])["DelegationSet"]["NameServers"]
    zones.update(name_server_zones(servers))
    return nsd(zones)


def test_written_delegation_verifies_as_delegated(delegated, nsd, module_runner):
    server = serve(nsd, delegated, PLAN["delegations"])
    result = module_runner(
        route53_delegation, module_args(verify_dns=True, nameservers=["127.0.0.1"], port=server.port, timeout=1.0)
    )
    assert not result.failed, result
    assert result["changed"] is False
    for entry in result["delegations"]:
        assert entry["verification"]["status"] == "delegated", entry["verification"]
        assert entry["verification"]["parent_nameservers"] == entry["nameservers"]


def test_child_zone_not_served_verifies_as_lame(delegated, nsd, module_runner):
    dev, sit = PLAN["delegations"]
    server = serve(nsd, delegated, [dev])  # the sit zone is not served anywhere
    result = module_runner(
        route53_delegation, module_args(verify_dns=True, nameservers=["127.0.0.1"], port=server.port, timeout=1.0)
    )
    assert not result.failed, result
    status = {e["zone"]: e["verification"]["status"] for e in result["delegations"]}
    assert status == {dev["zone"]: "delegated", sit["zone"]: "lame"}
