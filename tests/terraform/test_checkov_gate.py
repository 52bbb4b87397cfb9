"""The checkov gate decides from the JSON report: crashes, findings and unexplained skips all fail it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checkov_gate import InlineSkip
from checkov_gate import evaluate
from checkov_gate import inline_skips

REASON = "Tenant sites are public for every country."


def report(failed: list[dict[str, Any]] | None = None, skipped: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "check_type": "terraform",
        "summary": {"passed": 3, "failed": len(failed or []), "skipped": len(skipped or []), "parsing_errors": 0},
        "results": {"failed_checks": failed or [], "skipped_checks": skipped or [], "passed_checks": []},
    }


def skip(
    check_id: str = "CKV_AWS_374", resource: str = "aws_cloudfront_distribution.this", reason: str = REASON
) -> InlineSkip:
    return InlineSkip("cloudfront.tf", 3, check_id, resource, reason)


def test_clean_report_with_explained_skip_passes() -> None:
    skipped = [{"check_id": "CKV_AWS_374", "resource": "aws_cloudfront_distribution.this"}]
    assert evaluate(report(skipped=skipped), [skip()]) == []


def test_no_json_means_crash() -> None:
    errors = evaluate(None, [], "Traceback ...\nKeyError: 'x'")
    assert errors and "no JSON report" in errors[0] and "KeyError" in errors[0]


def test_failed_check_fails_the_gate() -> None:
    failed = [
        {
            "check_id": "CKV_AWS_91",
            "resource": "aws_lb.this",
            "file_path": "/alb.tf",
            "file_line_range": [5, 30],
            "check_name": "Ensure the ELBv2 has access logging enabled",
        }
    ]
    assert evaluate(report(failed=failed), []) == [
        "FAILED CKV_AWS_91 aws_lb.this (/alb.tf:5): Ensure the ELBv2 has access logging enabled"
    ]


def test_skip_without_real_reason_fails() -> None:
    skipped = [{"check_id": "CKV_AWS_374", "resource": "aws_cloudfront_distribution.this"}]
    errors = evaluate(report(skipped=skipped), [skip(reason="ok")])
    assert any("needs a real reason" in e for e in errors)


def test_skip_not_made_inline_fails() -> None:
    skipped = [{"check_id": "CKV_AWS_18", "resource": "aws_s3_bucket.logs"}]
    assert evaluate(report(skipped=skipped), []) == [
        "SKIPPED CKV_AWS_18 aws_s3_bucket.logs without an inline skip comment"
    ]


def test_stale_skip_fails_and_indexed_instances_match() -> None:
    skipped = [{"check_id": "CKV_AWS_338", "resource": 'aws_cloudwatch_log_group.rds["error"]'}]
    errors = evaluate(report(skipped=skipped), [skip("CKV_AWS_338", "aws_cloudwatch_log_group.rds"), skip()])
    assert errors == [
        "cloudfront.tf:3: stale skip of CKV_AWS_374 on aws_cloudfront_distribution.this (no such finding any more)"
    ]


def test_inline_skips_are_attributed_to_their_block(tmp_path: Path) -> None:
    (tmp_path / "a.tf").write_text(
        'resource "aws_s3_bucket" "logs" {\n'
        "  # checkov:skip=CKV_AWS_18:This bucket holds access logs only.\n"
        "}\n"
        'data "aws_iam_policy_document" "kms" {\n'
        "  #checkov:skip=CKV_AWS_109\n"
        "}\n"
    )
    assert inline_skips(tmp_path) == [
        InlineSkip("a.tf", 2, "CKV_AWS_18", "aws_s3_bucket.logs", "This bucket holds access logs only."),
        InlineSkip("a.tf", 5, "CKV_AWS_109", "aws_iam_policy_document.kms", ""),
    ]


def test_every_skip_in_the_stack_has_a_reason() -> None:
    stack = Path(__file__).resolve().parents[2] / "terraform"
    skips = inline_skips(stack)
    assert skips, "the stack documents its checkov skips inline"
    assert [s for s in skips if len(s.reason) < 20 or not s.resource] == []
