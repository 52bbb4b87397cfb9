"""Fixtures of the safety suite: the three emulated accounts populated once per test module."""

from __future__ import annotations

import pytest

from safety_support import emulator_env
from safety_support import populate


@pytest.fixture(scope="module")
def populated(emulator):
    """A reset emulator holding every environment's cluster and the delegation zones; this process points at it.

    Shared by a module's tests, so only tests that change nothing (or restore what they change) use it.
    """
    emulator.reset()
    with emulator_env(emulator):
        clusters = populate()
        yield clusters
