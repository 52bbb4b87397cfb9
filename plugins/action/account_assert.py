# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account guard: check the host's identity against the inventory, assert every profile, issue the proof.

Runs on the controller around the account_assert module. Before any AWS call it checks what only the
controller knows: the host's inventory group (which no extra var can rename) agrees with the environment,
account and profile it was given, and no other host of the play claims the same environment. After the
module has asserted every profile through STS, it sets ``bbws_guard_proof`` (see plugin_utils/guard.py).
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import normalize_known_accounts
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.account import validate_account_id
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import missing_profile_message
from ansible_collections.bbws.ecs_cluster.plugins.plugin_utils import guard


def _registry(known_accounts) -> dict:
    """The registry keyed by environment ({env: {account_id, profile}}), whichever shape it was given in."""
    return {
        info["environment"]: {"account_id": account_id, "profile": info["profile"]}
        for account_id, info in normalize_known_accounts(known_accounts).items()
    }


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = self._task.args
        host = task_vars.get("inventory_hostname", "")
        groups = task_vars.get("group_names", [])
        try:
            registry = _registry(args.get("known_accounts"))
        except ValueError as e:  # e.g. two environments claiming one account: said before any AWS call
            return {**result, "failed": True, "msg": str(e)}

        environment = None
        if guard.environment_groups(groups, registry):
            try:
                play_hosts = task_vars.get("ansible_play_hosts_all", [host])
                all_groups = task_vars.get("groups", {})
                membership = {h: [g for g, members in all_groups.items() if h in members] for h in play_hosts}
                guard.check_one_host_per_environment(membership, registry)
                # Say what is wrong with a value itself before saying that it belongs to another environment.
                validate_account_id(args.get("expected_account_id"))
                problem = missing_profile_message(args.get("profile"))
                if problem:
                    return {**result, "failed": True, "msg": problem}
                environment = guard.check_identity(
                    host,
                    groups,
                    registry,
                    args.get("environment"),
                    args.get("expected_account_id"),
                    args.get("profile"),
                )
            except (guard.GuardError, ValueError) as e:
                return {**result, "failed": True, "msg": str(e)}

        module_result = self._execute_module(
            module_name="bbws.ecs_cluster.account_assert", module_args=args, task_vars=task_vars
        )
        result.update(module_result)
        if result.get("failed") or environment is None:
            if environment is None and not result.get("failed"):
                result.setdefault("warnings", []).append(
                    f"{host} is in no environment group (bbws_<environment>): no guard proof was issued, so the "
                    "collection's roles will refuse to run for it."
                )
            return result
        profiles = {v["profile"]: v["account_id"] for v in result.get("verified", []) if v.get("profile")}
        try:
            proof = guard.issue(host, environment, result["account_id"], profiles, registry)
        except guard.GuardError as e:
            return {**result, "failed": True, "msg": str(e)}
        result["ansible_facts"] = {"bbws_guard_proof": proof}
        result["_ansible_facts_cacheable"] = False
        return result
