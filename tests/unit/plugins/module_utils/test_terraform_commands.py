"""TerraformCommands with an injected runner: the argv it builds and how it reads failures (no binary needed)."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import TerraformCommands
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_commands import run_plan
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformCommandError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformInitError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_errors import TerraformLimitExceeded
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import PlanSummary
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import masked_outputs


class Runner:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, argv, cwd=None, environ_update=None):
        self.calls.append((argv, cwd, environ_update))
        return self.answers.pop(0)


def test_init_passes_backend_config_and_never_prompts():
    runner = Runner((0, "", ""))
    TerraformCommands(runner, "/stack", "/bin/terraform").init({"bucket": "b", "encrypt": True})
    argv, cwd, env = runner.calls[0]
    assert argv == [
        "/bin/terraform",
        "init",
        "-input=false",
        "-no-color",
        "-reconfigure",
        "-backend-config=bucket=b",
        "-backend-config=encrypt=true",
    ]
    assert cwd == "/stack" and env["TF_INPUT"] == "0"


def test_plan_exit_code_two_means_changes():
    runner = Runner((2, "", ""), (0, "", ""))
    commands = TerraformCommands(runner, "/stack", "terraform")
    assert commands.plan("p.tfplan", "v.json", "5s") is True
    assert commands.plan("p.tfplan") is False
    assert "-lock-timeout=5s" in runner.calls[0][0] and "-var-file=v.json" in runner.calls[0][0]


def test_targets_become_target_options_and_anything_else_is_refused_before_terraform_runs(tmp_path):
    runner = Runner((2, "", ""))
    commands = TerraformCommands(runner, "/stack", "terraform")
    commands.plan("p.tfplan", targets=["aws_vpc_security_group_ingress_rule.rds_from_ecs", 'aws_subnet.private["a"]'])
    argv = runner.calls[0][0]
    assert argv[-2:] == ["-target=aws_vpc_security_group_ingress_rule.rds_from_ecs", '-target=aws_subnet.private["a"]']

    for bad in ("-destroy", "aws_vpc", "aws_vpc.this -lock=false", "aws_vpc.this;rm"):
        untouched = Runner()
        with pytest.raises(TerraformCommandError, match="Not a resource address"):
            run_plan(TerraformCommands(untouched, "/stack", "terraform"), str(tmp_path / "p.tfplan"), targets=[bad])
        assert untouched.calls == []


def test_limit_exceeded_is_reported_not_retried():
    runner = Runner(
        (1, "", "Error: creating EC2 EIP: AddressLimitExceeded: The maximum number of addresses has been reached.")
    )
    with pytest.raises(TerraformLimitExceeded, match="service limit was reached.*not retried"):
        TerraformCommands(runner, "/stack", "terraform").apply("p.tfplan")
    assert len(runner.calls) == 1


def test_init_failure_names_the_provider_problem():
    runner = Runner((1, "", "Error: Failed to query available provider packages\n\nCould not retrieve hashicorp/aws"))
    with pytest.raises(TerraformInitError, match="provider cannot be installed"):
        TerraformCommands(runner, "/stack", "terraform").init()


@pytest.mark.parametrize(
    "actions,kind",
    [
        (["create"], "add"),
        (["update"], "change"),
        (["delete"], "destroy"),
        (["delete", "create"], "replace"),
        (["create", "delete"], "replace"),
    ],
)
def test_counts_come_from_actions(actions, kind):
    plan = {
        "resource_changes": [
            {
                "address": "aws_db_instance.this",
                "type": "aws_db_instance",
                "mode": "managed",
                "change": {"actions": actions},
            },
            {
                "address": "data.aws_caller_identity.x",
                "type": "aws_caller_identity",
                "mode": "data",
                "change": {"actions": ["read"]},
            },
            {
                "address": "aws_s3_bucket.logs",
                "type": "aws_s3_bucket",
                "mode": "managed",
                "change": {"actions": ["no-op"]},
            },
        ]
    }
    summary = PlanSummary.from_json(plan, ["aws_db_instance"])
    counts = {k: getattr(summary, k) for k in ("add", "change", "destroy", "replace")}
    assert counts == {k: int(k == kind) for k in counts}
    assert summary.protected_changes == (["aws_db_instance.this"] if "delete" in actions else [])
    assert summary.has_destroy is ("delete" in actions)


def test_sensitive_identifier_is_not_returned():
    raw = {
        "address": "x.y",
        "type": "x",
        "change": {"actions": ["update"], "before": {"id": "secret-id"}, "before_sensitive": {"id": True}},
    }
    assert "identifier" not in PlanSummary.from_json({"resource_changes": [raw]}).resource_changes[0]


def test_outputs_are_masked():
    assert masked_outputs({"a": {"value": 1, "sensitive": False}, "b": {"value": "pw", "sensitive": True}}) == {
        "a": 1,
        "b": "(sensitive value)",
    }


def test_limit_error_carries_the_quota_code_it_names():
    for text, code in (
        ("Error: creating ELBv2 Listener Rule: TooManyRules: too many rules", "TooManyRules"),
        ("Error: creating EC2 VPC: VpcLimitExceeded: The maximum number of VPCs has been reached.", "VpcLimitExceeded"),
        ("Error: LimitExceededException: something else", None),
    ):
        runner = Runner((1, "", text))
        with pytest.raises(TerraformLimitExceeded) as raised:
            TerraformCommands(runner, "/stack", "terraform").apply("p.tfplan")
        assert raised.value.details["limit_code"] == code
