################################################################################
# Providers
################################################################################

locals {
  name = "${var.project}-${var.environment}"

  # Disaster recovery (dr.tf): the standby lives in the same account as the primary, so every name that is global
  # in an account (IAM roles, CloudFront policies, S3 buckets, the dashboard, what lives in us-east-1) carries its
  # region there; without DR and in the primary these names are exactly local.name's.
  dr_primary  = var.dr_role == "primary"
  dr_standby  = var.dr_role == "standby"
  global_name = local.dr_standby ? "${local.name}-${var.aws_region}" : local.name

  # dev and sit are built and destroyed again and again: their log buckets are emptied (every version)
  # on destroy. Production's logs are never deleted with the stack.
  log_buckets_force_destroy = var.environment != "prod"

  common_tags = merge(var.tags, {
    Environment = var.environment
    Project     = var.project
    ManagedBy   = "terraform"
  })
}

provider "aws" {
  region = var.aws_region

  # Second account guard, after the Ansible guard phase: terraform refuses to plan or apply with
  # credentials of any other account.
  allowed_account_ids = [var.expected_account_id]

  default_tags {
    tags = local.common_tags
  }
}

# CloudFront only accepts ACM certificates from us-east-1, and CloudFront standard logs are not
# delivered to buckets in opt-in regions such as af-south-1: both live in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  allowed_account_ids = [var.expected_account_id]

  default_tags {
    tags = local.common_tags
  }
}

data "aws_partition" "current" {}

################################################################################
# Encryption key for logs, RDS, EFS and the RDS master secret
################################################################################

data "aws_iam_policy_document" "kms" {
  # checkov:skip=CKV_AWS_109:The account root statement is the standard key policy that lets IAM policies grant key use; without it the key becomes unmanageable.
  # checkov:skip=CKV_AWS_111:Same account root statement; resource "*" in a key policy means this key only.
  # checkov:skip=CKV_AWS_356:Resource "*" in a key policy refers to the key itself.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${var.expected_account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogs"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.aws_region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${var.aws_region}:${var.expected_account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${local.name} logs, RDS, EFS and secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json

  tags = { Name = local.name }
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}
