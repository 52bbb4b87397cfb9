################################################################################
# Security groups: one per tier, rules as separate resources (least privilege)
#
#   internet (or CloudFront) --80/443--> ALB --container_port--> ECS --3306--> RDS
#                                                                    --2049--> EFS
#                                                                    --443---> AWS APIs, image registries
################################################################################

data "aws_ec2_managed_prefix_list" "cloudfront" {
  count = var.alb_ingress_from_cloudfront_only ? 1 : 0

  name = "com.amazonaws.global.cloudfront.origin-facing"
}

locals {
  alb_ingress_cidr        = var.alb_ingress_from_cloudfront_only ? null : "0.0.0.0/0"
  alb_ingress_prefix_list = var.alb_ingress_from_cloudfront_only ? data.aws_ec2_managed_prefix_list.cloudfront[0].id : null

  # CloudFront reaches the ALB on one port: 443 (origin.<domain>) with the custom domain, 80 without.
  # The prefix list counts as its maximum size against the rules-per-group quota for every rule that
  # references it, so with CloudFront-only ingress exactly one rule references it. Open to the internet,
  # port 80 stays open (the HTTP listener) and 443 exists only with the custom domain's HTTPS listener.
  alb_ingress_http  = !(var.alb_ingress_from_cloudfront_only && var.enable_custom_domain)
  alb_ingress_https = var.enable_custom_domain
}

resource "aws_security_group" "alb" {
  name        = "${local.name}-alb"
  description = "${local.name} ALB: HTTP/HTTPS in, tenant containers out"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-alb" }
}

resource "aws_security_group" "ecs" {
  # checkov:skip=CKV2_AWS_5:Attached at run time: tenant ECS services (tenant layer) and db-init task runs name it in their awsvpc network configuration.
  name        = "${local.name}-ecs"
  description = "${local.name} ECS tasks: from the ALB only; out to RDS, EFS and HTTPS"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-ecs" }
}

resource "aws_security_group" "rds" {
  name        = "${local.name}-rds"
  description = "${local.name} RDS MySQL: 3306 from ECS tasks only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-rds" }
}

resource "aws_security_group" "efs" {
  name        = "${local.name}-efs"
  description = "${local.name} EFS: NFS 2049 from ECS tasks only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-efs" }
}

resource "aws_security_group" "vpc_endpoints" {
  count = var.enable_vpc_endpoints ? 1 : 0

  name        = "${local.name}-vpce"
  description = "${local.name} interface endpoints: HTTPS from ECS tasks only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-vpce" }
}

#### ALB

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  # checkov:skip=CKV_AWS_260:The ALB is the public entry point (CloudFront origin); alb_ingress_from_cloudfront_only narrows it to CloudFront's prefix list.
  count = local.alb_ingress_http ? 1 : 0

  security_group_id = aws_security_group.alb.id
  description       = "HTTP from viewers or CloudFront"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = local.alb_ingress_cidr
  prefix_list_id    = local.alb_ingress_prefix_list

  tags = { Name = "${local.name}-alb-http" }
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  count = local.alb_ingress_https ? 1 : 0

  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from viewers or CloudFront"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = local.alb_ingress_cidr
  prefix_list_id    = local.alb_ingress_prefix_list

  tags = { Name = "${local.name}-alb-https" }
}

resource "aws_vpc_security_group_egress_rule" "alb_to_ecs" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Tenant containers and their health checks"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.ecs.id

  tags = { Name = "${local.name}-alb-to-ecs" }
}

#### ECS tasks

resource "aws_vpc_security_group_ingress_rule" "ecs_from_alb" {
  # checkov:skip=CKV_AWS_260:The source is the ALB security group (referenced_security_group_id), not 0.0.0.0/0; checkov reads the missing CIDR as open.
  security_group_id            = aws_security_group.ecs.id
  description                  = "Container port from the ALB only"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.alb.id

  tags = { Name = "${local.name}-ecs-from-alb" }
}

resource "aws_vpc_security_group_egress_rule" "ecs_to_rds" {
  security_group_id            = aws_security_group.ecs.id
  description                  = "MySQL to RDS"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.rds.id

  tags = { Name = "${local.name}-ecs-to-rds" }
}

resource "aws_vpc_security_group_egress_rule" "ecs_to_efs" {
  security_group_id            = aws_security_group.ecs.id
  description                  = "NFS to EFS"
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
  referenced_security_group_id = aws_security_group.efs.id

  tags = { Name = "${local.name}-ecs-to-efs" }
}

resource "aws_vpc_security_group_egress_rule" "ecs_to_https" {
  security_group_id = aws_security_group.ecs.id
  description       = "HTTPS to image registries, AWS APIs and WordPress updates (via NAT or endpoints)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = { Name = "${local.name}-ecs-to-https" }
}

#### RDS and EFS accept their one port from ECS tasks and need no egress (replies are stateful).

resource "aws_vpc_security_group_ingress_rule" "rds_from_ecs" {
  security_group_id            = aws_security_group.rds.id
  description                  = "MySQL from ECS tasks only"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.ecs.id

  tags = { Name = "${local.name}-rds-from-ecs" }
}

resource "aws_vpc_security_group_ingress_rule" "efs_from_ecs" {
  security_group_id            = aws_security_group.efs.id
  description                  = "NFS from ECS tasks only"
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
  referenced_security_group_id = aws_security_group.ecs.id

  tags = { Name = "${local.name}-efs-from-ecs" }
}

#### Interface endpoints

resource "aws_vpc_security_group_ingress_rule" "vpce_from_ecs" {
  count = var.enable_vpc_endpoints ? 1 : 0

  security_group_id            = aws_security_group.vpc_endpoints[0].id
  description                  = "HTTPS from ECS tasks only"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.ecs.id

  tags = { Name = "${local.name}-vpce-from-ecs" }
}
