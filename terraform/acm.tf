################################################################################
# ACM: one wildcard certificate in us-east-1 for CloudFront, one in the region for the ALB origin
# (only with enable_custom_domain, i.e. once the zone's delegation is verified)
################################################################################

resource "aws_acm_certificate" "cloudfront" {
  # checkov:skip=CKV2_AWS_71:Every tenant is a subdomain of the environment's domain; one wildcard certificate covers them.
  # Only for a distribution of this stack's own (not in a DR standby).
  count    = var.enable_custom_domain && !local.dr_standby ? 1 : 0
  provider = aws.us_east_1

  domain_name       = "*.${var.domain}"
  validation_method = "DNS"

  tags = { Name = "${local.name}-cloudfront" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_acm_certificate" "regional" {
  # checkov:skip=CKV2_AWS_71:Every tenant is a subdomain of the environment's domain; one wildcard certificate covers them.
  count = var.enable_custom_domain ? 1 : 0

  domain_name       = "*.${var.domain}"
  validation_method = "DNS"

  tags = { Name = "${local.name}-alb" }

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  # Both certificates cover the same name and ACM gives them the same validation CNAME; keyed by
  # certificate so each validation waits for its own record, with allow_overwrite for the shared one.
  # The domain names are known at plan time and the record values only after apply: try() would make
  # the whole map unknown (and for_each fail), so the splat over the counted certificate is used.
  acm_validation_records = merge(
    { for dvo in flatten(aws_acm_certificate.cloudfront[*].domain_validation_options) : "cloudfront ${dvo.domain_name}" => dvo },
    { for dvo in flatten(aws_acm_certificate.regional[*].domain_validation_options) : "regional ${dvo.domain_name}" => dvo },
  )
}

resource "aws_route53_record" "acm_validation" {
  for_each = local.acm_validation_records

  zone_id         = local.zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "cloudfront" {
  count    = var.enable_custom_domain && !local.dr_standby ? 1 : 0
  provider = aws.us_east_1

  certificate_arn         = aws_acm_certificate.cloudfront[0].arn
  validation_record_fqdns = [for key, record in aws_route53_record.acm_validation : record.fqdn if startswith(key, "cloudfront ")]

  # DNS validation can legitimately take longer than 10 minutes; the apply waits as long as the
  # provider's default (45 minutes) and the edge role's bounded wait decides the fallback.
  timeouts {
    create = "45m"
  }
}

resource "aws_acm_certificate_validation" "regional" {
  count = var.enable_custom_domain ? 1 : 0

  certificate_arn         = aws_acm_certificate.regional[0].arn
  validation_record_fqdns = [for key, record in aws_route53_record.acm_validation : record.fqdn if startswith(key, "regional ")]

  # DNS validation can legitimately take longer than 10 minutes; the apply waits as long as the
  # provider's default (45 minutes) and the edge role's bounded wait decides the fallback.
  timeouts {
    create = "45m"
  }
}
