"""The network in the emulator: VPC, subnets, gateways, routes, security groups and their rules, endpoints."""

from __future__ import annotations

import zlib
from typing import Any

from offline_aws import Api
from offline_aws import Handler
from offline_aws import gone
from offline_aws import ignore_gone
from offline_aws import own_tags
from offline_aws import resource
from offline_aws import tags_of


def tag_spec(kind: str, planned: dict[str, Any]) -> list[dict[str, Any]]:
    tags = [{"Key": k, "Value": v} for k, v in tags_of(planned).items()]
    return [{"ResourceType": kind, "Tags": tags}] if tags else []


def refresh_tags(api: Api, state: dict[str, Any], found: list[dict[str, str]] | None) -> dict[str, Any]:
    """The state with the tags the emulator holds, from a list of Key/Value pairs."""
    return own_tags(api, state, {t["Key"]: t["Value"] for t in found or []})


class Ec2Tagged(Handler):
    """An EC2 resource whose tags are updated in place."""

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        retag(api, prior["id"], prior, planned)
        return {}


def retag(api: Api, resource_id: str, prior: dict[str, Any], planned: dict[str, Any]) -> None:
    ec2 = api.client("ec2")
    old, new = tags_of(prior), tags_of(planned)
    removed = [{"Key": k} for k in old if k not in new]
    changed = [{"Key": k, "Value": v} for k, v in new.items() if old.get(k) != v]
    if removed:
        ec2.delete_tags(Resources=[resource_id], Tags=removed)
    if changed:
        ec2.create_tags(Resources=[resource_id], Tags=changed)


def _describe(call: Any, key: str, **kwargs: Any) -> dict[str, Any] | None:
    try:
        items = call(**kwargs)[key]
    except Exception as error:  # noqa: BLE001 - a NotFound is "gone", anything else is the caller's error
        if gone(error):
            return None
        raise
    return items[0] if items else None


@resource("aws_vpc", replace_on=("cidr_block", "instance_tenancy"))
class Vpc(Ec2Tagged):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        ec2 = api.client("ec2")
        vpc = ec2.create_vpc(CidrBlock=planned["cidr_block"], TagSpecifications=tag_spec("vpc", planned))["Vpc"]
        vpc_id = vpc["VpcId"]
        self._attributes(ec2, vpc_id, planned)
        return self._computed(api, ec2, vpc_id)

    @staticmethod
    def _attributes(ec2: Any, vpc_id: str, planned: dict[str, Any]) -> None:
        for key, attribute in (
            ("enable_dns_support", "EnableDnsSupport"),
            ("enable_dns_hostnames", "EnableDnsHostnames"),
        ):
            if planned.get(key) is not None:
                ec2.modify_vpc_attribute(VpcId=vpc_id, **{attribute: {"Value": bool(planned[key])}})

    @staticmethod
    def _computed(api: Api, ec2: Any, vpc_id: str) -> dict[str, Any]:
        vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        group = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"]
        main = ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"]
        acls = ec2.describe_network_acls(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
        )["NetworkAcls"]
        return {
            "id": vpc_id,
            "arn": api.arn("ec2", f"vpc/{vpc_id}"),
            "owner_id": vpc.get("OwnerId") or api.account,
            "instance_tenancy": vpc.get("InstanceTenancy", "default"),
            "dhcp_options_id": vpc.get("DhcpOptionsId", ""),
            "default_security_group_id": group[0]["GroupId"] if group else "",
            "main_route_table_id": main[0]["RouteTableId"] if main else "",
            "default_route_table_id": main[0]["RouteTableId"] if main else "",
            "default_network_acl_id": acls[0]["NetworkAclId"] if acls else "",
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        ec2 = api.client("ec2")
        vpc = _describe(ec2.describe_vpcs, "Vpcs", VpcIds=[state["id"]])
        if vpc is None:
            return None
        state = {**state, "cidr_block": vpc["CidrBlock"]}
        for key, attribute in (
            ("enable_dns_support", "EnableDnsSupport"),
            ("enable_dns_hostnames", "EnableDnsHostnames"),
        ):
            answer = ec2.describe_vpc_attribute(VpcId=state["id"], Attribute=attribute[0].lower() + attribute[1:])
            state[key] = bool(answer[attribute]["Value"])
        return refresh_tags(api, state, vpc.get("Tags"))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        self._attributes(api.client("ec2"), prior["id"], planned)
        return super().update(api, prior, planned)

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").delete_vpc, VpcId=state["id"])


@resource("aws_subnet", replace_on=("vpc_id", "cidr_block", "availability_zone"))
class Subnet(Ec2Tagged):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        ec2 = api.client("ec2")
        subnet = ec2.create_subnet(
            VpcId=planned["vpc_id"],
            CidrBlock=planned["cidr_block"],
            AvailabilityZone=planned["availability_zone"],
            TagSpecifications=tag_spec("subnet", planned),
        )["Subnet"]
        if planned.get("map_public_ip_on_launch"):
            ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True})
        return {
            "id": subnet["SubnetId"],
            "arn": subnet.get("SubnetArn") or api.arn("ec2", f"subnet/{subnet['SubnetId']}"),
            "owner_id": subnet.get("OwnerId") or api.account,
            "availability_zone_id": subnet.get("AvailabilityZoneId", ""),
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        subnet = _describe(api.client("ec2").describe_subnets, "Subnets", SubnetIds=[state["id"]])
        if subnet is None:
            return None
        public = bool(subnet.get("MapPublicIpOnLaunch"))
        # An argument the configuration leaves null stays null while the emulator holds its default.
        if state.get("map_public_ip_on_launch") is not None or public:
            state = {**state, "map_public_ip_on_launch": public}
        return refresh_tags(api, state, subnet.get("Tags"))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        if bool(prior.get("map_public_ip_on_launch")) != bool(planned.get("map_public_ip_on_launch")):
            api.client("ec2").modify_subnet_attribute(
                SubnetId=prior["id"], MapPublicIpOnLaunch={"Value": bool(planned.get("map_public_ip_on_launch"))}
            )
        return super().update(api, prior, planned)

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").delete_subnet, SubnetId=state["id"])


@resource("aws_internet_gateway")
class InternetGateway(Ec2Tagged):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        ec2 = api.client("ec2")
        gateway = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", planned))
        gateway_id = gateway["InternetGateway"]["InternetGatewayId"]
        if planned.get("vpc_id"):
            ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=planned["vpc_id"])
        return {"id": gateway_id, "arn": api.arn("ec2", f"internet-gateway/{gateway_id}"), "owner_id": api.account}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        ec2 = api.client("ec2")
        gateway = _describe(ec2.describe_internet_gateways, "InternetGateways", InternetGatewayIds=[state["id"]])
        if gateway is None:
            return None
        attached = [a["VpcId"] for a in gateway.get("Attachments") or []]
        state = {**state, "vpc_id": attached[0] if attached else None}
        return refresh_tags(api, state, gateway.get("Tags"))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        ec2 = api.client("ec2")
        if prior.get("vpc_id") != planned.get("vpc_id"):
            if prior.get("vpc_id"):
                ignore_gone(ec2.detach_internet_gateway, InternetGatewayId=prior["id"], VpcId=prior["vpc_id"])
            if planned.get("vpc_id"):
                ec2.attach_internet_gateway(InternetGatewayId=prior["id"], VpcId=planned["vpc_id"])
        return super().update(api, prior, planned)

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ec2 = api.client("ec2")
        if state.get("vpc_id"):
            ignore_gone(ec2.detach_internet_gateway, InternetGatewayId=state["id"], VpcId=state["vpc_id"])
        ignore_gone(ec2.delete_internet_gateway, InternetGatewayId=state["id"])


@resource("aws_eip", replace_on=("domain",))
class ElasticIp(Ec2Tagged):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        address = api.client("ec2").allocate_address(
            Domain=planned.get("domain") or "vpc", TagSpecifications=tag_spec("elastic-ip", planned)
        )
        return self._computed(api, address)

    @staticmethod
    def _computed(api: Api, address: dict[str, Any]) -> dict[str, Any]:
        public_ip = address.get("PublicIp", "")
        return {
            "id": address["AllocationId"],
            "allocation_id": address["AllocationId"],
            "arn": api.arn("ec2", f"elastic-ip/{address['AllocationId']}"),
            "public_ip": public_ip,
            "public_dns": f"ec2-{public_ip.replace('.', '-')}.{api.region}.compute.amazonaws.com",
            "domain": address.get("Domain", "vpc"),
            "network_border_group": api.region,
            "public_ipv4_pool": "amazon",
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        address = _describe(api.client("ec2").describe_addresses, "Addresses", AllocationIds=[state["id"]])
        if address is None:
            return None
        return refresh_tags(api, dict(state), address.get("Tags"))

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").release_address, AllocationId=state["id"])


@resource("aws_nat_gateway", replace_on=("allocation_id", "subnet_id", "connectivity_type"))
class NatGateway(Ec2Tagged):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        nat = api.client("ec2").create_nat_gateway(
            SubnetId=planned["subnet_id"],
            AllocationId=planned["allocation_id"],
            TagSpecifications=tag_spec("natgateway", planned),
        )["NatGateway"]
        address = (nat.get("NatGatewayAddresses") or [{}])[0]
        return {
            "id": nat["NatGatewayId"],
            "connectivity_type": "public",
            "network_interface_id": address.get("NetworkInterfaceId", ""),
            "private_ip": address.get("PrivateIp", ""),
            "public_ip": address.get("PublicIp", ""),
            "association_id": address.get("AssociationId", ""),
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        nat = _describe(api.client("ec2").describe_nat_gateways, "NatGateways", NatGatewayIds=[state["id"]])
        if nat is None or nat.get("State") in ("deleted", "deleting", "failed"):
            return None
        return refresh_tags(api, dict(state), nat.get("Tags"))

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").delete_nat_gateway, NatGatewayId=state["id"])


@resource("aws_route_table", replace_on=("vpc_id",))
class RouteTable(Ec2Tagged):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        table = api.client("ec2").create_route_table(
            VpcId=planned["vpc_id"], TagSpecifications=tag_spec("route-table", planned)
        )["RouteTable"]
        table_id = table["RouteTableId"]
        return {"id": table_id, "arn": api.arn("ec2", f"route-table/{table_id}"), "owner_id": api.account}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        table = _describe(api.client("ec2").describe_route_tables, "RouteTables", RouteTableIds=[state["id"]])
        if table is None:
            return None
        return refresh_tags(api, dict(state), table.get("Tags"))

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").delete_route_table, RouteTableId=state["id"])


ROUTE_TARGETS = {
    "gateway_id": "GatewayId",
    "nat_gateway_id": "NatGatewayId",
    "vpc_endpoint_id": "VpcEndpointId",
    "network_interface_id": "NetworkInterfaceId",
    "transit_gateway_id": "TransitGatewayId",
    "vpc_peering_connection_id": "VpcPeeringConnectionId",
}


@resource("aws_route", replace_on=("route_table_id", "destination_cidr_block"))
class Route(Handler):
    @staticmethod
    def _target(planned: dict[str, Any]) -> dict[str, str]:
        return {api_name: planned[key] for key, api_name in ROUTE_TARGETS.items() if planned.get(key)}

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        api.client("ec2").create_route(
            RouteTableId=planned["route_table_id"],
            DestinationCidrBlock=planned["destination_cidr_block"],
            **self._target(planned),
        )
        # The real provider's id: the table and a hash of the destination.
        checksum = zlib.crc32(planned["destination_cidr_block"].encode())
        return {"id": f"r-{planned['route_table_id']}{checksum}", "origin": "CreateRoute", "state": "active"}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        table = _describe(
            api.client("ec2").describe_route_tables, "RouteTables", RouteTableIds=[state["route_table_id"]]
        )
        routes = [
            r
            for r in (table or {}).get("Routes") or []
            if r.get("DestinationCidrBlock") == state["destination_cidr_block"]
        ]
        if not routes:
            return None
        refreshed = dict(state)
        for key, api_name in ROUTE_TARGETS.items():
            if state.get(key) is not None or routes[0].get(api_name):
                refreshed[key] = routes[0].get(api_name) or ""
        return refreshed

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        api.client("ec2").replace_route(
            RouteTableId=planned["route_table_id"],
            DestinationCidrBlock=planned["destination_cidr_block"],
            **self._target(planned),
        )
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(
            api.client("ec2").delete_route,
            RouteTableId=state["route_table_id"],
            DestinationCidrBlock=state["destination_cidr_block"],
        )


@resource("aws_route_table_association", replace_on=("subnet_id", "gateway_id", "route_table_id"))
class RouteTableAssociation(Handler):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        answer = api.client("ec2").associate_route_table(
            RouteTableId=planned["route_table_id"], SubnetId=planned["subnet_id"]
        )
        return {"id": answer["AssociationId"]}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        tables = api.client("ec2").describe_route_tables(
            Filters=[{"Name": "association.route-table-association-id", "Values": [state["id"]]}]
        )["RouteTables"]
        return dict(state) if tables else None

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").disassociate_route_table, AssociationId=state["id"])


@resource("aws_security_group", replace_on=("name", "name_prefix", "description", "vpc_id"))
class SecurityGroup(Ec2Tagged):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        ec2 = api.client("ec2")
        group_id = ec2.create_security_group(
            GroupName=planned["name"],
            Description=planned.get("description") or "Managed by Terraform",
            VpcId=planned["vpc_id"],
            TagSpecifications=tag_spec("security-group", planned),
        )["GroupId"]
        # As the real provider: the allow-all egress AWS adds to a new group is removed.
        ignore_gone(
            ec2.revoke_security_group_egress,
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
        return {
            "id": group_id,
            "arn": api.arn("ec2", f"security-group/{group_id}"),
            "owner_id": api.account,
            "ingress": [],
            "egress": [],
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        group = _describe(api.client("ec2").describe_security_groups, "SecurityGroups", GroupIds=[state["id"]])
        if group is None:
            return None
        return refresh_tags(api, dict(state), group.get("Tags"))

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").delete_security_group, GroupId=state["id"])


@resource("aws_default_security_group", replace_on=("vpc_id",))
class DefaultSecurityGroup(SecurityGroup):
    """The VPC's default group, adopted: every rule it has is removed (the stack gives it none); read refreshes its
    tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        ec2 = api.client("ec2")
        group = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [planned["vpc_id"]]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"][0]
        if group.get("IpPermissions"):
            ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
        if group.get("IpPermissionsEgress"):
            ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
        if tags_of(planned):
            ec2.create_tags(
                Resources=[group["GroupId"]], Tags=[{"Key": k, "Value": v} for k, v in tags_of(planned).items()]
            )
        return {
            "id": group["GroupId"],
            "arn": api.arn("ec2", f"security-group/{group['GroupId']}"),
            "name": "default",
            "description": group.get("Description", "default VPC security group"),
            "owner_id": api.account,
            "ingress": [],
            "egress": [],
        }

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        """The default group cannot be deleted: Terraform only forgets it, as with the real provider."""


class SecurityGroupRule(Handler):
    """One rule of a group (aws_vpc_security_group_ingress_rule / _egress_rule), by its rule id."""

    direction = ""

    @staticmethod
    def _permission(planned: dict[str, Any]) -> dict[str, Any]:
        protocol = str(planned["ip_protocol"])
        permission: dict[str, Any] = {"IpProtocol": protocol}
        if protocol not in ("-1", "all"):
            permission.update(FromPort=int(planned["from_port"]), ToPort=int(planned["to_port"]))
        description = {"Description": planned["description"]} if planned.get("description") else {}
        if planned.get("cidr_ipv4"):
            permission["IpRanges"] = [{"CidrIp": planned["cidr_ipv4"], **description}]
        if planned.get("cidr_ipv6"):
            permission["Ipv6Ranges"] = [{"CidrIpv6": planned["cidr_ipv6"], **description}]
        if planned.get("prefix_list_id"):
            permission["PrefixListIds"] = [{"PrefixListId": planned["prefix_list_id"], **description}]
        if planned.get("referenced_security_group_id"):
            permission["UserIdGroupPairs"] = [{"GroupId": planned["referenced_security_group_id"], **description}]
        return permission

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        ec2 = api.client("ec2")
        authorize = getattr(ec2, f"authorize_security_group_{self.direction}")
        extra = {"TagSpecifications": tag_spec("security-group-rule", planned)} if tags_of(planned) else {}
        answer = authorize(GroupId=planned["security_group_id"], IpPermissions=[self._permission(planned)], **extra)
        rule_id = answer["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        return {
            "id": rule_id,
            "security_group_rule_id": rule_id,
            "arn": api.arn("ec2", f"security-group-rule/{rule_id}"),
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        rule = _describe(
            api.client("ec2").describe_security_group_rules, "SecurityGroupRules", SecurityGroupRuleIds=[state["id"]]
        )
        if rule is None:
            return None
        refreshed = dict(state)
        protocol = rule.get("IpProtocol")
        refreshed["ip_protocol"] = protocol
        if protocol not in ("-1", "all"):
            refreshed.update(from_port=rule.get("FromPort"), to_port=rule.get("ToPort"))
        refreshed["cidr_ipv4"] = rule.get("CidrIpv4")
        refreshed["prefix_list_id"] = rule.get("PrefixListId")
        referenced = rule.get("ReferencedGroupInfo") or {}
        refreshed["referenced_security_group_id"] = referenced.get("GroupId")
        return refreshed

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        revoke = getattr(api.client("ec2"), f"revoke_security_group_{self.direction}")
        ignore_gone(revoke, GroupId=state["security_group_id"], SecurityGroupRuleIds=[state["id"]])


RULE_FIELDS = (
    "security_group_id",
    "ip_protocol",
    "from_port",
    "to_port",
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
)


@resource("aws_vpc_security_group_ingress_rule", replace_on=RULE_FIELDS)
class IngressRule(SecurityGroupRule):
    direction = "ingress"


@resource("aws_vpc_security_group_egress_rule", replace_on=RULE_FIELDS)
class EgressRule(SecurityGroupRule):
    direction = "egress"


@resource("aws_vpc_endpoint", replace_on=("vpc_id", "service_name", "vpc_endpoint_type"))
class VpcEndpoint(Ec2Tagged):
    """A gateway or interface endpoint; read refreshes its route tables, subnets, security groups and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        kind = planned.get("vpc_endpoint_type") or "Gateway"
        extra: dict[str, Any] = {}
        if planned.get("route_table_ids"):
            extra["RouteTableIds"] = sorted(planned["route_table_ids"])
        if planned.get("subnet_ids"):
            extra["SubnetIds"] = sorted(planned["subnet_ids"])
        if planned.get("security_group_ids"):
            extra["SecurityGroupIds"] = sorted(planned["security_group_ids"])
        if planned.get("private_dns_enabled") is not None:
            extra["PrivateDnsEnabled"] = bool(planned["private_dns_enabled"])
        endpoint = api.client("ec2").create_vpc_endpoint(
            VpcId=planned["vpc_id"],
            ServiceName=planned["service_name"],
            VpcEndpointType=kind,
            TagSpecifications=tag_spec("vpc-endpoint", planned),
            **extra,
        )["VpcEndpoint"]
        endpoint_id = endpoint["VpcEndpointId"]
        return {
            "id": endpoint_id,
            "arn": api.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
            "owner_id": api.account,
            "state": endpoint.get("State", "available"),
            "network_interface_ids": endpoint.get("NetworkInterfaceIds") or [],
            "route_table_ids": sorted(planned.get("route_table_ids") or []),
            "subnet_ids": sorted(planned.get("subnet_ids") or []),
            "security_group_ids": sorted(planned.get("security_group_ids") or []),
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        endpoint = _describe(api.client("ec2").describe_vpc_endpoints, "VpcEndpoints", VpcEndpointIds=[state["id"]])
        if endpoint is None or endpoint.get("State", "").lower() in ("deleted", "deleting"):
            return None
        refreshed = dict(state)
        for key, api_name in (("route_table_ids", "RouteTableIds"), ("subnet_ids", "SubnetIds")):
            if state.get(key):
                refreshed[key] = sorted(endpoint.get(api_name) or [])
        if state.get("security_group_ids"):
            refreshed["security_group_ids"] = sorted(g["GroupId"] for g in endpoint.get("Groups") or [])
        return refresh_tags(api, refreshed, endpoint.get("Tags"))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key, add, remove in (
            ("route_table_ids", "AddRouteTableIds", "RemoveRouteTableIds"),
            ("subnet_ids", "AddSubnetIds", "RemoveSubnetIds"),
            ("security_group_ids", "AddSecurityGroupIds", "RemoveSecurityGroupIds"),
        ):
            old, new = set(prior.get(key) or []), set(planned.get(key) or [])
            if new - old:
                changes[add] = sorted(new - old)
            if old - new:
                changes[remove] = sorted(old - new)
        if changes:
            api.client("ec2").modify_vpc_endpoint(VpcEndpointId=prior["id"], **changes)
        return super().update(api, prior, planned)

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").delete_vpc_endpoints, VpcEndpointIds=[state["id"]])


@resource(
    "aws_flow_log",
    replace_on=("vpc_id", "subnet_id", "traffic_type", "log_destination", "log_destination_type", "iam_role_arn"),
)
class FlowLog(Ec2Tagged):
    """A VPC flow log to CloudWatch Logs or S3; read finds a deleted flow log gone."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        resource_id = planned.get("vpc_id") or planned.get("subnet_id")
        kind = "VPC" if planned.get("vpc_id") else "Subnet"
        extra: dict[str, Any] = {}
        if planned.get("iam_role_arn"):
            extra["DeliverLogsPermissionArn"] = planned["iam_role_arn"]
        answer = api.client("ec2").create_flow_logs(
            ResourceIds=[resource_id],
            ResourceType=kind,
            TrafficType=planned.get("traffic_type") or "ALL",
            LogDestinationType=planned.get("log_destination_type") or "cloud-watch-logs",
            LogDestination=planned["log_destination"],
            TagSpecifications=tag_spec("vpc-flow-log", planned),
            **extra,
        )
        if answer.get("Unsuccessful"):
            raise RuntimeError(f"creating the flow log: {answer['Unsuccessful'][0].get('Error', {}).get('Message')}")
        flow_id = answer["FlowLogIds"][0]
        return {"id": flow_id, "arn": api.arn("ec2", f"vpc-flow-log/{flow_id}")}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        flows = api.client("ec2").describe_flow_logs(FlowLogIds=[state["id"]])["FlowLogs"]
        if not flows:
            return None
        return refresh_tags(api, dict(state), flows[0].get("Tags"))

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ec2").delete_flow_logs, FlowLogIds=[state["id"]])
