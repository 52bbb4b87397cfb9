"""An environment's stack applied into the emulator by real Terraform over the offline provider."""

from __future__ import annotations

from typing import Any
from typing import Iterator

import faults
import pytest
from emulated_stack import Stack


@pytest.fixture(scope="module")
def applied(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """dev's stack applied into a freshly reset emulator (for each test module; tests may break and repair it)."""
    emulator.reset()
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            patch.delenv(key, raising=False)
        for key, value in emulator.env().items():
            patch.setenv(key, value)
        # Applied by Terraform once per session; later modules get it back from the emulator's snapshot of that
        # apply, with the same state (tools/faults.py build_cluster).
        artifacts = tmp_path_factory.mktemp("stack")
        faults.build_cluster("dev", custom_domain=False, artifacts_dir=artifacts)
        stack = Stack("dev", artifacts / "dev", state_path=artifacts / "local-emulator" / "dev" / "terraform.tfstate")
        stack.prepare()
        yield stack
