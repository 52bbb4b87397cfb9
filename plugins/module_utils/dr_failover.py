# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failover to the warm standby in the DR region, and failback: read the state, plan, check the approval, execute.

The run never decides and acts in one step: it reads both regions and the distribution, computes an ordered action
plan and its digest (sha256 of the canonical JSON of the direction, the actions and the state they were computed
from), and executes only when it is given that same digest again. A digest computed from another state (anything
changed since the plan was approved) executes nothing.

Names come from ``project`` and ``environment`` by the one rule terraform/ uses (:func:`stack_names`): in both regions
the database is ``<project>-<environment>-mysql`` and the ECS cluster ``<project>-<environment>-cluster``, the ALB
``<project>-<environment>-alb``; the distribution's comment and Name tag are ``<project>-<environment>``, its origin
group ``<project>-<environment>-failover`` with the members ``<project>-<environment>-alb`` (the primary's ALB) and
``<project>-<environment>-alb-<dr_region>`` (the standby's).

Every function here takes the collection's client factory (``client(service, region)``), never the module.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import time
from typing import Any
from typing import Callable

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # reported by AnsibleAWSModule
    BotoCoreError = ClientError = ()

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import ClientFactory
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import paginate
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import DENIED_CODES
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import EXPIRED_CODES
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import error_code
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import has_code
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import read_replica_lag
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.dr_peer import stack_names

# Written on the standby's database when this module promotes it: when, and by which approved plan. AWS clears the
# replica's source on promotion; the tag is the record of who did it (and what tells a promoted instance from a
# replica where the source stays reported, as in the local emulator).
PROMOTED_TAG = "bbws:dr-promoted"
# On a DR service: the desired count it runs at after failover when the primary's service cannot be read.
DESIRED_COUNT_TAG = "bbws:dr-desired-count"
CLOUDFRONT_REGION = "us-east-1"
POLL_INTERVAL = 10
UNREACHABLE = "unreachable"
MISSING = "missing"


class FailoverError(Exception):
    """The run stops with ``msg``; ``extra`` are more keys of the failed result, ``error`` the AWS error behind it."""

    def __init__(self, msg: str, error: Exception | None = None, **extra: Any) -> None:
        super().__init__(msg)
        self.msg = msg
        self.error = error
        self.extra = extra


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def plan_digest(direction: str, actions: list[dict], state: dict) -> str:
    """sha256 of the canonical JSON of the plan: its direction, its actions and the state they were computed from."""
    return hashlib.sha256(
        canonical_json({"direction": direction, "actions": actions, "state": state}).encode()
    ).hexdigest()


# -- reading the state ------------------------------------------------------------------------------------------------


def tag_value(tags: list[dict] | None, key: str) -> str | None:
    for tag in tags or []:
        if tag.get("Key", tag.get("key")) == key:
            return tag.get("Value", tag.get("value"))
    return None


def read_db(rds: Any, identifier: str) -> dict[str, Any] | None:
    """The instance's status, replica source and promotion tag; None when it does not exist."""
    try:
        [db] = rds.describe_db_instances(aws_retry=True, DBInstanceIdentifier=identifier)["DBInstances"]
    except ClientError as e:
        if error_code(e) == "DBInstanceNotFound":
            return None
        raise
    promoted = tag_value(db.get("TagList"), PROMOTED_TAG) is not None
    source = db.get("ReadReplicaSourceDBInstanceIdentifier")
    return {
        "id": identifier,
        "arn": db["DBInstanceArn"],
        "status": db["DBInstanceStatus"],
        "source": source,
        "is_replica": bool(source) and not promoted,
        "promoted": promoted,
    }


def read_file_system(efs: Any, token: str) -> dict[str, Any] | None:
    """The DR file system (by its creation token) and the source it replicates from, if it is a replication's
    destination; None when there is none."""
    found = efs.describe_file_systems(aws_retry=True, CreationToken=token)["FileSystems"]
    if not found:
        return None
    fs_id = found[0]["FileSystemId"]
    try:
        replications = efs.describe_replication_configurations(aws_retry=True, FileSystemId=fs_id)["Replications"]
    except ClientError as e:
        if error_code(e) != "ReplicationNotFound":
            raise
        replications = []
    sources = [r["SourceFileSystemId"] for r in replications if r["SourceFileSystemId"] != fs_id]
    return {"id": fs_id, "replicated_from": sources[0] if sources else None}


def read_services(ecs: Any, cluster: str) -> dict[str, dict[str, Any]]:
    """service name -> desired count and the DR desired-count tag; {} when the cluster does not exist."""
    try:
        arns = paginate(ecs, "list_services", "serviceArns", cluster=cluster)
    except ClientError as e:
        if error_code(e) == "ClusterNotFoundException":
            return {}
        raise
    services: dict[str, dict[str, Any]] = {}
    for start in range(0, len(arns), 10):  # DescribeServices takes 10 at a time
        answer = ecs.describe_services(
            aws_retry=True, cluster=cluster, services=arns[start : start + 10], include=["TAGS"]
        )
        for service in answer["services"]:
            if service.get("status") == "INACTIVE":
                continue
            tagged = tag_value(service.get("tags"), DESIRED_COUNT_TAG)
            services[service["serviceName"]] = {
                "desired": service["desiredCount"],
                "tag": int(tagged) if tagged is not None and tagged.isdigit() else None,
            }
    return dict(sorted(services.items()))


def read_primary(make_client: ClientFactory, names: dict[str, str], region: str) -> dict[str, Any]:
    """The primary region as seen from here: each part that cannot be read (region down, API unreachable, an error
    of the service) is ``unreachable``. Only a denied or expired credential fails the run: it says nothing about the
    primary's health."""
    state: dict[str, Any] = {"region": region}

    def attempt(what: str, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except ClientError as e:
            # Credentials that may not read the primary say nothing about its health: never a reason to fail over.
            if has_code(e, DENIED_CODES | EXPIRED_CODES):
                raise
            state.setdefault("errors", {})[what] = f"{type(e).__name__}: {e}"
            return UNREACHABLE
        except BotoCoreError as e:
            state.setdefault("errors", {})[what] = f"{type(e).__name__}: {e}"
            return UNREACHABLE

    db = attempt("db", lambda: read_db(make_client("rds", region), names["db"]))
    state["db_status"] = db if isinstance(db, str) else (db or {}).get("status", MISSING)

    def alb_state() -> str:
        try:
            [alb] = make_client("elbv2", region).describe_load_balancers(aws_retry=True, Names=[names["alb"]])[
                "LoadBalancers"
            ]
        except ClientError as e:
            if error_code(e) == "LoadBalancerNotFound":
                return MISSING
            raise
        return alb["State"]["Code"]

    state["alb_state"] = attempt("alb", alb_state)

    def cluster_status() -> str:
        clusters = make_client("ecs", region).describe_clusters(aws_retry=True, clusters=[names["cluster"]])["clusters"]
        return clusters[0]["status"] if clusters else MISSING

    state["cluster_status"] = attempt("cluster", cluster_status)
    services = attempt("services", lambda: read_services(make_client("ecs", region), names["cluster"]))
    state["services"] = None if services == UNREACHABLE else {n: s["desired"] for n, s in services.items()}
    state["healthy"] = (
        state["db_status"] == "available" and state["alb_state"] == "active" and state["cluster_status"] == "ACTIVE"
    )
    return state


def find_distribution(cloudfront: Any, comment: str) -> dict[str, Any]:
    """The distribution terraform made for the stack: comment (and Name tag) ``<project>-<environment>``."""
    items = (paginate(cloudfront, "list_distributions", "DistributionList") or {}).get("Items") or []
    found = [d for d in items if d.get("Comment") == comment]
    if len(found) > 1:
        tagged = []
        for item in found:
            tags = cloudfront.list_tags_for_resource(aws_retry=True, Resource=item["ARN"])["Tags"].get("Items", [])
            if tag_value(tags, "Name") == comment:
                tagged.append(item)
        found = tagged
    if not found:
        raise FailoverError(
            f"No CloudFront distribution with comment {comment} in this account: the primary stack (dr_role primary) "
            "creates it with the origin group. Nothing was changed."
        )
    if len(found) > 1:
        raise FailoverError(
            f"More than one CloudFront distribution has comment and Name tag {comment}: "
            f"{', '.join(d['Id'] for d in found)}. Remove the stray one. Nothing was changed."
        )
    return found[0]


def read_distribution(cloudfront: Any, names: dict[str, str], health_check_path: str) -> dict[str, Any]:
    """The origin group's member order and the targets of the behaviours that reach an ALB directly."""
    item = find_distribution(cloudfront, names["distribution_comment"])
    answer = cloudfront.get_distribution_config(aws_retry=True, Id=item["Id"])
    config = answer["DistributionConfig"]
    groups = {g["Id"]: g for g in (config.get("OriginGroups") or {}).get("Items") or []}
    group = groups.get(names["origin_group"])
    if group is None:
        raise FailoverError(
            f"Distribution {item['Id']} has no origin group {names['origin_group']}: the primary stack is not built "
            "with dr_role primary, so there is no standby to fail over to. Nothing was changed."
        )
    members = [m["OriginId"] for m in group["Members"]["Items"]]
    if set(members) != {names["primary_origin"], names["dr_origin"]}:
        raise FailoverError(
            f"Origin group {names['origin_group']} of distribution {item['Id']} lists {', '.join(members)}, expected "
            f"{names['primary_origin']} and {names['dr_origin']} (is dr_region right?). Nothing was changed."
        )
    behaviors = {
        b["PathPattern"]: b["TargetOriginId"]
        for b in (config.get("CacheBehaviors") or {}).get("Items") or []
        if b["TargetOriginId"] in (names["primary_origin"], names["dr_origin"])
        and b["PathPattern"] != health_check_path
    }
    return {
        "id": item["Id"],
        "etag": answer["ETag"],
        "status": item.get("Status"),
        "origin_group": {"id": names["origin_group"], "members": members},
        "behaviors": dict(sorted(behaviors.items())),
    }


def read_state(
    make_client: ClientFactory, params: dict[str, Any], names: dict[str, str], include_primary: bool = True
) -> dict[str, Any]:
    """Everything the plan is computed from (digested), without the replica lag (reported beside it)."""
    dr_region = params["dr_region"]
    dr_db = read_db(make_client("rds", dr_region), names["db"])
    if dr_db is None:
        raise FailoverError(
            f"No standby database {names['db']} in {dr_region}: the DR stack (dr_role standby) is not built there. "
            "Nothing was changed."
        )
    state = {
        "dr": {
            "region": dr_region,
            "db": dr_db,
            "services": read_services(make_client("ecs", dr_region), names["cluster"]),
            "efs": read_file_system(make_client("efs", dr_region), names["efs_token"]),
        },
        "distribution": read_distribution(
            make_client("cloudfront", CLOUDFRONT_REGION), names, params["health_check_path"]
        ),
    }
    if include_primary:
        state["primary"] = read_primary(make_client, names, params["primary_region"])
    return state


# -- the plan ---------------------------------------------------------------------------------------------------------


def failover_count(
    service: str, current: dict[str, Any], primary_services: dict[str, int] | None, desired_counts: dict[str, int]
) -> tuple[int | None, str]:
    """The count a DR service runs at after failover, and where it came from. In this order: the module's
    desired_counts (an operator's explicit choice), the primary's service of the same name (when the primary
    region answers), the service's bbws:dr-desired-count tag."""
    if service in desired_counts:
        return int(desired_counts[service]), "desired_counts"
    if primary_services is not None and service in primary_services:
        return primary_services[service], "primary service"
    if current.get("tag") is not None:
        return current["tag"], f"tag {DESIRED_COUNT_TAG}"
    return None, ""


def distribution_actions(distribution: dict[str, Any], names: dict[str, str], to_dr: bool) -> list[dict[str, Any]]:
    """Point the origin group and the behaviours that reach an ALB directly (writes, wp-admin, PHP: CloudFront fails
    over only GET, HEAD and OPTIONS, so those behaviours bypass the group) at one region's ALB. The health path keeps
    the primary: the Route 53 health check must keep seeing the primary, to tell when it is back."""
    target, other = (
        (names["dr_origin"], names["primary_origin"]) if to_dr else (names["primary_origin"], names["dr_origin"])
    )
    dist_id = distribution["id"]
    actions = [
        {"action": "set_behavior_origin", "target": f"{dist_id}:{pattern}", "from": origin, "to": target}
        for pattern, origin in distribution["behaviors"].items()
        if origin == other
    ]
    members = distribution["origin_group"]["members"]
    if members[0] != target:
        actions.append(
            {
                "action": "set_origin_group_primary",
                "target": f"{dist_id}:{distribution['origin_group']['id']}",
                "from": members,
                "to": [target, other],
            }
        )
    return actions


def plan_failover(state: dict[str, Any], names: dict[str, str], desired_counts: dict[str, int]) -> list[dict]:
    """Promote the replica, start the DR services, then move the traffic: the database is writable before the services
    start, and the services run before CloudFront sends them requests."""
    dr = state["dr"]
    actions: list[dict[str, Any]] = []
    if dr["db"]["is_replica"]:
        actions.append(
            {
                "action": "promote_read_replica",
                "target": f"{dr['region']}:{dr['db']['id']}",
                "from": f"read replica of {dr['db']['source']}",
                "to": "standalone",
            }
        )
    efs = dr.get("efs")
    if efs and efs["replicated_from"]:
        # A replication's destination is read-only: uploads in the DR region need it writable before traffic moves.
        actions.append(
            {
                "action": "delete_efs_replication",
                "target": f"{dr['region']}:{efs['id']}",
                "from": f"replica of {efs['replicated_from']}",
                "to": "writable",
                "source": efs["replicated_from"],
                # The primary region not answering: only the DR side can be deleted (the other goes with the rebuild).
                "mode": "LOCAL_CONFIGURATION_ONLY" if state["primary"].get("errors") else "ALL_CONFIGURATIONS",
            }
        )
    unknown = []
    for service, current in dr["services"].items():
        count, source = failover_count(service, current, state["primary"]["services"], desired_counts)
        if count is None:
            unknown.append(service)
        elif count != current["desired"]:
            actions.append(
                {
                    "action": "scale_service",
                    "target": f"{dr['region']}:{names['cluster']}/{service}",
                    "from": current["desired"],
                    "to": count,
                    "source": source,
                }
            )
    if unknown:
        raise FailoverError(
            f"Cannot tell the desired count of DR service(s) {', '.join(unknown)}: the primary's services cannot be "
            f"read and the service has no {DESIRED_COUNT_TAG} tag. Give them with desired_counts "
            "(service: count) or tag the services. Nothing was changed."
        )
    return actions + distribution_actions(state["distribution"], names, to_dr=True)


def dr_serving(state: dict[str, Any], names: dict[str, str]) -> bool:
    """The DR side takes traffic or runs services: something to fail back."""
    distribution = state["distribution"]
    return (
        distribution["origin_group"]["members"][0] == names["dr_origin"]
        or names["dr_origin"] in distribution["behaviors"].values()
        or any(s["desired"] > 0 for s in state["dr"]["services"].values())
    )


def plan_failback(state: dict[str, Any], names: dict[str, str]) -> list[dict]:
    """Traffic back to the primary first, then the DR services to 0. The database is left as it is (see
    :func:`next_steps`): a promoted standby cannot become a replica again in place."""
    if not dr_serving(state, names):
        return []
    dr = state["dr"]
    actions = distribution_actions(state["distribution"], names, to_dr=False)
    actions += [
        {
            "action": "scale_service",
            "target": f"{dr['region']}:{names['cluster']}/{service}",
            "from": s["desired"],
            "to": 0,
        }
        for service, s in dr["services"].items()
        if s["desired"] > 0
    ]
    return actions


def refusal(direction: str, state: dict[str, Any], params: dict[str, Any], names: dict[str, str]) -> str | None:
    """Why this plan must not run (None: it may). A failover while the primary is healthy needs force; a failback
    needs the primary's database available (force does not change that: the traffic would reach a region without
    its database)."""
    primary = state["primary"]
    seen = (
        f"database {names['db']} {primary['db_status']}, ALB {names['alb']} {primary['alb_state']}, "
        f"ECS cluster {names['cluster']} {primary['cluster_status']}"
    )
    if direction == "failover" and primary["healthy"] and not params["force"]:
        return (
            f"Refusing to fail over: the primary in {primary['region']} looks healthy ({seen}). A failover promotes the"
            f" standby database in {params['dr_region']}, which then stops replicating and cannot be undone in place."
            " If it must happen anyway (for example a drill, or a failure these checks do not see), re-run with"
            " force=true and force_reason='<why>' (playbook: -e bbws_failover_force=true -e"
            " bbws_failover_force_reason='<why>'). Nothing was changed."
        )
    if direction == "failback" and primary["db_status"] != "available":
        return (
            f"Refusing to fail back: the primary's database {names['db']} in {primary['region']} is "
            f"{primary['db_status']}, so traffic sent back there would find no database ({seen}). Restore it first "
            f"(and copy the writes made in {params['dr_region']} to it), then re-run. Nothing was changed."
        )
    return None


def next_steps(direction: str, params: dict[str, Any], names: dict[str, str]) -> list[str]:
    """What the operator does after this run; the module does not do these."""
    primary, dr = params["primary_region"], params["dr_region"]
    if direction == "failover":
        return [
            (
                f"The database {names['db']} in {dr} is a standalone instance now; {primary}'s instance no longer"
                f" receives its writes. Before failing back, copy the writes made in {dr} to {primary} (for example"
                f" mysqldump from {dr} into {primary}'s instance) or they stay only in {dr}."
            ),
            f"When {primary} is healthy again: run playbooks/failback.yml.",
        ]
    return [
        (
            f"Failback does not touch the databases: the promoted instance {names['db']} in {dr} stays standalone and"
            f" is no standby any more. Writes made in {dr} during the failover are in {primary} only if they were"
            " copied before this failback."
        ),
        (
            f"Rebuild the standby: take a final snapshot of {names['db']} in {dr}, turn its deletion protection off and"
            f" delete it, then apply the DR stack (dr_role standby) in {dr}: Terraform re-creates the read replica of"
            f" {primary}'s instance."
        ),
        (
            f"EFS: the failover made {dr}'s file system writable by deleting its replication. Copy the files written in"
            f" {dr} during the failover back to {primary}'s file system before the standby is rebuilt: the DR stack's"
            " apply re-creates the replication, which overwrites the standby's file system with the primary's."
        ),
    ]


def digested_state(state: dict[str, Any]) -> dict[str, Any]:
    """The part of the state the digest covers: without the text of the primary's read errors (an error message can
    carry a request id that differs on every call) and without the distribution's deployment status."""
    digested = copy.deepcopy(state)
    digested.get("primary", {}).pop("errors", None)
    digested["distribution"].pop("status", None)
    return digested


# -- execution --------------------------------------------------------------------------------------------------------


class Executor:
    """Runs the approved actions in order; ``executed`` lists those done (with what each reported)."""

    def __init__(
        self,
        make_client: ClientFactory,
        params: dict[str, Any],
        names: dict[str, str],
        digest: str,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.make_client = make_client
        self.params = params
        self.names = names
        self.digest = digest
        self.sleep = sleep
        self.clock = clock
        self.executed: list[dict[str, Any]] = []

    def run(self, actions: list[dict[str, Any]]) -> None:
        distribution = [a for a in actions if a["action"] in ("set_behavior_origin", "set_origin_group_primary")]
        done_distribution = False
        for action in actions:
            if action in distribution:
                if not done_distribution:  # one UpdateDistribution for all of them, at the first one's place
                    self.update_distribution(distribution)
                    done_distribution = True
                continue
            if action["action"] == "promote_read_replica":
                self.promote(action)
            elif action["action"] == "scale_service":
                self.scale(action)
            elif action["action"] == "delete_efs_replication":
                self.end_replication(action)

    def promote(self, action: dict[str, Any]) -> None:
        region, identifier = action["target"].split(":", 1)
        rds = self.make_client("rds", region)
        answer = rds.promote_read_replica(DBInstanceIdentifier=identifier)["DBInstance"]
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        rds.add_tags_to_resource(
            aws_retry=True,
            ResourceName=answer["DBInstanceArn"],
            Tags=[{"Key": PROMOTED_TAG, "Value": f"{stamp} plan {self.digest[:16]}"}],
        )
        statuses = [answer["DBInstanceStatus"]]
        waited = self.wait_available(rds, identifier, statuses)
        self.executed.append({**action, "result": {"status": statuses[-1], "statuses": statuses, "waited": waited}})

    def wait_available(self, rds: Any, identifier: str, statuses: list[str]) -> int:
        """Bounded polling (every POLL_INTERVAL seconds, up to wait_timeout) until the promoted instance is available:
        a promotion passes through modifying/rebooting/backing-up, and the services must not start before it ends."""
        start = self.clock()
        timeout = self.params["wait_timeout"]
        while True:
            [db] = rds.describe_db_instances(aws_retry=True, DBInstanceIdentifier=identifier)["DBInstances"]
            if db["DBInstanceStatus"] != statuses[-1]:
                statuses.append(db["DBInstanceStatus"])
            elapsed = int(self.clock() - start)
            if db["DBInstanceStatus"] == "available":
                return elapsed
            if elapsed >= timeout:
                raise FailoverError(
                    f"The promotion of {identifier} was accepted but the instance is still {db['DBInstanceStatus']} "
                    f"after {elapsed}s (wait_timeout {timeout}). It completes on its own; re-run the plan when it is "
                    "available (the promotion is not repeated) and approve the remaining actions.",
                    changed=True,
                    executed=self.executed,
                )
            self.sleep(min(POLL_INTERVAL, max(1, timeout - elapsed)))

    def end_replication(self, action: dict[str, Any]) -> None:
        """Delete the replication from the DR side (EFS accepts it from the destination's region). With the primary
        region down only the local side can be deleted (LOCAL_CONFIGURATION_ONLY); the primary's side goes when the
        standby is rebuilt."""
        region = action["target"].split(":", 1)[0]
        self.make_client("efs", region).delete_replication_configuration(
            aws_retry=True, SourceFileSystemId=action["source"], DeletionMode=action["mode"]
        )
        self.executed.append({**action, "result": {"deletion_mode": action["mode"]}})

    def scale(self, action: dict[str, Any]) -> None:
        region, path = action["target"].split(":", 1)
        cluster, service = path.split("/", 1)
        answer = self.make_client("ecs", region).update_service(
            aws_retry=True, cluster=cluster, service=service, desiredCount=action["to"]
        )["service"]
        self.executed.append({**action, "result": {"desired": answer["desiredCount"]}})

    def update_distribution(self, actions: list[dict[str, Any]]) -> None:
        """One UpdateDistribution (If-Match the ETag read now) for every distribution action; refuses when the
        distribution no longer matches the plan's ``from`` values."""
        cloudfront = self.make_client("cloudfront", CLOUDFRONT_REGION)
        dist_id = actions[0]["target"].split(":", 1)[0]
        answer = cloudfront.get_distribution_config(aws_retry=True, Id=dist_id)
        config = answer["DistributionConfig"]
        behaviors = {b["PathPattern"]: b for b in (config.get("CacheBehaviors") or {}).get("Items") or []}
        groups = {g["Id"]: g for g in (config.get("OriginGroups") or {}).get("Items") or []}
        for action in actions:
            key = action["target"].split(":", 1)[1]
            if action["action"] == "set_behavior_origin":
                current = behaviors[key]["TargetOriginId"]
                if current != action["from"]:
                    raise self.changed_since(action, current)
                behaviors[key]["TargetOriginId"] = action["to"]
            else:
                members = groups[key]["Members"]["Items"]
                current = [m["OriginId"] for m in members]
                if current != action["from"]:
                    raise self.changed_since(action, current)
                groups[key]["Members"]["Items"] = [{"OriginId": origin} for origin in action["to"]]
        updated = cloudfront.update_distribution(
            aws_retry=True, Id=dist_id, IfMatch=answer["ETag"], DistributionConfig=config
        )["Distribution"]
        for action in actions:
            self.executed.append({**action, "result": {"distribution_status": updated.get("Status")}})

    def changed_since(self, action: dict[str, Any], current: Any) -> FailoverError:
        return FailoverError(
            f"{action['target']} is {current}, not {action['from']} as planned: the distribution changed during the "
            "run. Re-run to plan again.",
            changed=bool(self.executed),
            executed=self.executed,
        )


# -- the run ----------------------------------------------------------------------------------------------------------


def run(
    make_client: ClientFactory,
    params: dict[str, Any],
    check_mode: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """One run: read, plan, refuse or return the plan, or (approved) execute and read the state again."""
    direction = params["direction"]
    names = stack_names(params["project"], params["environment"], params["dr_region"])
    state = read_state(make_client, params, names)
    # Reported beside the plan, never digested: it changes from one minute to the next.
    lag = (
        read_replica_lag(make_client("cloudwatch", params["dr_region"]), names["db"])["value"]
        if state["dr"]["db"]["is_replica"]
        else None
    )
    desired_counts = params.get("desired_counts") or {}
    actions = plan_failover(state, names, desired_counts) if direction == "failover" else plan_failback(state, names)
    digest = plan_digest(direction, actions, digested_state(state))
    result: dict[str, Any] = {
        "changed": False,
        "direction": direction,
        "names": names,
        "state": state,
        "replica_lag_seconds": lag,
        "primary_healthy": state["primary"]["healthy"],
        "actions": actions,
        "digest": digest,
        "approved": False,
        "would_change": bool(actions),
        "executed": [],
        "next_steps": next_steps(direction, params, names) if actions else [],
        "diff": {"before": state, "after": state},
    }
    if not actions:
        result["message"] = (
            "Nothing to fail back: the DR side serves no traffic and runs no service."
            if direction == "failback"
            else (
                "Nothing to do: the standby already serves (database promoted, services scaled, CloudFront points "
                "at the DR region)."
            )
        )
        return result
    problem = refusal(direction, state, params, names)
    if problem:
        raise FailoverError(problem, **result)
    if params["force"] and direction == "failover" and state["primary"]["healthy"]:
        result["forced"] = {"reason": params["force_reason"]}
    approved = params.get("approved_digest")
    if not approved:
        result["message"] = f"Plan only: awaiting approval. Re-run with approved_digest={digest} to execute it."
        return result
    if approved != digest:
        raise FailoverError(
            f"The approved digest {approved} is not the digest of the plan computed now ({digest}): the state changed "
            "since approval. Nothing was done. Review the plan above and approve its digest.",
            **result,
        )
    result["approved"] = True
    if check_mode:
        result.update(changed=True, message="Check mode: the approved plan would be executed; nothing was changed.")
        return result
    executor = Executor(make_client, params, names, digest, sleep=sleep, clock=clock)
    try:
        executor.run(actions)
    except FailoverError as e:
        e.extra = {**result, **e.extra, "changed": bool(executor.executed)}
        raise
    except (BotoCoreError, ClientError) as e:
        raise FailoverError(
            f"Failed while executing the approved {direction} after {len(executor.executed)} of {len(actions)} "
            "actions. Re-run to plan the remaining actions.",
            error=e,
            **{**result, "changed": bool(executor.executed), "executed": executor.executed},
        ) from e
    after = read_state(make_client, params, names, include_primary=False)
    after["primary"] = state["primary"]
    result.update(
        changed=True,
        executed=executor.executed,
        post_state=after,
        message=f"{direction.capitalize()} executed: {len(executor.executed)} action(s).",
        diff={"before": state, "after": after},
    )
    return result
