################################################################################
# VPC and networking
################################################################################

output "vpc_id" {
  description = "VPC ID for the cluster."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnet IDs (one per AZ)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnet IDs (one per AZ)."
  value       = aws_subnet.private[*].id
}

output "public_subnet_cidr_blocks" {
  description = "CIDR blocks of the public subnets."
  value       = aws_subnet.public[*].cidr_block
}

output "private_subnet_cidr_blocks" {
  description = "CIDR blocks of the private subnets."
  value       = aws_subnet.private[*].cidr_block
}

output "internet_gateway_id" {
  description = "Internet gateway ID."
  value       = aws_internet_gateway.this.id
}

output "nat_gateway_id" {
  description = "ID of the (first) NAT gateway."
  value       = try(aws_nat_gateway.this[0].id, null)
}

output "nat_gateway_ids" {
  description = "IDs of all NAT gateways (two when nat_gateway_per_az)."
  value       = aws_nat_gateway.this[*].id
}

output "nat_gateway_eip" {
  description = "Elastic IP address of the (first) NAT gateway."
  value       = try(aws_eip.nat[0].public_ip, null)
}

output "nat_gateway_eips" {
  description = "Elastic IP addresses of all NAT gateways."
  value       = aws_eip.nat[*].public_ip
}

output "availability_zones" {
  description = "Availability zones used by the cluster."
  value       = local.azs
}

################################################################################
# Application Load Balancer
################################################################################

output "alb_dns_name" {
  description = "DNS name of the ALB."
  value       = aws_lb.this.dns_name
}

output "alb_arn" {
  description = "ARN of the ALB."
  value       = aws_lb.this.arn
}

output "alb_zone_id" {
  description = "Route53 zone ID of the ALB (for alias records)."
  value       = aws_lb.this.zone_id
}

output "alb_listener_arn" {
  description = "ARN of the HTTP:80 listener (tenant host rules attach here)."
  value       = aws_lb_listener.http.arn
}

output "alb_https_listener_arn" {
  description = "ARN of the HTTPS:443 listener; null until enable_custom_domain."
  value       = try(aws_lb_listener.https[0].arn, null)
}

output "alb_security_group_id" {
  description = "Security group ID of the ALB."
  value       = aws_security_group.alb.id
}

################################################################################
# Route53 (the environment's own zone; NS delegation records belong to the delegation module)
################################################################################

output "route53_zone_id" {
  description = "Hosted zone ID of the zone this environment's records live in (wp<env>.<root>, or <root> in prod)."
  value       = local.zone_id
}

output "route53_zone_name" {
  description = "Name of that hosted zone."
  value       = local.zone_name
}

output "route53_nameservers" {
  description = "Name servers of that zone (what the parent account delegates to, for dev and sit)."
  value       = local.name_servers
}

output "wp_subdomain_zone_id" {
  description = "Zone holding the wp.<root> records when this account owns the root zone (prod); null elsewhere."
  value       = local.owns_root_zone ? local.zone_id : null
}

output "route53_health_check_id" {
  description = "Route53 health check ID; null when enable_route53_health_check is false."
  value       = try(aws_route53_health_check.this[0].id, null)
}

################################################################################
# ACM
################################################################################

output "acm_certificate_arn" {
  description = "Wildcard certificate (us-east-1) used by CloudFront; null without enable_custom_domain."
  value       = try(aws_acm_certificate_validation.cloudfront[0].certificate_arn, null)
}

output "acm_certificate_status" {
  description = "Status of the CloudFront certificate; null without enable_custom_domain."
  value       = try(aws_acm_certificate.cloudfront[0].status, null)
}

output "acm_certificate_domain" {
  description = "Domain of the wildcard certificate (*.<domain>); null without enable_custom_domain."
  value       = try(aws_acm_certificate.cloudfront[0].domain_name, null)
}

output "acm_regional_certificate_arn" {
  description = "Wildcard certificate in the cluster's region used by the ALB's HTTPS listener."
  value       = try(aws_acm_certificate_validation.regional[0].certificate_arn, null)
}

################################################################################
# CloudFront
################################################################################

output "cloudfront_distribution_id" {
  description = "CloudFront distribution ID; null in a DR standby (no distribution of its own)."
  value       = try(aws_cloudfront_distribution.this[0].id, null)
}

output "cloudfront_domain_name" {
  description = "CloudFront domain name (dxxxx.cloudfront.net); null in a DR standby."
  value       = try(aws_cloudfront_distribution.this[0].domain_name, null)
}

output "cloudfront_distribution_arn" {
  description = "ARN of the CloudFront distribution; null in a DR standby."
  value       = try(aws_cloudfront_distribution.this[0].arn, null)
}

output "cloudfront_status" {
  description = "Status of the distribution (Deployed or InProgress)."
  value       = try(aws_cloudfront_distribution.this[0].status, null)
}

output "cloudfront_hosted_zone_id" {
  description = "Route53 zone ID for alias records to the distribution (tenant records)."
  value       = try(aws_cloudfront_distribution.this[0].hosted_zone_id, null)
}

output "cloudfront_alternate_domain_names" {
  description = "Alternate domain names (*.<domain>) when enable_custom_domain, else empty."
  value       = try(aws_cloudfront_distribution.this[0].aliases, [])
}

output "cloudfront_logging_bucket" {
  description = "S3 bucket (us-east-1) with CloudFront standard logs."
  value       = aws_s3_bucket.cloudfront_logs.bucket
}

################################################################################
# ECS
################################################################################

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "ecs_cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "ecs_cluster_id" {
  description = "ID of the ECS cluster."
  value       = aws_ecs_cluster.this.id
}

output "ecs_task_execution_role_arn" {
  description = "ARN of the task execution role."
  value       = aws_iam_role.ecs_execution.arn
}

output "ecs_task_role_arn" {
  description = "ARN of the task role."
  value       = aws_iam_role.ecs_task.arn
}

output "ecs_security_group_id" {
  description = "Security group ID for ECS tasks."
  value       = aws_security_group.ecs.id
}

output "ecs_log_group_name" {
  description = "CloudWatch log group for ECS tasks."
  value       = aws_cloudwatch_log_group.ecs.name
}

output "db_init_task_definition_arn" {
  description = "ARN of the database initialisation task definition."
  value       = aws_ecs_task_definition.db_init.arn
}

################################################################################
# RDS
################################################################################

output "rds_endpoint" {
  description = "RDS endpoint (host:port)."
  value       = local.db.endpoint
}

output "rds_address" {
  description = "RDS host name."
  value       = local.db.address
}

output "rds_port" {
  description = "RDS port."
  value       = local.db.port
}

output "rds_instance_id" {
  description = "RDS instance identifier."
  value       = local.db.identifier
}

output "rds_arn" {
  description = "ARN of the RDS instance."
  value       = local.db.arn
}

output "rds_security_group_id" {
  description = "Security group ID of RDS."
  value       = aws_security_group.rds.id
}

output "rds_master_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret with the master credentials (the ARN, never the value)."
  value       = try(aws_db_instance.this[0].master_user_secret[0].secret_arn, null)
  sensitive   = true
}

################################################################################
# EFS
################################################################################

output "efs_id" {
  description = "EFS file system ID."
  value       = aws_efs_file_system.this.id
}

output "efs_arn" {
  description = "ARN of the EFS file system."
  value       = aws_efs_file_system.this.arn
}

output "efs_dns_name" {
  description = "DNS name for EFS mounts."
  value       = aws_efs_file_system.this.dns_name
}

output "efs_mount_target_ids" {
  description = "EFS mount target IDs (one per private subnet)."
  value       = aws_efs_mount_target.this[*].id
}

output "efs_security_group_id" {
  description = "Security group ID of EFS."
  value       = aws_security_group.efs.id
}

output "kms_key_arn" {
  description = "KMS key encrypting logs, RDS, EFS and the master secret."
  value       = aws_kms_key.this.arn
}

################################################################################
# Alarms and dashboard
################################################################################

output "alarm_topic_arn" {
  description = "SNS topic (<project>-<environment>-alarms, KMS-encrypted) every alarm in the environment's region notifies."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_topic_us_east_1_arn" {
  description = "SNS topic (<project>-<environment>-alarms-us-east-1, KMS-encrypted) the CloudFront alarm notifies."
  value       = aws_sns_topic.alarms_cloudfront.arn
}

output "alarm_names" {
  description = "Every alarm's name by its threshold key (NAT gateway alarms as <key>-<index>)."
  value       = local.alarm_names
}

output "dashboard_name" {
  description = "Name of the environment's CloudWatch dashboard (<project>-<environment>)."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

