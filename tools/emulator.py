"""The local three-account AWS emulator used by the tests, molecule and ``make demo``.

moto's server (with snapshots of what it holds: tools/emulator_server.py) bound to 127.0.0.1 on a free
port, plus a generated AWS config in which the real profile names (``Tebogo-dev``, ``Tebogo-sit``,
``Tebogo-prod``) assume a role in the real account IDs.
moto derives the account of every request from the assumed-role credentials, so the three accounts
are isolated from each other exactly as real ones are, and the real inventories run unchanged.

Command line::

    python tools/emulator.py start --dir .emulator     # prints the env file to source
    python tools/emulator.py stop --dir .emulator
    python tools/emulator.py reset --dir .emulator

Python::

    with Emulator(workdir) as emu:
        os.environ.update(emu.env())
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# The real accounts and profiles, read from the inventory (the single source of these facts).
REPO = Path(__file__).resolve().parent.parent
ACCOUNTS_FILE = REPO / "inventories" / "common" / "group_vars" / "all" / "environments.yml"
BASE_PROFILE = "bbws-emulator-base"
ROLE_NAME = "bbws-emulator-operator"
START_TIMEOUT = 20.0


def load_accounts() -> dict[str, dict[str, str]]:
    """environment -> {account_id, profile} from the inventory's account registry."""
    import yaml  # imported here so ``stop`` works without PyYAML on the path

    data = yaml.safe_load(ACCOUNTS_FILE.read_text())
    return {
        env: {"account_id": str(v["account_id"]), "profile": v["profile"]}
        for env, v in data["bbws_environments"].items()
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_config(profiles: dict[str, str], region: str = "af-south-1") -> str:
    """AWS config text: a base profile with dummy keys and one assume-role profile per name.

    ``profiles`` maps profile name -> the account its role lives in. Tests pass a different map to
    simulate a profile that lands in the wrong account.
    """
    lines = [
        f"[profile {BASE_PROFILE}]",
        "aws_access_key_id = emulator",
        "aws_secret_access_key = emulator",
        f"region = {region}",
        "",
        "[default]",
        "aws_access_key_id = emulator",
        "aws_secret_access_key = emulator",
        f"region = {region}",
        "",
    ]
    for name, account_id in profiles.items():
        lines += [
            f"[profile {name}]",
            f"role_arn = arn:aws:iam::{account_id}:role/{ROLE_NAME}",
            f"source_profile = {BASE_PROFILE}",
            f"role_session_name = {name}",
            f"region = {region}",
            "",
        ]
    return "\n".join(lines)


def _end_with_parent() -> None:
    """In the child, before moto starts (Linux): SIGTERM when the starting process dies (PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the owner's own stop() remains the only way


class Emulator:
    """A moto server we own: started on a free loopback port, stopped by its own PID."""

    def __init__(
        self, workdir: Path | str, port: int | None = None, managed_policies: bool = False, die_with_owner: bool = False
    ) -> None:
        self.workdir = Path(workdir).resolve()
        # The server also ends when the process that started it dies without stopping it (a test runner's forked
        # worker ends with os._exit, skipping every teardown).
        self.die_with_owner = die_with_owner
        self.port = port
        # AWS managed IAM policies cost ~1.3 s on every reset and on each account's first call
        # (moto loads ~1,000 policies per account); only a caller that attaches them asks for them.
        self.managed_policies = managed_policies
        self.proc: subprocess.Popen | None = None
        self.accounts = load_accounts()

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.workdir / "aws_config"

    @property
    def pid_file(self) -> Path:
        return self.workdir / "moto.pid"

    @property
    def env_file(self) -> Path:
        return self.workdir / "env.sh"

    def start(self) -> "Emulator":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        # None of the caller's moto settings: a pinned account would put every request in one account.
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOTO_")}
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true" if self.managed_policies else "false"
        env["MOTO_ACM_VALIDATION_WAIT"] = os.environ.get("MOTO_ACM_VALIDATION_WAIT", "0")  # tests may ask for PENDING
        env["MOTO_RECORDER_FILEPATH"] = str(self.workdir / "moto_recording")  # not in the caller's folder
        # moto's server with snapshots of what it holds (tools/emulator_server.py).
        cmd = [
            sys.executable,
            str(Path(__file__).with_name("emulator_server.py")),
            "-H",
            "127.0.0.1",
            "-p",
            str(self.port),
        ]
        log = open(self.workdir / "moto.log", "ab")  # noqa: SIM115 - handed to the child for its life
        self.proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=_end_with_parent if self.die_with_owner else None,  # noqa: PLW1509 - no threads start it
        )
        self.pid_file.write_text(str(self.proc.pid))
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {self.proc.returncode}; see {self.workdir / 'moto.log'}")
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"moto_server did not answer on {self.endpoint} within {START_TIMEOUT:.0f}s")
        self.write_config()
        self.env_file.write_text("".join(f"export {k}={v}\n" for k, v in self.env().items()))
        (self.workdir / "port").write_text(str(self.port))
        return self

    def stop(self) -> None:
        pid = self.proc.pid if self.proc else _read_pid(self.pid_file)
        if pid:
            _stop_pid(pid)
        if self.proc:
            self.proc.wait(timeout=10)
        self.pid_file.unlink(missing_ok=True)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- configuration -----------------------------------------------------------------------
    def profiles(self) -> dict[str, str]:
        """profile name -> account id, as the inventory declares them."""
        return {v["profile"]: v["account_id"] for v in self.accounts.values()}

    def write_config(self, path: Path | None = None, overrides: dict[str, str] | None = None) -> Path:
        """Write an AWS config; ``overrides`` re-points profiles at other accounts (for mismatch tests)."""
        profiles = {**self.profiles(), **(overrides or {})}
        target = path or self.config_file
        target.write_text(render_config(profiles))
        return target

    def env(self, config_file: Path | None = None) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": str(config_file or self.config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.workdir / "no-credentials"),
            "AWS_DEFAULT_REGION": "af-south-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    # -- moto control API --------------------------------------------------------------------
    def api(self, path: str, payload: dict | None = None) -> bytes:
        data = json.dumps(payload).encode() if payload is not None else b""
        req = urllib.request.Request(f"{self.endpoint}/moto-api/{path}", data=data, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    def reset(self) -> None:
        self.api("reset")


# -- snapshots (tools/emulator_server.py) ------------------------------------------------------
def _control(endpoint: str, path: str, body: bytes = b"") -> bytes | None:
    req = urllib.request.Request(f"{endpoint}/bbws-emulator/{path}", data=body, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 409):  # no such snapshot; a snapshot the server could not take
            return None
        raise


def snapshot_origin(endpoint: str) -> str:
    """Where the emulator's state starts from: "clean", a snapshot's name, or "" once anything changed."""
    return (_control(endpoint, "origin") or b"").decode()


def take_snapshot(endpoint: str, name: str, attachment: bytes = b"") -> bool:
    """Keep everything the emulator holds (and ``attachment``) under ``name``, in the server's memory; False when
    the server could not copy something moto holds (nothing is kept, the caller goes on without)."""
    return _control(endpoint, f"snapshot/{name}", attachment) is not None


def restore_snapshot(endpoint: str, name: str) -> bytes | None:
    """Put back the state kept under ``name``; its attachment, or None when there is no such snapshot."""
    return _control(endpoint, f"restore/{name}")


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _stop_pid(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:  # reap it if it is our child
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "reset"])
    parser.add_argument("--dir", default=".emulator", help="state folder (pid, port, aws_config, env.sh)")
    parser.add_argument("--managed-policies", action="store_true", help="load AWS managed IAM policies (slower)")
    args = parser.parse_args(argv)
    workdir = Path(args.dir)
    if args.action == "start":
        old = _read_pid(workdir / "moto.pid")
        if old:
            _stop_pid(old)
        emu = Emulator(workdir, managed_policies=args.managed_policies).start()
        print(emu.env_file)
        return 0
    if args.action == "stop":
        pid = _read_pid(workdir / "moto.pid")
        if pid:
            _stop_pid(pid)
        (workdir / "moto.pid").unlink(missing_ok=True)
        return 0
    port = int((workdir / "port").read_text())
    Emulator(workdir, port=port).reset()
    return 0


if __name__ == "__main__":
    sys.exit(main())
