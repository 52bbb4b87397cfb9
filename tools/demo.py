"""``make demo``: the main job of the collection, run against the built-in local AWS emulator.

It starts the emulator (three accounts on 127.0.0.1 behind the real profile names), shows the guard
accepting the three accounts and refusing a wrong one, plans the real terraform/ for each environment
(summaries, cost estimates, digests), runs the whole site over all three environments with those plans
approved by digest -- Terraform applies each environment into its emulated account through the offline
hashicorp/aws provider, then the DNS delegation, the edge and health run on what it made --, builds prod's
warm standby in eu-west-1 from prod's database and file system, runs the site over all four stacks again to
show it has nothing to change, breaks one security-group rule behind Terraform's back to
show the diagnosis, and stops the emulator.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

from emulator import Emulator  # noqa: E402  (tools/ is put on the path just above)
from emulator_zones import create_zones  # noqa: E402
from faults import inject  # noqa: E402

BIN = Path(sys.executable).parent
INVENTORIES = ["-i", "inventories/dev", "-i", "inventories/sit", "-i", "inventories/prod"]
# prod's warm standby in eu-west-1: the fourth stack, built once prod is.
STANDBY = "bbws-prod-dr"


def banner(text: str) -> None:
    print(f"\n{'=' * 100}\n{text}\n{'=' * 100}", flush=True)


def playbook(*args: str, env: dict[str, str]) -> int:
    # The demo runs against the built-in emulator and says so: the one switch that allows "not runnable here".
    cmd = [str(BIN / "ansible-playbook"), *args, "-e", "bbws_local_emulator=true"]
    print("$ ansible-playbook " + " ".join(args), flush=True)
    return subprocess.run(cmd, cwd=REPO, env=env, check=False).returncode


def plan_and_apply(host: str, env: dict[str, str]) -> int:
    """Plan one host of inventories/prod, then run the site for it with that plan approved by digest."""
    started = time.time()
    rc = playbook("playbooks/plan.yml", "-i", "inventories/prod", "--limit", host, env=env)
    if rc != 0:
        return rc
    plans = [
        json.loads(path.read_text())
        for path in (REPO / "artifacts").glob("*/plan-summary.json")
        if path.stat().st_mtime >= started - 1
    ]
    if len(plans) != 1:
        print(f"ERROR: expected one plan of {host}, found {len(plans)}.", file=sys.stderr)
        return 1
    approve = {plans[0]["environment"]: plans[0]["digest"][:12]}
    print(f"\nThe plan to approve, by digest: {approve}")
    return playbook(
        "site.yml", "-i", "inventories/prod", "--limit", host, "-e", json.dumps({"bbws_approve": approve}), env=env
    )


def main() -> int:
    workdir = REPO / ".build" / "demo"
    # The emulated runs keep each environment's Terraform state beside the artifacts; a new emulator starts empty.
    shutil.rmtree(REPO / "artifacts" / "local-emulator", ignore_errors=True)
    with Emulator(workdir) as emu:
        env = {**os.environ, **emu.env(), "ANSIBLE_COLLECTIONS_PATH": str(REPO / "collections"), "ANSIBLE_NOCOLOR": "1"}
        for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(key, None)
        banner(
            f"Local AWS emulator on {emu.endpoint}: accounts "
            + ", ".join(f"{e} {v['account_id']} ({v['profile']})" for e, v in emu.accounts.items())
        )

        banner("1. Guard: every profile of dev, sit and prod lands in its own account")
        rc = playbook("site.yml", *INVENTORIES, "--tags", "guard", env=env)
        if rc != 0:
            print("The guard refused the emulated accounts: see above.", file=sys.stderr)
            return rc

        banner("2. Guard: a prod run whose Tebogo-prod profile points at the DEV account is refused")
        wrong = emu.write_config(
            workdir / "aws_config_prod_points_at_dev", overrides={"Tebogo-prod": emu.accounts["dev"]["account_id"]}
        )
        rc = playbook("site.yml", "-i", "inventories/prod", "--check", env={**env, "AWS_CONFIG_FILE": str(wrong)})
        if rc == 0:
            print("ERROR: the guard let a prod run into the dev account.", file=sys.stderr)
            return 1
        print(f"\nRefused, as it must be (exit code {rc}): nothing was created in any account.")

        # The prod account's root zone exists before the platform (the stack adopts it), as in the real account.
        os.environ.update(emu.env())
        for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            os.environ.pop(key, None)
        create_zones(children=False)

        banner("3. Plan: Terraform plans the real terraform/ for dev, sit and prod (offline hashicorp/aws provider)")
        started = time.time()
        rc = playbook("playbooks/plan.yml", *INVENTORIES, env=env)
        if rc != 0:
            return rc
        digests = {}
        for summary in sorted((REPO / "artifacts").glob("*/plan-summary.json"), key=lambda p: p.stat().st_mtime):
            if summary.stat().st_mtime >= started - 1:
                record = json.loads(summary.read_text())
                digests[record["environment"]] = record["digest"][:12]
        print(f"\nThe plans to approve, by digest: {digests}")

        banner(
            "4. The whole site run over dev, sit and prod with those plans approved by digest: guard, backend, plan\n"
            "   (the approved plan, reused), approve, apply (Terraform creates each environment in its account:\n"
            "   dev and sit, then prod), DNS delegation from prod (wpdev -> dev, wpsit -> sit), edge, health, summary"
        )
        started = time.time()
        # prod's warm standby (bbws-prod-dr) is planned from prod's database and file system, so it gets its own plan
        # and approval once prod is built (step 6).
        rc = playbook(
            "site.yml", *INVENTORIES, "--limit", f"!{STANDBY}", "-e", json.dumps({"bbws_approve": digests}), env=env
        )
        if rc != 0:
            return rc
        first_run = time.time() - started

        # dev's and sit's zones were delegated by this run's dns phase, after their stacks were applied: their edge
        # plans (the custom domain on) wait for an approval of their own.
        edge = {}
        for path in sorted((REPO / "artifacts").glob("*/plan-summary.json"), key=lambda p: p.stat().st_mtime):
            record = json.loads(path.read_text())
            fresh = path.stat().st_mtime >= started - 1 and not (path.parent / "approval.json").exists()
            if fresh and record["changed"]:
                edge[record["environment"]] = record["digest"][:12]
        if edge:
            banner(
                f"5. The custom domains of {', '.join(sorted(edge))}: their zones are delegated now, so their edge"
                f" plans are approved by digest\n   {edge}: Terraform requests the certificates, validates them in the"
                " delegated zones and puts them on CloudFront"
            )
            rc = playbook("playbooks/edge.yml", *INVENTORIES, "-e", json.dumps({"bbws_edge_approve": edge}), env=env)
            if rc != 0:
                return rc

        banner(
            f"6. prod's warm standby in eu-west-1 ({STANDBY}): its plan reads prod's database and file system in"
            " af-south-1\n   (read replica, EFS replication, ECS services at zero); approved by digest and applied."
            " Then prod's plan finds\n   the standby's ALB and adds the CloudFront origin group that fails over to it"
        )
        for host in (STANDBY, "bbws-prod"):
            rc = plan_and_apply(host, env)
            if rc != 0:
                return rc

        banner("7. The same site run again, with no approval: every plan has nothing to do, nothing is applied")
        started = time.time()
        rc = playbook("site.yml", *INVENTORIES, env=env)
        if rc != 0:
            print("ERROR: the second site run did not finish cleanly: a re-run must plan no change.", file=sys.stderr)
            return rc
        print(
            f"\nFirst run (three applies) {first_run:.0f} s; run of all four stacks with nothing to apply"
            f" {time.time() - started:.0f} s."
        )

        banner(
            "8. Drift: the RDS ingress rule from the ECS security group is removed in dev behind Terraform's back;"
            " the health check diagnoses it"
        )
        print(inject("dev", "rds_ingress_missing"))
        rc = playbook("playbooks/health.yml", "-i", "inventories/dev", env=env)
        reports = sorted((REPO / "artifacts").glob("*-dev/health/dev-health.html"), key=lambda p: p.stat().st_mtime)
        index = REPO / "artifacts" / "index.html"
    banner("Demo finished; the emulator was stopped.")
    if index.is_file():
        print(f"Every environment's health reports, newest first: {index}")
    if not reports:
        print("ERROR: the health run wrote no dev report.", file=sys.stderr)
        return 1
    # Its first screen: the UNHEALTHY verdict, the broken ECS -> RDS path with its fix, and the diagram's red edge.
    print(f"Health report of the drift (open it in a browser): {reports[-1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
