"""terraform_apply's orchestration around the apply: the state object's version read before it (stubbed S3, see
stubs.py) and how that read's answers are reported. The apply itself is a stand-in here (run_apply is tested with an
injected runner in module_utils/test_terraform_commands.py, and with real Terraform in tests/integration)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_apply

from .stubs import StubClient
from .stubs import run_main


@pytest.fixture
def applied(monkeypatch):
    """run_apply stands in for Terraform and records that it ran."""
    runs = []

    def run_apply(commands, plan_file, expected_digest, **options):
        runs.append(options)
        return {"changed": True, "digest": expected_digest, "outputs": {}}

    monkeypatch.setattr(terraform_apply, "run_apply", run_apply)
    monkeypatch.setattr(terraform_apply, "resolve_binary", lambda binary: "/usr/bin/terraform")
    return runs


def params(tmp_path, **extra) -> dict:
    return {
        "project_path": str(tmp_path),
        "plan_file": str(tmp_path / "p.tfplan"),
        "expected_digest": "ab" * 32,
        "binary_path": "terraform",
        "lock_timeout": "60s",
        "state_snapshot": str(tmp_path / "before.json"),
        "state_bucket": "bbws-tfstate-dev",
        "state_key": "bbws/dev/terraform.tfstate",
        "profile": "Tebogo-dev",
        "region": "af-south-1",
        **extra,
    }


def test_the_version_before_the_apply_is_recorded_with_its_restore_command(monkeypatch, tmp_path, applied):
    s3 = StubClient("s3", head_object={"VersionId": "v-17"})
    outcome, result, _module = run_main(monkeypatch, terraform_apply, params(tmp_path), lambda *a: s3)
    assert outcome == "exit"
    assert result["state_version"]["version_id"] == "v-17"
    assert "versionId=v-17" in result["state_version"]["restore_command"]
    assert json.loads((tmp_path / "before.version.json").read_text())["version_id"] == "v-17"
    assert result["api_calls"] == {"s3.HeadObject": 1}
    assert len(applied) == 1


def test_the_first_apply_has_no_version_to_go_back_to(monkeypatch, tmp_path, applied):
    s3 = StubClient("s3", head_object=ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadObject"))
    outcome, result, _module = run_main(monkeypatch, terraform_apply, params(tmp_path), lambda *a: s3)
    assert outcome == "exit"
    assert result["state_version"]["version_id"] is None
    assert "was created by it" in result["state_version"]["restore_command"]


def test_an_unreadable_state_object_stops_before_the_apply(monkeypatch, tmp_path, applied):
    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "HeadObject")
    s3 = StubClient("s3", head_object=error)
    outcome, result, _module = run_main(monkeypatch, terraform_apply, params(tmp_path), lambda *a: s3)
    assert outcome == "fail"
    assert result["args"] == (error,)
    assert result["msg"].startswith("Could not read the state object's version with profile Tebogo-dev: access denied")
    assert applied == []


def test_check_mode_reads_no_state_object(monkeypatch, tmp_path, applied):
    made = []
    outcome, result, _module = run_main(
        monkeypatch, terraform_apply, params(tmp_path), lambda service, *a: made.append(service), check_mode=True
    )
    assert outcome == "exit"
    assert made == [] and result["api_calls"] == {}
    assert "state_version" not in result
