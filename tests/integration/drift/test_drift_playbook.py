"""playbooks/drift.yml against the emulator (-e bbws_local_emulator=true): drift details and orphans, read-only."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from support import REPO

sys.path.insert(0, str(REPO / "tests" / "integration" / "terraform_wrapper"))
import remote_provider  # noqa: E402  (the real provider whose objects live in a file: see its docstring)
from test_orphan_resources_info import BUCKET  # noqa: E402
from test_orphan_resources_info import DEV  # noqa: E402
from test_orphan_resources_info import TAGS  # noqa: E402
from test_orphan_resources_info import tagged_group  # noqa: E402
from test_orphan_resources_info import write_state  # noqa: E402

pytestmark = [pytest.mark.emulator, pytest.mark.slow]
PLAYBOOK = "playbooks/drift.yml"
TERRAFORM = REPO / ".venv" / "bin" / "terraform"


@pytest.fixture
def dev_with_orphan(aws):
    """The dev account with its state bucket, a state managing one tagged group, and one tagged group it does not."""
    session = boto3.Session(profile_name=DEV["profile"], region_name=DEV["region"])
    s3, ec2 = session.client("s3"), session.client("ec2")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": DEV["region"]})
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    managed = tagged_group(ec2, vpc_id, "bbws-dev-alb", TAGS)
    orphan = tagged_group(ec2, vpc_id, "legacy-admin", TAGS)
    write_state(s3, managed)
    return {"managed": managed, "orphan": orphan, "groups": lambda: ec2.describe_security_groups()["SecurityGroups"]}


def reports(artifacts: Path, environment: str = "dev") -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(artifacts.glob(f"*-{environment}/drift-report.json"))]


def test_stack_drift_and_orphans_of_dev_in_check_mode(dev_with_orphan, playbook, tmp_path, aws):
    groups_before = dev_with_orphan["groups"]()
    run = playbook(
        PLAYBOOK, "-i", "inventories/dev", "--check", "-e", f"terraform_stack_artifacts_dir={tmp_path}", env=aws.env()
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    [report] = reports(tmp_path)
    # The real stack, planned with the offline provider: nothing applied here, so nothing can have drifted.
    assert report["drift"] == [] and report["plan"]["counts"]["add"] > 0
    assert "None: every object Terraform manages matches its state." in run.stdout
    [orphan] = report["orphans"]["items"]
    assert orphan["id"] == dev_with_orphan["orphan"] and orphan["import"]["to"] == "aws_security_group.legacy_admin"
    assert dev_with_orphan["managed"] not in json.dumps(report["orphans"]["items"])
    assert f'id = "{dev_with_orphan["orphan"]}"' in run.stdout  # the import block is printed
    assert f"aws ec2 delete-security-group --group-id {dev_with_orphan['orphan']}" in run.stdout
    md = Path(report["report_files"][1]).read_text()
    assert "## Orphans: 1" in md and f'  id = "{dev_with_orphan["orphan"]}"' in md
    assert dev_with_orphan["groups"]() == groups_before  # nothing deleted
    assert not list(tmp_path.rglob("*.tfstate.backup"))  # nothing applied


def test_drift_details_of_objects_changed_outside_terraform(dev_with_orphan, playbook, tmp_path, aws):
    """The role pointed at a stack whose objects live in a file: real Terraform refreshes and reports the drift."""
    stack = tmp_path / "drifting"
    shutil.copytree(REPO / "tests" / "fixtures" / "terraform" / "drifting", stack)
    store = tmp_path / "remote.json"
    tf_env = {"TF_CLI_CONFIG_FILE": str(remote_provider.cli_config(tmp_path / "provider")), "TF_IN_AUTOMATION": "1"}
    for argv in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false", f"-var=store={store}"]):
        done = subprocess.run(
            [str(TERRAFORM), *argv],
            cwd=stack,
            env={**aws.env(), **tf_env, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    objects = json.loads(store.read_text())
    for key, obj in list(objects.items()):
        if obj["name"] == "app":
            obj["size"], obj["password"] = "large", "rotated-outside-terraform-1"
        elif obj["name"] == "cache":
            del objects[key]
    store.write_text(json.dumps(objects))
    state_before = (stack / "terraform.tfstate").read_text()

    values = {
        "terraform_stack_project_path": str(stack),
        "terraform_stack_backend_config": {},
        "terraform_stack_binary_path": str(TERRAFORM),
        "terraform_stack_artifacts_dir": str(tmp_path / "artifacts"),
        "terraform_stack_variables": {"store": str(store)},
        "terraform_stack_tf_environment": {"TF_CLI_CONFIG_FILE": tf_env["TF_CLI_CONFIG_FILE"]},
    }
    run = playbook(PLAYBOOK, "-i", "inventories/dev", "-e", json.dumps(values), env=aws.env())
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    [report] = reports(tmp_path / "artifacts")
    drift = {d["address"]: d for d in report["drift"]}
    assert drift["remote_object.app"]["next_apply"] == "update"
    assert {a["attribute"]: (a["before"], a["after"]) for a in drift["remote_object.app"]["changed_attributes"]} == {
        "size": ("small", "large"),
        "password": ("(sensitive value)", "(sensitive value)"),
    }
    assert drift["remote_object.cache"]["drift"] == "delete" and drift["remote_object.cache"]["next_apply"] == "create"
    # Printed by the plan summary and by the report, per environment.
    assert "DRIFT: remote_object.app (remote_object, obj-" in run.stdout
    assert 'size: "small" -> "large"' in run.stdout
    assert "`remote_object.cache` (remote_object" in Path(report["report_files"][1]).read_text()
    for text in (run.stdout, run.stderr, *(p.read_text() for p in (tmp_path / "artifacts").rglob("drift-report.*"))):
        assert "fixture-pw-drift-" not in text and "rotated-outside-terraform-" not in text
    # The plan phase prints the same details in a --check run (plan.yml, and site.yml's plan phase).
    check = playbook("playbooks/plan.yml", "-i", "inventories/dev", "--check", "-e", json.dumps(values), env=aws.env())
    assert check.returncode == 0, check.stdout[-4000:] + check.stderr[-2000:]
    assert (
        "DRIFT: remote_object.cache (remote_object, obj-" in check.stdout
        and "deleted outside Terraform" in check.stdout
    )
    assert 'size: "small" -> "large"' in check.stdout and "rotated-outside-terraform-" not in check.stdout
    # Read-only: the state and the remote objects are as they were (the plan was not applied).
    assert (stack / "terraform.tfstate").read_text() == state_before
    assert "remote_object.cache" not in store.read_text() and len(json.loads(store.read_text())) == 2


def test_drift_refuses_to_run_without_the_guard(dev_with_orphan, playbook, tmp_path, aws):
    run = playbook(
        PLAYBOOK,
        "-i",
        "inventories/dev",
        "--check",
        "--skip-tags",
        "always",
        "-e",
        f"terraform_stack_artifacts_dir={tmp_path}",
        env=aws.env(),
    )
    assert run.returncode != 0
    assert "The account guard has not verified bbws-dev in this run" in run.stdout + run.stderr
    assert not list(tmp_path.rglob("drift-report.*")) and not list(tmp_path.rglob("*.tfplan"))
