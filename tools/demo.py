"""``make demo``: the main job of the collection, run against the built-in local AWS emulator.

It starts the emulator (three accounts on 127.0.0.1 behind the real profile names), runs the site
playbook with the real inventories, shows a wrong-account run being refused, and stops the emulator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

from emulator import Emulator  # noqa: E402  (tools/ is put on the path just above)

BIN = Path(sys.executable).parent
INVENTORIES = ["-i", "inventories/dev", "-i", "inventories/sit", "-i", "inventories/prod"]


def banner(text: str) -> None:
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}", flush=True)


def playbook(*args: str, env: dict[str, str]) -> int:
    cmd = [str(BIN / "ansible-playbook"), *args]
    print("$ ansible-playbook " + " ".join(args), flush=True)
    return subprocess.run(cmd, cwd=REPO, env=env, check=False).returncode


def main() -> int:
    workdir = REPO / ".build" / "demo"
    with Emulator(workdir) as emu:
        env = {**os.environ, **emu.env(), "ANSIBLE_COLLECTIONS_PATH": str(REPO / "collections"), "ANSIBLE_NOCOLOR": "1"}
        for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(key, None)
        banner(
            f"Local AWS emulator on {emu.endpoint}: accounts "
            + ", ".join(f"{e} {v['account_id']} ({v['profile']})" for e, v in emu.accounts.items())
        )

        banner("1. Guard: every profile of dev, sit and prod lands in its own account")
        rc = playbook("site.yml", *INVENTORIES, "--tags", "guard", env=env)
        if rc != 0:
            print("The guard refused the emulated accounts: see above.", file=sys.stderr)
            return rc

        banner("2. Guard: a prod run whose Tebogo-prod profile points at the DEV account is refused")
        wrong = emu.write_config(workdir / "aws_config_prod_points_at_dev", overrides={"Tebogo-prod": emu.accounts["dev"]["account_id"]})
        rc = playbook("site.yml", "-i", "inventories/prod", "--check", env={**env, "AWS_CONFIG_FILE": str(wrong)})
        if rc == 0:
            print("ERROR: the guard let a prod run into the dev account.", file=sys.stderr)
            return 1
        print(f"\nRefused, as it must be (exit code {rc}): nothing was created in any account.")
    banner("Demo finished; the emulator was stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
