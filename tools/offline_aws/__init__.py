"""Apply for the offline hashicorp/aws provider: the stack's resources created, read, updated and deleted in
the local AWS emulator (moto), as the real provider does against AWS.

Only for runs against the built-in emulator (`-e bbws_local_emulator=true`): `api_for` refuses any
`AWS_ENDPOINT_URL` that is not on 127.0.0.1, so nothing here can reach a real account.

Each resource type the stack uses has one handler, registered with `@resource`:

* an emulated handler creates the resource through boto3 with the run's profile (each account gets its own
  resources; the provider block's `allowed_account_ids` is checked against the account the profile lands in),
  returns the computed values the emulator answers (ids, ARNs, DNS names), reads back what can drift and
  returns None for a resource that is gone (Terraform then plans to create it again), updates in place, and
  deletes;
* a state-only handler (`state_only=...`, with the reason) keeps a type the emulator cannot hold in Terraform's
  state only, with a synthesized id. `docs/offline_provider.md` lists every type and how it is held; a type
  without a handler is refused at apply, never skipped.

Handlers see plain values: the planned state with the provider's own unknowns left out (they are what the
handler computes), and return plain dicts. The provider merges them into the new state.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import urllib.parse
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Callable

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ApplyError(Exception):
    """A failure to report to Terraform as an error diagnostic (summary, detail).

    `computed`, raised by a create, says the resource exists despite the failure (e.g. a wait that timed out):
    its values are kept in the state and Terraform marks the resource tainted, as with the real provider.
    """

    def __init__(self, summary: str, detail: str = "", computed: dict[str, Any] | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        self.detail = detail
        self.computed = computed


@dataclass
class Api:
    """boto3 clients for one provider configuration: its profile, its region, the emulator's endpoint."""

    profile: str | None
    region: str
    account: str
    endpoint: str
    # The provider block's default_tags: what a resource's own `tags` leave out when the state is refreshed.
    default_tags: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    _session: Any = None

    def client(self, service: str, region: str | None = None) -> Any:
        """A client for a service in the resource's region (clients are thread-safe, sessions are not)."""
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                import boto3
                from botocore.config import Config

                if self._session is None:
                    self._session = boto3.Session(profile_name=self.profile) if self.profile else boto3.Session()
                # As the real provider (max_retries 25): throttling and transient errors are retried with backoff.
                retries = Config(retries={"max_attempts": 25, "mode": "standard"})
                self._clients[key] = self._session.client(
                    service, region_name=key[1], endpoint_url=self.endpoint, config=retries
                )
            return self._clients[key]

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None) -> str:
        return f"arn:aws:{service}:{self.region if region is None else region}:{account or self.account}:{resource}"


def api_for(profile: str | None, region: str, account: str | None, default_tags: Any = None) -> Api:
    """The emulator's clients for a provider configuration; refuses anything but the loopback emulator."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if urllib.parse.urlparse(endpoint).hostname not in LOOPBACK:
        raise ApplyError(
            "The offline hashicorp/aws provider applies only into the local emulator",
            f"AWS_ENDPOINT_URL is {endpoint or 'unset'}. Against AWS, run Terraform with the real hashicorp/aws "
            "provider (without the offline provider's TF_CLI_CONFIG_FILE).",
        )
    tags = default_tags if isinstance(default_tags, dict) else {}
    return Api(profile=profile, region=region, account=account or "", endpoint=endpoint, default_tags=tags)


class Handler:
    """How one resource type lives in the emulator. The base class keeps a type in Terraform's state only."""

    type_name = ""
    # Attributes whose change replaces the resource (the real provider's ForceNew).
    replace_on: frozenset[str] = frozenset()
    # Set for a type the emulator cannot hold: why (shown in the docs' table).
    state_only = ""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        """Create the resource; return its computed values (at least `id`)."""
        resource_id = synthesized_id(self.type_name, planned)
        service = self.type_name.split("_")[1]
        return {"id": resource_id, "arn": api.arn(service, f"{self.type_name.removeprefix('aws_')}/{resource_id}")}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        """The state refreshed from the emulator (only what can drift), or None when the resource is gone."""
        return state

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        """Change the resource in place; return computed values that changed."""
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        """Delete the resource; a resource already gone is not an error."""

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        """The state of an existing resource by its import id, or None when it does not exist."""
        return self.read(api, {"id": import_id})


REGISTRY: dict[str, Handler] = {}


def resource(type_name: str, *, replace_on: tuple[str, ...] = (), state_only: str = "") -> Callable[[type], type]:
    """Register a handler class for a resource type."""

    def register(cls: type) -> type:
        handler = cls()
        handler.type_name = type_name
        handler.replace_on = frozenset(replace_on) | frozenset(getattr(cls, "replace_on", ()))
        handler.state_only = state_only
        REGISTRY[type_name] = handler
        return cls

    return register


def state_only(type_name: str, reason: str, replace_on: tuple[str, ...] = ()) -> None:
    """Register a type the emulator cannot hold: kept in Terraform's state with a synthesized id."""
    resource(type_name, replace_on=replace_on, state_only=reason)(type(f"StateOnly_{type_name}", (Handler,), {}))


def synthesized_id(type_name: str, planned: dict[str, Any]) -> str:
    digest = hashlib.sha256((type_name + json.dumps(planned, sort_keys=True, default=str)).encode()).hexdigest()
    return f"{type_name.removeprefix('aws_').replace('_', '-')}-{digest[:17]}"


def handler_for(type_name: str) -> Handler:
    load()
    if type_name not in REGISTRY:
        raise ApplyError(
            f"The offline hashicorp/aws provider does not apply {type_name}",
            "Every resource type the stack uses has a handler in tools/offline_aws/; add one for this type "
            "(emulated through boto3, or state-only with the reason) and list it in docs/offline_provider.md.",
        )
    return REGISTRY[type_name]


_LOADED = False


def load() -> None:
    """Import the handler modules (each registers its types)."""
    global _LOADED
    if _LOADED:
        return
    import importlib

    for module in MODULES:
        importlib.import_module(f"offline_aws.{module}")
    _LOADED = True


# The handler modules, by service family.
MODULES = ("network", "compute", "data", "edge", "monitoring")


def tags_of(planned: dict[str, Any]) -> dict[str, str]:
    """The tags to put on the resource: the provider's default tags with the resource's over them."""
    return dict(planned.get("tags_all") or planned.get("tags") or {})


def tag_list(planned: dict[str, Any], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in tags_of(planned).items()]


def error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def ignore_gone(call: Any, *codes: str, **kwargs: Any) -> Any:
    """The call's answer, or None when the resource it names is already gone (NotFound or one of ``codes``)."""
    try:
        return call(**kwargs)
    except Exception as error:  # noqa: BLE001 - only "gone" is swallowed
        if not gone(error, *codes):
            raise
        return None


def same_json(text: str | None, found: Any) -> bool:
    """True when a JSON document in the state means the same as the one the emulator holds (a str or a dict)."""
    try:
        ours = json.loads(text) if text else None
        theirs = json.loads(found) if isinstance(found, str) else found
    except ValueError:
        return text == found
    return ours == theirs


def own_tags(api: Api, state: dict[str, Any], actual: dict[str, str]) -> dict[str, Any]:
    """The state with the tags the emulator holds: tags_all as found, tags without the provider's default tags
    (a tag changed behind Terraform's back is drift)."""
    default = api.default_tags or {}
    own = {k: v for k, v in actual.items() if default.get(k) != v or k in (state.get("tags") or {})}
    return {**state, "tags_all": actual, "tags": own if (own or state.get("tags") is not None) else None}


def gone(error: Exception, *codes: str) -> bool:
    """True when a botocore error says the resource does not exist (NotFound codes or the ones given)."""
    code = error_code(error)
    return bool(code) and (code in codes or "NotFound" in code or code.endswith(".NotFound"))


def table() -> str:
    """Every type's row for docs/offline_provider.md: emulated (what read refreshes) or state only (why)."""
    load()
    rows = ["| resource type | held by the emulator | read back / why not |", "|---|---|---|"]
    for name in sorted(REGISTRY):
        handler = REGISTRY[name]
        doc = " ".join((type(handler).__doc__ or "").split())
        if handler.state_only:
            rows.append(f"| `{name}` | state only | {handler.state_only} |")
        else:
            rows.append(f"| `{name}` | yes | {doc or 'created and deleted; read back when it is gone'} |")
    return "\n".join(rows) + "\n"
