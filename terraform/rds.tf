################################################################################
# RDS MySQL 8.0/8.4 (master password generated and rotated by RDS in Secrets Manager)
################################################################################

locals {
  # Performance Insights is not offered on the smallest burstable classes.
  performance_insights_unsupported = ["db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small"]
  performance_insights_enabled     = var.rds_performance_insights && !contains(local.performance_insights_unsupported, var.rds_instance_class)

  # "8.4" or "8.4.7" -> "8.4": the parameter group family (mysql8.4) follows the engine's major version.
  rds_major_version = join(".", slice(split(".", var.rds_engine_version), 0, 2))
  rds_family        = "mysql${local.rds_major_version}"

  rds_parameters = merge(
    {
      character_set_server     = "utf8mb4"
      collation_server         = "utf8mb4_unicode_ci"
      character_set_client     = "utf8mb4"
      character_set_connection = "utf8mb4"
      character_set_results    = "utf8mb4"
      require_secure_transport = "1"
      slow_query_log           = "1"
      long_query_time          = "2"
      log_output               = "FILE"
    },
    # Without a value RDS's formula sizes max_connections from the class's memory.
    var.rds_max_connections == null ? {} : { max_connections = tostring(var.rds_max_connections) },
  )
}

resource "aws_db_subnet_group" "this" {
  name        = "${local.name}-db"
  description = "${local.name} RDS in the private subnets"
  subnet_ids  = aws_subnet.private[*].id

  tags = { Name = "${local.name}-db" }
}

# A new family or description replaces the group: create_before_destroy needs a generated name, since the
# new group exists next to the old one until the instance has moved to it.
resource "aws_db_parameter_group" "this" {
  name_prefix = "${local.name}-${replace(local.rds_family, ".", "")}-"
  family      = local.rds_family
  description = "${local.name} MySQL ${local.rds_major_version}: utf8mb4, TLS only, slow query log"

  dynamic "parameter" {
    for_each = local.rds_parameters

    content {
      name  = parameter.key
      value = parameter.value
    }
  }

  tags = { Name = "${local.name}-${replace(local.rds_family, ".", "")}" }

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  count = var.rds_monitoring_interval > 0 ? 1 : 0

  name               = "${local.global_name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json

  tags = { Name = "${local.global_name}-rds-monitoring" }
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  count = var.rds_monitoring_interval > 0 ? 1 : 0

  role       = aws_iam_role.rds_monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# The primary instance; a DR standby has the read replica below instead.
resource "aws_db_instance" "this" {
  count = local.dr_standby ? 0 : 1

  identifier     = "${local.name}-mysql"
  engine         = "mysql"
  engine_version = var.rds_engine_version
  instance_class = var.rds_instance_class

  # Chosen per environment in the inventory, so RDS never enrols the instance in paid Extended Support
  # (or upgrades it) by its own default. A major version change in the inventory is applied as an
  # in-place upgrade; the plan/apply role snapshots the instance before any change to it.
  engine_lifecycle_support    = var.rds_engine_lifecycle_support
  allow_major_version_upgrade = true

  allocated_storage     = var.rds_allocated_storage
  max_allocated_storage = var.rds_allocated_storage * 2
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  username                      = var.rds_master_username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = aws_kms_key.this.arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.rds.id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  multi_az               = var.rds_multi_az

  backup_retention_period   = var.rds_backup_retention_days
  backup_window             = var.rds_backup_window
  maintenance_window        = var.rds_maintenance_window
  copy_tags_to_snapshot     = true
  deletion_protection       = var.rds_deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.name}-mysql-final-${formatdate("YYYYMMDDhhmmss", terraform_data.rds_final_snapshot_suffix.output)}"

  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["error", "slowquery"]

  performance_insights_enabled          = local.performance_insights_enabled
  performance_insights_kms_key_id       = local.performance_insights_enabled ? aws_kms_key.this.arn : null
  performance_insights_retention_period = local.performance_insights_enabled ? 7 : null

  monitoring_interval = var.rds_monitoring_interval
  monitoring_role_arn = var.rds_monitoring_interval > 0 ? aws_iam_role.rds_monitoring[0].arn : null

  tags = { Name = "${local.name}-mysql" }

  depends_on = [aws_cloudwatch_log_group.rds]
}

moved {
  from = aws_db_instance.this
  to   = aws_db_instance.this[0]
}

# DR standby: a cross-region read replica of the primary's instance, encrypted with this region's key. It has no
# master user or secret of its own (the replica carries the primary's users; the primary's secret is
# var.dr_source_db_secret_arn), and engine and version follow the source. Promotion makes it a standalone instance.
resource "aws_db_instance" "replica" {
  count = local.dr_standby ? 1 : 0

  identifier          = "${local.name}-mysql"
  replicate_source_db = local.dr_source_db_arn
  instance_class      = var.rds_instance_class

  max_allocated_storage = var.rds_allocated_storage * 2
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.rds.id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  multi_az               = var.rds_multi_az

  # Automated backups on the replica, so a promoted standby has point-in-time recovery from its first hour.
  backup_retention_period = var.rds_backup_retention_days
  backup_window           = var.rds_backup_window
  maintenance_window      = var.rds_maintenance_window
  copy_tags_to_snapshot   = true
  deletion_protection     = var.rds_deletion_protection
  # RDS takes no final snapshot of a read replica; the primary holds the data.
  skip_final_snapshot = true

  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["error", "slowquery"]

  performance_insights_enabled          = local.performance_insights_enabled
  performance_insights_kms_key_id       = local.performance_insights_enabled ? aws_kms_key.this.arn : null
  performance_insights_retention_period = local.performance_insights_enabled ? 7 : null

  monitoring_interval = var.rds_monitoring_interval
  monitoring_role_arn = var.rds_monitoring_interval > 0 ? aws_iam_role.rds_monitoring[0].arn : null

  tags = { Name = "${local.name}-mysql" }

  depends_on = [aws_cloudwatch_log_group.rds]
}

locals {
  # The stack's database: the primary instance, or the standby's replica (monitoring, outputs, the init task).
  db = local.dr_standby ? aws_db_instance.replica[0] : aws_db_instance.this[0]

  # The master secret the init task reads: the instance's own, or in a standby the primary's (cross-region, by ARN).
  db_master = {
    master_user_secret = local.dr_standby ? [{ secret_arn = var.dr_source_db_secret_arn }] : [
      for secret in aws_db_instance.this[0].master_user_secret : { secret_arn = secret.secret_arn }
    ]
  }
}

# The final snapshot's name carries the time this stack's instance was first planned, so a destroy after a
# rebuild never collides with the snapshot the previous destroy left behind.
resource "terraform_data" "rds_final_snapshot_suffix" {
  input = plantimestamp()

  lifecycle {
    ignore_changes = [input]
  }
}

# Created before the instance so RDS writes into log groups with our retention and key.
resource "aws_cloudwatch_log_group" "rds" {
  # checkov:skip=CKV_AWS_338:Retention comes from the inventory per environment (7/14/30 days in the environment sizing); a one-year floor would contradict it.
  for_each = toset(["error", "slowquery"])

  name              = "/aws/rds/instance/${local.name}-mysql/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn

  tags = { Name = "${local.name}-mysql-${each.key}" }
}
