"""A tiny Terraform provider whose remote objects live in a JSON file, to make real Terraform report drift.

Terraform records ``resource_drift`` only when a provider's read returns something other than the state, and
no provider that can run here does that: the built-in ``terraform_data`` reads back its state unchanged, the
registry is out of reach, and the offline hashicorp/aws stand-in plans only. This provider is the smallest
real one that can: ``bbws/remote`` with one resource, ``remote_object``, stored in the JSON file named by the
provider's ``store`` argument. Editing that file is a change made outside Terraform; Terraform itself then
refreshes, detects the drift and plans. It speaks protocol 6 with the offline provider's wire helpers
(tools/offline_provider.py) and is installed for a test from a filesystem mirror (``cli_config``).
"""

from __future__ import annotations

import json
import platform
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parents[3] / "tools"
sys.path.insert(0, str(TOOLS))

import offline_provider as wire  # noqa: E402  (path set just above)

VERSION = "1.0.0"
RESOURCE = "remote_object"
ATTRIBUTES = {
    # name: (cty type, required, optional, computed, sensitive)
    "id": ("string", False, False, True, False),
    "name": ("string", True, False, False, False),
    "size": ("string", False, True, False, False),
    "password": ("string", False, True, False, True),
    "tags": (["map", "string"], False, True, False, False),
}


def _schema() -> Any:
    from tf.gen import tfplugin_pb2 as pb

    def attribute(name: str, spec: tuple) -> Any:
        cty, required, optional, computed, sensitive = spec
        return pb.Schema.Attribute(
            name=name,
            type=json.dumps(cty).encode(),
            required=required,
            optional=optional,
            computed=computed,
            sensitive=sensitive,
        )

    provider = pb.Schema(block=pb.Schema.Block(attributes=[attribute("store", ("string", True, False, False, False))]))
    resource = pb.Schema(block=pb.Schema.Block(attributes=[attribute(n, s) for n, s in ATTRIBUTES.items()]))
    return pb.GetProviderSchema.Response(provider=provider, resource_schemas={RESOURCE: resource})


class Store:
    def __init__(self) -> None:
        self.path: Path | None = None
        # Terraform applies independent resources in parallel: one writer at a time.
        self.lock = threading.Lock()

    def load(self) -> dict[str, Any]:
        return json.loads(self.path.read_text()) if self.path and self.path.exists() else {}

    def save(self, objects: dict[str, Any]) -> None:
        self.path.write_text(json.dumps(objects, indent=2, sort_keys=True))


def make_servicer() -> Any:
    from tf.gen import tfplugin_pb2 as pb
    from tf.gen import tfplugin_pb2_grpc as rpc

    store = Store()

    class Provider(rpc.ProviderServicer):
        def GetMetadata(self, request: Any, context: Any) -> Any:
            return pb.GetMetadata.Response(resources=[pb.GetMetadata.ResourceMetadata(type_name=RESOURCE)])

        def GetProviderSchema(self, request: Any, context: Any) -> Any:
            return _schema()

        def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
            return pb.ValidateProviderConfig.Response()

        def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
            return pb.ValidateResourceConfig.Response()

        def ConfigureProvider(self, request: Any, context: Any) -> Any:
            store.path = Path((wire.decode(request.config) or {}).get("store") or "remote.json")
            return pb.ConfigureProvider.Response()

        def UpgradeResourceState(self, request: Any, context: Any) -> Any:
            return pb.UpgradeResourceState.Response(
                upgraded_state=pb.DynamicValue(json=request.raw_state.json or b"null")
            )

        def ReadResource(self, request: Any, context: Any) -> Any:
            current = wire.decode(request.current_state) or {}
            with store.lock:
                remote = store.load().get(current.get("id"))
            # Gone from the store: the object was deleted outside Terraform (a null new state).
            return pb.ReadResource.Response(new_state=wire.encode(remote), private=request.private)

        def PlanResourceChange(self, request: Any, context: Any) -> Any:
            proposed = wire.decode(request.proposed_new_state)
            if proposed is None:
                return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
            prior = wire.decode(request.prior_state)
            proposed["id"] = prior["id"] if prior else wire.UNKNOWN
            replace = []
            if prior and prior.get("name") != proposed.get("name"):
                replace.append(pb.AttributePath(steps=[pb.AttributePath.Step(attribute_name="name")]))
            return pb.PlanResourceChange.Response(planned_state=wire.encode(proposed), requires_replace=replace)

        def ApplyResourceChange(self, request: Any, context: Any) -> Any:
            planned = wire.decode(request.planned_state)
            prior = wire.decode(request.prior_state)
            with store.lock:
                objects = store.load()
                if planned is None:
                    objects.pop((prior or {}).get("id"), None)
                else:
                    if planned.get("id") is wire.UNKNOWN or not planned.get("id"):
                        planned["id"] = f"obj-{uuid.uuid4().hex[:12]}"
                    objects[planned["id"]] = planned
                store.save(objects)
            return pb.ApplyResourceChange.Response(new_state=wire.encode(planned))

        def StopProvider(self, request: Any, context: Any) -> Any:
            return pb.StopProvider.Response()

    return Provider()


def serve() -> int:
    # Bounded: Terraform stops its plugins when a command ends; a leftover one exits after an hour at most.
    return wire.serve_plugin(make_servicer, max_workers=4, timeout=3600)


def cli_config(folder: Path) -> Path:
    """Install the provider for bbws/remote from a filesystem mirror under ``folder``; return the CLI config's path.

    A mirror, not dev_overrides: init consults no override for a provider the state already holds resources of.
    """
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    target = folder / "mirror" / "registry.terraform.io" / "bbws" / "remote" / VERSION / f"linux_{arch}"
    target.mkdir(parents=True, exist_ok=True)
    launcher = target / f"terraform-provider-remote_v{VERSION}"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).resolve()}" serve "$@"\n')
    launcher.chmod(0o755)
    config = folder / "terraformrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{folder / "mirror"}"\n    include ='
        ' ["registry.terraform.io/bbws/remote"]\n  }\n'
        "}\n"
    )
    return config


if __name__ == "__main__":
    sys.exit(serve() if sys.argv[1:] == ["serve"] else 2)
