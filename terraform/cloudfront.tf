################################################################################
# CloudFront in front of the ALB (per environment, in the environment's account)
################################################################################

locals {
  cloudfront_aliases = var.enable_custom_domain ? ["*.${var.domain}"] : []

  # With the regional certificate the origin is origin.<domain> over HTTPS (the name matches the
  # certificate); without it CloudFront reaches the ALB's own DNS name over HTTP.
  origin_domain   = var.enable_custom_domain ? "origin.${var.domain}" : aws_lb.this.dns_name
  origin_protocol = var.enable_custom_domain ? "https-only" : "http-only"
  origin_id       = "${local.name}-alb"

  # DR primary: the standby's ALB is the secondary origin, origin-<dr_region>.<domain> with the custom domain (the
  # standby's record, covered by its *.<domain> certificate), else its ALB's DNS name. The default and the static
  # behaviours target the origin group, which retries a request there on the failover codes or when the primary
  # cannot be reached.
  dr_origin_id       = "${local.name}-alb-${coalesce(var.dr_region, var.aws_region)}"
  dr_origin_domain   = var.enable_custom_domain ? "origin-${coalesce(var.dr_region, var.aws_region)}.${var.domain}" : var.dr_alb_dns_name
  origin_group_id    = "${local.name}-failover"
  cloudfront_targets = local.dr_primary ? local.origin_group_id : local.origin_id

  # CloudFront refuses an origin group behind a behaviour that allows PUT, POST, PATCH or DELETE (it fails over
  # only GET, HEAD and OPTIONS): with the group, the default behaviour serves those three, and writes reach the
  # primary through the uncached behaviours (/*.php, /wp-json/*, /wp-admin/*), which target it directly, as does
  # the health path (the Route53 health check must see the primary, not the failover).
  default_allowed_methods = local.dr_primary ? ["GET", "HEAD", "OPTIONS"] : ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
}

data "aws_cloudfront_cache_policy" "disabled" {
  name = "Managed-CachingDisabled"
}

data "aws_cloudfront_origin_request_policy" "all_viewer" {
  name = "Managed-AllViewer"
}

# Pages: cached only when WordPress (or a cache plugin) sends Cache-Control; the key holds the Host
# (one distribution serves every tenant), cookies (logged-in users differ) and query strings.
resource "aws_cloudfront_cache_policy" "pages" {
  name        = "${local.global_name}-wordpress-pages"
  comment     = "${local.name}: WordPress pages, origin decides"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = 86400

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    headers_config {
      header_behavior = "whitelist"

      headers {
        items = ["Host"]
      }
    }

    cookies_config {
      cookie_behavior = "all"
    }

    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

# Static assets: cached for a day per tenant host, no cookies (versioned with ?ver=).
resource "aws_cloudfront_cache_policy" "static" {
  name        = "${local.global_name}-wordpress-static"
  comment     = "${local.name}: wp-content and wp-includes assets"
  min_ttl     = 0
  default_ttl = 86400
  max_ttl     = 31536000

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = true
    enable_accept_encoding_gzip   = true

    headers_config {
      header_behavior = "whitelist"

      headers {
        items = ["Host"]
      }
    }

    cookies_config {
      cookie_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "all"
    }
  }
}

resource "aws_cloudfront_response_headers_policy" "security" {
  name    = "${local.global_name}-security-headers"
  comment = "${local.name}: HSTS and browser hardening headers"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "SAMEORIGIN"
      override     = false
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = false
    }
  }
}

locals {
  # wp-admin and the login page are never cached and get every header and cookie.
  uncached_paths = ["/wp-admin/*", "/wp-login.php", "/wp-json/*", "/wp-cron.php", "/xmlrpc.php", "/*.php"]
  static_paths   = ["/wp-content/*", "/wp-includes/*"]
}

# A DR standby has no distribution of its own: the primary's distribution fails over to it. Its cache and headers
# policies and log bucket stay (region-aware names), so the addresses of the stack without DR are unchanged.
resource "aws_cloudfront_distribution" "this" {
  # checkov:skip=CKV_AWS_68:No WAF web ACL in this stack: WAF (cost and rule ownership) is a security-platform decision outside this cluster stack's scope.
  # checkov:skip=CKV2_AWS_47:Same as CKV_AWS_68 (the Log4j rule set lives in a WAF web ACL).
  # checkov:skip=CKV_AWS_310:Without DR there is a single origin (the ALB, itself multi-AZ); with dr_role primary the origin group fails over to the standby's ALB.
  # checkov:skip=CKV_AWS_305:Every request is forwarded to WordPress, which serves "/" itself; a default root object applies to S3-style origins.
  # checkov:skip=CKV_AWS_174:With enable_custom_domain the ACM certificate uses TLSv1.2_2021; before that CloudFront's default certificate is used and its protocol floor cannot be raised.
  # checkov:skip=CKV_AWS_374:Tenant WordPress sites are public for every country; no business rule restricts viewers by geography.
  # checkov:skip=CKV2_AWS_46:The only origin is the ALB (a custom origin); origin access control applies to S3 origins, and the log bucket is not an origin.
  # checkov:skip=CKV2_AWS_42:A custom certificate is used once enable_custom_domain is true; until the delegation is verified the default certificate is the documented fallback.
  count = local.dr_standby ? 0 : 1

  enabled         = true
  is_ipv6_enabled = true
  comment         = local.name
  price_class     = var.cloudfront_price_class
  aliases         = local.cloudfront_aliases
  http_version    = "http2and3"

  origin {
    origin_id   = local.origin_id
    domain_name = local.origin_domain

    custom_origin_config {
      http_port                = 80
      https_port               = 443
      origin_protocol_policy   = local.origin_protocol
      origin_ssl_protocols     = ["TLSv1.2"]
      origin_read_timeout      = 60
      origin_keepalive_timeout = 5
    }
  }

  dynamic "origin" {
    for_each = local.dr_primary ? [local.dr_origin_domain] : []

    content {
      origin_id   = local.dr_origin_id
      domain_name = origin.value

      custom_origin_config {
        http_port                = 80
        https_port               = 443
        origin_protocol_policy   = local.origin_protocol
        origin_ssl_protocols     = ["TLSv1.2"]
        origin_read_timeout      = 60
        origin_keepalive_timeout = 5
      }
    }
  }

  dynamic "origin_group" {
    for_each = local.dr_primary ? [local.origin_group_id] : []

    content {
      origin_id = origin_group.value

      failover_criteria {
        status_codes = var.dr_failover_status_codes
      }

      member {
        origin_id = local.origin_id
      }

      member {
        origin_id = local.dr_origin_id
      }
    }
  }

  default_cache_behavior {
    target_origin_id           = local.cloudfront_targets
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = local.default_allowed_methods
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = aws_cloudfront_cache_policy.pages.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  # The health path goes to the origin with the origin's own Host, so it answers for any viewer host.
  ordered_cache_behavior {
    path_pattern               = var.health_check_path
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.disabled.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
  }

  # CloudFront takes the first behaviour whose pattern matches, so PHP (including plugin and theme
  # scripts under /wp-content/ and /wp-includes/) must be matched before the static-asset patterns:
  # otherwise a POST to a plugin's PHP file is refused and its GETs are cached without cookies.
  dynamic "ordered_cache_behavior" {
    for_each = local.uncached_paths

    content {
      path_pattern               = ordered_cache_behavior.value
      target_origin_id           = local.origin_id
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = data.aws_cloudfront_cache_policy.disabled.id
      origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer.id
      response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    }
  }

  dynamic "ordered_cache_behavior" {
    for_each = local.static_paths

    content {
      path_pattern               = ordered_cache_behavior.value
      target_origin_id           = local.cloudfront_targets
      viewer_protocol_policy     = "redirect-to-https"
      allowed_methods            = ["GET", "HEAD", "OPTIONS"]
      cached_methods             = ["GET", "HEAD"]
      compress                   = true
      cache_policy_id            = aws_cloudfront_cache_policy.static.id
      response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id
    }
  }

  logging_config {
    bucket          = aws_s3_bucket.cloudfront_logs.bucket_domain_name
    prefix          = "cloudfront/"
    include_cookies = false
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !var.enable_custom_domain
    acm_certificate_arn            = var.enable_custom_domain ? aws_acm_certificate_validation.cloudfront[0].certificate_arn : null
    ssl_support_method             = var.enable_custom_domain ? "sni-only" : null
    minimum_protocol_version       = var.enable_custom_domain ? "TLSv1.2_2021" : "TLSv1"
  }

  tags = { Name = local.name }

  # With the custom domain the origin is origin.<domain> over HTTPS: the distribution deploys only after
  # that record and the HTTPS listener (with its health rule) answer, so edges never cache a failed lookup
  # or a refused connection. Without the custom domain these have no instances and add no wait.
  depends_on = [
    aws_s3_bucket_ownership_controls.cloudfront_logs,
    aws_route53_record.origin,
    aws_lb_listener.https,
    aws_lb_listener_rule.health_https,
  ]
}

moved {
  from = aws_cloudfront_distribution.this
  to   = aws_cloudfront_distribution.this[0]
}

################################################################################
# CloudFront standard logs (us-east-1: not delivered to buckets in opt-in regions like af-south-1)
################################################################################

resource "aws_s3_bucket" "cloudfront_logs" {
  # checkov:skip=CKV_AWS_144:Access logs are diagnostic data kept for the retention below; cross-region replication would double cost for no recovery need.
  # checkov:skip=CKV_AWS_18:This bucket holds access logs; logging its own access would need another log bucket without adding an audit trail anyone reads.
  # checkov:skip=CKV_AWS_145:SSE-S3 instead of SSE-KMS: a CMK here would have to live in us-east-1 and grant the log delivery service; the logs hold no secrets (cookies excluded).
  # checkov:skip=CKV2_AWS_62:No consumer subscribes to new log objects; notifications would go nowhere.
  provider = aws.us_east_1

  bucket        = "${local.global_name}-cloudfront-logs-${var.expected_account_id}"
  force_destroy = local.log_buckets_force_destroy

  tags = { Name = "${local.global_name}-cloudfront-logs" }
}

# CloudFront standard logging writes through an ACL grant to its log delivery account, so ACLs stay on.
resource "aws_s3_bucket_ownership_controls" "cloudfront_logs" {
  # checkov:skip=CKV2_AWS_65:CloudFront standard logging requires ACLs (BucketOwnerPreferred); BucketOwnerEnforced would stop log delivery.
  provider = aws.us_east_1

  bucket = aws_s3_bucket.cloudfront_logs.id

  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_public_access_block" "cloudfront_logs" {
  provider = aws.us_east_1

  bucket                  = aws_s3_bucket.cloudfront_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "cloudfront_logs" {
  provider = aws.us_east_1

  bucket = aws_s3_bucket.cloudfront_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "cloudfront_logs" {
  provider = aws.us_east_1

  bucket = aws_s3_bucket.cloudfront_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "cloudfront_logs" {
  provider = aws.us_east_1

  bucket = aws_s3_bucket.cloudfront_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "cloudfront_logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.cloudfront_logs.arn, "${aws_s3_bucket.cloudfront_logs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "cloudfront_logs" {
  provider = aws.us_east_1

  bucket = aws_s3_bucket.cloudfront_logs.id
  policy = data.aws_iam_policy_document.cloudfront_logs.json

  depends_on = [aws_s3_bucket_public_access_block.cloudfront_logs]
}
