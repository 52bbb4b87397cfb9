"""An environment's stack applied into the emulator by real Terraform over the offline provider."""

from __future__ import annotations

from typing import Any
from typing import Iterator

import pytest
from emulated_stack import Stack


@pytest.fixture(scope="module")
def applied(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """dev's stack applied into a freshly reset emulator (once per test module; tests may break and repair it)."""
    emulator.reset()
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            patch.delenv(key, raising=False)
        for key, value in emulator.env().items():
            patch.setenv(key, value)
        stack = Stack("dev", tmp_path_factory.mktemp("stack") / "dev")
        stack.apply()
        yield stack
