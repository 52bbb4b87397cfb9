"""custom_domain_info's orchestration: which reads main() makes, and how it reports their answers.

The clients are stand-ins (see stubs.py): they give a distribution serving the domain with an ISSUED certificate, an
edge record that is missing, and an access-denied answer on demand. The decision itself is tested in
module_utils/test_custom_domain.py, the module against the emulator in tests/integration/edge.
"""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from botocore.exceptions import ClientError

from ansible_collections.bbws.ecs_cluster.plugins.modules import custom_domain_info

from . import stubs
from .stubs import StubClient

DOMAIN = "wpdev.kimmyai.io"
CERT = "arn:aws:acm:us-east-1:536580886816:certificate/abc"


def denied(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, operation)


def distribution(aliases: list[str]) -> dict:
    return {
        "Id": "E123",
        "Comment": "bbws-dev",
        "Aliases": {"Quantity": len(aliases), "Items": aliases},
        "ViewerCertificate": {"ACMCertificateArn": CERT},
    }


@pytest.fixture
def clients():
    return {
        ("ssm", None): StubClient(
            "ssm", get_parameter=ClientError({"Error": {"Code": "ParameterNotFound", "Message": "x"}}, "GetParameter")
        ),
        ("cloudfront", None): StubClient(
            "cloudfront", list_distributions={"DistributionList": {"Items": [distribution([f"*.{DOMAIN}"])]}}
        ),
        ("acm", "us-east-1"): StubClient("acm", describe_certificate={"Certificate": {"Status": "ISSUED"}}),
    }


def run_main(monkeypatch, clients: dict, **options) -> tuple[str, dict, MagicMock]:
    params = {
        "profile": "Tebogo-dev",
        "mode": "auto",
        "domain": DOMAIN,
        "name": "bbws-dev",
        "owns_zone": False,
        "delegation": None,
        "certificate_region": "us-east-1",
        "record": "/bbws/bbws/dev/custom-domain",
    }
    params.update(options)
    return stubs.run_main(
        monkeypatch, custom_domain_info, params, pick=lambda service, region, _params: clients[(service, region)]
    )


def test_a_live_domain_is_kept_and_the_missing_record_is_no_record(monkeypatch, clients):
    outcome, result = run_main(monkeypatch, clients)[:2]
    assert outcome == "exit"
    assert result["changed"] is False
    assert (result["enabled"], result["source"], result["live"]) == (True, "live", True)
    assert result["record"] is None
    assert result["record_location"] == "ssm:/bbws/bbws/dev/custom-domain"
    assert clients[("ssm", None)].called("get_parameter") == [{"Name": "/bbws/bbws/dev/custom-domain"}]
    assert clients[("acm", "us-east-1")].called("describe_certificate") == [{"CertificateArn": CERT}]


def test_without_a_record_name_no_parameter_is_read(monkeypatch, clients):
    outcome, result = run_main(monkeypatch, clients, record=None)[:2]
    assert outcome == "exit"
    assert result["record_location"] == ""
    assert clients[("ssm", None)].made == []


def test_a_fallback_record_holds_the_default_certificate_even_when_live(monkeypatch, clients):
    clients[("ssm", None)].answers["get_parameter"] = {
        "Parameter": {"Value": '{"state": "fallback", "cause": "ACM timeout", "at": "2026-11-30T10:00:00Z"}'}
    }
    outcome, result = run_main(monkeypatch, clients)[:2]
    assert outcome == "exit"
    assert (result["enabled"], result["source"], result["live"]) == (False, "fallback_record", True)
    assert "delete the record ssm:/bbws/bbws/dev/custom-domain" in result["cause"]


def test_no_certificate_means_no_acm_call_and_the_delegation_decides(monkeypatch, clients):
    clients[("cloudfront", None)].answers["list_distributions"] = {"DistributionList": {"Items": []}}
    outcome, result = run_main(monkeypatch, clients, delegation={"state": "verified", "cause": "NS match"})[:2]
    assert outcome == "exit"
    assert (result["enabled"], result["source"], result["live"]) == (True, "delegation", False)
    assert clients[("acm", "us-east-1")].made == []


def test_an_aws_error_goes_to_fail_json_aws_with_the_operator_message(monkeypatch, clients):
    error = denied("ListDistributions")
    clients[("cloudfront", None)].answers["list_distributions"] = error
    outcome, result, module = run_main(monkeypatch, clients)
    assert outcome == "fail"
    assert result["args"] == (error,)
    assert result["msg"].startswith(
        "Could not read the edge state with profile Tebogo-dev: access denied (AccessDenied)"
    )
    module.exit_json.assert_not_called()


def test_an_unknown_mode_is_refused(monkeypatch, clients):
    outcome, result, module = run_main(monkeypatch, clients, mode="sometimes")
    assert outcome == "fail"
    assert result["msg"] == "bbws_custom_domain must be one of on, off, auto, got 'sometimes'"
    module.fail_json_aws.assert_not_called()
