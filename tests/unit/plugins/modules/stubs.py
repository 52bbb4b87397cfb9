"""Stand-ins for what a module's main() gets from Ansible and boto3, for unit tests of its orchestration.

The module object is a MagicMock whose exit_json/fail_json raise (as amazon.aws's unit tests do); the clients answer
from canned data. What AWS itself does is tested against the emulator in tests/integration.
"""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import MagicMock

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import aws_client


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


class StubClient:
    """Stands in for a botocore client: canned answers per operation (an exception is raised), every call recorded,
    and the before-parameter-build event fired so the collection's call counter sees each call as it would a real one.
    """

    def __init__(self, prefix: str, **answers) -> None:
        self.prefix = prefix
        self.answers = answers
        self.made: list[tuple[str, dict]] = []
        self.handlers: list = []
        self.meta = SimpleNamespace(events=SimpleNamespace(register=self._register))

    def _register(self, event: str, handler) -> None:
        assert event == "before-parameter-build"
        self.handlers.append(handler)

    def _call(self, name: str, kwargs: dict):
        kwargs.pop("aws_retry", None)
        operation = "".join(part.title() for part in name.split("_"))
        model = SimpleNamespace(service_model=SimpleNamespace(endpoint_prefix=self.prefix), name=operation)
        for handler in self.handlers:
            handler(model=model)
        self.made.append((name, kwargs))
        answer = self.answers[name]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self.answers:
            raise AttributeError(name)
        return lambda **kwargs: self._call(name, kwargs)

    def get_paginator(self, name: str):
        """One page: iterate it, or take build_full_result() of it."""
        return SimpleNamespace(paginate=lambda **kwargs: Pages(lambda: self._call(name, kwargs)))

    def called(self, name: str) -> list[dict]:
        return [kwargs for made, kwargs in self.made if made == name]


class Pages:
    def __init__(self, fetch) -> None:
        self.fetch = fetch

    def __iter__(self):
        return iter([self.fetch()])

    def build_full_result(self):
        return self.fetch()


class StubClients(aws_client.AWSClients):
    """The collection's client layer (counter, retry wrapper, one client per arguments) over stubbed botocore clients:
    ``pick(service, region, params)`` returns the StubClient for a client the module asks for."""

    def __init__(self, pick) -> None:
        super().__init__(None, None, {})
        self.pick = pick

    def make_botocore_client(self, service: str, region, params: dict):
        return self.pick(service, region, params)


def stub_aws(monkeypatch, pick) -> None:
    """Every module's clients come from StubClients(pick). The profile check of the preamble is skipped: it reads the
    AWS config file, which the unit tests do not have (it is tested against the emulator in tests/integration)."""
    monkeypatch.setattr(
        aws_client.AWSClients, "from_module", classmethod(lambda cls, module, **options: StubClients(pick))
    )
    monkeypatch.setattr(aws_client, "missing_profile_message", lambda profile: None)


def run_main(monkeypatch, entry, params: dict, pick=None, check_mode: bool = False):
    """``entry.main()`` with a stand-in AnsibleAWSModule over ``params`` and, given ``pick``, stubbed clients.

    Returns ('exit' or 'fail', the result's keyword arguments plus ``args`` (fail_json_aws's exception), the module)."""
    module = MagicMock(params=params, check_mode=check_mode, region=params.get("region"))
    module.exit_json.side_effect = ExitJson
    module.fail_json.side_effect = FailJson
    module.fail_json_aws.side_effect = FailJson
    monkeypatch.setattr(entry, "AnsibleAWSModule", lambda **spec: module)
    if pick is not None:
        stub_aws(monkeypatch, pick)
    try:
        entry.main()
    except ExitJson:
        return "exit", module.exit_json.call_args.kwargs, module
    except FailJson:
        failed = module.fail_json_aws.call_args or module.fail_json.call_args
        return "fail", {"args": failed.args, **failed.kwargs}, module
    raise AssertionError("main() returned without exit_json or fail_json")
