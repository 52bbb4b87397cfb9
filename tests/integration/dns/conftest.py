"""A real authoritative DNS server for the delegation checks: Debian's nsd on 127.0.0.1.

Each server is its own ``nsd -d`` process with its config, zone files, pid and state files in a temp
folder, on a free loopback port; it is stopped by its PID. The tests write the zone files.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import pytest

START_TIMEOUT = 10.0


from nsd_zones import free_udp_tcp_port


class Nsd:
    """One nsd process serving ``zones`` (name -> zone file text) on 127.0.0.1:port."""

    def __init__(self, workdir: Path, zones: dict[str, str]) -> None:
        self.workdir = workdir
        self.zones = zones
        self.port = free_udp_tcp_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Nsd":
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = [
            "server:",
            "  ip-address: 127.0.0.1",
            f"  port: {self.port}",
            '  username: ""',
            '  chroot: ""',
            '  database: ""',
            f'  zonesdir: "{self.workdir}"',
            f'  pidfile: "{self.workdir / "nsd.pid"}"',
            f'  xfrdfile: "{self.workdir / "xfrd.state"}"',
            f'  zonelistfile: "{self.workdir / "zone.list"}"',
            f'  logfile: "{self.workdir / "nsd.log"}"',
            "  server-count: 1",
            "remote-control:",
            "  control-enable: no",
        ]
        for name, text in self.zones.items():
            (self.workdir / f"{name}.zone").write_text(text)
            conf += ["zone:", f"  name: {name}", f"  zonefile: {name}.zone"]
        config = self.workdir / "nsd.conf"
        config.write_text("\n".join(conf) + "\n")
        log = open(self.workdir / "stdout.log", "wb")  # noqa: SIM115 - handed to the child for its life
        self.proc = subprocess.Popen(
            [shutil.which("nsd") or "/usr/sbin/nsd", "-d", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        probe = next(iter(self.zones))
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"nsd exited with {self.proc.returncode}: {(self.workdir / 'stdout.log').read_text()}"
                )
            try:
                dns.query.udp(dns.message.make_query(probe, "SOA"), "127.0.0.1", port=self.port, timeout=0.2)
                return self
            except (dns.exception.DNSException, OSError):  # not up yet, or an answer not to our probe
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nsd did not answer on 127.0.0.1:{self.port} within {START_TIMEOUT:.0f}s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@pytest.fixture
def nsd(tmp_path):
    """Start nsd servers: ``nsd({zone: text, ...})`` returns a running server; all stop after the test."""
    if not (shutil.which("nsd") or Path("/usr/sbin/nsd").exists()):
        pytest.fail("nsd is not installed: run `make apt-deps` (mk/dns.mk adds it to APT_PACKAGES)")
    servers: list[Nsd] = []

    def start(zones: dict[str, str]) -> Nsd:
        server = Nsd(tmp_path / f"nsd{len(servers)}", zones)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
