"""Zone files and free ports for the nsd-backed checks (shared by this folder's tests)."""

from __future__ import annotations

import socket


def free_udp_tcp_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (nsd listens on both)."""
    for _attempt in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free UDP+TCP port on 127.0.0.1")


def zone_text(origin: str, records: list[str], ns: str = "ns1.test-dns.example.") -> str:
    """A zone file: SOA and apex NS, then the given record lines (relative or absolute names)."""
    return "\n".join(
        [
            f"$ORIGIN {origin.rstrip('.')}.",
            "$TTL 300",
            f"@ IN SOA {ns} hostmaster.{origin.rstrip('.')}. 2026010101 3600 600 86400 300",
            *records,
            "",
        ]
    )
