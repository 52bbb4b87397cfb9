"""Shared fixtures: the local three-account emulator, and ways to run our modules and playbooks.

Modules run in-process against the real moto server (real boto3, real HTTP), so a module test costs
milliseconds; playbooks run as the real ``ansible-playbook`` in a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# ansible_collections.bbws.ecs_cluster is the repository itself (collections/ holds the link).
sys.path.insert(0, str(REPO / "collections"))
sys.path.insert(0, str(REPO / "tools"))

from emulator import Emulator  # noqa: E402  (path set just above)

BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """One moto server for the whole session, on a free loopback port, stopped by its PID."""
    with Emulator(tmp_path_factory.mktemp("emulator")) as emu:
        yield emu


@pytest.fixture
def aws(emulator, monkeypatch):
    """A clean emulator with this process's AWS environment pointed at it."""
    emulator.reset()
    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "MOTO_ACCOUNT_ID"):
        monkeypatch.delenv(key, raising=False)
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    return emulator


class ModuleResult(dict):
    @property
    def failed(self) -> bool:
        return bool(self.get("failed"))


def run_module(module, args: dict) -> ModuleResult:
    """Run an Ansible module's main() in this process and return its JSON result.

    ``module`` is the imported module object (e.g. ``plugins.modules.account_assert``).
    """
    from ansible.module_utils.testing import patch_module_args

    out = io.StringIO()
    with patch_module_args(args), redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
    text = out.getvalue().strip()
    return ModuleResult(json.loads(text[text.index("{"):]))


@pytest.fixture
def module_runner():
    return run_module


def ansible_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(REPO / "collections"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "PATH": f"{BIN}:{env.get('PATH', '')}",
        }
    )
    env.update(extra or {})
    return env


def run_playbook(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ansible-playbook from the repository root; returns the finished process (never raises on rc)."""
    return subprocess.run(
        [str(BIN / "ansible-playbook"), *args],
        cwd=REPO,
        env=ansible_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def playbook():
    return run_playbook
