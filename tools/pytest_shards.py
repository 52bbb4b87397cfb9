"""Run the pytest suite as two pytest processes at once, each in its own copy of the project.

The suite's playbook runs write under the project folder: ``artifacts/`` (run records, and the Terraform state a
run under the local emulator keeps there) and ``.build/offline-provider``. Two pytest processes in one folder would
share those files, so the first shard runs here and the second in a copy of the project's files (no virtual
environments, builds or artifacts; ``.venv`` linked in). Each shard starts its own emulator on a free loopback port
and has its own temporary folder. With two cores, the suite's waits (retries, playbook start-up) of one shard
overlap the work of the other.

    python tools/pytest_shards.py --first tests/integration/site tests/integration/dr -- -q --durations=15

The first shard runs the ``--first`` paths; the second runs every other test (``tests/unit`` and
``tests/integration`` without them). Each shard's output is printed as it ends. The exit code is the first
non-zero one of the shards. Both are stopped by their PIDs on an interrupt or after ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Top-level entries that are not part of the project's files (.gitignore's): never copied.
NOT_COPIED = {".git", ".venv", ".venv-checkov", ".build", ".emulator", "artifacts", ".pytest_cache", ".ruff_cache"}
ALL_TESTS = ["tests/unit", "tests/integration"]


def copy_project(target: Path) -> None:
    """A fresh copy of the project's files at ``target`` (symlinks kept: collections/ links the copy's own root)."""
    shutil.rmtree(target, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".terraform", "*.tfstate", "*.tfplan")
    target.mkdir(parents=True)
    for entry in sorted(REPO.iterdir()):
        if entry.name in NOT_COPIED:
            continue
        if entry.is_symlink() or entry.is_file():
            shutil.copy2(entry, target / entry.name, follow_symlinks=False)
        else:
            shutil.copytree(entry, target / entry.name, symlinks=True, ignore=ignore)
    (target / ".venv").symlink_to(REPO / ".venv")


def start(name: str, cwd: Path, args: list[str], log: Path, basetemp: Path) -> tuple[subprocess.Popen, Path]:
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(cwd / "collections")}
    handle = log.open("w")
    argv = [str(REPO / ".venv" / "bin" / "python"), "-m", "pytest", f"--basetemp={basetemp}", *args]
    print(f"pytest shard {name}: started in {cwd}: {' '.join(args)}", flush=True)
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    handle.close()
    return process, log


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--first", nargs="+", required=True, help="test paths of the first shard")
    parser.add_argument("--work-dir", type=Path, default=REPO / ".build" / "pytest-shards")
    parser.add_argument("--timeout", type=int, default=75 * 60, help="seconds before both shards are stopped")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="-- then the arguments of both pytest runs")
    args = parser.parse_args()
    extra = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    for path in args.first:
        if not (REPO / path).exists():
            parser.error(f"--first {path}: no such test path in {REPO}")

    work = args.work_dir
    copy_project(work / "project")
    temp = Path(tempfile.mkdtemp(prefix="bbws-pytest-"))
    others = [*ALL_TESTS, *(f"--ignore={path}" for path in args.first)]
    started = time.monotonic()
    processes, logs = {}, {}
    for name, cwd, paths in (("1", REPO, args.first), ("2", work / "project", others)):
        processes[name], logs[name] = start(name, cwd, [*extra, *paths], work / f"shard-{name}.log", temp / name)
    codes: dict[str, int] = {}

    def interrupted(signum, _frame):
        stop(processes)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    try:
        while len(codes) < len(processes):
            if time.monotonic() - started > args.timeout:
                stop(processes)
                print(f"pytest shards: stopped after {args.timeout}s (--timeout)", flush=True)
                return 124
            for name, process in processes.items():
                if name not in codes and process.poll() is not None:
                    codes[name] = process.returncode
                    minutes = (time.monotonic() - started) / 60
                    print(f"\n===== pytest shard {name}: exit {codes[name]} after {minutes:.1f} min =====", flush=True)
                    sys.stdout.write(logs[name].read_text(errors="replace"))
                    sys.stdout.flush()
            time.sleep(2)
    finally:
        stop(processes)
        shutil.rmtree(temp, ignore_errors=True)
    return next((code for code in codes.values() if code), 0)


if __name__ == "__main__":
    sys.exit(main())
