# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way every module of the collection makes AWS clients, retries, counts calls and reports failures.

- Clients come from ONE boto3 session per set of credentials (amazon.aws makes a session per client: for a dozen
  services that reloads the endpoint data and repeats the assume-role call a dozen times), whose data loader keeps
  marshal copies of the models it parses (:class:`CachedModelLoader`).
- One retry policy: botocore retries network failures and throttling itself (standard mode: exponential backoff
  with jitter, 3 attempts, bounded connect/read timeouts); :data:`RETRY` (AWSRetry's jittered backoff, used by a call
  made with ``aws_retry=True`` and by :func:`paginate`) adds a longer wait for throttling that outlasts those.
- Quota errors are never retried. botocore counts ``LimitExceededException`` as throttling (some services use it
  so), but for the services we call it means a quota is used up, and waiting does not raise a quota: the operator
  must ask for more (see aws_errors.limit_message).
- One call counter: every module returns ``api_calls``, the calls its clients made per ``<service>.<Operation>``.
- One failure path: :func:`fail_aws` sends the exception to ``fail_json_aws`` with a message that says what to do.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import tempfile
import threading
from typing import Any
from typing import Callable
from typing import NoReturn

try:
    import boto3
    import botocore
    from botocore.config import Config
    from botocore.retries import quota
    from botocore.retries import standard
except ImportError:  # reported by AnsibleAWSModule
    Config = None
    quota = standard = None

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import LIMIT_CODES
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import connection_failure_message
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import missing_profile_message

MAX_ATTEMPTS = 3
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
THROTTLING_CODES = ["Throttling", "ThrottlingException", "TooManyRequestsException", "PriorRequestNotComplete"]
# The retry policy of every call made with aws_retry=True and of every paginated listing.
RETRY = AWSRetry.jittered_backoff(retries=5, delay=1, max_delay=10, catch_extra_error_codes=THROTTLING_CODES)

# client(service, region or None for the module's region) -> a client; helpers take this, never the module.
ClientFactory = Callable[..., Any]


def client_config(max_pool_connections: int = 10) -> Any:
    return Config(
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_pool_connections=max_pool_connections,
    )


class QuotaAwareRetryConditions(standard.StandardRetryConditions if standard else object):
    """botocore's standard retry conditions, except that a quota error is final."""

    def is_retryable(self, context):
        if context.get_error_code() in LIMIT_CODES:
            return False
        return super().is_retryable(context)


def never_retry_quota_errors(client: Any) -> Any:
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


@RETRY
def paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict]:
    """One listing, every page; a throttled page retries the listing (paginators bypass the client's retry wrapper)."""
    return client.get_paginator(operation).paginate(**kwargs).build_full_result().get(key, [])


class CallCounter:
    """Counts the AWS API calls made through the clients it is attached to, per ``<service>.<Operation>`` (thread-safe).

    A call retried by botocore counts once; a call repeated by :data:`RETRY` counts each time it is made."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: dict[str, int] = {}

    def attach(self, service: str, client: Any) -> Any:
        def count(model: Any, **_: Any) -> None:
            name = f"{service}.{model.name}"
            with self._lock:
                self.calls[name] = self.calls.get(name, 0) + 1

        client.meta.events.register("before-parameter-build", count)
        return client

    def as_dict(self) -> dict[str, int]:
        """The ``api_calls`` every module returns: calls per ``<service>.<Operation>``, sorted by name."""
        with self._lock:
            return dict(sorted(self.calls.items()))


def total_calls(api_calls: dict[str, int]) -> int:
    return sum(api_calls.values())


def calls_by_service(api_calls: dict[str, int]) -> dict[str, int]:
    by_service: dict[str, int] = {}
    for name, count in api_calls.items():
        service = name.split(".", 1)[0]
        by_service[service] = by_service.get(service, 0) + count
    return by_service


class CachedModelLoader:
    """botocore's JSON file loader with a marshal copy of every model it parses, kept per botocore version.

    Creating a dozen clients is mostly JSON parsing of the endpoint rules and the service models (about half a
    second here, EC2's model alone a quarter); reading the same data back from marshal takes a small fraction
    of that. The copies live in a private per-user cache folder; a model that changes (another botocore,
    another file) gets a new key, and any problem with the cache falls back to the JSON file.
    """

    def __init__(self, inner: Any, directory: str) -> None:
        self.inner = inner
        self.directory = directory

    def exists(self, file_path: str) -> bool:
        return self.inner.exists(file_path)

    def cache_path(self, file_path: str) -> str:
        stamp = ""
        for ext in (".json", ".json.gz"):
            try:
                info = os.stat(file_path + ext)
                stamp = f"{ext}:{info.st_mtime_ns}:{info.st_size}"
                break
            except OSError:
                continue
        raw = f"{botocore.__version__}\0{file_path}\0{stamp}".encode()
        return os.path.join(self.directory, hashlib.sha256(raw).hexdigest()[:40] + ".marshal")

    def load_file(self, file_path: str) -> Any:
        cached = self.cache_path(file_path)
        try:
            with open(cached, "rb") as handle:
                # One read, then loads: marshal.load() on a file object reads value by value (several times slower).
                return marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            pass
        data = self.inner.load_file(file_path)
        if data is not None:
            self.store(cached, data)
        return data

    def store(self, cached: str, data: Any) -> None:
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            with os.fdopen(descriptor, "wb") as handle:
                marshal.dump(plain(data), handle)
            os.replace(temporary, cached)
        except (OSError, ValueError):
            pass  # no cache: the next run parses the JSON again


def plain(data: Any) -> Any:
    """OrderedDicts (botocore's JSON hook) as plain dicts, which keep their order and which marshal can write."""
    if isinstance(data, dict):
        return {key: plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(value) for value in data]
    return data


def model_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "bbws-ecs-cluster", "botocore-models")


class AWSClients:
    """Every client of one module run: one session per set of credentials, one retry policy, one call counter.

    ``connect_kwargs`` are amazon.aws's connection parameters (``get_aws_connection_info``): ``profile_name`` or
    keys, ``verify``, ``aws_config``. :meth:`client` overrides them for another account of the run.

    ``freeze`` is for a process that ends with the module's result: a client's service model is hundreds of thousands
    of objects that live to the end, and every full garbage collection (and the interpreter's last one, at exit) would
    walk them again, about 0.2 s for a dozen clients. With ``freeze`` each new client's objects are moved out of the
    collector's sight (``gc.freeze``); they are still freed when the process ends.
    """

    def __init__(
        self,
        region: str | None,
        endpoint: str | None,
        connect_kwargs: dict[str, Any],
        max_pool_connections: int = 10,
        freeze: bool = False,
    ) -> None:
        if freeze:
            gc.freeze()  # the imports and the module's set-up
        self.freeze = freeze
        self.counter = CallCounter()
        self.config = client_config(max_pool_connections)
        self.sessions: dict[Any, Any] = {}
        self.clients: dict[Any, Any] = {}
        self.lock = threading.RLock()
        self.connection: Callable[[], tuple[Any, Any, dict[str, Any]]] | None = None
        self.region = region
        self.endpoint = endpoint
        self.connect_kwargs: dict[str, Any] = {}
        self.configure(region, endpoint, connect_kwargs)

    def configure(self, region: str | None, endpoint: str | None, connect_kwargs: dict[str, Any]) -> None:
        self.region = region
        self.endpoint = endpoint
        self.connect_kwargs = dict(connect_kwargs)
        for key in ("config", "aws_config"):
            extra = self.connect_kwargs.pop(key, None)
            if extra:
                self.config = self.config.merge(extra if isinstance(extra, Config) else Config(**extra))

    @classmethod
    def from_module(cls, module: Any, **options: Any) -> "AWSClients":
        """The module's clients; its connection options are read when the first client is made (a module that may
        not call AWS at all, such as terraform_plan, does not check them)."""
        clients = cls(None, None, {}, **options)
        clients.connection = lambda: get_aws_connection_info(module)
        return clients

    def connect(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            self.configure(*connection())

    @property
    def api_calls(self) -> dict[str, int]:
        return self.counter.as_dict()

    def session(self, profile_name: str | None) -> Any:
        if profile_name not in self.sessions:
            session = boto3.session.Session(profile_name=profile_name)
            loader = session._session.get_component("data_loader")  # pylint: disable=protected-access
            if not isinstance(loader.file_loader, CachedModelLoader):
                loader.file_loader = CachedModelLoader(loader.file_loader, model_cache_dir())
            self.sessions[profile_name] = session
        return self.sessions[profile_name]

    def make_botocore_client(self, service: str, region: str | None, params: dict[str, Any]) -> Any:
        """A plain botocore client with the policy's configuration (the unit tests' seam for stubbed clients)."""
        params = dict(params)
        session = self.session(params.pop("profile_name", None))
        client = session.client(service, region_name=region, endpoint_url=self.endpoint, config=self.config, **params)
        return never_retry_quota_errors(client)

    def client(self, service: str, region: str | None = None, **credentials: Any) -> Any:
        """The client for ``service`` in ``region`` (default: the module's), counted and wrapped with :data:`RETRY`
        (call it with ``aws_retry=True``). ``credentials`` (``profile_name``, ``aws_access_key_id``, ...) replace the
        module's for another account of the run. The same arguments give the same client."""
        with self.lock:
            self.connect()
            params = {**self.connect_kwargs, **credentials}
            region = region or self.region
            key = (service, region, tuple(sorted((k, str(v)) for k, v in params.items())))
            if key not in self.clients:
                raw = self.make_botocore_client(service, region, params)
                self.clients[key] = RetryingBotoClientWrapper(self.counter.attach(service, raw), RETRY)
                if self.freeze:
                    gc.freeze()
            return self.clients[key]


def module_clients(module: Any, **options: Any) -> AWSClients:
    """The preamble of every module that calls AWS: refuse an unknown profile before any call (naming the config file
    and the profiles in it), then the clients of the module's profile, region and endpoint."""
    problem = missing_profile_message(module.params.get("profile"))
    if problem:
        module.fail_json(msg=problem, api_calls={})
    return AWSClients.from_module(module, **options)


def fail_aws(
    module: Any,
    error: Exception,
    clients: AWSClients | None = None,
    action: str = "call AWS",
    profile: str | None = None,
    **extra: Any,
) -> NoReturn:
    """Fail the module the amazon.aws way (``fail_json_aws`` with the exception), with a message that says what to do
    and the ``api_calls`` made so far."""
    if clients is not None:
        extra.setdefault("api_calls", clients.api_calls)
    profile = profile if profile is not None else module.params.get("profile")
    message = connection_failure_message(error, profile, action=action, with_error=False)
    module.fail_json_aws(error, msg=message, **extra)
