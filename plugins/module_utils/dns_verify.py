# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check a delegation the way the DNS sees it, not the way Route 53 stores it.

Asks the parent zone's authoritative servers (recursion off) for the child's NS: the answer must be
a referral listing exactly the child zone's name servers. Then asks each of those servers for the
child's SOA: each must answer authoritatively. Every server address and the port are inputs, so
the same code checks the internet (port 53, the system resolver) and a local test server.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

try:
    import dns.exception
    import dns.flags
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype
    import dns.resolver

    HAS_DNSPYTHON = True
except ImportError:
    HAS_DNSPYTHON = False

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.route53_delegation import normalize_name
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.route53_delegation import normalize_nameservers
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.route53_delegation import propagation_guidance


@dataclass(frozen=True)
class Server:
    address: str
    port: int = 53

    def __str__(self) -> str:
        return f"{self.address}:{self.port}" if self.port != 53 else self.address


def _ask(server: Server, name: str, rdtype: str, timeout: float) -> Any | None:
    """One non-recursive query (UDP, TCP when truncated); None when the server does not answer."""
    query = dns.message.make_query(name, rdtype)
    query.flags &= ~dns.flags.RD  # an authoritative server must answer from its own data
    try:
        response, _tcp = dns.query.udp_with_fallback(query, server.address, timeout=timeout, port=server.port)
    except (dns.exception.DNSException, OSError):
        return None
    return response


def _ns_in(section: list, name: str) -> list[str] | None:
    for rrset in section:
        if rrset.rdtype == dns.rdatatype.NS and normalize_name(rrset.name.to_text()) == name:
            return normalize_nameservers([rdata.target.to_text() for rdata in rrset])
    return None


def parent_view(server: Server, child: str, timeout: float) -> dict[str, Any]:
    """What one parent server says about the child: {server, answered, nameservers (None = no delegation)}."""
    response = _ask(server, child, "NS", timeout)
    if response is None or response.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        # No answer, or REFUSED/SERVFAIL: this server does not serve the parent zone.
        return {"server": str(server), "answered": False, "nameservers": None}
    # A referral carries the NS set in the authority section; a server that also hosts the child
    # zone answers with the child's apex NS instead (what dig +norec shows in both cases).
    found = _ns_in(response.authority, child)
    if found is None and response.flags & dns.flags.AA:
        found = _ns_in(response.answer, child)
    return {"server": str(server), "answered": True, "nameservers": found}


def child_view(nameserver: str, servers: list[Server], child: str, timeout: float) -> dict[str, Any]:
    """Does the name server answer authoritatively for the child's SOA?"""
    if not servers:
        return {"nameserver": nameserver, "server": None, "answer": "unresolved", "soa_serial": None}
    for server in servers:
        response = _ask(server, child, "SOA", timeout)
        if response is None:
            continue
        soa = [r for r in response.answer if r.rdtype == dns.rdatatype.SOA]
        if response.rcode() == dns.rcode.NOERROR and response.flags & dns.flags.AA and soa:
            return {
                "nameserver": nameserver,
                "server": str(server),
                "answer": "authoritative",
                "soa_serial": soa[0][0].serial,
            }
        return {"nameserver": nameserver, "server": str(server), "answer": "not authoritative", "soa_serial": None}
    return {"nameserver": nameserver, "server": str(servers[0]), "answer": "no answer", "soa_serial": None}


def verify_delegation(
    child_zone: str,
    expected_nameservers: list[str],
    parent_servers: list[Server],
    child_servers: dict[str, list[Server]],
    timeout: float = 3.0,
) -> dict[str, Any]:
    """The delegation status of one child: delegated, propagating, lame, mismatch or unreachable.

    ``child_servers`` maps each of the child's name server names to its addresses (empty: unresolved).
    """
    child = normalize_name(child_zone)
    expected = normalize_nameservers(expected_nameservers)
    views = [parent_view(server, child, timeout) for server in parent_servers]
    answered = [v for v in views if v["answered"]]
    sets = [v["nameservers"] for v in answered]
    children = [child_view(ns, child_servers.get(ns, []), child, timeout) for ns in expected]
    lame = [c for c in children if c["answer"] != "authoritative"]
    seen = sorted({ns for found in sets if found for ns in found})
    result: dict[str, Any] = {
        "zone": child,
        "expected_nameservers": expected,
        "parent_nameservers": seen,
        "parent_servers": views,
        "child_servers": children,
    }
    if not answered:
        result.update(
            status="unreachable",
            message=(
                f"None of the parent's servers ({', '.join(map(str, parent_servers)) or 'none'}) answered for "
                f"{child}: check the network path to them (UDP/TCP 53) and re-run."
            ),
        )
    elif all(found == expected for found in sets):
        if lame:
            names = ", ".join(f"{c['nameserver']} ({c['answer']})" for c in lame)
            result.update(
                status="lame",
                message=(
                    f"The parent delegates {child} correctly, but these name servers do not answer "
                    f"authoritatively for it: {names}. The child zone must be served there (is the hosted zone "
                    "deleted or recreated with other name servers?)."
                ),
            )
        else:
            result.update(status="delegated", message=f"{child} is delegated to {', '.join(expected)}; all answer.")
    elif all(found is not None and found != expected for found in sets):
        result.update(
            status="mismatch",
            missing=sorted(set(expected) - set(seen)),
            extra=sorted(set(seen) - set(expected)),
            message=(
                f"The parent delegates {child} to {', '.join(seen)} but the child zone's name servers are "
                f"{', '.join(expected)}: missing {', '.join(sorted(set(expected) - set(seen))) or 'none'}, extra "
                f"{', '.join(sorted(set(seen) - set(expected))) or 'none'}."
            ),
        )
    else:
        result.update(status="propagating", message=propagation_guidance(child))
    return result


class Verifier:
    """Finds server addresses with a resolver (the system's, or given addresses and port) and verifies."""

    def __init__(self, nameservers: list[str] | None = None, port: int = 53, timeout: float = 3.0) -> None:
        self.port = port
        self.timeout = timeout
        self.resolver = dns.resolver.Resolver(configure=not nameservers)
        if nameservers:
            self.resolver.nameservers = list(nameservers)
        self.resolver.port = port
        self.resolver.lifetime = timeout

    def servers(self, host: str) -> list[Server]:
        """IPv4 addresses of a name server host (an address literal is used as it is)."""
        try:
            ipaddress.ip_address(host)
            return [Server(host, self.port)]
        except ValueError:
            pass
        try:
            answer = self.resolver.resolve(host, "A", search=False)
        except dns.exception.DNSException:
            return []
        return [Server(rdata.address, self.port) for rdata in answer]

    def verify(self, child_zone: str, expected_nameservers: list[str], parent_nameservers: list[str]) -> dict:
        parent_servers = [s for host in normalize_nameservers(parent_nameservers) for s in self.servers(host)]
        child_servers = {ns: self.servers(ns) for ns in normalize_nameservers(expected_nameservers)}
        return verify_delegation(child_zone, expected_nameservers, parent_servers, child_servers, self.timeout)
