################################################################################
# Disaster recovery: a warm standby of this stack in a second region of the same account (var.dr_role)
#
# primary: EFS replicates to dr_region, encrypted there with the key below; CloudFront's origin group fails over
#          to the standby's ALB (cloudfront.tf).
# standby: RDS is a cross-region read replica of the primary's instance (rds.tf), EFS is the replication's
#          destination (efs.tf), names global in the account carry the region (local.global_name), and there is
#          no CloudFront distribution. This stack defines no ECS services (tenants' services come from the tenant
#          layer, which runs them at desired count 0 in a standby until failover).
#
# Resources in dr_region take the provider's per-resource `region` argument (hashicorp/aws 6): the primary needs
# no second provider configuration for the standby's region.
################################################################################

locals {
  # The standby's source: the primary's instance, by ARN (RDS requires the ARN for a cross-region replica).
  dr_source_db_arn = local.dr_standby ? coalesce(
    var.dr_source_db_arn,
    "arn:${data.aws_partition.current.partition}:rds:${coalesce(var.dr_primary_region, var.aws_region)}:${var.expected_account_id}:db:${local.name}-mysql",
  ) : null
}

#### Primary: the key that encrypts the replicas in the DR region

data "aws_iam_policy_document" "dr_kms" {
  # checkov:skip=CKV_AWS_109:The account root statement is the standard key policy that lets IAM policies grant key use; without it the key becomes unmanageable.
  # checkov:skip=CKV_AWS_111:Same account root statement; resource "*" in a key policy means this key only.
  # checkov:skip=CKV_AWS_356:Resource "*" in a key policy refers to the key itself.
  count = local.dr_primary ? 1 : 0

  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${var.expected_account_id}:root"]
    }
  }
}

resource "aws_kms_key" "dr" {
  count  = local.dr_primary ? 1 : 0
  region = var.dr_region

  description             = "${local.name} replicas in ${var.dr_region} (EFS replication)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.dr_kms[0].json

  tags = { Name = "${local.name}-dr-${var.dr_region}" }
}

resource "aws_kms_alias" "dr" {
  count  = local.dr_primary ? 1 : 0
  region = var.dr_region

  name          = "alias/${local.name}-dr"
  target_key_id = aws_kms_key.dr[0].key_id
}

#### Primary: EFS replication to the DR region

# The destination is the standby's file system when its id is known (dr_efs_file_system_id; the standby turns
# replication overwrite protection off for it), else EFS creates a read-only destination file system in
# dr_region, encrypted with the key above.
resource "aws_efs_replication_configuration" "dr" {
  count = local.dr_primary ? 1 : 0

  source_file_system_id = aws_efs_file_system.this.id

  destination {
    region         = var.dr_region
    file_system_id = var.dr_efs_file_system_id
    kms_key_id     = var.dr_efs_file_system_id == null ? aws_kms_key.dr[0].arn : null
  }
}
