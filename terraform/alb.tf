################################################################################
# Application Load Balancer (tenant target groups and host rules come from the tenant layer)
################################################################################

resource "aws_lb" "this" {
  # checkov:skip=CKV2_AWS_28:No WAF on the ALB: it is reached through CloudFront, where a web ACL belongs; a per-account WAF is a security-platform decision outside this stack.
  # checkov:skip=CKV2_AWS_76:Same as CKV2_AWS_28 (WAF rule sets for Log4j belong to the edge web ACL).
  # checkov:skip=CKV2_AWS_20:Port 80 is CloudFront's origin protocol until enable_custom_domain gives the ALB a certificate; a redirect would break CloudFront. Viewers always get HTTPS at CloudFront.
  # checkov:skip=CKV_AWS_91:Access logs are behind enable_alb_access_logs (off by default to save S3 cost in dev/sit); the dynamic access_logs block turns them on.
  name                       = "${local.name}-alb"
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.public[*].id
  idle_timeout               = var.alb_idle_timeout
  enable_deletion_protection = var.alb_deletion_protection
  drop_invalid_header_fields = true
  enable_http2               = true

  dynamic "access_logs" {
    for_each = var.enable_alb_access_logs ? [aws_s3_bucket.alb_logs[0].id] : []

    content {
      bucket  = access_logs.value
      prefix  = "alb"
      enabled = true
    }
  }

  tags = { Name = "${local.name}-alb" }

  depends_on = [aws_s3_bucket_policy.alb_logs]
}

# The default: requests for hosts no tenant rule matches get a plain 404.
locals {
  alb_default_response = {
    content_type = "text/plain"
    message_body = "No site is configured for this host."
    status_code  = "404"
  }
}

resource "aws_lb_listener" "http" {
  # checkov:skip=CKV_AWS_2:HTTP is CloudFront's origin protocol until enable_custom_domain gives the ALB a certificate; viewers always get HTTPS at CloudFront.
  # checkov:skip=CKV_AWS_103:No TLS on this listener (plain HTTP origin, see CKV_AWS_2); the HTTPS listener uses a TLS 1.2+ policy.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = local.alb_default_response.content_type
      message_body = local.alb_default_response.message_body
      status_code  = local.alb_default_response.status_code
    }
  }

  tags = { Name = "${local.name}-http" }
}

resource "aws_lb_listener" "https" {
  count = var.enable_custom_domain ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.regional[0].certificate_arn

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = local.alb_default_response.content_type
      message_body = local.alb_default_response.message_body
      status_code  = local.alb_default_response.status_code
    }
  }

  tags = { Name = "${local.name}-https" }
}

# Answers the health path for every host at the lowest precedence, below any tenant rule.
resource "aws_lb_listener_rule" "health_http" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 50000

  action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "ok"
      status_code  = "200"
    }
  }

  condition {
    path_pattern {
      values = [var.health_check_path]
    }
  }

  tags = { Name = "${local.name}-health-http" }
}

resource "aws_lb_listener_rule" "health_https" {
  count = var.enable_custom_domain ? 1 : 0

  listener_arn = aws_lb_listener.https[0].arn
  priority     = 50000

  action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "ok"
      status_code  = "200"
    }
  }

  condition {
    path_pattern {
      values = [var.health_check_path]
    }
  }

  tags = { Name = "${local.name}-health-https" }
}

################################################################################
# Optional ALB access logs (ALB log delivery supports SSE-S3 only)
################################################################################

locals {
  # Regions opened before August 2022 have a regional Elastic Load Balancing account that the bucket
  # policy names; regions opened since accept only the log delivery service principal (and the
  # provider's account map does not know them).
  elb_account_regions      = ["af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ca-central-1", "cn-north-1", "cn-northwest-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2"]
  alb_logs_use_elb_account = var.enable_alb_access_logs && contains(local.elb_account_regions, var.aws_region)
}

# Read only when access logs are on in a region that has a regional ELB account.
data "aws_elb_service_account" "this" {
  count = local.alb_logs_use_elb_account ? 1 : 0
}

resource "aws_s3_bucket" "alb_logs" {
  # checkov:skip=CKV_AWS_144:Access logs are diagnostic data kept for the retention below; cross-region replication would double cost for no recovery need.
  # checkov:skip=CKV_AWS_18:This bucket holds access logs; logging its own access would need another log bucket without adding an audit trail anyone reads.
  # checkov:skip=CKV_AWS_145:ALB access log delivery supports only SSE-S3 (AES256), not SSE-KMS.
  # checkov:skip=CKV2_AWS_62:No consumer subscribes to new log objects; notifications would go nowhere.
  count = var.enable_alb_access_logs ? 1 : 0

  bucket        = "${local.name}-alb-logs-${var.expected_account_id}"
  force_destroy = local.log_buckets_force_destroy

  tags = { Name = "${local.name}-alb-logs" }
}

resource "aws_s3_bucket_public_access_block" "alb_logs" {
  count = var.enable_alb_access_logs ? 1 : 0

  bucket                  = aws_s3_bucket.alb_logs[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "alb_logs" {
  count = var.enable_alb_access_logs ? 1 : 0

  bucket = aws_s3_bucket.alb_logs[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "alb_logs" {
  count = var.enable_alb_access_logs ? 1 : 0

  bucket = aws_s3_bucket.alb_logs[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "alb_logs" {
  count = var.enable_alb_access_logs ? 1 : 0

  bucket = aws_s3_bucket.alb_logs[0].id

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

data "aws_iam_policy_document" "alb_logs" {
  count = var.enable_alb_access_logs ? 1 : 0

  statement {
    sid       = "ElbLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.alb_logs[0].arn}/alb/AWSLogs/${var.expected_account_id}/*"]

    principals {
      type        = local.alb_logs_use_elb_account ? "AWS" : "Service"
      identifiers = local.alb_logs_use_elb_account ? data.aws_elb_service_account.this[*].arn : ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.alb_logs[0].arn, "${aws_s3_bucket.alb_logs[0].arn}/*"]

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

resource "aws_s3_bucket_policy" "alb_logs" {
  count = var.enable_alb_access_logs ? 1 : 0

  bucket = aws_s3_bucket.alb_logs[0].id
  policy = data.aws_iam_policy_document.alb_logs[0].json

  depends_on = [aws_s3_bucket_public_access_block.alb_logs]
}
