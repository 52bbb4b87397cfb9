"""The emulator's server process: moto's own server, plus snapshots of everything it holds.

Building an environment with Terraform takes tens of seconds; restoring what a build left takes one. The
process keeps snapshots in its memory (they end with it) under a key the caller chooses, together with
a small attachment (the Terraform state of the build). A snapshot is taken only of a known starting point
(``origin``): the server tracks whether anything changed since the last reset, snapshot or restore, so a
caller asking "is there a snapshot of <this build> from <where I am now>" never gets one taken from a
different starting point. Reads (Describe/List/Get, GET and HEAD, STS) change nothing that is tracked.

Control API (POST, loopback only like the server itself)::

    /bbws-emulator/origin              -> the current starting point ("clean" or a snapshot's name, with the
                                          state transitions in force), or "" once anything changed
    /bbws-emulator/snapshot/<name>     body: attachment; stores every account's state under <name> (409 when
                                          something moto holds cannot be copied: nothing is kept)
    /bbws-emulator/restore/<name>      -> the attachment; 404 when there is no such snapshot

An operation moto does not implement answers HTTP 501 ``NotImplemented`` (moto's own server answers 500,
which clients retry as a transient failure). Run as ``python tools/emulator_server.py -p PORT``
(tools/emulator.py does); the rest of the arguments are moto_server's.
"""

from __future__ import annotations

import io
import json
import pickle
import sys
import threading
import types
from typing import Any
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from moto import server
from moto.core import base_backend
from moto.core.base_backend import BackendDict
from moto.core.model_instances import reset_model_data
from moto.moto_api import state_manager
from moto.moto_server.werkzeug_app import create_backend_app

PREFIX = "/bbws-emulator/"
READ_PREFIXES = ("Describe", "List", "Get", "Head")
_LOCK = type(threading.Lock())
_RLOCK = type(threading.RLock())


def _private_key(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, None)


def _certificate(pem: bytes) -> Any:
    return x509.load_pem_x509_certificate(pem)


def _no_more() -> Any:
    return iter(())


class _Pickler(pickle.Pickler):
    """What pickle cannot hold as it is: moto's keys and certificates (cryptography objects) as PEM, a lock as a
    new lock, and a generator (a paginated read's leftover, which a later page would consume) as an ended one."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.GeneratorType):
            return _no_more, ()
        if isinstance(obj, _LOCK):
            return threading.Lock, ()
        if isinstance(obj, _RLOCK):
            return threading.RLock, ()
        if not (type(obj).__module__ or "").startswith("cryptography"):
            return NotImplemented
        if hasattr(obj, "private_bytes"):
            pem = obj.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return _private_key, (pem,)
        if hasattr(obj, "serial_number"):
            return _certificate, (obj.public_bytes(serialization.Encoding.PEM),)
        return NotImplemented


class Snapshots:
    """Named copies of every backend moto has in use, and the starting point the server is at."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.saved: dict[str, tuple[bytes, bytes]] = {}
        self.registry: dict[str, BackendDict] = {}
        self.origin = "clean"

    def take(self, name: str, attachment: bytes) -> int:
        with base_backend.backend_lock:
            state = {}
            for backends in BackendDict._instances:
                self.registry[backends._id] = backends
                state[backends._id] = {account: dict(regions) for account, regions in backends.items()}
            buffer = io.BytesIO()
            _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((state, state_manager._transitions))
        self.saved[name] = (buffer.getvalue(), attachment)
        self.origin = name
        return len(buffer.getvalue())

    def restore(self, name: str) -> bytes | None:
        if name not in self.saved:
            return None
        data, attachment = self.saved[name]
        state, transitions = pickle.loads(data)  # noqa: S301 - our own snapshot, in our own memory
        BackendDict.reset()
        reset_model_data()
        with base_backend.backend_lock:
            for backend_id, accounts in state.items():
                backends = self.registry[backend_id]
                for account, regions in accounts.items():
                    account_backends = backends[account]
                    for region, backend in regions.items():
                        dict.__setitem__(account_backends, region, backend)
                if backends not in BackendDict._instances:
                    BackendDict._instances.append(backends)
        state_manager._transitions.clear()
        state_manager._transitions.update(transitions)
        self.origin = name
        return attachment


def _changes_state(environ: dict[str, Any]) -> bool:
    """Whether a request may change what the server holds (unknown requests do)."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method in ("GET", "HEAD", "OPTIONS"):
        return False
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if "/sts/aws4_request" in authorization:
        return False  # assumed roles: each new session makes its own, before and after a restore
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return not target.rsplit(".", 1)[-1].startswith(READ_PREFIXES)
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action", [""])[0]
    if not action and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    return not (action and action.startswith(READ_PREFIXES))


class App:
    """moto's WSGI application behind the snapshot control API."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.snapshots = Snapshots()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX):
            return self.control(path[len(PREFIX) :], environ, start_response)
        with self.snapshots.lock:
            if path.rstrip("/") == "/moto-api/reset":
                self.snapshots.origin = "clean"
            elif not path.startswith("/moto-api/") and _changes_state(environ):
                self.snapshots.origin = ""
        return self.inner(environ, start_response)

    def control(self, command: str, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        verb, name = (command.split("/", 1) + [""])[:2]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, answer = "200 OK", b""
        with self.snapshots.lock:
            if verb == "origin":  # with the state transitions in force, which decide what a build leaves
                origin = self.snapshots.origin
                answer = f"{origin}|{sorted(state_manager._transitions.items())}".encode() if origin else b""
            elif verb == "snapshot" and name:
                try:
                    answer = str(self.snapshots.take(name, body)).encode()
                except (pickle.PicklingError, TypeError, AttributeError) as error:  # something moto holds
                    status, answer = "409 Conflict", f"not kept: {error}".encode()
            elif verb == "restore" and name:
                restored = self.snapshots.restore(name)
                status, answer = ("200 OK", restored) if restored is not None else ("404 Not Found", b"")
            else:
                status = "404 Not Found"
        start_response(status, [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(answer)))])
        return [answer]


def _not_implemented(error: NotImplementedError) -> Any:
    """An operation moto does not implement answers 501 with its name: not a 500, which every AWS SDK and
    Terraform's provider retry as a transient server error (25 times, minutes of backoff, for the same answer)."""
    from flask import Response

    body = json.dumps({"__type": "NotImplemented", "message": f"Not implemented by the local emulator: {error}"})
    return Response(body, status=501, headers={"x-amzn-ErrorType": "NotImplemented"}, mimetype="application/json")


def _backend_app(*args: Any, **kwargs: Any) -> Any:
    app = create_backend_app(*args, **kwargs)
    app.register_error_handler(NotImplementedError, _not_implemented)
    return app


def main(argv: list[str] | None = None) -> None:
    """moto_server's command line, serving moto behind the snapshot control API."""
    original = server.DomainDispatcherApplication

    def wrapped(_create_app: Any, *args: Any, **kwargs: Any) -> Any:
        return App(original(_backend_app, *args, **kwargs))

    server.DomainDispatcherApplication = wrapped  # moto's main builds its application through this name
    server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
