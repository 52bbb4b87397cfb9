"""The load balancer, the ECS cluster and its identities in the emulator: ELBv2, ECS, IAM, KMS, CloudWatch Logs."""

from __future__ import annotations

import json
from typing import Any

from offline_aws import Api
from offline_aws import ApplyError
from offline_aws import Handler
from offline_aws import gone
from offline_aws import ignore_gone
from offline_aws import own_tags
from offline_aws import resource
from offline_aws import same_json
from offline_aws import tags_of


def _tag_changes(prior: dict[str, Any], planned: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """(tags to set, tag keys to remove) between two states."""
    old, new = tags_of(prior), tags_of(planned)
    return {k: v for k, v in new.items() if old.get(k) != v}, [k for k in old if k not in new]


def _policy_text(state_text: str | None, found: Any) -> str | None:
    """The state's policy when it means the same as the emulator's, else the emulator's (drift to show), written
    as aws_iam_policy_document writes its `json`."""
    if found is None:
        return state_text
    if same_json(state_text, found):
        return state_text
    try:
        return json.dumps(json.loads(found) if isinstance(found, str) else found, indent=2)
    except ValueError:
        return found


def _in_region(api: Api, state: dict[str, Any] | None) -> dict[str, Any] | None:
    """An imported state with the provider's region (types without one drop it when the state is conformed)."""
    return {**state, "region": api.region} if state is not None else None


def _first(items: Any) -> dict[str, Any]:
    """The only item of a nested block with max one item (an empty dict when the block is absent)."""
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _bool_text(value: Any) -> str:
    return "true" if value else "false"


################################################################################
# Elastic Load Balancing v2
################################################################################

# aws_lb arguments and the load balancer attribute each one is.
LB_ATTRIBUTES = {
    "enable_deletion_protection": "deletion_protection.enabled",
    "drop_invalid_header_fields": "routing.http.drop_invalid_header_fields.enabled",
    "idle_timeout": "idle_timeout.timeout_seconds",
    "enable_http2": "routing.http2.enabled",
    "enable_cross_zone_load_balancing": "load_balancing.cross_zone.enabled",
    "desync_mitigation_mode": "routing.http.desync_mitigation_mode",
    "preserve_host_header": "routing.http.preserve_host_header.enabled",
    "enable_tls_version_and_cipher_suite_headers": "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
    "enable_xff_client_port": "routing.http.xff_client_port.enabled",
    "xff_header_processing_mode": "routing.http.xff_header_processing.mode",
    "enable_waf_fail_open": "waf.fail_open.enabled",
    "enable_zonal_shift": "zonal_shift.config.enabled",
    "client_keep_alive": "client_keep_alive.seconds",
    "dns_record_client_routing_policy": "dns_record.client_routing_policy",
}
# The attributes whose drift the health report and operators care about (read back into the state).
LB_REFRESHED = ("enable_deletion_protection", "drop_invalid_header_fields", "idle_timeout", "enable_http2")


# aws_lb blocks the emulator has no call for (refused at apply, never dropped).
UNHELD_LB_BLOCKS = ("subnet_mapping", "ipam_pools", "minimum_load_balancer_capacity", "health_check_logs")


def _attribute_text(value: Any) -> str:
    if isinstance(value, bool):
        return _bool_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _attribute_value(text: str, like: Any) -> Any:
    """An attribute's text as the state's type (bool, number or string)."""
    if isinstance(like, bool):
        return text == "true"
    if isinstance(like, (int, float)):
        try:
            return int(text)
        except ValueError:
            return like
    return text


def _lb_attributes(planned: dict[str, Any]) -> list[dict[str, str]]:
    attributes = [
        {"Key": key, "Value": _attribute_text(planned[name])}
        for name, key in LB_ATTRIBUTES.items()
        if planned.get(name) is not None
    ]
    for block in ("access_logs", "connection_logs"):
        logs = _first(planned.get(block))
        if logs:
            attributes.append({"Key": f"{block}.s3.enabled", "Value": _bool_text(logs.get("enabled"))})
            attributes.append({"Key": f"{block}.s3.bucket", "Value": logs.get("bucket") or ""})
            attributes.append({"Key": f"{block}.s3.prefix", "Value": logs.get("prefix") or ""})
    return attributes


def _elbv2_retag(api: Api, arn: str, prior: dict[str, Any], planned: dict[str, Any]) -> None:
    changed, removed = _tag_changes(prior, planned)
    elbv2 = api.client("elbv2")
    if removed:
        elbv2.remove_tags(ResourceArns=[arn], TagKeys=removed)
    if changed:
        elbv2.add_tags(ResourceArns=[arn], Tags=[{"Key": k, "Value": v} for k, v in changed.items()])


def _elbv2_tags(api: Api, arn: str) -> dict[str, str]:
    found = api.client("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return {t["Key"]: t["Value"] for t in (found[0].get("Tags") if found else None) or []}


def _elbv2_tag_list(planned: dict[str, Any]) -> dict[str, Any]:
    tags = [{"Key": k, "Value": v} for k, v in tags_of(planned).items()]
    return {"Tags": tags} if tags else {}


@resource("aws_lb", replace_on=("name", "name_prefix", "internal", "load_balancer_type", "customer_owned_ipv4_pool"))
class LoadBalancer(Handler):
    """An ELBv2 load balancer with its attributes; read refreshes security groups, subnets, deletion protection,
    invalid-header dropping, idle timeout, HTTP/2, access logs and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        unheld = [b for b in UNHELD_LB_BLOCKS if planned.get(b)]
        if unheld:
            raise ApplyError(f"The emulator does not apply aws_lb {', '.join(unheld)}; give subnets instead")
        elbv2 = api.client("elbv2")
        extra = {"IpAddressType": planned["ip_address_type"]} if planned.get("ip_address_type") else {}
        found = elbv2.create_load_balancer(
            Name=planned["name"],
            Subnets=sorted(planned.get("subnets") or []),
            SecurityGroups=sorted(planned.get("security_groups") or []),
            Scheme="internal" if planned.get("internal") else "internet-facing",
            Type=planned.get("load_balancer_type") or "application",
            **extra,
            **_elbv2_tag_list(planned),
        )["LoadBalancers"][0]
        arn = found["LoadBalancerArn"]
        attributes = _lb_attributes(planned)
        if attributes:
            elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
        return {
            "id": arn,
            "arn": arn,
            "arn_suffix": arn.split(":loadbalancer/", 1)[-1],
            "dns_name": found["DNSName"],
            "zone_id": found["CanonicalHostedZoneId"],
            "vpc_id": found.get("VpcId", ""),
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        elbv2 = api.client("elbv2")
        try:
            found = elbv2.describe_load_balancers(LoadBalancerArns=[state["id"]])["LoadBalancers"]
        except Exception as error:  # noqa: BLE001
            if gone(error, "LoadBalancerNotFound"):
                return None
            raise
        if not found:
            return None
        lb = found[0]
        refreshed = {
            **state,
            "security_groups": sorted(lb.get("SecurityGroups") or []),
            "subnets": sorted(z["SubnetId"] for z in lb.get("AvailabilityZones") or [] if z.get("SubnetId")),
        }
        attributes = {
            a["Key"]: a["Value"]
            for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
        }
        for name in LB_REFRESHED:
            key = LB_ATTRIBUTES[name]
            # An argument the configuration leaves null stays null while the emulator holds its default.
            if state.get(name) is not None and key in attributes:
                refreshed[name] = _attribute_value(attributes[key], state[name])
        logs_on = attributes.get("access_logs.s3.enabled") == "true"
        if state.get("access_logs") or logs_on:
            refreshed["access_logs"] = [
                {
                    "bucket": attributes.get("access_logs.s3.bucket", ""),
                    "prefix": attributes.get("access_logs.s3.prefix", ""),
                    "enabled": logs_on,
                }
            ]
        return own_tags(api, refreshed, _elbv2_tags(api, lb["LoadBalancerArn"]))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        elbv2 = api.client("elbv2")
        arn = prior["id"]
        if sorted(prior.get("security_groups") or []) != sorted(planned.get("security_groups") or []):
            elbv2.set_security_groups(LoadBalancerArn=arn, SecurityGroups=sorted(planned.get("security_groups") or []))
        if sorted(prior.get("subnets") or []) != sorted(planned.get("subnets") or []):
            elbv2.set_subnets(LoadBalancerArn=arn, Subnets=sorted(planned.get("subnets") or []))
        changed = [a for a in _lb_attributes(planned) if a not in _lb_attributes(prior)]
        for block in ("access_logs", "connection_logs"):
            if not _first(planned.get(block)) and _first(prior.get(block)):
                changed.append({"Key": f"{block}.s3.enabled", "Value": "false"})
        if changed:
            elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=changed)
        _elbv2_retag(api, arn, prior, planned)
        return {}

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        try:
            found = api.client("elbv2").describe_load_balancers(LoadBalancerArns=[import_id])["LoadBalancers"]
        except Exception as error:  # noqa: BLE001
            if gone(error, "LoadBalancerNotFound"):
                return None
            raise
        lb = found[0]
        arn = lb["LoadBalancerArn"]
        attributes = {
            a["Key"]: a["Value"]
            for a in api.client("elbv2").describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        }
        like = {"idle_timeout": 0}
        state = {
            "id": arn,
            "arn": arn,
            "arn_suffix": arn.split(":loadbalancer/", 1)[-1],
            "name": lb["LoadBalancerName"],
            "internal": lb.get("Scheme") == "internal",
            "load_balancer_type": lb.get("Type"),
            # Defaults stay null, as a configuration that leaves them out has them.
            "ip_address_type": lb.get("IpAddressType") if lb.get("IpAddressType") != "ipv4" else None,
            "dns_name": lb.get("DNSName"),
            "zone_id": lb.get("CanonicalHostedZoneId"),
            "vpc_id": lb.get("VpcId"),
            **{
                name: _attribute_value(attributes[LB_ATTRIBUTES[name]], like.get(name, False))
                for name in LB_REFRESHED
                if LB_ATTRIBUTES[name] in attributes
            },
        }
        return _in_region(api, self.read(api, state))

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        elbv2 = api.client("elbv2")
        attributes = ignore_gone(
            elbv2.describe_load_balancer_attributes, "LoadBalancerNotFound", LoadBalancerArn=state["id"]
        )
        if attributes is None:
            return
        protected = {a["Key"]: a["Value"] for a in attributes["Attributes"]}.get("deletion_protection.enabled")
        if protected == "true":
            # As AWS answers DeleteLoadBalancer (the emulator does not check the attribute itself).
            raise ApplyError(
                "deleting ELBv2 Load Balancer: OperationNotPermitted",
                f"Load balancer '{state['id']}' cannot be deleted because deletion protection is enabled",
            )
        ignore_gone(elbv2.delete_load_balancer, "LoadBalancerNotFound", LoadBalancerArn=state["id"])


def _action_params(action: dict[str, Any]) -> dict[str, Any]:
    """One default_action / action block as the ELBv2 API's Action."""
    kind = action["type"]
    params: dict[str, Any] = {"Type": kind}
    if action.get("order") is not None:
        params["Order"] = int(action["order"])
    if kind == "fixed-response":
        fixed = _first(action.get("fixed_response"))
        config = {"ContentType": fixed["content_type"]}
        if fixed.get("message_body") is not None:
            config["MessageBody"] = fixed["message_body"]
        if fixed.get("status_code") is not None:
            config["StatusCode"] = str(fixed["status_code"])
        params["FixedResponseConfig"] = config
    elif kind == "redirect":
        redirect = _first(action.get("redirect"))
        defaults = {"host": "#{host}", "path": "/#{path}", "port": "#{port}", "protocol": "#{protocol}"}
        config = {
            key.capitalize(): str(redirect.get(key) if redirect.get(key) is not None else default)
            for key, default in defaults.items()
        }
        config["Query"] = redirect.get("query") if redirect.get("query") is not None else "#{query}"
        config["StatusCode"] = redirect["status_code"]
        params["RedirectConfig"] = config
    elif kind == "forward":
        forward = _first(action.get("forward"))
        if forward:
            groups = [
                {"TargetGroupArn": g["arn"], **({"Weight": int(g["weight"])} if g.get("weight") is not None else {})}
                for g in forward.get("target_group") or []
            ]
            config: dict[str, Any] = {"TargetGroups": groups}
            stickiness = _first(forward.get("stickiness"))
            if stickiness:
                config["TargetGroupStickinessConfig"] = {
                    "Enabled": bool(stickiness.get("enabled")),
                    "DurationSeconds": int(stickiness["duration"]),
                }
            params["ForwardConfig"] = config
        else:
            params["TargetGroupArn"] = action["target_group_arn"]
    else:
        raise ApplyError(f"The emulator does not apply load balancer actions of type {kind}")
    return params


def _comparable_action(found: dict[str, Any], with_order: bool) -> dict[str, Any]:
    """An action from the API reduced to what _action_params writes (to tell drift from presentation)."""
    kind = found.get("Type")
    action: dict[str, Any] = {"Type": kind}
    if with_order and found.get("Order") is not None:
        action["Order"] = int(found["Order"])
    if kind == "fixed-response":
        config = found.get("FixedResponseConfig") or {}
        action["FixedResponseConfig"] = {k: v for k, v in config.items() if v is not None}
    elif kind == "redirect":
        action["RedirectConfig"] = dict(found.get("RedirectConfig") or {})
    elif kind == "forward":
        config = found.get("ForwardConfig")
        if config and len(config.get("TargetGroups") or []) > 1:
            action["ForwardConfig"] = config
        else:
            action["TargetGroupArn"] = found.get("TargetGroupArn") or (config or {}).get("TargetGroups", [{}])[0].get(
                "TargetGroupArn"
            )
    return action


def _action_state(found: dict[str, Any]) -> dict[str, Any]:
    """An action from the API as a default_action / action block."""
    empty = {
        "authenticate_cognito": [],
        "authenticate_oidc": [],
        "fixed_response": [],
        "forward": [],
        "jwt_validation": [],
        "redirect": [],
    }
    kind = found.get("Type")
    state: dict[str, Any] = {**empty, "type": kind, "order": found.get("Order"), "target_group_arn": None}
    if kind == "fixed-response":
        config = found.get("FixedResponseConfig") or {}
        state["fixed_response"] = [
            {
                "content_type": config.get("ContentType"),
                "message_body": config.get("MessageBody"),
                "status_code": config.get("StatusCode"),
            }
        ]
    elif kind == "redirect":
        config = found.get("RedirectConfig") or {}
        state["redirect"] = [
            {key: config.get(key.capitalize()) for key in ("host", "path", "port", "protocol", "query")}
            | {"status_code": config.get("StatusCode")}
        ]
    elif kind == "forward":
        groups = (found.get("ForwardConfig") or {}).get("TargetGroups") or []
        if len(groups) > 1:
            stickiness = (found.get("ForwardConfig") or {}).get("TargetGroupStickinessConfig") or {}
            state["forward"] = [
                {
                    "target_group": [{"arn": g["TargetGroupArn"], "weight": g.get("Weight")} for g in groups],
                    "stickiness": (
                        [{"enabled": stickiness.get("Enabled"), "duration": stickiness.get("DurationSeconds")}]
                        if stickiness
                        else []
                    ),
                }
            ]
        else:
            state["target_group_arn"] = found.get("TargetGroupArn") or (groups[0]["TargetGroupArn"] if groups else None)
    return state


def _refresh_actions(planned: list[dict[str, Any]] | None, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The state's actions when the emulator holds the same ones, else the emulator's (drift to show)."""
    planned = planned or []
    with_order = any(a.get("order") is not None for a in planned)
    ordered = sorted(found, key=lambda a: a.get("Order") or 0)
    try:
        ours = [_comparable_action(_action_params(a), with_order) for a in planned]
    except (ApplyError, KeyError, TypeError):
        ours = None
    if ours == [_comparable_action(a, with_order) for a in ordered]:
        return planned
    return [_action_state(a) for a in ordered]


def _listener_params(planned: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"DefaultActions": [_action_params(a) for a in planned.get("default_action") or []]}
    if planned.get("port") is not None:
        params["Port"] = int(planned["port"])
    if planned.get("protocol"):
        params["Protocol"] = planned["protocol"]
    if planned.get("ssl_policy"):
        params["SslPolicy"] = planned["ssl_policy"]
    if planned.get("certificate_arn"):
        params["Certificates"] = [{"CertificateArn": planned["certificate_arn"]}]
    if planned.get("alpn_policy"):
        params["AlpnPolicy"] = [planned["alpn_policy"]]
    return params


@resource("aws_lb_listener", replace_on=("load_balancer_arn",))
class Listener(Handler):
    """An ELBv2 listener; read refreshes its port, protocol, TLS policy, certificate, default actions and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        found = api.client("elbv2").create_listener(
            LoadBalancerArn=planned["load_balancer_arn"], **_listener_params(planned), **_elbv2_tag_list(planned)
        )["Listeners"][0]
        return {"id": found["ListenerArn"], "arn": found["ListenerArn"]}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        try:
            found = api.client("elbv2").describe_listeners(ListenerArns=[state["id"]])["Listeners"]
        except Exception as error:  # noqa: BLE001
            if gone(error, "ListenerNotFound", "LoadBalancerNotFound"):
                return None
            raise
        if not found:
            return None
        listener = found[0]
        refreshed = {**state, "port": listener.get("Port"), "protocol": listener.get("Protocol")}
        # The emulator gives plain HTTP listeners a TLS policy too; AWS has one for HTTPS and TLS only.
        secure = listener.get("Protocol") in ("HTTPS", "TLS")
        if state.get("ssl_policy") is not None or (secure and listener.get("SslPolicy")):
            refreshed["ssl_policy"] = listener.get("SslPolicy")
        certificates = [c["CertificateArn"] for c in listener.get("Certificates") or []]
        if state.get("certificate_arn") is not None or certificates:
            refreshed["certificate_arn"] = certificates[0] if certificates else None
        refreshed["default_action"] = _refresh_actions(
            state.get("default_action"), listener.get("DefaultActions") or []
        )
        return own_tags(api, refreshed, _elbv2_tags(api, listener["ListenerArn"]))

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        try:
            found = api.client("elbv2").describe_listeners(ListenerArns=[import_id])["Listeners"]
        except Exception as error:  # noqa: BLE001
            if gone(error, "ListenerNotFound"):
                return None
            raise
        listener = found[0]
        state = {
            "id": listener["ListenerArn"],
            "arn": listener["ListenerArn"],
            "load_balancer_arn": listener["LoadBalancerArn"],
            "default_action": [_action_state(a) for a in listener.get("DefaultActions") or []],
        }
        return _in_region(api, self.read(api, state))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        api.client("elbv2").modify_listener(ListenerArn=prior["id"], **_listener_params(planned))
        _elbv2_retag(api, prior["id"], prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("elbv2").delete_listener, "ListenerNotFound", ListenerArn=state["id"])


# condition block -> (API field, its config key, the values key inside the config).
CONDITION_FIELDS = {
    "host_header": ("host-header", "HostHeaderConfig"),
    "path_pattern": ("path-pattern", "PathPatternConfig"),
    "http_request_method": ("http-request-method", "HttpRequestMethodConfig"),
    "source_ip": ("source-ip", "SourceIpConfig"),
}


def _condition_params(condition: dict[str, Any]) -> dict[str, Any]:
    for name, (field, config_key) in CONDITION_FIELDS.items():
        block = _first(condition.get(name))
        if block:
            return {"Field": field, config_key: {"Values": sorted(block.get("values") or [])}}
    header = _first(condition.get("http_header"))
    if header:
        return {
            "Field": "http-header",
            "HttpHeaderConfig": {
                "HttpHeaderName": header["http_header_name"],
                "Values": sorted(header.get("values") or []),
            },
        }
    if condition.get("query_string"):
        pairs = [{"Key": q.get("key"), "Value": q["value"]} for q in condition["query_string"]]
        return {"Field": "query-string", "QueryStringConfig": {"Values": pairs}}
    raise ApplyError("A listener rule condition names no field the emulator applies")


def _comparable_condition(found: dict[str, Any]) -> tuple[str, str]:
    field = found.get("Field", "")
    for _name, (api_field, config_key) in CONDITION_FIELDS.items():
        if field == api_field:
            values = (found.get(config_key) or {}).get("Values") or found.get("Values") or []
            return field, json.dumps(sorted(values))
    if field == "http-header":
        config = found.get("HttpHeaderConfig") or {}
        return field, json.dumps([config.get("HttpHeaderName"), sorted(config.get("Values") or [])])
    if field == "query-string":
        pairs = (found.get("QueryStringConfig") or {}).get("Values") or []
        return field, json.dumps(sorted((p.get("Key") or "", p.get("Value") or "") for p in pairs))
    return field, json.dumps(found, sort_keys=True, default=str)


def _condition_state(found: dict[str, Any]) -> dict[str, Any]:
    state: dict[str, Any] = {
        "host_header": [],
        "http_header": [],
        "http_request_method": [],
        "path_pattern": [],
        "query_string": [],
        "source_ip": [],
    }
    field = found.get("Field", "")
    for name, (api_field, config_key) in CONDITION_FIELDS.items():
        if field == api_field:
            values = (found.get(config_key) or {}).get("Values") or found.get("Values") or []
            block: dict[str, Any] = {"values": sorted(values)}
            if name in ("host_header", "path_pattern"):
                block["regex_values"] = None
            state[name] = [block]
    if field == "http-header":
        config = found.get("HttpHeaderConfig") or {}
        state["http_header"] = [
            {"http_header_name": config.get("HttpHeaderName"), "values": config.get("Values"), "regex_values": None}
        ]
    if field == "query-string":
        pairs = (found.get("QueryStringConfig") or {}).get("Values") or []
        state["query_string"] = [{"key": p.get("Key"), "value": p.get("Value")} for p in pairs]
    return state


def _rule_priority(value: Any) -> int | None:
    return None if value in (None, "default") else int(value)


@resource("aws_lb_listener_rule", replace_on=("listener_arn",))
class ListenerRule(Handler):
    """An ELBv2 listener rule; read refreshes its priority, conditions, actions and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        elbv2 = api.client("elbv2")
        priority = planned.get("priority")
        if priority is None:
            # As the real provider: the next priority after the listener's highest one.
            rules = elbv2.describe_rules(ListenerArn=planned["listener_arn"])["Rules"]
            priority = max([_rule_priority(r.get("Priority")) or 0 for r in rules] + [0]) + 1
        found = elbv2.create_rule(
            ListenerArn=planned["listener_arn"],
            Priority=int(priority),
            Conditions=[_condition_params(c) for c in planned.get("condition") or []],
            Actions=[_action_params(a) for a in planned.get("action") or []],
            **_elbv2_tag_list(planned),
        )["Rules"][0]
        return {"id": found["RuleArn"], "arn": found["RuleArn"], "priority": int(priority)}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        try:
            found = api.client("elbv2").describe_rules(RuleArns=[state["id"]])["Rules"]
        except Exception as error:  # noqa: BLE001
            if gone(error, "RuleNotFound", "ListenerNotFound"):
                return None
            raise
        if not found:
            return None
        rule = found[0]
        refreshed = {**state, "priority": _rule_priority(rule.get("Priority"))}
        refreshed["action"] = _refresh_actions(state.get("action"), rule.get("Actions") or [])
        try:
            ours = sorted(_comparable_condition(_condition_params(c)) for c in state.get("condition") or [])
        except (ApplyError, KeyError, TypeError):
            ours = None
        theirs = list(rule.get("Conditions") or [])
        if ours != sorted(_comparable_condition(c) for c in theirs):
            refreshed["condition"] = [_condition_state(c) for c in theirs]
        return own_tags(api, refreshed, _elbv2_tags(api, rule["RuleArn"]))

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        # A rule's ARN is its listener's with "listener-rule" for "listener" and the rule's own id after it.
        listener_arn = import_id.replace(":listener-rule/", ":listener/", 1).rsplit("/", 1)[0]
        return _in_region(api, self.read(api, {"id": import_id, "arn": import_id, "listener_arn": listener_arn}))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        elbv2 = api.client("elbv2")
        if planned.get("priority") is not None and planned.get("priority") != prior.get("priority"):
            elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": prior["id"], "Priority": int(planned["priority"])}])
        elbv2.modify_rule(
            RuleArn=prior["id"],
            Conditions=[_condition_params(c) for c in planned.get("condition") or []],
            Actions=[_action_params(a) for a in planned.get("action") or []],
        )
        _elbv2_retag(api, prior["id"], prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("elbv2").delete_rule, "RuleNotFound", RuleArn=state["id"])


################################################################################
# ECS
################################################################################


def _ecs_tags(planned: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tags_of(planned).items()]


def _ecs_retag(api: Api, arn: str, prior: dict[str, Any], planned: dict[str, Any]) -> None:
    ecs = api.client("ecs")
    changed, removed = _tag_changes(prior, planned)
    if removed:
        ecs.untag_resource(resourceArn=arn, tagKeys=removed)
    if changed:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": k, "value": v} for k, v in changed.items()])


def _settings(planned: dict[str, Any]) -> list[dict[str, str]]:
    return [{"name": s["name"], "value": s["value"]} for s in planned.get("setting") or []]


def _find_cluster(api: Api, name_or_arn: str, include: list[str] | None = None) -> dict[str, Any] | None:
    """The cluster, or None when it is gone (ECS answers a deleted cluster as INACTIVE or as a failure)."""
    answer = api.client("ecs").describe_clusters(clusters=[name_or_arn], include=include or [])
    clusters = [c for c in answer.get("clusters") or [] if c.get("status") != "INACTIVE"]
    return clusters[0] if clusters else None


@resource("aws_ecs_cluster", replace_on=("name",))
class EcsCluster(Handler):
    """An ECS cluster with its settings (Container Insights); read refreshes the settings and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        extra = {"tags": _ecs_tags(planned)} if tags_of(planned) else {}
        if _settings(planned):
            extra["settings"] = _settings(planned)
        namespace = _first(planned.get("service_connect_defaults")).get("namespace")
        if namespace:
            extra["serviceConnectDefaults"] = {"namespace": namespace}
        cluster = api.client("ecs").create_cluster(clusterName=planned["name"], **extra)["cluster"]
        return {"id": cluster["clusterArn"], "arn": cluster["clusterArn"]}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        cluster = _find_cluster(api, state["id"], ["SETTINGS", "TAGS"])
        if cluster is None:
            return None
        refreshed = {**state, "name": cluster["clusterName"]}
        found = {s["name"]: s["value"] for s in cluster.get("settings") or []}
        ours = {s["name"]: s["value"] for s in state.get("setting") or []}
        if found != ours and (state.get("setting") or found):
            refreshed["setting"] = [{"name": k, "value": v} for k, v in sorted(found.items())]
        tags = {t["key"]: t["value"] for t in cluster.get("tags") or []}
        return own_tags(api, refreshed, tags)

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        cluster = _find_cluster(api, import_id)
        if cluster is None:
            return None
        return _in_region(
            api, self.read(api, {"id": cluster["clusterArn"], "arn": cluster["clusterArn"], "setting": []})
        )

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        if _settings(prior) != _settings(planned):
            api.client("ecs").update_cluster(cluster=prior["id"], settings=_settings(planned))
        _ecs_retag(api, prior["id"], prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("ecs").delete_cluster, "ClusterNotFoundException", cluster=state["id"])


def _strategy(planned: dict[str, Any]) -> list[dict[str, Any]]:
    strategy = []
    for item in planned.get("default_capacity_provider_strategy") or []:
        entry: dict[str, Any] = {"capacityProvider": item["capacity_provider"]}
        if item.get("weight") is not None:
            entry["weight"] = int(item["weight"])
        if item.get("base") is not None:
            entry["base"] = int(item["base"])
        strategy.append(entry)
    return strategy


def _comparable_strategy(items: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return sorted((i["capacityProvider"], int(i.get("weight") or 0), int(i.get("base") or 0)) for i in items)


@resource("aws_ecs_cluster_capacity_providers", replace_on=("cluster_name",))
class ClusterCapacityProviders(Handler):
    """The capacity providers of an ECS cluster and its default strategy; read refreshes both."""

    def _put(self, api: Api, planned: dict[str, Any]) -> None:
        api.client("ecs").put_cluster_capacity_providers(
            cluster=planned["cluster_name"],
            capacityProviders=sorted(planned.get("capacity_providers") or []),
            defaultCapacityProviderStrategy=_strategy(planned),
        )

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        self._put(api, planned)
        return {"id": planned["cluster_name"]}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        cluster = _find_cluster(api, state.get("cluster_name") or state["id"])
        if cluster is None:
            return None
        refreshed = {
            **state,
            "cluster_name": cluster["clusterName"],
            "capacity_providers": sorted(cluster.get("capacityProviders") or []),
        }
        found = cluster.get("defaultCapacityProviderStrategy") or []
        if _comparable_strategy(found) != _comparable_strategy(_strategy(state)):
            refreshed["default_capacity_provider_strategy"] = [
                {"capacity_provider": i["capacityProvider"], "weight": i.get("weight"), "base": i.get("base")}
                for i in found
            ]
        return refreshed

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        return _in_region(api, self.read(api, {"id": import_id}))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        self._put(api, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(
            api.client("ecs").put_cluster_capacity_providers,
            "ClusterNotFoundException",
            cluster=state["cluster_name"],
            capacityProviders=[],
            defaultCapacityProviderStrategy=[],
        )


def _volume(volume: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"name": volume["name"]}
    if volume.get("host_path"):
        params["host"] = {"sourcePath": volume["host_path"]}
    if volume.get("configure_at_launch") is not None:
        params["configuredAtLaunch"] = bool(volume["configure_at_launch"])
    efs = _first(volume.get("efs_volume_configuration"))
    if efs:
        config: dict[str, Any] = {"fileSystemId": efs["file_system_id"]}
        for key, api_key in (
            ("root_directory", "rootDirectory"),
            ("transit_encryption", "transitEncryption"),
            ("transit_encryption_port", "transitEncryptionPort"),
        ):
            if efs.get(key) is not None:
                config[api_key] = efs[key]
        access = _first(efs.get("authorization_config"))
        if access:
            config["authorizationConfig"] = {
                k: v for k, v in {"accessPointId": access.get("access_point_id"), "iam": access.get("iam")}.items() if v
            }
        params["efsVolumeConfiguration"] = config
    if _first(volume.get("docker_volume_configuration")) or _first(
        volume.get("fsx_windows_file_server_volume_configuration")
    ):
        raise ApplyError("The emulator applies task definition volumes with a host path or EFS only")
    return params


def _without_nulls(value: Any) -> Any:
    """A JSON document without its null members, as the real provider sends container definitions."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


TASK_DEFINITION_FORCE_NEW = (
    "family",
    "container_definitions",
    "cpu",
    "memory",
    "network_mode",
    "execution_role_arn",
    "task_role_arn",
    "requires_compatibilities",
    "runtime_platform",
    "volume",
    "placement_constraints",
    "proxy_configuration",
    "ephemeral_storage",
    "ipc_mode",
    "pid_mode",
    "enable_fault_injection",
)


@resource("aws_ecs_task_definition", replace_on=TASK_DEFINITION_FORCE_NEW)
class TaskDefinition(Handler):
    """An ECS task definition revision, registered from the container definitions; read finds a deregistered
    revision gone and refreshes tags. A change registers a new revision; delete deregisters."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        try:
            containers = _without_nulls(json.loads(planned["container_definitions"]))
        except ValueError as error:
            raise ApplyError("container_definitions is not JSON", str(error)) from error
        params: dict[str, Any] = {"family": planned["family"], "containerDefinitions": containers}
        for key, api_key in (
            ("cpu", "cpu"),
            ("memory", "memory"),
            ("network_mode", "networkMode"),
            ("execution_role_arn", "executionRoleArn"),
            ("task_role_arn", "taskRoleArn"),
            ("ipc_mode", "ipcMode"),
            ("pid_mode", "pidMode"),
        ):
            if planned.get(key):
                params[api_key] = str(planned[key])
        if planned.get("requires_compatibilities"):
            params["requiresCompatibilities"] = sorted(planned["requires_compatibilities"])
        platform = _first(planned.get("runtime_platform"))
        if platform:
            params["runtimePlatform"] = {
                k: v
                for k, v in {
                    "cpuArchitecture": platform.get("cpu_architecture"),
                    "operatingSystemFamily": platform.get("operating_system_family"),
                }.items()
                if v
            }
        if planned.get("volume"):
            params["volumes"] = [_volume(v) for v in planned["volume"]]
        if planned.get("placement_constraints"):
            params["placementConstraints"] = [
                {"type": c["type"], **({"expression": c["expression"]} if c.get("expression") else {})}
                for c in planned["placement_constraints"]
            ]
        storage = _first(planned.get("ephemeral_storage"))
        if storage:
            params["ephemeralStorage"] = {"sizeInGiB": int(storage["size_in_gib"])}
        if _first(planned.get("proxy_configuration")):
            raise ApplyError("The emulator does not apply task definition proxy configurations")
        if tags_of(planned):
            params["tags"] = _ecs_tags(planned)
        found = api.client("ecs").register_task_definition(**params)["taskDefinition"]
        arn = found["taskDefinitionArn"]
        return {
            "id": planned["family"],
            "arn": arn,
            "arn_without_revision": arn.rsplit(":", 1)[0],
            "revision": found["revision"],
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        try:
            answer = api.client("ecs").describe_task_definition(taskDefinition=state["arn"], include=["TAGS"])
        except Exception as error:  # noqa: BLE001
            if gone(error, "ClientException"):
                return None
            raise
        if answer["taskDefinition"].get("status") == "INACTIVE":
            return None
        return own_tags(api, dict(state), {t["key"]: t["value"] for t in answer.get("tags") or []})

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        try:
            task = api.client("ecs").describe_task_definition(taskDefinition=import_id)["taskDefinition"]
        except Exception as error:  # noqa: BLE001
            if gone(error, "ClientException"):
                return None
            raise
        arn = task["taskDefinitionArn"]
        platform = task.get("runtimePlatform") or {}
        state = {
            "id": task["family"],
            "arn": arn,
            "arn_without_revision": arn.rsplit(":", 1)[0],
            "revision": task["revision"],
            "family": task["family"],
            "container_definitions": json.dumps(task.get("containerDefinitions") or []),
            "cpu": task.get("cpu"),
            "memory": task.get("memory"),
            "network_mode": task.get("networkMode"),
            "execution_role_arn": task.get("executionRoleArn"),
            "task_role_arn": task.get("taskRoleArn"),
            "requires_compatibilities": sorted(task.get("requiresCompatibilities") or []) or None,
            "runtime_platform": (
                [
                    {
                        "cpu_architecture": platform.get("cpuArchitecture"),
                        "operating_system_family": platform.get("operatingSystemFamily"),
                    }
                ]
                if platform
                else []
            ),
        }
        return _in_region(api, self.read(api, state))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        _ecs_retag(api, prior["arn"], prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        if state.get("skip_destroy"):
            return
        ignore_gone(api.client("ecs").deregister_task_definition, "ClientException", taskDefinition=state["arn"])


################################################################################
# IAM
################################################################################

IAM_GONE = "NoSuchEntity"


def _iam_retag(api: Api, name: str, prior: dict[str, Any], planned: dict[str, Any]) -> None:
    iam = api.client("iam")
    changed, removed = _tag_changes(prior, planned)
    if removed:
        iam.untag_role(RoleName=name, TagKeys=removed)
    if changed:
        iam.tag_role(RoleName=name, Tags=[{"Key": k, "Value": v} for k, v in changed.items()])


@resource("aws_iam_role", replace_on=("name", "name_prefix", "path"))
class IamRole(Handler):
    """An IAM role with its trust policy; read refreshes the trust policy, description, session duration and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "RoleName": planned["name"],
            "AssumeRolePolicyDocument": planned["assume_role_policy"],
        }
        for key, api_key in (("description", "Description"), ("path", "Path")):
            if planned.get(key):
                params[api_key] = planned[key]
        if planned.get("max_session_duration"):
            params["MaxSessionDuration"] = int(planned["max_session_duration"])
        if planned.get("permissions_boundary"):
            params["PermissionsBoundary"] = planned["permissions_boundary"]
        if tags_of(planned):
            params["Tags"] = [{"Key": k, "Value": v} for k, v in tags_of(planned).items()]
        role = api.client("iam").create_role(**params)["Role"]
        return {
            "id": role["RoleName"],
            "arn": role["Arn"],
            "unique_id": role["RoleId"],
            "create_date": role["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            "managed_policy_arns": [],
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        try:
            role = api.client("iam").get_role(RoleName=state["id"])["Role"]
        except Exception as error:  # noqa: BLE001
            if gone(error, IAM_GONE):
                return None
            raise
        refreshed = {
            **state,
            "name": role["RoleName"],
            "arn": role["Arn"],
            "assume_role_policy": _policy_text(state.get("assume_role_policy"), role.get("AssumeRolePolicyDocument")),
        }
        if state.get("description") is not None or role.get("Description"):
            refreshed["description"] = role.get("Description")
        if state.get("max_session_duration") is not None:
            refreshed["max_session_duration"] = role.get("MaxSessionDuration")
        return own_tags(api, refreshed, {t["Key"]: t["Value"] for t in role.get("Tags") or []})

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        try:
            role = api.client("iam").get_role(RoleName=import_id)["Role"]
        except Exception as error:  # noqa: BLE001
            if gone(error, IAM_GONE):
                return None
            raise
        state = {
            "id": role["RoleName"],
            "unique_id": role["RoleId"],
            "create_date": role["CreateDate"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            # Defaults stay null, as a configuration that leaves them out has them.
            "path": role.get("Path") if role.get("Path") != "/" else None,
            "max_session_duration": role.get("MaxSessionDuration") if role.get("MaxSessionDuration") != 3600 else None,
            "managed_policy_arns": [],
            "inline_policy": [],
        }
        return _in_region(api, self.read(api, state))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        iam = api.client("iam")
        name = prior["id"]
        if not same_json(planned["assume_role_policy"], prior.get("assume_role_policy")):
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=planned["assume_role_policy"])
        if (planned.get("description"), planned.get("max_session_duration")) != (
            prior.get("description"),
            prior.get("max_session_duration"),
        ):
            params: dict[str, Any] = {"RoleName": name, "Description": planned.get("description") or ""}
            if planned.get("max_session_duration"):
                params["MaxSessionDuration"] = int(planned["max_session_duration"])
            iam.update_role(**params)
        _iam_retag(api, name, prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        iam = api.client("iam")
        name = state["id"]
        if state.get("force_detach_policies"):
            attached = ignore_gone(iam.list_attached_role_policies, IAM_GONE, RoleName=name) or {}
            for policy in attached.get("AttachedPolicies") or []:
                ignore_gone(iam.detach_role_policy, IAM_GONE, RoleName=name, PolicyArn=policy["PolicyArn"])
            inline = ignore_gone(iam.list_role_policies, IAM_GONE, RoleName=name) or {}
            for policy_name in inline.get("PolicyNames") or []:
                ignore_gone(iam.delete_role_policy, IAM_GONE, RoleName=name, PolicyName=policy_name)
        ignore_gone(iam.delete_role, IAM_GONE, RoleName=name)


@resource("aws_iam_role_policy", replace_on=("name", "name_prefix", "role"))
class IamRolePolicy(Handler):
    """An inline policy of an IAM role; read refreshes the policy document."""

    @staticmethod
    def _name(planned: dict[str, Any]) -> str:
        if planned.get("name"):
            return planned["name"]
        raise ApplyError("The emulator applies aws_iam_role_policy with a name only")

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        name = self._name(planned)
        api.client("iam").put_role_policy(RoleName=planned["role"], PolicyName=name, PolicyDocument=planned["policy"])
        return {"id": f"{planned['role']}:{name}"}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        role, _sep, name = state["id"].partition(":")
        try:
            found = api.client("iam").get_role_policy(RoleName=role, PolicyName=name)
        except Exception as error:  # noqa: BLE001
            if gone(error, IAM_GONE):
                return None
            raise
        return {
            **state,
            "role": role,
            "name": name,
            "policy": _policy_text(state.get("policy"), found["PolicyDocument"]),
        }

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        self.create(api, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        role, _sep, name = state["id"].partition(":")
        ignore_gone(api.client("iam").delete_role_policy, IAM_GONE, RoleName=role, PolicyName=name)


AWS_MANAGED_POLICY = "arn:aws:iam::aws:policy/"


def _aws_policies_held(api: Api) -> bool:
    """Whether the emulator holds AWS managed policies (it loads them only when started with them)."""
    return bool(api.client("iam").list_policies(Scope="AWS", MaxItems=1).get("Policies"))


@resource("aws_iam_role_policy_attachment", replace_on=("role", "policy_arn"))
class IamRolePolicyAttachment(Handler):
    """A managed policy attached to an IAM role; read finds a detached policy gone. An AWS managed policy is
    attached when the emulator holds them (started with --managed-policies), else kept in state only."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        try:
            api.client("iam").attach_role_policy(RoleName=planned["role"], PolicyArn=planned["policy_arn"])
        except Exception as error:  # noqa: BLE001
            held_only_in_state = planned["policy_arn"].startswith(AWS_MANAGED_POLICY) and not _aws_policies_held(api)
            if not (gone(error, IAM_GONE) and held_only_in_state):
                raise
        return {"id": f"{planned['role']}/{planned['policy_arn']}"}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        role, _sep, policy_arn = state["id"].partition("/")
        paginator = api.client("iam").get_paginator("list_attached_role_policies")
        try:
            attached = [p["PolicyArn"] for page in paginator.paginate(RoleName=role) for p in page["AttachedPolicies"]]
        except Exception as error:  # noqa: BLE001
            if gone(error, IAM_GONE):
                return None
            raise
        held = policy_arn in attached
        if held or (policy_arn.startswith(AWS_MANAGED_POLICY) and not _aws_policies_held(api)):
            return {**state, "role": role, "policy_arn": policy_arn}
        return None

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(
            api.client("iam").detach_role_policy, IAM_GONE, RoleName=state["role"], PolicyArn=state["policy_arn"]
        )


################################################################################
# KMS
################################################################################


def _kms_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"TagKey": k, "TagValue": v} for k, v in tags.items()]


@resource(
    "aws_kms_key",
    replace_on=("customer_master_key_spec", "key_usage", "multi_region", "custom_key_store_id", "xks_key_id"),
)
class KmsKey(Handler):
    """A KMS key with its policy and rotation; read refreshes description, policy, rotation, enabled state and tags,
    and finds a key pending deletion gone. Delete schedules the deletion with the planned window."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        kms = api.client("kms")
        params: dict[str, Any] = {}
        for key, api_key in (
            ("description", "Description"),
            ("key_usage", "KeyUsage"),
            ("customer_master_key_spec", "KeySpec"),
            ("policy", "Policy"),
        ):
            if planned.get(key):
                params[api_key] = planned[key]
        if planned.get("multi_region"):
            params["MultiRegion"] = True
        if planned.get("bypass_policy_lockout_safety_check"):
            params["BypassPolicyLockoutSafetyCheck"] = True
        if tags_of(planned):
            params["Tags"] = _kms_tags(tags_of(planned))
        key = kms.create_key(**params)["KeyMetadata"]
        key_id = key["KeyId"]
        if planned.get("enable_key_rotation"):
            period = planned.get("rotation_period_in_days")
            kms.enable_key_rotation(KeyId=key_id, **({"RotationPeriodInDays": int(period)} if period else {}))
        if planned.get("is_enabled") is False:
            kms.disable_key(KeyId=key_id)
        return {"id": key_id, "key_id": key_id, "arn": key["Arn"]}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        kms = api.client("kms")
        try:
            key = kms.describe_key(KeyId=state["id"])["KeyMetadata"]
        except Exception as error:  # noqa: BLE001
            if gone(error, "NotFoundException"):
                return None
            raise
        if key.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
            return None  # as the real provider: a key scheduled for deletion is gone
        refreshed = {**state, "key_id": key["KeyId"], "arn": key["Arn"]}
        if state.get("description") is not None or key.get("Description"):
            refreshed["description"] = key.get("Description")
        if state.get("is_enabled") is not None:
            refreshed["is_enabled"] = bool(key.get("Enabled"))
        rotation = kms.get_key_rotation_status(KeyId=key["KeyId"]).get("KeyRotationEnabled")
        if state.get("enable_key_rotation") is not None or rotation:
            refreshed["enable_key_rotation"] = bool(rotation)
        if state.get("policy") is not None:
            found = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default").get("Policy")
            refreshed["policy"] = _policy_text(state.get("policy"), found)
        tags = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags") or []
        return own_tags(api, refreshed, {t["TagKey"]: t["TagValue"] for t in tags})

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        try:
            key = api.client("kms").describe_key(KeyId=import_id)["KeyMetadata"]
        except Exception as error:  # noqa: BLE001
            if gone(error, "NotFoundException"):
                return None
            raise
        spec = key.get("KeySpec") or key.get("CustomerMasterKeySpec")
        # Defaults stay null, as a configuration that leaves them out has them.
        state = {
            "id": key["KeyId"],
            "key_usage": key.get("KeyUsage") if key.get("KeyUsage") != "ENCRYPT_DECRYPT" else None,
            "customer_master_key_spec": spec if spec != "SYMMETRIC_DEFAULT" else None,
            "multi_region": True if key.get("MultiRegion") else None,
            "is_enabled": False if not key.get("Enabled") else None,
            "enable_key_rotation": False,
            "policy": "",
        }
        return _in_region(api, self.read(api, state))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        kms = api.client("kms")
        key_id = prior["id"]
        if planned.get("description") != prior.get("description"):
            kms.update_key_description(KeyId=key_id, Description=planned.get("description") or "")
        if planned.get("policy") and not same_json(planned["policy"], prior.get("policy")):
            kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=planned["policy"])
        if planned.get("is_enabled") is not None and planned.get("is_enabled") != prior.get("is_enabled"):
            (kms.enable_key if planned["is_enabled"] else kms.disable_key)(KeyId=key_id)
        rotation = (planned.get("enable_key_rotation"), planned.get("rotation_period_in_days"))
        if rotation != (prior.get("enable_key_rotation"), prior.get("rotation_period_in_days")):
            if planned.get("enable_key_rotation"):
                period = planned.get("rotation_period_in_days")
                kms.enable_key_rotation(KeyId=key_id, **({"RotationPeriodInDays": int(period)} if period else {}))
            else:
                kms.disable_key_rotation(KeyId=key_id)
        changed, removed = _tag_changes(prior, planned)
        if removed:
            kms.untag_resource(KeyId=key_id, TagKeys=removed)
        if changed:
            kms.tag_resource(KeyId=key_id, Tags=_kms_tags(changed))
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        window = int(state.get("deletion_window_in_days") or 30)
        ignore_gone(
            api.client("kms").schedule_key_deletion,
            "KMSInvalidStateException",  # already pending deletion
            KeyId=state["id"],
            PendingWindowInDays=window,
        )


def _key_arn(api: Api, key: str) -> str:
    """A key's ARN from its id (or the ARN itself)."""
    return key if key.startswith("arn:") else api.arn("kms", f"key/{key}")


@resource("aws_kms_alias", replace_on=("name", "name_prefix"))
class KmsAlias(Handler):
    """A KMS alias; read refreshes the key it points at."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        kms = api.client("kms")
        name = planned.get("name")
        if not name:
            raise ApplyError("The emulator applies aws_kms_alias with a name only")
        kms.create_alias(AliasName=name, TargetKeyId=planned["target_key_id"])
        return {"id": name, "arn": api.arn("kms", name), "target_key_arn": _key_arn(api, planned["target_key_id"])}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        kms = api.client("kms")
        aliases = [
            a
            for page in kms.get_paginator("list_aliases").paginate()
            for a in page["Aliases"]
            if a["AliasName"] == state["id"]
        ]
        if not aliases or not aliases[0].get("TargetKeyId"):
            return None
        target = aliases[0]["TargetKeyId"]
        refreshed = {**state, "name": aliases[0]["AliasName"], "arn": aliases[0].get("AliasArn") or state.get("arn")}
        if target != state.get("target_key_id") and not str(state.get("target_key_id", "")).endswith(target):
            refreshed["target_key_id"] = target
            refreshed["target_key_arn"] = _key_arn(api, target)
        return refreshed

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        return _in_region(api, self.read(api, {"id": import_id}))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        api.client("kms").update_alias(AliasName=prior["id"], TargetKeyId=planned["target_key_id"])
        return {"target_key_arn": _key_arn(api, planned["target_key_id"])}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("kms").delete_alias, "NotFoundException", AliasName=state["id"])


################################################################################
# CloudWatch Logs
################################################################################


@resource("aws_cloudwatch_log_group", replace_on=("name", "name_prefix", "log_group_class"))
class LogGroup(Handler):
    """A CloudWatch Logs group with its retention and KMS key; read refreshes retention, key and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        logs = api.client("logs")
        name = planned.get("name")
        if not name:
            raise ApplyError("The emulator applies aws_cloudwatch_log_group with a name only")
        params: dict[str, Any] = {"logGroupName": name}
        if planned.get("kms_key_id"):
            params["kmsKeyId"] = planned["kms_key_id"]
        if planned.get("log_group_class"):
            params["logGroupClass"] = planned["log_group_class"]
        if tags_of(planned):
            params["tags"] = tags_of(planned)
        logs.create_log_group(**params)
        if planned.get("retention_in_days"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(planned["retention_in_days"]))
        return {"id": name, "arn": api.arn("logs", f"log-group:{name}")}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        logs = api.client("logs")
        name = state["id"]
        groups = [
            g
            for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
            for g in page["logGroups"]
            if g["logGroupName"] == name
        ]
        if not groups:
            return None
        group = groups[0]
        refreshed = {**state, "name": name}
        retention = group.get("retentionInDays")
        if state.get("retention_in_days") is not None or retention:
            # No retention policy is "never expire", which the real provider writes as 0.
            refreshed["retention_in_days"] = retention or 0
        if state.get("kms_key_id") is not None or group.get("kmsKeyId"):
            refreshed["kms_key_id"] = group.get("kmsKeyId")
        tags = logs.list_tags_log_group(logGroupName=name).get("tags") or {}
        return own_tags(api, refreshed, tags)

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        return _in_region(api, self.read(api, {"id": import_id, "arn": api.arn("logs", f"log-group:{import_id}")}))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        logs = api.client("logs")
        name = prior["id"]
        if planned.get("retention_in_days") != prior.get("retention_in_days"):
            if planned.get("retention_in_days"):
                logs.put_retention_policy(logGroupName=name, retentionInDays=int(planned["retention_in_days"]))
            else:
                ignore_gone(logs.delete_retention_policy, "ResourceNotFoundException", logGroupName=name)
        if planned.get("kms_key_id") != prior.get("kms_key_id"):
            raise ApplyError(
                "The emulator cannot change a log group's KMS key",
                "AssociateKmsKey and DisassociateKmsKey are not emulated; replace the log group instead.",
            )
        changed, removed = _tag_changes(prior, planned)
        if removed:
            logs.untag_log_group(logGroupName=name, tags=removed)
        if changed:
            logs.tag_log_group(logGroupName=name, tags=changed)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        if state.get("skip_destroy"):
            return
        ignore_gone(api.client("logs").delete_log_group, "ResourceNotFoundException", logGroupName=state["id"])
