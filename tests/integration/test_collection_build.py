"""The collection builds into a tarball that installs and works without this repository."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from support import BIN
from support import REPO
from support import ansible_env


@pytest.fixture(scope="module")
def tarball(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("bbws-ecs_cluster-*.tar.gz")
    return built


def test_tarball_holds_the_collection_and_no_local_state(tarball):
    names = tarfile.open(tarball).getnames()
    for required in (
        "MANIFEST.json",
        "meta/runtime.yml",
        "plugins/modules/account_assert.py",
        "roles/account_guard/meta/argument_specs.yml",
        "playbooks/site.yml",
        "terraform",
    ):
        assert required in names, required
    leaked = [
        n
        for n in names
        if n.split("/")[0] in {".venv", ".build", "collections", "artifacts", ".git"}
        or n.endswith((".tfstate", ".tfplan"))
        or "/.terraform/" in f"/{n}"
    ]
    assert leaked == []


@pytest.mark.emulator
def test_installed_tarball_runs_the_module(aws, tarball, tmp_path):
    install = tmp_path / "collections"
    subprocess.run(
        [
            str(BIN / "ansible-galaxy"),
            "collection",
            "install",
            str(tarball),
            "-p",
            str(install),
            "--no-deps",
            "--force",
        ],
        check=True,
        capture_output=True,
    )
    (tmp_path / "ansible.cfg").write_text("[defaults]\n")  # not the repository's config: only the install
    env = ansible_env({"ANSIBLE_COLLECTIONS_PATH": str(install), "ANSIBLE_CONFIG": str(tmp_path / "ansible.cfg")})
    proc = subprocess.run(
        [
            str(BIN / "ansible"),
            "localhost",
            "-m",
            "bbws.ecs_cluster.account_assert",
            "-a",
            "profile=Tebogo-sit expected_account_id=815856636111 environment=sit",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        str(install)
        in subprocess.run(
            [str(BIN / "ansible-doc"), "bbws.ecs_cluster.account_assert"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
