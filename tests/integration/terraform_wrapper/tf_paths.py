"""Where the real Terraform and the provider-less fixtures are (shared by this folder's tests)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "terraform"
TERRAFORM = REPO / ".venv" / "bin" / "terraform"
TERRAFORMRC = REPO / "tools" / "terraformrc"
