"""cluster_health against the emulated cluster: healthy, each injected fault, waits, check mode, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import boto3
import pytest

import faults
from ansible_collections.bbws.ecs_cluster.plugins.modules import cluster_health

pytestmark = pytest.mark.emulator


def findings(result: dict, area: str | None = None) -> list[dict]:
    return [f for f in result["findings"] if area is None or f["area"] == area]


def test_healthy_cluster_is_healthy(dev_cluster, module_runner, health_args):
    result = module_runner(cluster_health, health_args("dev"))
    assert not result.failed, result
    assert result["changed"] is False
    assert result["status"] == "healthy", result["findings"]
    assert result["findings"] == []
    statuses = {c["name"]: c["status"] for c in result["checks"]}
    for name in (
        "ECS cluster ACTIVE",
        "RDS available",
        "EFS mount targets",
        "ALB active",
        "CloudFront deployed",
        "Certificate ISSUED",
        "ECS tasks -> RDS MySQL",
        "ECS tasks -> EFS (NFS)",
        "ALB -> ECS tasks",
        "CloudFront -> ALB",
    ):
        assert statuses[name] == "pass", name
    access = result["access_points"]
    assert access["alb_dns_name"] == dev_cluster.alb_dns_name
    assert access["cloudfront_distribution_id"] == dev_cluster.distribution_id
    assert access["efs_id"] == dev_cluster.efs_id
    assert access["tenant_url_example"] == f"banana.{dev_cluster.domain}"
    assert result["account_id"] == dev_cluster.account_id
    # Reading a whole cluster is a few dozen calls, not hundreds (alarms, quotas and headroom usage included).
    assert sum(result["api_calls"].values()) < 45


def test_missing_rds_ingress_names_both_groups_port_and_fix(dev_cluster, module_runner, health_args):
    faults.inject("dev", "rds_ingress_missing", cluster=dev_cluster)
    result = module_runner(cluster_health, health_args("dev"))
    assert result["status"] == "unhealthy"
    [finding] = findings(result, "connectivity")
    ecs_sg, rds_sg = dev_cluster.security_groups["ecs"], dev_cluster.security_groups["rds"]
    assert finding["resource_ids"] == [ecs_sg, rds_sg]
    assert ecs_sg in finding["summary"] and rds_sg in finding["summary"] and "tcp/3306" in finding["summary"]
    assert "missing ingress rule" in finding["summary"]
    assert finding["fix"]["terraform"] == "terraform apply -target=aws_vpc_security_group_ingress_rule.rds_from_ecs"
    assert (
        finding["fix"]["cli"]
        == f"aws ec2 authorize-security-group-ingress --group-id {rds_sg} --ip-permissions "
        f"IpProtocol=tcp,FromPort=3306,ToPort=3306,UserIdGroupPairs='[{{GroupId={ecs_sg}}}]' "
        "--region af-south-1 --profile Tebogo-dev"
    )
    # The fix is exact: running the CLI command's API equivalent makes the cluster healthy again.
    boto3.Session(profile_name="Tebogo-dev").client("ec2").authorize_security_group_ingress(
        GroupId=rds_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "UserIdGroupPairs": [{"GroupId": ecs_sg}]}
        ],
    )
    assert module_runner(cluster_health, health_args("dev"))["status"] == "healthy"


def test_missing_ecs_egress_is_the_seed_example(dev_cluster, module_runner, health_args):
    faults.inject("dev", "ecs_egress_rds_missing", cluster=dev_cluster)
    [finding] = findings(module_runner(cluster_health, health_args("dev")), "connectivity")
    ecs_sg, rds_sg = dev_cluster.security_groups["ecs"], dev_cluster.security_groups["rds"]
    assert "missing egress rule" in finding["summary"]
    assert finding["fix"]["terraform"] == "terraform apply -target=aws_vpc_security_group_egress_rule.ecs_to_rds"
    assert finding["fix"]["cli"].startswith(f"aws ec2 authorize-security-group-egress --group-id {ecs_sg} ")
    assert f"UserIdGroupPairs='[{{GroupId={rds_sg}}}]'" in finding["fix"]["cli"]


def test_alb_to_ecs_missing_on_both_sides(dev_cluster, module_runner, health_args):
    faults.inject("dev", "alb_to_ecs_missing", cluster=dev_cluster)
    [finding] = findings(module_runner(cluster_health, health_args("dev")), "connectivity")
    assert "missing both ingress and egress rule" in finding["summary"] and "tcp/80" in finding["summary"]
    assert (
        finding["fix"]["terraform"]
        == "terraform apply -target=aws_vpc_security_group_egress_rule.alb_to_ecs "
        "-target=aws_vpc_security_group_ingress_rule.ecs_from_alb"
    )
    assert finding["fix"]["cli"].count("aws ec2 authorize-security-group-") == 2


def test_efs_ingress_missing(dev_cluster, module_runner, health_args):
    faults.inject("dev", "efs_ingress_missing", cluster=dev_cluster)
    [finding] = findings(module_runner(cluster_health, health_args("dev")), "connectivity")
    assert "tcp/2049" in finding["summary"]
    assert finding["fix"]["terraform"] == "terraform apply -target=aws_vpc_security_group_ingress_rule.efs_from_ecs"


def test_public_rds_is_critical(dev_cluster, module_runner, health_args):
    faults.inject("dev", "rds_public", cluster=dev_cluster)
    result = module_runner(cluster_health, health_args("dev"))
    [finding] = [f for f in findings(result, "security") if "publicly accessible" in f["summary"]]
    assert finding["severity"] == "critical"
    assert f"--db-instance-identifier {dev_cluster.rds_identifier} --no-publicly-accessible" in finding["fix"]["cli"]
    assert result["status"] == "unhealthy"


def test_rds_open_to_the_internet(dev_cluster, module_runner, health_args):
    faults.inject("dev", "rds_open_to_internet", cluster=dev_cluster)
    [finding] = findings(module_runner(cluster_health, health_args("dev")), "security")
    assert finding["severity"] == "critical"
    assert dev_cluster.security_groups["rds"] in finding["summary"] and "0.0.0.0/0" in finding["summary"]
    assert finding["fix"]["cli"].startswith(
        f"aws ec2 revoke-security-group-ingress --group-id {dev_cluster.security_groups['rds']}"
    )


def test_dropped_mount_target(dev_cluster, module_runner, health_args):
    faults.inject("dev", "mount_target_missing", cluster=dev_cluster)
    result = module_runner(cluster_health, health_args("dev"))
    [finding] = findings(result, "efs")
    assert "af-south-1b" in finding["summary"] and dev_cluster.private_subnet_ids[1] in finding["resource_ids"]
    assert (
        f"aws efs create-mount-target --file-system-id {dev_cluster.efs_id} --subnet-id "
        f"{dev_cluster.private_subnet_ids[1]} --security-groups {dev_cluster.security_groups['efs']}"
        in finding["fix"]["cli"]
    )
    assert result["status"] == "unhealthy"


def test_cloudfront_in_progress_is_degraded_with_the_wait_note(dev_cluster, module_runner, health_args, aws):
    try:
        faults.inject("dev", "cloudfront_in_progress", cluster=dev_cluster, api=aws.api)
        result = module_runner(cluster_health, health_args("dev"))
    finally:
        faults.release_cloudfront(aws.api)
    assert result["status"] == "degraded"
    [finding] = findings(result, "cloudfront")
    assert finding["severity"] == "info"
    assert "15-20 minutes" in finding["summary"] and dev_cluster.distribution_id in finding["summary"]


def test_mixed_environment_tag_is_reported_not_changed(dev_cluster, module_runner, health_args):
    faults.inject("dev", "mixed_environment_tag", cluster=dev_cluster)
    result = module_runner(cluster_health, health_args("dev"))
    [finding] = findings(result, "tags")
    efs_sg = dev_cluster.security_groups["efs"]
    assert (
        "Mixed-environment" in finding["summary"]
        and efs_sg in finding["summary"]
        and "Environment=sit" in finding["summary"]
    )
    assert "Nothing was changed" in finding["recommendation"]
    tags = (
        boto3.Session(profile_name="Tebogo-dev")
        .client("ec2")
        .describe_tags(
            Filters=[{"Name": "resource-id", "Values": [efs_sg]}, {"Name": "key", "Values": ["Environment"]}]
        )["Tags"]
    )
    assert tags[0]["Value"] == "sit"


def test_sizing_drift_against_the_inventory(dev_cluster, module_runner, health_args):
    faults.inject("dev", "log_retention", cluster=dev_cluster)
    result = module_runner(
        cluster_health, health_args("dev", policy={"rds_instance_class": "db.r5.large", "log_retention_days": 7})
    )
    summaries = " | ".join(f["summary"] for f in result["findings"])
    assert "is db.t3.micro, the inventory says db.r5.large" in summaries
    assert "keeps logs 1 days, the inventory says 7" in summaries
    assert result["status"] == "degraded"


def test_prod_records_live_in_the_adopted_root_zone(aws, module_runner, health_args):
    # terraform adopts kimmyai.io in prod (root_zone_mode = "adopt"): no wp.kimmyai.io zone exists.
    facts = faults.load_inventory("prod")
    root, domain = facts["bbws_root_domain"], facts["bbws_domain"]
    cluster = faults.build_cluster("prod")
    zones = [
        z["Name"].rstrip(".")
        for z in (
            boto3.Session(profile_name=facts["bbws_aws_profile"]).client("route53").list_hosted_zones()["HostedZones"]
        )
    ]
    assert zones == [root]
    result = module_runner(cluster_health, health_args("prod"))
    assert result["status"] == "healthy", result["findings"]
    checks = {c["name"]: c for c in result["checks"]}
    assert checks["Route53 zone"]["status"] == "pass" and checks["Route53 zone"]["detail"].startswith(
        f"{root} ({cluster.zone_id})"
    )
    assert checks["Validation records in the zone"]["status"] == "pass"
    present, _sep, where = checks["Validation records in the zone"]["detail"].partition(" present in ")
    found, total = present.split("/")
    assert where == root and found == total != "0"
    assert result["access_points"]["certificate_domain"] == f"*.{domain}"
    assert f"- Route53 Zone: {root} ({cluster.zone_id})" in result["summary"]
    # Looking for a zone named after the domain (no zone option) is what a real prod account would fail.
    result = module_runner(cluster_health, health_args("prod", zone=None))
    assert any(f"The hosted zone {domain} does not exist" in f["summary"] for f in findings(result, "dns"))


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_certificate_pending_without_validation_records(environment, tmp_path, module_runner, health_args, monkeypatch):
    # The shared emulator issues certificates at once; this one keeps them pending as real ACM does
    # while the validation CNAME is missing.
    monkeypatch.setenv("MOTO_ACM_VALIDATION_WAIT", "3600")
    with pending_certificate_emulator(tmp_path) as emu:
        for key, value in emu.env().items():
            monkeypatch.setenv(key, value)
        cluster = faults.build_cluster(environment, certificate_pending=True)
        faults.inject(environment, "certificate_pending", cluster=cluster)
        result = module_runner(cluster_health, health_args(environment))
    zone = faults.load_inventory(environment)["bbws_dns_zone"]
    [finding] = findings(result, "acm")
    assert "PENDING_VALIDATION" in finding["summary"] and f"are missing from {zone}." in finding["summary"]
    assert f".{cluster.domain}." in finding["summary"]
    assert f"aws route53 change-resource-record-sets --hosted-zone-id {cluster.zone_id}" in finding["fix"]["cli"]
    checks = {c["name"]: c for c in result["checks"]}
    detail = checks["Validation records in the zone"]["detail"]
    assert detail.startswith("0/") and detail.endswith(f" present in {zone}")
    assert result["status"] == "unhealthy"


def pending_certificate_emulator(workdir):
    from emulator import Emulator

    return Emulator(workdir)


def test_rds_creating_then_available_within_the_wait(dev_cluster, module_runner, health_args, monkeypatch):
    """moto has no RDS state transitions (instances are available at once): a wrapper around the real
    client answers "creating" for the first two reads; every other call goes to the emulator."""
    from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_collect

    reads, sleeps = [], []
    real_read = cluster_health_collect.read_rds

    class CreatingTwice:
        def __init__(self, client):
            self.client = client

        def describe_db_instances(self, **kwargs):
            answer = self.client.describe_db_instances(**kwargs)
            reads.append(1)
            if len(reads) <= 2:
                answer["DBInstances"][0]["DBInstanceStatus"] = "creating"
            return answer

        def __getattr__(self, name):
            return getattr(self.client, name)

    def read_rds(rds, secrets, ctx, ec2=None):
        ctx.sleep = sleeps.append  # no real sleeping in a test; the backoff delays are recorded
        return real_read(CreatingTwice(rds), secrets, ctx, ec2)

    monkeypatch.setattr(cluster_health_collect, "read_rds", read_rds)
    result = module_runner(cluster_health, health_args("dev", wait_timeout=600))
    assert len(reads) == 3 and sleeps == [2.0, 4.0]
    assert result["status"] == "healthy", result["findings"]

    reads.clear(), sleeps.clear()
    result = module_runner(cluster_health, health_args("dev", wait_timeout=0))
    assert len(reads) == 1 and sleeps == []
    [finding] = findings(result, "rds")
    assert "is creating" in finding["summary"] and result["status"] == "unhealthy"


def test_secret_value_never_appears(dev_cluster, module_runner, health_args, tmp_path):
    secrets = boto3.Session(profile_name="Tebogo-dev").client("secretsmanager")
    arn = (
        boto3.Session(profile_name="Tebogo-dev")
        .client("rds")
        .describe_db_instances()["DBInstances"][0]["MasterUserSecret"]["SecretArn"]
    )
    value = secrets.get_secret_value(SecretId=arn)["SecretString"]
    password = json.loads(value)["password"]
    result = module_runner(cluster_health, health_args("dev", report_dir=str(tmp_path)))
    assert result["access_points"]["rds_master_secret"]  # the secret is named...
    text = json.dumps(result) + "".join(open(p, encoding="utf-8").read() for p in result["report_files"].values())
    assert password not in text and value not in text  # ...but its value is never read nor written


def test_check_mode_reads_and_reports(dev_cluster, module_runner, health_args, tmp_path):
    result = module_runner(
        cluster_health, {**health_args("dev", report_dir=str(tmp_path)), "_ansible_check_mode": True}
    )
    assert result["changed"] is False and result["status"] == "healthy"
    assert sorted(os.path.basename(p) for p in result["report_files"].values()) == [
        "dev-health.html",
        "dev-health.json",
        "dev-health.md",
    ]


@pytest.mark.parametrize(
    "args,message",
    [
        ({"environment": "qa"}, "value of environment must be one of: dev, sit, prod"),
        ({"environment": "dev", "wait_timeout": -5}, "wait_timeout must be 0"),
        ({"environment": "dev", "policy": {"rds_multi_az": "sometimes"}}, "rds_multi_az"),
        ({"environment": "dev", "resources": {"alb": "x"}}, "alb"),
        ({"environment": "dev", "profile": "Tebogo-qa"}, "AWS profile 'Tebogo-qa' is not configured"),
    ],
)
def test_argument_errors(aws, module_runner, args, message):
    result = module_runner(cluster_health, args)
    assert result.failed and message in result["msg"], result["msg"]
    assert "Traceback" not in str(result)


def test_empty_account_reports_what_is_missing(aws, module_runner, health_args):
    result = module_runner(cluster_health, health_args("sit"))
    assert result["status"] == "unhealthy"
    summaries = " | ".join(f["summary"] for f in result["findings"] if f["severity"] == "critical")
    assert (
        "ECS cluster bbws-sit-cluster does not exist" in summaries
        and "RDS instance bbws-sit-mysql does not exist" in summaries
    )


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium not installed (make apt-deps)")
def test_html_report_renders_its_tables_in_chromium(dev_cluster, module_runner, health_args, tmp_path):
    faults.inject("dev", "rds_ingress_missing", cluster=dev_cluster)
    result = module_runner(cluster_health, health_args("dev", report_dir=str(tmp_path / "report")))
    page = result["report_files"]["html"]
    html_text = open(page, encoding="utf-8").read()
    assert (
        "http://" not in html_text.replace(dev_cluster.alb_dns_name, "") and "<script" not in html_text
    )  # self-contained
    dom = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            f"file://{page}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    ).stdout
    areas = {c["area"] for c in result["checks"]}
    assert dom.count('<table class="area"') == len(areas) + 1  # one table per area, plus the access points
    assert "unhealthy" in dom and "rds_from_ecs" in dom and dev_cluster.security_groups["rds"] in dom
