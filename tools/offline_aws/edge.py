"""DNS, certificates and the CDN in the emulator: Route53, ACM, CloudFront.

Waits (ACM validation, CloudFront deployment) poll the emulator as the real provider polls AWS, bounded in
count and time (at most POLLS polls INTERVAL seconds apart, or the resource's own shorter `timeouts`).
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from datetime import datetime
from datetime import timezone
from typing import Any
from typing import Callable

from offline_aws import Api
from offline_aws import ApplyError
from offline_aws import Handler
from offline_aws import gone
from offline_aws import resource
from offline_aws import synthesized_id
from offline_aws import tags_of
from offline_aws.network import refresh_tags

POLLS = 60
INTERVAL = 0.5
# The Route53 zone every CloudFront distribution's alias records point at (the same in every account).
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
DEFAULT_COMMENT = "Managed by Terraform"


# -- helpers -----------------------------------------------------------------------------------------------


def _seconds(duration: str | None) -> float | None:
    """A Terraform duration ("45m", "1h30m", "2s") in seconds; None when not given."""
    if not duration:
        return None
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", duration)
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(number) * scale[unit] for number, unit in parts) if parts else None


def wait_for(check: Callable[[], tuple[bool, Any]], timeout: float | None) -> tuple[bool, Any]:
    """Poll `check` (done, value) until done: at most POLLS polls INTERVAL s apart, and never beyond `timeout`."""
    limit = POLLS * INTERVAL if timeout is None else min(POLLS * INTERVAL, timeout)
    deadline = time.monotonic() + limit
    for _poll in range(POLLS):
        done, value = check()
        if done or time.monotonic() >= deadline:
            return done, value
        time.sleep(min(INTERVAL, max(0.0, deadline - time.monotonic())))
    return check()


def _create_timeout(planned: dict[str, Any]) -> float | None:
    return _seconds((planned.get("timeouts") or {}).get("create"))


def _ignore(call: Callable[..., Any], *codes: str, **kwargs: Any) -> Any:
    """The call's answer, or None when the emulator says the resource is already gone."""
    try:
        return call(**kwargs)
    except Exception as error:  # noqa: BLE001 - "already gone" is success for a delete, anything else is raised
        if gone(error, *codes):
            return None
        raise


def _dns(name: str | None) -> str:
    """A DNS name as Route53 compares it: lower case, no trailing dot, `*` unescaped."""
    return (name or "").replace("\\052", "*").rstrip(".").lower()


def _retag(current: dict[str, str], wanted: dict[str, str]) -> tuple[list[dict[str, str]], list[str]]:
    """(tags to add or change, keys to remove)."""
    changed = [{"Key": k, "Value": v} for k, v in wanted.items() if current.get(k) != v]
    return changed, [k for k in current if k not in wanted]


# -- Route53 -----------------------------------------------------------------------------------------------

NO_ZONE = ("NoSuchHostedZone",)


@resource("aws_route53_zone", replace_on=("name", "delegation_set_id"))
class HostedZone(Handler):
    """A public hosted zone with its name servers; read refreshes its comment and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        route53 = api.client("route53")
        vpcs = [
            {"VPCRegion": v.get("vpc_region") or api.region, "VPCId": v["vpc_id"]} for v in planned.get("vpc") or []
        ]
        extra: dict[str, Any] = {"VPC": vpcs[0]} if vpcs else {}
        zone = route53.create_hosted_zone(
            Name=planned["name"],
            CallerReference=f"terraform-{uuid.uuid4()}",
            HostedZoneConfig={"Comment": planned.get("comment") or DEFAULT_COMMENT, "PrivateZone": bool(vpcs)},
            **extra,
        )
        zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
        for vpc in vpcs[1:]:
            route53.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC=vpc)
        if tags_of(planned):
            route53.change_tags_for_resource(
                ResourceType="hostedzone",
                ResourceId=zone_id,
                AddTags=[{"Key": k, "Value": v} for k, v in tags_of(planned).items()],
            )
        servers = zone.get("DelegationSet", {}).get("NameServers", [])
        return {
            "id": zone_id,
            "zone_id": zone_id,
            "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
            "name_servers": servers,
            "primary_name_server": servers[0] if servers else "",
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        route53 = api.client("route53")
        zone = _ignore(route53.get_hosted_zone, *NO_ZONE, Id=state["id"])
        if zone is None:
            return None
        comment = zone["HostedZone"].get("Config", {}).get("Comment") or ""
        refreshed = {**state, "zone_id": state["id"]}
        if state.get("comment") is not None or comment != DEFAULT_COMMENT:
            refreshed["comment"] = comment
        servers = zone.get("DelegationSet", {}).get("NameServers")
        if servers:
            refreshed.update(name_servers=servers, primary_name_server=servers[0])
        tags = route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=state["id"])
        return refresh_tags(api, refreshed, tags.get("ResourceTagSet", {}).get("Tags"))

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        zone = _ignore(api.client("route53").get_hosted_zone, *NO_ZONE, Id=import_id)
        if zone is None:
            return None
        name = _dns(zone["HostedZone"]["Name"])
        state = {
            "id": import_id,
            "name": name,
            "arn": f"arn:aws:route53:::hostedzone/{import_id}",
            "force_destroy": False,
        }
        return self.read(api, state)

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        route53 = api.client("route53")
        if (prior.get("comment") or DEFAULT_COMMENT) != (planned.get("comment") or DEFAULT_COMMENT):
            route53.update_hosted_zone_comment(Id=prior["id"], Comment=planned.get("comment") or DEFAULT_COMMENT)
        changed, removed = _retag(tags_of(prior), tags_of(planned))
        if changed or removed:
            extra: dict[str, Any] = {"AddTags": changed} if changed else {}
            if removed:
                extra["RemoveTagKeys"] = removed
            route53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=prior["id"], **extra)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        route53 = api.client("route53")
        if state.get("force_destroy"):
            # As the real provider: every record but the zone's own NS and SOA goes first.
            apex = _dns(state.get("name"))
            records = _ignore(route53.list_resource_record_sets, *NO_ZONE, HostedZoneId=state["id"]) or {}
            changes = [
                {"Action": "DELETE", "ResourceRecordSet": r}
                for r in records.get("ResourceRecordSets", [])
                if not (r["Type"] in ("NS", "SOA") and _dns(r["Name"]) == apex)
            ]
            if changes:
                route53.change_resource_record_sets(HostedZoneId=state["id"], ChangeBatch={"Changes": changes})
        _ignore(route53.delete_hosted_zone, *NO_ZONE, Id=state["id"])


# Routing policies the stack does not use and the handler does not write: refused rather than dropped.
UNSUPPORTED_POLICIES = (
    "latency_routing_policy",
    "geolocation_routing_policy",
    "geoproximity_routing_policy",
    "cidr_routing_policy",
)


@resource("aws_route53_record", replace_on=("zone_id", "name", "set_identifier"))
class Record(Handler):
    """A record set (values and TTL, or an alias); read refreshes its values, TTL and alias target."""

    @staticmethod
    def _fqdn(api: Api, planned: dict[str, Any]) -> str:
        name = _dns(planned["name"])
        zone = api.client("route53").get_hosted_zone(Id=planned["zone_id"])["HostedZone"]
        zone_name = _dns(zone["Name"])
        return name if name == zone_name or name.endswith(f".{zone_name}") else f"{name}.{zone_name}"

    @staticmethod
    def _record_set(planned: dict[str, Any], fqdn: str) -> dict[str, Any]:
        for policy in UNSUPPORTED_POLICIES:
            if planned.get(policy):
                raise ApplyError(f"The offline provider does not apply a record with {policy}", "Not emulated.")
        record: dict[str, Any] = {"Name": fqdn, "Type": planned["type"]}
        if planned.get("set_identifier"):
            record["SetIdentifier"] = planned["set_identifier"]
        for block, key, field in (
            ("weighted_routing_policy", "Weight", "weight"),
            ("failover_routing_policy", "Failover", "type"),
        ):
            if planned.get(block):
                value = planned[block][0][field]
                record[key] = int(value) if key == "Weight" else value
        if planned.get("health_check_id"):
            record["HealthCheckId"] = planned["health_check_id"]
        if planned.get("alias"):
            alias = planned["alias"][0]
            record["AliasTarget"] = {
                "HostedZoneId": alias["zone_id"],
                "DNSName": alias["name"],
                "EvaluateTargetHealth": bool(alias["evaluate_target_health"]),
            }
        else:
            record["TTL"] = int(planned["ttl"]) if planned.get("ttl") is not None else 300
            record["ResourceRecords"] = [{"Value": value} for value in planned.get("records") or []]
        return record

    @staticmethod
    def _id(planned: dict[str, Any], fqdn: str) -> str:
        """The real provider's id: ZONEID_NAME_TYPE[_SETIDENTIFIER]."""
        identifier = [planned["set_identifier"]] if planned.get("set_identifier") else []
        return "_".join([planned["zone_id"], fqdn, planned["type"], *identifier])

    def _change(self, api: Api, zone_id: str, changes: list[dict[str, Any]]) -> None:
        api.client("route53").change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        fqdn = self._fqdn(api, planned)
        action = "UPSERT" if planned.get("allow_overwrite") else "CREATE"
        self._change(
            api, planned["zone_id"], [{"Action": action, "ResourceRecordSet": self._record_set(planned, fqdn)}]
        )
        return {"id": self._id(planned, fqdn), "fqdn": fqdn}

    @staticmethod
    def _find(api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        fqdn = state.get("fqdn") or _dns(state["name"])
        answer = _ignore(
            api.client("route53").list_resource_record_sets,
            *NO_ZONE,
            HostedZoneId=state["zone_id"],
            StartRecordName=fqdn,
            StartRecordType=state["type"],
            MaxItems="10",
        )
        for record in (answer or {}).get("ResourceRecordSets", []):
            if (
                _dns(record["Name"]) == _dns(fqdn)
                and record["Type"] == state["type"]
                and record.get("SetIdentifier") == (state.get("set_identifier") or None)
            ):
                return record
        return None

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        record = self._find(api, state)
        if record is None:
            return None
        refreshed = dict(state)
        target = record.get("AliasTarget")
        if target:
            prior = (state.get("alias") or [{}])[0]
            same = prior.get("name") is not None and _dns(prior["name"]) == _dns(target["DNSName"])
            name = prior["name"] if same else _dns(target["DNSName"])
            refreshed["alias"] = [
                {
                    "name": name,
                    "zone_id": target["HostedZoneId"],
                    "evaluate_target_health": bool(target.get("EvaluateTargetHealth")),
                }
            ]
            refreshed["records"], refreshed["ttl"] = state.get("records"), state.get("ttl")
        else:
            refreshed["alias"] = []
            values = [r["Value"] for r in record.get("ResourceRecords", [])]
            if state.get("records") is not None or values:
                refreshed["records"] = values
            if state.get("ttl") is not None or record.get("TTL") is not None:
                refreshed["ttl"] = record.get("TTL")
        if state.get("health_check_id") is not None or record.get("HealthCheckId"):
            refreshed["health_check_id"] = record.get("HealthCheckId")
        return refreshed

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        """The real provider's import id: ZONEID_NAME_TYPE, or ZONEID_NAME_TYPE_SETIDENTIFIER."""
        parts = import_id.split("_")
        kinds = [i for i, part in enumerate(parts) if i >= 2 and part in RECORD_TYPES]
        if not kinds:
            raise ApplyError(f"Unexpected format of ID ({import_id}), expected ZONEID_RECORDNAME_TYPE")
        at = kinds[0]  # names are lower case: the first upper-case type after the name is the record's
        name, kind, identifier = "_".join(parts[1:at]), parts[at], "_".join(parts[at + 1 :]) or None
        state = {"id": import_id, "zone_id": parts[0], "name": name, "type": kind, "set_identifier": identifier}
        state["fqdn"] = _dns(name)
        return self.read(api, {**state, "records": None, "ttl": None, "alias": None})

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        fqdn = prior.get("fqdn") or self._fqdn(api, planned)
        changes = []
        if prior["type"] != planned["type"]:
            old = self._find(api, prior)
            if old is not None:
                changes.append({"Action": "DELETE", "ResourceRecordSet": old})
        changes.append({"Action": "UPSERT", "ResourceRecordSet": self._record_set(planned, fqdn)})
        self._change(api, planned["zone_id"], changes)
        return {"id": self._id(planned, fqdn), "fqdn": fqdn}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        # Found first: a record shared by two resources (allow_overwrite) is gone for the second delete.
        record = self._find(api, state)
        if record is not None:
            _ignore(
                self._change,
                "InvalidChangeBatch",
                *NO_ZONE,
                api=api,
                zone_id=state["zone_id"],
                changes=[{"Action": "DELETE", "ResourceRecordSet": record}],
            )


RECORD_TYPES = frozenset(
    (
        "A",
        "AAAA",
        "CAA",
        "CNAME",
        "DS",
        "HTTPS",
        "MX",
        "NAPTR",
        "NS",
        "PTR",
        "SOA",
        "SPF",
        "SRV",
        "SSHFP",
        "SVCB",
        "TLSA",
        "TXT",
    )
)

HEALTH_CHECK_FIELDS = {
    "fqdn": "FullyQualifiedDomainName",
    "ip_address": "IPAddress",
    "port": "Port",
    "resource_path": "ResourcePath",
    "search_string": "SearchString",
    "failure_threshold": "FailureThreshold",
    "request_interval": "RequestInterval",
    "measure_latency": "MeasureLatency",
    "invert_healthcheck": "Inverted",
    "disabled": "Disabled",
    "enable_sni": "EnableSNI",
}
# What update_health_check may change (the others are the real provider's ForceNew).
HEALTH_CHECK_UPDATABLE = ("fqdn", "ip_address", "port", "resource_path", "search_string", "failure_threshold")
NO_HEALTH_CHECK = ("NoSuchHealthCheck",)


@resource("aws_route53_health_check", replace_on=("type", "request_interval", "measure_latency", "reference_name"))
class HealthCheck(Handler):
    """A health check of the CloudFront domain; read refreshes its target, path, thresholds and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        route53 = api.client("route53")
        config: dict[str, Any] = {"Type": planned["type"]}
        for key, name in HEALTH_CHECK_FIELDS.items():
            if planned.get(key) is not None:
                config[name] = planned[key]
        if planned.get("regions"):
            config["Regions"] = list(planned["regions"])
        check = route53.create_health_check(CallerReference=f"terraform-{uuid.uuid4()}", HealthCheckConfig=config)
        check_id = check["HealthCheck"]["Id"]
        if tags_of(planned):
            route53.change_tags_for_resource(
                ResourceType="healthcheck",
                ResourceId=check_id,
                AddTags=[{"Key": k, "Value": v} for k, v in tags_of(planned).items()],
            )
        return {"id": check_id, "arn": f"arn:aws:route53:::healthcheck/{check_id}"}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        route53 = api.client("route53")
        check = _ignore(route53.get_health_check, *NO_HEALTH_CHECK, HealthCheckId=state["id"])
        if check is None:
            return None
        config = check["HealthCheck"].get("HealthCheckConfig", {})
        refreshed = dict(state)
        for key in HEALTH_CHECK_UPDATABLE:
            name = HEALTH_CHECK_FIELDS[key]
            if state.get(key) is not None or config.get(name) is not None:
                refreshed[key] = config.get(name)
        tags = route53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=state["id"])
        return refresh_tags(api, refreshed, tags.get("ResourceTagSet", {}).get("Tags"))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        route53 = api.client("route53")
        changes = {
            HEALTH_CHECK_FIELDS[key]: planned[key]
            for key in HEALTH_CHECK_UPDATABLE
            if planned.get(key) is not None and planned.get(key) != prior.get(key)
        }
        if changes:
            route53.update_health_check(HealthCheckId=prior["id"], **changes)
        changed, removed = _retag(tags_of(prior), tags_of(planned))
        if changed or removed:
            extra: dict[str, Any] = {"AddTags": changed} if changed else {}
            if removed:
                extra["RemoveTagKeys"] = removed
            route53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=prior["id"], **extra)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        _ignore(api.client("route53").delete_health_check, *NO_HEALTH_CHECK, HealthCheckId=state["id"])


# -- ACM ---------------------------------------------------------------------------------------------------


def _timestamp(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value or "")


def _validation_options(planned: dict[str, Any], certificate: dict[str, Any]) -> list[dict[str, str]]:
    """One entry per domain with its DNS record, in the order the plan holds them."""
    by_domain = {o["DomainName"]: o.get("ResourceRecord") or {} for o in certificate.get("DomainValidationOptions", [])}
    names = [o["domain_name"] for o in planned.get("domain_validation_options") or []] or list(by_domain)
    return [
        {
            "domain_name": name,
            "resource_record_name": by_domain.get(name, {}).get("Name", ""),
            "resource_record_type": by_domain.get(name, {}).get("Type", ""),
            "resource_record_value": by_domain.get(name, {}).get("Value", ""),
        }
        for name in names
    ]


@resource(
    "aws_acm_certificate",
    replace_on=(
        "domain_name",
        "subject_alternative_names",
        "validation_method",
        "certificate_authority_arn",
        "key_algorithm",
        "validation_option",
    ),
)
class Certificate(Handler):
    """A requested certificate (DNS validation records per domain); read refreshes its status, records and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        acm = api.client("acm")
        request: dict[str, Any] = {"DomainName": planned["domain_name"]}
        if planned.get("validation_method"):
            request["ValidationMethod"] = planned["validation_method"]
        if planned.get("subject_alternative_names"):
            request["SubjectAlternativeNames"] = list(planned["subject_alternative_names"])
        if planned.get("certificate_authority_arn"):
            request["CertificateAuthorityArn"] = planned["certificate_authority_arn"]
        if tags_of(planned):
            request["Tags"] = [{"Key": k, "Value": v} for k, v in tags_of(planned).items()]
        arn = acm.request_certificate(**request)["CertificateArn"]

        # As the real provider: the DNS records are returned once ACM has written them (bounded wait).
        def described() -> tuple[bool, dict[str, Any]]:
            certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
            options = certificate.get("DomainValidationOptions", [])
            dns = planned.get("validation_method") == "DNS"
            return (not dns or (options and all(o.get("ResourceRecord") for o in options))), certificate

        done, certificate = wait_for(described, None)
        if not done:
            raise ApplyError(
                f"ACM certificate {arn}: no DNS validation records after {POLLS * INTERVAL:.0f}s",
                "The emulator did not give the certificate's validation records.",
                computed={"id": arn, "arn": arn},
            )
        return {"id": arn, "arn": arn, **self._computed(planned, certificate)}

    @staticmethod
    def _computed(planned: dict[str, Any], certificate: dict[str, Any]) -> dict[str, Any]:
        dns = planned.get("validation_method") == "DNS"
        return {
            "domain_validation_options": _validation_options(planned, certificate) if dns else [],
            "status": certificate.get("Status", ""),
            "type": certificate.get("Type", "AMAZON_ISSUED"),
            "not_after": _timestamp(certificate.get("NotAfter")),
            "not_before": _timestamp(certificate.get("NotBefore")),
            "pending_renewal": False,
            "renewal_eligibility": certificate.get("RenewalEligibility", "INELIGIBLE"),
            "renewal_summary": [],
            "validation_emails": [],
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        acm = api.client("acm")
        answer = _ignore(acm.describe_certificate, CertificateArn=state["id"])
        if answer is None:
            return None
        computed = self._computed(state, answer["Certificate"])
        refreshed = {**state, "status": computed["status"], "not_after": computed["not_after"]}
        if state.get("domain_validation_options"):
            refreshed["domain_validation_options"] = computed["domain_validation_options"]
        tags = acm.list_tags_for_certificate(CertificateArn=state["id"]).get("Tags", [])
        return refresh_tags(api, refreshed, tags)

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        answer = _ignore(api.client("acm").describe_certificate, CertificateArn=import_id)
        if answer is None:
            return None
        found = answer["Certificate"]
        method = (found.get("DomainValidationOptions") or [{}])[0].get("ValidationMethod")
        state = {"id": import_id, "arn": import_id, "domain_name": found.get("DomainName"), "validation_method": method}
        sans = [name for name in found.get("SubjectAlternativeNames") or [] if name != found.get("DomainName")]
        state["subject_alternative_names"] = sans or None
        state.update(self._computed(state, found))
        return self.read(api, state)

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        acm = api.client("acm")
        changed, removed = _retag(tags_of(prior), tags_of(planned))
        if changed:
            acm.add_tags_to_certificate(CertificateArn=prior["id"], Tags=changed)
        if removed:
            acm.remove_tags_from_certificate(CertificateArn=prior["id"], Tags=[{"Key": k} for k in removed])
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        _ignore(api.client("acm").delete_certificate, CertificateArn=state["id"])


# Certificate states that never become ISSUED: the wait stops at once.
FAILED_STATES = ("FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED", "INACTIVE")


@resource("aws_acm_certificate_validation", replace_on=("certificate_arn", "validation_record_fqdns"))
class CertificateValidation(Handler):
    """The wait for a certificate to be ISSUED (its records checked first); read finds it gone unless ISSUED."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        acm = api.client("acm")
        arn = planned["certificate_arn"]
        certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
        fqdns = planned.get("validation_record_fqdns")
        if fqdns is not None and certificate.get("Type") == "AMAZON_ISSUED":
            given = {_dns(name) for name in fqdns}
            for option in certificate.get("DomainValidationOptions", []):
                record = option.get("ResourceRecord") or {}
                if option.get("ValidationMethod", "DNS") == "DNS" and _dns(record.get("Name")) not in given:
                    raise ApplyError(
                        f"ACM certificate {arn}: missing {_dns(record.get('Name'))} DNS validation record",
                        f"validation_record_fqdns must name the validation record of {option['DomainName']}.",
                    )

        answers = [certificate]  # the first answer counts: an issued certificate needs no second call

        def issued() -> tuple[bool, dict[str, Any]]:
            found = answers.pop() if answers else acm.describe_certificate(CertificateArn=arn)["Certificate"]
            if found["Status"] in FAILED_STATES:
                raise ApplyError(f"ACM certificate {arn} is {found['Status']}: it cannot be validated")
            return found["Status"] == "ISSUED", found

        timeout = _create_timeout(planned)
        done, certificate = wait_for(issued, timeout)
        if not done:
            waited = POLLS * INTERVAL if timeout is None else min(POLLS * INTERVAL, timeout)
            raise ApplyError(
                f"waiting for ACM certificate {arn} to be issued: timeout after {waited:g}s "
                f"(still {certificate['Status']})",
                "The certificate's DNS validation records are not answered yet: check that they are in the zone "
                "and that the zone is delegated, then apply again.",
            )
        issued_at = certificate.get("IssuedAt")
        return {"id": _timestamp(issued_at) or arn}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = _ignore(api.client("acm").describe_certificate, CertificateArn=state["certificate_arn"])
        if answer is None or answer["Certificate"].get("Status") != "ISSUED":
            return None
        return dict(state)

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        """Nothing in AWS: the validation is only Terraform's record of the wait."""


# -- CloudFront --------------------------------------------------------------------------------------------

NO_DISTRIBUTION = ("NoSuchDistribution",)


def _items(values: Any, convert: Callable[[Any], Any] = lambda v: v) -> dict[str, Any]:
    values = list(values or [])
    return {"Quantity": len(values), "Items": [convert(v) for v in values]} if values else {"Quantity": 0}


def _first(value: Any) -> dict[str, Any]:
    return value[0] if isinstance(value, list) and value else {}


def _forwarded_values(block: dict[str, Any]) -> dict[str, Any]:
    cookies = _first(block.get("cookies"))
    return {
        "QueryString": bool(block.get("query_string")),
        "QueryStringCacheKeys": _items(block.get("query_string_cache_keys")),
        "Headers": _items(sorted(block.get("headers") or [])),
        "Cookies": {
            "Forward": cookies.get("forward") or "none",
            "WhitelistedNames": _items(sorted(cookies.get("whitelisted_names") or [])),
        },
    }


def _behaviour(block: dict[str, Any]) -> dict[str, Any]:
    """One cache behaviour (the default one has no path pattern) in CloudFront's shape."""
    behaviour: dict[str, Any] = {
        "TargetOriginId": block["target_origin_id"],
        "ViewerProtocolPolicy": block["viewer_protocol_policy"],
        "AllowedMethods": {
            **_items(sorted(block.get("allowed_methods") or [])),
            "CachedMethods": _items(sorted(block.get("cached_methods") or [])),
        },
        "Compress": bool(block.get("compress")),
        "SmoothStreaming": bool(block.get("smooth_streaming")),
        "FieldLevelEncryptionId": block.get("field_level_encryption_id") or "",
        "TrustedSigners": {"Enabled": bool(block.get("trusted_signers")), **_items(block.get("trusted_signers"))},
        "TrustedKeyGroups": {
            "Enabled": bool(block.get("trusted_key_groups")),
            **_items(block.get("trusted_key_groups")),
        },
        "LambdaFunctionAssociations": _items(
            block.get("lambda_function_association"),
            lambda a: {
                "LambdaFunctionARN": a["lambda_arn"],
                "EventType": a["event_type"],
                "IncludeBody": bool(a.get("include_body")),
            },
        ),
        "FunctionAssociations": _items(
            block.get("function_association"),
            lambda a: {"FunctionARN": a["function_arn"], "EventType": a["event_type"]},
        ),
    }
    if block.get("path_pattern") is not None:
        behaviour["PathPattern"] = block["path_pattern"]
    for key, name in (
        ("cache_policy_id", "CachePolicyId"),
        ("origin_request_policy_id", "OriginRequestPolicyId"),
        ("response_headers_policy_id", "ResponseHeadersPolicyId"),
        ("realtime_log_config_arn", "RealtimeLogConfigArn"),
    ):
        if block.get(key):
            behaviour[name] = block[key]
    if block.get("forwarded_values"):
        behaviour["ForwardedValues"] = _forwarded_values(block["forwarded_values"][0])
    if not block.get("cache_policy_id"):
        for key, name in (("min_ttl", "MinTTL"), ("default_ttl", "DefaultTTL"), ("max_ttl", "MaxTTL")):
            if block.get(key) is not None:
                behaviour[name] = int(block[key])
    return behaviour


def _origin(block: dict[str, Any]) -> dict[str, Any]:
    origin: dict[str, Any] = {
        "Id": block["origin_id"],
        "DomainName": block["domain_name"],
        "OriginPath": block.get("origin_path") or "",
        "CustomHeaders": _items(
            block.get("custom_header"), lambda h: {"HeaderName": h["name"], "HeaderValue": h["value"]}
        ),
        "ConnectionAttempts": int(block.get("connection_attempts") or 3),
        "ConnectionTimeout": int(block.get("connection_timeout") or 10),
    }
    custom = _first(block.get("custom_origin_config"))
    if custom:
        origin["CustomOriginConfig"] = {
            "HTTPPort": int(custom["http_port"]),
            "HTTPSPort": int(custom["https_port"]),
            "OriginProtocolPolicy": custom["origin_protocol_policy"],
            "OriginSslProtocols": _items(sorted(custom.get("origin_ssl_protocols") or [])),
            "OriginReadTimeout": int(custom.get("origin_read_timeout") or 30),
            "OriginKeepaliveTimeout": int(custom.get("origin_keepalive_timeout") or 5),
        }
    s3 = _first(block.get("s3_origin_config"))
    if s3:
        origin["S3OriginConfig"] = {"OriginAccessIdentity": s3.get("origin_access_identity") or ""}
    shield = _first(block.get("origin_shield"))
    origin["OriginShield"] = {"Enabled": bool(shield.get("enabled"))}
    if shield.get("origin_shield_region"):
        origin["OriginShield"]["OriginShieldRegion"] = shield["origin_shield_region"]
    if block.get("origin_access_control_id"):
        origin["OriginAccessControlId"] = block["origin_access_control_id"]
    return origin


def _origin_group(block: dict[str, Any]) -> dict[str, Any]:
    criteria = _first(block.get("failover_criteria"))
    return {
        "Id": block["origin_id"],
        "FailoverCriteria": {"StatusCodes": _items(sorted(int(c) for c in criteria.get("status_codes") or []))},
        "Members": _items(block.get("member"), lambda m: {"OriginId": m["origin_id"]}),
    }


def distribution_config(planned: dict[str, Any], caller_reference: str) -> dict[str, Any]:
    """The distribution's configuration in CloudFront's shape, from the planned resource."""
    viewer = _first(planned.get("viewer_certificate"))
    certificate: dict[str, Any] = {"CloudFrontDefaultCertificate": bool(viewer.get("cloudfront_default_certificate"))}
    if viewer.get("acm_certificate_arn"):
        certificate["ACMCertificateArn"] = viewer["acm_certificate_arn"]
    if viewer.get("iam_certificate_id"):
        certificate["IAMCertificateId"] = viewer["iam_certificate_id"]
    if viewer.get("ssl_support_method"):
        certificate["SSLSupportMethod"] = viewer["ssl_support_method"]
    certificate["MinimumProtocolVersion"] = viewer.get("minimum_protocol_version") or "TLSv1"
    geo = _first(_first(planned.get("restrictions")).get("geo_restriction"))
    logging = _first(planned.get("logging_config"))
    return {
        "CallerReference": caller_reference,
        "Aliases": _items(sorted(planned.get("aliases") or [])),
        "DefaultRootObject": planned.get("default_root_object") or "",
        "Origins": _items(planned.get("origin"), _origin),
        "OriginGroups": _items(planned.get("origin_group"), _origin_group),
        "DefaultCacheBehavior": _behaviour(_first(planned.get("default_cache_behavior"))),
        "CacheBehaviors": _items(planned.get("ordered_cache_behavior"), _behaviour),
        "CustomErrorResponses": _items(
            planned.get("custom_error_response"),
            lambda r: {
                "ErrorCode": int(r["error_code"]),
                **({"ResponseCode": str(int(r["response_code"]))} if r.get("response_code") is not None else {}),
                **({"ResponsePagePath": r["response_page_path"]} if r.get("response_page_path") else {}),
                **(
                    {"ErrorCachingMinTTL": int(r["error_caching_min_ttl"])}
                    if r.get("error_caching_min_ttl") is not None
                    else {}
                ),
            },
        ),
        "Comment": planned.get("comment") or "",
        "Logging": {
            "Enabled": bool(logging),
            "IncludeCookies": bool(logging.get("include_cookies")),
            "Bucket": logging.get("bucket") or "",
            "Prefix": logging.get("prefix") or "",
        },
        "PriceClass": planned.get("price_class") or "PriceClass_All",
        "Enabled": bool(planned["enabled"]),
        "ViewerCertificate": certificate,
        "Restrictions": {
            "GeoRestriction": {
                "RestrictionType": geo.get("restriction_type") or "none",
                **_items(sorted(geo.get("locations") or [])),
            }
        },
        "WebACLId": planned.get("web_acl_id") or "",
        "HttpVersion": planned.get("http_version") or "http2",
        "IsIPV6Enabled": bool(planned.get("is_ipv6_enabled")),
    }


def _deployed(cloudfront: Any, distribution_id: str, timeout: float | None) -> tuple[bool, dict[str, Any]]:
    """Wait (bounded) for the distribution to be Deployed: (deployed, its last answer)."""

    def check() -> tuple[bool, dict[str, Any]]:
        distribution = cloudfront.get_distribution(Id=distribution_id)["Distribution"]
        return distribution["Status"] == "Deployed", distribution

    return wait_for(check, timeout)


@resource("aws_cloudfront_distribution", replace_on=("staging",))
class Distribution(Handler):
    """A distribution (origins, behaviours, certificate, aliases, logging, tags), its deployment waited for;
    read refreshes status, enabled, aliases, certificate, origins' domains and protocols, viewer policy, tags."""

    def _computed(self, distribution: dict[str, Any], etag: str, caller_reference: str) -> dict[str, Any]:
        return {
            "id": distribution["Id"],
            "arn": distribution["ARN"],
            "caller_reference": caller_reference,
            "domain_name": distribution["DomainName"],
            "etag": etag,
            "hosted_zone_id": CLOUDFRONT_ZONE_ID,
            "status": distribution["Status"],
            "last_modified_time": _timestamp(distribution.get("LastModifiedTime")),
            "in_progress_validation_batches": int(distribution.get("InProgressInvalidationBatches") or 0),
            "trusted_key_groups": [{"enabled": False, "items": []}],
            "trusted_signers": [{"enabled": False, "items": []}],
        }

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        cloudfront = api.client("cloudfront")
        caller_reference = f"terraform-{uuid.uuid4()}"
        answer = cloudfront.create_distribution_with_tags(
            DistributionConfigWithTags={
                "DistributionConfig": distribution_config(planned, caller_reference),
                "Tags": {"Items": [{"Key": k, "Value": v} for k, v in tags_of(planned).items()]},
            }
        )
        distribution = answer["Distribution"]
        computed = {
            **self._computed(distribution, answer.get("ETag", ""), caller_reference),
            "logging_v1_enabled": bool(planned.get("logging_config")),
        }
        if planned.get("wait_for_deployment") is not False:
            deployed, distribution = _deployed(cloudfront, distribution["Id"], _create_timeout(planned))
            computed["status"] = distribution["Status"]
            if not deployed:
                # As the real provider: the distribution exists (kept in the state, tainted) but the apply fails.
                raise ApplyError(
                    f"waiting for CloudFront Distribution ({distribution['Id']}) deploy: timeout after "
                    f"{POLLS * INTERVAL:g}s (still {distribution['Status']})",
                    "The distribution is created and still deploying; the next apply replaces it, or set "
                    "wait_for_deployment = false to return before the deployment ends.",
                    computed=computed,
                )
        return computed

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        cloudfront = api.client("cloudfront")
        answer = _ignore(cloudfront.get_distribution, *NO_DISTRIBUTION, Id=state["id"])
        if answer is None:
            return None
        distribution = answer["Distribution"]
        config = distribution.get("DistributionConfig", {})
        refreshed = {
            **state,
            "status": distribution["Status"],
            "etag": answer.get("ETag") or state.get("etag"),
            "domain_name": distribution["DomainName"],
            "enabled": bool(config.get("Enabled")),
        }
        aliases = config.get("Aliases", {}).get("Items") or []
        if state.get("aliases") is not None or aliases:
            refreshed["aliases"] = sorted(aliases)
        if state.get("comment") is not None or config.get("Comment"):
            refreshed["comment"] = config.get("Comment") or ""
        if state.get("price_class") is not None:
            refreshed["price_class"] = config.get("PriceClass")
        refreshed["viewer_certificate"] = self._viewer(state, config.get("ViewerCertificate", {}))
        refreshed["origin"] = self._origins(state, config.get("Origins", {}).get("Items") or [])
        behaviour = _first(state.get("default_cache_behavior"))
        found = config.get("DefaultCacheBehavior", {})
        if behaviour and found:
            refreshed["default_cache_behavior"] = [
                {
                    **behaviour,
                    "viewer_protocol_policy": found.get("ViewerProtocolPolicy"),
                    "target_origin_id": found.get("TargetOriginId"),
                }
            ]
        tags = cloudfront.list_tags_for_resource(Resource=state["arn"]).get("Tags", {}).get("Items", [])
        return refresh_tags(api, refreshed, tags)

    @staticmethod
    def _viewer(state: dict[str, Any], found: dict[str, Any]) -> Any:
        prior = _first(state.get("viewer_certificate"))
        if not prior:
            return state.get("viewer_certificate")
        viewer = dict(prior)
        acm_arn = found.get("ACMCertificateArn") or None
        viewer["acm_certificate_arn"] = acm_arn if (acm_arn or prior.get("acm_certificate_arn") is not None) else None
        viewer["cloudfront_default_certificate"] = bool(found.get("CloudFrontDefaultCertificate")) and not acm_arn
        if prior.get("minimum_protocol_version") is not None:
            viewer["minimum_protocol_version"] = found.get("MinimumProtocolVersion")
        if prior.get("ssl_support_method") is not None:
            viewer["ssl_support_method"] = found.get("SSLSupportMethod")
        return [viewer]

    @staticmethod
    def _origins(state: dict[str, Any], found: list[dict[str, Any]]) -> Any:
        by_id = {o["Id"]: o for o in found}
        origins = []
        for origin in state.get("origin") or []:
            now = by_id.get(origin["origin_id"])
            if now is None:
                continue  # an origin removed behind Terraform's back: the plan adds it again
            origin = {**origin, "domain_name": now.get("DomainName")}
            custom = _first(origin.get("custom_origin_config"))
            if custom and now.get("CustomOriginConfig"):
                origin["custom_origin_config"] = [
                    {**custom, "origin_protocol_policy": now["CustomOriginConfig"].get("OriginProtocolPolicy")}
                ]
            origins.append(origin)
        return origins

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        answer = _ignore(api.client("cloudfront").get_distribution, *NO_DISTRIBUTION, Id=import_id)
        if answer is None:
            return None
        distribution = answer["Distribution"]
        reference = distribution.get("DistributionConfig", {}).get("CallerReference", "")
        state = self._computed(distribution, answer.get("ETag", ""), reference)
        config = distribution.get("DistributionConfig", {})
        viewer = config.get("ViewerCertificate", {})
        state["viewer_certificate"] = [
            {
                "acm_certificate_arn": viewer.get("ACMCertificateArn") or None,
                "cloudfront_default_certificate": bool(viewer.get("CloudFrontDefaultCertificate")),
                "minimum_protocol_version": viewer.get("MinimumProtocolVersion"),
                "ssl_support_method": viewer.get("SSLSupportMethod") if viewer.get("ACMCertificateArn") else None,
            }
        ]
        state["origin"] = [
            {
                "origin_id": origin["Id"],
                "domain_name": origin["DomainName"],
                "custom_origin_config": (
                    [
                        {
                            "http_port": origin["CustomOriginConfig"].get("HTTPPort"),
                            "https_port": origin["CustomOriginConfig"].get("HTTPSPort"),
                            "origin_protocol_policy": origin["CustomOriginConfig"].get("OriginProtocolPolicy"),
                            "origin_ssl_protocols": (
                                origin["CustomOriginConfig"].get("OriginSslProtocols", {}).get("Items")
                            ),
                        }
                    ]
                    if origin.get("CustomOriginConfig")
                    else []
                ),
            }
            for origin in config.get("Origins", {}).get("Items", [])
        ]
        return self.read(api, state)

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        cloudfront = api.client("cloudfront")
        current = cloudfront.get_distribution_config(Id=prior["id"])
        caller_reference = current["DistributionConfig"].get("CallerReference") or prior.get("caller_reference")
        answer = cloudfront.update_distribution(
            Id=prior["id"], IfMatch=current["ETag"], DistributionConfig=distribution_config(planned, caller_reference)
        )
        arn = prior["arn"]
        changed, removed = _retag(tags_of(prior), tags_of(planned))
        if changed:
            cloudfront.tag_resource(Resource=arn, Tags={"Items": changed})
        if removed:
            cloudfront.untag_resource(Resource=arn, TagKeys={"Items": removed})
        distribution = answer["Distribution"]
        computed = self._computed(distribution, answer.get("ETag", ""), caller_reference)
        if planned.get("wait_for_deployment") is not False:
            deployed, distribution = _deployed(cloudfront, prior["id"], None)
            computed["status"] = distribution["Status"]
            if not deployed:
                raise ApplyError(
                    f"waiting for CloudFront Distribution ({prior['id']}) deploy: timeout after "
                    f"{POLLS * INTERVAL:g}s (still {distribution['Status']})"
                )
        return computed

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        """As the real provider: disabled first (and that deployed), then deleted; retain_on_delete only disables."""
        cloudfront = api.client("cloudfront")
        current = _ignore(cloudfront.get_distribution_config, *NO_DISTRIBUTION, Id=state["id"])
        if current is None:
            return
        config, etag = current["DistributionConfig"], current["ETag"]
        if config.get("Enabled"):
            config = {**config, "Enabled": False}
            etag = cloudfront.update_distribution(Id=state["id"], IfMatch=etag, DistributionConfig=config)["ETag"]
            deployed, distribution = _deployed(cloudfront, state["id"], None)
            if not deployed:
                raise ApplyError(
                    f"waiting for CloudFront Distribution ({state['id']}) to be disabled: timeout after "
                    f"{POLLS * INTERVAL:g}s (still {distribution['Status']})"
                )
        if state.get("retain_on_delete"):
            return
        _ignore(cloudfront.delete_distribution, *NO_DISTRIBUTION, Id=state["id"], IfMatch=etag)


class CloudFrontPolicy(Handler):
    """A CloudFront policy kept in state: an id shaped as AWS gives it (a UUID), its ARN and an etag."""

    kind = ""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        digest = hashlib.sha256((api.account + synthesized_id(self.type_name, planned)).encode()).hexdigest()
        policy_id = str(uuid.UUID(digest[:32]))
        return {
            "id": policy_id,
            "arn": f"arn:aws:cloudfront::{api.account}:{self.kind}/{policy_id}",
            "etag": digest[32:46].upper(),
        }


MOTO_NO_POLICIES = "the emulator (moto 5.2) has no CloudFront {} API; the distribution refers to its synthesized id"


@resource("aws_cloudfront_cache_policy", state_only=MOTO_NO_POLICIES.format("cache policy"))
class CachePolicy(CloudFrontPolicy):
    """A cache policy (TTLs, cache key) kept in Terraform's state only."""

    kind = "cache-policy"


@resource("aws_cloudfront_response_headers_policy", state_only=MOTO_NO_POLICIES.format("response headers policy"))
class ResponseHeadersPolicy(CloudFrontPolicy):
    """A response headers policy (security headers) kept in Terraform's state only."""

    kind = "response-headers-policy"
