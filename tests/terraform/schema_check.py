"""Check a Terraform root module against the hashicorp/aws provider schema, offline.

`terraform validate` needs the provider binary, which cannot be downloaded here. The same schema
ships inside PyPI `cdktf-cdktf-provider-aws` (a jsii tarball): per resource type, `lib/<type>/index.js`
names the Terraform type and, in `synthesizeHclAttributes()`, every argument and whether it is a
block; the `.jsii` assembly marks each config property optional or required. This tool reads both
and checks, for every resource, data source and provider block of the configuration (parsed with
python-hcl2):

* the type exists in the provider;
* every argument and nested block (static or `dynamic`) is known where it is used, and blocks are
  written as blocks, arguments as arguments;
* every required argument and required nested block is set (a `dynamic` block counts as set).

It does not check types or values of expressions (Terraform would, with the provider).

Usage: schema_check.py TERRAFORM_DIR [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import tarfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import hcl2

PACKAGE = "cdktf_cdktf_provider_aws"
PROVIDER = "aws"
# Types Terraform itself provides (no provider schema to check against).
BUILTIN_RESOURCES = {"terraform_data"}
BUILTIN_DATA_SOURCES = {"terraform_remote_state"}
RESOURCE_META = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
DATA_META = {"count", "for_each", "provider", "depends_on", "lifecycle"}
PROVIDER_META = {"alias"}
DYNAMIC_ARGS = {"for_each", "iterator", "labels", "content"}

_TYPE_RE = re.compile(r'^(\w+)\.tfResourceType = "([^"]+)";', re.M)
# One entry of a `const attrs = {...}` map in the *ToHclTerraform converters.
_ATTR_RE = re.compile(r"^ {8,}(\w+): \{\n\s+value: (.*?),\n\s+isBlock: (true|false),", re.M | re.S)
_CAMEL_RE = re.compile(r"(?:this\._|struct!?\.)(\w+)(?:\.internalValue)?\)")
_BLOCK_FN_RE = re.compile(r"(?<![.\w])(\w+)ToHclTerraform\b")


class SchemaError(Exception):
    """The provider schema could not be found or read."""


@dataclass
class Block:
    """Arguments (name -> required) and nested blocks (name -> (required, Block)) of one block type."""

    attributes: dict[str, bool] = field(default_factory=dict)
    blocks: dict[str, tuple[bool, Block]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "attributes": self.attributes,
            "blocks": {name: [required, block.to_json()] for name, (required, block) in self.blocks.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        return cls(
            attributes=dict(data["attributes"]),
            blocks={name: (required, cls.from_json(block)) for name, (required, block) in data["blocks"].items()},
        )


@dataclass
class Schema:
    """Provider schema: version, provider block, resource types and data source types."""

    version: str
    provider: Block
    resources: dict[str, Block]
    data_sources: dict[str, Block]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "provider": self.provider.to_json(),
            "resources": {name: block.to_json() for name, block in self.resources.items()},
            "data_sources": {name: block.to_json() for name, block in self.data_sources.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schema:
        return cls(
            version=data["version"],
            provider=Block.from_json(data["provider"]),
            resources={name: Block.from_json(block) for name, block in data["resources"].items()},
            data_sources={name: Block.from_json(block) for name, block in data["data_sources"].items()},
        )


################################################################################
# Reading the schema from the jsii tarball
################################################################################


def find_tarball() -> Path:
    """Locate the jsii tarball of the installed cdktf-cdktf-provider-aws without importing it (that starts node)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SchemaError(f"Python package {PACKAGE} is not installed (pip install cdktf-cdktf-provider-aws)")
    for location in spec.submodule_search_locations:
        found = sorted(Path(location, "_jsii").glob("provider-aws@*.jsii.tgz"))
        if found:
            return found[-1]
    raise SchemaError(f"No _jsii/provider-aws@*.jsii.tgz inside the installed {PACKAGE}")


def _attrs_section(js: str, start: int) -> str:
    """Text of the `const attrs = {...};` map that begins at or after `start`."""
    begin = js.index("const attrs = {", start)
    if js.startswith("const attrs = {};", begin):
        return ""
    indent = begin - js.rindex("\n", 0, begin) - 1
    return js[begin : js.index("\n" + " " * indent + "};", begin)]


def _parse_attrs(section: str) -> list[tuple[str, str | None, str | None]]:
    """(terraform name, camelCase property name, converter function of a nested block or None)."""
    entries = []
    for name, value, is_block in _ATTR_RE.findall(section):
        camel = _CAMEL_RE.search(value)
        block_fn = _BLOCK_FN_RE.search(value) if is_block == "true" else None
        entries.append((name, camel.group(1) if camel else None, block_fn.group(1) if block_fn else None))
    return entries


def _build_block(
    js: str,
    entries: list[tuple[str, str | None, str | None]],
    optional: dict[str, bool],
    optional_of: dict[str, dict[str, bool]],
    seen: frozenset[str],
) -> Block:
    block = Block()
    for name, camel, block_fn in entries:
        required = camel is not None and optional.get(camel) is False
        if block_fn is None:
            block.attributes[name] = required
            continue
        struct = block_fn[0].upper() + block_fn[1:]
        if block_fn in seen:  # recursive types (e.g. WAF statements) end here: known name, contents unchecked
            block.blocks[name] = (required, Block())
            continue
        marker = f"function {block_fn}ToHclTerraform(struct) {{"
        nested_entries = _parse_attrs(_attrs_section(js, js.index(marker)))
        block.blocks[name] = (
            required,
            _build_block(js, nested_entries, optional_of.get(struct, {}), optional_of, seen | {block_fn}),
        )
    return block


def read_package(tarball: Path) -> tuple[dict[str, str], dict[str, dict[str, dict[str, bool]]], str]:
    """From the jsii tarball: each type's ``index.js`` source by directory, the ``optional`` flags of every struct
    (directory -> struct -> camelCase property -> optional), and the provider version the package describes."""
    sources: dict[str, str] = {}
    with tarfile.open(tarball) as tar:
        assembly = json.load(tar.extractfile("package/.jsii"))  # type: ignore[arg-type]
        package = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
        for member in tar.getmembers():
            parts = member.name.split("/")
            if len(parts) == 4 and parts[1] == "lib" and parts[3] == "index.js":
                sources[parts[2]] = tar.extractfile(member).read().decode()  # type: ignore[union-attr]
    optional_by_dir: dict[str, dict[str, dict[str, bool]]] = {}
    for jsii_type in assembly["types"].values():
        if jsii_type.get("kind") != "interface" or "properties" not in jsii_type:
            continue
        directory = jsii_type["locationInModule"]["filename"].split("/")[1]
        optional_by_dir.setdefault(directory, {})[jsii_type["name"]] = {
            prop["name"]: bool(prop.get("optional", False)) for prop in jsii_type["properties"]
        }
    version = package.get("cdktf", {}).get("provider", {}).get("version") or package["version"]
    return sources, optional_by_dir, version


def extract_schema(tarball: Path) -> Schema:
    """Build the schema of every resource, data source and the provider block from the jsii tarball."""
    sources, optional_by_dir, version = read_package(tarball)

    resources: dict[str, Block] = {}
    data_sources: dict[str, Block] = {}
    provider: Block | None = None
    for directory, js in sources.items():
        match = _TYPE_RE.search(js)
        if not match or "synthesizeHclAttributes() {" not in js:
            continue
        class_name, tf_type = match.groups()
        optional_of = optional_by_dir.get(directory, {})
        entries = _parse_attrs(_attrs_section(js, js.index("synthesizeHclAttributes() {")))
        block = _build_block(js, entries, optional_of.get(f"{class_name}Config", {}), optional_of, frozenset())
        if directory == "provider":
            provider = block
        elif directory.startswith("data-aws-"):
            data_sources[tf_type] = block
        else:
            resources[tf_type] = block
    if provider is None or not resources:
        raise SchemaError(f"{tarball} does not look like the cdktf AWS provider package")
    return Schema(version=version, provider=provider, resources=resources, data_sources=data_sources)


def load_schema(cache_dir: Path | None = None, tarball: Path | None = None) -> Schema:
    """The schema, from a JSON cache next to the build when present (extraction takes seconds)."""
    tarball = tarball or find_tarball()
    cache = cache_dir / f"{tarball.name}.schema.json" if cache_dir else None
    # The cache is stale when the package or this extractor is newer than it.
    newest_input = max(tarball.stat().st_mtime, Path(__file__).stat().st_mtime)
    if cache and cache.is_file() and cache.stat().st_mtime >= newest_input:
        return Schema.from_json(json.loads(cache.read_text()))
    schema = extract_schema(tarball)
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(schema.to_json()))
    return schema


################################################################################
# Checking a configuration
################################################################################


def _label(key: str) -> str:
    """python-hcl2 keeps the quotes of block labels."""
    return key.strip('"')


def _is_block_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and v.get("__is_block__") for v in value)


def check_body(body: dict[str, Any], schema: Block, where: str, meta: set[str] = frozenset()) -> list[str]:
    """Errors for one block body against its schema (recursing into nested and dynamic blocks)."""
    errors: list[str] = []
    present: set[str] = set()
    for key, value in body.items():
        if key.startswith("__") or key in meta:
            continue
        if key == "dynamic":
            for dynamic in value:
                for raw_name, spec in dynamic.items():
                    if raw_name.startswith("__"):
                        continue
                    name = _label(raw_name)
                    present.add(name)
                    errors.extend(_check_dynamic(name, spec, schema, where))
            continue
        present.add(key)
        if key in schema.attributes:
            if _is_block_list(value):
                errors.append(f"{where}: {key} is an argument; write {key} = ..., not a {key} {{ }} block")
        elif key in schema.blocks:
            if not _is_block_list(value):
                errors.append(f"{where}: {key} is a block; write {key} {{ ... }}, not {key} = ...")
                continue
            for index, nested in enumerate(value):
                errors.extend(check_body(nested, schema.blocks[key][1], f"{where}.{key}[{index}]"))
        else:
            errors.append(f"{where}: unsupported argument or block {key!r}")
    for name, required in schema.attributes.items():
        if required and name not in present:
            errors.append(f"{where}: required argument {name!r} is missing")
    for name, (required, _nested) in schema.blocks.items():
        if required and name not in present:
            errors.append(f"{where}: required block {name!r} is missing")
    return errors


def _check_dynamic(name: str, spec: dict[str, Any], schema: Block, where: str) -> list[str]:
    here = f"{where}.dynamic[{name}]"
    if name not in schema.blocks:
        return [f"{here}: {name!r} is not a nested block of this type"]
    errors = [
        f"{here}: unsupported argument {key!r} in dynamic block"
        for key in spec
        if not key.startswith("__") and key not in DYNAMIC_ARGS
    ]
    if "for_each" not in spec:
        errors.append(f"{here}: for_each is missing")
    contents = spec.get("content")
    if not _is_block_list(contents):
        return errors + [f"{here}: content block is missing"]
    for content in contents:
        errors.extend(check_body(content, schema.blocks[name][1], f"{here}.content"))
    return errors


@dataclass
class Report:
    """Result of checking one configuration directory."""

    errors: list[str] = field(default_factory=list)
    resources: int = 0
    data_sources: int = 0
    types: set[str] = field(default_factory=set)


def check_config(directory: Path, schema: Schema) -> Report:
    """Check every *.tf file of one module directory."""
    report = Report()
    files = sorted(directory.glob("*.tf"))
    if not files:
        report.errors.append(f"{directory}: no .tf files")
    for path in files:
        try:
            with path.open() as handle:
                document = hcl2.load(handle)
        except Exception as exc:  # python-hcl2 raises lark errors of several kinds
            report.errors.append(f"{path.name}: cannot parse: {exc}")
            continue
        for kind, types, builtins, meta in (
            ("resource", schema.resources, BUILTIN_RESOURCES, RESOURCE_META),
            ("data", schema.data_sources, BUILTIN_DATA_SOURCES, DATA_META),
        ):
            for entry in document.get(kind, []):
                for raw_type, instances in entry.items():
                    tf_type = _label(raw_type)
                    for raw_name, body in instances.items():
                        if raw_name.startswith("__"):
                            continue
                        where = f"{path.name}: {'data.' if kind == 'data' else ''}{tf_type}.{_label(raw_name)}"
                        if kind == "resource":
                            report.resources += 1
                        else:
                            report.data_sources += 1
                        if tf_type in builtins:
                            continue
                        if tf_type not in types:
                            report.errors.append(
                                f"{where}: unknown {kind} type {tf_type!r} in hashicorp/aws {schema.version}"
                            )
                            continue
                        report.types.add(tf_type)
                        report.errors.extend(check_body(body, types[tf_type], where, meta))
        for entry in document.get("provider", []):
            for raw_name, body in entry.items():
                if _label(raw_name) != PROVIDER:
                    report.errors.append(f"{path.name}: provider {_label(raw_name)!r} has no schema here")
                    continue
                report.errors.extend(
                    check_body(body, schema.provider, f"{path.name}: provider.{PROVIDER}", PROVIDER_META)
                )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("directory", type=Path, help="Terraform root module to check")
    parser.add_argument("--cache-dir", type=Path, help="where to keep the extracted schema between runs")
    args = parser.parse_args(argv)
    try:
        schema = load_schema(args.cache_dir)
    except (SchemaError, OSError, KeyError, ValueError) as exc:
        print(f"schema check: cannot read the provider schema: {exc}", file=sys.stderr)
        return 2
    report = check_config(args.directory, schema)
    for error in report.errors:
        print(f"ERROR {error}", file=sys.stderr)
    summary = (
        f"{report.resources} resources and {report.data_sources} data sources ({len(report.types)} types) "
        f"checked against hashicorp/aws {schema.version}"
    )
    if report.errors:
        print(f"schema check: {len(report.errors)} error(s); {summary}", file=sys.stderr)
        return 1
    print(f"schema check: OK, {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
