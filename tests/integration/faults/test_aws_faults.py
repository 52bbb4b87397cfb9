"""The AWS faults of the seed's Error Detection table, injected by a loopback proxy in front of the
real emulator (moto itself never throttles, never hits a quota and never drops a connection)."""

from __future__ import annotations

import time

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.modules import account_assert
from fault_proxy import FaultProxy

pytestmark = pytest.mark.emulator

SIT = {"profile": "Tebogo-sit", "expected_account_id": "815856636111", "environment": "sit"}


def test_throttling_is_retried_and_the_run_succeeds(aws, module_runner, monkeypatch):
    with FaultProxy(aws.endpoint, mode="throttle", every=2) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        results = [module_runner(account_assert, SIT) for _attempt in range(5)]
    assert [r.failed for r in results] == [False] * 5, results
    assert proxy.faults >= 3, "every second request was throttled, so retries had to happen"
    print(f"throttling: {proxy.faults} throttled answers retried over {proxy.requests} requests")


def test_quota_error_is_not_retried_and_names_the_quota_page(aws, module_runner, monkeypatch):
    with FaultProxy(aws.endpoint, mode="limit", match="GetCallerIdentity") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        result = module_runner(account_assert, SIT)
    assert result.failed
    assert "an AWS service limit was reached (LimitExceeded)" in result["msg"]
    assert "servicequotas" in result["msg"] and "not retried" in result["msg"]
    assert proxy.actions.count("GetCallerIdentity") == 1, proxy.actions


def test_limit_exceeded_exception_is_not_retried_either(aws, module_runner, monkeypatch):
    """botocore treats LimitExceededException as throttling; our clients must not."""
    with FaultProxy(
        aws.endpoint, mode="limit", match="GetCallerIdentity", limit_code="LimitExceededException"
    ) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        result = module_runner(account_assert, SIT)
    assert result.failed and "(LimitExceededException)" in result["msg"]
    assert proxy.actions.count("GetCallerIdentity") == 1, proxy.actions


def test_dropped_connections_fail_cleanly_in_bounded_time(aws, module_runner, monkeypatch):
    with FaultProxy(aws.endpoint, mode="drop") as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        started = time.monotonic()
        result = module_runner(account_assert, SIT)
        elapsed = time.monotonic() - started
    assert result.failed
    assert f"no answer from {proxy.endpoint}" in result["msg"]
    assert "Traceback" not in str(result)
    assert 3 <= proxy.requests <= 6, "three attempts (with the credential call also retried at most once more)"
    print(f"dropped connections: gave up after {proxy.requests} attempts in {elapsed:.1f}s")


@pytest.mark.parametrize(
    "service,call,code",
    [
        ("s3", lambda c: c.list_buckets(), "SlowDown"),
        ("efs", lambda c: c.describe_file_systems(), "ThrottlingException"),
        ("ecs", lambda c: c.list_clusters(), "ThrottlingException"),
        ("route53", lambda c: c.list_hosted_zones(), "Throttling"),
        ("ec2", lambda c: c.describe_vpcs(), "Throttling"),
    ],
)
def test_proxy_speaks_each_protocols_throttling(aws, service, call, code):
    """botocore reads the proxy's answer as that service's own throttling error (so retries are real)."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    creds = boto3.Session(profile_name="Tebogo-sit").get_credentials().get_frozen_credentials()  # before the proxy
    with FaultProxy(aws.endpoint, mode="throttle", every=1) as proxy:
        client = boto3.client(
            service,
            endpoint_url=proxy.endpoint,
            region_name="af-south-1",
            aws_access_key_id=creds.access_key,
            aws_secret_access_key=creds.secret_key,
            aws_session_token=creds.token,
            config=Config(retries={"max_attempts": 1}),
        )
        with pytest.raises(ClientError) as err:
            call(client)
    assert err.value.response["Error"]["Code"] == code
