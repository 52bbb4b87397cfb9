"""The collection's terraform/ applied into the local emulator by Terraform itself (offline provider).

For tests and tools that need an environment's platform in its emulated account without a whole site run:
the stack is copied with a local backend, given the tfvars the terraform_stack role renders from the
inventory, and planned, applied or destroyed with the offline hashicorp/aws provider, which creates the
resources in the emulator through the environment's own profile (tools/offline_aws/). Refuses to run unless
AWS_ENDPOINT_URL points at the emulator on 127.0.0.1.

    python tools/emulated_stack.py apply dev [--dir .build/stacks] [--custom-domain]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
STACK = REPO / "terraform"
TERRAFORM = Path(sys.executable).parent / "terraform"
sys.path.insert(0, str(REPO / "tools"))

from inventory import host_vars  # noqa: E402  (tools/ is put on the path just above)
from inventory import stack_tfvars  # noqa: E402

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class StackError(RuntimeError):
    """A terraform command failed; the message holds its output."""


def require_emulator() -> str:
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if urllib.parse.urlparse(endpoint).hostname not in LOOPBACK:
        raise StackError(
            f"Refusing to apply: AWS_ENDPOINT_URL is {endpoint or 'unset'}. This applies into the local emulator only "
            "(python tools/emulator.py start --dir .build/emulator; source .build/emulator/env.sh)."
        )
    return endpoint


def cli_config() -> str:
    """The offline provider's CLI config as a filesystem mirror (a stack copy that keeps a state)."""
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "offline_provider.py"), "mirror-config"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout.strip()


@dataclass
class Stack:
    """One environment's copy of terraform/ with its own local state."""

    environment: str
    workdir: Path
    custom_domain: bool = False
    # Where the local backend keeps the state (default: terraform.tfstate in the workdir); the site run's layout is
    # <artifacts>/local-emulator/<environment>/terraform.tfstate (terraform_stack under the local emulator).
    state_path: Path | None = None

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)
        self.facts = host_vars(self.environment)

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": cli_config()}
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(key, None)
        env["AWS_PROFILE"] = self.facts["bbws_aws_profile"]
        return env

    def tfvars(self) -> dict[str, Any]:
        return {**stack_tfvars(self.environment), "enable_custom_domain": self.custom_domain}

    def prepare(self) -> None:
        """Copy the stack (its .tf files only) beside a local backend and the inventory's tfvars; init once."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        for path in STACK.glob("*.tf"):
            shutil.copy(path, self.workdir / path.name)
        (self.workdir / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
        (self.workdir / "terraform.tfvars.json").write_text(json.dumps(self.tfvars(), indent=2))
        if not (self.workdir / ".terraform").is_dir():
            where = [f"-backend-config=path={self.state_path}"] if self.state_path else []
            self.terraform("init", "-input=false", *where)

    def terraform(self, *args: str, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        require_emulator()
        result = subprocess.run(
            [str(TERRAFORM), *args, "-no-color"],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode not in (0,):
            raise StackError(f"terraform {' '.join(args)} failed in {self.workdir}:\n{result.stdout}\n{result.stderr}")
        return result

    def apply(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.prepare()
        return self.terraform("apply", "-auto-approve", "-input=false", *args)

    def plan(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`terraform plan -detailed-exitcode`: 0 no change, 2 changes (not raised), anything else raised."""
        self.prepare()
        result = self.terraform("plan", "-input=false", "-detailed-exitcode", *args, check=False)
        if result.returncode not in (0, 2):
            raise StackError(f"terraform plan failed in {self.workdir}:\n{result.stdout}\n{result.stderr}")
        return result

    def destroy(self) -> subprocess.CompletedProcess[str]:
        self.prepare()
        return self.terraform("destroy", "-auto-approve", "-input=false")

    def outputs(self) -> dict[str, Any]:
        result = self.terraform("output", "-json")
        return {name: value["value"] for name, value in json.loads(result.stdout or "{}").items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("apply", "plan", "destroy"))
    parser.add_argument("environment", choices=("dev", "sit", "prod"))
    parser.add_argument("--dir", default=str(REPO / ".build" / "stacks"))
    parser.add_argument("--custom-domain", action="store_true")
    args = parser.parse_args(argv)
    stack = Stack(args.environment, Path(args.dir) / args.environment, custom_domain=args.custom_domain)
    try:
        result = getattr(stack, args.action)()
    except StackError as error:
        print(error, file=sys.stderr)
        return 1
    print(result.stdout)
    return 0 if result.returncode in (0, 2) else result.returncode


if __name__ == "__main__":
    sys.exit(main())
