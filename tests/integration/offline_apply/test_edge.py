"""DNS, certificates and CloudFront as Terraform applies them into the emulator: the zone, the distribution on
CloudFront's default certificate without the custom domain, and with it the certificates validated through their
records and the distribution on the ACM certificate with the aliases; second plans with nothing to do, drift found
and repaired, destroy leaving nothing, and the bounded waits failing with a clear message."""

from __future__ import annotations

import json
from typing import Any
from typing import Iterator

import pytest
from offline_support import session
from emulated_stack import Stack
from emulator import Emulator
from inventory import host_vars

DISTRIBUTION = "aws_cloudfront_distribution.this[0]"  # absent in a DR standby (dr_role), hence the index
VALIDATION_RECORD = 'aws_route53_record.acm_validation["cloudfront *.wpsit.kimmyai.io"]'
BEHAVIOUR_PATHS = [
    "/healthz",
    "/wp-admin/*",
    "/wp-login.php",
    "/wp-json/*",
    "/wp-cron.php",
    "/xmlrpc.php",
    "/*.php",
    "/wp-content/*",
    "/wp-includes/*",
]


def _distribution(stack: Stack) -> tuple[Any, dict[str, Any]]:
    cloudfront = session(stack, "us-east-1").client("cloudfront")
    items = cloudfront.list_distributions()["DistributionList"].get("Items", [])
    [summary] = [d for d in items if d["Comment"] == f"bbws-{stack.environment}"]
    return cloudfront, summary


def _zone(stack: Stack, name: str) -> tuple[Any, str]:
    route53 = session(stack).client("route53")
    zones = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == f"{name}."]
    assert len(zones) == 1, zones
    return route53, zones[0]["Id"].rsplit("/", 1)[-1]


# -- without the custom domain (dev, the module's applied stack) ---------------------------------------------


def test_the_zone_is_in_the_environments_account_with_its_tags(applied: Stack) -> None:
    route53, zone_id = _zone(applied, "wpdev.kimmyai.io")
    tags = route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)["ResourceTagSet"]["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}.items() >= {"Name": "wpdev.kimmyai.io", "Environment": "dev"}.items()
    outputs = applied.outputs()
    assert outputs["route53_zone_id"] == zone_id
    zone = route53.get_hosted_zone(Id=zone_id)
    assert outputs["route53_nameservers"] == zone["DelegationSet"]["NameServers"]


def test_without_the_custom_domain_cloudfront_uses_its_default_certificate(applied: Stack) -> None:
    cloudfront, summary = _distribution(applied)
    outputs = applied.outputs()
    assert outputs["cloudfront_distribution_id"] == summary["Id"]
    assert outputs["cloudfront_domain_name"] == summary["DomainName"]
    assert outputs["cloudfront_hosted_zone_id"] == "Z2FDTNDATAQYW2"
    assert outputs["cloudfront_status"] == summary["Status"] == "Deployed"
    assert outputs.get("acm_certificate_arn") is None
    viewer = summary["ViewerCertificate"]
    assert viewer["CloudFrontDefaultCertificate"] is True and not viewer.get("ACMCertificateArn")
    assert summary["Aliases"]["Quantity"] == 0
    config = cloudfront.get_distribution_config(Id=summary["Id"])["DistributionConfig"]
    [origin] = config["Origins"]["Items"]
    assert (origin["Id"], origin["CustomOriginConfig"]["OriginProtocolPolicy"]) == ("bbws-dev-alb", "http-only")
    assert [b["PathPattern"] for b in config["CacheBehaviors"]["Items"]] == BEHAVIOUR_PATHS
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["Logging"]["Enabled"] is True and config["Logging"]["Prefix"] == "cloudfront/"
    tags = cloudfront.list_tags_for_resource(Resource=summary["ARN"])["Tags"]["Items"]
    assert {t["Key"]: t["Value"] for t in tags}.items() >= {"Name": "bbws-dev", "Environment": "dev"}.items()
    # No certificate is requested without the custom domain.
    assert session(applied, "us-east-1").client("acm").list_certificates()["CertificateSummaryList"] == []


def test_a_distribution_changed_behind_terraforms_back_is_drift_and_apply_restores_it(applied: Stack) -> None:
    cloudfront, summary = _distribution(applied)
    current = cloudfront.get_distribution_config(Id=summary["Id"])
    config = current["DistributionConfig"]
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "allow-all"
    cloudfront.update_distribution(Id=summary["Id"], IfMatch=current["ETag"], DistributionConfig=config)

    drift = applied.plan(f"-target={DISTRIBUTION}")
    assert drift.returncode == 2
    assert f"{DISTRIBUTION} will be updated in-place" in drift.stdout
    assert '"allow-all" -> "redirect-to-https"' in drift.stdout

    applied.apply(f"-target={DISTRIBUTION}")
    config = cloudfront.get_distribution_config(Id=summary["Id"])["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert applied.plan(f"-target={DISTRIBUTION}").returncode == 0


# -- with the custom domain (sit, its own stack: applied, drifted, destroyed) ---------------------------------


class HealthCheckedStack(Stack):
    """A stack with the Route53 health check on (as prod has it), so the check is applied too."""

    def tfvars(self) -> dict[str, Any]:
        return {**super().tfvars(), "enable_route53_health_check": True}


@pytest.fixture(scope="module")
def custom(applied: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """sit with the custom domain on, applied beside dev (the emulator's environment is the module's)."""
    stack = HealthCheckedStack("sit", tmp_path_factory.mktemp("stack") / "sit", custom_domain=True)
    stack.apply()
    yield stack


def test_with_the_custom_domain_the_certificates_are_validated_through_their_records(custom: Stack) -> None:
    outputs = custom.outputs()
    route53, zone_id = _zone(custom, "wpsit.kimmyai.io")
    records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    by_name = {(r["Name"].rstrip("."), r["Type"]): r for r in records}
    for region, arn in (
        ("us-east-1", outputs["acm_certificate_arn"]),
        ("af-south-1", outputs["acm_regional_certificate_arn"]),
    ):
        certificate = session(custom, region).client("acm").describe_certificate(CertificateArn=arn)["Certificate"]
        assert (certificate["DomainName"], certificate["Status"]) == ("*.wpsit.kimmyai.io", "ISSUED")
        for option in certificate["DomainValidationOptions"]:
            wanted = option["ResourceRecord"]
            record = by_name[(wanted["Name"].rstrip("."), wanted["Type"])]
            assert [v["Value"] for v in record["ResourceRecords"]] == [wanted["Value"]] and record["TTL"] == 300
    assert outputs["acm_certificate_status"] == "ISSUED"
    # origin.<domain> is an alias of the ALB in the same zone.
    assert by_name[("origin.wpsit.kimmyai.io", "A")]["AliasTarget"]["EvaluateTargetHealth"] is True


def test_with_the_custom_domain_cloudfront_uses_the_acm_certificate_and_the_aliases(custom: Stack) -> None:
    outputs = custom.outputs()
    cloudfront, summary = _distribution(custom)
    viewer = summary["ViewerCertificate"]
    assert viewer["ACMCertificateArn"] == outputs["acm_certificate_arn"]
    assert viewer["CloudFrontDefaultCertificate"] is False
    assert (viewer["SSLSupportMethod"], viewer["MinimumProtocolVersion"]) == ("sni-only", "TLSv1.2_2021")
    assert summary["Aliases"]["Items"] == ["*.wpsit.kimmyai.io"] == outputs["cloudfront_alternate_domain_names"]
    [origin] = summary["Origins"]["Items"]
    assert (origin["DomainName"], origin["CustomOriginConfig"]["OriginProtocolPolicy"]) == (
        "origin.wpsit.kimmyai.io",
        "https-only",
    )
    # The health check probes the distribution's domain over HTTPS on the health path.
    route53 = session(custom).client("route53")
    check = route53.get_health_check(HealthCheckId=outputs["route53_health_check_id"])["HealthCheck"]
    config = check["HealthCheckConfig"]
    assert (config["Type"], config["FullyQualifiedDomainName"], config["ResourcePath"]) == (
        "HTTPS",
        summary["DomainName"],
        "/healthz",
    )


def test_with_the_custom_domain_a_second_plan_has_nothing_to_do(custom: Stack) -> None:
    assert custom.plan().returncode == 0


def test_a_validation_record_deleted_behind_terraforms_back_is_created_again(custom: Stack) -> None:
    route53, zone_id = _zone(custom, "wpsit.kimmyai.io")
    [record] = [
        r for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"] if r["Type"] == "CNAME"
    ]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]}
    )

    drift = custom.plan(f"-target={VALIDATION_RECORD}")
    assert drift.returncode == 2
    assert f"{VALIDATION_RECORD} will be created" in drift.stdout

    custom.apply(f"-target={VALIDATION_RECORD}")
    cnames = [
        r for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"] if r["Type"] == "CNAME"
    ]
    assert [r["ResourceRecords"] for r in cnames] == [record["ResourceRecords"]]
    assert custom.plan(f"-target={VALIDATION_RECORD}").returncode == 0


def test_a_health_check_changed_behind_terraforms_back_is_drift_and_apply_restores_it(custom: Stack) -> None:
    route53 = session(custom).client("route53")
    check_id = custom.outputs()["route53_health_check_id"]
    route53.update_health_check(HealthCheckId=check_id, ResourcePath="/elsewhere")
    target = "-target=aws_route53_health_check.this[0]"
    drift = custom.plan(target)
    assert drift.returncode == 2 and '"/elsewhere" -> "/healthz"' in drift.stdout
    custom.apply(target)
    assert (
        route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]["ResourcePath"]
        == "/healthz"
    )


def test_the_zone_and_a_record_are_imported_by_their_ids(custom: Stack) -> None:
    _route53, zone_id = _zone(custom, "wpsit.kimmyai.io")
    record = "aws_route53_record.origin[0]"
    custom.terraform("state", "rm", "aws_route53_zone.this[0]", record)
    custom.terraform("import", "-input=false", "aws_route53_zone.this[0]", zone_id)
    custom.terraform("import", "-input=false", record, f"{zone_id}_origin.wpsit.kimmyai.io_A")
    assert custom.plan("-target=aws_route53_zone.this[0]", f"-target={record}").returncode == 0


def test_turning_the_custom_domain_off_puts_cloudfront_back_on_its_default_certificate(custom: Stack) -> None:
    custom.custom_domain = False
    try:
        custom.apply()
        _cloudfront, summary = _distribution(custom)
        assert summary["ViewerCertificate"]["CloudFrontDefaultCertificate"] is True
        assert not summary["ViewerCertificate"].get("ACMCertificateArn") and summary["Aliases"]["Quantity"] == 0
        for region in ("us-east-1", "af-south-1"):
            assert session(custom, region).client("acm").list_certificates()["CertificateSummaryList"] == []
        route53, zone_id = _zone(custom, "wpsit.kimmyai.io")
        kinds = {r["Type"] for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]}
        assert kinds == {"NS", "SOA"}
    finally:
        custom.custom_domain = True


def test_destroy_removes_the_zone_certificates_distribution_and_health_check(applied: Stack, custom: Stack) -> None:
    custom.destroy()
    route53 = session(custom).client("route53")
    assert [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "wpsit.kimmyai.io."] == []
    assert route53.list_health_checks()["HealthChecks"] == []
    for region in ("us-east-1", "af-south-1"):
        assert session(custom, region).client("acm").list_certificates()["CertificateSummaryList"] == []
    items = session(custom, "us-east-1").client("cloudfront").list_distributions()["DistributionList"].get("Items", [])
    assert [d for d in items if d["Comment"] == "bbws-sit"] == []
    # dev's edge, in its own account, is untouched.
    assert _distribution(applied)[1]["Status"] == "Deployed"
    _zone(applied, "wpdev.kimmyai.io")


# -- the bounded waits, against an emulator that keeps certificates pending -----------------------------------


@pytest.fixture(scope="module")
def pending(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    """A second emulator (own port, own PID) where certificates stay PENDING_VALIDATION for 10 minutes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_ACM_VALIDATION_WAIT", "600")
        emulator = Emulator(tmp_path_factory.mktemp("pending"), die_with_owner=True).start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def edge_api(pending: Emulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The offline provider's clients for dev's account in us-east-1, on the pending emulator."""
    import offline_aws

    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    for key, value in pending.env().items():
        monkeypatch.setenv(key, value)
    api = offline_aws.api_for(host_vars("dev")["bbws_aws_profile"], "us-east-1", None)
    api.account = api.client("sts").get_caller_identity()["Account"]
    return api


def test_certificate_validation_times_out_with_a_clear_message(edge_api: Any) -> None:
    from offline_aws import ApplyError
    from offline_aws.edge import Certificate
    from offline_aws.edge import CertificateValidation

    planned = {"domain_name": "*.pending.example", "validation_method": "DNS", "tags_all": {"Name": "pending"}}
    planned["domain_validation_options"] = [{"domain_name": "*.pending.example"}]
    certificate = Certificate().create(edge_api, planned)
    assert certificate["status"] == "PENDING_VALIDATION"
    [option] = certificate["domain_validation_options"]
    assert option["resource_record_name"].endswith(".pending.example.") and option["resource_record_type"] == "CNAME"

    validation = CertificateValidation()
    with pytest.raises(ApplyError, match="missing .* DNS validation record"):
        validation.create(edge_api, {"certificate_arn": certificate["arn"], "validation_record_fqdns": ["x.example"]})
    fqdns = [option["resource_record_name"].rstrip(".")]
    with pytest.raises(ApplyError) as raised:
        validation.create(
            edge_api,
            {"certificate_arn": certificate["arn"], "validation_record_fqdns": fqdns, "timeouts": {"create": "1s"}},
        )
    assert "to be issued: timeout after 1s (still PENDING_VALIDATION)" in raised.value.summary
    # Not issued: the validation reads as gone, so the next plan waits again.
    assert validation.read(edge_api, {"certificate_arn": certificate["arn"], "id": "x"}) is None


def test_a_distribution_still_deploying_at_the_timeout_fails_the_apply_and_stays_in_the_state(
    edge_api: Any, pending: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from offline_aws import ApplyError
    from offline_aws import edge
    from offline_aws.edge import Distribution

    # The distribution has no timeouts block (the real provider waits up to 70 minutes): a shorter bound here.
    monkeypatch.setattr(edge, "POLLS", 4)

    hold = {"model_name": "cloudfront::distribution", "transition": {"progression": "manual", "times": 1_000_000}}
    pending.api("state-manager/set-transition", hold)
    planned = {
        "enabled": True,
        "comment": "held",
        "origin": [
            {
                "origin_id": "o",
                "domain_name": "origin.example",
                "custom_origin_config": [
                    {
                        "http_port": 80,
                        "https_port": 443,
                        "origin_protocol_policy": "http-only",
                        "origin_ssl_protocols": ["TLSv1.2"],
                    }
                ],
            }
        ],
        "default_cache_behavior": [
            {
                "target_origin_id": "o",
                "viewer_protocol_policy": "allow-all",
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
            }
        ],
        "restrictions": [{"geo_restriction": [{"restriction_type": "none"}]}],
        "viewer_certificate": [{"cloudfront_default_certificate": True}],
        "tags_all": {"Name": "held"},
    }
    try:
        with pytest.raises(ApplyError) as raised:
            Distribution().create(edge_api, planned)
    finally:
        pending.api("state-manager/unset-transition", {"model_name": "cloudfront::distribution"})
    assert "deploy: timeout" in raised.value.summary and "still InProgress" in raised.value.summary
    # The distribution exists: its values go into the state (tainted), not lost.
    computed = raised.value.computed
    assert computed["status"] == "InProgress" and computed["hosted_zone_id"] == "Z2FDTNDATAQYW2"
    ids = [d["Id"] for d in edge_api.client("cloudfront").list_distributions()["DistributionList"]["Items"]]
    assert computed["id"] in ids
    json.dumps(computed)  # plain values only
