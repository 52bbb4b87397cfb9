"""An offline stand-in for the hashicorp/aws Terraform provider: real `terraform validate` and `plan` here.

For the tests and the emulated run (`-e bbws_local_emulator=true`), where the registry and AWS are out of
reach. Terraform lets a CLI config install a provider of our own for that address (`dev_overrides`); this
is one, speaking Terraform's plugin protocol 6 over gRPC
(messages from PyPI `tf`, go-plugin handshake with AutoMTLS). It serves the 6.25 schema rebuilt from
the pinned cdktf package (tools/offline_provider_schema.py), so Terraform itself checks the stack's
arguments, blocks, types, references and counts, and it plans as the real provider does where a plan
depends on the provider:

* computed attributes the configuration leaves null are unknown ("known after apply"), and so is `id`;
* `tags_all` is the provider's `default_tags` with the resource's `tags` merged over them;
* an ACM certificate's `domain_validation_options` hold one entry per domain name, the names known
  at plan time and the record names and values unknown;
* the data sources the stack reads are answered from the run: the caller's account is the one the
  provider block allows (or the one the profile's role lives in), availability zones are the region's,
  the adopted root zone is read from the AWS endpoint in `AWS_ENDPOINT_URL` (the emulator) when one is
  set, else given a deterministic id; `aws_iam_policy_document` is rendered locally to the JSON the
  real provider renders.

It also applies, into the local emulator only (an `AWS_ENDPOINT_URL` on 127.0.0.1): each resource type of
the stack is created, read back, updated and deleted there through boto3 with the run's profile, or kept in
Terraform's state only where the emulator cannot hold it (tools/offline_aws/, docs/offline_provider.md).
Against any other endpoint, apply, refresh and import are refused: they need the real provider. Nothing here
is used unless a run points `TF_CLI_CONFIG_FILE` at the config that `cli-config` prints; it never reaches
`.terraform.lock.hcl`.

Usage:
  offline_provider.py cli-config   build the schema if needed, write the CLI config, print its path
  offline_provider.py mirror-config  the same as a filesystem mirror (for a copy of the stack that has a state)
  offline_provider.py schema       print the path and size of the generated schema
  offline_provider.py resources    print how the emulator holds each resource type (docs/offline_provider.md)
  offline_provider.py serve        run as the plugin (Terraform starts it through the config)
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import platform
import sys
import threading
from concurrent import futures
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from typing import Any
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
# The hashicorp/aws version the stack pins (terraform/versions.tf) and the schema describes.
PROVIDER_VERSION = "6.25.0"
BUILD = REPO / ".build" / "offline-provider"
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"

sys.path.insert(0, str(Path(__file__).resolve().parent))


################################################################################
# Values: cty msgpack with unknowns
################################################################################


class Unknown:
    """An unknown value ("known after apply")."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


def _ext_hook(code: int, data: bytes) -> Any:
    if code in (0, 12):  # 0: unknown; 12: refined unknown (prefix, not-null, ...): still unknown
        return UNKNOWN
    import msgpack

    return msgpack.ExtType(code, data)


def decode(dynamic_value: Any) -> Any:
    import msgpack

    if dynamic_value.msgpack:
        return msgpack.unpackb(dynamic_value.msgpack, raw=False, ext_hook=_ext_hook, strict_map_key=False)
    if dynamic_value.json:
        return json.loads(dynamic_value.json)
    return None


def encode(value: Any) -> Any:
    import msgpack

    from tf.gen import tfplugin_pb2 as pb

    def default(obj: Any) -> Any:
        if obj is UNKNOWN:
            return msgpack.ExtType(0, b"\x00")
        raise TypeError(f"cannot encode {obj!r}")

    return pb.DynamicValue(msgpack=msgpack.packb(value, default=default, use_bin_type=True))


################################################################################
# Schema
################################################################################


def schema_file() -> Path:
    import offline_provider_schema

    return offline_provider_schema.cached(BUILD)


@functools.cache
def load_schema() -> dict[str, Any]:
    """The JSON schema, read once per process and only when a call needs it (plans, data sources)."""
    return json.loads(schema_file().read_text())


def _type_bytes(cty: Any) -> bytes:
    return json.dumps(cty, separators=(",", ":")).encode()


# Arguments the real provider computes when the configuration leaves them out (Optional+Computed there). The
# schema package cannot tell them from plain optional ones, so the ones plans and scanners read are listed;
# every other optional argument is served as optional only (null stays null, as the real provider leaves it).
OPTIONAL_COMPUTED_EVERYWHERE = {"id", "tags_all", "region"}
OPTIONAL_COMPUTED = {
    "aws_iam_role": {"managed_policy_arns"},
    # Referenced by other resources while the configuration leaves them to AWS (the port, a name_prefix's name).
    "aws_db_instance": {"port"},
    "aws_db_parameter_group": {"name"},
}


def _block_pb(block: dict[str, Any], also_computed: set[str] | None = frozenset()) -> Any:
    """A block's protobuf schema; also_computed None serves every optional argument as optional+computed."""
    from tf.gen import tfplugin_pb2 as pb

    nesting = {
        "single": pb.Schema.NestedBlock.SINGLE,
        "list": pb.Schema.NestedBlock.LIST,
        "set": pb.Schema.NestedBlock.SET,
    }
    attributes = []
    for name, spec in sorted(block["attributes"].items()):
        optional = bool(spec.get("optional"))
        attributes.append(
            pb.Schema.Attribute(
                name=name,
                type=_type_bytes(spec["type"]),
                required=bool(spec.get("required")),
                optional=optional,
                computed=bool(spec.get("computed")) or (optional and (also_computed is None or name in also_computed)),
            )
        )
    block_types = [
        pb.Schema.NestedBlock(
            type_name=name,
            nesting=nesting[spec["nesting_mode"]],
            min_items=spec.get("min_items", 0),
            max_items=spec.get("max_items", 0),
            block=_block_pb(spec["block"], None if also_computed is None else frozenset()),
        )
        for name, spec in sorted(block["block_types"].items())
    ]
    return pb.Schema.Block(attributes=attributes, block_types=block_types)


def schema_response_bytes() -> bytes:
    """GetProviderSchema's answer, serialized once and cached next to the JSON schema."""
    json_path = schema_file()
    cache = json_path.with_suffix(".pb")
    newest_input = max(json_path.stat().st_mtime, Path(__file__).stat().st_mtime)
    if cache.is_file() and cache.stat().st_mtime >= newest_input:
        return cache.read_bytes()
    schema = load_schema()
    from tf.gen import tfplugin_pb2 as pb

    response = pb.GetProviderSchema.Response(
        provider=pb.Schema(block=_block_pb(schema["provider"]["block"])),
        resource_schemas={
            name: pb.Schema(block=_block_pb(s["block"], _optional_computed(name)))
            for name, s in schema["resources"].items()
        },
        data_source_schemas={
            # A data source answers its optional arguments too (a zone looked up by id returns its name).
            name: pb.Schema(block=_block_pb(s["block"], None)) for name, s in schema["data_sources"].items()
        },
        server_capabilities=pb.ServerCapabilities(plan_destroy=False, get_provider_schema_optional=False),
    )
    data = response.SerializeToString()
    tmp = cache.with_suffix(f".pb.{os.getpid()}.tmp")  # one per process: plans run side by side
    tmp.write_bytes(data)
    tmp.replace(cache)
    return data


################################################################################
# Planning
################################################################################


def _optional_computed(type_name: str) -> set[str]:
    return OPTIONAL_COMPUTED_EVERYWHERE | OPTIONAL_COMPUTED.get(type_name, set())


def _plan_block(
    block: dict[str, Any], proposed: dict[str, Any] | None, prior: dict[str, Any] | None, also: set[str] = frozenset()
) -> Any:
    """Planned value of one block: computed attributes left null become unknown (or keep the prior value)."""
    if proposed is None or proposed is UNKNOWN:
        return proposed
    planned = dict(proposed)
    for name, spec in block["attributes"].items():
        if planned.get(name) is not None:
            continue
        computed_only = spec.get("computed") and not spec.get("optional") and not spec.get("required")
        if computed_only or name in also:
            planned[name] = prior.get(name) if prior else UNKNOWN
    for name, spec in block["block_types"].items():
        value = planned.get(name)
        if value is None or value is UNKNOWN:
            continue
        if spec["nesting_mode"] == "single":
            planned[name] = _plan_block(spec["block"], value, None)
        else:
            planned[name] = [_plan_block(spec["block"], item, None) for item in value]
    return planned


def _merge_tags(default_tags: Any, tags: Any) -> Any:
    """tags_all: the resource's tags over the provider's default_tags (unknown when either map is)."""
    if default_tags is UNKNOWN or tags is UNKNOWN:
        return UNKNOWN
    return {**(default_tags or {}), **(tags or {})}


def _acm_validation_options(planned: dict[str, Any]) -> Any:
    domain = planned.get("domain_name")
    alternatives = planned.get("subject_alternative_names")
    if domain is UNKNOWN or alternatives is UNKNOWN or domain is None:
        return UNKNOWN
    if planned.get("validation_method") != "DNS":
        return []
    names = [domain] + [name for name in alternatives or [] if name != domain]
    return [
        {
            "domain_name": name,
            "resource_record_name": UNKNOWN,
            "resource_record_type": UNKNOWN,
            "resource_record_value": UNKNOWN,
        }
        for name in dict.fromkeys(names)
    ]


################################################################################
# Data sources
################################################################################

# Elastic Load Balancing's log-delivery accounts by region (AWS documentation, "Enable access logs for
# your Application Load Balancer"): what aws_elb_service_account answers without calling AWS.
ELB_SERVICE_ACCOUNTS = {
    "af-south-1": "098369216593",
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-central-1": "054676820928",
}
# AWS-managed CloudFront policies have the same ids in every account (AWS documentation).
MANAGED_CACHE_POLICIES = {
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "Managed-CachingOptimizedForUncompressedObjects": "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
}
MANAGED_ORIGIN_REQUEST_POLICIES = {
    "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
    "Managed-UserAgentRefererHeaders": "acba4595-bd28-49b8-b9fe-13317c0390fa",
}
# The managed CloudFront policies the stack looks up by name: data source -> (what it is, name -> id).
MANAGED_POLICIES = {
    "aws_cloudfront_cache_policy": ("CloudFront cache policy", MANAGED_CACHE_POLICIES),
    "aws_cloudfront_origin_request_policy": ("CloudFront origin request policy", MANAGED_ORIGIN_REQUEST_POLICIES),
}


def _placeholder(cty: Any) -> Any:
    """A known, empty value of a type (for data source attributes the stack does not read)."""
    if cty == "string":
        return ""
    if cty == "number":
        return 0
    if cty == "bool":
        return False
    if isinstance(cty, list) and cty[0] in ("list", "set"):
        return []
    if isinstance(cty, list) and cty[0] == "map":
        return {}
    if isinstance(cty, list) and cty[0] == "object":
        return {name: _placeholder(t) for name, t in cty[1].items()}
    return None


def _fill(block: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    filled = dict(value)
    for name, spec in block["attributes"].items():
        if filled.get(name) is None and spec.get("computed"):
            filled[name] = _placeholder(spec["type"])
    return filled


def _zone_id(zone_name: str) -> str:
    """af-south-1a -> afs1-az1: the shape of an AZ id (the real mapping differs per account)."""
    region, letter = zone_name[:-1], zone_name[-1]
    parts = region.split("-")
    return f"{parts[0]}{parts[1][0]}{parts[2]}-az{ord(letter) - ord('a') + 1}"


def _deterministic_id(prefix: str, *parts: str, length: int = 17) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest().upper()
    return prefix + digest[:length]


def _one_or_list(values: list[str]) -> Any:
    return values[0] if len(values) == 1 else values


def _statement_json(statement: dict[str, Any]) -> dict[str, Any]:
    """One statement as the real provider writes it (sets sorted descending, one value as a plain string)."""
    out: dict[str, Any] = {}
    if statement.get("sid"):
        out["Sid"] = statement["sid"]
    out["Effect"] = statement.get("effect") or "Allow"
    for key, name in (("actions", "Action"), ("not_actions", "NotAction"), ("resources", "Resource")):
        values = statement.get(key) or []
        if values:
            out[name] = _one_or_list(sorted(values, reverse=True))
    if statement.get("not_resources"):
        out["NotResource"] = _one_or_list(sorted(statement["not_resources"], reverse=True))
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = statement.get(key) or []
        if not principals:
            continue
        if len(principals) == 1 and principals[0]["type"] == "*" and principals[0]["identifiers"] == ["*"]:
            out[name] = "*"
            continue
        by_type: dict[str, list[str]] = {}
        for principal in principals:
            by_type.setdefault(principal["type"], []).extend(principal["identifiers"])
        out[name] = {kind: _one_or_list(sorted(ids, reverse=True)) for kind, ids in sorted(by_type.items())}
    conditions = statement.get("condition") or []
    if conditions:
        by_test: dict[str, dict[str, Any]] = {}
        for condition in conditions:
            values = condition["values"]
            by_test.setdefault(condition["test"], {})[condition["variable"]] = _one_or_list(list(values))
        out["Condition"] = {test: dict(sorted(variables.items())) for test, variables in sorted(by_test.items())}
    return out


def render_policy_document(config: dict[str, Any]) -> tuple[str, str]:
    """aws_iam_policy_document's `json` and `minified_json`."""
    statements: list[dict[str, Any]] = []
    for source in config.get("source_policy_documents") or []:
        statements.extend(json.loads(source).get("Statement", []))
    for statement in config.get("statement") or []:
        rendered = _statement_json(statement)
        sid = rendered.get("Sid")
        if sid and any(existing.get("Sid") == sid for existing in statements):
            statements = [rendered if existing.get("Sid") == sid else existing for existing in statements]
        else:
            statements.append(rendered)
    for override in config.get("override_policy_documents") or []:
        for statement in json.loads(override).get("Statement", []):
            sid = statement.get("Sid")
            if sid and any(existing.get("Sid") == sid for existing in statements):
                statements = [statement if existing.get("Sid") == sid else existing for existing in statements]
            else:
                statements.append(statement)
    document: dict[str, Any] = {"Version": config.get("version") or "2012-10-17"}
    if config.get("policy_id"):
        document["Id"] = config["policy_id"]
    document["Statement"] = statements
    return json.dumps(document, indent=2), json.dumps(document, separators=(",", ":"))


def _root_zone_id(name: str, private: bool) -> tuple[str | None, str | None]:
    """(zone id, error) of a hosted zone by name: from the AWS endpoint in AWS_ENDPOINT_URL, else a stand-in id."""
    name = name.rstrip(".")
    if not os.environ.get("AWS_ENDPOINT_URL"):
        return _deterministic_id("Z", "hosted-zone", name), None
    try:
        import boto3

        client = boto3.client("route53", region_name="us-east-1")
        for zone in client.list_hosted_zones_by_name(DNSName=name).get("HostedZones", []):
            if zone["Name"].rstrip(".") == name and zone.get("Config", {}).get("PrivateZone", False) == private:
                return zone["Id"].rsplit("/", 1)[-1], None
    except Exception:  # endpoint not reachable or no credentials: the stand-in id, as without an endpoint
        return _deterministic_id("Z", "hosted-zone", name), None
    return None, "no matching Route 53 Hosted Zone found"


################################################################################
# The provider service
################################################################################


################################################################################
# Apply: planned values completed with what the emulator computed
################################################################################


def known(value: Any) -> Any:
    """A planned value with its unknowns as None (what a handler may read)."""
    if value is UNKNOWN:
        return None
    if isinstance(value, dict):
        return {k: known(v) for k, v in value.items()}
    if isinstance(value, list):
        return [known(v) for v in value]
    return value


def _settle(cty: Any, value: Any, computed: Any) -> Any:
    """One attribute's final value: the planned one where known, else the computed one, else an empty one."""
    if value is UNKNOWN:
        return computed if computed is not None else _placeholder(cty)
    if isinstance(value, dict) and isinstance(cty, list) and cty[0] == "object":
        got = computed if isinstance(computed, dict) else {}
        return {k: _settle(cty[1].get(k), v, got.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(cty, list) and cty[0] in ("list", "set"):
        got = computed if isinstance(computed, list) else []
        return [_settle(cty[1], v, got[i] if i < len(got) else None) for i, v in enumerate(value)]
    return value


def complete(block: dict[str, Any], planned: dict[str, Any], computed: dict[str, Any]) -> dict[str, Any]:
    """The new state: every planned value kept (Terraform checks that), every unknown filled."""
    state = dict(planned)
    for name, spec in block["attributes"].items():
        state[name] = _settle(spec["type"], planned.get(name), computed.get(name))
    for name, spec in block["block_types"].items():
        value, got = planned.get(name), computed.get(name)
        if spec["nesting_mode"] == "single":
            if isinstance(value, dict):
                state[name] = complete(spec["block"], value, got if isinstance(got, dict) else {})
        elif isinstance(value, list):
            got = got if isinstance(got, list) else []
            state[name] = [
                complete(spec["block"], item, got[i] if i < len(got) and isinstance(got[i], dict) else {})
                for i, item in enumerate(value)
            ]
    return state


def conform(block: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """A state of the schema's shape (an imported one names only what the handler read)."""
    state = {name: value.get(name) for name in block["attributes"]}
    for name, spec in block["block_types"].items():
        item = value.get(name)
        if spec["nesting_mode"] == "single":
            state[name] = conform(spec["block"], item) if isinstance(item, dict) else None
        else:
            state[name] = [conform(spec["block"], i) for i in item or []]
    return state


def _requires_replace(type_name: str, prior: Any, planned: dict[str, Any]) -> list[str]:
    """The attributes whose planned change replaces the resource (the real provider's ForceNew)."""
    if not prior:
        return []
    import offline_aws

    offline_aws.load()
    handler = offline_aws.REGISTRY.get(type_name)
    names = handler.replace_on if handler else frozenset()
    return sorted(name for name in names if planned.get(name) is UNKNOWN or planned.get(name) != prior.get(name))


def _error_diag(type_name: str, error: Exception) -> Any:
    summary = getattr(error, "summary", None) or f"{type_name}: {error}"
    return _diag(summary, getattr(error, "detail", "") or "")


def _diag(summary: str, detail: str = "", error: bool = True) -> Any:
    from tf.gen import tfplugin_pb2 as pb

    return pb.Diagnostic(
        severity=pb.Diagnostic.ERROR if error else pb.Diagnostic.WARNING, summary=summary, detail=detail
    )


def _account_from_profile(profile: str | None) -> str | None:
    """The account of a profile's role_arn in the AWS config file (the emulator's profiles assume roles)."""
    import configparser

    profile = profile or os.environ.get("AWS_PROFILE")
    config_file = os.environ.get("AWS_CONFIG_FILE", str(Path.home() / ".aws" / "config"))
    if not profile or not Path(config_file).is_file():
        return None
    parser = configparser.ConfigParser()
    parser.read(config_file)
    section = "default" if profile == "default" else f"profile {profile}"
    role_arn = parser.get(section, "role_arn", fallback="")
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def make_servicer(schema_bytes: bytes) -> Any:
    from tf.gen import tfplugin_pb2 as pb
    from tf.gen import tfplugin_pb2_grpc as rpc

    class Provider(rpc.ProviderServicer):
        def __init__(self) -> None:
            self.region = ""
            self.account: str | None = None
            self.default_tags: Any = {}
            self.profile: str | None = None
            self.allowed: list[str] = []
            self.forbidden: list[str] = []
            self.apis: dict[str, Any] = {}
            self.lock = threading.Lock()

        def GetMetadata(self, request: Any, context: Any) -> Any:
            schema = load_schema()
            return pb.GetMetadata.Response(
                server_capabilities=pb.ServerCapabilities(plan_destroy=False),
                resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in schema["resources"]],
                data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in schema["data_sources"]],
            )

        def GetProviderSchema(self, request: Any, context: Any) -> Any:
            return pb.GetProviderSchema.Response.FromString(schema_bytes)

        def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
            return pb.ValidateProviderConfig.Response()

        # Terraform core checks required arguments, types, nesting and min/max items against the served
        # schema before it calls these; the provider-side checks (enums, conflicts) are not in the package.
        def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
            return pb.ValidateResourceConfig.Response()

        def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
            return pb.ValidateDataResourceConfig.Response()

        def ConfigureProvider(self, request: Any, context: Any) -> Any:
            config = decode(request.config) or {}
            self.region = config.get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
            # The account the credentials land in, where the profile tells it (a role_arn); as the real
            # provider, refuse one that allowed_account_ids does not list or forbidden_account_ids does.
            profile = config.get("profile")
            self.profile = profile if isinstance(profile, str) and profile else os.environ.get("AWS_PROFILE")
            credentials_account = _account_from_profile(profile if isinstance(profile, str) else None)
            allowed = config.get("allowed_account_ids")
            allowed = [a for a in allowed if isinstance(a, str)] if isinstance(allowed, list) else []
            forbidden = config.get("forbidden_account_ids")
            forbidden = [a for a in forbidden if isinstance(a, str)] if isinstance(forbidden, list) else []
            self.account = credentials_account or (allowed[0] if len(allowed) == 1 else None)
            self.allowed, self.forbidden = allowed, forbidden
            if self.account and ((allowed and self.account not in allowed) or self.account in forbidden):
                return pb.ConfigureProvider.Response(
                    diagnostics=[_diag(f"AWS account ID not allowed: {self.account}", "")]
                )
            default_tags = config.get("default_tags") or []
            if default_tags is UNKNOWN:
                self.default_tags = UNKNOWN
            elif default_tags:
                self.default_tags = default_tags[0].get("tags") or {}
            diagnostics = []
            if not self.region:
                diagnostics.append(
                    _diag("Missing region", "The provider block sets no region and AWS_REGION is unset.")
                )
            return pb.ConfigureProvider.Response(diagnostics=diagnostics)

        def UpgradeResourceState(self, request: Any, context: Any) -> Any:
            return pb.UpgradeResourceState.Response(
                upgraded_state=pb.DynamicValue(json=request.raw_state.json or b"null")
            )

        def PlanResourceChange(self, request: Any, context: Any) -> Any:
            proposed = decode(request.proposed_new_state)
            if proposed is None:  # destroy
                return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
            prior = decode(request.prior_state)
            block = load_schema()["resources"][request.type_name]["block"]
            planned = _plan_block(block, proposed, prior, {"id"} | OPTIONAL_COMPUTED.get(request.type_name, set()))
            if "tags_all" in block["attributes"]:
                planned["tags_all"] = _merge_tags(self.default_tags, planned.get("tags"))
            if "region" in block["attributes"] and planned.get("region") is None:
                planned["region"] = self.region
            if request.type_name == "aws_acm_certificate" and prior is None:
                planned["domain_validation_options"] = _acm_validation_options(planned)
            return pb.PlanResourceChange.Response(
                planned_state=encode(planned),
                planned_private=request.prior_private,
                requires_replace=[
                    pb.AttributePath(steps=[pb.AttributePath.Step(attribute_name=name)])
                    for name in _requires_replace(request.type_name, prior, planned)
                ],
            )

        def _api(self, value: dict[str, Any] | None) -> Any:
            """The emulator's clients in the resource's region, once the credentials' account is allowed."""
            import offline_aws

            region = (value or {}).get("region") or self.region
            with self.lock:
                if region not in self.apis:
                    api = offline_aws.api_for(self.profile, region, self.account, self.default_tags)
                    # As the real provider: the account the credentials land in, not the one configured.
                    account = api.client("sts").get_caller_identity()["Account"]
                    if (self.allowed and account not in self.allowed) or account in self.forbidden:
                        raise offline_aws.ApplyError(f"AWS account ID not allowed: {account}")
                    api.account = account
                    self.apis[region] = api
                return self.apis[region]

        def ApplyResourceChange(self, request: Any, context: Any) -> Any:
            import offline_aws

            prior, planned = decode(request.prior_state), decode(request.planned_state)
            block = load_schema()["resources"][request.type_name]["block"]
            try:
                handler = offline_aws.handler_for(request.type_name)
                api = self._api(planned or prior)
                if planned is None:
                    handler.delete(api, prior)
                    new_state = None
                elif prior is None:
                    new_state = complete(block, planned, handler.create(api, known(planned)))
                else:
                    new_state = complete(block, planned, handler.update(api, prior, known(planned)))
            except Exception as error:  # a failed call is Terraform's error diagnostic, as the real provider's
                partial = getattr(error, "computed", None)
                kept = encode(complete(block, planned, partial)) if partial and prior is None and planned else None
                return pb.ApplyResourceChange.Response(
                    new_state=kept or request.prior_state, diagnostics=[_error_diag(request.type_name, error)]
                )
            return pb.ApplyResourceChange.Response(new_state=encode(new_state), private=request.planned_private)

        def ReadResource(self, request: Any, context: Any) -> Any:
            import offline_aws

            state = decode(request.current_state)
            if state is None:
                return pb.ReadResource.Response(new_state=request.current_state, private=request.private)
            try:
                handler = offline_aws.handler_for(request.type_name)
                refreshed = handler.read(self._api(state), state)
            except Exception as error:
                return pb.ReadResource.Response(
                    new_state=request.current_state, diagnostics=[_error_diag(request.type_name, error)]
                )
            return pb.ReadResource.Response(new_state=encode(refreshed), private=request.private)

        def ImportResourceState(self, request: Any, context: Any) -> Any:
            import offline_aws

            block = load_schema()["resources"][request.type_name]["block"]
            try:
                handler = offline_aws.handler_for(request.type_name)
                state = handler.import_state(self._api(None), request.id)
            except Exception as error:
                return pb.ImportResourceState.Response(diagnostics=[_error_diag(request.type_name, error)])
            if state is None:
                return pb.ImportResourceState.Response(
                    diagnostics=[_diag("Cannot import non-existent remote object", f"{request.type_name} {request.id}")]
                )
            return pb.ImportResourceState.Response(
                imported_resources=[
                    pb.ImportResourceState.ImportedResource(
                        type_name=request.type_name, state=encode(conform(block, state))
                    )
                ]
            )

        def ReadDataSource(self, request: Any, context: Any) -> Any:
            name = request.type_name
            config = decode(request.config) or {}
            block = load_schema()["data_sources"][name]["block"]
            region = config.get("region") or self.region
            account = self.account
            state = dict(config)
            if name == "aws_caller_identity":
                if not account:
                    return pb.ReadDataSource.Response(
                        diagnostics=[
                            _diag(
                                "Cannot tell the caller's account offline",
                                "Set allowed_account_ids to one account in the provider block, or a profile whose "
                                "role_arn names the account.",
                            )
                        ]
                    )
                state.update(id=account, account_id=account, arn=f"arn:aws:iam::{account}:root", user_id=account)
            elif name == "aws_partition":
                state.update(id="aws", partition="aws", dns_suffix="amazonaws.com", reverse_dns_prefix="com.amazonaws")
            elif name == "aws_region":
                state.update(
                    id=region, name=region, region=region, endpoint=f"ec2.{region}.amazonaws.com", description=region
                )
            elif name == "aws_availability_zones":
                names = [f"{region}{suffix}" for suffix in "abc"]
                for item in config.get("filter") or []:
                    if item["name"] == "zone-name":
                        names = [n for n in names if n in item["values"]] or sorted(item["values"])
                names = [n for n in names if n not in (config.get("exclude_names") or [])]
                state.update(
                    id=region,
                    names=names,
                    zone_ids=[_zone_id(zone) for zone in names],
                    group_names=[region],
                )
            elif name == "aws_iam_policy_document":
                rendered, minified = render_policy_document(config)
                state.update(id=str(int(hashlib.sha256(rendered.encode()).hexdigest()[:8], 16)), json=rendered)
                if "minified_json" in block["attributes"]:
                    state["minified_json"] = minified
            elif name == "aws_route53_zone":
                zone_id, error = _root_zone_id(config.get("name") or "", bool(config.get("private_zone")))
                if error:
                    return pb.ReadDataSource.Response(diagnostics=[_diag(error, f"name: {config.get('name')}")])
                zone_name = (config.get("name") or "").rstrip(".")
                state.update(
                    id=zone_id,
                    zone_id=zone_id,
                    name=zone_name,
                    arn=f"arn:aws:route53:::hostedzone/{zone_id}",
                    name_servers=[f"ns-{i}.awsdns-offline.example" for i in range(4)],
                    private_zone=bool(config.get("private_zone")),
                )
            elif name in MANAGED_POLICIES:
                what, managed = MANAGED_POLICIES[name]
                policy_id = managed.get(config.get("name") or "") or config.get("id")
                if not policy_id:
                    return pb.ReadDataSource.Response(diagnostics=[_diag(f"no {what} {config.get('name')!r}")])
                state.update(id=policy_id)
            elif name == "aws_ec2_managed_prefix_list":
                list_name = config.get("name") or ""
                list_id = (
                    config.get("id") or _deterministic_id("pl-", "prefix-list", region, list_name, length=8).lower()
                )
                state.update(
                    id=list_id,
                    name=list_name,
                    arn=f"arn:aws:ec2:{region}:aws:prefix-list/{list_id}",
                    owner_id="AWS",
                    address_family="IPv4",
                    max_entries=55,
                )
            elif name == "aws_elb_service_account":
                elb_account = ELB_SERVICE_ACCOUNTS.get(region)
                if not elb_account:
                    return pb.ReadDataSource.Response(
                        diagnostics=[_diag(f"The offline provider does not know the ELB account of {region}")]
                    )
                state.update(id=elb_account, arn=f"arn:aws:iam::{elb_account}:root")
            else:
                return pb.ReadDataSource.Response(
                    diagnostics=[
                        _diag(
                            f"The offline hashicorp/aws provider does not answer data source {name}",
                            "Only the data sources the stack reads are answered; add this one to "
                            "tools/offline_provider.py with the values the real provider would return.",
                        )
                    ]
                )
            if "region" in block["attributes"] and state.get("region") is None:
                state["region"] = region
            return pb.ReadDataSource.Response(state=encode(_fill(block, state)))

        def StopProvider(self, request: Any, context: Any) -> Any:
            return pb.StopProvider.Response()

    return Provider()


def _server_credentials() -> tuple[bytes, Any]:
    """A fresh self-signed certificate for go-plugin's AutoMTLS (Terraform pins it from the handshake line)."""
    import grpc
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
    return cert.public_bytes(serialization.Encoding.DER), credentials


def serve_plugin(make: Callable[[], Any], max_workers: int = 8, timeout: float | None = None) -> int:
    """Serve the servicer ``make()`` returns as a Terraform provider plugin (protocol 6, gRPC over TLS on 127.0.0.1).

    Prints the go-plugin handshake line, then answers until Terraform asks the plugin to stop (or ``timeout`` seconds
    pass). The test providers of tests/ serve through this too."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print("This is a Terraform provider plugin: Terraform starts it, not a person.", file=sys.stderr)
        return 1
    import grpc

    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
    from tf.gen import tfplugin_pb2_grpc as rpc

    stopped = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=max_workers))
    rpc.add_ProviderServicer_to_server(make(), server)

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request: Any, context: Any) -> Any:
            stopped.set()
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request: Any, context: Any) -> Any:
            return iter([])

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)
    cert_der, credentials = _server_credentials()
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    cert_b64 = base64.b64encode(cert_der).decode().rstrip("=")
    print(f"1|6|tcp|127.0.0.1:{port}|grpc|{cert_b64}", flush=True)
    try:
        stopped.wait(timeout)
    except KeyboardInterrupt:
        pass
    server.stop(grace=0.2)
    return 0


def serve() -> int:
    return serve_plugin(lambda: make_servicer(schema_response_bytes()))


################################################################################
# CLI
################################################################################


def cli_config() -> Path:
    """Write the plugin launcher and a CLI config with dev_overrides for hashicorp/aws; return the config's path."""
    schema_response_bytes()
    bin_dir = BUILD / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    launcher = bin_dir / "terraform-provider-aws"
    _put(launcher, f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).resolve()}" serve "$@"\n', 0o755)
    config = BUILD / "terraformrc"
    _put(
        config,
        "# Installs the offline hashicorp/aws stand-in (tools/offline_provider.py); plans only, never applies.\n"
        "provider_installation {\n"
        "  dev_overrides {\n"
        f'    "hashicorp/aws" = "{bin_dir}"\n'
        "  }\n"
        "  direct {}\n"
        "}\n",
    )
    return config


def _put(path: Path, text: str, mode: int = 0o644) -> None:
    """Write ``text`` unless the file already holds it, by rename: plans running side by side (one per environment)
    call this while another one's Terraform executes the launcher, which must never be seen half written."""
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(text)
    tmp.chmod(mode)
    tmp.replace(path)


def mirror_config() -> Path:
    """A CLI config that installs the stand-in from a filesystem mirror; return the config's path.

    Development overrides are not consulted for providers that a state already holds resources of (init then asks
    the registry), so a run over an existing state needs the mirror. Init records the stand-in's hash in that
    working directory's lock file: use it only in a copy of the stack.
    """
    launcher = cli_config().parent / "bin" / "terraform-provider-aws"
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    target = BUILD / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / PROVIDER_VERSION / f"linux_{arch}"
    target.mkdir(parents=True, exist_ok=True)
    plugin = target / f"terraform-provider-aws_v{PROVIDER_VERSION}"
    _put(plugin, launcher.read_text(), 0o755)
    config = BUILD / "terraformrc-mirror"
    _put(
        config,
        "# Installs the offline hashicorp/aws stand-in (tools/offline_provider.py) from a filesystem mirror; plans"
        " only.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{BUILD / "mirror"}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "}\n",
    )
    return config


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "serve":
        return serve()
    if command == "cli-config":
        print(cli_config())
        return 0
    if command == "mirror-config":
        print(mirror_config())
        return 0
    if command == "resources":
        import offline_aws

        print(offline_aws.table(), end="")
        return 0
    if command == "schema":
        path = schema_file()
        print(f"{path} {path.stat().st_size} bytes")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
