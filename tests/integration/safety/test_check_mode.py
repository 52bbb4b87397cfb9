"""Check mode is a true dry run: the emulator records every request of a --check run, and none may change anything.

The site's terraform phases (plan, approve, apply) need the AWS provider, which cannot run against the
emulator here, so the site run skips their tags; every other phase runs for all three environments.
"""

from __future__ import annotations

import pytest

from safety_support import INVENTORIES
from safety_support import NO_TERRAFORM
from safety_support import TRACEBACK
from safety_support import recap
from safety_support import recording

pytestmark = [pytest.mark.emulator, pytest.mark.slow]

RUNS = {
    "site": ["site.yml", *INVENTORIES, "--check", *NO_TERRAFORM],
    "health": ["playbooks/health.yml", *INVENTORIES, "--check"],
    "delegate_dns": ["playbooks/delegate_dns.yml", "-i", "inventories/prod", "--check"],
}


@pytest.mark.parametrize("name", list(RUNS))
def test_check_run_sends_no_request_that_changes_anything(name, populated, emulator, playbook, tmp_path):
    with recording(emulator) as seen:
        run = playbook(*RUNS[name], "-e", f"cluster_health_artifacts_dir={tmp_path}", env=emulator.env())
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert not TRACEBACK.search(run.stdout + run.stderr)
    assert all(host["failed"] == 0 for host in recap(run.stdout).values())
    assert seen.reads > 0, "the recorder saw the run"
    assert seen.writes == [], f"{name} --check changed something: {seen.writes}"
    print(f"{name} --check: {seen.summary()}")
