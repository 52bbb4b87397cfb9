"""The terraform_stack role's own environment, region and account reach the tfvars, the state key and the approval.

The role's defaults are templated as Ansible templates them for a host of an inventory, once as they are and once with
``terraform_stack_environment`` (and region, account) overridden: what the role renders must follow the override, and
never read the inventory's environment behind its back.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from stack_paths import REPO

ROLE_DEFAULTS = REPO / "roles" / "terraform_stack" / "defaults" / "main.yml"
RENDERED = (
    "terraform_stack_variables",
    "terraform_stack_backend_config",
    "terraform_stack_approve",
    "terraform_stack_plan_store_prefix",
)


def render(environment: str, **overrides: Any) -> dict[str, Any]:
    """The role's defaults for ``bbws-<environment>``, with ``overrides`` as role variables."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible.template import trust_as_template
    from inventory import host_vars

    def trusted(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: trusted(v) for k, v in value.items()}
        return trust_as_template(value) if isinstance(value, str) else value

    defaults = yaml.safe_load(ROLE_DEFAULTS.read_text())
    context = {**{k: trusted(v) for k, v in defaults.items()}, **host_vars(environment), **overrides}
    templar = Templar(loader=DataLoader(), variables=context)
    return {name: templar.template(trusted(defaults[name])) for name in RENDERED}


def test_the_inventory_environment_is_the_default():
    rendered = render("dev")
    assert rendered["terraform_stack_variables"]["environment"] == "dev"
    assert rendered["terraform_stack_backend_config"]["key"] == "ecs-cluster/dev/terraform.tfstate"


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_an_overridden_environment_reaches_tfvars_state_key_and_approval(environment):
    rendered = render(
        environment,
        terraform_stack_environment="qa",
        terraform_stack_region="eu-west-1",
        terraform_stack_account_id="111122223333",
        bbws_approve={environment: "a" * 12, "qa": "b" * 12},
    )
    tfvars = rendered["terraform_stack_variables"]
    assert tfvars["environment"] == "qa"
    assert tfvars["aws_region"] == "eu-west-1"
    assert tfvars["expected_account_id"] == "111122223333"
    # Another environment's state object, never the inventory environment's: planning qa must not read dev's state.
    assert rendered["terraform_stack_backend_config"]["key"] == "ecs-cluster/qa/terraform.tfstate"
    assert rendered["terraform_stack_approve"] == "b" * 12


def test_a_stack_the_inventory_names_has_its_own_state_key_plan_store_and_approval():
    """A second stack of an environment (a disaster-recovery standby): the environment's names, its own state."""
    rendered = render("prod", bbws_stack="prod-dr", bbws_approve={"prod": "a" * 12, "prod-dr": "b" * 12})
    assert rendered["terraform_stack_variables"]["environment"] == "prod"
    assert rendered["terraform_stack_backend_config"]["key"] == "ecs-cluster/prod-dr/terraform.tfstate"
    assert rendered["terraform_stack_plan_store_prefix"] == "ecs-cluster/prod-dr/plans"
    assert rendered["terraform_stack_approve"] == "b" * 12
