"""The security-group graph, the status rules and the report renderers, on plain values (no AWS)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_analysis as analysis
from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_connectivity as connectivity
from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_report as report
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import Context
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import read_rds

VPC_CIDR = "10.10.0.0/16"


def rule(port: int | None = None, groups=(), cidrs=(), protocol: str = "tcp") -> dict:
    return {
        "protocol": protocol,
        "from_port": port,
        "to_port": port,
        "cidrs": list(cidrs),
        "groups": list(groups),
        "prefix_lists": [],
    }


def sg(gid: str, name: str, ingress=(), egress=()) -> dict:
    tags = {"Project": "bbws", "Environment": "dev", "ManagedBy": "terraform", "Name": name}
    return {"id": gid, "name": name, "tags": tags, "ingress": list(ingress), "egress": list(egress)}


def healthy_snapshot() -> dict:
    tags = {"Project": "bbws", "Environment": "dev", "ManagedBy": "terraform"}
    groups = {
        "sg-alb": sg(
            "sg-alb",
            "bbws-dev-alb",
            [rule(80, cidrs=["0.0.0.0/0"]), rule(443, cidrs=["0.0.0.0/0"])],
            [rule(80, ["sg-ecs"])],
        ),
        "sg-ecs": sg(
            "sg-ecs",
            "bbws-dev-ecs",
            [rule(80, ["sg-alb"])],
            [rule(3306, ["sg-rds"]), rule(2049, ["sg-efs"]), rule(443, cidrs=["0.0.0.0/0"])],
        ),
        "sg-rds": sg("sg-rds", "bbws-dev-rds", [rule(3306, ["sg-ecs"])]),
        "sg-efs": sg("sg-efs", "bbws-dev-efs", [rule(2049, ["sg-ecs"])]),
    }
    return {
        "network": {
            "found": True,
            "vpc": {"id": "vpc-1", "cidr": VPC_CIDR, "tags": tags},
            "subnets": [
                {"id": f"subnet-{k}{z}", "az": f"af-south-1{z}", "name": f"bbws-dev-{k}-af-south-1{z}", "tags": tags}
                for k in ("public", "private")
                for z in "ab"
            ],
            "security_groups": groups,
            "nat_gateways": [{"id": "nat-1", "state": "available", "subnet_id": "subnet-publica", "tags": tags}],
        },
        "ecs": {
            "found": True,
            "name": "bbws-dev-cluster",
            "arn": "arn:ecs",
            "status": "ACTIVE",
            "container_insights": "enabled",
            "running_tasks": 0,
            "active_services": 0,
            "services": [],
            "tags": tags,
        },
        "rds": {
            "found": True,
            "id": "bbws-dev-mysql",
            "arn": "arn:rds",
            "status": "available",
            "attempts": 1,
            "waited_seconds": 0,
            "engine": "mysql",
            "engine_version": "8.0",
            "instance_class": "db.t3.micro",
            "encrypted": True,
            "public": False,
            "multi_az": False,
            "backup_retention": 1,
            "deletion_protection": False,
            "endpoint": "db.example",
            "port": 3306,
            "security_groups": ["sg-rds"],
            "tags": tags,
            "secret": {
                "found": True,
                "arn": "arn:secret",
                "name": "rds!db-1",
                "rotation_enabled": True,
                "rotation_days": 7,
            },
        },
        "efs": {
            "found": True,
            "id": "fs-1",
            "state": "available",
            "encrypted": True,
            "tags": tags,
            "mount_targets": [
                {
                    "id": f"fsmt-{z}",
                    "subnet_id": f"subnet-private{z}",
                    "az": f"af-south-1{z}",
                    "state": "available",
                    "security_groups": ["sg-efs"],
                }
                for z in "ab"
            ],
        },
        "alb": {
            "found": True,
            "arn": "arn:alb",
            "name": "bbws-dev-alb",
            "dns_name": "alb.example",
            "state": "active",
            "security_groups": ["sg-alb"],
            "attributes": {},
            "listeners": [{"port": 80, "protocol": "HTTP"}, {"port": 443, "protocol": "HTTPS"}],
            "target_groups": [],
            "tags": tags,
        },
        "cloudfront": {
            "found": True,
            "id": "E1",
            "arn": "arn:cf",
            "domain": "d1.cloudfront.net",
            "status": "Deployed",
            "aliases": ["*.wpdev.kimmyai.io"],
            "certificate_arn": "arn:cert",
            "minimum_protocol": "TLSv1.2_2021",
            "viewer_protocol_policy": "redirect-to-https",
            "tags": tags,
            "origins": [
                {
                    "id": "alb",
                    "domain": "alb.example",
                    "protocol_policy": "http-only",
                    "http_port": 80,
                    "https_port": 443,
                }
            ],
        },
        "acm": {
            "found": True,
            "certificates": [
                {
                    "arn": "arn:cert",
                    "domain": "*.wpdev.kimmyai.io",
                    "status": "ISSUED",
                    "not_after": "2999-01-01T00:00:00+00:00",
                    "validation_records": [],
                },
            ],
        },
        "zone": {"found": True, "id": "Z1", "name": "wpdev.kimmyai.io", "name_servers": ["ns-1"], "records": []},
        "logs": {"found": True, "name": "/ecs/dev", "retention_days": 7},
        "tagged": {"found": True, "resources": []},
    }


UNHEALTHY_TARGET_GROUP = {
    "arn": "arn:tg",
    "name": "tg",
    "port": 80,
    "health_check_path": "/",
    "states": {"unhealthy": 2},
    "reasons": ["Target.Timeout"],
}
ENV = analysis.Env(
    "dev",
    "bbws",
    "af-south-1",
    "us-east-1",
    "Tebogo-dev",
    "wpdev.kimmyai.io",
    {"log_retention_days": 7, "nat_gateway_per_az": False, "rds_instance_class": "db.t3.micro"},
)


def test_healthy_snapshot_is_healthy():
    result = analysis.analyse(healthy_snapshot(), ENV).as_dict()
    assert result["status"] == "healthy", result["findings"]


@pytest.mark.parametrize(
    "egress,ingress,missing",
    [
        ([rule(3306, ["sg-rds"])], [rule(3306, ["sg-ecs"])], []),
        ([rule(None, protocol="-1", cidrs=["0.0.0.0/0"])], [rule(3306, ["sg-ecs"])], []),  # allow-all egress
        ([rule(3306, ["sg-rds"])], [rule(3306, cidrs=[VPC_CIDR])], []),  # VPC CIDR ingress covers the tasks
        ([rule(3306, ["sg-rds"])], [rule(3307, ["sg-ecs"])], ["ingress"]),  # wrong port
        ([], [rule(3306, ["sg-ecs"])], ["egress"]),
        ([], [], ["egress", "ingress"]),
        ([rule(3306, ["sg-rds"])], [rule(3306, cidrs=["192.168.0.0/24"])], ["ingress"]),  # a CIDR elsewhere
    ],
)
def test_path_status(egress, ingress, missing):
    groups = {"sg-ecs": sg("sg-ecs", "ecs", egress=egress), "sg-rds": sg("sg-rds", "rds", ingress=ingress)}
    assert connectivity.path_status(groups, ["sg-ecs"], ["sg-rds"], 3306, VPC_CIDR) == missing


def test_port_ranges_cover_the_port():
    wide = {
        "protocol": "tcp",
        "from_port": 1000,
        "to_port": 4000,
        "cidrs": [],
        "groups": ["sg-ecs"],
        "prefix_lists": [],
    }
    groups = {
        "sg-ecs": sg("sg-ecs", "ecs", egress=[rule(3306, ["sg-rds"])]),
        "sg-rds": sg("sg-rds", "rds", ingress=[wide]),
    }
    assert connectivity.path_status(groups, ["sg-ecs"], ["sg-rds"], 3306, VPC_CIDR) == []
    assert connectivity.path_status(groups, ["sg-ecs"], ["sg-rds"], 5432, VPC_CIDR) == ["egress", "ingress"]


def test_internet_on_the_ecs_group_is_not_least_privilege():
    snapshot = healthy_snapshot()
    snapshot["network"]["security_groups"]["sg-ecs"]["ingress"].append(rule(22, cidrs=["0.0.0.0/0"]))
    result = analysis.analyse(snapshot, ENV).as_dict()
    [finding] = result["findings"]
    assert finding["severity"] == "high" and "tcp/22 from 0.0.0.0/0" in finding["summary"]
    assert finding["fix"]["cli"].startswith("aws ec2 revoke-security-group-ingress --group-id sg-ecs")


def test_alb_may_only_open_80_and_443():
    snapshot = healthy_snapshot()
    snapshot["network"]["security_groups"]["sg-alb"]["ingress"].append(rule(8080, cidrs=["0.0.0.0/0"]))
    [finding] = analysis.analyse(snapshot, ENV).as_dict()["findings"]
    assert "tcp/8080" in finding["summary"] and finding["resource_ids"] == ["sg-alb"]


def test_rds_reachable_from_another_group():
    snapshot = healthy_snapshot()
    snapshot["network"]["security_groups"]["sg-rds"]["ingress"].append(rule(3306, ["sg-alb"]))
    [finding] = analysis.analyse(snapshot, ENV).as_dict()["findings"]
    assert finding["severity"] == "medium" and "sg-alb" in finding["summary"]


def test_cloudfront_origin_port_without_listener():
    snapshot = healthy_snapshot()
    snapshot["cloudfront"]["origins"][0]["protocol_policy"] = "https-only"
    snapshot["alb"]["listeners"] = [{"port": 80, "protocol": "HTTP"}]
    findings = analysis.analyse(snapshot, ENV).as_dict()["findings"]
    assert any("no HTTPS:443 listener" in f["summary"] for f in findings)


@pytest.mark.parametrize(
    "alias,healthy",
    [
        ("dualstack.{alb}.", True),  # origin.<domain> aliases this ALB: the custom domain's HTTPS origin
        ("{alb}", True),
        ("other-alb-1.af-south-1.elb.amazonaws.com", False),  # an alias to another load balancer
        ("", False),  # a plain record of that name proves nothing
    ],
)
def test_cloudfront_origin_may_be_a_zone_name_that_aliases_this_alb(alias, healthy):
    snapshot = healthy_snapshot()
    alb = snapshot["alb"]["dns_name"]
    snapshot["cloudfront"]["origins"][0]["domain"] = "origin.wpdev.kimmyai.io"
    snapshot["zone"]["records"] = [
        {"name": "origin.wpdev.kimmyai.io.", "type": "A", "values": [], "alias": alias.format(alb=alb)}
    ]
    findings = analysis.analyse(snapshot, ENV).as_dict()["findings"]
    assert any("does not point at this environment's ALB" in f["summary"] for f in findings) is not healthy


def test_cloudfront_blocked_by_alb_group_names_the_terraform_rule():
    snapshot = healthy_snapshot()
    snapshot["network"]["security_groups"]["sg-alb"]["ingress"] = [rule(443, cidrs=["0.0.0.0/0"])]
    [finding] = analysis.analyse(snapshot, ENV).as_dict()["findings"]
    assert finding["fix"]["terraform"] == "terraform apply -target=aws_vpc_security_group_ingress_rule.alb_http"


def test_ecs_not_active_is_reported_at_once():
    snapshot = healthy_snapshot()
    snapshot["ecs"]["status"] = "INACTIVE"
    result = analysis.analyse(snapshot, ENV).as_dict()
    assert result["status"] == "unhealthy"
    assert result["findings"][0]["severity"] == "critical" and "not ACTIVE" in result["findings"][0]["summary"]


@pytest.mark.parametrize(
    "change,severity",
    [
        (lambda s: s["cloudfront"].update(status="InProgress"), "info"),
        (lambda s: s["cloudfront"].update(viewer_protocol_policy="allow-all"), "medium"),
        (lambda s: s["cloudfront"].update(minimum_protocol="TLSv1"), "medium"),
        (lambda s: s["efs"].update(encrypted=False), "high"),
        (lambda s: s["rds"].update(encrypted=False), "high"),
        (lambda s: s["rds"]["secret"].update(rotation_enabled=False), "low"),
        (lambda s: s["network"]["nat_gateways"].clear(), "high"),
        (lambda s: s["tagged"]["resources"].append({"arn": "arn:x", "tags": {"Environment": "prod"}}), "high"),
        (lambda s: s["alb"]["target_groups"].append(UNHEALTHY_TARGET_GROUP), "medium"),
    ],
)
def test_findings_have_the_right_severity(change, severity):
    snapshot = healthy_snapshot()
    change(snapshot)
    findings = analysis.analyse(snapshot, ENV).as_dict()["findings"]
    assert [f["severity"] for f in findings] == [severity], findings


def test_status_levels():
    result = analysis.Analysis()
    assert result.status == "healthy"
    result.find("info", "x", "note", "wait")
    assert result.status == "healthy"
    result.find("low", "x", "drift", "apply")
    assert result.status == "degraded"
    result.find("critical", "x", "broken", "fix")
    assert result.status == "unhealthy"


class FakeRds:
    """Answers DescribeDBInstances from a script of states (the emulator's RDS is available at once)."""

    def __init__(self, states):
        self.states = list(states)

    def describe_db_instances(self, aws_retry=False, **_):
        return {"DBInstances": [{"DBInstanceStatus": self.states.pop(0), "DBInstanceArn": "arn:rds"}]}


def test_rds_wait_stops_at_the_timeout_with_backoff():
    clock = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    ctx = Context("dev", wait_timeout=20, sleep=sleep, clock=lambda: clock[0])
    result = read_rds(FakeRds(["creating"] * 10), None, ctx)
    assert result["status"] == "creating" and sleeps == [2.0, 4.0, 8.0] and result["attempts"] == 4


def test_rds_in_a_failed_state_is_not_waited_for():
    ctx = Context("dev", wait_timeout=600, sleep=lambda s: pytest.fail("must not wait"))
    assert read_rds(FakeRds(["failed"]), None, ctx)["status"] == "failed"


def full_report() -> dict:
    snapshot = healthy_snapshot()
    snapshot["network"]["security_groups"]["sg-rds"]["ingress"] = []
    result = analysis.analyse(snapshot, ENV).as_dict()
    return {
        "environment": "dev",
        "account_id": "536580886816",
        "region": "af-south-1",
        "generated_at": "now",
        **result,
        "access_points": report.access_points(snapshot, "wpdev.kimmyai.io", example_tenant="banana"),
        "api_calls": {"ecs.DescribeClusters": 20, "rds.DescribeDBInstances": 8},
        "duration_seconds": 0.5,
    }


def test_html_is_self_contained_and_escaped():
    data = full_report()
    data["findings"][0]["summary"] += " <script>alert(1)</script>"
    page = report.render_html(data)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "src=" not in page and "href=" not in page and "@import" not in page
    assert page.count('<table class="area"') == len({c["area"] for c in data["checks"]}) + 1


def test_markdown_and_closing_block_carry_the_fix():
    data = full_report()
    markdown = report.render_markdown(data)
    assert "aws_vpc_security_group_ingress_rule.rds_from_ecs" in markdown
    closing = report.closing_block(data)
    for line in (
        "- ALB DNS: alb.example",
        "- CloudFront Distribution ID: E1",
        "- RDS Endpoint: db.example:3306",
        "- EFS ID: fs-1",
        "- Tenant URL Example: banana.wpdev.kimmyai.io",
        "fix: terraform apply -target=aws_vpc_security_group_ingress_rule.rds_from_ecs",
    ):
        assert line in closing


def test_analysis_does_not_modify_the_snapshot():
    snapshot = healthy_snapshot()
    before = copy.deepcopy(snapshot)
    analysis.analyse(snapshot, ENV)
    assert snapshot == before
