"""cluster_health against the emulated cluster: the environment's CloudWatch alarms and the tenant capacity headroom.

The emulated cluster has every alarm of the inventory's thresholds under the names of the stack's alarm contract
(``<project>-<environment>-<key>``), each notifying the environment's topic, as the Terraform stack creates them in a
real account; the tests below change one alarm behind the stack's back.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import boto3
import pytest

from ansible_collections.bbws.ecs_cluster.plugins.modules import cluster_health

pytestmark = pytest.mark.emulator

PROFILE = "Tebogo-dev"
REGION = "af-south-1"
APPLY = "ansible-playbook site.yml -i inventories/dev --tags plan,apply"


def session() -> boto3.Session:
    return boto3.Session(profile_name=PROFILE, region_name=REGION)


def put_alarm(name: str, region: str = REGION, actions: bool = True, **metric) -> str:
    """One alarm as the stack defines it: a metric, a threshold and the environment's topic as its action."""
    sns = session().client("sns", region_name=region)
    topic = sns.create_topic(Name="bbws-dev-alarms" if region == REGION else "bbws-dev-alarms-us-east-1")["TopicArn"]
    cloudwatch = session().client("cloudwatch", region_name=region)
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace=metric.get("namespace", "AWS/RDS"),
        MetricName=metric.get("metric", "CPUUtilization"),
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "bbws-dev-mysql"}],
        Statistic="Average",
        Period=300,
        EvaluationPeriods=3,
        Threshold=metric.get("threshold", 80.0),
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic] if actions else [],
        Tags=[{"Key": "Project", "Value": "bbws"}, {"Key": "Environment", "Value": "dev"}],
    )
    return topic


def findings(result: dict, area: str) -> list[dict]:
    return [f for f in result["findings"] if f["area"] == area]


def test_alarm_in_alarm_is_a_finding_with_metric_threshold_reason_and_since(dev_cluster, module_runner, health_args):
    put_alarm("bbws-dev-rds-cpu-percent")
    reason = "Threshold Crossed: 3 datapoints [93.1, 91.4, 95.0] were greater than the threshold (80.0)."
    cloudwatch = session().client("cloudwatch")
    cloudwatch.set_alarm_state(AlarmName="bbws-dev-rds-cpu-percent", StateValue="ALARM", StateReason=reason)
    since = cloudwatch.describe_alarms(AlarmNames=["bbws-dev-rds-cpu-percent"])["MetricAlarms"][0][
        "StateUpdatedTimestamp"
    ]

    result = module_runner(cluster_health, health_args("dev", expected_alarms=["rds_cpu_percent"]))
    [finding] = findings(result, "alarms")
    assert finding["severity"] == "medium" and result["status"] == "degraded"
    assert finding["summary"].startswith(
        f"Alarm bbws-dev-rds-cpu-percent ({REGION}) is in ALARM since {since.isoformat(timespec='seconds')}"
    )
    assert (
        "AWS/RDS CPUUtilization (DBInstanceIdentifier=bbws-dev-mysql) Average > 80 for 3 x 300 s" in finding["summary"]
    )
    assert f"Reason: {reason}" in finding["summary"]
    assert "bbws_rds_instance_class" in finding["recommendation"]
    assert (
        finding["fix"]["cli"]
        == "aws cloudwatch describe-alarm-history --alarm-name bbws-dev-rds-cpu-percent "
        f"--history-item-type StateUpdate --max-items 5 --region {REGION} --profile {PROFILE}"
    )
    checks = {c["name"]: c for c in result["checks"] if c["area"] == "alarms"}
    assert checks["Alarms in ALARM"]["status"] == "warn"
    assert checks["Expected alarms"]["status"] == "pass" and checks["Expected alarms"]["detail"].startswith(
        "1/1 present"
    )

    # Back to OK: the finding goes with it.
    cloudwatch.set_alarm_state(AlarmName="bbws-dev-rds-cpu-percent", StateValue="OK", StateReason="back under")
    assert (
        findings(module_runner(cluster_health, health_args("dev", expected_alarms=["rds_cpu_percent"])), "alarms") == []
    )


def test_missing_and_silent_expected_alarms_are_findings_with_the_apply_as_fix(dev_cluster, module_runner, health_args):
    put_alarm("bbws-dev-rds-cpu-percent")
    # The CloudFront alarm lives in us-east-1; someone removed its action. The NAT alarm was deleted.
    put_alarm(
        "bbws-dev-cloudfront-5xx-error-rate-percent",
        region="us-east-1",
        actions=False,
        namespace="AWS/CloudFront",
        metric="5xxErrorRate",
        threshold=5.0,
    )
    session().client("cloudwatch").delete_alarms(AlarmNames=["bbws-dev-nat-packets-dropped-0"])
    expected = ["rds_cpu_percent", "cloudfront_5xx_error_rate_percent", "nat_packets_dropped"]

    result = module_runner(cluster_health, health_args("dev", expected_alarms=expected))
    by_summary = {f["summary"]: f for f in findings(result, "alarms")}
    assert len(by_summary) == 2, by_summary
    [missing] = [f for s, f in by_summary.items() if "does not exist" in s]
    # dev has one NAT gateway, so one per-NAT alarm, index 0.
    assert missing["summary"].startswith(f"Expected alarm bbws-dev-nat-packets-dropped-0 does not exist in {REGION}")
    assert missing["fix"]["terraform"] == APPLY and missing["severity"] == "medium"
    [silent] = [f for s, f in by_summary.items() if "notifies nobody" in s]
    assert silent["summary"].startswith(
        "Alarm bbws-dev-cloudfront-5xx-error-rate-percent (us-east-1) notifies nobody: "
        "it has no alarm action (expected the SNS topic bbws-dev-alarms-us-east-1)"
    )
    assert silent["fix"]["terraform"] == APPLY
    check = next(c for c in result["checks"] if c["name"] == "Expected alarms")
    assert check["status"] == "warn" and check["detail"] == "2/3 present, 1 without an alarm action"


def test_no_thresholds_no_alarm_expected(dev_cluster, module_runner, health_args):
    result = module_runner(cluster_health, health_args("dev"))
    check = next(c for c in result["checks"] if c["name"] == "Expected alarms")
    assert check["status"] == "skip" and "no bbws_alarm_thresholds" in check["detail"]
    assert findings(result, "alarms") == []


def test_95_listener_rules_leave_room_for_5_tenants(dev_cluster, module_runner, health_args, tmp_path):
    elbv2 = session().client("elbv2")
    # HTTP redirects to HTTPS, so tenants need a rule on the HTTPS listener only.
    elbv2.modify_listener(
        ListenerArn=dev_cluster.listener_arns["HTTP"],
        DefaultActions=[
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
        ],
    )
    # The stack's own rules (the health-check path on each listener) count too: tenants fill the rest up to 95.
    stack_rules = sum(
        len([r for r in elbv2.describe_rules(ListenerArn=arn)["Rules"] if not r["IsDefault"]])
        for arn in dev_cluster.listener_arns.values()
    )
    group = elbv2.create_target_group(
        Name="bbws-dev-t0001", Protocol="HTTP", Port=80, VpcId=dev_cluster.vpc_id, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    for number in range(1, 96 - stack_rules):
        elbv2.create_rule(
            ListenerArn=dev_cluster.listener_arns["HTTPS"],
            Priority=number,
            Conditions=[{"Field": "host-header", "Values": [f"t{number:04d}.{dev_cluster.domain}"]}],
            Actions=[{"Type": "forward", "TargetGroupArn": group}],
        )

    result = module_runner(cluster_health, health_args("dev", report_dir=str(tmp_path)))
    headroom = result["headroom"]
    assert headroom["tenants"] == 5
    assert headroom["first_limit"] == "listener rules per ALB (excluding default rules)"
    first = headroom["limits"][0]
    assert (first["used"], first["limit"], first["per_tenant"], first["tenants"]) == (95, 100, 1, 5)
    # The emulator has no Service Quotas for Elastic Load Balancing: AWS's documented default, named as such.
    assert first["source"] == "AWS default"
    assert "HTTPS:443" in first["detail"] and "rule(s)" in first["detail"]
    assert headroom["summary"].startswith(
        "5 more tenants fit; the first limit is listener rules per ALB "
        "(excluding default rules) (bbws-dev-alb: 95 of 100, AWS default)"
    )
    # Fewer than the warning threshold (10 by default): a warning finding that names the limit.
    [finding] = findings(result, "capacity")
    assert finding["severity"] == "medium" and result["status"] == "degraded"
    assert finding["summary"].startswith("Only 5 more tenants fit in dev: the first limit is listener rules per ALB")
    assert f"Capacity headroom: {headroom['summary']}." in result["summary"]
    page = Path(result["report_files"]["html"]).read_text(encoding="utf-8")
    assert page.index('id="headroom-summary"') < page.index("Checks by area")
    markdown = Path(result["report_files"]["markdown"]).read_text(encoding="utf-8")
    assert markdown.index("## Capacity headroom") < markdown.index("## Paths")

    # The threshold comes from the inventory: with 5 it is no longer a warning.
    relaxed = module_runner(cluster_health, health_args("dev", capacity_warning_tenants=5))
    assert findings(relaxed, "capacity") == [] and relaxed["headroom"]["tenants"] == 5


def test_headroom_reads_live_rds_connections_and_the_parameter_group(dev_cluster, module_runner, health_args):
    """max_connections from the instance's parameter group, connections in use from CloudWatch's latest datapoint."""
    rds = session().client("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName="bbws-dev-mysql80", DBParameterGroupFamily="mysql8.0", Description="test"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="bbws-dev-mysql80",
        Parameters=[{"ParameterName": "max_connections", "ParameterValue": "120", "ApplyMethod": "pending-reboot"}],
    )
    rds.modify_db_instance(
        DBInstanceIdentifier=dev_cluster.rds_identifier, DBParameterGroupName="bbws-dev-mysql80", ApplyImmediately=True
    )
    session().client("cloudwatch").put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                # RDS publishes every minute: the latest datapoint is from a minute ago.
                "MetricName": "DatabaseConnections",
                "Value": 90.0,
                "Timestamp": datetime.now(timezone.utc) - timedelta(minutes=1),
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": dev_cluster.rds_identifier}],
            }
        ],
    )

    result = module_runner(cluster_health, health_args("dev", tenant_cost={"db_connections": 10}))
    [limit] = [item for item in result["headroom"]["limits"] if item["name"].startswith("RDS connections")]
    assert (limit["used"], limit["limit"], limit["tenants"]) == (90, 120, 3)
    assert limit["source"] == "parameter group bbws-dev-mysql80"
    assert (
        result["headroom"]["tenants"] == 3 and result["headroom"]["first_limit"] == "RDS connections (max_connections)"
    )
