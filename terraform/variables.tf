################################################################################
# Environment identity (inventory: environments.yml / environment.yml)
################################################################################

variable "environment" {
  description = "Environment name; also the suffix of every resource name (bbws-<environment>-...)."
  type        = string

  validation {
    condition     = contains(["dev", "sit", "prod"], var.environment)
    error_message = "environment must be one of dev, sit, prod."
  }
}

variable "project" {
  description = "Project name; the prefix of every resource name and the Project tag."
  type        = string

  # The project starts every RDS identifier (<project>-<environment>-mysql), and RDS refuses identifiers
  # with two consecutive hyphens or a trailing one.
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.project)) && !strcontains(var.project, "--") && !endswith(var.project, "-")
    error_message = "project must be 2-20 lower-case letters, digits or dashes, starting with a letter, not ending with a dash and without two dashes in a row."
  }
}

variable "aws_region" {
  description = "Region the cluster is built in (the inventory's bbws_region)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name (<area>-<direction>-<number>)."
  }
}

variable "expected_account_id" {
  description = "AWS account ID the credentials must belong to; the provider refuses any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.expected_account_id))
    error_message = "expected_account_id must be a 12-digit AWS account ID (quoted, leading zeros kept)."
  }
}

variable "domain" {
  description = "The environment's domain; tenants get <name>.<domain> (e.g. wpdev.<root_domain>)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain))
    error_message = "domain must be a lower-case DNS name without a trailing dot."
  }
}

variable "root_domain" {
  description = "The parent domain every environment's domain sits under."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.root_domain))
    error_message = "root_domain must be a lower-case DNS name without a trailing dot."
  }
}

variable "root_zone_mode" {
  description = <<-EOT
    How this stack treats the root_domain hosted zone. "none": the stack creates the environment's own
    zone for var.domain (dev, sit: delegated from the parent account). "create" or "adopt": this account
    owns the root zone (prod); the stack creates it or looks the existing one up, and the environment's
    records (wp.<root_domain>) live in it.
  EOT
  type        = string
  default     = "none"
  nullable    = false

  validation {
    condition     = contains(["none", "create", "adopt"], var.root_zone_mode)
    error_message = "root_zone_mode must be one of none, create, adopt."
  }
}

variable "enable_custom_domain" {
  description = "Use ACM certificates and *.<domain> aliases; false (CloudFront default certificate) until delegation is verified."
  type        = bool
  default     = false
  nullable    = false
}

variable "tags" {
  description = "Extra tags for every resource (Environment, Project and ManagedBy are always set)."
  type        = map(string)
  default     = {}
  nullable    = false
}

################################################################################
# Sizing (inventory: sizing.yml, bbws_<name>)
################################################################################

variable "vpc_cidr" {
  description = "VPC CIDR block; public and private subnets are carved from it (/20 each for a /16, /27 for a /23)."
  type        = string

  # Subnets are four bits longer than the VPC, and an ALB needs subnets of at least /27: /23 is the
  # smallest VPC that works.
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(tonumber(split("/", var.vpc_cidr)[1])) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 23, false)
    error_message = "vpc_cidr must be an IPv4 CIDR block with a prefix length from /16 to /23 (subnets are 4 bits longer and an ALB needs /27 or larger)."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (high availability) instead of a single one."
  type        = bool
  nullable    = false
}

variable "rds_instance_class" {
  description = "RDS instance class, e.g. db.t3.micro."
  type        = string

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.rds_instance_class))
    error_message = "rds_instance_class must look like db.t3.micro."
  }
}

variable "rds_allocated_storage" {
  description = "RDS storage in GiB (gp3); autoscaling may grow it to twice this size."
  type        = number

  validation {
    condition     = var.rds_allocated_storage >= 20 && var.rds_allocated_storage <= 32768
    error_message = "rds_allocated_storage must be between 20 and 32768 GiB."
  }
}

variable "rds_multi_az" {
  description = "Run RDS as a Multi-AZ deployment."
  type        = bool
  nullable    = false
}

variable "rds_backup_retention_days" {
  description = "Days RDS keeps automated backups."
  type        = number

  validation {
    condition     = var.rds_backup_retention_days >= 0 && var.rds_backup_retention_days <= 35
    error_message = "rds_backup_retention_days must be between 0 and 35."
  }
}

variable "rds_deletion_protection" {
  description = "Protect the RDS instance from deletion."
  type        = bool
  nullable    = false
}

variable "rds_engine_version" {
  description = "MySQL engine version: a major (8.0 or 8.4, the current LTS) or a pinned minor such as 8.4.7. The parameter group family follows the major."
  type        = string

  validation {
    condition     = can(regex("^8\\.(0|4)(\\.[0-9]+)?$", var.rds_engine_version))
    error_message = "rds_engine_version must be 8.0, 8.4 or one of their minors (8.4.<minor>)."
  }
}

variable "rds_engine_lifecycle_support" {
  description = <<-EOT
    What RDS does once the engine's major version leaves standard support: "open-source-rds-extended-support"
    keeps it running on paid RDS Extended Support; "open-source-rds-extended-support-disabled" lets RDS
    upgrade it to the next major version at the end of standard support (no Extended Support charges).
  EOT
  type        = string

  validation {
    condition     = contains(["open-source-rds-extended-support", "open-source-rds-extended-support-disabled"], var.rds_engine_lifecycle_support)
    error_message = "rds_engine_lifecycle_support must be open-source-rds-extended-support or open-source-rds-extended-support-disabled."
  }
}

variable "rds_performance_insights" {
  description = "Enable Performance Insights (only applied when the instance class supports it)."
  type        = bool
  nullable    = false
}

variable "ecs_task_cpu" {
  description = "Fargate task CPU units for the cluster's task definitions."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.ecs_task_cpu)
    error_message = "ecs_task_cpu must be a Fargate CPU value: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "ecs_task_memory" {
  description = "Fargate task memory in MiB; must be a valid pair with ecs_task_cpu (checked in checks.tf)."
  type        = number

  validation {
    condition     = var.ecs_task_memory >= 512 && var.ecs_task_memory <= 122880 && var.ecs_task_memory % 512 == 0
    error_message = "ecs_task_memory must be a multiple of 512 MiB between 512 and 122880."
  }
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention for the cluster's log groups."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "alb_deletion_protection" {
  description = "Protect the ALB from deletion."
  type        = bool
  nullable    = false
}

variable "enable_flow_logs" {
  description = "Send VPC flow logs to CloudWatch Logs."
  type        = bool
  nullable    = false
}

variable "enable_vpc_endpoints" {
  description = "Create the S3 gateway endpoint and ECR, CloudWatch Logs and Secrets Manager interface endpoints."
  type        = bool
  nullable    = false
}

variable "enable_route53_health_check" {
  description = "Create a Route53 health check on the CloudFront endpoint's health path."
  type        = bool
  nullable    = false
}

################################################################################
# Settings with one sensible value for every environment (override only with a reason)
################################################################################

variable "rds_master_username" {
  description = "RDS master user name; its password is generated and kept by RDS in Secrets Manager."
  type        = string
  default     = "dbadmin"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_]{0,15}$", var.rds_master_username)) && !contains(["admin", "rdsadmin", "root"], var.rds_master_username)
    error_message = "rds_master_username must be 1-16 letters, digits or underscores, start with a letter, and not be a reserved name."
  }
}

variable "rds_max_connections" {
  description = <<-EOT
    max_connections in the RDS parameter group. null (the default) leaves RDS's own formula, which
    follows the instance class's memory ({DBInstanceClassMemory/12582880}); a number must fit the class
    (checked in checks.tf for the classes it knows).
  EOT
  type        = number
  default     = null

  validation {
    condition     = var.rds_max_connections == null || try(var.rds_max_connections >= 10 && var.rds_max_connections <= 16000, false)
    error_message = "rds_max_connections must be between 10 and 16000."
  }
}

variable "rds_backup_window" {
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi)."
  type        = string
  default     = "00:00-01:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.rds_backup_window))
    error_message = "rds_backup_window must look like 00:00-01:00."
  }
}

variable "rds_maintenance_window" {
  description = "Weekly UTC maintenance window (ddd:hh24:mi-ddd:hh24:mi); must not overlap the backup window."
  type        = string
  default     = "sun:01:30-sun:02:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.rds_maintenance_window))
    error_message = "rds_maintenance_window must look like sun:01:30-sun:02:30."
  }
}

variable "rds_monitoring_interval" {
  description = "Enhanced Monitoring interval in seconds (0 turns it off)."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.rds_monitoring_interval)
    error_message = "rds_monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "alb_idle_timeout" {
  description = "ALB idle timeout in seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.alb_idle_timeout >= 1 && var.alb_idle_timeout <= 4000
    error_message = "alb_idle_timeout must be between 1 and 4000 seconds."
  }
}

variable "enable_alb_access_logs" {
  description = "Write ALB access logs to an S3 bucket created for them."
  type        = bool
  default     = false
  nullable    = false
}

variable "alb_ingress_from_cloudfront_only" {
  description = <<-EOT
    Allow ALB ingress only from the CloudFront origin-facing prefix list instead of 0.0.0.0/0, on the one
    port CloudFront uses (443 with the custom domain, else 80). The prefix list counts as its maximum
    size (about 55) against the rules-per-security-group quota (60 by default), so the group holds
    exactly one rule that references it.
  EOT
  type        = bool
  default     = false
  nullable    = false
}

variable "container_port" {
  description = "Port tenant containers listen on; the only port the ALB may reach in the ECS security group."
  type        = number
  default     = 80

  validation {
    condition     = var.container_port >= 1 && var.container_port <= 65535
    error_message = "container_port must be a TCP port (1-65535)."
  }
}

variable "db_init_image" {
  description = "Image of the database initialisation task (a MySQL 8.0 or 8.4 client; either talks to both servers)."
  type        = string
  default     = "mysql:8.0"

  validation {
    condition     = can(regex("^[a-z0-9./_-]+:8\\.[04][0-9a-z.-]*$", var.db_init_image))
    error_message = "db_init_image must be a mysql 8.0 or 8.4 image reference with an explicit tag."
  }
}

variable "health_check_path" {
  description = "Path the ALB answers 200 on for any host; the Route53 health check probes it through CloudFront."
  type        = string
  default     = "/healthz"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]*$", var.health_check_path))
    error_message = "health_check_path must be an absolute URL path."
  }
}

variable "cloudfront_price_class" {
  description = "CloudFront price class (PriceClass_All includes the edge locations in Africa)."
  type        = string
  default     = "PriceClass_All"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.cloudfront_price_class)
    error_message = "cloudfront_price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}

################################################################################
# Alarms (inventory: monitoring.yml, bbws_alarm_*)
################################################################################

variable "alarm_thresholds" {
  description = <<-EOT
    Thresholds of the environment's CloudWatch alarms (monitoring.tf); each alarm is named
    <project>-<environment>-<key with "_" as "-">. Percentages are 0-100; *_bytes are bytes; counts are per
    5-minute period; the response time is the p95 in seconds. Free storage, freeable memory and burst credits
    alarm below their threshold, every other one above it.
  EOT
  type = object({
    rds_cpu_percent                   = number
    rds_free_storage_bytes            = number
    rds_freeable_memory_bytes         = number
    rds_connections_percent           = number
    alb_5xx_count                     = number
    alb_target_5xx_count              = number
    alb_unhealthy_hosts               = number
    alb_target_response_time_seconds  = number
    ecs_cpu_percent                   = number
    ecs_memory_percent                = number
    efs_percent_io_limit              = number
    efs_burst_credit_balance_bytes    = number
    nat_port_allocation_errors        = number
    nat_packets_dropped               = number
    cloudfront_5xx_error_rate_percent = number
  })
  nullable = false

  validation {
    condition = alltrue([
      for value in [
        var.alarm_thresholds.rds_cpu_percent,
        var.alarm_thresholds.rds_connections_percent,
        var.alarm_thresholds.ecs_cpu_percent,
        var.alarm_thresholds.ecs_memory_percent,
        var.alarm_thresholds.efs_percent_io_limit,
        var.alarm_thresholds.cloudfront_5xx_error_rate_percent,
      ] : try(value > 0 && value <= 100, false)
    ])
    error_message = "alarm_thresholds: rds_cpu_percent, rds_connections_percent, ecs_cpu_percent, ecs_memory_percent, efs_percent_io_limit and cloudfront_5xx_error_rate_percent must be percentages above 0 and at most 100."
  }

  validation {
    condition = alltrue([
      for value in [
        var.alarm_thresholds.rds_free_storage_bytes,
        var.alarm_thresholds.rds_freeable_memory_bytes,
        var.alarm_thresholds.efs_burst_credit_balance_bytes,
      ] : try(value > 0 && floor(value) == value, false)
    ])
    error_message = "alarm_thresholds: rds_free_storage_bytes, rds_freeable_memory_bytes and efs_burst_credit_balance_bytes must be whole numbers of bytes above 0."
  }

  validation {
    condition = alltrue([
      for value in [
        var.alarm_thresholds.alb_5xx_count,
        var.alarm_thresholds.alb_target_5xx_count,
        var.alarm_thresholds.alb_unhealthy_hosts,
        var.alarm_thresholds.nat_port_allocation_errors,
        var.alarm_thresholds.nat_packets_dropped,
      ] : try(value >= 0 && floor(value) == value, false)
    ])
    error_message = "alarm_thresholds: alb_5xx_count, alb_target_5xx_count, alb_unhealthy_hosts, nat_port_allocation_errors and nat_packets_dropped must be whole numbers, 0 or more (the alarm fires above the threshold)."
  }

  validation {
    condition     = try(var.alarm_thresholds.alb_target_response_time_seconds > 0 && var.alarm_thresholds.alb_target_response_time_seconds <= 60, false)
    error_message = "alarm_thresholds: alb_target_response_time_seconds must be above 0 and at most 60."
  }
}

variable "alarm_email_endpoints" {
  description = "E-mail addresses subscribed to the alarm topics (each address confirms its subscription once); empty for none."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for address in var.alarm_email_endpoints : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alarm_email_endpoints must be e-mail addresses (name@domain)."
  }
}

variable "alarm_notify_ok" {
  description = "Also notify the alarm topics when an alarm returns to OK."
  type        = bool
  default     = false
  nullable    = false
}

################################################################################
# Disaster recovery (warm standby of prod in a second region, same account)
################################################################################

variable "dr_role" {
  description = <<-EOT
    This stack's part in disaster recovery. "none" (default): no DR. "primary": the stack's CloudFront
    distribution fails over to the standby's ALB in dr_region (an origin group). "standby": the warm standby in
    aws_region, built after the primary: RDS is a cross-region read replica of the primary's instance, the
    standby configures the EFS replication from the primary's file system (dr_source_efs_id) into its own, the
    names that are global in an account carry the region, and there is no CloudFront distribution (the primary's
    distribution is the edge for both).
  EOT
  type        = string
  default     = "none"
  nullable    = false

  validation {
    condition     = contains(["none", "primary", "standby"], var.dr_role)
    error_message = "dr_role must be one of none, primary, standby."
  }

  validation {
    condition     = var.dr_role != "standby" || var.root_zone_mode != "create"
    error_message = "dr_role standby shares the primary's hosted zone: root_zone_mode must be adopt (or none), not create."
  }
}

variable "dr_region" {
  description = "The standby's region: required with dr_role primary; with dr_role standby it must be aws_region or null."
  type        = string
  default     = null

  validation {
    condition     = var.dr_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.dr_region))
    error_message = "dr_region must be an AWS region name (<area>-<direction>-<number>) or null."
  }

  validation {
    condition     = var.dr_role != "primary" || (var.dr_region != null && var.dr_region != var.aws_region)
    error_message = "dr_role primary needs dr_region: the standby's region, different from aws_region."
  }

  validation {
    condition     = var.dr_role != "standby" || var.dr_region == null || var.dr_region == var.aws_region
    error_message = "With dr_role standby the stack is built in the DR region: dr_region must be null or equal aws_region."
  }

  validation {
    condition     = var.dr_role != "none" || var.dr_region == null
    error_message = "dr_region is only used with dr_role primary or standby; leave it null with dr_role none."
  }
}

variable "dr_primary_region" {
  description = "Region of the primary stack, for dr_role standby: the read replica's source is <project>-<environment>-mysql there unless dr_source_db_arn names it."
  type        = string
  default     = null

  validation {
    condition     = var.dr_primary_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.dr_primary_region))
    error_message = "dr_primary_region must be an AWS region name (<area>-<direction>-<number>) or null."
  }

  validation {
    condition     = var.dr_role != "standby" || (var.dr_primary_region != null && var.dr_primary_region != var.aws_region)
    error_message = "dr_role standby needs dr_primary_region: the primary's region, different from aws_region."
  }
}

variable "dr_source_db_arn" {
  description = "ARN of the primary's RDS instance the standby replicates (dr_role standby); null derives arn:<partition>:rds:<dr_primary_region>:<expected_account_id>:db:<project>-<environment>-mysql."
  type        = string
  default     = null

  validation {
    condition     = var.dr_source_db_arn == null || can(regex("^arn:aws[a-z-]*:rds:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:db:[a-z][a-z0-9-]{0,62}$", var.dr_source_db_arn))
    error_message = "dr_source_db_arn must be an RDS DB instance ARN (arn:aws:rds:<region>:<account>:db:<identifier>) or null."
  }

  validation {
    condition     = var.dr_source_db_arn == null || var.dr_role == "standby"
    error_message = "dr_source_db_arn is only used with dr_role standby."
  }
}

variable "dr_source_db_secret_arn" {
  description = "ARN of the primary's RDS-managed master secret (the primary's rds_master_secret_arn output), for dr_role standby: the standby's database initialisation task reads the replica's users from it."
  type        = string
  default     = null

  validation {
    condition     = var.dr_source_db_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:secret:.+$", var.dr_source_db_secret_arn))
    error_message = "dr_source_db_secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or null."
  }

  validation {
    condition     = var.dr_role != "standby" || var.dr_source_db_secret_arn != null
    error_message = "dr_role standby needs dr_source_db_secret_arn: the primary's rds_master_secret_arn output (a replica has no master secret of its own)."
  }
}

variable "dr_source_efs_id" {
  description = "The primary's EFS file system (its efs_id output), for dr_role standby: the source of the replication the standby configures in dr_primary_region, with this stack's file system as the destination."
  type        = string
  default     = null

  validation {
    condition     = var.dr_source_efs_id == null || can(regex("^fs-[0-9a-f]{8,40}$", var.dr_source_efs_id))
    error_message = "dr_source_efs_id must be an EFS file system ID (fs-...) or null."
  }

  validation {
    condition     = var.dr_source_efs_id == null || var.dr_role == "standby"
    error_message = "dr_source_efs_id is only used with dr_role standby."
  }

  validation {
    condition     = var.dr_role != "standby" || var.dr_source_efs_id != null
    error_message = "dr_role standby needs dr_source_efs_id: the primary's efs_id output (the source of the EFS replication)."
  }
}

variable "dr_alb_dns_name" {
  description = "DNS name of the standby's ALB, the origin group's secondary origin (dr_role primary without enable_custom_domain; with it the secondary is origin-<dr_region>.<domain>)."
  type        = string
  default     = null

  validation {
    condition     = var.dr_alb_dns_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.dr_alb_dns_name))
    error_message = "dr_alb_dns_name must be a lower-case DNS name (the standby ALB's dns_name) or null."
  }

  validation {
    condition     = var.dr_role != "primary" || var.enable_custom_domain || var.dr_alb_dns_name != null
    error_message = "dr_role primary without enable_custom_domain needs dr_alb_dns_name: the standby ALB's DNS name (its alb_dns_name output)."
  }
}

variable "dr_failover_status_codes" {
  description = "HTTP status codes from the primary origin that make CloudFront retry the request on the standby (dr_role primary); connection failures and timeouts always fail over."
  type        = list(number)
  default     = [500, 502, 503, 504]
  nullable    = false

  validation {
    condition     = length(var.dr_failover_status_codes) > 0 && alltrue([for code in var.dr_failover_status_codes : contains([400, 403, 404, 416, 500, 502, 503, 504], code)])
    error_message = "dr_failover_status_codes must be a non-empty list of codes CloudFront can fail over on: 400, 403, 404, 416, 500, 502, 503, 504."
  }
}
