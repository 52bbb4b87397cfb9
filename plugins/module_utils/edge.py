# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the edge of one environment: its CloudFront certificate (ACM, us-east-1) and its distribution.

Plain functions over the collection's clients (aws_client.AWSClients: calls made with ``aws_retry=True``).
The edge role polls :func:`read_edge` in bounded ``until`` loops; the verdict (what is still missing and
why) is computed here, once, so that the role only decides wait / go on / fall back.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import paginate

# ACM statuses that will never become ISSUED without a new certificate.
CERTIFICATE_DEAD = ("FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED", "INACTIVE")
DEPLOYMENT_NOTE = (
    "CloudFront deployments can take 15-20 minutes; monitor distribution {id} in the AWS Console "
    "(CloudFront > Distributions > {id}) or with: aws cloudfront get-distribution --id {id} --query Distribution.Status"
)


def find_distribution(cloudfront: Any, comment: str, distribution_id: str | None = None) -> dict[str, Any] | None:
    """The distribution ``distribution_id``, or the one whose comment is the stack's name (terraform sets it)."""
    if distribution_id:
        distribution = cloudfront.get_distribution(aws_retry=True, Id=distribution_id)["Distribution"]
        config = distribution["DistributionConfig"]
        return {
            "Id": distribution["Id"],
            "ARN": distribution["ARN"],
            "DomainName": distribution["DomainName"],
            "Status": distribution["Status"],
            "Aliases": config.get("Aliases", {}),
            "ViewerCertificate": config.get("ViewerCertificate", {}),
        }
    for item in (paginate(cloudfront, "list_distributions", "DistributionList") or {}).get("Items") or []:
        if item.get("Comment") == comment:
            return item
    return None


def find_certificate(acm: Any, domain: str, certificate_arn: str | None = None) -> dict[str, Any] | None:
    """The certificate ``certificate_arn``, or the newest one for ``*.<domain>`` (an ISSUED one first)."""
    if not certificate_arn:
        wanted = f"*.{domain}"
        listed = paginate(acm, "list_certificates", "CertificateSummaryList")
        candidates = [c for c in listed if c.get("DomainName") == wanted]
        if not candidates:
            return None
        described = [
            acm.describe_certificate(aws_retry=True, CertificateArn=c["CertificateArn"])["Certificate"]
            for c in candidates
        ]
        described.sort(key=lambda c: (c.get("Status") == "ISSUED", str(c.get("CreatedAt", ""))), reverse=True)
        return described[0]
    return acm.describe_certificate(aws_retry=True, CertificateArn=certificate_arn)["Certificate"]


def zone_for(zones: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The public zone that holds ``name``: the one with the longest name that ``name`` ends with."""
    name = name.rstrip(".").lower()
    best = None
    for zone in zones:
        zone_name = zone["Name"].rstrip(".").lower()
        if zone.get("Config", {}).get("PrivateZone"):
            continue
        if (name == zone_name or name.endswith(f".{zone_name}")) and (
            best is None or len(zone_name) > len(best["Name"].rstrip("."))
        ):
            best = zone
    return best


def list_zones(route53: Any) -> list[dict[str, Any]]:
    return paginate(route53, "list_hosted_zones", "HostedZones")


def record_present(route53: Any, zone_id: str, name: str, rtype: str, value: str) -> bool:
    """Whether the zone holds the record ``name`` ``rtype`` with ``value`` (one read, no listing of the zone)."""
    wanted = name.rstrip(".").lower()
    answer = route53.list_resource_record_sets(
        aws_retry=True, HostedZoneId=zone_id, StartRecordName=name, StartRecordType=rtype, MaxItems="1"
    )
    for record in answer.get("ResourceRecordSets", []):
        if record["Name"].rstrip(".").lower() == wanted and record["Type"] == rtype:
            values = {r["Value"].rstrip(".").lower() for r in record.get("ResourceRecords", [])}
            return value.rstrip(".").lower() in values
    return False


def named_zone(zones: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The public zone called ``name``, if this account has it."""
    name = name.rstrip(".").lower()
    return next(
        (z for z in zones if z["Name"].rstrip(".").lower() == name and not z.get("Config", {}).get("PrivateZone")), None
    )


def validation_records(
    certificate: dict[str, Any], route53: Any, zones: list[dict[str, Any]], zone_name: str | None = None
) -> list[dict[str, Any]]:
    """The certificate's DNS validation CNAMEs, each with the zone that should hold it and whether it does.

    ``zone_name`` is the zone the stack writes them to (prod: the adopted root zone); without it, the
    closest zone of this account that the record name falls under.
    """
    seen: dict[str, dict[str, Any]] = {}
    fixed = named_zone(zones, zone_name) if zone_name else None
    for option in certificate.get("DomainValidationOptions", []) or []:
        record = option.get("ResourceRecord")
        if not record or record["Name"] in seen:
            continue
        zone = fixed if zone_name else zone_for(zones, record["Name"])
        seen[record["Name"]] = {
            "name": record["Name"],
            "type": record["Type"],
            "value": record["Value"],
            "zone": zone["Name"].rstrip(".") if zone else None,
            "in_zone": (
                bool(zone)
                and record_present(route53, zone["Id"].split("/")[-1], record["Name"], record["Type"], record["Value"])
            ),
        }
    return list(seen.values())


def certificate_view(certificate: dict[str, Any] | None, records: list[dict[str, Any]]) -> dict[str, Any] | None:
    if certificate is None:
        return None
    return {
        "arn": certificate["CertificateArn"],
        "domain_name": certificate.get("DomainName"),
        "status": certificate.get("Status"),
        "failure_reason": certificate.get("FailureReason"),
        "validation_records": records,
    }


def distribution_view(distribution: dict[str, Any] | None) -> dict[str, Any] | None:
    if distribution is None:
        return None
    viewer = distribution.get("ViewerCertificate", {}) or {}
    return {
        "id": distribution["Id"],
        "arn": distribution.get("ARN"),
        "domain_name": distribution["DomainName"],
        "status": distribution["Status"],
        "aliases": (distribution.get("Aliases", {}) or {}).get("Items", []) or [],
        "certificate_arn": viewer.get("ACMCertificateArn"),
        "default_certificate": not viewer.get("ACMCertificateArn") and not viewer.get("IAMCertificateId"),
    }


def certificate_verdict(
    certificate: dict[str, Any] | None, domain: str, zone_name: str | None = None
) -> tuple[str, str]:
    """(state, cause) of the certificate: ``issued``, ``pending`` (may still come) or ``failed`` (will not)."""
    if certificate is None:
        return (
            "failed",
            (
                f"no ACM certificate for *.{domain} in us-east-1 (the apply with enable_custom_domain=true did not"
                " request one)"
            ),
        )
    status = certificate["status"]
    if status == "ISSUED":
        return "issued", f"certificate {certificate['arn']} is ISSUED"
    if status in CERTIFICATE_DEAD:
        reason = f" ({certificate['failure_reason']})" if certificate.get("failure_reason") else ""
        return "failed", f"certificate {certificate['arn']} is {status}{reason}: request a new one (apply again)"
    missing = [r for r in certificate["validation_records"] if not r["in_zone"]]
    if missing:
        where = ", ".join(
            f"{r['name']} CNAME {r['value']} (zone {r['zone'] or zone_name or 'none found'}"
            f"{'' if r['zone'] else ' not in this account'})"
            for r in missing
        )
        return "pending", f"the certificate's validation CNAME is not in the zone: {where}"
    if not certificate["validation_records"]:
        return "pending", "ACM has not published the validation records yet"
    return (
        "pending",
        (
            f"certificate {certificate['arn']} is {status} although its validation CNAMEs are in the zone: "
            f"the delegation of {domain} has not propagated, so ACM cannot resolve them yet"
        ),
    )


def read_edge(
    acm: Any,
    cloudfront: Any,
    route53: Any,
    domain: str,
    comment: str,
    certificate_arn: str | None = None,
    distribution_id: str | None = None,
    zone: str | None = None,
) -> dict[str, Any]:
    """One read of the environment's edge, with the verdicts the role waits on.

    ``zone`` is the hosted zone that holds the validation CNAMEs (prod: the root zone, no zone of its own).
    """
    distribution = distribution_view(find_distribution(cloudfront, comment, distribution_id))
    if not certificate_arn and distribution and not distribution["default_certificate"]:
        certificate_arn = distribution["certificate_arn"]
    raw = find_certificate(acm, domain, certificate_arn)
    records = validation_records(raw, route53, list_zones(route53), zone) if raw else []
    certificate = certificate_view(raw, records)
    cert_state, cert_cause = certificate_verdict(certificate, domain, zone)
    if distribution is None:
        cdn_state, cdn_cause = "missing", f"no CloudFront distribution with comment {comment} (apply the stack)"
    elif distribution["status"] == "Deployed":
        cdn_state, cdn_cause = "deployed", f"distribution {distribution['id']} is Deployed"
    else:
        cdn_state, cdn_cause = "in_progress", DEPLOYMENT_NOTE.format(id=distribution["id"])
    return {
        "certificate": certificate,
        "certificate_state": cert_state,
        "certificate_cause": cert_cause,
        "distribution": distribution,
        "distribution_state": cdn_state,
        "distribution_cause": cdn_cause,
        "cloudfront_url": f"https://{distribution['domain_name']}" if distribution else None,
    }
