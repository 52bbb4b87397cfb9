"""Monitoring in the emulator: CloudWatch metric alarms and dashboards, SNS topics, their policies and
subscriptions."""

from __future__ import annotations

import json
from typing import Any

from offline_aws import Api
from offline_aws import ApplyError
from offline_aws import Handler
from offline_aws import ignore_gone
from offline_aws import resource
from offline_aws import same_json
from offline_aws import tag_list
from offline_aws import tags_of
from offline_aws.data import prefixed_unique_name
from offline_aws.network import refresh_tags


def _retag(client: Any, arn: str, prior: dict[str, Any], planned: dict[str, Any], arn_key: str = "ResourceArn") -> None:
    """Tags changed in place with the service's TagResource/UntagResource (argument names per service)."""
    old, new = tags_of(prior), tags_of(planned)
    removed = [k for k in old if k not in new]
    changed = [{"Key": k, "Value": v} for k, v in new.items() if old.get(k) != v]
    if removed:
        client.untag_resource(**{arn_key: arn, "TagKeys": removed})
    if changed:
        client.tag_resource(**{arn_key: arn, "Tags": changed})


################################################################################
# CloudWatch
################################################################################


def _dimensions(values: dict[str, str] | None) -> list[dict[str, str]]:
    # An empty value can only come from a resource kept in state only (AWS always has one, and refuses an empty
    # dimension): the dimension is left out rather than failing the apply of a type that is emulated.
    return [{"Name": k, "Value": v} for k, v in sorted((values or {}).items()) if v]


def _metric_query(query: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"Id": query["id"]}
    for key, name in (("expression", "Expression"), ("label", "Label"), ("account_id", "AccountId")):
        if query.get(key):
            item[name] = query[key]
    if query.get("period"):
        item["Period"] = int(query["period"])
    if query.get("return_data") is not None:
        item["ReturnData"] = bool(query["return_data"])
    for metric in query.get("metric") or []:
        stat: dict[str, Any] = {
            "Metric": {"MetricName": metric["metric_name"], "Dimensions": _dimensions(metric.get("dimensions"))},
            "Period": int(metric["period"]),
            "Stat": metric["stat"],
        }
        if metric.get("namespace"):
            stat["Metric"]["Namespace"] = metric["namespace"]
        if metric.get("unit"):
            stat["Unit"] = metric["unit"]
        item["MetricStat"] = stat
    return item


@resource("aws_cloudwatch_metric_alarm", replace_on=("alarm_name",))
class MetricAlarm(Handler):
    """A metric alarm with every planned field (a single metric or metric queries, actions, missing-data
    treatment, extended statistics); read refreshes threshold, periods and actions (gone: created again)."""

    @staticmethod
    def _put(api: Api, planned: dict[str, Any], with_tags: bool) -> None:
        arguments: dict[str, Any] = {
            "AlarmName": planned["alarm_name"],
            "ComparisonOperator": planned["comparison_operator"],
            "EvaluationPeriods": int(planned["evaluation_periods"]),
            "ActionsEnabled": planned.get("actions_enabled") is not False,
            "AlarmActions": list(planned.get("alarm_actions") or []),
            "OKActions": list(planned.get("ok_actions") or []),
            "InsufficientDataActions": list(planned.get("insufficient_data_actions") or []),
        }
        optional = {
            "alarm_description": "AlarmDescription",
            "namespace": "Namespace",
            "metric_name": "MetricName",
            "statistic": "Statistic",
            "extended_statistic": "ExtendedStatistic",
            "treat_missing_data": "TreatMissingData",
            "evaluate_low_sample_count_percentiles": "EvaluateLowSampleCountPercentile",
            "threshold_metric_id": "ThresholdMetricId",
            "unit": "Unit",
        }
        for key, name in optional.items():
            if planned.get(key):
                arguments[name] = planned[key]
        if planned.get("threshold") is not None:
            arguments["Threshold"] = float(planned["threshold"])
        for key, name in (("period", "Period"), ("datapoints_to_alarm", "DatapointsToAlarm")):
            if planned.get(key):
                arguments[name] = int(planned[key])
        if planned.get("dimensions"):
            arguments["Dimensions"] = _dimensions(planned["dimensions"])
        if planned.get("metric_query"):
            arguments["Metrics"] = [_metric_query(q) for q in planned["metric_query"]]
        if with_tags and tags_of(planned):
            arguments["Tags"] = tag_list(planned)
        api.client("cloudwatch").put_metric_alarm(**arguments)

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        self._put(api, planned, with_tags=True)
        name = planned["alarm_name"]
        return {"id": name, "arn": api.arn("cloudwatch", f"alarm:{name}")}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        alarms = api.client("cloudwatch").describe_alarms(AlarmNames=[state["id"]], AlarmTypes=["MetricAlarm"])
        found = alarms.get("MetricAlarms") or []
        if not found:
            return None
        alarm = found[0]
        refreshed = {
            **state,
            "evaluation_periods": alarm.get("EvaluationPeriods"),
            "comparison_operator": alarm.get("ComparisonOperator"),
            "alarm_actions": sorted(alarm.get("AlarmActions") or []),
        }
        if state.get("threshold") is not None or alarm.get("Threshold") is not None:
            refreshed["threshold"] = alarm.get("Threshold")
        if state.get("ok_actions") is not None or alarm.get("OKActions"):
            refreshed["ok_actions"] = sorted(alarm.get("OKActions") or [])
        if state.get("actions_enabled") is not None or alarm.get("ActionsEnabled") is False:
            refreshed["actions_enabled"] = bool(alarm.get("ActionsEnabled", True))
        return refreshed

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        self._put(api, planned, with_tags=False)
        _retag(api.client("cloudwatch"), prior["arn"], prior, planned, arn_key="ResourceARN")
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("cloudwatch").delete_alarms, AlarmNames=[state["id"]])


@resource("aws_cloudwatch_dashboard", replace_on=("dashboard_name",))
class Dashboard(Handler):
    """A CloudWatch dashboard; read refreshes its body (gone: created again)."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        name = planned["dashboard_name"]
        answer = api.client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=planned["dashboard_body"])
        problems = answer.get("DashboardValidationMessages") or []
        if problems:
            raise ApplyError(f"Dashboard {name} is not valid", json.dumps(problems, default=str))
        # Dashboards are global: their ARN names no region.
        return {"id": name, "dashboard_arn": f"arn:aws:cloudwatch::{api.account}:dashboard/{name}"}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = ignore_gone(api.client("cloudwatch").get_dashboard, DashboardName=state["id"])
        if answer is None:
            return None
        body = answer.get("DashboardBody")
        return dict(state) if same_json(body, state.get("dashboard_body")) else {**state, "dashboard_body": body}

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        self.create(api, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("cloudwatch").delete_dashboards, DashboardNames=[state["id"]])


################################################################################
# SNS
################################################################################

# Topic arguments that are topic attributes of the same meaning.
TOPIC_ATTRIBUTES = {
    "kms_master_key_id": "KmsMasterKeyId",
    "display_name": "DisplayName",
    "delivery_policy": "DeliveryPolicy",
    "signature_version": "SignatureVersion",
    "tracing_config": "TracingConfig",
}


@resource("aws_sns_topic", replace_on=("name", "name_prefix", "fifo_topic"))
class SnsTopic(Handler):
    """An SNS topic (its KMS key and other attributes); read refreshes the key and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        name = planned.get("name") or prefixed_unique_name(planned.get("name_prefix") or "terraform-")
        attributes = {name_: str(planned[key]) for key, name_ in TOPIC_ATTRIBUTES.items() if planned.get(key)}
        if planned.get("fifo_topic"):
            attributes["FifoTopic"] = "true"
        if planned.get("policy"):
            attributes["Policy"] = planned["policy"]
        arguments: dict[str, Any] = {"Name": name, "Attributes": attributes}
        if tags_of(planned):
            arguments["Tags"] = tag_list(planned)
        arn = api.client("sns").create_topic(**arguments)["TopicArn"]
        return {"id": arn, "arn": arn, "name": name, "owner": api.account, "beginning_archive_time": ""}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        sns = api.client("sns")
        answer = ignore_gone(sns.get_topic_attributes, TopicArn=state["id"])
        if answer is None:
            return None
        attributes = answer["Attributes"]
        refreshed = dict(state)
        if state.get("kms_master_key_id") is not None or attributes.get("KmsMasterKeyId"):
            refreshed["kms_master_key_id"] = attributes.get("KmsMasterKeyId") or None
        tags = sns.list_tags_for_resource(ResourceArn=state["id"]).get("Tags")
        return refresh_tags(api, refreshed, tags)

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        sns = api.client("sns")
        for key, name in TOPIC_ATTRIBUTES.items():
            if prior.get(key) != planned.get(key):
                sns.set_topic_attributes(
                    TopicArn=prior["id"], AttributeName=name, AttributeValue=planned.get(key) or ""
                )
        _retag(sns, prior["id"], prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("sns").delete_topic, TopicArn=state["id"])


def default_topic_policy(arn: str, account: str) -> str:
    """The policy SNS gives a new topic (what deleting aws_sns_topic_policy restores, as the provider does)."""
    actions = [
        "SNS:GetTopicAttributes",
        "SNS:SetTopicAttributes",
        "SNS:AddPermission",
        "SNS:RemovePermission",
        "SNS:DeleteTopic",
        "SNS:Subscribe",
        "SNS:ListSubscriptionsByTopic",
        "SNS:Publish",
    ]
    statement = {
        "Sid": "__default_statement_ID",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": actions,
        "Resource": arn,
        "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
    }
    return json.dumps({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [statement]})


@resource("aws_sns_topic_policy", replace_on=("arn",))
class SnsTopicPolicy(Handler):
    """A topic's access policy; read refreshes it (the topic gone: gone)."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        api.client("sns").set_topic_attributes(
            TopicArn=planned["arn"], AttributeName="Policy", AttributeValue=planned["policy"]
        )
        return {"id": planned["arn"], "owner": api.account}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = ignore_gone(api.client("sns").get_topic_attributes, TopicArn=state["id"])
        if answer is None:
            return None
        policy = answer["Attributes"].get("Policy")
        if not policy:
            return None
        return dict(state) if same_json(policy, state.get("policy")) else {**state, "policy": policy}

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        self.create(api, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(
            api.client("sns").set_topic_attributes,
            TopicArn=state["id"],
            AttributeName="Policy",
            AttributeValue=default_topic_policy(state["id"], api.account),
        )


SUBSCRIPTION_ATTRIBUTES = {
    "raw_message_delivery": "RawMessageDelivery",
    "filter_policy": "FilterPolicy",
    "filter_policy_scope": "FilterPolicyScope",
    "delivery_policy": "DeliveryPolicy",
    "redrive_policy": "RedrivePolicy",
    "subscription_role_arn": "SubscriptionRoleArn",
}


@resource("aws_sns_topic_subscription", replace_on=("topic_arn", "protocol", "endpoint"))
class SnsTopicSubscription(Handler):
    """A topic subscription (e-mail endpoints wait for their confirmation in AWS; the emulator confirms them);
    read refreshes whether it is pending (gone: created again)."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        attributes = {
            name: str(planned[key]).lower() if isinstance(planned[key], bool) else str(planned[key])
            for key, name in SUBSCRIPTION_ATTRIBUTES.items()
            if planned.get(key) not in (None, "", False)
        }
        sns = api.client("sns")
        arn = sns.subscribe(
            TopicArn=planned["topic_arn"],
            Protocol=planned["protocol"],
            Endpoint=planned["endpoint"],
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        computed = {"id": arn, "arn": arn, "owner_id": api.account}
        answer = ignore_gone(sns.get_subscription_attributes, SubscriptionArn=arn)
        got = (answer or {}).get("Attributes") or {}
        computed["pending_confirmation"] = got.get("PendingConfirmation", "true") == "true"
        computed["confirmation_was_authenticated"] = got.get("ConfirmationWasAuthenticated", "false") == "true"
        return computed

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = ignore_gone(api.client("sns").get_subscription_attributes, SubscriptionArn=state["id"])
        if answer is None:
            return None
        got = answer.get("Attributes") or {}
        return {**state, "pending_confirmation": got.get("PendingConfirmation", "false") == "true"}

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        sns = api.client("sns")
        for key, name in SUBSCRIPTION_ATTRIBUTES.items():
            if prior.get(key) != planned.get(key):
                value = planned.get(key)
                text = str(value).lower() if isinstance(value, bool) else ("" if value is None else str(value))
                sns.set_subscription_attributes(SubscriptionArn=prior["id"], AttributeName=name, AttributeValue=text)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("sns").unsubscribe, SubscriptionArn=state["id"])
