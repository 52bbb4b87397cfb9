"""The AWX objects as code (awx/configure.yml), checked without an AWX: no controller can run here.

awx/show.yml prints the objects configure.yml creates from the same variables; the tests compare them with the
playbooks and roles they name. The credential type's injectors are rendered the way AWX renders them (a Jinja2
sandbox) and used against the emulated accounts.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3
import pytest
import yaml
from awx_support import AWX_DIR
from awx_support import AWX_PLAYBOOK
from awx_support import REPO
from inventory import host_vars
from jinja2.sandbox import ImmutableSandboxedEnvironment
from support import BIN
from support import ansible_env

ROLE_PREFIX = "bbws.ecs_cluster."


@pytest.fixture(scope="module")
def objects() -> dict:
    run = subprocess.run(
        [str(BIN / "ansible-playbook"), str(AWX_DIR / "show.yml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
        env=ansible_env({"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}),
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(run.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"]


def roles_of(playbook: Path) -> dict[str, set[str]]:
    """role -> entry points a playbook runs: roles:, include_role/import_role (tasks_from), imported playbooks, and
    roles named in play vars (site.yml hands each phase's role to site_rollout's phase wrapper)."""
    found: dict[str, set[str]] = {}
    for play in yaml.safe_load(playbook.read_text()):
        if "ansible.builtin.import_playbook" in play:
            for role, entries in roles_of(playbook.parent / play["ansible.builtin.import_playbook"]).items():
                found.setdefault(role, set()).update(entries)
            continue
        for role in play.get("roles", []):
            found.setdefault(role["role"] if isinstance(role, dict) else role, set()).add("main")
        for value in (play.get("vars") or {}).values():
            if isinstance(value, str) and value.startswith(ROLE_PREFIX):
                found.setdefault(value, set()).add("main")
        for task in play.get("tasks", []):
            for action in ("ansible.builtin.include_role", "ansible.builtin.import_role"):
                if action in task:
                    found.setdefault(task[action]["name"], set()).add(task[action].get("tasks_from", "main"))
    return found


def arguments(role: str, entries: set[str]) -> set[str]:
    """The options of a role's entry points (none for a role without an argument spec: it accepts nothing here)."""
    path = REPO / "roles" / role.removeprefix(ROLE_PREFIX) / "meta" / "argument_specs.yml"
    if not path.is_file():
        return set()
    specs = yaml.safe_load(path.read_text())
    return {name for entry in entries for name in specs["argument_specs"].get(entry, {}).get("options") or {}}


def test_configure_playbook_parses(playbook):
    run = playbook("--syntax-check", str(AWX_PLAYBOOK))
    assert run.returncode == 0, run.stdout + run.stderr


def test_configure_playbook_passes_ansible_lint_production():
    run = subprocess.run(
        [str(BIN / "ansible-lint"), "--offline", "--profile", "production", "-q", "awx/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
        env=ansible_env(),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def test_every_survey_question_and_extra_var_is_an_argument_of_a_role_the_playbook_runs(objects):
    templates = objects["job_templates"]
    assert {t["name"] for t in templates} >= {"BBWS plan", "BBWS apply", "BBWS delegate DNS", "BBWS health"}
    for template in templates:
        path = REPO / template["playbook"]
        assert path.is_file(), f"{template['name']}: no playbook {template['playbook']}"
        roles = roles_of(path)
        assert roles, f"{template['name']}: {template['playbook']} runs no role"
        accepted = set().union(*(arguments(role, entries) for role, entries in roles.items()))
        questions = [q["variable"] for q in template["questions"]]
        assert "account_guard_environment" in questions
        for variable in [*questions, *template["extra_vars"]]:
            assert variable in accepted, f"{template['name']}: {variable} is no argument of {sorted(roles)}"


def test_apply_template_takes_the_digest_from_the_plan_jobs_artifacts(objects):
    [apply] = [t for t in objects["job_templates"] if t["name"] == "BBWS apply"]
    assert apply["extra_vars"]["terraform_stack_approve"] == "{{ bbws_plan_digest | default('') }}"
    assert apply["extra_vars"]["terraform_stack_plan_store"] == "s3"
    [plan] = [t for t in objects["job_templates"] if t["name"] == "BBWS plan"]
    assert plan["extra_vars"]["terraform_stack_plan_store"] == "s3"
    [digest] = [q for q in apply["questions"] if q["variable"] == "terraform_stack_approve"]
    assert digest["min"] == digest["max"] == 64 and not digest["required"]  # the workflow gives it as an artifact


def test_each_environment_has_plan_approval_apply_dns_health(objects):
    templates = {t["name"]: t for t in objects["job_templates"]}
    inventories = set(objects["inventories"])
    assert len(objects["workflows"]) == len(inventories) == 3
    for workflow in objects["workflows"]:
        assert workflow["inventory"] in inventories
        nodes = {n["identifier"]: n for n in workflow["nodes"]}
        parents = {
            i: [p for p, n in nodes.items() if {"identifier": i} in n.get("related", {}).get("success_nodes", [])]
            for i in nodes
        }
        assert [i for i, p in parents.items() if not p] == ["plan"]
        chain, node = [], "plan"
        while node:
            chain.append(nodes[node]["unified_job_template"]["type"])
            nexts = nodes[node].get("related", {}).get("success_nodes", [])
            node = nexts[0]["identifier"] if nexts else None
        assert [nodes[i]["unified_job_template"]["name"] for i in ("plan", "apply", "delegate_dns", "health")] == [
            "BBWS plan",
            "BBWS apply",
            "BBWS delegate DNS",
            "BBWS health",
        ]
        assert (
            parents["apply"] == ["approve"] and nodes["approve"]["unified_job_template"]["type"] == "workflow_approval"
        )
        assert nodes["approve"]["unified_job_template"]["timeout"] > 0
        assert chain == ["job_template", "workflow_approval", "job_template", "job_template", "job_template"]
        for node in nodes.values():
            if node["unified_job_template"]["type"] == "job_template":
                template = templates[node["unified_job_template"]["name"]]
                survey = {q["variable"] for q in template["questions"]}
                assert set(node["extra_data"]) <= survey, "AWX drops node variables its survey does not ask"
                if "inventory" in node:
                    assert node["inventory"]["name"] in inventories


def test_credential_type_gives_each_inventory_profile_its_account(objects, aws, tmp_path, monkeypatch):
    """Render the injectors as AWX does, then let boto3 assume each environment's role with them."""
    credential_type = objects["credential_type"]
    fields = {f["id"] for f in credential_type["inputs"]["fields"]}
    inputs = {
        "credential_source": "keys",
        "access_key_id": "emulator",
        "secret_access_key": "emulator",
        **objects["credential_role_arns"],
    }
    assert set(inputs) <= fields and set(credential_type["inputs"]["required"]) <= set(inputs)
    sandbox = ImmutableSandboxedEnvironment()
    files = {name.removeprefix("template."): tmp_path / name for name in credential_type["injectors"]["file"]}
    for name, template in credential_type["injectors"]["file"].items():
        (tmp_path / name).write_text(sandbox.from_string(template).render(**inputs))
    tower = {"filename": {key: str(path) for key, path in files.items()}}
    env = {k: sandbox.from_string(v).render(tower=tower) for k, v in credential_type["injectors"]["env"].items()}
    assert "AWS_ACCESS_KEY_ID" not in env  # keys in the environment would override every profile
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert "emulator" not in (tmp_path / "template.config").read_text()  # the secret lives in the credentials file
    for environment in ("dev", "sit", "prod"):
        expected = host_vars(environment)
        session = boto3.Session(profile_name=expected["bbws_aws_profile"], region_name=expected["bbws_region"])
        identity = session.client("sts").get_caller_identity()
        assert identity["Account"] == expected["bbws_account_id"], environment
