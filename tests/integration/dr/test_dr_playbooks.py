"""playbooks/failover.yml and failback.yml against the emulated warm standby: plan and await approval, execute the
approved digest, fail back. Real ansible-playbook runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from dr_standby import DR_ORIGIN
from dr_standby import PRIMARY_ORIGIN

pytestmark = pytest.mark.emulator

PROD = ["-i", "inventories/prod"]
FORCE = ["-e", "bbws_failover_force=true", "-e", "bbws_failover_force_reason=DR drill"]


def digest_of(stdout: str, direction: str) -> str:
    return re.search(rf"re-run with -e bbws_{direction}_approve=([0-9a-f]{{64}})", stdout).group(1)


def test_failover_then_failback_by_approved_digests(standby, playbook, tmp_path):
    artifacts = ["-e", f"bbws_artifacts_dir={tmp_path}"]
    refused = playbook("playbooks/failover.yml", *PROD, *artifacts)
    assert refused.returncode != 0 and "looks healthy" in refused.stdout and "force=true" in refused.stdout

    plan = playbook("playbooks/failover.yml", *PROD, *artifacts, *FORCE)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-2000:]
    digest = digest_of(plan.stdout, "failover")
    assert "promote_read_replica" in plan.stdout
    assert re.search(r"TASK \[[^\]]*Plan the failover\] \*+\nok: \[bbws-prod\]", plan.stdout)
    assert "Execute the approved failover] *" in plan.stdout and "skipping: [bbws-prod]" in plan.stdout
    [written] = Path(tmp_path).glob("*-prod/dr/failover-plan.json")
    assert json.loads(written.read_text())["digest"] == digest
    assert standby.group_members() == [PRIMARY_ORIGIN, DR_ORIGIN]

    done = playbook("playbooks/failover.yml", *PROD, *artifacts, *FORCE, "-e", f"bbws_failover_approve={digest}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Failover executed" in done.stdout and "PROD:" in done.stdout  # the DR region's health report
    assert standby.group_members() == [DR_ORIGIN, PRIMARY_ORIGIN] and standby.dr_desired() == {"banana": 2}
    assert list(Path(tmp_path).glob("*-prod/dr/failover-executed.json"))

    back = playbook("playbooks/failback.yml", *PROD, *artifacts)
    assert back.returncode == 0, back.stdout[-3000:] + back.stderr[-2000:]
    back_digest = digest_of(back.stdout, "failback")
    # An approval of the failover is not one of the failback.
    wrong = playbook("playbooks/failback.yml", *PROD, *artifacts, "-e", f"bbws_failover_approve={back_digest}")
    assert wrong.returncode == 0 and "awaiting approval" in wrong.stdout
    assert standby.group_members() == [DR_ORIGIN, PRIMARY_ORIGIN]
    home = playbook("playbooks/failback.yml", *PROD, *artifacts, "-e", f"bbws_failback_approve={back_digest}")
    assert home.returncode == 0, home.stdout[-3000:] + home.stderr[-2000:]
    assert standby.group_members() == [PRIMARY_ORIGIN, DR_ORIGIN] and standby.dr_desired() == {"banana": 0}


def test_failover_playbook_refuses_an_inventory_without_prod(aws, playbook):
    run = playbook("playbooks/failover.yml", "-i", "inventories/dev")
    assert run.returncode != 0 and "Only prod has a warm standby" in run.stdout


@pytest.mark.parametrize("skip", [["--skip-tags", "always"], ["--start-at-task", "Fix this run's folder"]])
def test_no_option_runs_the_failover_without_the_guard(standby, playbook, tmp_path, skip):
    run = playbook("playbooks/failover.yml", *PROD, "-e", f"bbws_artifacts_dir={tmp_path}", *FORCE, *skip)
    assert run.returncode != 0 and "The account guard has not verified bbws-prod in this run" in run.stdout
    assert standby.group_members() == [PRIMARY_ORIGIN, DR_ORIGIN]


def test_check_mode_with_the_approved_digest_changes_nothing(standby, playbook, tmp_path):
    artifacts = ["-e", f"bbws_artifacts_dir={tmp_path}"]
    plan = playbook("playbooks/failover.yml", *PROD, *artifacts, *FORCE)
    digest = digest_of(plan.stdout, "failover")
    run = playbook(
        "playbooks/failover.yml", *PROD, *artifacts, *FORCE, "-e", f"bbws_failover_approve={digest}", "--check"
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Check mode: the approved plan would be executed" in run.stdout
    assert standby.group_members() == [PRIMARY_ORIGIN, DR_ORIGIN] and standby.dr_desired() == {"banana": 0}
    assert not any(t["Key"] == "bbws:dr-promoted" for t in standby.dr_db().get("TagList", []))
