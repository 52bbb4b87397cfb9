################################################################################
# Disaster recovery: a warm standby of this stack in a second region of the same account (var.dr_role)
#
# primary: CloudFront's origin group fails over to the standby's ALB (cloudfront.tf). The primary owns nothing in
#          dr_region and does not depend on the standby: it is built first.
# standby: RDS is a cross-region read replica of the primary's instance (rds.tf) and EFS replicates the primary's
#          file system into this stack's own (below; the destination's protection is in efs.tf): both replicas
#          are encrypted with this stack's key in its region (aws_kms_key.this). Names global in the account carry
#          the region (local.global_name), and there is no CloudFront distribution. This stack defines no ECS
#          services (tenants' services come from the tenant layer, which runs them at desired count 0 in a
#          standby until failover).
#
# The standby's resources in the primary's region take the provider's per-resource `region` argument
# (hashicorp/aws 6): no second provider configuration.
################################################################################

locals {
  # The standby's source: the primary's instance, by ARN (RDS requires the ARN for a cross-region replica).
  dr_source_db_arn = local.dr_standby ? coalesce(
    var.dr_source_db_arn,
    "arn:${data.aws_partition.current.partition}:rds:${coalesce(var.dr_primary_region, var.aws_region)}:${var.expected_account_id}:db:${local.name}-mysql",
  ) : null
}

#### Standby: EFS replication from the primary's file system into this stack's

# A replication configuration belongs to its source file system, so it lives in the primary's region; the standby
# owns it because only the standby knows both file systems (the primary is built before it). The destination is
# this stack's file system, which keeps its own KMS key (aws_kms_key.this) and is read-only while replicated.
# Deleting the configuration (failover) makes it writable.
resource "aws_efs_replication_configuration" "dr" {
  count  = local.dr_standby ? 1 : 0
  region = var.dr_primary_region

  source_file_system_id = var.dr_source_efs_id

  destination {
    region         = var.aws_region
    file_system_id = aws_efs_file_system.this.id
  }
}
