"""Monitoring in the emulator: CloudWatch alarms and dashboards, SNS topics."""

from __future__ import annotations

from offline_aws import state_only

# Not emulated yet: kept in Terraform's state only.
PENDING = "not yet held by the emulator"

state_only("aws_cloudwatch_metric_alarm", PENDING)
state_only("aws_cloudwatch_dashboard", PENDING)
state_only("aws_sns_topic", PENDING)
state_only("aws_sns_topic_policy", PENDING)
state_only("aws_sns_topic_subscription", PENDING)
