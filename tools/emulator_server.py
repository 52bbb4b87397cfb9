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
which clients retry as a transient failure). EFS replication (Create/Describe/DeleteReplicationConfiguration),
which moto lacks, is added to moto's EFS backend here (see :func:`_install_efs_replication`); an S3 bucket's
replication rules are answered as they were set (see :func:`_install_s3_replication_rules`). Run as
``python tools/emulator_server.py -p PORT`` (tools/emulator.py does); the rest of the arguments are moto_server's.
"""

from __future__ import annotations

import io
import json
import pickle
import sys
import threading
import time
import types
from typing import Any
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from moto import server
from moto.core import base_backend
from moto.core.responses import ActionResult
from moto.core.base_backend import BackendDict
from moto.core.model_instances import reset_model_data
from moto.efs.exceptions import EFSError
from moto.efs.exceptions import FileSystemNotFound
from moto.cloudfront import models as cloudfront_models
from moto.efs.models import efs_backends
from moto.efs.responses import EFSResponse
from moto.moto_api import state_manager
from moto.s3.exceptions import ReplicationConfigurationNotFoundError
from moto.s3.responses import S3Response
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


# Paths of the EFS operations added below, which moto's EFS routes do not carry.
EFS_REPLICATION_PATHS = (
    "/2015-02-01/file-systems/replication-configurations",
    "/2015-02-01/file-systems/<file_system_id>/replication-configuration",
)


def _backend_app(service: Any, *args: Any, **kwargs: Any) -> Any:
    app = create_backend_app(service, *args, **kwargs)
    app.register_error_handler(NotImplementedError, _not_implemented)
    if service == "efs":
        endpoint = next(name for name in app.view_functions if name.endswith(".dispatch"))
        for path in EFS_REPLICATION_PATHS:
            app.add_url_rule(path, endpoint=endpoint, methods=["GET", "POST", "DELETE"], strict_slashes=False)
    return app


# -- EFS replication, which moto does not have ------------------------------------------------------------------
# A replication is kept on its source file system (``_replication``: the destination's region and id, status, times)
# and marked on its destination (``_replicated_from``), both in the account's backends: what a snapshot copies.
# As in AWS, the destination is read-only while replicated (FileSystemProtection REPLICATING), the configuration is
# found from either side, and deleting it makes the destination writable again (protection ENABLED).


class ReplicationNotFound(EFSError):
    def __init__(self, file_system_id: str) -> None:
        super().__init__("ReplicationNotFound", f"No replication configuration found for file system {file_system_id}.")
        self.code = 404


class ValidationException(EFSError):
    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


def _replication_json(account_id: str, region: str, source: Any) -> dict[str, Any]:
    replication = source._replication
    destination = {
        "Status": replication["status"],
        "FileSystemId": replication["destination_id"],
        "Region": replication["destination_region"],
        "OwnerId": account_id,
    }
    if replication.get("last_replicated") is not None:
        destination["LastReplicatedTimestamp"] = replication["last_replicated"]
    if replication.get("status_message"):
        destination["StatusMessage"] = replication["status_message"]
    return {
        "SourceFileSystemId": source.file_system_id,
        "SourceFileSystemRegion": region,
        "SourceFileSystemArn": source.file_system_arn,
        "OriginalSourceFileSystemArn": source.file_system_arn,
        "SourceFileSystemOwnerId": account_id,
        "CreationTime": replication["created"],
        "Destinations": [destination],
    }


def _source_of(account_id: str, region: str, file_system_id: str) -> tuple[str, Any] | None:
    """(region, source file system) of the replication ``file_system_id`` takes part in, on either side."""
    backend = efs_backends[account_id][region]
    fs = backend.file_systems_by_id.get(file_system_id)
    if fs is None:
        raise FileSystemNotFound(file_system_id)
    if getattr(fs, "_replication", None):
        return region, fs
    origin = getattr(fs, "_replicated_from", None)
    if origin:
        source = efs_backends[account_id][origin[0]].file_systems_by_id.get(origin[1])
        if source is not None and getattr(source, "_replication", None):
            return origin[0], source
    return None


def create_replication_configuration(self: EFSResponse) -> tuple[str, dict[str, Any]]:
    account_id, region = self.current_account, self.region
    source_id = self._get_param("SourceFileSystemId")
    source = efs_backends[account_id][region].file_systems_by_id.get(source_id)
    if source is None:
        raise FileSystemNotFound(source_id)
    destinations = self._get_param("Destinations") or []
    if len(destinations) != 1:
        raise ValidationException("A replication configuration has exactly one destination.")
    wanted = destinations[0]
    target_region = wanted.get("Region") or region
    if getattr(source, "_replication", None) or getattr(source, "_replicated_from", None):
        raise ValidationException(f"File system {source_id} already has a replication configuration.")
    target_backend = efs_backends[account_id][target_region]
    if wanted.get("FileSystemId"):
        target = target_backend.file_systems_by_id.get(wanted["FileSystemId"])
        if target is None:
            raise FileSystemNotFound(wanted["FileSystemId"])
        if target is source or getattr(target, "_replication", None) or getattr(target, "_replicated_from", None):
            raise ValidationException(f"File system {target.file_system_id} cannot be a replication destination.")
    else:
        # EFS makes the destination itself: encrypted (with the given key, else the region's default EFS key).
        target = target_backend.create_file_system(
            creation_token=f"replica-{source_id}-{int(time.time() * 1000)}",
            performance_mode=source.performance_mode,
            encrypted=True,
            kms_key_id=wanted.get("KmsKeyId"),
            throughput_mode=source.throughput_mode,
            provisioned_throughput_in_mibps=source.provisioned_throughput_in_mibps,
            availability_zone_name=wanted.get("AvailabilityZoneName"),
            backup=False,
            tags=[],
        )
    now = time.time()
    source._replication = {
        "destination_region": target_region,
        "destination_id": target.file_system_id,
        "status": "ENABLED",
        "created": now,
        "last_replicated": now,
    }
    target._replicated_from = (region, source_id)
    target.file_system_protection = {"ReplicationOverwriteProtection": "REPLICATING"}
    return json.dumps(_replication_json(account_id, region, source)), {"status": 200}


def describe_replication_configurations(self: EFSResponse) -> tuple[str, dict[str, Any]]:
    account_id, region = self.current_account, self.region
    wanted = self._get_param("FileSystemId")
    if wanted:
        found = _source_of(account_id, region, wanted)
        if found is None:
            raise ReplicationNotFound(wanted)
        replications = [_replication_json(account_id, *found)]
    else:
        backend = efs_backends[account_id][region]
        replications = [
            _replication_json(account_id, region, fs)
            for fs in backend.file_systems_by_id.values()
            if getattr(fs, "_replication", None)
        ]
    return json.dumps({"Replications": replications}), {"status": 200}


def delete_replication_configuration(self: EFSResponse) -> tuple[str, dict[str, Any]]:
    """From the source's region, or from the destination's with the source's id (as a failover does while the
    source's region is down). Both sides go at once here, whatever the DeletionMode (the emulator has one record)."""
    account_id, region = self.current_account, self.region
    wanted = self._get_param("SourceFileSystemId")
    backend = efs_backends[account_id][region]
    if wanted in backend.file_systems_by_id:
        found = _source_of(account_id, region, wanted)
    else:
        destinations = [
            fs
            for fs in backend.file_systems_by_id.values()
            if (getattr(fs, "_replicated_from", None) or ("",))[-1] == wanted
        ]
        found = _source_of(account_id, region, destinations[0].file_system_id) if destinations else None
    if found is None:
        raise ReplicationNotFound(wanted)
    _source_region, source = found
    replication = source._replication
    target = efs_backends[account_id][replication["destination_region"]].file_systems_by_id.get(
        replication["destination_id"]
    )
    if target is not None:
        target._replicated_from = None
        target.file_system_protection = {"ReplicationOverwriteProtection": "ENABLED"}
    source._replication = None
    return "", {"status": 204}


def _install_efs_replication() -> None:
    """Answer EFS's replication operations from moto's EFS backend (moto resolves a REST operation to the response
    method of its name; without one it raises NotImplementedError, answered 501 above)."""
    EFSResponse.create_replication_configuration = create_replication_configuration
    EFSResponse.describe_replication_configurations = describe_replication_configurations
    EFSResponse.delete_replication_configuration = delete_replication_configuration


def _origin_group_ids(config: dict[str, Any]) -> dict[str, str]:
    """{origin group id: its first member's origin id} of a distribution config as moto parsed it (one group is a
    mapping, several a list)."""
    items = (config.get("OriginGroups") or {}).get("Items") or {}
    groups = items.get("OriginGroup", []) if isinstance(items, dict) else items
    found = {}
    for group in groups if isinstance(groups, list) else [groups]:
        members = (group.get("Members") or {}).get("Items") or []
        members = members.get("OriginGroupMember", []) if isinstance(members, dict) else members
        first = members[0] if isinstance(members, list) and members else members
        if group.get("Id") and isinstance(first, dict):
            found[group["Id"]] = first.get("OriginId", "")
    return found


def _install_cloudfront_origin_groups() -> None:
    """CloudFront takes an origin group's id as a cache behaviour's target (a DR primary's default behaviour); moto
    checks the default behaviour's target against the origins only. The check is made with the group's first member,
    and the behaviour keeps the group as its target."""
    original = cloudfront_models.DistributionConfig.__init__

    def init(self: Any, config: dict[str, Any]) -> None:
        target = (config.get("DefaultCacheBehavior") or {}).get("TargetOriginId")
        groups = _origin_group_ids(config)
        if target not in groups:
            original(self, config)
            return
        config["DefaultCacheBehavior"]["TargetOriginId"] = groups[target]
        original(self, config)
        self.DefaultCacheBehavior.target_origin_id = target

    cloudfront_models.DistributionConfig.__init__ = init


def _replication_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A replication rule as S3 answers it: what was set, with the empty prefix for a filter that names none."""
    answered = {key: rule[key] for key in ("ID", "Priority", "Status", "Destination")}
    answered["DeleteMarkerReplication"] = rule.get("DeleteMarkerReplication") or {"Status": "Disabled"}
    rule_filter = rule.get("Filter") or {}
    answered["Filter"] = {key: "" if value is None else value for key, value in rule_filter.items()} or {"Prefix": ""}
    return answered


def get_bucket_replication(self: S3Response) -> Any:
    self.data["Action"] = "GetBucketReplication"
    replication = self.backend.get_bucket_replication(self.bucket_name)
    if not replication:
        raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
    rules = [_replication_rule(rule) for rule in replication["Rule"]]
    return self.serialized(ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))


def _install_s3_replication_rules() -> None:
    """moto stores a bucket's replication rules as set, but answers every rule with delete marker replication
    Disabled and an empty prefix filter; a module comparing what it set with the answer would never agree."""
    S3Response.get_bucket_replication = get_bucket_replication


def main(argv: list[str] | None = None) -> None:
    """moto_server's command line, serving moto behind the snapshot control API."""
    _install_efs_replication()
    _install_cloudfront_origin_groups()
    _install_s3_replication_rules()
    original = server.DomainDispatcherApplication

    def wrapped(_create_app: Any, *args: Any, **kwargs: Any) -> Any:
        return App(original(_backend_app, *args, **kwargs))

    server.DomainDispatcherApplication = wrapped  # moto's main builds its application through this name
    server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
