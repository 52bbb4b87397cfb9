"""terraform_plan_store's orchestration: which client and Terraform runner main() makes, and how it reports.

The module object is a stand-in (see stubs.py) whose run_command is the injected Terraform runner; S3 is the emulator
(or a stub client for an access-denied answer the emulator never gives). The plan store itself is tested in
module_utils/test_terraform_plan_store.py, the role's use of it end to end in tests/integration/awx.
"""

from __future__ import annotations

import hashlib
import json
from unittest.mock import MagicMock

import boto3
import pytest
from botocore.exceptions import ClientError

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_plan_store

from .stubs import ExitJson
from .stubs import FailJson
from .stubs import StubClient

BUCKET = "bbws-terraform-state-536580886816"
PREFIX = "ecs-cluster/dev/plans"


def run_main(monkeypatch, params: dict, client=None, check_mode: bool = False) -> tuple[str, dict, MagicMock]:
    """main() with a stand-in AnsibleAWSModule; returns ('exit' or 'fail', the result, the module)."""
    full = {
        "profile": "Tebogo-dev",
        "region": "af-south-1",
        "environment": "dev",
        "run_dir": None,
        "digest": None,
        "short_digest_length": 12,
        "artifacts_dir": None,
        "store": "local",
        "bucket": None,
        "prefix": PREFIX,
        "location": "",
        "backend_config": {},
        "binary_path": "terraform",
        **params,
    }
    module = MagicMock(params=full, check_mode=check_mode)
    module.run_command.return_value = (0, "", "")
    module.exit_json.side_effect = ExitJson
    module.fail_json.side_effect = FailJson
    module.fail_json_aws.side_effect = FailJson
    monkeypatch.setattr(terraform_plan_store, "AnsibleAWSModule", lambda **spec: module)
    made = []

    class Clients:  # the collection's client layer, handing out the test's S3 client
        api_calls: dict = {}

        def client(self, service):
            made.append(service)
            return client

    monkeypatch.setattr(terraform_plan_store, "module_clients", lambda _module: Clients())
    monkeypatch.setattr(terraform_plan_store, "resolve_binary", lambda path: f"/usr/bin/{path}")
    module.clients_made = made
    try:
        terraform_plan_store.main()
    except ExitJson:
        return "exit", module.exit_json.call_args.kwargs, module
    except FailJson:
        failed = module.fail_json_aws.call_args or module.fail_json.call_args
        return "fail", {"args": failed.args, **failed.kwargs}, module
    raise AssertionError("main() returned without exit_json or fail_json")


def plan_run(tmp_path, data: bytes = b"plan") -> dict:
    folder = tmp_path / "artifacts" / "20260101T000000Z-dev"
    folder.mkdir(parents=True)
    (folder / "stack.tfplan").write_bytes(data)
    summary = {
        "environment": "dev",
        "project_path": str(tmp_path / "stack"),
        "digest": hashlib.sha256(data).hexdigest(),
        "plan_file": str(folder / "stack.tfplan"),
    }
    (folder / "plan-summary.json").write_text(json.dumps(summary))
    return summary


@pytest.fixture
def emulated_s3(aws):
    client = boto3.client("s3", region_name="af-south-1", endpoint_url=aws.endpoint)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "af-south-1"})
    return RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=2))


def test_a_local_load_needs_no_aws_client_and_no_terraform(monkeypatch, tmp_path):
    summary = plan_run(tmp_path)
    outcome, result, module = run_main(
        monkeypatch,
        {
            "mode": "load",
            "project_path": str(tmp_path / "stack"),
            "digest": summary["digest"][:12],
            "artifacts_dir": str(tmp_path / "artifacts"),
        },
    )
    assert outcome == "exit"
    assert result == {
        "api_calls": {},
        "changed": False,
        "fetched": False,
        "plan": summary,
        "run_dir": str(tmp_path / "artifacts" / "20260101T000000Z-dev"),
    }
    assert module.clients_made == [] and module.run_command.call_count == 0


def test_a_refusal_goes_to_fail_json_with_its_message(monkeypatch, tmp_path):
    plan_run(tmp_path)
    outcome, result, module = run_main(
        monkeypatch,
        {
            "mode": "load",
            "project_path": str(tmp_path / "stack"),
            "digest": "0123456789ab",
            "artifacts_dir": str(tmp_path / "artifacts"),
        },
    )
    assert outcome == "fail"
    assert result["msg"].startswith("bbws_approve=0123456789ab does not match any dev plan")
    module.fail_json_aws.assert_not_called()
    module.exit_json.assert_not_called()


def test_a_fetch_initialises_with_the_module_runner_and_its_aws_environment(monkeypatch, tmp_path, emulated_s3):
    summary = plan_run(tmp_path / "plan-job")
    summary["project_path"] = str(tmp_path / "stack")
    folder = f"{PREFIX}/{summary['digest']}"
    emulated_s3.put_object(Bucket=BUCKET, Key=f"{folder}/stack.tfplan", Body=b"plan")
    emulated_s3.put_object(Bucket=BUCKET, Key=f"{folder}/plan-summary.json", Body=json.dumps(summary).encode())
    (tmp_path / "stack").mkdir()
    outcome, result, module = run_main(
        monkeypatch,
        {
            "mode": "load",
            "project_path": str(tmp_path / "stack"),
            "digest": summary["digest"],
            "store": "s3",
            "bucket": BUCKET,
            "artifacts_dir": str(tmp_path / "artifacts"),
            "run_dir": str(tmp_path / "artifacts" / "20260102T000000Z-dev"),
            "backend_config": {"bucket": BUCKET},
        },
        client=emulated_s3,
    )
    assert outcome == "exit", result
    assert result["fetched"] is True and result["run_dir"] == str(tmp_path / "artifacts" / "20260102T000000Z-dev")
    assert module.clients_made == ["s3"]
    init, show = (call.args[0] for call in module.run_command.call_args_list)
    assert init == [
        "/usr/bin/terraform",
        "init",
        "-input=false",
        "-no-color",
        "-reconfigure",
        f"-backend-config=bucket={BUCKET}",
    ]  # no lock file was stored: none to hold init to
    # Then the plan's variable values are read from the plan file, for the plan after the apply.
    assert show[1:] == [
        "show",
        "-json",
        "-no-color",
        str(tmp_path / "artifacts" / "20260102T000000Z-dev" / "stack.tfplan"),
    ]
    kwargs = module.run_command.call_args.kwargs
    assert kwargs["cwd"] == str(tmp_path / "stack")
    assert kwargs["environ_update"] == {
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "NO_COLOR": "1",
        "AWS_PROFILE": "Tebogo-dev",
        "AWS_REGION": "af-south-1",
    }


def test_check_mode_resolves_no_terraform_and_fetches_nothing(monkeypatch, tmp_path, emulated_s3):
    monkeypatch.setattr(terraform_plan_store, "TerraformCommands", None)  # building one would fail the test
    outcome, result, module = run_main(
        monkeypatch,
        {
            "mode": "load",
            "project_path": str(tmp_path / "stack"),
            "digest": "a" * 64,
            "store": "s3",
            "bucket": BUCKET,
            "artifacts_dir": str(tmp_path / "artifacts"),
            "run_dir": str(tmp_path / "run-dev"),
        },
        client=emulated_s3,
        check_mode=True,
    )
    assert outcome == "exit" and result["changed"] is True and result["plan"] == {}
    assert not (tmp_path / "run-dev").exists()
    module.run_command.assert_not_called()


def test_an_aws_error_goes_to_fail_json_aws_with_the_operator_message(monkeypatch, tmp_path):
    plan_run(tmp_path)
    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "HeadObject")
    outcome, result, module = run_main(
        monkeypatch,
        {
            "mode": "stash",
            "project_path": str(tmp_path / "stack"),
            "bucket": BUCKET,
            "run_dir": str(tmp_path / "artifacts" / "20260101T000000Z-dev"),
        },
        client=StubClient("s3", head_object=error),
    )
    assert outcome == "fail"
    assert result["args"] == (error,)
    assert result["msg"].startswith(
        "Could not stash the plan in the plan store with profile Tebogo-dev: access denied (AccessDenied)"
    )
    module.exit_json.assert_not_called()
