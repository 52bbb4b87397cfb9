"""Drift details read from a JSON plan's resource_drift: attribute paths, sensitive masks, the next apply."""

from __future__ import annotations

import json

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import MASK
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import PlanSummary
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.terraform_models import changed_attributes


def test_nested_maps_are_compared_member_by_member_and_lists_whole():
    before = {"tags": {"Owner": "a", "Team": "x"}, "ports": [80, 443], "name": "n"}
    after = {"tags": {"Owner": "b", "Team": "x", "New": "y"}, "ports": [443], "name": "n"}
    assert changed_attributes(before, after) == [
        {"attribute": "ports", "before": [80, 443], "after": [443], "sensitive": False},
        {"attribute": "tags.New", "before": None, "after": "y", "sensitive": False},
        {"attribute": "tags.Owner", "before": "a", "after": "b", "sensitive": False},
    ]


def test_a_value_sensitive_on_either_side_or_inside_is_masked():
    before = {"password": "old-secret", "env": [{"name": "A", "value": "s1"}], "token": "t1"}
    after = {"password": "new-secret", "env": [{"name": "A", "value": "s2"}], "token": "t2"}
    found = changed_attributes(
        before, after, {"password": True, "env": [{"value": True}]}, {"token": True, "env": [{"value": True}]}
    )
    assert [a["attribute"] for a in found] == ["env", "password", "token"]
    assert all(a["before"] == MASK and a["after"] == MASK and a["sensitive"] for a in found)
    assert "secret" not in json.dumps(found) and "s1" not in json.dumps(found)


def test_a_sensitive_parent_masks_its_members():
    found = changed_attributes({"cfg": {"k": "v1"}}, {"cfg": {"k": "v2"}}, {"cfg": True}, {})
    assert found == [{"attribute": "cfg.k", "before": MASK, "after": MASK, "sensitive": True}]


def test_drift_is_paired_with_the_planned_action():
    plan = {
        "resource_drift": [
            {
                "address": "aws_security_group.alb",
                "mode": "managed",
                "type": "aws_security_group",
                "change": {
                    "actions": ["update"],
                    "before": {"id": "sg-1", "description": "a"},
                    "after": {"id": "sg-1", "description": "b"},
                    "before_sensitive": {},
                    "after_sensitive": {},
                },
            },
            {
                "address": 'aws_efs_access_point.t["x"]',
                "mode": "managed",
                "type": "aws_efs_access_point",
                "change": {"actions": ["delete"], "before": {"id": "fsap-1"}, "after": None},
            },
            {
                "address": "data.aws_caller_identity.c",
                "mode": "data",
                "type": "aws_caller_identity",
                "change": {"actions": ["update"], "before": {}, "after": {}},
            },
        ],
        "resource_changes": [
            {
                "address": "aws_security_group.alb",
                "type": "aws_security_group",
                "change": {"actions": ["delete", "create"], "before": {"id": "sg-1"}},
            },
            {
                "address": 'aws_efs_access_point.t["x"]',
                "type": "aws_efs_access_point",
                "change": {"actions": ["create"], "before": None},
            },
        ],
    }
    drift = PlanSummary.from_json(plan).drift
    assert [(d["address"], d["drift"], d["next_apply"]) for d in drift] == [
        ("aws_security_group.alb", "update", "replace"),
        ('aws_efs_access_point.t["x"]', "delete", "create"),
    ]
    assert drift[0]["identifier"] == "sg-1" and drift[1]["changed_attributes"] == []


def test_a_secret_copied_into_an_unmarked_attribute_is_masked_there_too():
    plan = {
        "resource_changes": [
            {
                "address": "aws_db_instance.this",
                "type": "aws_db_instance",
                "change": {
                    "actions": ["no-op"],
                    "before": {"password": "s3cr3t-value"},
                    "after": {"password": "s3cr3t-value"},
                    "before_sensitive": {"password": True},
                    "after_sensitive": {"password": True},
                },
            },
        ],
        "resource_drift": [
            {
                "address": "aws_ssm_parameter.note",
                "mode": "managed",
                "type": "aws_ssm_parameter",
                "change": {
                    "actions": ["update"],
                    "before": {"value": "old", "tags": {}},
                    "after": {"value": "s3cr3t-value", "tags": {}},
                    "before_sensitive": {},
                    "after_sensitive": {},
                },
            },
        ],
    }
    [drift] = PlanSummary.from_json(plan).drift
    assert drift["changed_attributes"] == [{"attribute": "value", "before": "old", "after": MASK, "sensitive": True}]
    assert "s3cr3t" not in json.dumps(drift)
