"""Paths and runners shared by the tests: the repository, its virtual environment, and ways to run our
modules (in-process, real boto3 against the emulator) and playbooks (real ansible-playbook)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


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
    return ModuleResult(json.loads(text[text.index("{") :]))


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


# Every playbook of the tests runs against the local emulator, and says so as a user would: this switch alone
# lets a run report a terraform phase as "not runnable here"; a test of a real run passes local_emulator=False.
LOCAL_EMULATOR = ("-e", "bbws_local_emulator=true")


def run_playbook(
    *args: str, env: dict | None = None, timeout: int = 600, local_emulator: bool = True
) -> subprocess.CompletedProcess:
    """Run ansible-playbook from the repository root; returns the finished process (never raises on rc)."""
    return subprocess.run(
        [str(BIN / "ansible-playbook"), *args, *(LOCAL_EMULATOR if local_emulator else ())],
        cwd=REPO,
        env=ansible_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
