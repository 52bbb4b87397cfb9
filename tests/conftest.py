"""Shared fixtures: the local three-account emulator, and ways to run our modules and playbooks.

Modules run in-process against the real moto server (real boto3, real HTTP), so a module test costs
milliseconds; playbooks run as the real ``ansible-playbook`` in a subprocess (see support.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ansible-test imports this file as a package module

from support import REPO  # noqa: E402
from support import run_module  # noqa: E402
from support import run_playbook  # noqa: E402

# ansible_collections.bbws.ecs_cluster is the repository itself (collections/ holds the link).
sys.path.insert(0, str(REPO / "collections"))
sys.path.insert(0, str(REPO / "tools"))

from emulator import Emulator  # noqa: E402  (path set just above)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """One moto server for the whole session on a free loopback port: stopped by its PID, or ends with its process."""
    with Emulator(tmp_path_factory.mktemp("emulator"), die_with_owner=True) as emu:
        yield emu


@pytest.fixture
def aws(emulator, monkeypatch):
    """A clean emulator with this process's AWS environment pointed at it."""
    emulator.reset()
    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    return emulator


@pytest.fixture
def module_runner():
    return run_module


@pytest.fixture
def playbook():
    return run_playbook
