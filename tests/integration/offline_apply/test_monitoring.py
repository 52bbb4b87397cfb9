"""Alarms, the dashboard and the alarm topics as Terraform applies them into the emulator: every alarm with the
inventory's threshold and the environment's topic, drift found and repaired, a second plan with nothing to do,
and destroyed with the e-mail subscriptions."""

from __future__ import annotations

import json
from pathlib import Path

from offline_support import session
from emulated_stack import Stack

EDGE_REGION = "us-east-1"
RDS_CPU = 'aws_cloudwatch_metric_alarm.this["rds_cpu_percent"]'
EDGE_ALARM = "aws_cloudwatch_metric_alarm.cloudfront_5xx_error_rate[0]"  # absent in a DR standby
DASHBOARD = "aws_cloudwatch_dashboard.this"
TOPIC_POLICY = "aws_sns_topic_policy.alarms"


def _alarms(stack: Stack, region: str | None = None) -> dict[str, dict]:
    cloudwatch = session(stack, region).client("cloudwatch")
    prefix = f"bbws-{stack.environment}-"
    return {a["AlarmName"]: a for a in cloudwatch.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]}


def _topic(stack: Stack, region: str | None = None) -> str:
    topics = session(stack, region).client("sns").list_topics()["Topics"]
    [arn] = [
        t["TopicArn"] for t in topics if t["TopicArn"].split(":")[-1].startswith(f"bbws-{stack.environment}-alarms")
    ]
    return arn


def test_every_threshold_has_its_alarm_notifying_the_environments_topic(applied: Stack) -> None:
    thresholds = applied.facts["bbws_alarm_thresholds"]
    regional, edge = _alarms(applied), _alarms(applied, EDGE_REGION)
    expected = {f"bbws-dev-{key.replace('_', '-')}" for key in thresholds if not key.startswith(("nat_", "cloudfront"))}
    expected |= {f"bbws-dev-{key.replace('_', '-')}-0" for key in thresholds if key.startswith("nat_")}
    assert set(regional) == expected
    assert set(edge) == {"bbws-dev-cloudfront-5xx-error-rate-percent"}

    topic, edge_topic = _topic(applied), _topic(applied, EDGE_REGION)
    assert topic.split(":")[3:5] == ["af-south-1", "536580886816"] and edge_topic.split(":")[3] == EDGE_REGION
    assert all(a["AlarmActions"] == [topic] and a["OKActions"] == [] for a in regional.values())
    assert edge["bbws-dev-cloudfront-5xx-error-rate-percent"]["AlarmActions"] == [edge_topic]

    cpu = regional["bbws-dev-rds-cpu-percent"]
    assert (cpu["Namespace"], cpu["MetricName"], cpu["Statistic"]) == ("AWS/RDS", "CPUUtilization", "Average")
    assert cpu["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": "bbws-dev-mysql"}]
    assert cpu["Threshold"] == thresholds["rds_cpu_percent"] and cpu["TreatMissingData"] == "missing"
    assert regional["bbws-dev-alb-target-response-time-seconds"]["ExtendedStatistic"] == "p95"
    # The ECS alarms are metric math over Container Insights: used / reserved.
    queries = {q["Id"]: q for q in regional["bbws-dev-ecs-cpu-percent"]["Metrics"]}
    assert set(queries) == {"utilisation", "used", "reserved"} and queries["utilisation"]["ReturnData"] is True
    assert queries["used"]["MetricStat"]["Metric"]["Namespace"] == "ECS/ContainerInsights"
    tags = session(applied).client("cloudwatch").list_tags_for_resource(ResourceARN=cpu["AlarmArn"])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}["Environment"] == "dev"


def test_the_topics_are_encrypted_and_only_the_accounts_alarms_publish(applied: Stack) -> None:
    state = json.loads(applied.terraform("show", "-json").stdout)
    resources = {r["address"]: r["values"] for r in state["values"]["root_module"]["resources"]}
    for region, key in ((None, "aws_kms_key.alarms"), (EDGE_REGION, "aws_kms_key.alarms_cloudfront")):
        sns = session(applied, region).client("sns")
        attributes = sns.get_topic_attributes(TopicArn=_topic(applied, region))["Attributes"]
        assert attributes["KmsMasterKeyId"] == resources[key]["arn"]
        [statement] = json.loads(attributes["Policy"])["Statement"]
        assert statement["Sid"] == "CloudWatchAlarmsPublish"
        assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    dashboard = session(applied).client("cloudwatch").get_dashboard(DashboardName="bbws-dev")
    assert json.loads(dashboard["DashboardBody"])["widgets"]
    assert applied.outputs()["dashboard_name"] == "bbws-dev"


def test_changes_behind_terraforms_back_are_drift_one_plan_finds_and_one_apply_repairs(applied: Stack) -> None:
    cloudwatch, sns = session(applied).client("cloudwatch"), session(applied).client("sns")
    cpu = _alarms(applied)["bbws-dev-rds-cpu-percent"]
    # The threshold raised and the notification removed; the edge alarm and the dashboard deleted; the topic's
    # policy replaced by one that lets anyone publish.
    cloudwatch.put_metric_alarm(
        AlarmName=cpu["AlarmName"],
        Namespace=cpu["Namespace"],
        MetricName=cpu["MetricName"],
        Dimensions=cpu["Dimensions"],
        Statistic=cpu["Statistic"],
        Period=cpu["Period"],
        EvaluationPeriods=cpu["EvaluationPeriods"],
        Threshold=99.0,
        ComparisonOperator=cpu["ComparisonOperator"],
        AlarmActions=[],
    )
    session(applied, EDGE_REGION).client("cloudwatch").delete_alarms(
        AlarmNames=["bbws-dev-cloudfront-5xx-error-rate-percent"]
    )
    cloudwatch.delete_dashboards(DashboardNames=["bbws-dev"])
    topic = _topic(applied)
    anyone = {"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": topic}
    open_policy = {"Version": "2012-10-17", "Statement": [anyone]}
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(open_policy))

    drift = applied.plan()
    assert drift.returncode == 2
    assert f"{RDS_CPU} will be updated in-place" in drift.stdout and "99 -> 90" in drift.stdout
    assert f"{EDGE_ALARM} will be created" in drift.stdout
    assert f"{DASHBOARD} will be created" in drift.stdout
    assert f"{TOPIC_POLICY} will be updated in-place" in drift.stdout

    applied.apply()
    cpu = _alarms(applied)["bbws-dev-rds-cpu-percent"]
    assert cpu["Threshold"] == 90 and cpu["AlarmActions"] == [topic]
    assert set(_alarms(applied, EDGE_REGION)) == {"bbws-dev-cloudfront-5xx-error-rate-percent"}
    assert cloudwatch.get_dashboard(DashboardName="bbws-dev")["DashboardName"] == "bbws-dev"
    policy = json.loads(sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["CloudWatchAlarmsPublish"]
    assert applied.plan().returncode == 0


def test_destroy_removes_alarms_dashboard_topics_and_subscriptions(applied: Stack, tmp_path: Path) -> None:
    stack = Stack("sit", tmp_path / "sit")
    stack.apply()
    endpoints = stack.facts["bbws_alarm_email_endpoints"]
    assert endpoints
    for region in (None, EDGE_REGION):
        sns = session(stack, region).client("sns")
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=_topic(stack, region))["Subscriptions"]
        assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions) == [("email", e) for e in endpoints]
    assert len(_alarms(stack)) + len(_alarms(stack, EDGE_REGION)) == 15

    stack.destroy()
    for region in (None, EDGE_REGION):
        sit = session(stack, region)
        assert sit.client("sns").list_topics()["Topics"] == []
        assert sit.client("sns").list_subscriptions()["Subscriptions"] == []
        assert _alarms(stack, region) == {}
    assert session(stack).client("cloudwatch").list_dashboards()["DashboardEntries"] == []
    # dev's monitoring is untouched.
    assert len(_alarms(applied)) == 14
