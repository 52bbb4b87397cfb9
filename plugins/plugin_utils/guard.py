# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account guard's proof: who may touch AWS in this run, and the check every role makes before it does.

The guard (the ``account_assert`` action) asserts each profile through STS and then issues a proof for
its host: the environment, the account, the profiles it verified, and an HMAC over them with a key that
exists only for this ``ansible-playbook`` run. Every role that reads or writes AWS evaluates
``guard_holds`` in the ``when:`` of the block that wraps all its tasks, so the check is part of each of
those tasks: ``--start-at-task``, ``--tags``/``--skip-tags`` or ``--step`` that skip the guard leave the
role without a proof, and the role fails before its first task. An extra var cannot stand in for the
proof (the key is not known before the run, and a proof of an earlier run does not verify), and the
environment is judged by the host's inventory group, which no extra var can rename.

Controller side only: used by action and filter plugins, never shipped to a managed node.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import os
import secrets
import tempfile
from pathlib import Path

ENVIRONMENT_GROUP_PREFIX = "bbws_"
# The group of an environment's disaster-recovery standby host: bbws_<environment>_dr (inventories/prod: bbws_prod_dr).
STANDBY_GROUP_SUFFIX = "_dr"
PROTECTED_ENVIRONMENT = "prod"
_NOT_RUN = (
    "The account guard has not verified {host} in this run, so nothing was read, planned, applied or written. "
    "The guard runs first in every playbook; options that skip it (--start-at-task, --skip-tags always, "
    "--tags without it, --step answered 'n') leave every later phase refused. Re-run without them."
)


class GuardError(Exception):
    """The guard refuses: the message says what is inconsistent and what to do."""


def _run_pid() -> int:
    """The process id of this ansible-playbook run.

    Ansible forks one worker per task from the main process: a worker's parent is the run; code evaluated
    in the main process itself (meta tasks, some conditionals) is the run.
    """
    return os.getppid() if multiprocessing.parent_process() is not None else os.getpid()


def _start_time(pid: int) -> str:
    """The process's start time (Linux /proc), so a later process that reuses the PID is another run."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


def run_id() -> str:
    pid = _run_pid()
    return f"{pid}-{_start_time(pid)}"


def _key_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"bbws-guard-{os.getuid()}"


def _run_key(create: bool) -> bytes | None:
    """The run's secret key: made by the first guard of the run, readable only by this user."""
    folder = _key_dir()
    path = folder / run_id()
    if path.exists():
        return path.read_bytes()
    if not create:
        return None
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
        raise GuardError(f"{folder} must belong to this user and be private (mode 0700); remove it and re-run.")
    _forget_finished_runs(folder)
    # The guards of several hosts run side by side: the key is written whole under a private name, then linked into
    # place, which fails if another guard of this run was first. No guard ever reads a half-written key.
    fd, draft = tempfile.mkstemp(prefix=".draft-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)
        except FileExistsError:  # another host's guard of this run made it first
            pass
    finally:
        os.unlink(draft)
    return path.read_bytes()


def _forget_finished_runs(folder: Path) -> None:
    for old in folder.iterdir():
        pid, _sep, started = old.name.partition("-")
        if pid.isdigit() and _start_time(int(pid)) != started:
            old.unlink(missing_ok=True)


def _mac(key: bytes, host: str, body: dict) -> str:
    text = json.dumps({"host": host, "run": run_id(), **body}, sort_keys=True)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def environment_groups(group_names: list[str], registry: dict) -> list[str]:
    """The environments of the registry whose group (bbws_<env>) the host is in."""
    return sorted(
        {g[len(ENVIRONMENT_GROUP_PREFIX) :] for g in group_names if g.startswith(ENVIRONMENT_GROUP_PREFIX)}
        & set(registry)
    )


def environment_of_host(host: str, group_names: list[str], registry: dict) -> str:
    """The host's environment from its inventory group (bbws_<env>): the one name no extra var can change."""
    found = environment_groups(group_names, registry)
    if len(found) != 1:
        groups = ", ".join(f"{ENVIRONMENT_GROUP_PREFIX}{name}" for name in sorted(registry))
        where = f"groups {', '.join(ENVIRONMENT_GROUP_PREFIX + f for f in found)}" if found else "none of them"
        raise GuardError(
            f"Host {host} must be in exactly one environment group ({groups}); it is in {where}. "
            "Fix the inventory: one host per environment, in its environment's group."
        )
    return found[0]


def check_identity(
    host: str, group_names: list[str], registry: dict, environment: str, account_id: str, profile: str
) -> str:
    """The host's group, its bbws_environment, the account and the profile must all say the same environment."""
    group_env = environment_of_host(host, group_names, registry)
    expected = registry[group_env]
    problems = []
    if environment != group_env:
        problems.append(f"its environment is given as {environment!r}")
    if str(account_id) != str(expected.get("account_id")):
        problems.append(f"its account is given as {account_id} (the registry says {expected.get('account_id')})")
    if profile != expected.get("profile"):
        problems.append(f"its profile is given as {profile!r} (the registry says {expected.get('profile')!r})")
    if problems:
        raise GuardError(
            f"Host {host} is in group {ENVIRONMENT_GROUP_PREFIX}{group_env}, but {'; '.join(problems)}. "
            f"An extra var cannot move one environment's settings onto another: run against inventories/{group_env} "
            "without overriding bbws_environment, bbws_account_id or bbws_aws_profile. Nothing was touched."
        )
    return group_env


def check_one_host_per_environment(hosts: dict[str, list[str]], registry: dict) -> None:
    """Stop the run when two hosts of it claim one environment (two inventories of one account). An environment has one
    primary host and at most one disaster-recovery standby: the host in its group bbws_<env>_dr (claimed as <env>-dr),
    a group of the inventory as the environment's own group is, so no extra var makes a second host a standby."""
    claims: dict[str, list[str]] = {}
    for name, groups in sorted(hosts.items()):
        try:
            environment = environment_of_host(name, groups, registry)
        except GuardError:
            continue  # that host's own guard reports it
        standby = f"{ENVIRONMENT_GROUP_PREFIX}{environment}{STANDBY_GROUP_SUFFIX}" in groups
        claims.setdefault(f"{environment}-dr" if standby else environment, []).append(name)
    doubled = {env: names for env, names in claims.items() if len(names) > 1}
    if doubled:
        said = "; ".join(f"{env} by {', '.join(names)}" for env, names in sorted(doubled.items()))
        raise GuardError(
            f"One environment per run: {said}. Two inventories describe the same environment (and account); "
            "run each environment from one inventory. Nothing was touched."
        )


def issue(host: str, environment: str, account_id: str, profiles: dict[str, str], registry: dict) -> dict:
    """The proof for a host whose profiles were all asserted (profile -> account)."""
    protected_account = str(registry.get(PROTECTED_ENVIRONMENT, {}).get("account_id", ""))
    body = {
        "environment": environment,
        "account_id": str(account_id),
        "profiles": dict(sorted(profiles.items())),
        "protected": environment == PROTECTED_ENVIRONMENT or str(account_id) == protected_account,
    }
    return {**body, "mac": _mac(_run_key(create=True), host, body)}


def _verified(proof, host: str) -> bool:
    if not isinstance(proof, dict) or "mac" not in proof:
        return False
    key = _run_key(create=False)
    body = {k: proof.get(k) for k in ("environment", "account_id", "profiles", "protected")}
    return key is not None and hmac.compare_digest(str(proof["mac"]), _mac(key, host, body))


def holds(
    proof,
    host: str,
    account_id: str | None = None,
    profiles: list | None = None,
    destroy: bool = False,
    peers: dict | None = None,
) -> bool:
    """True when the guard verified this host, its account and every profile in this run; else GuardError.

    ``peers`` (host -> proof) are the other hosts of the run: a profile of another environment (a delegation
    child's) is verified when that environment's own host has a proof for it.
    """
    if not isinstance(proof, dict) or "mac" not in proof:
        raise GuardError(_NOT_RUN.format(host=host))
    if not _verified(proof, host):
        raise GuardError(
            f"The guard proof of {host} was not issued by this run's guard (an extra var or a fact of another run "
            "cannot stand in for it). "
            + _NOT_RUN.format(host=host)
        )
    if account_id not in (None, "") and str(account_id) != proof["account_id"]:
        raise GuardError(
            f"{host}: the guard verified account {proof['account_id']} ({proof['environment']}), but this phase "
            f"targets account {account_id}. Nothing was touched."
        )
    verified = dict(proof["profiles"])
    for peer, peer_proof in (peers or {}).items():
        if peer != host and _verified(peer_proof, peer):
            verified.update(peer_proof["profiles"])
    unverified = sorted({str(p) for p in profiles or [] if p} - set(verified))
    if unverified:
        raise GuardError(
            f"{host}: profile(s) {', '.join(unverified)} were not verified by the guard in this run "
            f"(verified: {', '.join(sorted(verified))}). Nothing was touched."
        )
    if destroy and proof["protected"]:
        raise GuardError(
            f"Destroying PROD is not allowed (account {proof['account_id']}): this collection never destroys "
            f"production ({host}), whatever the options. Nothing was planned or destroyed."
        )
    return True
