"""Where the stack is (shared by this folder's tests)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "terraform"
