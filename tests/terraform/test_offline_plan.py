"""Real Terraform evaluates the real stack over the offline hashicorp/aws provider (tools/offline_provider.py).

* `terraform validate` of the stack;
* planted mistakes in a scratch copy, each caught with Terraform's own message;
* `terraform plan -refresh=false` with the tfvars the terraform_stack role renders from each inventory,
  custom domain off and on (6 plans), and the resource counts each plan's JSON must have;
* `terraform test` (terraform/tests/*.tftest.hcl);
* checkov on the 6 plan JSONs (`--framework terraform_plan`), zero failures beyond the ones an
  inventory turns off on purpose.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from stack_paths import REPO
from stack_paths import STACK
from test_contract import ENVIRONMENTS
from test_contract import role_tfvars

TERRAFORM = Path(sys.executable).parent / "terraform"
OFFLINE_PROVIDER = REPO / "tools" / "offline_provider.py"
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
BACKEND_OVERRIDE = 'terraform {\n  backend "local" {}\n}\n'
NAT_GATEWAYS = {"dev": 1, "sit": 1, "prod": 2}
# The alarm contract: one alarm per threshold key, named <project>-<environment>-<key with "_" as "-">; the NAT
# gateway keys once per gateway (-<index>). 13 + 2 per NAT gateway.
ALARM_KEYS = (
    "rds_cpu_percent", "rds_free_storage_bytes", "rds_freeable_memory_bytes", "rds_connections_percent",
    "alb_5xx_count", "alb_target_5xx_count", "alb_unhealthy_hosts", "alb_target_response_time_seconds",
    "ecs_cpu_percent", "ecs_memory_percent", "efs_percent_io_limit", "efs_burst_credit_balance_bytes",
    "nat_port_allocation_errors", "nat_packets_dropped", "cloudfront_5xx_error_rate_percent",
)  # fmt: skip
NAT_ALARM_KEYS = ("nat_port_allocation_errors", "nat_packets_dropped")
ALARMS = {"dev": 15, "sit": 15, "prod": 17}
# RDS's default max_connections, {DBInstanceClassMemory/12582880}, for the inventories' classes.
MAX_CONNECTIONS = {"db.t3.micro": 85, "db.t3.small": 170, "db.r5.large": 1365}
COMMON_TAGS = {"Project": "bbws", "ManagedBy": "terraform"}


@pytest.fixture(scope="module")
def cli_config() -> Path:
    result = subprocess.run(
        [sys.executable, str(OFFLINE_PROVIDER), "cli-config"], capture_output=True, text=True, timeout=120, check=True
    )
    path = Path(result.stdout.strip())
    assert path.is_file()
    return path


def terraform(workdir: Path, cli_config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1"}
    # No emulator endpoint: the adopted root zone gets the provider's deterministic stand-in id.
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        env.pop(name, None)
    return subprocess.run(
        [str(TERRAFORM), *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def scratch_copy(directory: Path, with_tests: bool = False) -> Path:
    """The stack's files with a local backend in place of the s3 one (as the plan role's workdir would)."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in STACK.glob("*.tf"):
        shutil.copy(path, directory / path.name)
    if with_tests:
        shutil.copytree(STACK / "tests", directory / "tests")
    (directory / "backend_override.tf").write_text(BACKEND_OVERRIDE)
    return directory


def flat(result: subprocess.CompletedProcess[str]) -> str:
    return " ".join((result.stdout + result.stderr).replace("│", " ").split())


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory, cli_config: Path) -> Path:
    workdir = scratch_copy(tmp_path_factory.mktemp("offline-stack"), with_tests=True)
    result = terraform(workdir, cli_config, "init", "-input=false", "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    return workdir


# --- validate and planted mistakes


def test_validate_passes(tmp_path: Path, cli_config: Path) -> None:
    workdir = scratch_copy(tmp_path / "stack")
    result = terraform(workdir, cli_config, "validate", "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The configuration is valid" in result.stdout


def test_nothing_reaches_the_lock_file(initialised: Path) -> None:
    assert not (initialised / ".terraform.lock.hcl").exists()
    assert not (STACK / ".terraform.lock.hcl").exists()


PLANTED = {
    "unknown-argument": (
        'resource "aws_cloudwatch_log_group" "planted" {\n  name           = "planted"\n  retention_days = 7\n}\n',
        "validate",
        'An argument named "retention_days" is not expected here.',
    ),
    "wrong-value-type": (
        (
            'resource "aws_cloudwatch_log_group" "planted" {\n  name              = "planted"\n'
            '  retention_in_days = "a week"\n}\n'
        ),
        "validate",
        'Inappropriate value for attribute "retention_in_days": a number is required.',
    ),
    "missing-required-argument": (
        'resource "aws_route53_record" "planted" {\n  name = "planted"\n  type = "A"\n}\n',
        "validate",
        'The argument "zone_id" is required, but no definition was found.',
    ),
    "nonexistent-attribute": (
        'output "planted" {\n  value = aws_vpc.this.no_such_attribute\n}\n',
        "validate",
        'This object has no argument, nested block, or exported attribute named "no_such_attribute".',
    ),
    "block-as-attribute": (
        (
            'resource "aws_s3_bucket_versioning" "planted" {\n  bucket = "planted"\n'
            '  versioning_configuration = {\n    status = "Enabled"\n  }\n}\n'
        ),
        "validate",
        (
            'An argument named "versioning_configuration" is not expected here. '
            'Did you mean to define a block of type "versioning_configuration"?'
        ),
    ),
    "too-many-blocks": (
        (
            'resource "aws_s3_bucket_versioning" "planted" {\n  bucket = "planted"\n'
            '  versioning_configuration {\n    status = "Enabled"\n  }\n'
            '  versioning_configuration {\n    status = "Suspended"\n  }\n}\n'
        ),
        "validate",
        "Too many versioning_configuration blocks",
    ),
    "missing-required-block": (
        'resource "aws_lb_listener" "planted" {\n  load_balancer_arn = "planted"\n}\n',
        "validate",
        "Insufficient default_action blocks",
    ),
    "for-each-known-after-apply": (
        (
            'resource "aws_cloudwatch_log_group" "planted" {\n  for_each = toset([aws_vpc.this.arn])\n'
            "  name     = each.key\n}\n"
        ),
        "plan",
        "Invalid for_each argument",
    ),
}


@pytest.fixture(scope="module")
def planted_validate(initialised: Path, cli_config: Path) -> list[str]:
    """One `terraform validate` with every validate-time mistake planted in its own file: the error sections."""
    files = []
    for mistake, (code, command, _message) in PLANTED.items():
        if command == "validate":
            files.append(initialised / f"planted_{mistake}.tf")
            # Each plant under its own name: one validate reports them all.
            files[-1].write_text(code.replace('"planted" {', f'"planted_{mistake.replace("-", "_")}" {{', 1))
    try:
        result = terraform(initialised, cli_config, "validate", "-no-color")
    finally:
        for path in files:
            path.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    return flat(result).split("Error: ")[1:]


@pytest.mark.parametrize("mistake", sorted(m for m, (_c, command, _m) in PLANTED.items() if command == "validate"))
def test_planted_mistake_is_caught_by_validate(planted_validate: list[str], mistake: str) -> None:
    message = PLANTED[mistake][2]
    sections = [section for section in planted_validate if f"planted_{mistake}.tf" in section]
    assert sections, f"no error in planted_{mistake}.tf"
    assert any(message in section for section in sections), sections


def test_for_each_over_a_value_known_only_after_apply_fails_the_plan(initialised: Path, cli_config: Path) -> None:
    code, _command, message = PLANTED["for-each-known-after-apply"]
    planted = initialised / "planted.tf"
    planted.write_text(code)
    var_file = initialised / "planted.tfvars.json"
    var_file.write_text(json.dumps(role_tfvars("dev")))
    try:
        result = terraform(
            initialised, cli_config, "plan", "-refresh=false", "-input=false", "-no-color", "-lock=false",
            f"-var-file={var_file.name}",
        )  # fmt: skip
    finally:
        planted.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in flat(result) and "planted.tf" in flat(result)
    assert "cannot be determined until apply" in flat(result)


# --- the six plans


@dataclass
class Plan:
    environment: str
    custom_domain: bool
    tfvars: dict[str, Any]
    result: subprocess.CompletedProcess[str]
    seconds: float
    json_path: Path | None = None

    @property
    def document(self) -> dict[str, Any]:
        assert self.json_path is not None, self.result.stdout + self.result.stderr
        return json.loads(self.json_path.read_text())

    def changes(self, tf_type: str, name: str | None = None) -> list[dict[str, Any]]:
        return [
            change
            for change in self.document["resource_changes"]
            if change["type"] == tf_type and (name is None or change["name"] == name) and change["mode"] == "managed"
        ]


PLAN_CASES = [(environment, custom) for environment in ENVIRONMENTS for custom in (False, True)]


def case_id(environment: str, custom: bool) -> str:
    return f"{environment}-{'custom-domain' if custom else 'no-custom-domain'}"


@pytest.fixture(scope="module")
def plans(initialised: Path, cli_config: Path) -> dict[str, Plan]:
    """Each case planned once (the checks below read the same plans)."""
    found = {}
    for environment, custom in PLAN_CASES:
        name = case_id(environment, custom)
        tfvars = {**role_tfvars(environment), "enable_custom_domain": custom}
        (initialised / f"{name}.tfvars.json").write_text(json.dumps(tfvars))
        start = time.monotonic()
        result = terraform(
            initialised, cli_config, "plan", "-refresh=false", "-input=false", "-no-color", "-lock=false",
            f"-var-file={name}.tfvars.json", f"-out={name}.tfplan",
        )  # fmt: skip
        plan = Plan(environment, custom, tfvars, result, time.monotonic() - start)
        if result.returncode == 0:
            shown = terraform(initialised, cli_config, "show", "-json", f"{name}.tfplan")
            assert shown.returncode == 0, shown.stderr
            plan.json_path = initialised / f"{name}.json"
            plan.json_path.write_text(shown.stdout)
        found[name] = plan
    return found


@pytest.mark.parametrize(("environment", "custom"), PLAN_CASES, ids=[case_id(*case) for case in PLAN_CASES])
def test_plan_is_green_with_the_counts_the_inventory_implies(
    plans: dict[str, Plan], environment: str, custom: bool
) -> None:
    plan = plans[case_id(environment, custom)]
    assert plan.result.returncode == 0, plan.result.stdout + plan.result.stderr
    document = plan.document
    actions = Counter(
        action
        for change in document["resource_changes"]
        if change["mode"] == "managed"
        for action in change["change"]["actions"]
    )
    assert set(actions) == {"create"}, actions

    nat = plan.changes("aws_nat_gateway")
    assert len(nat) == NAT_GATEWAYS[environment] == (2 if plan.tfvars["nat_gateway_per_az"] else 1)
    assert len(plan.changes("aws_eip")) == len(nat)

    (database,) = plan.changes("aws_db_instance")
    assert database["change"]["after"]["multi_az"] is plan.tfvars["rds_multi_az"]
    assert database["change"]["after"]["publicly_accessible"] is False
    assert database["change"]["after"]["storage_encrypted"] is True

    certificates = {change["name"]: change for change in plan.changes("aws_acm_certificate")}
    validation_records = plan.changes("aws_route53_record", "acm_validation")
    validations = plan.changes("aws_acm_certificate_validation")
    if not custom:
        assert (certificates, validation_records, validations) == ({}, [], [])
        return
    assert set(certificates) == {"cloudfront", "regional"}
    assert certificates["cloudfront"]["change"]["after"]["region"] == "us-east-1"
    assert certificates["regional"]["change"]["after"]["region"] == plan.tfvars["aws_region"]
    config = {r["address"]: r for r in document["configuration"]["root_module"]["resources"]}
    assert config["aws_acm_certificate.cloudfront"]["provider_config_key"] == "aws.us_east_1"
    domain = f"*.{plan.tfvars['domain']}"
    assert sorted(record["index"] for record in validation_records) == [f"cloudfront {domain}", f"regional {domain}"]
    assert len(validations) == 2


@pytest.mark.parametrize(("environment", "custom"), PLAN_CASES, ids=[case_id(*case) for case in PLAN_CASES])
def test_plan_guards_the_account_and_tags_everything(plans: dict[str, Plan], environment: str, custom: bool) -> None:
    plan = plans[case_id(environment, custom)]
    document = plan.document
    assert document["variables"]["expected_account_id"]["value"] == plan.tfvars["expected_account_id"]
    providers = {key: p for key, p in document["configuration"]["provider_config"].items() if p["name"] == "aws"}
    assert set(providers) == {"aws", "aws.us_east_1"}
    for key, provider in providers.items():
        expressions = provider["expressions"]
        assert expressions["allowed_account_ids"]["references"] == ["var.expected_account_id"], key
        assert "default_tags" in expressions, key
    expected_tags = {**COMMON_TAGS, "Environment": environment}
    untagged = [
        change["address"]
        for change in document["resource_changes"]
        if "tags_all" in change["change"]["after"]
        and not expected_tags.items() <= change["change"]["after"]["tags_all"].items()
    ]
    tagged = [change for change in document["resource_changes"] if "tags_all" in change["change"]["after"]]
    assert len(tagged) > 30
    assert untagged == []


def expected_alarms(environment: str) -> dict[str, str]:
    """Alarm name -> threshold key, as the contract names them."""
    names = {}
    for key in ALARM_KEYS:
        stem = f"bbws-{environment}-{key.replace('_', '-')}"
        if key in NAT_ALARM_KEYS:
            names |= {f"{stem}-{index}": key for index in range(NAT_GATEWAYS[environment])}
        else:
            names[stem] = key
    return names


@pytest.mark.parametrize(("environment", "custom"), PLAN_CASES, ids=[case_id(*case) for case in PLAN_CASES])
def test_plan_has_the_alarms_topics_and_dashboard(plans: dict[str, Plan], environment: str, custom: bool) -> None:
    plan = plans[case_id(environment, custom)]
    thresholds = plan.tfvars["alarm_thresholds"]
    assert sorted(thresholds) == sorted(ALARM_KEYS)
    alarms = {change["change"]["after"]["alarm_name"]: change for change in plan.changes("aws_cloudwatch_metric_alarm")}
    expected = expected_alarms(environment)
    assert len(alarms) == ALARMS[environment] == 13 + 2 * NAT_GATEWAYS[environment]
    assert sorted(alarms) == sorted(expected)
    notify_ok = plan.tfvars["alarm_notify_ok"]
    assert notify_ok is (environment == "prod")
    max_connections = MAX_CONNECTIONS[plan.tfvars["rds_instance_class"]]
    for name, change in alarms.items():
        key, after, unknown = expected[name], change["change"]["after"], change["change"]["after_unknown"]
        cloudfront = key == "cloudfront_5xx_error_rate_percent"
        assert after["region"] == ("us-east-1" if cloudfront else plan.tfvars["aws_region"]), name
        # One action each, the topic's ARN (known after apply); OK actions only where the inventory asks for them.
        assert (after["alarm_actions"], unknown["alarm_actions"]) == ([None], [True]), name
        assert after["ok_actions"] == ([None] if notify_ok else []), name
        if key == "rds_connections_percent":
            assert after["threshold"] == max_connections * thresholds[key] // 100, name
        else:
            assert after["threshold"] == thresholds[key], name
    topics = {change["change"]["after"]["name"]: change for change in plan.changes("aws_sns_topic")}
    assert sorted(topics) == [f"bbws-{environment}-alarms", f"bbws-{environment}-alarms-us-east-1"]
    assert topics[f"bbws-{environment}-alarms-us-east-1"]["change"]["after"]["region"] == "us-east-1"
    assert all(topic["change"]["after_unknown"]["kms_master_key_id"] for topic in topics.values())
    subscriptions = plan.changes("aws_sns_topic_subscription")
    assert len(subscriptions) == 2 * len(plan.tfvars["alarm_email_endpoints"])
    assert (environment == "dev") is (subscriptions == [])
    endpoints = {change["change"]["after"]["endpoint"] for change in subscriptions}
    assert endpoints == set(plan.tfvars["alarm_email_endpoints"])
    (dashboard,) = plan.changes("aws_cloudwatch_dashboard")
    assert dashboard["change"]["after"]["dashboard_name"] == f"bbws-{environment}"


# --- terraform test


def test_terraform_test_files_pass(initialised: Path, cli_config: Path) -> None:
    result = terraform(initialised, cli_config, "test", "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout
    for path in sorted((STACK / "tests").glob("*.tftest.hcl")):
        assert f"tests/{path.name}... pass" in result.stdout


# --- checkov on the plan JSON

# Findings an inventory chooses on purpose: accepted only in plans whose tfvars make that choice.
ACCEPTED_BY_INVENTORY = {
    "CKV_AWS_157": ("rds_multi_az", False),  # single-AZ RDS where the sizing says so
    "CKV_AWS_293": ("rds_deletion_protection", False),  # deletion protection off where the inventory allows
    "CKV_AWS_150": ("alb_deletion_protection", False),
    "CKV2_AWS_11": ("enable_flow_logs", False),  # flow logs only where the inventory turns them on
}


def test_checkov_passes_on_every_plan(plans: dict[str, Plan], initialised: Path) -> None:
    assert CHECKOV.is_file(), "checkov venv missing: make .venv-checkov/.installed"
    by_file = {}
    args = []
    for name, plan in plans.items():
        assert plan.json_path is not None, f"{name} did not plan"
        by_file[plan.json_path.name] = plan
        args += ["-f", str(plan.json_path)]
    completed = subprocess.run(
        [str(CHECKOV), *args, "--framework", "terraform_plan", "--repo-root-for-plan-enrichment", str(initialised),
         "--skip-download", "--compact", "-o", "json"],
        capture_output=True, text=True, env={**os.environ, "BC_SKIP_MAPPING": "TRUE"}, timeout=600, check=False,
    )  # fmt: skip
    report = json.loads(completed.stdout)
    report = next(r for r in report if r["check_type"] == "terraform_plan") if isinstance(report, list) else report
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 6 * 100
    failures = []
    accepted = Counter()
    for failed in report["results"]["failed_checks"]:
        plan = by_file[Path(failed["file_abs_path"]).name]
        variable, value = ACCEPTED_BY_INVENTORY.get(failed["check_id"], (None, None))
        if variable is not None and plan.tfvars[variable] is value:
            accepted[failed["check_id"]] += 1
            continue
        failures.append(f"{failed['check_id']} {failed['resource']} in {failed['file_path']}: {failed['check_name']}")
    assert failures == []
    assert "Traceback" not in completed.stderr, completed.stderr[-3000:]
