"""The load balancer, the ECS cluster and its identities as Terraform applies them into the emulator: created in
the environment's own account with the inventory's settings, read back, drift found and repaired, a second plan
with nothing to do, and destroy leaving none of them behind."""

from __future__ import annotations

import json
from datetime import datetime
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest
from offline_support import session
from emulated_stack import Stack
from emulated_stack import StackError

HEALTH_RULE = "aws_lb_listener_rule.health_http"


def _tags(items: list[dict[str, str]], key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {t[key]: t[value] for t in items}


def _alb(elbv2: Any, name: str) -> dict[str, Any]:
    return elbv2.describe_load_balancers(Names=[name])["LoadBalancers"][0]


def _attributes(elbv2: Any, arn: str) -> dict[str, str]:
    return {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}


def _health_rule(elbv2: Any, listener_arn: str) -> dict[str, Any]:
    [rule] = [r for r in elbv2.describe_rules(ListenerArn=listener_arn)["Rules"] if not r["IsDefault"]]
    return rule


def test_the_load_balancer_listener_and_health_rule_are_in_the_environments_account(applied: Stack) -> None:
    tfvars = applied.tfvars()
    aws = session(applied)
    elbv2 = aws.client("elbv2")
    alb = _alb(elbv2, "bbws-dev-alb")
    assert alb["Scheme"] == "internet-facing" and alb["Type"] == "application"
    assert f":{applied.facts['bbws_account_id']}:" in alb["LoadBalancerArn"]
    groups = aws.client("ec2").describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["bbws-dev-alb"]
    assert len(alb["AvailabilityZones"]) == 2
    attributes = _attributes(elbv2, alb["LoadBalancerArn"])
    assert attributes["deletion_protection.enabled"] == str(tfvars["alb_deletion_protection"]).lower()
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["idle_timeout.timeout_seconds"] == str(tfvars.get("alb_idle_timeout", 60))
    tags = _tags(elbv2.describe_tags(ResourceArns=[alb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"])
    assert tags == {"Name": "bbws-dev-alb", "Environment": "dev", "Project": "bbws", "ManagedBy": "terraform"}

    [listener] = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert (listener["Port"], listener["Protocol"]) == (80, "HTTP")
    [action] = listener["DefaultActions"]
    assert action["Type"] == "fixed-response" and action["FixedResponseConfig"]["StatusCode"] == "404"
    rule = _health_rule(elbv2, listener["ListenerArn"])
    assert rule["Priority"] == "50000"
    assert rule["Conditions"][0]["PathPatternConfig"]["Values"] == [tfvars.get("health_check_path", "/healthz")]
    assert rule["Actions"][0]["FixedResponseConfig"]["MessageBody"] == "ok"

    # What other resources reference is what the emulator answered.
    outputs = applied.outputs()
    assert outputs["alb_dns_name"] == alb["DNSName"]


def test_the_ecs_cluster_task_definition_and_roles_are_in_the_environments_account(applied: Stack) -> None:
    aws = session(applied)
    ecs, iam = aws.client("ecs"), aws.client("iam")
    [cluster] = ecs.describe_clusters(clusters=["bbws-dev-cluster"], include=["SETTINGS", "TAGS"])["clusters"]
    assert cluster["status"] == "ACTIVE"
    assert {s["name"]: s["value"] for s in cluster["settings"]} == {"containerInsights": "enabled"}
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["defaultCapacityProviderStrategy"][0]["capacityProvider"] == "FARGATE"
    assert _tags(cluster["tags"], "key", "value")["Environment"] == "dev"

    task = ecs.describe_task_definition(taskDefinition="bbws-dev-db-init")["taskDefinition"]
    assert task["status"] == "ACTIVE" and task["requiresCompatibilities"] == ["FARGATE"]
    assert (task["cpu"], task["memory"]) == (
        str(applied.facts["bbws_ecs_task_cpu"]),
        str(applied.facts["bbws_ecs_task_memory"]),
    )
    [container] = task["containerDefinitions"]
    assert container["name"] == "db-init" and container["logConfiguration"]["options"]["awslogs-group"] == "/ecs/dev"

    roles = {name: iam.get_role(RoleName=name)["Role"] for name in ("bbws-dev-ecs-execution", "bbws-dev-ecs-task")}
    assert task["executionRoleArn"] == roles["bbws-dev-ecs-execution"]["Arn"]
    assert task["taskRoleArn"] == roles["bbws-dev-ecs-task"]["Arn"]
    trust = roles["bbws-dev-ecs-task"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert iam.list_role_policies(RoleName="bbws-dev-ecs-execution")["PolicyNames"] == ["read-db-secret"]
    assert iam.list_role_policies(RoleName="bbws-dev-ecs-task")["PolicyNames"] == ["mount-efs"]
    # The emulator here runs without AWS managed policies (they cost seconds per account): the AWS managed
    # execution policy is held in state only, and the state knows it.
    assert iam.list_attached_role_policies(RoleName="bbws-dev-ecs-execution")["AttachedPolicies"] == []
    state = applied.terraform("state", "show", "aws_iam_role_policy_attachment.ecs_execution").stdout
    assert "AmazonECSTaskExecutionRolePolicy" in state


def test_the_key_alias_and_log_group_are_in_the_environments_account(applied: Stack) -> None:
    aws = session(applied)
    kms, logs = aws.client("kms"), aws.client("logs")
    [alias] = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/bbws-dev"]
    key = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]
    assert key["KeyState"] == "Enabled" and key["Description"] == "bbws-dev logs, RDS, EFS and secrets"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    assert {s["Sid"] for s in policy["Statement"]} == {"AccountAdministration", "CloudWatchLogs"}
    assert _tags(kms.list_resource_tags(KeyId=key["KeyId"])["Tags"], "TagKey", "TagValue")["Name"] == "bbws-dev"
    # The edge region's alarm key is in us-east-1, in the same account.
    edge = aws.client("kms", region_name="us-east-1")
    assert "alias/bbws-dev-alarms" in {a["AliasName"] for a in edge.list_aliases()["Aliases"]}

    [group] = logs.describe_log_groups(logGroupNamePrefix="/ecs/dev")["logGroups"]
    assert group["retentionInDays"] == applied.facts["bbws_log_retention_days"]
    assert group["kmsKeyId"] == key["Arn"]
    assert logs.list_tags_log_group(logGroupName="/ecs/dev")["tags"]["Environment"] == "dev"


def test_a_second_plan_has_nothing_to_do(applied: Stack) -> None:
    result = applied.plan()
    assert result.returncode == 0, result.stdout[-3000:]


def test_drift_behind_terraforms_back_is_planned_and_repaired(applied: Stack) -> None:
    aws = session(applied)
    elbv2, ecs, iam, kms, logs = (aws.client(s) for s in ("elbv2", "ecs", "iam", "kms", "logs"))
    alb = _alb(elbv2, "bbws-dev-alb")
    [listener] = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    rule = _health_rule(elbv2, listener["ListenerArn"])
    key_id = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/bbws-dev"][0]["TargetKeyId"]

    # Changed: listener rule action, ALB attribute, cluster setting, log retention, key rotation, role trust.
    elbv2.modify_rule(
        RuleArn=rule["RuleArn"],
        Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"ContentType": "text/plain", "StatusCode": "503"}}],
    )
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=alb["LoadBalancerArn"],
        Attributes=[{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "false"}],
    )
    ecs.update_cluster(cluster="bbws-dev-cluster", settings=[{"name": "containerInsights", "value": "disabled"}])
    logs.put_retention_policy(logGroupName="/ecs/dev", retentionInDays=1)
    kms.disable_key_rotation(KeyId=key_id)
    open_trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
    iam.update_assume_role_policy(RoleName="bbws-dev-ecs-task", PolicyDocument=json.dumps(open_trust))
    # Deleted: the inline secrets policy and the task definition revision.
    iam.delete_role_policy(RoleName="bbws-dev-ecs-execution", PolicyName="read-db-secret")
    ecs.deregister_task_definition(taskDefinition="bbws-dev-db-init:1")

    drift = applied.plan()
    assert drift.returncode == 2
    for address in (
        HEALTH_RULE,
        "aws_lb.this",
        "aws_ecs_cluster.this",
        "aws_cloudwatch_log_group.ecs",
        "aws_kms_key.this",
        "aws_iam_role.ecs_task",
    ):
        assert f"{address} will be updated in-place" in drift.stdout, address
    for address in ("aws_iam_role_policy.ecs_execution_secrets", "aws_ecs_task_definition.db_init"):
        assert f"{address} will be created" in drift.stdout, address

    applied.apply()
    rule = _health_rule(elbv2, listener["ListenerArn"])
    assert rule["Actions"][0]["FixedResponseConfig"] == {
        "ContentType": "text/plain",
        "MessageBody": "ok",
        "StatusCode": "200",
    }
    assert _attributes(elbv2, alb["LoadBalancerArn"])["routing.http.drop_invalid_header_fields.enabled"] == "true"
    [cluster] = ecs.describe_clusters(clusters=["bbws-dev-cluster"], include=["SETTINGS"])["clusters"]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    group = logs.describe_log_groups(logGroupNamePrefix="/ecs/dev")["logGroups"][0]
    assert group["retentionInDays"] == applied.facts["bbws_log_retention_days"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    trust = iam.get_role(RoleName="bbws-dev-ecs-task")["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert iam.list_role_policies(RoleName="bbws-dev-ecs-execution")["PolicyNames"] == ["read-db-secret"]
    task = ecs.describe_task_definition(taskDefinition="bbws-dev-db-init")["taskDefinition"]
    assert (task["status"], task["revision"]) == ("ACTIVE", 2)
    assert applied.plan().returncode == 0


def test_a_deleted_listener_is_created_again_with_its_rule(applied: Stack) -> None:
    elbv2 = session(applied).client("elbv2")
    alb = _alb(elbv2, "bbws-dev-alb")
    [listener] = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    elbv2.delete_listener(ListenerArn=listener["ListenerArn"])

    drift = applied.plan("-target=aws_lb_listener_rule.health_http")
    assert drift.returncode == 2
    assert "aws_lb_listener.http will be created" in drift.stdout
    assert f"{HEALTH_RULE} will be created" in drift.stdout

    applied.apply("-target=aws_lb_listener_rule.health_http")
    [listener] = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert _health_rule(elbv2, listener["ListenerArn"])["Priority"] == "50000"
    assert applied.plan("-target=aws_lb_listener_rule.health_http").returncode == 0


@pytest.fixture(scope="module")
def sit(applied: Stack, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    """sit's stack applied beside dev's (its own account), for destroy."""
    stack = Stack("sit", Path(tmp_path_factory.mktemp("stack")) / "sit")
    stack.apply()
    return stack


def test_destroy_refuses_a_protected_load_balancer_then_removes_the_familys_resources(
    applied: Stack, sit: Stack
) -> None:
    aws = session(sit)
    elbv2, ecs, iam, kms, logs = (aws.client(s) for s in ("elbv2", "ecs", "iam", "kms", "logs"))
    alb_arn = _alb(elbv2, "bbws-sit-alb")["LoadBalancerArn"]
    key_ids = [a["TargetKeyId"] for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/bbws-sit")]
    assert key_ids

    # As AWS: a load balancer with deletion protection on is not deleted (the refreshed state knows it is on).
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=alb_arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )
    with pytest.raises(StackError, match="deletion protection is enabled"):
        sit.destroy()
    assert elbv2.describe_load_balancers(LoadBalancerArns=[alb_arn])["LoadBalancers"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=alb_arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )

    sit.destroy()
    assert [
        lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == "bbws-sit-alb"
    ] == []
    clusters = ecs.describe_clusters(clusters=["bbws-sit-cluster"])["clusters"]
    assert all(c["status"] == "INACTIVE" for c in clusters)
    assert ecs.list_task_definitions(familyPrefix="bbws-sit-db-init", status="ACTIVE")["taskDefinitionArns"] == []
    assert [r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("bbws-sit-")] == []
    assert [a for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/bbws-sit")] == []
    for key_id in key_ids:
        # Scheduled with the planned 30-day window, as the real provider deletes a key.
        key = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        assert key["KeyState"] == "PendingDeletion"
        days = (key["DeletionDate"] - datetime.now(timezone.utc)).total_seconds() / 86400
        assert 29 < days <= 30
    assert [
        g
        for g in logs.describe_log_groups()["logGroups"]
        if "bbws-sit" in g["logGroupName"] or g["logGroupName"] == "/ecs/sit"
    ] == []
    # dev's resources in dev's account are untouched.
    assert _alb(session(applied).client("elbv2"), "bbws-dev-alb")


def test_resources_forgotten_by_the_state_are_imported_back_without_changes(applied: Stack) -> None:
    aws = session(applied)
    elbv2, kms = aws.client("elbv2"), aws.client("kms")
    alb = _alb(elbv2, "bbws-dev-alb")
    [listener] = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    key_id = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/bbws-dev"][0]["TargetKeyId"]
    imports = {
        "aws_lb.this": alb["LoadBalancerArn"],
        "aws_lb_listener.http": listener["ListenerArn"],
        HEALTH_RULE: _health_rule(elbv2, listener["ListenerArn"])["RuleArn"],
        "aws_ecs_cluster.this": "bbws-dev-cluster",
        "aws_ecs_cluster_capacity_providers.this": "bbws-dev-cluster",
        "aws_iam_role.ecs_task": "bbws-dev-ecs-task",
        "aws_iam_role_policy.ecs_task": "bbws-dev-ecs-task:mount-efs",
        "aws_iam_role_policy_attachment.ecs_execution": (
            "bbws-dev-ecs-execution/arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
        ),
        "aws_kms_key.this": key_id,
        "aws_kms_alias.this": "alias/bbws-dev",
        "aws_cloudwatch_log_group.ecs": "/ecs/dev",
    }
    applied.terraform("state", "rm", *imports)
    blocks = applied.workdir / "imports.tf"
    blocks.write_text("".join(f'import {{\n  to = {to}\n  id = "{id_}"\n}}\n' for to, id_ in imports.items()))
    try:
        plan = applied.plan()
        assert f"Plan: {len(imports)} to import, 0 to add," in plan.stdout and "0 to destroy" in plan.stdout
        for address in imports:
            if address != "aws_kms_key.this":
                assert f"# {address} will be imported" in plan.stdout, address
        # As with the real provider, a key's deletion window cannot be read back: the import plans to set it.
        key_plan = plan.stdout.split("# aws_kms_key.this will be updated in-place", 1)[1].split("\n\n  #", 1)[0]
        assert "+ deletion_window_in_days = 30" in key_plan
        applied.apply()
    finally:
        blocks.unlink()
    assert applied.plan().returncode == 0


# The stack's own configuration has no HTTPS listener without a custom domain, no forward or redirect action and
# no customer managed policy: the handlers' paths for them are driven here directly, against the same emulator.


def _handlers(applied: Stack) -> tuple[Any, dict[str, Any]]:
    import offline_aws

    offline_aws.load()
    api = offline_aws.api_for(
        applied.facts["bbws_aws_profile"], applied.facts["bbws_region"], None, {"Project": "bbws"}
    )
    api.account = applied.facts["bbws_account_id"]
    return api, offline_aws.REGISTRY


def _action(kind: str, **blocks: Any) -> dict[str, Any]:
    empty = {"authenticate_cognito": [], "authenticate_oidc": [], "fixed_response": [], "forward": []}
    return {
        **empty,
        "jwt_validation": [],
        "redirect": [],
        "order": None,
        "target_group_arn": None,
        "type": kind,
        **blocks,
    }


def test_an_https_listener_and_a_forward_rule_are_read_back_as_applied(applied: Stack) -> None:
    api, handlers = _handlers(applied)
    aws = session(applied)
    elbv2 = aws.client("elbv2")
    alb = _alb(elbv2, "bbws-dev-alb")
    certificate = aws.client("acm").request_certificate(DomainName="app.example.org", ValidationMethod="DNS")
    group = elbv2.create_target_group(
        Name="bbws-dev-handler-test", Protocol="HTTP", Port=8080, VpcId=alb["VpcId"], TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    redirect = {"host": None, "path": None, "port": "443", "protocol": "HTTPS", "query": None}
    planned = {
        "load_balancer_arn": alb["LoadBalancerArn"],
        "port": 8443,
        "protocol": "HTTPS",
        "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "certificate_arn": certificate["CertificateArn"],
        "default_action": [_action("redirect", redirect=[{**redirect, "status_code": "HTTP_301"}])],
        "tags": None,
        "tags_all": {"Project": "bbws"},
    }
    listener = handlers["aws_lb_listener"]
    state = {**planned, **listener.create(api, planned)}
    assert listener.read(api, state) == state  # the provider's default tag is not the listener's own
    elbv2.modify_listener(ListenerArn=state["id"], SslPolicy="ELBSecurityPolicy-2016-08")
    assert listener.read(api, state)["ssl_policy"] == "ELBSecurityPolicy-2016-08"

    host = {"values": ["app.example.org"], "regex_values": None}
    conditions = {"http_header": [], "http_request_method": [], "path_pattern": [], "query_string": []}
    rule_planned = {
        "listener_arn": state["id"],
        "priority": None,
        "action": [_action("forward", target_group_arn=group)],
        "condition": [{**conditions, "host_header": [host], "source_ip": []}],
        "tags": None,
        "tags_all": {},
    }
    rule = handlers["aws_lb_listener_rule"]
    rule_state = {**rule_planned, **rule.create(api, rule_planned)}
    assert rule_state["priority"] == 1  # the next after the listener's highest, as the real provider picks
    assert rule.read(api, rule_state) == rule_state
    elbv2.modify_rule(RuleArn=rule_state["id"], Conditions=[{"Field": "host-header", "Values": ["other.example.org"]}])
    assert rule.read(api, rule_state)["condition"][0]["host_header"][0]["values"] == ["other.example.org"]
    # A weighted forward between two groups set behind Terraform's back reads back as a forward block.
    second = elbv2.create_target_group(
        Name="bbws-dev-handler-test-2", Protocol="HTTP", Port=8080, VpcId=alb["VpcId"], TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    weighted = [{"TargetGroupArn": group, "Weight": 90}, {"TargetGroupArn": second, "Weight": 10}]
    elbv2.modify_rule(
        RuleArn=rule_state["id"], Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": weighted}}]
    )
    [action] = rule.read(api, rule_state)["action"]
    assert action["target_group_arn"] is None
    assert action["forward"][0]["target_group"] == [{"arn": group, "weight": 90}, {"arn": second, "weight": 10}]

    rule.delete(api, rule_state)
    listener.delete(api, state)
    listener.delete(api, state)  # already gone: not an error
    assert rule.read(api, rule_state) is None and listener.read(api, state) is None
    elbv2.delete_target_group(TargetGroupArn=group)
    elbv2.delete_target_group(TargetGroupArn=second)


def test_a_customer_managed_policy_attachment_is_held_and_its_detachment_is_drift(applied: Stack) -> None:
    api, handlers = _handlers(applied)
    iam = session(applied).client("iam")
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
    policy = iam.create_policy(PolicyName="bbws-dev-handler-test", PolicyDocument=json.dumps(document))["Policy"]
    attachment = handlers["aws_iam_role_policy_attachment"]
    planned = {"role": "bbws-dev-ecs-task", "policy_arn": policy["Arn"]}
    state = {**planned, **attachment.create(api, planned)}
    attached = iam.list_attached_role_policies(RoleName="bbws-dev-ecs-task")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [policy["Arn"]]
    assert attachment.read(api, state) == state

    iam.detach_role_policy(RoleName="bbws-dev-ecs-task", PolicyArn=policy["Arn"])
    assert attachment.read(api, state) is None
    attachment.delete(api, state)  # already detached: not an error
    iam.delete_policy(PolicyArn=policy["Arn"])
