"""The collection's one AWS client layer.

One client per arguments, one retry policy, one call counter, one failure path.

Throttling is driven with botocore's Stubber in front of a real botocore client: no real part here throttles on
demand (the emulator never does; tests/integration/faults puts a throttling proxy in front of it for whole modules).
"""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from botocore.exceptions import ClientError
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import aws_client
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import AWSClients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import calls_by_service
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import total_calls

KEYS = {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": "secret"}
IDENTITY = {"Account": "536580886816", "Arn": "arn:aws:iam::536580886816:user/x", "UserId": "AIDAEXAMPLE"}


@pytest.fixture
def clients(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the model cache of this test only
    monkeypatch.setattr("time.sleep", lambda _seconds: None)  # AWSRetry's backoff, not the behaviour under test
    return AWSClients("af-south-1", None, KEYS)


def stubbed(client):
    """A Stubber on the botocore client behind the layer's retry wrapper."""
    stubber = Stubber(client.client)
    stubber.activate()
    return stubber


def test_throttling_is_retried_and_each_attempt_counted(clients):
    sts = clients.client("sts")
    stubber = stubbed(sts)
    stubber.add_client_error("get_caller_identity", service_error_code="Throttling", http_status_code=400)
    stubber.add_client_error("get_caller_identity", service_error_code="ThrottlingException", http_status_code=400)
    stubber.add_response("get_caller_identity", IDENTITY)
    assert sts.get_caller_identity(aws_retry=True)["Account"] == "536580886816"
    stubber.assert_no_pending_responses()
    assert clients.api_calls == {"sts.GetCallerIdentity": 3}


def test_without_aws_retry_a_throttled_call_fails_at_once(clients):
    sts = clients.client("sts")
    stubber = stubbed(sts)
    stubber.add_client_error("get_caller_identity", service_error_code="Throttling", http_status_code=400)
    with pytest.raises(ClientError):
        sts.get_caller_identity()
    assert clients.api_calls == {"sts.GetCallerIdentity": 1}


@pytest.mark.parametrize("code", ["LimitExceededException", "ServiceQuotaExceededException", "TooManyHostedZones"])
def test_a_quota_error_is_never_retried(clients, code):
    route53 = clients.client("route53")
    stubber = stubbed(route53)
    stubber.add_client_error("create_hosted_zone", service_error_code=code, http_status_code=400)
    with pytest.raises(ClientError):
        route53.create_hosted_zone(aws_retry=True, Name="wpdev.kimmyai.io", CallerReference="x")
    assert clients.api_calls == {"route53.CreateHostedZone": 1}


def test_paginate_retries_a_throttled_listing(clients):
    route53 = clients.client("route53")
    stubber = stubbed(route53)
    stubber.add_client_error("list_hosted_zones", service_error_code="Throttling", http_status_code=400)
    page = {
        "HostedZones": [{"Id": "/hostedzone/Z1", "Name": "kimmyai.io.", "CallerReference": "r"}],
        "Marker": "",
        "IsTruncated": False,
        "MaxItems": "100",
    }
    stubber.add_response("list_hosted_zones", page)
    zones = aws_client.paginate(route53, "list_hosted_zones", "HostedZones")
    assert [z["Name"] for z in zones] == ["kimmyai.io."]
    assert clients.api_calls == {"route53.ListHostedZones": 2}


def test_botocore_clients_use_standard_retries_with_bounded_timeouts(clients):
    config = clients.client("ec2").client.meta.config
    assert config.retries["mode"] == "standard"
    assert (config.connect_timeout, config.read_timeout) == (aws_client.CONNECT_TIMEOUT, aws_client.READ_TIMEOUT)


def test_one_client_per_service_region_and_credentials(clients):
    assert clients.client("ecs") is clients.client("ecs")
    assert clients.client("acm", region="us-east-1") is not clients.client("acm")
    assert clients.client("acm", region="us-east-1").client.meta.region_name == "us-east-1"
    other = clients.client("sts", aws_access_key_id="AKIAOTHER", aws_secret_access_key="s")
    assert other is not clients.client("sts")
    assert len(clients.sessions) == 1, "every client comes from one session"


def test_the_counter_shape_is_the_same_for_every_module(clients):
    for service, operation, answer in (
        ("sts", "get_caller_identity", IDENTITY),
        ("ecs", "list_clusters", {"clusterArns": []}),
        ("ecs", "list_clusters", {"clusterArns": []}),
    ):
        client = clients.client(service)
        stubber = stubbed(client)
        stubber.add_response(operation, answer)
        getattr(client, operation)()
        stubber.deactivate()
    assert clients.api_calls == {"ecs.ListClusters": 2, "sts.GetCallerIdentity": 1}
    assert total_calls(clients.api_calls) == 3
    assert calls_by_service(clients.api_calls) == {"ecs": 2, "sts": 1}


def module_double(profile: str | None = "Tebogo-dev") -> MagicMock:
    module = MagicMock(params={"profile": profile})
    module.fail_json.side_effect = SystemExit
    module.fail_json_aws.side_effect = SystemExit
    return module


@pytest.mark.parametrize(
    "code,words",
    [
        ("ExpiredToken", "the credentials are expired or invalid (ExpiredToken). Refresh them"),
        ("AccessDenied", "access denied (AccessDenied). The role needs permission for this call"),
        ("LimitExceeded", "an AWS service limit was reached (LimitExceeded). This is not retried."),
        ("SomethingElse", "Could not read the zone with profile Tebogo-dev"),
    ],
)
def test_fail_aws_gives_the_exception_to_fail_json_aws_with_advice(clients, code, words):
    module = module_double()
    error = ClientError({"Error": {"Code": code, "Message": "m"}}, "GetHostedZone")
    with pytest.raises(SystemExit):
        fail_aws(module, error, clients, action="read the zone")
    (passed,), kwargs = module.fail_json_aws.call_args
    assert passed is error
    assert words in kwargs["msg"]
    assert str(error) not in kwargs["msg"], "fail_json_aws adds AWS's own words after the message"
    assert kwargs["api_calls"] == {}


def test_fail_aws_explains_an_unreachable_endpoint(clients, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    module = module_double(profile=None)
    with pytest.raises(SystemExit):
        fail_aws(module, EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), clients)
    assert "no answer from http://127.0.0.1:9 after retries" in module.fail_json_aws.call_args.kwargs["msg"]


def test_the_preamble_refuses_an_unknown_profile_before_any_call(monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile Tebogo-dev]\nregion = af-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    module = module_double(profile="Tebogo-typo")
    with pytest.raises(SystemExit):
        aws_client.module_clients(module)
    kwargs = module.fail_json.call_args.kwargs
    assert "AWS profile 'Tebogo-typo' is not configured" in kwargs["msg"] and "Tebogo-dev" in kwargs["msg"]
    assert kwargs["api_calls"] == {}
