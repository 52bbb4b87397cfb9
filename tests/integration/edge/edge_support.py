"""Helpers of the edge tests: an emulator that keeps certificates pending, and the site run limited to edge."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable
from typing import Iterator

import faults
from emulator import Emulator
from support import REPO

# moto issues a certificate this many seconds after the request, whatever the zone holds: far longer than
# the tests' certificate timeout, so a certificate stays PENDING_VALIDATION for the whole test.
PENDING_SECONDS = "600"


@contextmanager
def pending_emulator(workdir: Path) -> Iterator[Emulator]:
    """A second emulator (own port, own PID) started with MOTO_ACM_VALIDATION_WAIT."""
    saved = os.environ.get("MOTO_ACM_VALIDATION_WAIT")
    os.environ["MOTO_ACM_VALIDATION_WAIT"] = PENDING_SECONDS
    try:
        emu = Emulator(workdir).start()
    finally:
        if saved is None:
            os.environ.pop("MOTO_ACM_VALIDATION_WAIT", None)
        else:
            os.environ["MOTO_ACM_VALIDATION_WAIT"] = saved
    try:
        yield emu
    finally:
        emu.stop()


def edge_run_args(*inventories: str, **extra: str) -> list[str]:
    """site.yml with --tags edge (guard and summary always run) for the given inventories and variables."""
    args = ["site.yml", "--tags", "edge"]
    for name in inventories:
        args += ["-i", f"inventories/{name}"]
    for key, value in extra.items():
        args += ["-e", f"{key}={value}"]
    return args


def edge_env(emu: Emulator) -> dict[str, str]:
    return {**emu.env(), "TF_CLI_CONFIG_FILE": str(REPO / "tools" / "terraformrc")}


def flat_output(stdout: str) -> str:
    """The output with the YAML callback's line wrapping and quote doubling undone, for phrase matching."""
    return stdout.replace("\n        ", " ").replace("''", "'")


def release_when_logged(log: Path, marker: str, api: Callable[..., bytes], timeout: float = 30.0) -> bool:
    """Release the held CloudFront deployment once the Ansible log shows ``marker`` (bounded: ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and marker in log.read_text(errors="replace"):
            faults.release_cloudfront(api)
            return True
        time.sleep(0.2)
    return False
