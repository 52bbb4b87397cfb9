"""The delegation verifier against real authoritative servers: nsd on 127.0.0.1, zones written here.

The parent zone (kimmyai.io) and the child zones run on separate nsd processes, as Route 53 gives a
subdomain's zone other name servers than its parent's. The verifier is told each server's address
and port, which in real use are port 53 on the addresses of the zones' name servers.
"""

from __future__ import annotations

import pytest
from nsd_zones import free_udp_tcp_port
from nsd_zones import zone_text

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.dns_verify import Server
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.dns_verify import Verifier
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.dns_verify import verify_delegation

PARENT = "kimmyai.io"
CHILD_NS = ["ns-a.child-dns.example", "ns-b.child-dns.example"]
TIMEOUT = 1.0


def ns_lines(name: str, servers: list[str]) -> list[str]:
    return [f"{name} IN NS {s}." for s in servers]


@pytest.fixture
def servers(nsd):
    """Parent server delegating four names in four ways, and one child server with two child zones."""
    parent = nsd(
        {
            PARENT: zone_text(
                PARENT,
                ["@ IN NS ns1.parent-dns.example.", "www IN A 192.0.2.10"]
                + ns_lines("wpdev", CHILD_NS)  # correct
                + ns_lines("wpsit", [CHILD_NS[0], "ns-old.gone-dns.example"])  # differs from the child's
                + ns_lines("wplame", CHILD_NS),  # points at servers that do not serve it
            )
        }
    )
    child = nsd(
        {
            f"wpdev.{PARENT}": zone_text(f"wpdev.{PARENT}", ns_lines("@", CHILD_NS) + ["banana IN A 192.0.2.20"]),
            f"wpsit.{PARENT}": zone_text(f"wpsit.{PARENT}", ns_lines("@", CHILD_NS)),
        }
    )
    return parent, child


def check(parent, child, zone: str, child_port: int | None = None) -> dict:
    port = child_port or child.port
    return verify_delegation(
        zone,
        CHILD_NS,
        [Server("127.0.0.1", parent.port)],
        {ns: [Server("127.0.0.1", port)] for ns in CHILD_NS},
        timeout=TIMEOUT,
    )


def test_correct_delegation_is_delegated(servers):
    result = check(*servers, f"wpdev.{PARENT}")
    assert result["status"] == "delegated", result
    assert result["parent_nameservers"] == sorted(CHILD_NS)
    assert {c["answer"] for c in result["child_servers"]} == {"authoritative"}
    assert {c["soa_serial"] for c in result["child_servers"]} == {2026010101}


def test_parent_ns_differing_from_child_is_mismatch(servers):
    result = check(*servers, f"wpsit.{PARENT}")
    assert result["status"] == "mismatch", result
    assert result["missing"] == ["ns-b.child-dns.example"]
    assert result["extra"] == ["ns-old.gone-dns.example"]
    assert "ns-old.gone-dns.example" in result["message"]


def test_child_servers_not_serving_the_zone_is_lame(servers):
    result = check(*servers, f"wplame.{PARENT}")
    assert result["status"] == "lame", result
    assert {c["answer"] for c in result["child_servers"]} == {"not authoritative"}
    assert "do not answer authoritatively" in result["message"]


def test_child_servers_not_answering_is_lame(servers):
    parent, child = servers
    silent = free_udp_tcp_port()  # nothing listens there
    result = check(parent, child, f"wpdev.{PARENT}", child_port=silent)
    assert result["status"] == "lame", result
    assert {c["answer"] for c in result["child_servers"]} == {"no answer"}


def test_no_delegation_yet_is_propagating_with_guidance(servers):
    result = check(*servers, f"wpnew.{PARENT}")
    assert result["status"] == "propagating", result
    assert "48-72 hours" in result["message"]
    assert f"dig wpnew.{PARENT} NS @8.8.8.8" in result["message"]
    assert f"dig +trace wpnew.{PARENT}" in result["message"]


def test_parent_not_answering_is_unreachable(servers):
    _parent, child = servers
    result = verify_delegation(f"wpdev.{PARENT}", CHILD_NS, [Server("127.0.0.1", free_udp_tcp_port())], {}, timeout=0.3)
    assert result["status"] == "unreachable"


def test_verifier_finds_servers_through_a_resolver(nsd):
    """The full path used in real life: name servers looked up by name through the resolver, then asked."""
    glue = ["ns1 IN A 127.0.0.1"]
    server = nsd(
        {
            "parent-dns.example": zone_text("parent-dns.example", ["@ IN NS ns1.parent-dns.example."] + glue),
            "child-dns.example": zone_text(
                "child-dns.example", ["@ IN NS ns-a.child-dns.example.", "ns-a IN A 127.0.0.1", "ns-b IN A 127.0.0.1"]
            ),
            PARENT: zone_text(PARENT, ["@ IN NS ns1.parent-dns.example."] + ns_lines("wpdev", CHILD_NS)),
            f"wpdev.{PARENT}": zone_text(f"wpdev.{PARENT}", ns_lines("@", CHILD_NS)),
        }
    )
    verifier = Verifier(["127.0.0.1"], port=server.port, timeout=TIMEOUT)
    assert verifier.servers("ns-a.child-dns.example") == [Server("127.0.0.1", server.port)]
    assert verifier.servers("ns-x.child-dns.example") == []
    result = verifier.verify(f"wpdev.{PARENT}", CHILD_NS, ["ns1.parent-dns.example"])
    assert result["status"] == "delegated", result
    unresolved = verifier.verify(f"wpdev.{PARENT}", CHILD_NS + ["ns-x.child-dns.example"], ["ns1.parent-dns.example"])
    assert unresolved["status"] == "mismatch"
    assert "unresolved" in {c["answer"] for c in unresolved["child_servers"]}
