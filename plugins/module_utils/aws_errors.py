# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn the ways an AWS call fails into one clear sentence that says what to do.

Every module of the collection reports credential, connection, throttling and quota failures the
same way, so the operator reads the same advice whichever phase stopped.
"""

from __future__ import annotations

import os

try:
    import botocore.exceptions
    import botocore.session
except ImportError:  # reported by AnsibleAWSModule
    pass

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "RequestExpired"}
DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
LIMIT_CODES = {"LimitExceeded", "LimitExceededException", "ServiceQuotaExceededException", "TooManyHostedZones"}
QUOTAS_URL = "https://console.aws.amazon.com/servicequotas/home"


def config_file_hint() -> str:
    return os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"


def missing_profile_message(profile: str | None) -> str | None:
    """None when the profile exists (or none is named); otherwise a message naming the config file."""
    if not profile:
        return None
    available = botocore.session.Session().available_profiles
    if profile in available:
        return None
    return (
        f"AWS profile {profile!r} is not configured (looked in {config_file_hint()}; "
        f"profiles there: {', '.join(sorted(available)) or 'none'}). "
        f"Add it with: aws configure --profile {profile}"
    )


KEY_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "EC2_ACCESS_KEY")


def ambient_keys_message(profile: str | None, params: dict) -> str | None:
    """None unless a profile is named while access keys also come from elsewhere (the environment or options).

    botocore would refuse the pair without saying where the keys come from; say it, and how to fix it.
    """
    if not profile:
        return None
    exported = [name for name in KEY_VARIABLES if os.environ.get(name)]
    if exported:
        return (
            f"Both profile {profile!r} and access keys exported in the environment ({', '.join(exported)}) are set, so"
            f" it is not clear which account to use. Unset the keys (unset {' '.join(exported)} AWS_SECRET_ACCESS_KEY"
            " AWS_SESSION_TOKEN) to use the profile, or drop the profile. Nothing was touched."
        )
    if params.get("access_key"):
        return f"Both profile {profile!r} and the access_key option are set; give one of them. Nothing was touched."
    return None


def error_code(error: Exception) -> str:
    """The error code, for messages; which errors to handle is decided with amazon.aws's is_boto3_error_code."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def has_code(error: Exception, codes: set[str]) -> bool:
    return isinstance(error, is_boto3_error_code(list(codes), e=error))


def connection_failure_message(
    error: Exception, profile: str | None = None, action: str = "call AWS", with_error: bool = True
) -> str:
    """One sentence for a failed AWS call: what failed and the next step for the operator.

    ``with_error=False`` leaves AWS's own words out, for ``fail_json_aws``, which adds them after the message."""
    who = f" with profile {profile}" if profile else ""
    code = error_code(error)
    told = f": {error}" if with_error else ""
    if isinstance(error, (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        endpoint = getattr(error, "kwargs", {}).get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL") or "AWS"
        return (
            f"Could not {action}{who}: no answer from {endpoint} after retries. "
            "Check the network, proxy settings and AWS_ENDPOINT_URL, then re-run."
        )
    if isinstance(error, botocore.exceptions.ProfileNotFound):
        return missing_profile_message(profile) or str(error)
    if isinstance(error, (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError)):
        return f"Could not {action}{who}: no AWS credentials were found. Configure the profile or export credentials."
    if has_code(error, EXPIRED_CODES):
        return (
            f"Could not {action}{who}: the credentials are expired or invalid ({code}). "
            "Refresh them (for SSO: aws sso login) and re-run."
        )
    if has_code(error, DENIED_CODES):
        return f"Could not {action}{who}: access denied ({code}). The role needs permission for this call{told}"
    if has_code(error, LIMIT_CODES):
        return limit_message(error, action, with_error)
    return f"Could not {action}{who}{told}"


def limit_message(error: Exception, action: str = "call AWS", with_error: bool = True) -> str:
    """An AWS quota was hit: never retried, the operator must ask for more."""
    told = f": {error}" if with_error else ""
    return (
        f"Could not {action}: an AWS service limit was reached ({error_code(error) or 'LimitExceeded'}){told}. "
        f"This is not retried. Free capacity or request a quota increase at {QUOTAS_URL}"
        + ("." if with_error else "")
    )
