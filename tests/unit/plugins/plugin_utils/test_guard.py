"""The guard's proof: identity checks, issue and verify, and every way a proof must fail to verify."""

from __future__ import annotations

import multiprocessing

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.plugin_utils import guard

REGISTRY = {
    "dev": {"account_id": "536580886816", "profile": "Tebogo-dev"},
    "sit": {"account_id": "815856636111", "profile": "Tebogo-sit"},
    "prod": {"account_id": "093646564004", "profile": "Tebogo-prod"},
}
PROD = ("bbws-prod", ["bbws_clusters", "bbws_prod"])


@pytest.fixture(autouse=True)
def private_key_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(guard.tempfile, "gettempdir", lambda: str(tmp_path))


def prod_proof(**profiles):
    return guard.issue("bbws-prod", "prod", "093646564004", {"Tebogo-prod": "093646564004", **profiles}, REGISTRY)


def test_identity_from_the_group_agrees_with_the_inputs():
    assert guard.check_identity(*PROD, REGISTRY, "prod", "093646564004", "Tebogo-prod") == "prod"


@pytest.mark.parametrize(
    "environment, account, profile, said",
    [
        ("dev", "093646564004", "Tebogo-prod", "its environment is given as 'dev'"),
        ("prod", "536580886816", "Tebogo-prod", "its account is given as 536580886816"),
        ("prod", "093646564004", "Tebogo-dev", "its profile is given as 'Tebogo-dev'"),
    ],
)
def test_an_extra_var_cannot_rename_the_environment(environment, account, profile, said):
    with pytest.raises(guard.GuardError) as e:
        guard.check_identity(*PROD, REGISTRY, environment, account, profile)
    assert "is in group bbws_prod" in str(e.value) and said in str(e.value)


@pytest.mark.parametrize("groups", [["bbws_clusters"], ["bbws_dev", "bbws_prod"]])
def test_a_host_needs_exactly_one_environment_group(groups):
    with pytest.raises(guard.GuardError, match="must be in exactly one environment group"):
        guard.environment_of_host("h", groups, REGISTRY)


def test_two_hosts_claiming_one_environment_stop_the_run():
    hosts = {"bbws-dev": ["bbws_dev"], "copy-of-dev": ["bbws_dev"], "bbws-prod": ["bbws_prod"]}
    with pytest.raises(guard.GuardError, match="One environment per run: dev by bbws-dev, copy-of-dev"):
        guard.check_one_host_per_environment(hosts, REGISTRY)
    guard.check_one_host_per_environment({"bbws-dev": ["bbws_dev"], "bbws-prod": ["bbws_prod"]}, REGISTRY)


def test_an_environment_has_one_primary_and_at_most_one_standby():
    standby = ["bbws_prod", "bbws_prod_dr"]
    guard.check_one_host_per_environment({"bbws-prod": ["bbws_prod"], "bbws-prod-dr": standby}, REGISTRY)
    with pytest.raises(guard.GuardError, match="One environment per run: prod-dr by bbws-prod-dr, copy-of-prod-dr"):
        guard.check_one_host_per_environment(
            {"bbws-prod": ["bbws_prod"], "bbws-prod-dr": standby, "copy-of-prod-dr": standby}, REGISTRY
        )
    # Another environment's DR group does not make a host prod's standby.
    with pytest.raises(guard.GuardError, match="One environment per run: prod by bbws-prod, other"):
        guard.check_one_host_per_environment(
            {"bbws-prod": ["bbws_prod"], "other": ["bbws_prod", "bbws_dev_dr"]}, REGISTRY
        )


def test_a_proof_verifies_for_its_host_account_and_profiles():
    proof = prod_proof(**{"Tebogo-dev": "536580886816"})
    assert guard.holds(proof, "bbws-prod", "093646564004", ["Tebogo-prod", "Tebogo-dev"])


@pytest.mark.parametrize("proof", [None, {}, "true", {"mac": "0" * 64}])
def test_no_proof_means_the_guard_did_not_run(proof):
    with pytest.raises(guard.GuardError, match="has not verified bbws-prod in this run"):
        guard.holds(proof, "bbws-prod")


def test_a_forged_or_altered_proof_does_not_verify():
    proof = prod_proof()
    for forged in (
        {**proof, "mac": "0" * 64},
        {**proof, "account_id": "536580886816"},
        {**proof, "profiles": {**proof["profiles"], "Tebogo-dev": "536580886816"}},
        {**proof, "protected": False},
    ):
        with pytest.raises(guard.GuardError, match="was not issued by this run's guard"):
            guard.holds(forged, "bbws-prod")


def test_a_proof_of_another_host_or_run_does_not_verify(monkeypatch):
    proof = prod_proof()
    with pytest.raises(guard.GuardError, match="not issued by this run's guard"):
        guard.holds(proof, "bbws-dev")
    monkeypatch.setattr(guard, "run_id", lambda: "1-2")  # a later ansible-playbook run
    with pytest.raises(guard.GuardError, match="not issued by this run's guard"):
        guard.holds(proof, "bbws-prod")


def test_another_account_or_an_unverified_profile_is_refused():
    proof = prod_proof()
    with pytest.raises(guard.GuardError, match="targets account 536580886816"):
        guard.holds(proof, "bbws-prod", "536580886816")
    with pytest.raises(guard.GuardError, match="Tebogo-sit were not verified"):
        guard.holds(proof, "bbws-prod", "093646564004", ["Tebogo-prod", "Tebogo-sit"])


def test_a_child_profile_is_verified_by_the_child_hosts_own_proof():
    dev = guard.issue("bbws-dev", "dev", "536580886816", {"Tebogo-dev": "536580886816"}, REGISTRY)
    proof = prod_proof()
    assert guard.holds(proof, "bbws-prod", None, ["Tebogo-prod", "Tebogo-dev"], peers={"bbws-dev": dev})
    with pytest.raises(guard.GuardError, match="Tebogo-dev were not verified"):  # a peer's proof must verify too
        guard.holds(proof, "bbws-prod", None, ["Tebogo-dev"], peers={"bbws-dev": {**dev, "mac": "0" * 64}})


@pytest.mark.parametrize(
    "environment, account",
    [("prod", "093646564004"), ("dev", "093646564004")],  # by name, and by account ID under another name
)
def test_destroy_never_targets_prod(environment, account):
    proof = guard.issue("bbws-x", environment, account, {}, REGISTRY)
    with pytest.raises(guard.GuardError, match=f"Destroying PROD is not allowed \\(account {account}\\)"):
        guard.holds(proof, "bbws-x", destroy=True)
    assert guard.holds(proof, "bbws-x", destroy=False)


def test_dev_may_be_destroyed():
    proof = guard.issue("bbws-dev", "dev", "536580886816", {"Tebogo-dev": "536580886816"}, REGISTRY)
    assert guard.holds(proof, "bbws-dev", "536580886816", ["Tebogo-dev"], destroy=True)


def test_the_run_key_is_private(tmp_path):
    prod_proof()
    folder = next(tmp_path.glob("bbws-guard-*"))
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in folder.iterdir())


def _first_key(barrier, answers):
    barrier.wait(timeout=30)
    answers.put(guard._run_key(create=True))  # pylint: disable=protected-access


def test_guards_of_several_hosts_at_once_share_one_whole_key():
    # Ansible runs the guard of each host in its own worker process, at the same moment: every worker must read the
    # key whole (a proof signed with a half-written key fails to verify later in the run).
    context = multiprocessing.get_context("fork")
    barrier, answers = context.Barrier(12), context.Queue()
    for _round in range(25):
        for old in guard._key_dir().glob("*"):  # pylint: disable=protected-access
            old.unlink()
        workers = [context.Process(target=_first_key, args=(barrier, answers)) for _worker in range(12)]
        for worker in workers:
            worker.start()
        keys = [answers.get(timeout=30) for _worker in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert len(set(keys)) == 1 and len(keys[0]) == 32
        assert [p.name for p in guard._key_dir().iterdir()] == [guard.run_id()]  # pylint: disable=protected-access
