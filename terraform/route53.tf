################################################################################
# Route53: the zone this environment's records live in
#
# dev/sit (root_zone_mode = "none"): the stack creates wp<env>.<root_domain>; prod writes the NS
# delegation to it from the child account's name servers (the delegation module, not terraform).
# prod (root_zone_mode = "create"/"adopt"): the account owns <root_domain>; wp.<root_domain> is kept
# in that zone (no separate zone, no delegation needed).
################################################################################

locals {
  owns_root_zone = var.root_zone_mode != "none"
  zone_name      = local.owns_root_zone ? var.root_domain : var.domain

  zone_id      = var.root_zone_mode == "adopt" ? data.aws_route53_zone.root[0].zone_id : aws_route53_zone.this[0].zone_id
  name_servers = var.root_zone_mode == "adopt" ? data.aws_route53_zone.root[0].name_servers : aws_route53_zone.this[0].name_servers
}

resource "aws_route53_zone" "this" {
  # checkov:skip=CKV2_AWS_38:DNSSEC signing needs a DS record in the parent zone of another account (and at the registrar for the root); the cross-account delegation handshake writes only NS records today.
  # checkov:skip=CKV2_AWS_39:Query logging for public zones needs a log group and resource policy in us-east-1; not part of this stack's monitoring set, CloudFront and ALB logs cover tenant traffic.
  count = var.root_zone_mode == "adopt" ? 0 : 1

  name          = local.zone_name
  comment       = "${local.name}: ${local.zone_name}"
  force_destroy = false

  tags = { Name = local.zone_name }
}

data "aws_route53_zone" "root" {
  count = var.root_zone_mode == "adopt" ? 1 : 0

  name         = var.root_domain
  private_zone = false
}

locals {
  # A DR standby shares the zone with the primary: its origin is origin-<region>.<domain>, the primary's secondary.
  origin_host = local.dr_standby ? "origin-${var.aws_region}.${var.domain}" : "origin.${var.domain}"
}

# Origin name that matches the ALB's certificate, so CloudFront can talk HTTPS to it.
resource "aws_route53_record" "origin" {
  count = var.enable_custom_domain ? 1 : 0

  zone_id = local.zone_id
  name    = local.origin_host
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_health_check" "this" {
  # A DR standby has no distribution to probe.
  count = var.enable_route53_health_check && !local.dr_standby ? 1 : 0

  type              = "HTTPS"
  fqdn              = aws_cloudfront_distribution.this[0].domain_name
  port              = 443
  resource_path     = var.health_check_path
  failure_threshold = 3
  request_interval  = 30
  measure_latency   = true

  tags = { Name = "${local.name}-cloudfront" }
}
