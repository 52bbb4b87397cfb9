"""edge_info's orchestration: the three clients main() makes and how it reports (stubbed clients, see stubs.py).

The edge verdict is computed from the emulator's CloudFront, ACM and Route 53 in tests/integration/edge.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.bbws.ecs_cluster.plugins.modules import edge_info

from .stubs import StubClient
from .stubs import run_main

DOMAIN = "wpdev.kimmyai.io"


@pytest.fixture
def clients():
    return {
        ("cloudfront", None): StubClient("cloudfront", list_distributions={"DistributionList": {"Items": []}}),
        ("acm", "us-east-1"): StubClient("acm", list_certificates={"CertificateSummaryList": []}),
        ("route53", None): StubClient("route53", list_hosted_zones={"HostedZones": []}),
    }


def params(**extra) -> dict:
    return {
        "profile": "Tebogo-dev",
        "domain": DOMAIN,
        "zone": None,
        "name": "bbws-dev",
        "certificate_arn": None,
        "distribution_id": None,
        "certificate_region": "us-east-1",
        **extra,
    }


def test_nothing_deployed_yet_is_reported_with_the_calls(monkeypatch, clients):
    outcome, result, _module = run_main(
        monkeypatch, edge_info, params(), lambda service, region, kw: clients[(service, region)]
    )
    assert outcome == "exit"
    assert result["changed"] is False
    assert result["api_calls"]["cloudfront.ListDistributions"] == 1
    assert result["api_calls"]["acm.ListCertificates"] == 1


def test_an_aws_error_goes_to_fail_json_aws_with_the_calls_so_far(monkeypatch, clients):
    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "ListCertificates")
    clients[("acm", "us-east-1")].answers["list_certificates"] = error
    outcome, result, module = run_main(
        monkeypatch, edge_info, params(), lambda service, region, kw: clients[(service, region)]
    )
    assert outcome == "fail"
    assert result["args"] == (error,)
    assert result["msg"].startswith("Could not call AWS with profile Tebogo-dev: access denied (AccessDenied)")
    assert result["api_calls"]["acm.ListCertificates"] == 1
    module.exit_json.assert_not_called()
