"""The edge phase against the emulated accounts: bounded waits with progress, the fallback and its cause.

Each test is one real ansible-playbook run of site.yml --tags edge (guard and summary always run) with
short timeouts. The terraform applies cannot run here (no AWS provider), so the phase reads the certificate
and distribution that tools/faults.py created, exactly as it reads those the apply creates.
"""

from __future__ import annotations

import threading

import pytest

import faults
from edge_support import edge_env
from edge_support import edge_run_args
from edge_support import flat_output
from edge_support import release_when_logged
from edge_support import pending_emulator

pytestmark = pytest.mark.emulator


def test_pending_certificate_falls_back_with_cause_and_cloudfront_url(aws, playbook, tmp_path, monkeypatch):
    with pending_emulator(tmp_path / "pending") as emu:
        for key, value in emu.env().items():
            monkeypatch.setenv(key, value)
        clusters = {env: faults.build_cluster(env) for env in ("dev", "prod")}
        faults.inject("prod", "certificate_pending", cluster=clusters["prod"])
        # dev's zone is delegated (prod's NS records match), so dev waits for its certificate too.
        run = playbook(
            *edge_run_args("dev", "prod", edge_certificate_timeout=3, edge_certificate_delay=1),
            env=edge_env(emu),
        )
    out = run.stdout
    flat = flat_output(out)
    assert run.returncode == 0, out[-4000:] + run.stderr[-2000:]
    # Bounded wait with progress on screen: 3 attempts, 1 s apart.
    assert "Wait for the certificate to be ISSUED, up to 3 s" in out
    assert "FAILED - RETRYING: [bbws-prod]" in out and "(1 retries left)" in out
    # prod: its validation CNAME was removed from the zone -> fallback naming that cause and the distribution URL.
    prod_url = f"https://{clusters['prod'].distribution_domain}"
    assert f"PROD edge: default certificate; URL {prod_url}; LIMITATION: tenants are reached at {prod_url}" in flat
    assert (
        "instead of *.wp.kimmyai.io. Cause: ACM certificate validation timeout (3 s): the certificate's validation"
        " CNAME is not in the zone"
        in flat
    )
    # ... looked for where the stack writes it: prod's adopted root zone (there is no wp.kimmyai.io zone).
    assert "acm-validations.aws. (zone kimmyai.io)" in flat and "(zone wp.kimmyai.io)" not in flat
    # dev: the zone had no delegation before this run (--tags edge: the dns phase did not run) -> default
    # certificate without waiting, cause named.
    dev_url = f"https://{clusters['dev'].distribution_domain}"
    assert f"DEV edge: default certificate; URL {dev_url}" in flat
    assert "DNS delegation not verified: kimmyai.io does not delegate wpdev.kimmyai.io" in flat
    assert "apply with enable_custom_domain=false not run: terraform applies are not runnable here" in flat


def test_cloudfront_in_progress_waits_with_the_seed_note_then_succeeds(aws, playbook, tmp_path):
    clusters = {env: faults.build_cluster(env) for env in ("sit", "prod")}
    faults.inject("prod", "cloudfront_in_progress", cluster=clusters["prod"], api=aws.api)
    # CloudFront finishes deploying while the phase waits: released once the log shows the wait retrying.
    log = tmp_path / "ansible.log"
    release = threading.Thread(target=release_when_logged, args=(log, "FAILED - RETRYING: [bbws-prod]", aws.api))
    release.start()
    try:
        run = playbook(
            *edge_run_args(
                "sit", "prod", edge_distribution_timeout=30, edge_distribution_delay=1, edge_delegation_verified="true"
            ),
            env={**edge_env(aws), "ANSIBLE_LOG_PATH": str(log)},
        )
    finally:
        release.join(timeout=40)
        faults.release_cloudfront(aws.api)
    flat = flat_output(run.stdout)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    distribution = clusters["prod"].distribution_id
    assert f"PROD: CloudFront deployments can take 15-20 minutes; monitor distribution {distribution}" in flat
    assert "Wait for CloudFront to be Deployed, up to 30 s" in flat
    assert "FAILED - RETRYING: [bbws-prod]: custom | Wait for CloudFront to be Deployed, up to 30 s" in flat
    assert "PROD edge: custom domain; URL https://banana.wp.kimmyai.io" in flat
    assert f"distribution {distribution} is Deployed" in flat
    # The emulator's hold applies to every distribution not read yet (sit's too); both finish once released.
    assert "SIT edge: custom domain; URL https://banana.wpsit.kimmyai.io" in flat


def test_cloudfront_still_in_progress_at_the_timeout_is_reported_not_a_fallback(aws, playbook):
    cluster = faults.build_cluster("prod")
    faults.inject("prod", "cloudfront_in_progress", cluster=cluster, api=aws.api)
    try:
        run = playbook(
            *edge_run_args("prod", edge_distribution_timeout=2, edge_distribution_delay=1), env=edge_env(aws)
        )
    finally:
        faults.release_cloudfront(aws.api)
    flat = flat_output(run.stdout)
    assert run.returncode == 0, run.stdout[-4000:]
    assert "PROD edge: custom domain; URL https://banana.wp.kimmyai.io" in flat
    assert (
        "FAILED - RETRYING: [bbws-prod]: custom | Wait for CloudFront to be Deployed, up to 2 s (1 retries left)"
        in flat
    )
    note = f"CloudFront deployments can take 15-20 minutes; monitor distribution {cluster.distribution_id}"
    assert f"still InProgress after 2 s; it keeps deploying on its own: {note}" in flat
