"""Read the inventories as Ansible reads them, for tools and tests.

The inventories are the one source of per-environment truth. Tools that run outside a playbook (the
emulated-cluster builder, the emulator's zone creator, the contract tests) read them through Ansible's own
inventory and variable managers, so a value is the same here as in a play, Jinja references included.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("dev", "sit", "prod")
# Stacks that are not an environment's primary: the stack's name -> its environment (inventories/prod: the warm
# standby bbws-prod-dr).
STANDBYS = {"prod-dr": "prod"}


@lru_cache(maxsize=None)
def host_vars(environment: str) -> dict[str, Any]:
    """Every variable of ``bbws-<environment>`` in ``inventories/<environment>``, templated; a standby's stack name
    (``prod-dr``) gives its host (``bbws-prod-dr`` in ``inventories/prod``)."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.manager import VariableManager

    if environment not in ENVIRONMENTS and environment not in STANDBYS:
        known = ", ".join(ENVIRONMENTS + tuple(STANDBYS))
        raise ValueError(f"unknown environment {environment!r}: use one of {known}")
    loader = DataLoader()
    folder = STANDBYS.get(environment, environment)
    inventory = InventoryManager(loader=loader, sources=[str(REPO / "inventories" / folder)])
    variables = VariableManager(loader=loader, inventory=inventory)
    host = inventory.get_host(f"bbws-{environment}")
    raw = variables.get_vars(host=host, include_hostvars=False)
    # The run-time values of the registry (verdicts and failures of other hosts of a run) render as for a run of
    # this host alone.
    return _render(raw, {**raw, "ansible_play_hosts_all": [], "hostvars": {}})


def _render(raw: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar

    templar = Templar(loader=DataLoader(), variables=context)
    keep = {k: v for k, v in raw.items() if k.startswith("bbws_")}
    return {k: _plain(templar.template(v)) for k, v in keep.items()}


def _plain(value: Any) -> Any:
    """Ansible's tagged/lazy containers as plain Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def stack_tfvars(environment: str) -> dict[str, Any]:
    """The tfvars the terraform_stack role renders for an inventory: its mapping templated with the host's variables."""
    import json

    import yaml
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    from ansible.template import trust_as_template

    defaults = yaml.safe_load((REPO / "roles" / "terraform_stack" / "defaults" / "main.yml").read_text())
    # The mapping's other inputs are role defaults (enable_custom_domain: decided at plan time unless forced).
    context = {
        **{
            k: trust_as_template(v) if isinstance(v, str) else v
            for k, v in defaults.items()
            if k != "terraform_stack_variables"
        },
        **host_vars(environment),
    }
    templar = Templar(loader=DataLoader(), variables=context)
    # Role defaults are trusted templates when Ansible loads them; plain YAML needs the same mark.
    mapping = defaults["terraform_stack_variables"]
    rendered = {name: templar.template(trust_as_template(value)) for name, value in mapping.items()}
    return json.loads(json.dumps(rendered, default=str))
