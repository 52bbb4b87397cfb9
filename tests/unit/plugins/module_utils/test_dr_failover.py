"""The failover plan, its digest, the refusals and the bounded wait, without AWS."""

from __future__ import annotations

import copy
from unittest.mock import MagicMock

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import dr_failover as drf

NAMES = drf.stack_names("bbws", "prod", "eu-west-1")
PARAMS = {"primary_region": "af-south-1", "dr_region": "eu-west-1", "force": False, "wait_timeout": 30}


def state(members=None, behaviors=None, services=None, is_replica=True, primary_services=None, healthy=False):
    return {
        "primary": {
            "region": "af-south-1",
            "db_status": "available" if healthy else drf.UNREACHABLE,
            "alb_state": "active" if healthy else drf.UNREACHABLE,
            "cluster_status": "ACTIVE" if healthy else drf.UNREACHABLE,
            "services": primary_services,
            "healthy": healthy,
        },
        "dr": {
            "region": "eu-west-1",
            "db": {"id": "bbws-prod-mysql", "source": "arn:src", "is_replica": is_replica},
            "services": services if services is not None else {"banana": {"desired": 0, "tag": 2}},
        },
        "distribution": {
            "id": "E1",
            "etag": "ETAG1",
            "origin_group": {"id": NAMES["origin_group"], "members": members or ["bbws-prod-alb", NAMES["dr_origin"]]},
            "behaviors": behaviors if behaviors is not None else {"/wp-admin/*": "bbws-prod-alb"},
        },
    }


def test_names_follow_terraform():
    assert NAMES == {
        "name": "bbws-prod",
        "efs_token": "bbws-prod-efs",
        "db": "bbws-prod-mysql",
        "cluster": "bbws-prod-cluster",
        "alb": "bbws-prod-alb",
        "distribution_comment": "bbws-prod",
        "origin_group": "bbws-prod-failover",
        "primary_origin": "bbws-prod-alb",
        "dr_origin": "bbws-prod-alb-eu-west-1",
    }


def test_failover_plan_order_database_services_then_traffic():
    actions = drf.plan_failover(state(), NAMES, {})
    assert [a["action"] for a in actions] == [
        "promote_read_replica",
        "scale_service",
        "set_behavior_origin",
        "set_origin_group_primary",
    ]
    assert actions[1]["to"] == 2 and actions[1]["source"] == "tag bbws:dr-desired-count"
    assert actions[3]["to"] == [NAMES["dr_origin"], "bbws-prod-alb"]


def test_completed_failover_plans_nothing():
    done = state(
        members=[NAMES["dr_origin"], "bbws-prod-alb"],
        behaviors={"/wp-admin/*": NAMES["dr_origin"]},
        services={"banana": {"desired": 2, "tag": 2}},
        is_replica=False,
    )
    assert drf.plan_failover(done, NAMES, {}) == []
    assert drf.plan_failback(state(), NAMES) == []  # nothing served from DR


@pytest.mark.parametrize(
    "counts,primary,tag,expected",
    [
        ({"banana": 5}, {"banana": 3}, 2, (5, "desired_counts")),
        ({}, {"banana": 3}, 2, (3, "primary service")),
        ({}, None, 2, (2, "tag bbws:dr-desired-count")),
        ({}, {"other": 1}, None, (None, "")),
    ],
)
def test_failover_count_precedence(counts, primary, tag, expected):
    assert drf.failover_count("banana", {"desired": 0, "tag": tag}, primary, counts) == expected


def test_unknown_count_stops_the_plan():
    with pytest.raises(drf.FailoverError, match="desired_counts"):
        drf.plan_failover(state(services={"banana": {"desired": 0, "tag": None}}), NAMES, {})


def test_digest_is_canonical_and_covers_actions_and_state():
    one = state()
    actions = drf.plan_failover(one, NAMES, {})
    digest = drf.plan_digest("failover", actions, one)
    reordered = dict(reversed(list(copy.deepcopy(one).items())))
    assert drf.plan_digest("failover", actions, reordered) == digest
    other = copy.deepcopy(one)
    other["distribution"]["etag"] = "ETAG2"
    assert drf.plan_digest("failover", actions, other) != digest
    assert drf.plan_digest("failback", actions, one) != digest


def test_digested_state_leaves_out_volatile_parts():
    one = state()
    one["primary"]["errors"] = {"db": "EndpointConnectionError: request id 1"}
    one["distribution"]["status"] = "InProgress"
    two = copy.deepcopy(one)
    two["primary"]["errors"] = {"db": "EndpointConnectionError: request id 2"}
    two["distribution"]["status"] = "Deployed"
    assert drf.digested_state(one) == drf.digested_state(two)
    assert "errors" in one["primary"]  # the returned state keeps them


def test_refusals():
    assert "force=true" in drf.refusal("failover", state(healthy=True), PARAMS, NAMES)
    assert drf.refusal("failover", state(healthy=True), {**PARAMS, "force": True}, NAMES) is None
    assert drf.refusal("failover", state(), PARAMS, NAMES) is None
    assert "Refusing to fail back" in drf.refusal("failback", state(), {**PARAMS, "force": True}, NAMES)
    assert drf.refusal("failback", state(healthy=True), PARAMS, NAMES) is None


def test_promotion_wait_is_bounded_and_says_what_was_done():
    rds = MagicMock()
    rds.promote_read_replica.return_value = {"DBInstance": {"DBInstanceArn": "arn:db", "DBInstanceStatus": "modifying"}}
    rds.describe_db_instances.return_value = {"DBInstances": [{"DBInstanceStatus": "modifying"}]}
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    executor = drf.Executor(lambda service, region: rds, PARAMS, NAMES, "d" * 64, sleep=sleep, clock=lambda: now[0])
    action = {"action": "promote_read_replica", "target": "eu-west-1:bbws-prod-mysql", "from": "x", "to": "standalone"}
    with pytest.raises(drf.FailoverError, match="still modifying after 30s") as failure:
        executor.run([action])
    assert failure.value.extra["changed"] is True
    assert sleeps == [10, 10, 10]
    rds.add_tags_to_resource.assert_called_once()


def test_promotion_wait_ends_when_available():
    rds = MagicMock()
    rds.promote_read_replica.return_value = {"DBInstance": {"DBInstanceArn": "arn:db", "DBInstanceStatus": "modifying"}}
    rds.describe_db_instances.side_effect = [
        {"DBInstances": [{"DBInstanceStatus": "modifying"}]},
        {"DBInstances": [{"DBInstanceStatus": "available"}]},
    ]
    now = [0.0]
    executor = drf.Executor(
        lambda service, region: rds,
        PARAMS,
        NAMES,
        "d" * 64,
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
    )
    action = {"action": "promote_read_replica", "target": "eu-west-1:bbws-prod-mysql", "from": "x", "to": "standalone"}
    executor.run([action])
    assert executor.executed[0]["result"] == {
        "status": "available",
        "statuses": ["modifying", "available"],
        "waited": 10,
    }


def client_error(code: str) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": code}}, "Describe")


def test_an_unreachable_primary_counts_as_down_but_a_denied_read_fails_the_run():
    from botocore.exceptions import EndpointConnectionError

    down = MagicMock()
    down.describe_db_instances.side_effect = EndpointConnectionError(endpoint_url="https://rds.af-south-1")
    down.describe_load_balancers.side_effect = EndpointConnectionError(endpoint_url="https://elb.af-south-1")
    down.describe_clusters.side_effect = client_error("ServerException")
    down.get_paginator.side_effect = EndpointConnectionError(endpoint_url="https://ecs.af-south-1")
    primary = drf.read_primary(lambda service, region: down, NAMES, "af-south-1")
    assert primary["healthy"] is False and primary["services"] is None
    assert primary["db_status"] == primary["alb_state"] == primary["cluster_status"] == drf.UNREACHABLE
    assert set(primary["errors"]) == {"db", "alb", "cluster", "services"}

    denied = MagicMock()
    denied.describe_db_instances.side_effect = client_error("AccessDenied")
    with pytest.raises(Exception, match="AccessDenied"):
        drf.read_primary(lambda service, region: denied, NAMES, "af-south-1")


@pytest.mark.parametrize(
    ("errors", "mode"), [({}, "ALL_CONFIGURATIONS"), ({"db": "unreachable"}, "LOCAL_CONFIGURATION_ONLY")]
)
def test_a_replicated_dr_file_system_is_made_writable_after_the_promotion_and_before_traffic(errors, mode):
    """Only the DR side of the replication can be deleted while the primary region does not answer."""
    current = state()
    current["dr"]["efs"] = {"id": "fs-dr", "replicated_from": "fs-primary"}
    current["primary"]["errors"] = errors
    actions = drf.plan_failover(current, NAMES, {})
    assert [a["action"] for a in actions][:3] == ["promote_read_replica", "delete_efs_replication", "scale_service"]
    assert actions[1] == {
        "action": "delete_efs_replication",
        "target": "eu-west-1:fs-dr",
        "from": "replica of fs-primary",
        "to": "writable",
        "source": "fs-primary",
        "mode": mode,
    }
    current["dr"]["efs"]["replicated_from"] = None
    assert "delete_efs_replication" not in [a["action"] for a in drf.plan_failover(current, NAMES, {})]
