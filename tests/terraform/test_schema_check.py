"""The offline schema check finds what `terraform validate` would find about arguments and blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
import schema_check

VALID_LISTENER = """
resource "aws_lb_listener" "http" {
  load_balancer_arn = "arn"
  port              = 80

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      status_code  = "404"
    }
  }
}
"""


def check(tmp_path: Path, schema: schema_check.Schema, text: str) -> list[str]:
    (tmp_path / "main.tf").write_text(text)
    return schema_check.check_config(tmp_path, schema).errors


def test_valid_config_passes(tmp_path: Path, aws_schema: schema_check.Schema) -> None:
    assert check(tmp_path, aws_schema, VALID_LISTENER) == []


def test_schema_is_provider_6_25(aws_schema: schema_check.Schema) -> None:
    assert aws_schema.version == "6.25.0"
    assert "aws_vpc_security_group_ingress_rule" in aws_schema.resources
    assert "aws_iam_policy_document" in aws_schema.data_sources


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('resource "aws_lb_listenr" "x" {\n  port = 80\n}\n', "unknown resource type 'aws_lb_listenr'"),
        ('data "aws_no_such_thing" "x" {\n}\n', "unknown data type 'aws_no_such_thing'"),
        (VALID_LISTENER.replace("port              = 80", "prot = 80"), "unsupported argument or block 'prot'"),
        (
            VALID_LISTENER.replace('  load_balancer_arn = "arn"\n', ""),
            "required argument 'load_balancer_arn' is missing",
        ),
        (
            VALID_LISTENER.replace('      content_type = "text/plain"\n', ""),
            "fixed_response[0]: required argument 'content_type'",
        ),
        (
            'resource "aws_lb_listener" "x" {\n  load_balancer_arn = "arn"\n}\n',
            "required block 'default_action' is missing",
        ),
        (
            (
                'resource "aws_acm_certificate_validation" "x" {\n'
                '  certificate_arn = "a"\n  timeouts = { create = "1m" }\n}\n'
            ),
            "timeouts is a block",
        ),
        (
            'resource "aws_vpc" "x" {\n  cidr_block = "10.0.0.0/16"\n  tags {\n    a = "b"\n  }\n}\n',
            "tags is an argument",
        ),
        ('provider "aws" {\n  regoin = "x"\n}\n', "provider.aws: unsupported argument or block 'regoin'"),
    ],
    ids=[
        "unknown-resource",
        "unknown-data",
        "unknown-argument",
        "missing-required-argument",
        "missing-nested-required-argument",
        "missing-required-block",
        "block-as-argument",
        "argument-as-block",
        "provider-argument",
    ],
)
def test_errors_are_reported(tmp_path: Path, aws_schema: schema_check.Schema, text: str, expected: str) -> None:
    errors = check(tmp_path, aws_schema, text)
    assert any(expected in error for error in errors), errors


DYNAMIC = """
resource "aws_lb_listener" "x" {
  load_balancer_arn = "arn"

  dynamic "default_action" {
    for_each = [1]

    content {
      %s
    }
  }
}
"""


def test_dynamic_block_satisfies_required_block(tmp_path: Path, aws_schema: schema_check.Schema) -> None:
    assert check(tmp_path, aws_schema, DYNAMIC % 'type = "forward"') == []


def test_dynamic_block_content_is_checked(tmp_path: Path, aws_schema: schema_check.Schema) -> None:
    errors = check(tmp_path, aws_schema, DYNAMIC % 'typo = "forward"')
    assert any("dynamic[default_action].content: unsupported argument or block 'typo'" in e for e in errors), errors
    assert any("dynamic[default_action].content: required argument 'type' is missing" in e for e in errors), errors


def test_dynamic_block_must_be_a_block_of_the_type(tmp_path: Path, aws_schema: schema_check.Schema) -> None:
    text = VALID_LISTENER.replace("  port", '  dynamic "nope" {\n    for_each = []\n    content {}\n  }\n  port')
    assert any("'nope' is not a nested block" in e for e in check(tmp_path, aws_schema, text))


def test_meta_arguments_and_builtins_are_accepted(tmp_path: Path, aws_schema: schema_check.Schema) -> None:
    text = (
        'resource "terraform_data" "x" {\n  input = 1\n}\n'
        'resource "aws_vpc" "y" {\n  count = 1\n  provider = aws.us_east_1\n  depends_on = [terraform_data.x]\n'
        "  lifecycle {\n    create_before_destroy = true\n  }\n}\n"
    )
    assert check(tmp_path, aws_schema, text) == []


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = Path(schema_check.__file__).resolve().parents[2] / ".build" / "terraform"
    (tmp_path / "main.tf").write_text(VALID_LISTENER)
    assert schema_check.main([str(tmp_path), "--cache-dir", str(cache)]) == 0
    assert "schema check: OK, 1 resources" in capsys.readouterr().out
    (tmp_path / "main.tf").write_text(VALID_LISTENER.replace("port ", "prot "))
    assert schema_check.main([str(tmp_path), "--cache-dir", str(cache)]) == 1
    assert "unsupported argument or block 'prot'" in capsys.readouterr().err


def test_the_stack_passes(aws_schema: schema_check.Schema) -> None:
    report = schema_check.check_config(Path(schema_check.__file__).resolve().parents[2] / "terraform", aws_schema)
    assert report.errors == []
    assert report.resources > 50
