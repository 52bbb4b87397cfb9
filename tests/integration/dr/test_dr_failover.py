"""dr_failover against the emulator: refusal, plan without approval, approved failover, idempotence, wrong digest,
failback, check mode."""

from __future__ import annotations

import json

import pytest
from dr_standby import DR_ORIGIN
from dr_standby import HEALTH_PATH
from dr_standby import PRIMARY_ORIGIN
from dr_standby import WRITE_PATHS

from ansible_collections.bbws.ecs_cluster.plugins.modules import dr_failover

pytestmark = pytest.mark.emulator

FORCE = {"force": True, "force_reason": "DR drill"}


def untouched(standby) -> None:
    """The scenario as built: replica not promoted, DR file system replicated, DR services at 0, CloudFront on the
    primary."""
    db = standby.dr_db()
    assert not any(t["Key"] == "bbws:dr-promoted" for t in db.get("TagList", []))
    assert db["ReadReplicaSourceDBInstanceIdentifier"].endswith(":db:bbws-prod-mysql")
    assert standby.dr_file_system_replicated()
    assert set(standby.dr_desired().values()) == {0}
    assert standby.group_members() == [PRIMARY_ORIGIN, DR_ORIGIN]
    assert set(standby.behavior_targets().values()) == {PRIMARY_ORIGIN}


def test_failover_is_refused_while_the_primary_is_healthy(standby, module_runner, failover_args):
    result = module_runner(dr_failover, failover_args())
    assert result.failed
    assert "looks healthy" in result["msg"] and "force=true" in result["msg"] and "force_reason" in result["msg"]
    assert "Nothing was changed" in result["msg"]
    assert result["primary_healthy"] is True and result["actions"]  # the plan it refused is shown
    untouched(standby)


def test_forced_failover_without_approval_returns_the_plan_and_changes_nothing(standby, module_runner, failover_args):
    result = module_runner(dr_failover, failover_args(**FORCE))
    assert not result.failed, result["msg"]
    assert result["changed"] is False and result["would_change"] is True and result["approved"] is False
    assert len(result["digest"]) == 64 and result["digest"] in result["message"]
    assert [a["action"] for a in result["actions"]] == [
        "promote_read_replica",
        "delete_efs_replication",
        "scale_service",
        *["set_behavior_origin"] * len(WRITE_PATHS),
        "set_origin_group_primary",
    ]
    assert result["actions"][1]["mode"] == "ALL_CONFIGURATIONS"
    scale = result["actions"][2]
    assert scale == {
        "action": "scale_service",
        "target": "eu-west-1:bbws-prod-cluster/banana",
        "from": 0,
        "to": 2,
        "source": "primary service",
    }
    assert result["actions"][-1]["to"] == [DR_ORIGIN, PRIMARY_ORIGIN]
    assert sum(result["api_calls"].values()) < 25
    assert "not-a-secret-1" not in json.dumps(result)
    untouched(standby)


def test_approved_failover_promotes_scales_and_moves_traffic_then_plans_nothing(standby, module_runner, failover_args):
    plan = module_runner(dr_failover, failover_args(**FORCE))
    result = module_runner(dr_failover, failover_args(approved_digest=plan["digest"], **FORCE))
    assert not result.failed, result["msg"]
    assert result["changed"] is True and result["approved"] is True
    assert result["forced"] == {"reason": "DR drill"}
    assert [a["action"] for a in result["executed"]] == [a["action"] for a in plan["actions"]]
    assert result["executed"][0]["result"]["status"] == "available"
    # The DR file system is made writable before traffic moves (the primary answers: both sides are deleted).
    assert plan["actions"][1]["action"] == "delete_efs_replication"
    assert result["executed"][1]["result"] == {"deletion_mode": "ALL_CONFIGURATIONS"}
    assert not standby.dr_file_system_replicated()

    db = standby.dr_db()
    assert db["DBInstanceStatus"] == "available"
    assert any(t["Key"] == "bbws:dr-promoted" and plan["digest"][:16] in t["Value"] for t in db["TagList"])
    assert standby.dr_desired() == {"banana": 2}
    assert standby.group_members() == [DR_ORIGIN, PRIMARY_ORIGIN]
    targets = standby.behavior_targets()
    assert targets.pop(HEALTH_PATH) == PRIMARY_ORIGIN  # the health check keeps watching the primary
    assert set(targets.values()) == {DR_ORIGIN}
    assert result["post_state"]["dr"]["db"]["is_replica"] is False
    assert result["post_state"]["distribution"]["origin_group"]["members"][0] == DR_ORIGIN
    assert any("mysqldump" in step for step in result["next_steps"])

    again = module_runner(dr_failover, failover_args(**FORCE))
    assert not again.failed and again["changed"] is False and again["actions"] == []
    unforced = module_runner(dr_failover, failover_args())  # nothing to do: no refusal either
    assert not unforced.failed and unforced["actions"] == []


def test_a_digest_of_another_state_is_refused_and_nothing_is_done(standby, module_runner, failover_args):
    plan = module_runner(dr_failover, failover_args(**FORCE))
    standby.client("ecs", "eu-west-1").update_service(cluster="bbws-prod-cluster", service="banana", desiredCount=1)
    result = module_runner(dr_failover, failover_args(approved_digest=plan["digest"], **FORCE))
    assert result.failed
    assert "state changed since approval" in result["msg"] and "Nothing was done" in result["msg"]
    assert result["digest"] != plan["digest"] and result["executed"] == []
    assert standby.dr_desired() == {"banana": 1}
    assert standby.group_members() == [PRIMARY_ORIGIN, DR_ORIGIN]
    assert not any(t["Key"] == "bbws:dr-promoted" for t in standby.dr_db().get("TagList", []))

    wrong = module_runner(dr_failover, failover_args(approved_digest="0" * 64, **FORCE))
    assert wrong.failed and "Nothing was done" in wrong["msg"]


def test_failover_needs_no_force_when_the_primary_database_is_down(standby, module_runner, failover_args):
    standby.stop_primary_db()
    plan = module_runner(dr_failover, failover_args())
    assert not plan.failed, plan["msg"]
    assert plan["primary_healthy"] is False and plan["state"]["primary"]["db_status"] == "stopped"
    result = module_runner(dr_failover, failover_args(approved_digest=plan["digest"]))
    assert result["changed"] is True and "forced" not in result


def test_check_mode_with_the_approved_digest_reports_changed_and_touches_nothing(standby, module_runner, failover_args):
    plan = module_runner(dr_failover, failover_args(**FORCE))
    result = module_runner(
        dr_failover, failover_args(approved_digest=plan["digest"], _ansible_check_mode=True, **FORCE)
    )
    assert not result.failed and result["changed"] is True and result["executed"] == []
    untouched(standby)


def test_desired_counts_override_the_primary(standby, module_runner, failover_args):
    result = module_runner(dr_failover, failover_args(desired_counts={"banana": 5}, **FORCE))
    [scale] = [a for a in result["actions"] if a["action"] == "scale_service"]
    assert scale["to"] == 5 and scale["source"] == "desired_counts"


def test_failback_reverses_the_traffic_and_scales_the_dr_services_to_zero(standby, module_runner, failover_args):
    plan = module_runner(dr_failover, failover_args(**FORCE))
    module_runner(dr_failover, failover_args(approved_digest=plan["digest"], **FORCE))

    back = module_runner(dr_failover, failover_args("failback"))
    assert not back.failed, back["msg"]
    assert back["changed"] is False and back["would_change"] is True
    assert [a["action"] for a in back["actions"]] == [
        *["set_behavior_origin"] * len(WRITE_PATHS),
        "set_origin_group_primary",
        "scale_service",
    ]
    assert any("re-creates the read replica" in step for step in back["next_steps"])
    done = module_runner(dr_failover, failover_args("failback", approved_digest=back["digest"]))
    assert not done.failed, done["msg"]
    assert done["changed"] is True
    assert standby.group_members() == [PRIMARY_ORIGIN, DR_ORIGIN]
    assert set(standby.behavior_targets().values()) == {PRIMARY_ORIGIN}
    assert standby.dr_desired() == {"banana": 0}

    again = module_runner(dr_failover, failover_args("failback"))
    assert not again.failed and again["changed"] is False and again["actions"] == []
    assert "Nothing to fail back" in again["message"]


def test_failback_with_nothing_served_from_dr_is_a_no_op(standby, module_runner, failover_args):
    result = module_runner(dr_failover, failover_args("failback"))
    assert not result.failed and result["changed"] is False and result["actions"] == []
    untouched(standby)


def test_failback_is_refused_while_the_primary_database_is_not_available(standby, module_runner, failover_args):
    standby.stop_primary_db()
    plan = module_runner(dr_failover, failover_args())
    module_runner(dr_failover, failover_args(approved_digest=plan["digest"]))
    result = module_runner(dr_failover, failover_args("failback", **FORCE))
    assert result.failed and "Refusing to fail back" in result["msg"] and "stopped" in result["msg"]
    assert standby.group_members() == [DR_ORIGIN, PRIMARY_ORIGIN]


def test_credentials_of_another_account_are_refused_before_any_read(standby, module_runner, failover_args):
    result = module_runner(dr_failover, failover_args(expected_account_id="536580886816"))
    assert result.failed and "Account ID mismatch" in result["msg"]
    assert set(result["api_calls"]) == {"sts.GetCallerIdentity"}


@pytest.mark.parametrize("reason", ["omitted", None, "", "   "])
def test_force_without_a_reason_is_refused(standby, module_runner, failover_args, reason):
    """Also an empty or null reason: the playbook passes a missing bbws_failover_force_reason as null."""
    extra = {} if reason == "omitted" else {"force_reason": reason}
    result = module_runner(dr_failover, failover_args(force=True, **extra))
    assert result.failed and "force_reason is missing" in result["msg"]
    assert result["api_calls"] == {}
    untouched(standby)
