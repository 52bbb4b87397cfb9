"""The AWX execution environment's build context is produced offline and installs what runs the collection."""

from __future__ import annotations

import re
import subprocess

from support import BIN
from support import REPO


def test_builder_creates_the_context_offline(tmp_path):
    proc = subprocess.run(
        [str(BIN / "ansible-builder"), "create", "-f", str(REPO / "execution-environment.yml"), "-c", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (containerfile,) = [p for p in (tmp_path / "Containerfile", tmp_path / "Dockerfile") if p.exists()]
    text = containerfile.read_text()
    assert "TERRAFORM_VERSION=1.15.5" in text and "install-terraform.sh" in text
    assert (tmp_path / "_build" / "scripts" / "install-terraform.sh").exists()
    assert "ansible-core==2.19.14" in text
    # The EE runs the modules with the same AWS SDK the tests use.
    pins = dict(re.findall(r"^(boto3|botocore)==(\S+)$", (REPO / "requirements.txt").read_text(), re.M))
    ee = (tmp_path / "_build" / "requirements.txt").read_text()
    for name, version in pins.items():
        assert f"{name}=={version}" in ee


def test_terraform_install_verifies_signature_and_checksum():
    script = (REPO / "ee" / "install-terraform.sh").read_text()
    assert "C874011F0AB405110D02105534365D9472D7468F" in script  # HashiCorp's release key
    assert "gpg --batch --verify" in script and "sha256sum -c" in script
    assert subprocess.run(["bash", "-n", str(REPO / "ee" / "install-terraform.sh")], check=False).returncode == 0
