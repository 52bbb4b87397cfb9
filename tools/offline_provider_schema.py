"""The hashicorp/aws provider schema with types, rebuilt from the pinned cdktf-cdktf-provider-aws package.

`tests/terraform/schema_check.py` reads which arguments and blocks each type has and which are
required; this module reuses that reading and adds what a provider must serve to Terraform: the type
of every argument (`storageClassType` of the cdktf attribute map), the nesting of every block (list,
set or single; a list block without `listMapperHcl` holds at most one item) and the computed-only
attributes (getters of the resource class or of a block's OutputReference that are not arguments).

The result has the shape of `terraform providers schema -json` (`block.attributes` with a cty `type`,
`required`/`optional`/`computed`; `block.block_types` with `nesting_mode`, `min_items`, `max_items`).
Limits, from what the package carries: optional and optional+computed cannot be told apart (every
optional argument is served as optional+computed so a plan may fill it), there are no sensitive or
deprecated flags, no provider-side checks (ConflictsWith, enums) and no provider functions. The few
recursive block types (WAFv2 statements, QuickSight definitions) end in an empty block.
"""

from __future__ import annotations

import os
import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "terraform"))

from schema_check import _TYPE_RE  # noqa: E402
from schema_check import _attrs_section  # noqa: E402
from schema_check import find_tarball  # noqa: E402
from schema_check import read_package  # noqa: E402

# One entry of a `const attrs = {...}` map, with its kind and storage class.
_ENTRY_RE = re.compile(
    r"^ {8,}(\w+): \{\n\s+value: (.*?),\n\s+isBlock: (true|false),\n\s+type: \"(\w+)\",\n\s+storageClassType:"
    r" \"(\w+)\",",
    re.M | re.S,
)
_CAMEL_RE = re.compile(r"(?:this\._|struct!?\.)(\w+)(?:\.internalValue)?\)")
_BLOCK_FN_RE = re.compile(r"(?<![.\w])(\w+)ToHclTerraform\b")
_GETTER_RE = re.compile(r"^    get (\w+)\(\) \{\n\s+return (.*?);\n    \}", re.M)
_GET_ATTR_RE = re.compile(r"this\.get(\w+)Attribute\('(\w+)'\)")
_FIELD_RE = re.compile(r'this\._(\w+) = new (?:cdktf\.)?(\w+)\(this, "(\w+)"(?:, (true|false))?\);')

SIMPLE_TYPES = {
    "string": "string",
    "number": "number",
    "boolean": "bool",
    "any": "dynamic",
    "stringList": ["list", "string"],
    "numberList": ["list", "number"],
    "stringMap": ["map", "string"],
    "numberMap": ["map", "number"],
    "booleanMap": ["map", "bool"],
    "stringMapMap": ["map", ["map", "string"]],
    "stringListList": ["list", ["list", "string"]],
    "stringMapList": ["list", ["map", "string"]],
}
GETTER_TYPES = {
    "String": "string",
    "Number": "number",
    "Boolean": "bool",
    "List": ["list", "string"],
    "NumberList": ["list", "number"],
    "StringMap": ["map", "string"],
    "NumberMap": ["map", "number"],
    "BooleanMap": ["map", "bool"],
}
FIELD_MAP_TYPES = {
    "StringMap": ["map", "string"],
    "NumberMap": ["map", "number"],
    "BooleanMap": ["map", "bool"],
    "AnyMap": ["map", "dynamic"],
}


def _class_body(js: str, name: str) -> str:
    """Source text of `class NAME ...` up to its closing brace at column 0."""
    start = js.find(f"\nclass {name} ")
    if start < 0:
        return ""
    return js[start : js.index("\n}\n", start)]


def _has_dynamic(cty: Any) -> bool:
    return cty == "dynamic" or (isinstance(cty, list) and any(_has_dynamic(part) for part in cty[1:]))


def _computed_getters(js: str, body: str, known: set[str], in_set: bool, seen: frozenset[str]) -> dict[str, Any]:
    """Computed-only attributes of one class: getters that return a provider attribute and are no argument."""
    fields = {camel: (cls, tf_name, wraps_set) for camel, cls, tf_name, wraps_set in _FIELD_RE.findall(body)}
    found: dict[str, Any] = {}
    for camel, expression in _GETTER_RE.findall(body):
        if camel.endswith("Input") or camel in ("internalValue", "fqn"):
            continue
        attr = _GET_ATTR_RE.search(expression)
        if attr:
            kind, tf_name = attr.groups()
            cty = GETTER_TYPES.get(kind)
            if cty is None:
                continue
            if "Fn.tolist" in expression and isinstance(cty, list) and cty[0] == "list":
                cty = ["set", cty[1]]
        elif expression == f"this._{camel}" and camel in fields:
            cls, tf_name, wraps_set = fields[camel]
            if cls in FIELD_MAP_TYPES:
                cty = FIELD_MAP_TYPES[cls]
            elif cls.endswith("List") and cls[: -len("List")] + "OutputReference" in js and cls not in seen:
                element = _object_type(js, cls[: -len("List")] + "OutputReference", in_set, seen | {cls})
                if element is None:
                    continue
                cty = ["set" if wraps_set == "true" else "list", element]
            elif cls.endswith("OutputReference") and cls not in seen:
                element = _object_type(js, cls, in_set, seen | {cls})
                if element is None:
                    continue
                cty = element
            else:
                continue
        else:
            continue
        if tf_name in known or (in_set and _has_dynamic(cty)):
            continue
        found[tf_name] = cty
    return found


def _object_type(js: str, cls: str, in_set: bool, seen: frozenset[str]) -> Any:
    """cty object type of a computed nested object (the getters of its OutputReference class)."""
    attributes = _computed_getters(js, _class_body(js, cls), set(), in_set, seen)
    return ["object", attributes] if attributes else None


def _block(
    js: str,
    section: str,
    optional: dict[str, bool],
    optional_of: dict[str, dict[str, bool]],
    output_class: str | None,
    in_set: bool,
    seen: frozenset[str],
) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    block_types: dict[str, Any] = {}
    for name, value, is_block, kind, storage in _ENTRY_RE.findall(section):
        camel_match = _CAMEL_RE.search(value)
        camel = camel_match.group(1) if camel_match else None
        required = camel is not None and optional.get(camel) is False
        if is_block == "false":
            cty = SIMPLE_TYPES.get(storage)
            if cty is None:
                continue
            if kind == "set" and isinstance(cty, list) and cty[0] == "list":
                cty = ["set", cty[1]]
            if in_set and _has_dynamic(cty):
                continue  # Terraform rejects DynamicPseudoType inside set blocks
            attributes[name] = {"type": cty, "required": True} if required else {"type": cty, "optional": True}
            continue
        block_fn_match = _BLOCK_FN_RE.search(value)
        if block_fn_match is None:
            continue
        block_fn = block_fn_match.group(1)
        struct = block_fn[0].upper() + block_fn[1:]
        nesting = {"list": "list", "set": "set", "struct": "single"}.get(kind)
        if nesting is None:
            continue
        spec: dict[str, Any] = {"nesting_mode": nesting}
        if nesting == "list" and "listMapperHcl" not in value:
            spec["max_items"] = 1
        if required and nesting != "single":
            spec["min_items"] = 1
        if block_fn in seen:
            spec["block"] = {"attributes": {}, "block_types": {}}
        else:
            nested_section = _attrs_section(js, js.index(f"function {block_fn}ToHclTerraform(struct) {{"))
            spec["block"] = _block(
                js,
                nested_section,
                optional_of.get(struct, {}),
                optional_of,
                f"{struct}OutputReference",
                in_set or nesting == "set",
                seen | {block_fn},
            )
        block_types[name] = spec
    if output_class:
        body = _class_body(js, output_class)
        for name, cty in _computed_getters(js, body, set(attributes) | set(block_types), in_set, seen).items():
            attributes[name] = {"type": cty, "computed": True}
    return {"attributes": attributes, "block_types": block_types}


def build_schema(tarball: Path) -> dict[str, Any]:
    """Provider, resource and data source schemas of the package, in `providers schema -json` form."""
    sources, optional_by_dir, version = read_package(tarball)
    result: dict[str, Any] = {"version": version, "provider": None, "resources": {}, "data_sources": {}}
    for directory, js in sorted(sources.items()):
        match = _TYPE_RE.search(js)
        if not match or "synthesizeHclAttributes() {" not in js:
            continue
        class_name, tf_type = match.groups()
        optional_of = optional_by_dir.get(directory, {})
        section = _attrs_section(js, js.index("synthesizeHclAttributes() {"))
        is_provider = directory == "provider"
        block = _block(
            js,
            section,
            optional_of.get(f"{class_name}Config", {}),
            optional_of,
            None if is_provider else class_name,
            False,
            frozenset(),
        )
        if is_provider:
            result["provider"] = {"block": block}
        elif directory.startswith("data-aws-"):
            result["data_sources"][tf_type] = {"block": block}
        else:
            result["resources"][tf_type] = {"block": block}
    return result


def cached(cache_dir: Path) -> Path:
    """The schema's JSON file in cache_dir, built at first use (and again when the package or this file is newer)."""
    tarball = find_tarball()
    cache = cache_dir / f"{tarball.name}.provider-schema.json"
    newest_input = max(tarball.stat().st_mtime, Path(__file__).stat().st_mtime)
    if cache.is_file() and cache.stat().st_mtime >= newest_input:
        return cache
    schema = build_schema(tarball)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")  # one per process: plans run side by side
    tmp.write_text(json.dumps(schema, separators=(",", ":")))
    tmp.replace(cache)
    return cache


def load(cache_dir: Path) -> tuple[dict[str, Any], Path]:
    """The schema (see cached) and the path of its JSON file."""
    cache = cached(cache_dir)
    return json.loads(cache.read_text()), cache
