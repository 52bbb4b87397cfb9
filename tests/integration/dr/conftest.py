"""Fixtures for the failover/failback tests: the warm-standby scenario (dr_standby.py) in a clean emulator."""

from __future__ import annotations

import pytest
from dr_standby import ACCOUNT_ID
from dr_standby import DR
from dr_standby import ENVIRONMENT
from dr_standby import PRIMARY
from dr_standby import PROFILE
from dr_standby import PROJECT
from dr_standby import Standby
from dr_standby import build_standby


@pytest.fixture
def standby(aws) -> Standby:
    """A clean emulator holding prod's primary and its warm standby (one tenant service, 2 tasks in the primary)."""
    return build_standby({"banana": 2})


@pytest.fixture
def failover_args():
    """The module's arguments for the scenario (plus overrides)."""

    def make(direction: str = "failover", **extra) -> dict:
        return {
            "profile": PROFILE,
            "project": PROJECT,
            "environment": ENVIRONMENT,
            "primary_region": PRIMARY,
            "dr_region": DR,
            "direction": direction,
            "expected_account_id": ACCOUNT_ID,
            "wait_timeout": 30,
            **extra,
        }

    return make
