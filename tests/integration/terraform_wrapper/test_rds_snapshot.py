"""The database backup before an approved apply (terraform_stack tasks/apply.yml) against the emulated dev account.

A plan that updates an ``aws_db_instance`` takes a manual snapshot named after the run, waits until it is
available and records it in the run's artifacts; when the snapshot fails the apply is aborted.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import yaml

REPO = Path(__file__).resolve().parents[3]
REGISTRY = yaml.safe_load((REPO / "inventories" / "common" / "group_vars" / "all" / "environments.yml").read_text())
DEV = yaml.safe_load((REPO / "inventories" / "dev" / "group_vars" / "bbws_dev" / "environment.yml").read_text())
PLAYBOOK = "tests/integration/terraform_wrapper/rds_snapshot.yml"
IDENTIFIER = f"{REGISTRY['bbws_project']}-dev-mysql"
RUN = "20260101T000000Z-dev"


def rds():
    return boto3.Session(profile_name=REGISTRY["bbws_environments"]["dev"]["profile"]).client(
        "rds", region_name=DEV["bbws_region"]
    )


def run(playbook, run_dir: Path):
    return playbook(
        PLAYBOOK,
        "-i",
        "inventories/dev",
        "-e",
        f"rds_snapshot_run_dir={run_dir}",
        "-e",
        f"rds_snapshot_identifier={IDENTIFIER}",
    )


def test_update_of_a_database_is_preceded_by_a_recorded_snapshot(aws, playbook, tmp_path):
    rds().create_db_instance(
        DBInstanceIdentifier=IDENTIFIER,
        Engine="mysql",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="not-a-real-secret-1",
    )
    run_dir = tmp_path / RUN
    run_dir.mkdir()
    result = run(playbook, run_dir)

    snapshot = f"{IDENTIFIER}-before-{RUN.lower()}"
    found = rds().describe_db_snapshots(DBInstanceIdentifier=IDENTIFIER, SnapshotType="manual")["DBSnapshots"]
    assert [(s["DBSnapshotIdentifier"], s["Status"]) for s in found] == [(snapshot, "available")], result.stdout
    assert json.loads((run_dir / "db-snapshots.json").read_text()) == {IDENTIFIER: snapshot}
    # Only the database is backed up (the ECS cluster in the same plan is not a database).
    assert "bbws-dev-cluster" not in (run_dir / "db-snapshots.json").read_text()
    # The backup passed, so the role went on to the apply, which stops here only because no plan file exists.
    assert "apply | Apply exactly the approved plan file" in result.stdout
    assert "Backup before a database change failed" not in result.stdout
    assert "not-a-real-secret-1" not in result.stdout + result.stderr


def test_failed_snapshot_aborts_the_apply(aws, playbook, tmp_path):
    run_dir = tmp_path / RUN
    run_dir.mkdir()
    result = run(playbook, run_dir)  # no such DB instance in the dev account

    assert result.returncode != 0
    said = " ".join(result.stdout.split())  # the callback wraps long messages
    assert "Backup before a database change failed, so the apply was aborted and nothing was applied" in said, said
    assert f"(databases {IDENTIFIER})" in said
    # The cause is named, not a generic "One or more items failed".
    assert "DBInstanceNotFound" in said and "One or more items failed" not in said
    assert "apply | Apply exactly the approved plan file" not in said
    assert not (run_dir / "db-snapshots.json").exists()
    assert not (run_dir / "state-before-apply.json").exists()
    assert rds().describe_db_snapshots()["DBSnapshots"] == []
