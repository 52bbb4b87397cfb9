# The alarms contract, asserted from a plan (terraform test; no AWS call is made): every alarm notifies its
# environment's topic, the CloudFront alarm its us-east-1 topic, OK notifications only where alarm_notify_ok
# says so, topics encrypted with their keys, and one dashboard. Values are examples, not any real environment.

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
  target = data.aws_region.cloudfront
  values = {
    region = "us-east-1"
  }
}

override_resource {
  target          = aws_sns_topic.alarms
  override_during = plan
  values = {
    arn = "arn:aws:sns:xx-test-1:000000000000:bbws-dev-alarms"
  }
}

override_resource {
  target          = aws_sns_topic.alarms_cloudfront
  override_during = plan
  values = {
    arn = "arn:aws:sns:us-east-1:000000000000:bbws-dev-alarms-us-east-1"
  }
}

override_resource {
  target          = aws_kms_key.alarms
  override_during = plan
  values = {
    arn = "arn:aws:kms:xx-test-1:000000000000:key/alarms"
  }
}

override_resource {
  target          = aws_kms_key.alarms_cloudfront
  override_during = plan
  values = {
    arn = "arn:aws:kms:us-east-1:000000000000:key/alarms"
  }
}

# Ids known at plan time, so the dashboard's body is known and its shape can be read.
override_resource {
  target          = aws_nat_gateway.this
  override_during = plan
  values = {
    id = "nat-test"
  }
}

override_resource {
  target          = aws_efs_file_system.this
  override_during = plan
  values = {
    id = "fs-test"
  }
}

override_resource {
  target          = aws_lb.this
  override_during = plan
  values = {
    arn_suffix = "app/bbws-dev-alb/test"
  }
}

override_resource {
  target          = aws_cloudfront_distribution.this
  override_during = plan
  values = {
    id = "ETEST"
  }
}

override_resource {
  target          = aws_cloudwatch_metric_alarm.this
  override_during = plan
  values = {
    arn = "arn:aws:cloudwatch:xx-test-1:000000000000:alarm:test"
  }
}

override_resource {
  target          = aws_cloudwatch_metric_alarm.ecs
  override_during = plan
  values = {
    arn = "arn:aws:cloudwatch:xx-test-1:000000000000:alarm:test-ecs"
  }
}

override_resource {
  target          = aws_cloudwatch_metric_alarm.alb_unhealthy_hosts
  override_during = plan
  values = {
    arn = "arn:aws:cloudwatch:xx-test-1:000000000000:alarm:test-alb"
  }
}

variables {
  environment                  = "dev"
  project                      = "bbws"
  aws_region                   = "xx-test-1"
  expected_account_id          = "000000000000"
  domain                       = "wp.example.com"
  root_domain                  = "example.com"
  root_zone_mode               = "create"
  enable_custom_domain         = false
  vpc_cidr                     = "10.97.0.0/16"
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
  enable_flow_logs             = false
  enable_vpc_endpoints         = false
  enable_route53_health_check  = false
  alarm_email_endpoints        = []
  alarm_notify_ok              = false
  alarm_thresholds = {
    rds_cpu_percent                   = 90
    rds_free_storage_bytes            = 2147483648
    rds_freeable_memory_bytes         = 67108864
    rds_connections_percent           = 90
    alb_5xx_count                     = 50
    alb_target_5xx_count              = 100
    alb_unhealthy_hosts               = 2
    alb_target_response_time_seconds  = 5
    ecs_cpu_percent                   = 90
    ecs_memory_percent                = 90
    efs_percent_io_limit              = 95
    efs_burst_credit_balance_bytes    = 10737418240
    nat_port_allocation_errors        = 10
    nat_packets_dropped               = 1000
    cloudfront_5xx_error_rate_percent = 10
  }
}

run "every_alarm_has_an_action" {
  command = plan

  # Every alarm of the stack: the three regional resources and the CloudFront one (output alarm_names lists them all).
  assert {
    condition     = length(output.alarm_names) == length(aws_cloudwatch_metric_alarm.this) + length(aws_cloudwatch_metric_alarm.ecs) + 2
    error_message = "alarm_names must list every alarm of the stack."
  }

  assert {
    condition = alltrue([
      for alarm in concat(values(aws_cloudwatch_metric_alarm.this), values(aws_cloudwatch_metric_alarm.ecs), [aws_cloudwatch_metric_alarm.alb_unhealthy_hosts]) :
      toset(alarm.alarm_actions) == toset([aws_sns_topic.alarms.arn]) && alarm.actions_enabled != false
    ])
    error_message = "Every alarm in the environment's region must notify the environment's alarm topic."
  }

  assert {
    condition     = toset(aws_cloudwatch_metric_alarm.cloudfront_5xx_error_rate[0].alarm_actions) == toset([aws_sns_topic.alarms_cloudfront.arn])
    error_message = "The CloudFront alarm must notify the us-east-1 alarm topic."
  }

  assert {
    condition = alltrue([
      for alarm in concat(values(aws_cloudwatch_metric_alarm.this), values(aws_cloudwatch_metric_alarm.ecs), [aws_cloudwatch_metric_alarm.alb_unhealthy_hosts, aws_cloudwatch_metric_alarm.cloudfront_5xx_error_rate[0]]) :
      length(alarm.ok_actions) == 0
    ])
    error_message = "Without alarm_notify_ok no alarm notifies on OK."
  }

  # One NAT gateway: one alarm per NAT metric.
  assert {
    condition     = length([for key in keys(aws_cloudwatch_metric_alarm.this) : key if startswith(key, "nat_")]) == 2
    error_message = "A single NAT gateway must have one port-allocation and one dropped-packets alarm."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["rds_connections_percent"].threshold == 76
    error_message = "The connections alarm must fire at 90% of RDS's max_connections for db.t3.micro (85): 76."
  }
}

run "topics_are_encrypted_and_the_dashboard_exists" {
  command = plan

  assert {
    condition = (
      aws_sns_topic.alarms.name == "bbws-dev-alarms" && aws_sns_topic.alarms.kms_master_key_id == aws_kms_key.alarms.arn &&
      aws_sns_topic.alarms_cloudfront.name == "bbws-dev-alarms-us-east-1" &&
      aws_sns_topic.alarms_cloudfront.kms_master_key_id == aws_kms_key.alarms_cloudfront.arn
    )
    error_message = "Both alarm topics must be encrypted with their region's alarm key and named <project>-<environment>-alarms[-us-east-1]."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.alarms_email) == 0 && length(aws_sns_topic_subscription.alarms_cloudfront_email) == 0
    error_message = "No e-mail endpoints, no subscriptions."
  }

  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "bbws-dev"
    error_message = "The dashboard must be named <project>-<environment>."
  }

  # Every metric of every graph is an array (namespace, name, dimensions..., options) or one expression object in an
  # array; the alarm widget lists the region's alarms; CloudFront is read from us-east-1.
  assert {
    condition = alltrue(flatten([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : [
        for metric in try(widget.properties.metrics, []) : can(metric[0]) && (can(tostring(metric[0])) || can(metric[0].expression))
      ]
    ]))
    error_message = "Every dashboard metric must be an array."
  }

  assert {
    condition = length([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : widget
      if widget.type == "alarm" && length(widget.properties.alarms) == length(aws_cloudwatch_metric_alarm.this) + length(aws_cloudwatch_metric_alarm.ecs) + 1
    ]) == 1
    error_message = "The dashboard's alarm widget must show every alarm of the region."
  }

  assert {
    condition = [
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : widget.properties.region
      if can(regex("^NAT gateways", widget.properties.title)) || can(regex("^CloudFront", widget.properties.title))
    ] == ["xx-test-1", "us-east-1"]
    error_message = "NAT graphs are read in the environment's region, CloudFront's in us-east-1."
  }

  assert {
    condition = length([
      for widget in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : widget
      if can(regex("^NAT gateways", widget.properties.title)) && length(try(widget.properties.metrics, [])) == 2
    ]) == 1
    error_message = "The NAT graph must hold two metrics per NAT gateway."
  }
}

run "prod_notifies_on_ok_and_per_nat_gateway" {
  command = plan

  variables {
    environment           = "prod"
    nat_gateway_per_az    = true
    alarm_notify_ok       = true
    alarm_email_endpoints = ["oncall@example.com"]
  }

  assert {
    condition = alltrue([
      for alarm in concat(values(aws_cloudwatch_metric_alarm.this), values(aws_cloudwatch_metric_alarm.ecs), [aws_cloudwatch_metric_alarm.alb_unhealthy_hosts, aws_cloudwatch_metric_alarm.cloudfront_5xx_error_rate[0]]) :
      length(alarm.alarm_actions) > 0 && toset(alarm.ok_actions) == toset(alarm.alarm_actions)
    ])
    error_message = "With alarm_notify_ok every alarm notifies its topic on OK too."
  }

  assert {
    condition = toset([for key in keys(aws_cloudwatch_metric_alarm.this) : key if startswith(key, "nat_")]) == toset([
      "nat_port_allocation_errors-0", "nat_port_allocation_errors-1", "nat_packets_dropped-0", "nat_packets_dropped-1",
    ])
    error_message = "One NAT gateway per AZ: one alarm per NAT gateway and metric, named <key>-<index>."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.alarms_email) == 1 && length(aws_sns_topic_subscription.alarms_cloudfront_email) == 1
    error_message = "Each e-mail endpoint is subscribed to both alarm topics."
  }
}
