"""Run ``ansible-test`` (sanity or units) on this collection, offline.

ansible-test wants the collection at ``.../ansible_collections/bbws/ecs_cluster`` as a real folder (a
copy, not a link) with its dependencies beside it, and its managed virtual environments bootstrap pip
with a script from a host this machine cannot reach. This script prepares both:

- copies the tracked and new files of the repository (not .venv, build output or state) into a
  temporary ``ansible_collections/bbws/ecs_cluster`` outside the repository, next to copies of amazon.aws and
  community.aws from the installed ansible package;
- writes a stand-in for the pip bootstrap script that uses the interpreter's own ``ensurepip`` and then
  installs the requested pip from the package index.

Usage: python tools/ansible_test.py sanity|units [extra ansible-test arguments]
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Outside the repository: inside it, ansible-test would ask git for the files, and git ignores build output.
ROOT = (
    Path(tempfile.gettempdir())
    / f"bbws-ansible-test-{hashlib.sha256(str(REPO).encode()).hexdigest()[:10]}"
    / "ansible_collections"
)
TARGET = ROOT / "bbws" / "ecs_cluster"
DEPENDENCIES = ("amazon/aws", "community/aws")
PIP_VERSION = "24.2"  # what this ansible-test bootstraps its managed venvs with

GET_PIP_STANDIN = '''"""Offline stand-in for the pip bootstrap script ansible-test downloads.

It is run with pip's own arguments; it installs pip with ensurepip, then installs what was asked for.
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
sys.exit(subprocess.run([sys.executable, "-m", "pip", "install", *args]).returncode)
'''


def repo_files() -> list[str]:
    """Files git tracks plus new ones it does not ignore: exactly what a commit would hold."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [f for f in out.split("\0") if f and not f.startswith("collections/")]


def sync_tree() -> None:
    if TARGET.exists():
        shutil.rmtree(TARGET)
    for rel in repo_files():
        src = REPO / rel
        if not src.exists() or src.is_dir():
            continue  # deleted in the work tree, or a link to a folder
        dst = TARGET / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=not src.is_symlink())
        if src.is_symlink():
            dst.unlink()
            dst.symlink_to(os.readlink(src))
    import ansible_collections.amazon.aws  # noqa: F401  (locates the installed ansible package)

    installed = Path(sys.modules["ansible_collections.amazon.aws"].__path__[0]).parent.parent
    for dep in DEPENDENCIES:
        dst = ROOT / dep
        if not dst.exists():
            shutil.copytree(installed / dep, dst, symlinks=True)


def write_get_pip_standin() -> None:
    cache = Path.home() / ".ansible" / "test" / "cache" / f"get_pip_{PIP_VERSION.replace('.', '_')}.py"
    cache.parent.mkdir(parents=True, exist_ok=True)
    if not cache.exists() or cache.read_text() != GET_PIP_STANDIN:
        cache.write_text(GET_PIP_STANDIN)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("sanity", "units"):
        print(__doc__)
        return 2
    sync_tree()
    write_get_pip_standin()
    command, extra = argv[0], argv[1:]
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    args = [str(Path(sys.executable).with_name("ansible-test")), command, "--python", python, "--color", "no"]
    if command == "units":
        args += ["--requirements"]
    env = dict(os.environ)
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)  # ansible-test finds the collections from its own tree
    return subprocess.run(args + extra, cwd=TARGET, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
