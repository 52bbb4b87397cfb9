"""Paths shared by the AWX tests: the AWX configuration playbook, its variables, and the real Terraform."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
AWX_DIR = REPO / "awx"
AWX_PLAYBOOK = AWX_DIR / "configure.yml"
FIXTURE_STACK = REPO / "tests" / "fixtures" / "terraform" / "stack"
TERRAFORM = REPO / ".venv" / "bin" / "terraform"
TERRAFORMRC = REPO / "tools" / "terraformrc"
