"""The AWX objects as code (awx/configure.yml), checked without an AWX: no controller can run here.

awx/show.yml prints the objects configure.yml creates from the same variables; the tests compare them with the
playbooks and roles they name. The credential type's injectors are rendered the way AWX renders them (a Jinja2
sandbox) and used against the emulated accounts.
"""

from __future__ import annotations

import json
import re
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
    return show()


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
    """The options of a role's entry points (none for a role without an argument spec: it accepts nothing here), and
    the collection-wide switches its defaults read (bbws_approve, bbws_allow_protected_changes, ...)."""
    folder = REPO / "roles" / role.removeprefix(ROLE_PREFIX)
    path = folder / "meta" / "argument_specs.yml"
    if not path.is_file():
        return set()
    specs = yaml.safe_load(path.read_text())
    options = {name for entry in entries for name in specs["argument_specs"].get(entry, {}).get("options") or {}}
    defaults = (folder / "defaults" / "main.yml").read_text() if (folder / "defaults" / "main.yml").is_file() else ""
    return options | set(re.findall(r"\{\{ (bbws_\w+) \| default\(", defaults))


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


def test_no_template_needs_jinja_in_its_extra_vars(objects):
    """AWX's recommended ALLOW_JINJA_IN_EXTRA_VARS=never passes Jinja in extra vars on as literal text: the digest the
    plan job publishes (bbws_plan_digest) is resolved by playbooks/apply.yml (replayed in test_plan_handover.py)."""
    [apply] = [t for t in objects["job_templates"] if t["name"] == "BBWS apply"]
    assert "terraform_stack_approve" not in apply["extra_vars"]
    assert apply["extra_vars"]["terraform_stack_plan_store"] == "s3"
    for name, values in [
        *((t["name"], [t["extra_vars"], t["questions"]]) for t in objects["job_templates"]),
        *((w["name"], [[n.get("extra_data", {}) for n in w["nodes"]], w["questions"]]) for w in objects["workflows"]),
    ]:
        text = json.dumps(values)
        assert "{{" not in text and "{%" not in text, f"{name}: Jinja in what AWX passes as extra vars"
    [apply_play] = [
        p
        for p in yaml.safe_load((REPO / "playbooks" / "apply.yml").read_text())
        if p.get("name", "").startswith("Apply |")
    ]
    assert "bbws_plan_digest" in apply_play["vars"]["terraform_stack_approve"]
    [plan] = [t for t in objects["job_templates"] if t["name"] == "BBWS plan"]
    assert plan["extra_vars"]["terraform_stack_plan_store"] == "s3"
    [digest] = [q for q in apply["questions"] if q["variable"] == "terraform_stack_approve"]
    assert digest["min"] == digest["max"] == 64 and not digest["required"]  # the workflow gives it as an artifact


def test_drift_template_runs_the_read_only_drift_playbook_for_operators(objects):
    [drift] = [t for t in objects["job_templates"] if t["name"] == "BBWS drift"]
    assert drift["playbook"] == "playbooks/drift.yml" and drift["job_type"] == "check"
    assert [q["variable"] for q in drift["questions"]] == ["account_guard_environment", "drift_report_fail_when_found"]
    executors = {g["team"] for g in objects["grants"] if "BBWS drift" in g.get("job_templates", [])}
    assert executors == {"BBWS operators", "BBWS admins"}
    assert roles_of(REPO / drift["playbook"]) == {
        "bbws.ecs_cluster.account_guard": {"main"},
        "bbws.ecs_cluster.drift_report": {"main"},
    }


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
        steps = ("plan", "apply", "delegate_dns", "edge_plan", "edge_apply", "health")
        assert [nodes[i]["unified_job_template"]["name"] for i in steps] == [
            "BBWS plan",
            "BBWS apply",
            "BBWS delegate DNS",
            "BBWS plan",
            "BBWS edge apply",
            "BBWS health",
        ]
        # The edge apply goes through its own digest-bound approval, never around it.
        assert parents["edge_apply"] == ["edge_approve"] and parents["edge_approve"] == ["edge_plan"]
        assert nodes["edge_approve"]["unified_job_template"]["type"] == "workflow_approval"
        assert (
            parents["apply"] == ["approve"] and nodes["approve"]["unified_job_template"]["type"] == "workflow_approval"
        )
        assert nodes["approve"]["unified_job_template"]["timeout"] > 0
        assert chain == [
            "job_template",
            "workflow_approval",
            "job_template",
            "job_template",
            "job_template",
            "workflow_approval",
            "job_template",
            "job_template",
        ]
        for node in nodes.values():
            if node["unified_job_template"]["type"] == "job_template":
                template = templates[node["unified_job_template"]["name"]]
                survey = {q["variable"] for q in template["questions"]}
                assert set(node["extra_data"]) <= survey, "AWX drops node variables its survey does not ask"
                assert "inventory" not in node, "a node's inventory prompt would hide its template's own inventory"


def test_delegate_dns_runs_on_the_parent_zones_inventory_in_every_workflow(objects):
    """A workflow's inventory replaces the node inventory of every template that prompts for it; the delegation is
    written with prod's inventory (which holds bbws_dns_parent_zone) whichever workflow runs it."""
    templates = {t["name"]: t for t in objects["job_templates"]}
    delegate = templates["BBWS delegate DNS"]
    assert delegate["inventory"] == "BBWS ecs_cluster prod" and delegate["ask_inventory"] is False
    assert "bbws_dns_parent_zone" in host_vars("prod") and "bbws_dns_parent_zone" not in host_vars("dev")
    [environment] = [q for q in delegate["questions"] if q["variable"] == "account_guard_environment"]
    assert environment["choices"] == ["prod"]
    for name, template in templates.items():
        if name != "BBWS delegate DNS":
            assert template.get("ask_inventory", True) is True, f"{name}: the workflow's inventory must reach it"
    for workflow in objects["workflows"]:
        [node] = [n for n in workflow["nodes"] if n["identifier"] == "delegate_dns"]
        assert node["extra_data"]["account_guard_environment"] == "prod" and "inventory" not in node
    # configure.yml gives each template its own inventory and prompt setting.
    [task] = [t for t in yaml.safe_load(AWX_PLAYBOOK.read_text())[0]["tasks"] if "awx.awx.job_template" in t]
    assert "item.inventory" in task["awx.awx.job_template"]["inventory"]
    assert "item.ask_inventory" in task["awx.awx.job_template"]["ask_inventory_on_launch"]


def test_prod_workflow_asks_for_protected_change_consent(objects):
    """Node extra data is fixed; only a workflow survey gives the consent at launch. Its answer reaches every job of
    the workflow and wins over the apply template's survey default because both ask the same variable."""
    [apply] = [t for t in objects["job_templates"] if t["name"] == "BBWS apply"]
    [consent] = [q for q in apply["questions"] if "protected" in q["question_name"].lower()]
    for workflow in objects["workflows"]:
        environment = workflow["inventory"].rsplit(" ", 1)[1]
        variables = [q["variable"] for q in workflow["questions"]]
        if environment == "prod":
            assert variables == [consent["variable"]] == ["bbws_allow_protected_changes"]
            assert workflow["questions"][0]["default"] == "false" and workflow["questions"][0]["choices"] == [
                "false",
                "true",
            ]
        else:
            assert variables == []
    defaults = yaml.safe_load((REPO / "roles" / "terraform_stack" / "defaults" / "main.yml").read_text())
    assert "bbws_allow_protected_changes" in defaults["terraform_stack_allow_protected_changes"]
    [task] = [t for t in yaml.safe_load(AWX_PLAYBOOK.read_text())[0]["tasks"] if "awx.awx.workflow_job_template" in t]
    assert "item.questions" in task["awx.awx.workflow_job_template"]["survey_spec"]


def test_workflow_nodes_are_updated_by_identifier_not_recreated(objects):
    """destroy_current_nodes would delete every node on each run (and a running workflow's approval step)."""
    [task] = [t for t in yaml.safe_load(AWX_PLAYBOOK.read_text())[0]["tasks"] if "awx.awx.workflow_job_template" in t]
    assert (
        task["awx.awx.workflow_job_template"]["destroy_current_nodes"]
        == "{{ awx_bbws_recreate_workflow_nodes | bool }}"
    )
    assert objects["recreate_workflow_nodes"] is False
    for workflow in objects["workflows"]:
        identifiers = [n["identifier"] for n in workflow["nodes"]]
        assert len(set(identifiers)) == len(identifiers) and all(identifiers)
        assert all(n["unified_job_template"].get("name") for n in workflow["nodes"])


def test_only_approvers_and_admins_may_launch_the_apply_template(objects):
    grants = objects["grants"]
    apply_grants = [g for g in grants if "BBWS apply" in g.get("job_templates", [])]
    assert sorted((g["team"], g["role"]) for g in apply_grants) == [
        ("BBWS admins", "admin"),
        ("BBWS approvers", "execute"),
    ]
    workflows = {w["name"] for w in objects["workflows"]}
    templates = {t["name"] for t in objects["job_templates"]}
    approval = [g for g in grants if g["role"] == "approval"]
    assert [g["team"] for g in approval] == ["BBWS approvers"] and set(approval[0]["workflows"]) == workflows
    executable = {name for g in grants if g["role"] in ("execute", "admin") for name in g.get("job_templates", [])}
    assert executable == templates
    # Every grant names only objects configure.yml creates.
    for grant in grants:
        assert set(grant.get("job_templates", [])) <= templates and set(grant.get("workflows", [])) <= workflows


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


def show(*args: str) -> dict:
    run = subprocess.run(
        [str(BIN / "ansible-playbook"), str(AWX_DIR / "show.yml"), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
        env=ansible_env({"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"}),
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(run.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"] | {"_output": run.stdout}


def test_configure_without_keys_keeps_the_credentials_stored_keys(objects):
    """awx.awx's own comparison (update_secrets false) decides whether the credential is replaced: a re-run without
    the keys must look the same as what AWX returns for the stored credential, where every secret is $encrypted$."""
    from ansible_collections.awx.awx.plugins.module_utils.controller_api import ControllerAPIModule

    placeholder = ControllerAPIModule.ENCRYPTED_STRING
    fields = {f["id"]: f for f in objects["credential_type"]["inputs"]["fields"]}
    secret = {name for name, field in fields.items() if field.get("secret")}
    assert {"access_key_id", "secret_access_key"} <= secret
    inputs = objects["credential_inputs"]
    assert inputs["access_key_id"] == inputs["secret_access_key"] == placeholder
    assert objects["credential_update_secrets"] is False
    stored = {name: placeholder if name in secret else value for name, value in inputs.items()}
    assert ControllerAPIModule.fields_could_be_same(stored, inputs)
    # With the key id a plain input (as before), AWX shows it, the module sees a difference and replaces every input.
    assert not ControllerAPIModule.fields_could_be_same({**stored, "access_key_id": "AKIAEXAMPLEKEYID"}, inputs)

    given = show("-e", "awx_bbws_access_key_id=AKIAEXAMPLEKEYID", "-e", "awx_bbws_secret_access_key=fixture-secret")
    assert given["credential_inputs"]["access_key_id"] == given["credential_inputs"]["secret_access_key"] == "(given)"
    assert given["credential_update_secrets"] is True
    assert "AKIAEXAMPLEKEYID" not in given["_output"] and "fixture-secret" not in given["_output"]
    [task] = [t for t in yaml.safe_load(AWX_PLAYBOOK.read_text())[0]["tasks"] if "awx.awx.credential" in t]
    assert task["no_log"] is True and task["awx.awx.credential"]["inputs"] == "{{ __awx_bbws_credential_inputs }}"


def test_failover_and_failback_templates_plan_then_execute_the_approved_digest_for_approvers(objects):
    templates = {t["name"]: t for t in objects["job_templates"]}
    for name, playbook in (("BBWS failover", "playbooks/failover.yml"), ("BBWS failback", "playbooks/failback.yml")):
        template = templates[name]
        assert template["playbook"] == playbook
        assert roles_of(REPO / playbook) == {
            "bbws.ecs_cluster.account_guard": {"main"},
            "bbws.ecs_cluster.dr_failover": {"main"},
        }
        questions = {q["variable"]: q for q in template["questions"]}
        assert questions["account_guard_environment"]["choices"] == ["prod"]
        digest = questions["dr_failover_approve"]
        assert digest["min"] == digest["max"] == 64 and not digest["required"]  # empty: plan only
        executors = {g["team"] for g in objects["grants"] if name in g.get("job_templates", [])}
        assert executors == {"BBWS approvers", "BBWS admins"}
    assert {"dr_failover_force", "dr_failover_force_reason"} <= {
        q["variable"] for q in templates["BBWS failover"]["questions"]
    }
    assert "dr_failover_force" not in {q["variable"] for q in templates["BBWS failback"]["questions"]}
