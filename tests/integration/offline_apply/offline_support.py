"""Helpers of the offline-apply tests."""

from __future__ import annotations

import boto3
from emulated_stack import Stack


def session(stack: Stack, region: str | None = None) -> boto3.Session:
    """boto3 in the stack's emulated account (its inventory profile)."""
    return boto3.Session(profile_name=stack.facts["bbws_aws_profile"], region_name=region or stack.facts["bbws_region"])
