"""custom_domain module_utils: the one decision on an environment's custom domain, and the delegation verdict."""

from __future__ import annotations

import pytest

from ansible_collections.bbws.ecs_cluster.plugins.module_utils.custom_domain import decide
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.custom_domain import delegation_verdict
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.custom_domain import normalize_mode
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.custom_domain import parse_record
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.custom_domain import serves

DOMAIN = "wpdev.kimmyai.io"
LIVE = {"Aliases": {"Items": [f"*.{DOMAIN}", DOMAIN]}, "ViewerCertificate": {"ACMCertificateArn": "arn:cert"}}
VERIFIED = {"state": "verified", "cause": "kimmyai.io delegates it"}
NOT_VERIFIED = {"state": "not_verified", "cause": "no NS records"}


@pytest.mark.parametrize(
    "value, mode", [(True, "on"), ("True", "on"), ("yes", "on"), (False, "off"), ("Off", "off"), ("auto", "auto")]
)
def test_yaml_booleans_are_on_and_off(value, mode):
    assert normalize_mode(value) == mode


@pytest.mark.parametrize("mode", ["maybe", "", "onn"])
def test_an_unknown_mode_is_refused_naming_the_choices(mode):
    with pytest.raises(ValueError, match="bbws_custom_domain must be one of on, off, auto"):
        decide(mode, DOMAIN, live=False)


def test_live_means_an_alias_with_an_issued_certificate():
    assert serves(LIVE, DOMAIN, "ISSUED")
    assert not serves(LIVE, DOMAIN, "PENDING_VALIDATION")
    assert not serves({"Aliases": {"Items": ["other.example.com"]}}, DOMAIN, "ISSUED")
    assert not serves(None, DOMAIN, "ISSUED") and not serves(LIVE, "", "ISSUED")


@pytest.mark.parametrize(
    "mode, live, record, owns_zone, delegation, enabled, source",
    [
        ("on", False, None, False, NOT_VERIFIED, True, "inventory"),
        ("off", True, None, True, VERIFIED, False, "inventory"),
        ("auto", True, {"state": "fallback", "cause": "timeout"}, False, VERIFIED, False, "fallback_record"),
        ("auto", True, None, False, NOT_VERIFIED, True, "live"),
        ("auto", False, None, True, None, True, "own_zone"),
        ("auto", False, None, False, VERIFIED, True, "delegation"),
        ("auto", False, None, False, NOT_VERIFIED, False, "delegation"),
        ("auto", False, None, False, None, False, "unknown"),
    ],
)
def test_the_decision_and_its_order(mode, live, record, owns_zone, delegation, enabled, source):
    decision = decide(mode, DOMAIN, live, record, owns_zone, delegation, "ssm:/bbws/dev/custom-domain")
    assert (decision["enabled"], decision["source"]) == (enabled, source)
    assert "None" not in decision["cause"]


def test_off_on_a_live_domain_says_the_plan_removes_it_and_a_fallback_says_how_to_retry():
    assert "this plan removes it" in decide("off", DOMAIN, live=True)["cause"]
    held = decide(
        "auto",
        DOMAIN,
        True,
        {"state": "fallback", "cause": "timeout", "at": "2026-11-30T10:00:00Z"},
        record_location="ssm:/bbws/dev/custom-domain",
    )["cause"]
    assert (
        "since 2026-11-30T10:00:00Z" in held
        and "bbws_custom_domain=on" in held
        and "ssm:/bbws/dev/custom-domain" in held
    )


@pytest.mark.parametrize(
    "text, state",
    [
        (None, None),
        ("", None),
        ("not json", "unreadable"),
        ('{"state": "maybe"}', "unreadable"),
        ('{"state": "enabled"}', "enabled"),
    ],
)
def test_a_record_that_does_not_parse_is_not_trusted(text, state):
    record = parse_record(text)
    assert (record or {}).get("state") == state


@pytest.mark.parametrize(
    "action, written, verify, status, verdict",
    [
        ("unchanged", False, False, None, "verified"),
        ("created", False, False, None, "not_verified"),  # a read-only check: the records are still missing
        ("created", True, False, None, "verified"),  # the dns phase wrote them
        ("unchanged", False, True, "propagating", "not_verified"),
        ("unchanged", False, True, "delegated", "verified"),
    ],
)
def test_the_delegation_verdict(action, written, verify, status, verdict):
    entry = {
        "zone": DOMAIN,
        "action": action,
        "nameservers": ["ns-1.example"],
        **({"verification": {"status": status, "message": "not yet"}} if status else {}),
    }
    result = delegation_verdict(entry, verify, "kimmyai.io", written)
    assert result["state"] == verdict and result["zone"] == DOMAIN
