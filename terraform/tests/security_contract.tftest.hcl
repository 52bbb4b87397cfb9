# The stack's security contract, asserted from a plan (terraform test; no AWS call is made).
#
# mock_provider stands in for AWS; the security groups and the KMS key get distinct ids at plan time
# (override_resource), so the graph is compared by identity. Values are examples, not any real environment.

mock_provider "aws" {
  override_during = plan
}

mock_provider "aws" {
  alias           = "us_east_1"
  override_during = plan
}

override_data {
  target = data.aws_availability_zones.available
  values = {
    names = ["xx-test-1a", "xx-test-1b"]
  }
}

override_data {
  target = data.aws_partition.current
  values = {
    partition = "aws"
  }
}

override_data {
  target = data.aws_iam_policy_document.kms
  values = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

override_resource {
  target          = aws_security_group.alb
  override_during = plan
  values = {
    id = "sg-alb"
  }
}

override_resource {
  target          = aws_security_group.ecs
  override_during = plan
  values = {
    id = "sg-ecs"
  }
}

override_resource {
  target          = aws_security_group.rds
  override_during = plan
  values = {
    id = "sg-rds"
  }
}

override_resource {
  target          = aws_security_group.efs
  override_during = plan
  values = {
    id = "sg-efs"
  }
}

override_resource {
  target          = aws_kms_key.this
  override_during = plan
  values = {
    arn = "arn:aws:kms:af-south-1:000000000000:key/stack"
  }
}

variables {
  environment                  = "dev"
  project                      = "bbws"
  aws_region                   = "af-south-1"
  expected_account_id          = "000000000000"
  domain                       = "wp.example.com"
  root_domain                  = "example.com"
  root_zone_mode               = "create"
  enable_custom_domain         = false
  vpc_cidr                     = "10.99.0.0/16"
  nat_gateway_per_az           = false
  rds_instance_class           = "db.t3.micro"
  rds_engine_version           = "8.4"
  rds_engine_lifecycle_support = "open-source-rds-extended-support-disabled"
  rds_allocated_storage        = 20
  rds_multi_az                 = false
  rds_backup_retention_days    = 7
  rds_deletion_protection      = false
  rds_performance_insights     = false
  ecs_task_cpu                 = 256
  ecs_task_memory              = 512
  log_retention_days           = 7
  alb_deletion_protection      = false
  enable_flow_logs             = true
  enable_vpc_endpoints         = true
  enable_route53_health_check  = true
  alarm_thresholds = {
    rds_cpu_percent                   = 80
    rds_free_storage_bytes            = 2147483648
    rds_freeable_memory_bytes         = 67108864
    rds_connections_percent           = 80
    alb_5xx_count                     = 10
    alb_target_5xx_count              = 25
    alb_unhealthy_hosts               = 0
    alb_target_response_time_seconds  = 2
    ecs_cpu_percent                   = 80
    ecs_memory_percent                = 80
    efs_percent_io_limit              = 80
    efs_burst_credit_balance_bytes    = 107374182400
    nat_port_allocation_errors        = 0
    nat_packets_dropped               = 100
    cloudfront_5xx_error_rate_percent = 1
  }
}

run "database_is_private_and_encrypted" {
  command = plan

  assert {
    condition     = aws_db_instance.this[0].publicly_accessible == false
    error_message = "The RDS instance must not be publicly accessible."
  }

  assert {
    condition     = aws_db_instance.this[0].storage_encrypted == true && aws_db_instance.this[0].kms_key_id == aws_kms_key.this.arn
    error_message = "The RDS instance must be encrypted with the stack's KMS key."
  }

  assert {
    condition     = toset(aws_db_instance.this[0].vpc_security_group_ids) == toset([aws_security_group.rds.id])
    error_message = "The RDS instance must sit in the RDS security group only."
  }
}

run "file_system_is_encrypted" {
  command = plan

  assert {
    condition     = aws_efs_file_system.this.encrypted == true && aws_efs_file_system.this.kms_key_id == aws_kms_key.this.arn
    error_message = "EFS must be encrypted with the stack's KMS key."
  }
}

run "security_group_paths_are_internet_alb_ecs_data" {
  command = plan

  # Only the ALB is reachable from outside the VPC, on 80 and 443.
  assert {
    condition = alltrue([
      for rule in concat(aws_vpc_security_group_ingress_rule.alb_http, aws_vpc_security_group_ingress_rule.alb_https) :
      rule.security_group_id == aws_security_group.alb.id && rule.referenced_security_group_id == null
    ])
    error_message = "Internet ingress must land on the ALB security group only."
  }

  # ECS accepts traffic from the ALB only; RDS and EFS from ECS only.
  assert {
    condition = (
      aws_vpc_security_group_ingress_rule.ecs_from_alb.security_group_id == aws_security_group.ecs.id &&
      aws_vpc_security_group_ingress_rule.ecs_from_alb.referenced_security_group_id == aws_security_group.alb.id &&
      aws_vpc_security_group_ingress_rule.rds_from_ecs.security_group_id == aws_security_group.rds.id &&
      aws_vpc_security_group_ingress_rule.rds_from_ecs.referenced_security_group_id == aws_security_group.ecs.id &&
      aws_vpc_security_group_ingress_rule.rds_from_ecs.from_port == 3306 &&
      aws_vpc_security_group_ingress_rule.efs_from_ecs.security_group_id == aws_security_group.efs.id &&
      aws_vpc_security_group_ingress_rule.efs_from_ecs.referenced_security_group_id == aws_security_group.ecs.id &&
      aws_vpc_security_group_ingress_rule.efs_from_ecs.from_port == 2049
    )
    error_message = "Security-group paths must be Internet -> ALB -> ECS -> RDS/EFS."
  }

  # Nothing reaches RDS or EFS from a CIDR range: their ingress rules name a security group.
  assert {
    condition = alltrue([
      for rule in [aws_vpc_security_group_ingress_rule.rds_from_ecs, aws_vpc_security_group_ingress_rule.efs_from_ecs] :
      rule.cidr_ipv4 == null && rule.cidr_ipv6 == null && rule.prefix_list_id == null
    ])
    error_message = "RDS and EFS must not accept traffic from an address range."
  }

  # The ALB sends only to ECS, on the container port.
  assert {
    condition = (
      aws_vpc_security_group_egress_rule.alb_to_ecs.referenced_security_group_id == aws_security_group.ecs.id &&
      aws_vpc_security_group_egress_rule.alb_to_ecs.from_port == var.container_port
    )
    error_message = "The ALB's only egress must be to the ECS tasks."
  }
}
