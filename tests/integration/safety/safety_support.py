"""Helpers of the safety suite: classify the emulator's recorded requests as reads or writes, record a run,
populate the three emulated accounts, and a private emulator for the tests that stop it on purpose."""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import faults  # tools/ is on sys.path (tests/conftest.py)
from emulator_zones import create_zones

# The three environments without prod's DR standby (bbws-prod-dr; tests/integration/dr covers it).
INVENTORIES = ["-i", "inventories/dev", "-i", "inventories/sit", "-i", "inventories/prod", "--limit", "!bbws-prod-dr"]
# The terraform phases need the AWS provider, which cannot run against the emulator here.
NO_TERRAFORM = ["--skip-tags", "plan,approve,apply"]
READ_PREFIXES = ("Describe", "List", "Get", "Head")
READ_ACTIONS = {"AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity"}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
TRACEBACK = re.compile(r"Traceback \(most recent call last\)")


@dataclass(frozen=True)
class Request:
    """One recorded request: its API action (or METHOD path for REST calls) and whether it changes something."""

    action: str
    write: bool


def _body(record: dict[str, Any]) -> str:
    body = record.get("body") or ""
    if str(record.get("body_encoded")).lower() == "true":
        return base64.b64decode(body).decode(errors="replace")
    return body if isinstance(body, str) else json.dumps(body)


def _headers(record: dict[str, Any]) -> dict[str, str]:
    headers = record.get("headers") or {}
    return {str(k).lower(): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}


def classify(record: dict[str, Any]) -> Request:
    """Read or write, from the API action a request names.

    JSON protocols name it in X-Amz-Target, query protocols in the body's Action=; REST APIs (Route 53, S3,
    CloudFront, EFS) are reads exactly when the method is GET or HEAD.
    """
    method = str(record.get("method", "GET")).upper()
    target = _headers(record).get("x-amz-target", "")
    action = target.rsplit(".", 1)[-1] if target else ""
    if not action:
        query = parse_qs(urlsplit(str(record.get("url", ""))).query)
        form = parse_qs(_body(record)) if method == "POST" else {}
        action = (form.get("Action") or query.get("Action") or [""])[0]
    if action:
        return Request(action, not (action in READ_ACTIONS or action.startswith(READ_PREFIXES)))
    path = urlsplit(str(record.get("url", ""))).path or "/"
    return Request(f"{method} {path}", method not in READ_METHODS)


@dataclass
class Recording:
    """What the emulator saw during a run (filled when the ``recording`` block ends)."""

    requests: list[Request] = field(default_factory=list)

    @property
    def writes(self) -> list[str]:
        return [r.action for r in self.requests if r.write]

    @property
    def reads(self) -> int:
        return sum(not r.write for r in self.requests)

    def summary(self) -> str:
        actions = Counter(r.action for r in self.requests if not r.write)
        top = ", ".join(f"{name} {count}" for name, count in actions.most_common(6))
        return f"{self.reads} reads, {len(self.writes)} writes (top reads: {top})"


def download(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/recorder/download-recording", timeout=30) as resp:
        text = resp.read().decode()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@contextmanager
def recording(emulator) -> Iterator[Recording]:
    """Record every request the emulator answers inside the block (moto's recorder)."""
    result = Recording()
    emulator.api("recorder/reset-recording")
    emulator.api("recorder/start-recording")
    try:
        yield result
    finally:
        emulator.api("recorder/stop-recording")
        result.requests = [classify(r) for r in download(emulator.endpoint) if "/moto-api/" not in str(r.get("url"))]


def populate() -> dict[str, faults.Cluster]:
    """Prod's adopted root zone, then each environment's cluster applied by Terraform, in the emulator this process
    points at (Terraform makes the child zones in dev and sit)."""
    create_zones(children=False)
    return {env: faults.build_cluster(env) for env in faults.environments()}


@contextmanager
def emulator_env(emulator) -> Iterator[None]:
    """Point this process's AWS environment at ``emulator`` for the block (for fixtures wider than a test)."""
    keys = [*emulator.env(), "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
    saved = {key: os.environ.get(key) for key in keys}
    for key in keys:
        os.environ.pop(key, None)
    os.environ.update(emulator.env())
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def flat(text: str) -> str:
    """Output with the callback's line wrapping undone."""
    return " ".join(text.split())


def recap(stdout: str) -> dict[str, dict[str, int]]:
    """PLAY RECAP as host -> {ok, changed, failed, ...}."""
    hosts: dict[str, dict[str, int]] = {}
    for line in stdout.split("PLAY RECAP", 1)[-1].splitlines():
        match = re.match(r"^(\S+)\s+:\s+(.*)$", line)
        if match:
            hosts[match.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(2))}
    return hosts
