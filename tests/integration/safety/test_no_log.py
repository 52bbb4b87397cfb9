"""Every module option that carries a secret is declared no_log, so Ansible masks it in every output."""

from __future__ import annotations

import ast
import re

import pytest

from support import REPO

SECRET_NAME = re.compile(r"password|secret|token|private_key", re.IGNORECASE)
MODULES = sorted((REPO / "plugins" / "modules").glob("*.py"))


def options(path) -> dict[str, dict]:
    """name -> keywords of every ``name=dict(type=...)`` in the module (its argument spec)."""
    found = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.keyword)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") == "dict"
        ):
            keywords = {k.arg: k.value for k in node.value.keywords}
            if "type" in keywords:
                found[node.arg] = {k: getattr(v, "value", None) for k, v in keywords.items()}
    return found


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_secret_options_are_no_log(path):
    secret = {name: spec for name, spec in options(path).items() if SECRET_NAME.search(name)}
    assert all(spec.get("no_log") is True for spec in secret.values()), secret
