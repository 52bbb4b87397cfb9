"""One site run made twice, against the populated emulator with known secret values in every account.

- A second run changes nothing: the phases that write no plan (guard, backend, dns, health) report changed=0
  and send no write. The phases that plan the stack (plan, approve, apply, edge) write each run's own plan
  artifacts; their re-run is test_site_end_to_end's (no change planned, no write sent).
- The first run is made with -vvv: no secret value (the RDS master password, any other secret) appears in its
  output or in anything it wrote.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

import faults

from safety_support import INVENTORIES
from safety_support import Recording
from safety_support import emulator_env
from safety_support import populate
from safety_support import recap
from safety_support import recording
from support import run_playbook

pytestmark = [pytest.mark.emulator, pytest.mark.slow]


@dataclass
class SiteRuns:
    first: CompletedProcess
    second: CompletedProcess
    second_requests: Recording
    secret_values: list[str]
    artifacts: Path


def seed_secret_values(clusters) -> list[str]:
    """A known random value in each account's RDS master secret, and one more secret per account."""
    values = []
    for env, cluster in clusters.items():
        session = faults.session_for(env)
        client = session.client("secretsmanager")
        master = secrets.token_hex(12)
        arn = session.client("rds").describe_db_instances(DBInstanceIdentifier=cluster.rds_identifier)["DBInstances"][
            0
        ]["MasterUserSecret"]["SecretArn"]
        client.put_secret_value(SecretId=arn, SecretString=f'{{"username": "admin", "password": "{master}"}}')
        other = secrets.token_hex(12)
        client.create_secret(Name=f"bbws-{env}-tenant-db", SecretString=other)
        values += [master, other]
    return values


@pytest.fixture(scope="module")
def site_runs(emulator, tmp_path_factory) -> SiteRuns:
    artifacts = tmp_path_factory.mktemp("site-artifacts")
    # The edge phase plans the stack as the terraform phases do (each run writes its own plan artifacts); the re-run of
    # those phases, with no change planned and no write sent, is test_site_end_to_end's.
    args = [
        "site.yml",
        *INVENTORIES,
        "--skip-tags",
        "plan,approve,apply,edge",
        "-e",
        f"cluster_health_artifacts_dir={artifacts}",
    ]
    emulator.reset()
    with emulator_env(emulator):
        values = seed_secret_values(populate())
        first = run_playbook(*args, "-vvv", env=emulator.env())
        with recording(emulator) as seen:
            second = run_playbook(*args, env=emulator.env())
    return SiteRuns(first, second, seen, values, artifacts)


def test_second_site_run_reports_changed_0(site_runs):
    first, second = site_runs.first, site_runs.second
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    # The first run made the state buckets and the delegations: the second must find them as required.
    assert recap(first.stdout)["bbws-prod"]["changed"] >= 2
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-2000:]
    # localhost: the run's own input checks (not part of a run given --limit, as this one is: no standby).
    assert {host: counts["changed"] for host, counts in recap(second.stdout).items() if host != "localhost"} == {
        "bbws-dev": 0,
        "bbws-sit": 0,
        "bbws-prod": 0,
    }
    assert recap(second.stdout).get("localhost", {"changed": 0})["changed"] == 0
    assert site_runs.second_requests.writes == [], f"the second run wrote: {site_runs.second_requests.writes}"
    print(f"site second run: changed=0 on every host; {site_runs.second_requests.summary()}")


def test_no_secret_value_in_any_output_or_artifact(site_runs):
    outputs = {
        "stdout (-vvv)": site_runs.first.stdout,
        "stderr (-vvv)": site_runs.first.stderr,
        "stdout (second run)": site_runs.second.stdout,
    }
    files = [p for p in site_runs.artifacts.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-health.json") for p in files), "the run wrote its reports"
    assert len(site_runs.first.stdout) > 50_000, "-vvv output is there to be searched"
    for value in site_runs.secret_values:
        for name, text in outputs.items():
            assert value not in text, f"a secret value appears in {name}"
        for path in files:
            assert value.encode() not in path.read_bytes(), f"a secret value appears in {path}"
    print(f"secrets: {len(site_runs.secret_values)} values, {len(outputs)} outputs and {len(files)} files searched")
