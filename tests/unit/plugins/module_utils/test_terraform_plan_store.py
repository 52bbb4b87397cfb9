"""The plan's life between the plan run and the apply: stash, fetch, verify, refuse, init.

S3 is the emulator (real boto3 over HTTP, wrapped in the same retrying client the module uses); Terraform is the
injected runner, so the init's argv is checked without a binary (the real init runs in tests/integration/awx).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import boto3
import pytest

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.bbws.ecs_cluster.plugins.module_utils import terraform_plan_store as store_utils
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import TerraformCommands
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformApprovalRefused
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformPlanChanged
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_plan_store import PlanStore

BUCKET = "bbws-terraform-state-536580886816"
PREFIX = "ecs-cluster/dev/plans"
LOCK = "# provider lock file of the plan run\n"
BACKEND = {"bucket": BUCKET, "key": "ecs-cluster/dev/terraform.tfstate", "encrypt": True}


PLAN_VARIABLES = {"environment": {"value": "dev"}, "nat_gateways": {"value": 1}, "tags": {"value": {"a": "b"}}}


class Runner:
    """Stands in for module.run_command: records each terraform command and answers success (``show`` answers with
    a plan's JSON that records its variable values)."""

    def __init__(self):
        self.calls = []

    def __call__(self, argv, cwd=None, environ_update=None):
        self.calls.append(argv)
        if argv[1] == "show":
            return 0, json.dumps({"format_version": "1.2", "variables": PLAN_VARIABLES}), ""
        return 0, "", ""


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_run(artifacts: Path, run: str, plan_bytes: bytes, project: Path, environment: str = "dev", **extra) -> dict:
    """A run folder as plan_new.yml leaves it: the plan file and its JSON summary."""
    folder = artifacts / f"{run}-{environment}"
    folder.mkdir(parents=True)
    (folder / "stack.tfplan").write_bytes(plan_bytes)
    summary = {
        "environment": environment,
        "project_path": str(project),
        "digest": digest_of(plan_bytes),
        "plan_file": str(folder / "stack.tfplan"),
        "changed": True,
        "summary": {"add": 3},
        **extra,
    }
    (folder / "plan-summary.json").write_text(json.dumps(summary))
    return summary


@pytest.fixture
def s3(aws):
    client = boto3.client("s3", region_name="af-south-1", endpoint_url=aws.endpoint)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "af-south-1"})
    return client


@pytest.fixture
def store(s3):
    return PlanStore(RetryingBotoClientWrapper(s3, AWSRetry.jittered_backoff(retries=2)), BUCKET, PREFIX)


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "stack"
    folder.mkdir()
    return folder


def load(given, project, artifacts, **kwargs):
    return store_utils.load_plan(given, "dev", str(project), str(artifacts), **kwargs)


# Refuse: what an approval may name.


@pytest.mark.parametrize(
    "given",
    ["0123", "0123456789a", "0123456789abc", "0123456789ag", "zz" * 32, "0123456789ab; rm -rf /", "*" * 12],
)
def test_an_approval_that_is_no_digest_is_refused_as_matching_no_plan(given, tmp_path, project):
    make_run(tmp_path, "20260101T000000Z", b"plan", project)
    with pytest.raises(TerraformApprovalRefused, match="does not match any dev plan .* first 12 characters"):
        load(given, project, tmp_path)


def test_an_empty_approval_is_refused_as_none_given(tmp_path, project):
    with pytest.raises(TerraformApprovalRefused, match="No approval was given: nothing was applied"):
        load("  ", project, tmp_path)


def test_a_digest_of_no_plan_here_is_refused(tmp_path, project):
    make_run(tmp_path, "20260101T000000Z", b"plan", project)
    make_run(tmp_path, "20260101T000000Z", b"sit plan", project, environment="sit")
    sit_digest = digest_of(b"sit plan")
    with pytest.raises(TerraformApprovalRefused) as refused:
        load(sit_digest[:12], project, tmp_path)
    assert refused.value.message.startswith(f"bbws_approve={sit_digest[:12]} does not match any dev plan in {tmp_path}")


def test_a_plan_of_another_root_module_is_not_the_approved_plan(tmp_path, project):
    summary = make_run(tmp_path, "20260101T000000Z", b"plan", tmp_path / "other-stack")
    with pytest.raises(TerraformApprovalRefused, match=f"for {project}: nothing was applied"):
        load(summary["digest"], project, tmp_path)


def test_a_prefix_of_two_plans_is_ambiguous_and_names_both(tmp_path, project):
    first = make_run(tmp_path, "20260101T000000Z", b"plan", project)
    second = dict(first, digest=first["digest"][:12] + "f" * 52)
    folder = tmp_path / "20260102T000000Z-dev"
    folder.mkdir()
    (folder / "plan-summary.json").write_text(json.dumps(second))
    with pytest.raises(TerraformApprovalRefused) as refused:
        load(first["digest"][:12].upper(), project, tmp_path)
    assert "is ambiguous: it is the start of 2 dev plans" in refused.value.message
    assert refused.value.details["digests"] == sorted([first["digest"], second["digest"]])
    # The full digest names one of them.
    assert load(first["digest"], project, tmp_path)["plan"]["digest"] == first["digest"]


def test_the_approved_plan_is_found_by_its_prefix_and_nothing_is_fetched(tmp_path, project, store):
    make_run(tmp_path, "20260101T000000Z", b"older plan", project)
    summary = make_run(tmp_path, "20260102T000000Z", b"plan", project)
    runner = Runner()
    commands = TerraformCommands(runner, str(project), "/bin/terraform")
    loaded = load(f" {summary['digest'][:12]} ", project, tmp_path, store=store, commands=commands)
    assert loaded == {
        "changed": False,
        "fetched": False,
        "plan": summary,
        "run_dir": str(tmp_path / "20260102T000000Z-dev"),
    }
    assert runner.calls == []  # the plan run's working directory is still here


# Stash.


def test_stash_uploads_the_plan_its_summary_and_lock_file_encrypted_once(tmp_path, project, store, s3):
    (project / ".terraform.lock.hcl").write_text(LOCK)
    summary = make_run(tmp_path, "20260101T000000Z", b"plan bytes", project)
    run_dir = tmp_path / "20260101T000000Z-dev"
    stashed = store_utils.stash_plan(store, str(run_dir), str(project))
    folder = f"{PREFIX}/{summary['digest']}"
    assert stashed == {
        "changed": True,
        "digest": summary["digest"],
        "location": f"s3://{BUCKET}/{folder}/stack.tfplan",
        "uploaded": ["stack.tfplan", "plan-summary.json", ".terraform.lock.hcl"],
    }
    for name, expected in (("stack.tfplan", b"plan bytes"), (".terraform.lock.hcl", LOCK.encode())):
        stored = s3.get_object(Bucket=BUCKET, Key=f"{folder}/{name}")
        assert stored["ServerSideEncryption"] == "AES256"
        assert stored["Body"].read() == expected
    assert (run_dir / ".terraform.lock.hcl").read_text() == LOCK  # kept with the run's artifacts too
    # The same plan again: the store has these bytes already.
    assert store_utils.stash_plan(store, str(run_dir), str(project))["uploaded"] == []


def test_stash_in_check_mode_writes_nothing(tmp_path, project, store, s3):
    (project / ".terraform.lock.hcl").write_text(LOCK)
    make_run(tmp_path, "20260101T000000Z", b"plan bytes", project)
    run_dir = tmp_path / "20260101T000000Z-dev"
    stashed = store_utils.stash_plan(store, str(run_dir), str(project), check_mode=True)
    assert stashed["changed"] is True and len(stashed["uploaded"]) == 3
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert not (run_dir / ".terraform.lock.hcl").exists()


def test_a_plan_file_changed_after_planning_is_not_stashed(tmp_path, project, store, s3):
    make_run(tmp_path, "20260101T000000Z", b"plan bytes", project)
    run_dir = tmp_path / "20260101T000000Z-dev"
    (run_dir / "stack.tfplan").write_bytes(b"edited plan")
    with pytest.raises(TerraformPlanChanged, match="it changed after it was planned, so it was not stashed"):
        store_utils.stash_plan(store, str(run_dir), str(project))
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


# Fetch and verify.


def stash_elsewhere(tmp_path: Path, project: Path, store: PlanStore, plan_bytes: bytes = b"plan bytes") -> dict:
    """The plan job: a plan made in its own artifacts folder and stashed."""
    (project / ".terraform.lock.hcl").write_text(LOCK)
    summary = make_run(tmp_path / "plan-job", "20260101T000000Z", plan_bytes, project)
    stashed = store_utils.stash_plan(store, str(tmp_path / "plan-job" / "20260101T000000Z-dev"), str(project))
    (project / ".terraform.lock.hcl").unlink()  # the apply job's fresh checkout has none
    return {**summary, "location": stashed["location"]}


def test_fetch_downloads_verifies_restores_the_lock_file_and_initialises(tmp_path, project, store):
    plan = stash_elsewhere(tmp_path, project, store)
    artifacts, fetch_dir = tmp_path / "apply-job", tmp_path / "apply-job" / "20260102T000000Z-dev"
    runner = Runner()
    commands = TerraformCommands(runner, str(project), "/bin/terraform")
    loaded = load(
        plan["digest"][:12],
        project,
        artifacts,
        store=store,
        commands=commands,
        fetch_dir=str(fetch_dir),
        location=plan["location"],
        backend_config=BACKEND,
    )
    assert loaded["changed"] is True and loaded["fetched"] is True
    assert loaded["run_dir"] == str(fetch_dir)
    assert (fetch_dir / "stack.tfplan").read_bytes() == b"plan bytes"
    assert loaded["plan"]["plan_file"] == str(fetch_dir / "stack.tfplan")
    assert loaded["plan"]["plan_location"] == plan["location"]
    assert json.loads((fetch_dir / "plan-summary.json").read_text()) == loaded["plan"]
    assert (project / ".terraform.lock.hcl").read_text() == LOCK
    assert runner.calls == [
        [
            "/bin/terraform",
            "init",
            "-input=false",
            "-no-color",
            "-reconfigure",
            "-lockfile=readonly",
            f"-backend-config=bucket={BUCKET}",
            "-backend-config=encrypt=true",
            "-backend-config=key=ecs-cluster/dev/terraform.tfstate",
        ],
        ["/bin/terraform", "show", "-json", "-no-color", str(fetch_dir / "stack.tfplan")],
    ]
    # The plan's own variable values, for the plan with refresh after the apply (the plan job's file is not here).
    variables = fetch_dir / "terraform.tfvars.json"
    assert json.loads(variables.read_text()) == {"environment": "dev", "nat_gateways": 1, "tags": {"a": "b"}}
    assert variables.stat().st_mode & 0o777 == 0o600
    # Fetched once: the next run finds it in the artifacts folder.
    again = load(plan["digest"], project, artifacts, store=store, commands=commands, fetch_dir=str(tmp_path / "x"))
    assert again["fetched"] is False and len(runner.calls) == 2


def test_a_full_digest_is_fetched_from_its_key_without_a_location(tmp_path, project, store):
    plan = stash_elsewhere(tmp_path, project, store)
    fetch_dir = tmp_path / "apply-job" / "20260102T000000Z-dev"
    commands = TerraformCommands(Runner(), str(project), "/bin/terraform")
    loaded = load(
        plan["digest"], project, tmp_path / "apply-job", store=store, commands=commands, fetch_dir=str(fetch_dir)
    )
    assert loaded["plan"]["plan_location"] == plan["location"]


def test_a_stored_file_that_is_not_the_approved_plan_is_refused_and_removed(tmp_path, project, store, s3):
    plan = stash_elsewhere(tmp_path, project, store)
    key = plan["location"].removeprefix(f"s3://{BUCKET}/")
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"another plan")  # replaced after the approval
    fetch_dir = tmp_path / "apply-job" / "20260102T000000Z-dev"
    runner = Runner()
    commands = TerraformCommands(runner, str(project), "/bin/terraform")
    with pytest.raises(TerraformPlanChanged) as refused:
        load(plan["digest"], project, tmp_path / "apply-job", store=store, commands=commands, fetch_dir=str(fetch_dir))
    assert refused.value.message.startswith(
        f"The plan file at {plan['location']} has SHA-256 {digest_of(b'another plan')} (its summary says "
        f"{plan['digest']}, environment dev), which is not the approved dev plan {plan['digest']}: nothing was applied."
    )
    assert not (fetch_dir / "stack.tfplan").exists()
    assert runner.calls == [] and not (project / ".terraform.lock.hcl").exists()


def test_a_plan_of_another_environment_is_refused(tmp_path, project, store, s3):
    plan = stash_elsewhere(tmp_path, project, store)
    summary_key = plan["location"].removeprefix(f"s3://{BUCKET}/").replace("stack.tfplan", "plan-summary.json")
    s3.put_object(Bucket=BUCKET, Key=summary_key, Body=json.dumps({**plan, "environment": "prod"}).encode())
    commands = TerraformCommands(Runner(), str(project), "/bin/terraform")
    with pytest.raises(TerraformPlanChanged, match="environment prod\\), which is not the approved dev plan"):
        load(
            plan["digest"],
            project,
            tmp_path / "apply-job",
            store=store,
            commands=commands,
            fetch_dir=str(tmp_path / "apply-job" / "run-dev"),
        )


def test_fetching_a_plan_the_store_does_not_have_is_refused(tmp_path, project, store):
    missing = digest_of(b"never stashed")
    runner = Runner()
    commands = TerraformCommands(runner, str(project), "/bin/terraform")
    with pytest.raises(TerraformApprovalRefused) as refused:
        load(
            missing,
            project,
            tmp_path / "apply-job",
            store=store,
            commands=commands,
            fetch_dir=str(tmp_path / "apply-job" / "run-dev"),
        )
    assert refused.value.message.startswith(
        f"The plan store has no plan file at s3://{BUCKET}/{PREFIX}/{missing}/stack.tfplan: nothing was applied."
    )
    assert runner.calls == [] and not (tmp_path / "apply-job" / "run-dev" / "stack.tfplan").exists()


@pytest.mark.parametrize(
    "location",
    [
        f"s3://other-bucket/{PREFIX}/{'a' * 64}/stack.tfplan",
        f"s3://{BUCKET}/ecs-cluster/prod/plans/{'a' * 64}/stack.tfplan",
        f"s3://{BUCKET}/{PREFIX}/{'a' * 64}/other.tfplan",
        "https://example.com/stack.tfplan",
        "",  # a short digest without the published location names no key
    ],
)
def test_a_location_outside_this_store_is_refused_before_any_download(location, tmp_path, project, store):
    with pytest.raises(TerraformApprovalRefused, match="is not a plan in s3://.*nothing was applied"):
        load(
            "a" * 12,
            project,
            tmp_path,
            store=store,
            commands=TerraformCommands(Runner(), str(project), "t"),
            fetch_dir=str(tmp_path / "run-dev"),
            location=location,
        )
    assert not (tmp_path / "run-dev").exists()


def test_check_mode_fetches_nothing(tmp_path, project, store):
    plan = stash_elsewhere(tmp_path, project, store)
    fetch_dir = tmp_path / "apply-job" / "run-dev"
    loaded = load(
        plan["digest"], project, tmp_path / "apply-job", store=store, fetch_dir=str(fetch_dir), check_mode=True
    )
    assert loaded == {"changed": True, "fetched": False, "plan": {}, "run_dir": ""}
    assert not fetch_dir.exists()


def test_a_broken_plan_summary_is_named_not_a_traceback(tmp_path, project):
    make_run(tmp_path, "20260101T000000Z", b"plan", project)
    (tmp_path / "20260101T000000Z-dev" / "plan-summary.json").write_text('{"digest": ')
    with pytest.raises(TerraformApprovalRefused, match="20260101T000000Z-dev/plan-summary.json is not valid JSON"):
        load("a" * 12, project, tmp_path)
