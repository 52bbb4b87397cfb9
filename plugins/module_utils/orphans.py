# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Orphans: resources tagged for a project and environment that the environment's Terraform state does not manage.

The tagged resources come from the Resource Groups Tagging API (GetResources) of each region; the managed ones
from the state object in the S3 backend (every ``id``, ``arn`` and security-group rule id of every managed
instance). Each orphan gets the two ways to settle it: a Terraform ``import`` block in the form the hashicorp/aws
provider's import expects, or the AWS CLI command that deletes it. Nothing here writes anything.

Functions take plain values and the collection's client factory (``client_for(service, region)``, aws_client), never
the Ansible module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone
from typing import Any

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # reported by AnsibleAWSModule
    BotoCoreError = ClientError = Exception

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import ClientFactory
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_errors import error_code

ClientFor = ClientFactory

# Where the resource's name or id ends in its ARN, per (service, resource type) of the ARN:
#   id: the last path segment; arn: the whole ARN; name: everything after the resource type;
#   path: the segments after the resource type, joined by "/" (ECS services: cluster/service).
# Each: (Terraform resource type, import id form, delete command with {placeholders}).
IMPORTS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("ec2", "security-group"): ("aws_security_group", "id", "aws ec2 delete-security-group --group-id {id}"),
    ("ec2", "security-group-rule"): (
        "aws_vpc_security_group_{direction}_rule",
        "id",
        "aws ec2 revoke-security-group-{direction} --group-id {group_id} --security-group-rule-ids {id}",
    ),
    ("ec2", "vpc"): ("aws_vpc", "id", "aws ec2 delete-vpc --vpc-id {id}"),
    ("ec2", "subnet"): ("aws_subnet", "id", "aws ec2 delete-subnet --subnet-id {id}"),
    ("ec2", "route-table"): ("aws_route_table", "id", "aws ec2 delete-route-table --route-table-id {id}"),
    ("ec2", "natgateway"): ("aws_nat_gateway", "id", "aws ec2 delete-nat-gateway --nat-gateway-id {id}"),
    ("ec2", "elastic-ip"): ("aws_eip", "id", "aws ec2 release-address --allocation-id {id}"),
    ("ec2", "internet-gateway"): (
        "aws_internet_gateway",
        "id",
        "aws ec2 delete-internet-gateway --internet-gateway-id {id}  # detach it from its VPC first",
    ),
    ("ec2", "vpc-endpoint"): ("aws_vpc_endpoint", "id", "aws ec2 delete-vpc-endpoints --vpc-endpoint-ids {id}"),
    ("ec2", "vpc-flow-log"): ("aws_flow_log", "id", "aws ec2 delete-flow-logs --flow-log-ids {id}"),
    ("elasticloadbalancing", "targetgroup"): (
        "aws_lb_target_group",
        "arn",
        "aws elbv2 delete-target-group --target-group-arn {arn}",
    ),
    ("elasticloadbalancing", "listener-rule"): (
        "aws_lb_listener_rule",
        "arn",
        "aws elbv2 delete-rule --rule-arn {arn}",
    ),
    ("elasticloadbalancing", "listener"): ("aws_lb_listener", "arn", "aws elbv2 delete-listener --listener-arn {arn}"),
    ("elasticloadbalancing", "loadbalancer"): (
        "aws_lb",
        "arn",
        "aws elbv2 delete-load-balancer --load-balancer-arn {arn}",
    ),
    ("logs", "log-group"): ("aws_cloudwatch_log_group", "name", "aws logs delete-log-group --log-group-name {name}"),
    ("elasticfilesystem", "access-point"): (
        "aws_efs_access_point",
        "id",
        "aws efs delete-access-point --access-point-id {id}",
    ),
    ("elasticfilesystem", "file-system"): (
        "aws_efs_file_system",
        "id",
        "aws efs delete-file-system --file-system-id {id}  # delete its mount targets first",
    ),
    ("ecs", "cluster"): ("aws_ecs_cluster", "name", "aws ecs delete-cluster --cluster {name}"),
    ("ecs", "service"): (
        "aws_ecs_service",
        "path",
        "aws ecs delete-service --cluster {cluster} --service {service} --force",
    ),
    ("ecs", "task-definition"): (
        "aws_ecs_task_definition",
        "arn",
        "aws ecs deregister-task-definition --task-definition {name}",
    ),
    ("rds", "db"): (
        "aws_db_instance",
        "name",
        "aws rds delete-db-instance --db-instance-identifier {name} --final-db-snapshot-identifier {name}-final",
    ),
    ("rds", "pg"): (
        "aws_db_parameter_group",
        "name",
        "aws rds delete-db-parameter-group --db-parameter-group-name {name}",
    ),
    ("rds", "subgrp"): ("aws_db_subnet_group", "name", "aws rds delete-db-subnet-group --db-subnet-group-name {name}"),
    ("s3", ""): ("aws_s3_bucket", "name", "aws s3 rb s3://{name}  # empty it first (every version)"),
    ("sns", ""): ("aws_sns_topic", "arn", "aws sns delete-topic --topic-arn {arn}"),
    ("cloudwatch", "alarm"): (
        "aws_cloudwatch_metric_alarm",
        "name",
        "aws cloudwatch delete-alarms --alarm-names {name}",
    ),
    ("cloudwatch", "dashboard"): (
        "aws_cloudwatch_dashboard",
        "name",
        "aws cloudwatch delete-dashboards --dashboard-names {name}",
    ),
    ("secretsmanager", "secret"): (
        "aws_secretsmanager_secret",
        "arn",
        "aws secretsmanager delete-secret --secret-id {arn}",
    ),
    ("kms", "key"): ("aws_kms_key", "id", "aws kms schedule-key-deletion --key-id {id} --pending-window-in-days 30"),
    ("acm", "certificate"): ("aws_acm_certificate", "arn", "aws acm delete-certificate --certificate-arn {arn}"),
    ("ssm", "parameter"): ("aws_ssm_parameter", "name", "aws ssm delete-parameter --name {name}"),
    ("cloudfront", "distribution"): (
        "aws_cloudfront_distribution",
        "id",
        "aws cloudfront delete-distribution --id {id} --if-match <ETag>  # disable it first and wait until Deployed",
    ),
    ("route53", "hostedzone"): (
        "aws_route53_zone",
        "id",
        "aws route53 delete-hosted-zone --id {id}  # delete its record sets other than SOA and NS first",
    ),
    ("route53", "healthcheck"): (
        "aws_route53_health_check",
        "id",
        "aws route53 delete-health-check --health-check-id {id}",
    ),
}

# Attributes of a state instance that name the object it manages (security-group rules made by the older
# aws_security_group_rule resource carry the rule's sgr- id in security_group_rule_id).
STATE_IDENTIFIERS = ("id", "arn", "security_group_rule_id")


class OrphanError(Exception):
    """A failure with a message meant for the operator."""


@dataclass
class Arn:
    arn: str
    service: str
    region: str
    account: str
    resource_type: str
    resource: str

    @classmethod
    def parse(cls, arn: str) -> "Arn":
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[0] != "arn":
            return cls(arn, "", "", "", "", arn)
        service, region, account, rest = parts[2], parts[3], parts[4], parts[5]
        match = re.match(r"^([A-Za-z0-9-]+)([/:])(.*)$", rest)
        # Services whose ARN has no resource type (an S3 bucket, an SNS topic) keep the whole rest as the resource.
        if match and service not in ("s3", "sns"):
            return cls(arn, service, region, account, match.group(1), match.group(3))
        return cls(arn, service, region, account, "", rest)

    @property
    def last(self) -> str:
        return self.resource.rsplit("/", 1)[-1]

    @property
    def name(self) -> str:
        # A log group's ARN may end in ":*" (all its streams); a hierarchical SSM parameter's ARN drops its leading "/".
        name = self.resource.removesuffix(":*")
        if self.service == "ssm" and "/" in name and not name.startswith("/"):
            return f"/{name}"
        return name


def read_state(s3: Any, bucket: str, key: str) -> dict[str, Any]:
    """The Terraform state object of the S3 backend, parsed; a missing bucket or key is an error, not an empty state.

    Listing every tagged resource as an orphan because the state was looked for in the wrong place would invite
    deleting a working environment.
    """
    try:
        body = s3.get_object(aws_retry=True, Bucket=bucket, Key=key)["Body"].read()
    except is_boto3_error_code(["NoSuchKey", "NoSuchBucket", "404"]) as e:
        raise OrphanError(
            f"No Terraform state at s3://{bucket}/{key} ({error_code(e)}): the stack was never applied to this "
            "environment, or the bucket or key is not the terraform_stack backend's. Without the state every tagged "
            "resource would look unmanaged, so none is listed."
        ) from None
    try:
        state = json.loads(body)
    except ValueError:
        raise OrphanError(f"s3://{bucket}/{key} is not a Terraform state (not JSON).") from None
    if not isinstance(state, dict) or "resources" not in state and "version" not in state:
        raise OrphanError(f"s3://{bucket}/{key} is not a Terraform state (no version, no resources).")
    return state


def managed_identifiers(state: dict[str, Any]) -> set[str]:
    """Every id and ARN of every managed resource instance in the state."""
    found: set[str] = set()
    for resource in state.get("resources") or []:
        if resource.get("mode", "managed") != "managed":
            continue
        for instance in resource.get("instances") or []:
            attributes = instance.get("attributes") or {}
            for name in STATE_IDENTIFIERS:
                value = attributes.get(name)
                if isinstance(value, str) and value:
                    found.add(value)
    return found


def is_managed(arn: Arn, managed: set[str]) -> bool:
    candidates = {arn.arn, arn.name, arn.last}
    if arn.resource.endswith(":*"):
        candidates.add(arn.arn[:-2])
    return bool(candidates & managed)


def tagged_resources(tagging: Any, project: str, environment: str) -> list[dict[str, Any]]:
    """GetResources of one region, filtered by both tags (every page)."""
    filters = [{"Key": "Project", "Values": [project]}, {"Key": "Environment", "Values": [environment]}]
    found: list[dict[str, Any]] = []
    token = ""
    for _page in range(1000):  # bounded: 100 000 resources
        response = tagging.get_resources(
            aws_retry=True, TagFilters=filters, ResourcesPerPage=100, PaginationToken=token
        )
        found.extend(response.get("ResourceTagMappingList") or [])
        token = response.get("PaginationToken") or ""
        if not token:
            break
    return found


def _address_name(tags: dict[str, str], fallback: str) -> str:
    name = re.sub(r"[^a-z0-9_]+", "_", (tags.get("Name") or fallback).lower()).strip("_") or "orphan"
    return name if name[0].isalpha() else f"r_{name}"


def _readable_name(arn: Arn) -> str:
    """What names the object in its ARN: a target group's name, a log group's last path part, an id."""
    first = arn.resource.split("/", 1)[0]
    if arn.service == "elasticloadbalancing" and first not in ("app", "net", "gwy"):
        return first
    return arn.name.rstrip("/").rsplit("/", 1)[-1] or arn.last


def display_id(arn: Arn) -> str:
    """The id a person knows the object by: its id or name, or for ARN-imported types the ARN's resource part."""
    spec = IMPORTS.get((arn.service, arn.resource_type))
    form = spec[1] if spec else "id"
    if form == "name" or not arn.resource_type:
        return arn.name
    if form in ("arn", "path"):
        return arn.resource
    return arn.last


def _rule_details(client_for: ClientFor, region: str, rule_id: str) -> dict[str, str]:
    """The group and direction of a security-group rule (its ARN says neither)."""
    try:
        rules = client_for("ec2", region).describe_security_group_rules(aws_retry=True, SecurityGroupRuleIds=[rule_id])
    except (BotoCoreError, ClientError):  # the fix then names the placeholder to fill in
        return {}
    for rule in rules.get("SecurityGroupRules") or []:
        return {"group_id": rule.get("GroupId", ""), "direction": "egress" if rule.get("IsEgress") else "ingress"}
    return {}


def _created(client_for: ClientFor, arn: Arn) -> datetime | None:
    """When the object was created, from the services that say it; None from the others (and on any failure)."""
    region = arn.region or "us-east-1"
    key = (arn.service, arn.resource_type)

    def read(service: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        return getattr(client_for(service, region), operation)(aws_retry=True, **kwargs)

    try:
        if key == ("logs", "log-group"):
            groups = read("logs", "describe_log_groups", logGroupNamePrefix=arn.name).get("logGroups") or []
            for group in groups:
                if group.get("logGroupName") == arn.name and group.get("creationTime"):
                    return datetime.fromtimestamp(group["creationTime"] / 1000, tz=timezone.utc)
        elif key == ("elasticloadbalancing", "loadbalancer"):
            lbs = read("elbv2", "describe_load_balancers", LoadBalancerArns=[arn.arn])["LoadBalancers"]
            return lbs[0].get("CreatedTime") if lbs else None
        elif key == ("elasticfilesystem", "file-system"):
            systems = read("efs", "describe_file_systems", FileSystemId=arn.last)["FileSystems"]
            return systems[0].get("CreationTime") if systems else None
        elif key == ("rds", "db"):
            dbs = read("rds", "describe_db_instances", DBInstanceIdentifier=arn.name)["DBInstances"]
            return dbs[0].get("InstanceCreateTime") if dbs else None
        elif key == ("ec2", "natgateway"):
            gateways = read("ec2", "describe_nat_gateways", NatGatewayIds=[arn.last])["NatGateways"]
            return gateways[0].get("CreateTime") if gateways else None
        elif key == ("acm", "certificate"):
            return read("acm", "describe_certificate", CertificateArn=arn.arn)["Certificate"].get("CreatedAt")
        elif key == ("secretsmanager", "secret"):
            return read("secretsmanager", "describe_secret", SecretId=arn.arn).get("CreatedDate")
        elif key == ("kms", "key"):
            return read("kms", "describe_key", KeyId=arn.last)["KeyMetadata"].get("CreationDate")
        elif key == ("ecs", "service"):
            cluster, _sep, service = arn.resource.rpartition("/")
            services = read("ecs", "describe_services", cluster=cluster, services=[service])["services"]
            return services[0].get("createdAt") if services else None
    except (BotoCoreError, ClientError, KeyError, IndexError):
        # An age is a courtesy: an object that cannot be read (no permission, just deleted) still is an orphan.
        return None
    return None


def _fix(arn: Arn, tags: dict[str, str], details: dict[str, str], home_region: str, profile: str | None) -> dict:
    spec = IMPORTS.get((arn.service, arn.resource_type))
    where = f" --region {arn.region or 'us-east-1'}" + (f" --profile {profile}" if profile else "")
    if not spec:
        return {
            "import": None,
            "delete_command": None,
            "note": (
                f"No import form is known for {arn.service} {arn.resource_type or 'resources'}: look it up in the "
                "hashicorp/aws documentation, or inspect it with: aws resourcegroupstaggingapi get-resources "
                f"--resource-arn-list {arn.arn}{where}"
            ),
        }
    tf_type, id_form, delete = spec
    cluster, _sep, service = arn.resource.rpartition("/")
    values = {
        "id": arn.last,
        "arn": arn.arn,
        "name": arn.name,
        "cluster": cluster,
        "service": service,
        "direction": details.get("direction", "ingress"),
        "group_id": details.get("group_id", "<security group id>"),
    }
    import_id = {"id": arn.last, "arn": arn.arn, "name": arn.name, "path": arn.resource}[id_form]
    tf_type = tf_type.format(**values)
    address = f"{tf_type}.{_address_name(tags, _readable_name(arn))}"
    # Resources of the stack's second region are managed through its aliased provider.
    provider = "aws.us_east_1" if arn.region == "us-east-1" and home_region != "us-east-1" else None
    lines = ["import {", f"  to = {address}", f"  id = {json.dumps(import_id)}"]
    if provider:
        lines.append(f"  provider = {provider}")
    lines.append("}")
    command, _sep, caveat = delete.format(**values).partition("  # ")
    return {
        "import": {"to": address, "id": import_id, "provider": provider, "block": "\n".join(lines)},
        "delete_command": command + where + (f"  # {caveat}" if caveat else ""),
        "note": (
            "Adopt it: add the import block and a matching resource block to terraform/ "
            "(terraform plan -generate-config-out=generated.tf writes one), plan and apply. "
            "Or delete it with the command, after checking nothing uses it. Nothing was changed."
        ),
    }


def find_orphans(
    client_for: ClientFor,
    project: str,
    environment: str,
    regions: list[str],
    state: dict[str, Any],
    home_region: str,
    profile: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The tagged resources of ``regions`` that ``state`` does not manage, each with its fix."""
    now = now or datetime.now(timezone.utc)
    managed = managed_identifiers(state)
    orphans: list[dict[str, Any]] = []
    tagged = 0
    for region in dict.fromkeys(regions):  # each region once, in the given order
        for mapping in tagged_resources(client_for("resourcegroupstaggingapi", region), project, environment):
            tagged += 1
            arn = Arn.parse(mapping.get("ResourceARN", ""))
            if is_managed(arn, managed):
                continue
            tags = {t.get("Key", ""): t.get("Value", "") for t in mapping.get("Tags") or []}
            details = (
                _rule_details(client_for, arn.region or region, arn.last)
                if (arn.service, arn.resource_type) == ("ec2", "security-group-rule")
                else {}
            )
            created = _created(client_for, arn)
            if created is not None and created.tzinfo is None:
                created = created.replace(tzinfo=timezone.utc)  # AWS times are UTC
            orphan: dict[str, Any] = {
                "arn": arn.arn,
                "id": display_id(arn),
                "type": f"{arn.service}:{arn.resource_type}" if arn.resource_type else arn.service,
                "region": arn.region or region,
                "tags": tags,
                "created": created.isoformat() if created else None,
                "age_days": (now - created).days if created else None,
                **_fix(arn, tags, details, home_region, profile),
            }
            orphans.append(orphan)
    orphans.sort(key=lambda o: (o["region"], o["type"], o["id"]))
    return {
        "orphans": orphans,
        "tagged": tagged,
        "managed": tagged - len(orphans),
        "state": {
            "serial": state.get("serial"),
            "lineage": state.get("lineage"),
            "resources": sum(len(r.get("instances") or []) for r in state.get("resources") or []),
        },
    }
