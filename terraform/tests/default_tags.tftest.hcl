# Default tags, asserted from a plan with the stack's own providers: tags_all is computed by the provider
# from default_tags, so this file needs a provider that plans (the repository's tests run it over the
# offline hashicorp/aws stand-in; with the real provider it needs credentials of expected_account_id).
# Values are examples, not any real environment.

variables {
  environment                  = "sit"
  project                      = "bbws"
  aws_region                   = "af-south-1"
  expected_account_id          = "000000000000"
  domain                       = "wp.example.com"
  root_domain                  = "example.com"
  root_zone_mode               = "create"
  enable_custom_domain         = true
  vpc_cidr                     = "10.98.0.0/16"
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
  tags = { CostCentre = "platform" }
}

run "every_resource_carries_the_default_tags" {
  command = plan

  # One resource per provider and per kind of tagging path (tags set, tags unset, the us-east-1 provider).
  assert {
    condition = alltrue([
      for tags in [
        aws_vpc.this.tags_all,
        aws_db_instance.this[0].tags_all,
        aws_efs_file_system.this.tags_all,
        aws_lb.this.tags_all,
        aws_ecs_cluster.this.tags_all,
        aws_acm_certificate.cloudfront[0].tags_all,
        aws_cloudfront_distribution.this[0].tags_all,
        aws_cloudwatch_metric_alarm.cloudfront_5xx_error_rate[0].tags_all,
        aws_sns_topic.alarms.tags_all,
      ] :
      tags["Environment"] == "sit" && tags["Project"] == "bbws" && tags["ManagedBy"] == "terraform" && tags["CostCentre"] == "platform"
    ])
    error_message = "Every resource must carry Environment, Project, ManagedBy and the inventory's extra tags."
  }
}
