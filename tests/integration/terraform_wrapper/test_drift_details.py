"""Drift details from real Terraform: objects changed outside Terraform, read back by terraform_plan.

The objects live in a JSON file behind a minimal real provider (remote_provider.py: no provider that runs here
reports drift otherwise); Terraform itself refreshes, computes ``resource_drift`` and plans.
"""

from __future__ import annotations

import json
import shutil

import pytest
import remote_provider
from tf_paths import FIXTURES
from tf_paths import TERRAFORM

from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_apply
from ansible_collections.bbws.ecs_cluster.plugins.modules import terraform_plan

pytestmark = pytest.mark.slow
SECRET = "fixture-pw-drift-"
ROTATED = "rotated-outside-terraform-"


@pytest.fixture
def drifting(tmp_path, monkeypatch):
    project = tmp_path / "drifting"
    shutil.copytree(FIXTURES / "drifting", project)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(remote_provider.cli_config(tmp_path / "provider")))
    store = tmp_path / "remote.json"
    varfile = tmp_path / "vars.json"
    varfile.write_text(json.dumps({"store": str(store)}))
    return project, store, varfile


def _plan(run, project, varfile, tmp_path, name, **extra):
    return run(
        terraform_plan,
        {
            "project_path": str(project),
            "plan_file": str(tmp_path / "plans" / f"{name}.tfplan"),
            "variables_file": str(varfile),
            "binary_path": str(TERRAFORM),
            **extra,
        },
    )


def _change_outside_terraform(store):
    objects = json.loads(store.read_text())
    for key, obj in list(objects.items()):
        if obj["name"] == "app":
            obj.update(size="large", password=ROTATED + "1")
            obj["tags"]["Owner"] = "someone-else"
        elif obj["name"] == "cache":
            del objects[key]
        elif obj["name"] == "worker":
            obj["size"] = "big"
    store.write_text(json.dumps(objects))


def test_drift_lists_changed_attributes_masked_secrets_and_next_apply(module_runner, drifting, tmp_path):
    project, store, varfile = drifting
    created = _plan(module_runner, project, varfile, tmp_path, "create")
    assert not created.failed, created
    assert created["summary"]["drift"] == []  # nothing exists yet: nothing can have drifted
    applied = module_runner(
        terraform_apply,
        {
            "project_path": str(project),
            "plan_file": created["plan_file"],
            "expected_digest": created["digest"],
            "binary_path": str(TERRAFORM),
        },
    )
    assert not applied.failed, applied
    settled = _plan(module_runner, project, varfile, tmp_path, "settled", _ansible_check_mode=True)
    assert not settled.failed, settled
    assert settled["changed"] is False and settled["summary"]["drift"] == []

    _change_outside_terraform(store)
    result = _plan(module_runner, project, varfile, tmp_path, "drifted", _ansible_check_mode=True)
    assert not result.failed, result
    drift = {d["address"]: d for d in result["summary"]["drift"]}
    assert set(drift) == {"remote_object.app", "remote_object.cache", "remote_object.worker"}

    app = drift["remote_object.app"]
    assert app["type"] == "remote_object" and app["drift"] == "update" and app["next_apply"] == "update"
    assert app["identifier"].startswith("obj-")
    assert {a["attribute"]: (a["before"], a["after"]) for a in app["changed_attributes"]} == {
        "size": ("small", "large"),
        "tags.Owner": ("platform", "someone-else"),
        "password": ("(sensitive value)", "(sensitive value)"),  # the provider marks it sensitive: changed, not shown
    }
    # Deleted outside Terraform: the next apply creates it again.
    assert drift["remote_object.cache"]["drift"] == "delete" and drift["remote_object.cache"]["next_apply"] == "create"
    # The configuration ignores size on the worker: the drift stays, the next apply does nothing to it.
    worker = drift["remote_object.worker"]
    assert worker["next_apply"] == "none"
    assert worker["changed_attributes"] == [
        {"attribute": "size", "before": "small", "after": "big", "sensitive": False}
    ]

    text = json.dumps(result)
    assert SECRET not in text and ROTATED not in text
    assert result["changed"] is True  # the next apply has work to do (update app, create cache)
