"""Helpers of the site-run tests: the three inventories, and reading a play's section of the output."""

from __future__ import annotations

import re

# The three environments without prod's DR standby (bbws-prod-dr), whose site runs tests/integration/dr covers: it is
# planned from prod's live stack and needs an approval of its own.
INVENTORIES = ("-i", "inventories/dev", "-i", "inventories/sit", "-i", "inventories/prod", "--limit", "!bbws-prod-dr")
# ansible.cfg sends the terraform CLI no config; the machine's default path may not exist.
TF_ENV_KEY = "TF_CLI_CONFIG_FILE"


def plays(stdout: str) -> list[tuple[str, str]]:
    """(play name, its output) in the order the plays ran."""
    parts = re.split(r"^PLAY \[(.*?)\] \**$", stdout, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def summary(stdout: str) -> str:
    """The closing summary block (from its header to the next task)."""
    stdout = flat_output(stdout)
    start = stdout.index("SITE RUN SUMMARY")
    end = stdout.index("TASK [", start)
    return stdout[start:end]


def flat_output(stdout: str) -> str:
    """The output with the YAML callback's line wrapping and quote doubling undone, for phrase matching."""
    return stdout.replace("\n        ", " ").replace("''", "'")
