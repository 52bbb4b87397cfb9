"""Faults over whole playbook runs (the module-level cases are in tests/integration/faults).

- Throttling: a loopback proxy in front of the emulator throttles every n-th request of a site run (guard,
  backend, dns, edge, health), each in its own protocol's form (S3 503 SlowDown, JSON ThrottlingException,
  query and REST-XML Throttling, REST-JSON x-amzn-ErrorType); the run still succeeds, retries are counted.
- The emulator stopped part way: a private emulator is killed by its PID once the guard has passed; the run
  stops with a clear error naming the endpoint, without a traceback, in bounded time.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from emulator import Emulator
from fault_proxy import FaultProxy
from safety_support import INVENTORIES
from safety_support import NO_TERRAFORM
from safety_support import TRACEBACK
from safety_support import emulator_env
from safety_support import flat
from safety_support import populate
from safety_support import recap
from support import BIN
from support import REPO
from support import ansible_env

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
STOP_DEADLINE = 120.0


def test_throttled_site_run_succeeds_and_counts_retries(aws, playbook, tmp_path):
    populate()
    with FaultProxy(aws.endpoint, mode="throttle", every=5) as proxy:
        run = playbook(
            "site.yml",
            *INVENTORIES,
            *NO_TERRAFORM,
            "-e",
            f"cluster_health_artifacts_dir={tmp_path}",
            env={"AWS_ENDPOINT_URL": proxy.endpoint},
        )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert all(host["failed"] == 0 for host in recap(run.stdout).values())
    assert proxy.faults >= 10, f"every 5th request was throttled: {proxy.faults} of {proxy.requests}"
    print(f"throttled site run: {proxy.faults} throttled answers retried over {proxy.requests} requests")


def test_emulator_stopped_mid_run_fails_cleanly(tmp_path):
    with Emulator(tmp_path / "emulator") as private, emulator_env(private):
        populate()
        argv = [
            str(BIN / "ansible-playbook"),
            "playbooks/health.yml",
            *INVENTORIES,
            "-e",
            f"cluster_health_artifacts_dir={tmp_path / 'artifacts'}",
        ]
        env = ansible_env({**private.env(), "PYTHONUNBUFFERED": "1"})
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines = []
        try:
            for line in proc.stdout:
                lines.append(line)
                if line.startswith("PLAY [Health"):
                    private.stop()  # by its PID: the guard has passed, the health phase has not started
                    stopped = time.monotonic()
                    break
            rest, _unused = proc.communicate(timeout=STOP_DEADLINE)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    output = "".join(lines) + rest
    elapsed = time.monotonic() - stopped
    assert "PLAY [Health" in output, output[-3000:]
    assert proc.returncode != 0
    assert f"no answer from {private.endpoint}" in flat(output), output[-4000:]
    assert not TRACEBACK.search(output), output[-4000:]
    assert elapsed < STOP_DEADLINE
    print(next(line.strip() for line in output.splitlines() if "no answer from" in line))
    print(
        f"emulator stopped after the guard: the run failed cleanly {elapsed:.1f}s later "
        f"({time.monotonic() - started:.1f}s in all)"
    )
