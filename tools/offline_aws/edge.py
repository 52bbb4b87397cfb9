"""DNS, certificates and the CDN in the emulator: Route53, ACM, CloudFront."""

from __future__ import annotations

from offline_aws import state_only

# Not emulated yet: kept in Terraform's state only.
PENDING = "not yet held by the emulator"

state_only("aws_route53_zone", PENDING)
state_only("aws_route53_record", PENDING)
state_only("aws_route53_health_check", PENDING)
state_only("aws_acm_certificate", PENDING)
state_only("aws_acm_certificate_validation", PENDING)
state_only("aws_cloudfront_distribution", PENDING)
state_only("aws_cloudfront_cache_policy", PENDING)
state_only("aws_cloudfront_response_headers_policy", PENDING)
