# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One way to make AWS clients for every module of the collection.

- botocore retries network failures and throttling itself (standard mode: exponential backoff with
  jitter, 3 attempts, bounded connect/read timeouts); AWSRetry adds a jittered backoff on top for
  throttling that outlasts those attempts.
- Quota errors are never retried. botocore counts ``LimitExceededException`` as throttling (some
  services use it so), but for the services we call it means a quota is used up, and waiting does
  not raise a quota: the operator must ask for more (see aws_errors.limit_message).
"""

from __future__ import annotations

try:
    from botocore.config import Config
    from botocore.retries import quota
    from botocore.retries import standard
except ImportError:  # reported by AnsibleAWSModule
    Config = None
    quota = standard = None

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import LIMIT_CODES

MAX_ATTEMPTS = 3
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
THROTTLING_CODES = ["Throttling", "ThrottlingException", "TooManyRequestsException", "PriorRequestNotComplete"]


def client_config():
    return Config(
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )


class QuotaAwareRetryConditions(standard.StandardRetryConditions if standard else object):
    """botocore's standard retry conditions, except that a quota error is final."""

    def is_retryable(self, context):
        if context.get_error_code() in LIMIT_CODES:
            return False
        return super().is_retryable(context)


def never_retry_quota_errors(client):
    """Replace the client's standard retry handler by one with QuotaAwareRetryConditions."""
    service = client.meta.service_model.service_id.hyphenize()
    unique_id = f"retry-config-{service}"
    client.meta.events.unregister(f"needs-retry.{service}", unique_id=unique_id)
    adapter = standard.RetryEventAdapter()
    throttling = standard.ThrottlingErrorDetector(adapter)
    handler = standard.RetryHandler(
        retry_policy=standard.RetryPolicy(
            retry_checker=QuotaAwareRetryConditions(max_attempts=MAX_ATTEMPTS),
            retry_backoff=standard.ExponentialBackoff(),
        ),
        retry_event_adapter=adapter,
        retry_quota=standard.RetryQuotaChecker(quota.RetryQuota(), throttling),
        service_name=service,
    )
    client.meta.events.register(f"needs-retry.{service}", handler.needs_retry, unique_id=unique_id)
    return client


def aws_client(module, service: str, region: str | None = None, **credentials):
    """A client for ``service`` with the module's credentials (``region`` overrides the module's region;
    ``credentials`` such as ``profile_name`` override the module's for another account of the run).

    Call it with ``aws_retry=True`` to add AWSRetry's jittered backoff for long throttling.
    """
    extra = {"region": region} if region else {}
    client = module.client(service, config=client_config(), **extra, **credentials)
    never_retry_quota_errors(client)
    return RetryingBotoClientWrapper(
        client, AWSRetry.jittered_backoff(retries=5, delay=1, max_delay=10, catch_extra_error_codes=THROTTLING_CODES)
    )
