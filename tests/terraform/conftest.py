"""Shared fixtures for the Terraform stack's checks (no AWS, no emulator)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

from stack_paths import REPO
from stack_paths import STACK

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "tools"))

import schema_check  # noqa: E402


@pytest.fixture(scope="session")
def aws_schema() -> schema_check.Schema:
    """The hashicorp/aws schema from the installed cdktf package (cached under .build/terraform)."""
    return schema_check.load_schema(REPO / ".build" / "terraform")


@pytest.fixture(scope="session")
def stack() -> dict[str, dict[str, Any]]:
    """Every .tf file of the stack parsed with python-hcl2, by file name."""
    parsed = {}
    for path in sorted(STACK.glob("*.tf")):
        with path.open() as handle:
            parsed[path.name] = hcl2.load(handle)
    return parsed
