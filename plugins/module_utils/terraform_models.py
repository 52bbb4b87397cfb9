# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a Terraform plan, its outputs and its state say, read from Terraform's JSON.

Classification uses each resource change's ``actions`` list from ``terraform show -json``: that is
Terraform's own machine-readable answer, stable across versions, where the human text is not.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

MASK = "(sensitive value)"
IGNORED_ACTIONS = {"no-op", "read"}


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_marked(mask: Any) -> bool:
    """A sensitivity mask from Terraform's JSON is ``true`` where the whole value is sensitive."""
    return mask is True


def _any_marked(mask: Any) -> bool:
    """Whether a sensitivity mask marks the value or anything inside it."""
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_any_marked(item) for item in mask.values())
    if isinstance(mask, list):
        return any(_any_marked(item) for item in mask)
    return False


def _mask_at(mask: Any, key: Any) -> Any:
    """The sensitivity mask of one member (a marked parent marks every member)."""
    if mask is True:
        return True
    if isinstance(mask, dict):
        return mask.get(key)
    if isinstance(mask, list) and isinstance(key, int) and 0 <= key < len(mask):
        return mask[key]
    return None


def changed_attributes(
    before: Any, after: Any, before_sensitive: Any = None, after_sensitive: Any = None, path: str = ""
) -> list[dict[str, Any]]:
    """The attributes that differ between two objects of Terraform's JSON, as ``{attribute, before, after}``.

    Objects and maps are compared member by member (``tags.Owner``); lists and sets are compared whole.
    A value that either side marks sensitive, or that holds a sensitive member, is shown as the mask only,
    so a secret never leaves Terraform even when it is what changed.
    """
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[dict[str, Any]] = []
        for key in sorted(set(before) | set(after)):
            found.extend(
                changed_attributes(
                    before.get(key),
                    after.get(key),
                    _mask_at(before_sensitive, key),
                    _mask_at(after_sensitive, key),
                    f"{path}.{key}" if path else str(key),
                )
            )
        return found
    if _any_marked(before_sensitive) or _any_marked(after_sensitive):
        return [{"attribute": path, "before": MASK, "after": MASK, "sensitive": True}]
    return [{"attribute": path, "before": before, "after": after, "sensitive": False}]


@dataclass
class ResourceChange:
    address: str
    type: str
    actions: list[str]
    identifier: str | None = None

    @property
    def kind(self) -> str:
        """One of create, update, replace, delete or none (Terraform's actions list, summarised)."""
        actions = set(self.actions)
        if {"create", "delete"} <= actions:
            return "replace"
        for kind in ("create", "update", "delete"):
            if kind in actions:
                return kind
        return "none"

    @classmethod
    def from_json(cls, data: dict[str, Any], identifier_attributes: dict[str, str] | None = None) -> "ResourceChange":
        change = data.get("change") or {}
        before = change.get("before") if isinstance(change.get("before"), dict) else {}
        before_sensitive = change.get("before_sensitive") if isinstance(change.get("before_sensitive"), dict) else {}
        attribute = (identifier_attributes or {}).get(data.get("type", ""), "id")
        identifier = None
        for name in (attribute, "id"):
            value = before.get(name)
            # An identifier Terraform marks sensitive is never returned.
            if isinstance(value, (str, int)) and not _is_marked(before_sensitive.get(name)):
                identifier = str(value)
                break
        return cls(
            address=data.get("address", ""),
            type=data.get("type", ""),
            actions=list(change.get("actions") or []),
            identifier=identifier,
        )


@dataclass
class DriftedResource:
    """A resource whose real object differs from the state (``resource_drift``: changed outside Terraform)."""

    address: str
    type: str
    drift: str
    changed_attributes: list[dict[str, Any]]
    next_apply: str
    identifier: str | None = None

    @classmethod
    def from_json(
        cls, data: dict[str, Any], next_apply: dict[str, str], identifier_attributes: dict[str, str] | None = None
    ) -> "DriftedResource":
        change = data.get("change") or {}
        before, after = change.get("before"), change.get("after")
        # Terraform records drift as an update (the object changed) or a delete (the object is gone).
        drift = "delete" if after is None else "update"
        attributes = (
            changed_attributes(before, after, change.get("before_sensitive"), change.get("after_sensitive"))
            if isinstance(before, dict) and isinstance(after, dict)
            else []
        )
        address = data.get("address", "")
        return cls(
            address=address,
            type=data.get("type", ""),
            drift=drift,
            changed_attributes=attributes,
            # What the next apply does to it: the planned change's kind (none: the configuration accepts the drift).
            next_apply=next_apply.get(address, "none"),
            identifier=ResourceChange.from_json(data, identifier_attributes).identifier,
        )


@dataclass
class PlanSummary:
    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0
    resource_changes: list[dict[str, Any]] = field(default_factory=list)
    protected_changes: list[str] = field(default_factory=list)
    has_destroy: bool = False
    terraform_version: str = ""
    drift: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.change or self.destroy or self.replace)

    @classmethod
    def from_json(
        cls,
        plan: dict[str, Any],
        protected_resource_types: list[str] | None = None,
        identifier_attributes: dict[str, str] | None = None,
    ) -> "PlanSummary":
        protected = set(protected_resource_types or [])
        summary = cls(terraform_version=str(plan.get("terraform_version", "")))
        counters = {"create": "add", "update": "change", "delete": "destroy", "replace": "replace"}
        next_apply: dict[str, str] = {}
        for raw in plan.get("resource_changes") or []:
            if raw.get("mode", "managed") != "managed":
                continue  # data sources are read, never changed
            rc = ResourceChange.from_json(raw, identifier_attributes)
            next_apply[rc.address] = rc.kind
            if set(rc.actions) <= IGNORED_ACTIONS:
                continue
            kind = rc.kind
            if kind in counters:
                setattr(summary, counters[kind], getattr(summary, counters[kind]) + 1)
            entry = {"address": rc.address, "type": rc.type, "actions": rc.actions, "kind": kind}
            if rc.identifier is not None:
                entry["identifier"] = rc.identifier
            summary.resource_changes.append(entry)
            if "delete" in rc.actions:
                summary.has_destroy = True
                if rc.type in protected:
                    summary.protected_changes.append(rc.address)
        # A secret copied into an attribute nobody marked sensitive is masked there too.
        secrets = plan_secrets(plan)
        for raw in plan.get("resource_drift") or []:
            if raw.get("mode", "managed") != "managed":
                continue
            drifted = DriftedResource.from_json(raw, next_apply, identifier_attributes)
            for attribute in drifted.changed_attributes:
                for side in ("before", "after"):
                    scrubbed = _scrub(attribute[side], secrets)
                    if scrubbed != attribute[side]:
                        attribute[side], attribute["sensitive"] = scrubbed, True
            summary.drift.append({k: v for k, v in asdict(drifted).items() if v is not None})
        return summary

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def masked_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    """``terraform output -json`` as name -> value, with every sensitive value replaced by the mask."""
    return {name: MASK if item.get("sensitive") else item.get("value") for name, item in (outputs or {}).items()}


def _collect_strings(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        if value:
            found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect_strings(item, found)


def _value_at(value: Any, path: list[dict[str, Any]]) -> Any:
    for step in path:
        key = step.get("value")
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
        else:
            return None
    return value


def _scrub(value: Any, secrets: set[str]) -> Any:
    if isinstance(value, str):
        return MASK if value in secrets else value
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    return value


def _sensitive_strings(value: Any, mask: Any, found: set[str]) -> None:
    """Collect the strings of ``value`` that its sensitivity ``mask`` marks."""
    if mask is True:
        _collect_strings(value, found)
    elif isinstance(mask, dict) and isinstance(value, dict):
        for key, item in mask.items():
            _sensitive_strings(value.get(key), item, found)
    elif isinstance(mask, list) and isinstance(value, list):
        for item, sub in zip(value, mask):
            _sensitive_strings(item, sub, found)


def plan_secrets(plan: dict[str, Any]) -> set[str]:
    """Every string a JSON plan marks sensitive, in any resource's before or after (drifted or planned)."""
    found: set[str] = set()
    for raw in [*(plan.get("resource_changes") or []), *(plan.get("resource_drift") or [])]:
        change = raw.get("change") or {}
        _sensitive_strings(change.get("before"), change.get("before_sensitive"), found)
        _sensitive_strings(change.get("after"), change.get("after_sensitive"), found)
    return found


def redacted_state(state: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``terraform state pull`` output with every sensitive value masked.

    Sensitive values are the sensitive outputs and the attribute paths Terraform records in each
    instance's ``sensitive_attributes``; any other place in the state that repeats one of those
    strings (another resource copied it) is masked too. The restorable original stays in the
    versioned state bucket; this copy records what existed before the apply.
    """
    secrets: set[str] = set()
    for item in (state.get("outputs") or {}).values():
        if item.get("sensitive"):
            _collect_strings(item.get("value"), secrets)
    for resource in state.get("resources") or []:
        for instance in resource.get("instances") or []:
            attributes = instance.get("attributes") or {}
            for path in instance.get("sensitive_attributes") or []:
                steps = path if isinstance(path, list) else []
                value = _value_at(attributes, steps)
                if isinstance(value, dict) and "value" in value and "type" in value:
                    value = value["value"]
                _collect_strings(value, secrets)
                # The same path inside a dynamic {"value": ...} wrapper (terraform_data input/output).
                if steps:
                    wrapped = _value_at(attributes, [steps[0], {"value": "value"}, *steps[1:]])
                    _collect_strings(wrapped, secrets)
    return _scrub(state, secrets)
