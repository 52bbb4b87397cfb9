"""Orphan fixes from ARNs, and the state matching, without AWS.

Security-group rules need a stand-in here: the emulator's Tagging API does not list them (moto 5.x), so the
GetResources answer below is written by hand in AWS's shape; the other types are covered against the emulator in
tests/integration/drift/test_orphans.py.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.orphans import Arn
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.orphans import OrphanError
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.orphans import find_orphans
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.orphans import managed_identifiers
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.orphans import read_state

ACCOUNT, REGION = "536580886816", "af-south-1"
RULE_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group-rule/sgr-0abc"
LISTENER_RULE_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener-rule/app/bbws-dev/50dc/f2f7/9683"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/bbws-dev-cluster/tenant-banana"
LOG_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/bbws-dev:*"


class Client:
    """Answers the calls find_orphans makes, in AWS's response shapes (``aws_retry`` is the client layer's switch)."""

    def __init__(self, arns: list[str]):
        self.arns = arns

    def get_resources(self, **kwargs):
        tags = [{"Key": "Project", "Value": "bbws"}, {"Key": "Environment", "Value": "dev"}]
        return {"ResourceTagMappingList": [{"ResourceARN": a, "Tags": tags} for a in self.arns]}

    def describe_security_group_rules(self, SecurityGroupRuleIds, aws_retry=False):
        return {
            "SecurityGroupRules": [
                {"SecurityGroupRuleId": SecurityGroupRuleIds[0], "GroupId": "sg-0def", "IsEgress": True}
            ]
        }

    def describe_log_groups(self, logGroupNamePrefix, aws_retry=False):
        return {"logGroups": [{"logGroupName": logGroupNamePrefix, "creationTime": 1_700_000_000_000}]}

    def describe_services(self, cluster, services, aws_retry=False):
        return {"services": []}


def orphans(arns: list[str], state: dict) -> dict:
    client = Client(arns)
    return find_orphans(
        lambda service, region: client,
        "bbws",
        "dev",
        [REGION],
        state,
        REGION,
        "Tebogo-dev",
        now=datetime(2023, 11, 24, tzinfo=timezone.utc),
    )


def test_security_group_rule_gets_its_direction_group_and_sgr_id():
    [rule] = orphans([RULE_ARN], {"resources": []})["orphans"]
    assert rule["import"]["to"] == "aws_vpc_security_group_egress_rule.sgr_0abc"
    assert rule["import"]["id"] == "sgr-0abc"
    assert (
        rule["delete_command"]
        == "aws ec2 revoke-security-group-egress --group-id sg-0def "
        "--security-group-rule-ids sgr-0abc --region af-south-1 --profile Tebogo-dev"
    )


def test_listener_rule_service_and_log_group_import_forms():
    found = {o["type"]: o for o in orphans([LISTENER_RULE_ARN, SERVICE_ARN, LOG_ARN], {"resources": []})["orphans"]}
    assert found["elasticloadbalancing:listener-rule"]["import"]["id"] == LISTENER_RULE_ARN
    assert found["ecs:service"]["import"]["id"] == "bbws-dev-cluster/tenant-banana"
    assert "--cluster bbws-dev-cluster --service tenant-banana --force" in found["ecs:service"]["delete_command"]
    log = found["logs:log-group"]
    assert log["import"]["id"] == log["id"] == "/ecs/bbws-dev" and log["age_days"] == 9  # created 2023-11-14T22:13:20Z


def test_state_matches_by_arn_id_or_rule_id():
    state = {
        "resources": [
            {
                "mode": "managed",
                "type": "aws_security_group_rule",
                "instances": [{"attributes": {"id": "sgrule-123", "security_group_rule_id": "sgr-0abc"}}],
            },
            {
                "mode": "managed",
                "type": "aws_cloudwatch_log_group",
                "instances": [{"attributes": {"id": "/ecs/bbws-dev", "arn": LOG_ARN[:-2]}}],
            },
            {"mode": "data", "type": "aws_lb_listener_rule", "instances": [{"attributes": {"arn": LISTENER_RULE_ARN}}]},
        ]
    }
    assert "sgr-0abc" in managed_identifiers(state) and LISTENER_RULE_ARN not in managed_identifiers(state)
    result = orphans([RULE_ARN, LOG_ARN, LISTENER_RULE_ARN], state)
    # A data source reads a resource, it does not manage it: the listener rule is still an orphan.
    assert [o["arn"] for o in result["orphans"]] == [LISTENER_RULE_ARN]
    assert (result["tagged"], result["managed"]) == (3, 2)


def test_unknown_type_has_no_import_but_says_how_to_look():
    arn = f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:bbws-dev"
    [orphan] = orphans([arn], {"resources": []})["orphans"]
    assert orphan["import"] is None and orphan["delete_command"] is None
    assert f"--resource-arn-list {arn} --region af-south-1" in orphan["note"]


@pytest.mark.parametrize(
    "arn,service,kind,resource",
    [
        ("arn:aws:s3:::bbws-logs", "s3", "", "bbws-logs"),
        ("arn:aws:sns:us-east-1:1:alerts", "sns", "", "alerts"),
        ("arn:aws:rds:af-south-1:1:db:bbws-dev-mysql", "rds", "db", "bbws-dev-mysql"),
        ("arn:aws:cloudfront::1:distribution/E1", "cloudfront", "distribution", "E1"),
    ],
)
def test_arn_parsing(arn, service, kind, resource):
    parsed = Arn.parse(arn)
    assert (parsed.service, parsed.resource_type, parsed.resource) == (service, kind, resource)


def test_a_state_that_is_not_json_is_refused():
    class Body:
        def read(self):
            return b"<html>"

    class S3:
        def get_object(self, **kwargs):
            return {"Body": Body()}

    with pytest.raises(OrphanError, match="not a Terraform state"):
        read_state(S3(), "b", "k")


def test_hierarchical_ssm_parameter_keeps_its_leading_slash():
    arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/bbws/dev/custom-domain"
    [orphan] = orphans([arn], {"resources": []})["orphans"]
    assert orphan["id"] == orphan["import"]["id"] == "/bbws/dev/custom-domain"
    assert orphan["delete_command"].startswith("aws ssm delete-parameter --name /bbws/dev/custom-domain --region")
    assert (
        orphans([arn], {"resources": [{"instances": [{"attributes": {"id": "/bbws/dev/custom-domain"}}]}]})["orphans"]
        == []
    )
