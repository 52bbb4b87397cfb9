# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""When AWS answers that a quota is used up, say which quota, its value and the usage we can see.

A ``...LimitExceeded`` error names the kind of resource but neither the quota's value nor what uses it. For the
limits the cluster stack can hit, this reads the value from Service Quotas (AWS's documented default, named as such,
when Service Quotas has none) and counts the resources in the account and region, so the message says, for example,
"VPCs per Region: 5 (Service Quotas vpc L-F678F1CE); in use: 5 VPCs in af-south-1", with the request command.
Only read calls are made, and any failure to read leaves that part out rather than hiding the original error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from typing import Callable

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # reported by AnsibleAWSModule
    BotoCoreError = ClientError = Exception

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import ClientFactory
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import paginate


def _count(service: str, operation: str, key: str, **kwargs: Any) -> Callable[[ClientFactory], int]:
    def read(client: ClientFactory) -> int:
        return len(paginate(client(service, None), operation, key, **kwargs))

    return read


def _hosted_zones(client: ClientFactory) -> int:
    return int(client("route53", None).get_hosted_zone_count(aws_retry=True)["HostedZoneCount"])


def _nat_gateways_per_az(client: ClientFactory) -> int:
    ec2 = client("ec2", None)
    subnets = {s["SubnetId"]: s["AvailabilityZone"] for s in ec2.describe_subnets(aws_retry=True)["Subnets"]}
    gateways = paginate(
        ec2, "describe_nat_gateways", "NatGateways", Filters=[{"Name": "state", "Values": ["pending", "available"]}]
    )
    per_az: dict[str, int] = {}
    for gateway in gateways:
        zone = subnets.get(gateway.get("SubnetId"), "?")
        per_az[zone] = per_az.get(zone, 0) + 1
    return max(per_az.values(), default=0)


@dataclass(frozen=True)
class Quota:
    """A quota as Service Quotas names it, its AWS default, and how to count what uses it."""

    service: str
    name: str
    default: int | None
    code: str | None = None  # looked up by name when None
    usage: Callable[[ClientFactory], int] | None = None
    counted: str = ""  # what the usage counts, "in <region>" is added
    global_service: bool = False  # quotas of global services (Route 53) live in us-east-1


# The error codes the stack's resources answer when a quota is used up.
LIMIT_ERRORS: dict[str, Quota] = {
    "VpcLimitExceeded": Quota(
        "vpc", "VPCs per Region", 5, "L-F678F1CE", _count("ec2", "describe_vpcs", "Vpcs"), "VPCs"
    ),
    "InternetGatewayLimitExceeded": Quota(
        "vpc",
        "Internet gateways per Region",
        5,
        "L-A4707A72",
        _count("ec2", "describe_internet_gateways", "InternetGateways"),
        "internet gateways",
    ),
    "NatGatewayLimitExceeded": Quota(
        "vpc",
        "NAT gateways per Availability Zone",
        5,
        "L-FE5A380F",
        _nat_gateways_per_az,
        "NAT gateways in the fullest Availability Zone",
    ),
    "SecurityGroupLimitExceeded": Quota(
        "vpc",
        "VPC security groups per Region",
        2500,
        "L-E79EC296",
        _count("ec2", "describe_security_groups", "SecurityGroups"),
        "security groups",
    ),
    "RulesPerSecurityGroupLimitExceeded": Quota(
        "vpc", "Inbound or outbound rules per security group", 60, "L-0EA8095F"
    ),
    "AddressLimitExceeded": Quota(
        "ec2",
        "EC2-VPC Elastic IPs",
        5,
        "L-0263D0A3",
        lambda client: len(client("ec2", None).describe_addresses(aws_retry=True)["Addresses"]),
        "Elastic IPs",
    ),
    "TooManyHostedZones": Quota(
        "route53", "Hosted zones", 500, "L-4EA4796A", _hosted_zones, "hosted zones in the account", global_service=True
    ),
    "TooManyLoadBalancers": Quota(
        "elasticloadbalancing",
        "Application Load Balancers per Region",
        50,
        None,
        _count("elbv2", "describe_load_balancers", "LoadBalancers"),
        "load balancers",
    ),
    "TooManyTargetGroups": Quota(
        "elasticloadbalancing",
        "Target Groups per Region",
        3000,
        None,
        _count("elbv2", "describe_target_groups", "TargetGroups"),
        "target groups",
    ),
    "TooManyRules": Quota("elasticloadbalancing", "Rules per Application Load Balancer", 100),
    "FileSystemLimitExceeded": Quota(
        "elasticfilesystem",
        "File systems per account",
        1000,
        None,
        _count("efs", "describe_file_systems", "FileSystems"),
        "EFS file systems",
    ),
    "AccessPointLimitExceeded": Quota("elasticfilesystem", "Access points per file system", 10000),
    "DBInstanceQuotaExceeded": Quota(
        "rds", "DB instances", 40, None, _count("rds", "describe_db_instances", "DBInstances"), "DB instances"
    ),
    "InstanceQuotaExceeded": Quota(
        "rds", "DB instances", 40, None, _count("rds", "describe_db_instances", "DBInstances"), "DB instances"
    ),
}
LIMIT_ERROR_RE = re.compile(r"\b(" + "|".join(sorted(LIMIT_ERRORS, key=len, reverse=True)) + r")\b")


def limit_code_in(text: str) -> str | None:
    """The first quota error code of the table that appears in ``text`` (a Terraform error, an exception)."""
    match = LIMIT_ERROR_RE.search(text or "")
    return match.group(1) if match else None


def quota_value(quota: Quota, servicequotas: Any) -> tuple[float, str, str | None]:
    """(value, where it came from, quota code): Service Quotas' applied value, else AWS's documented default."""
    try:
        if quota.code:
            found = servicequotas.get_service_quota(aws_retry=True, ServiceCode=quota.service, QuotaCode=quota.code)[
                "Quota"
            ]
            return float(found["Value"]), f"Service Quotas {quota.service} {quota.code}", quota.code
        for item in paginate(servicequotas, "list_service_quotas", "Quotas", ServiceCode=quota.service):
            if item.get("QuotaName") == quota.name:
                return float(item["Value"]), f"Service Quotas {quota.service} {item['QuotaCode']}", item["QuotaCode"]
    except (BotoCoreError, ClientError, KeyError):
        pass
    return float(quota.default), "AWS default", quota.code


def explain_limit(code: str | None, client: ClientFactory, region: str) -> str:
    """One sentence: the quota behind ``code``, its value and source, the usage we can count, how to ask for more.

    ``client(service, region)`` makes a client (aws_client.AWSClients.client; region None: the caller's region).
    Empty when ``code`` is not a quota error of the table."""
    quota = LIMIT_ERRORS.get(code or "")
    if quota is None:
        return ""
    quota_region = "us-east-1" if quota.global_service else region
    try:
        value, source, quota_code = quota_value(quota, client("service-quotas", quota_region))
    except (BotoCoreError, ClientError):
        value, source, quota_code = float(quota.default), "AWS default", quota.code
    shown = int(value) if value.is_integer() else value
    text = f"The quota is {quota.name}: {shown} ({source})"
    if quota.usage:
        try:
            used = quota.usage(client)
            where = "" if quota.global_service else f" in {region}"
            text += f"; in use: {used} {quota.counted}{where}"
        except (BotoCoreError, ClientError, KeyError):
            text += "; the usage could not be read"
    text += "."
    if quota_code:
        text += (
            f" Ask for more with: aws service-quotas request-service-quota-increase --service-code {quota.service} "
            f"--quota-code {quota_code} --desired-value <new value> --region {quota_region}."
        )
    return text
