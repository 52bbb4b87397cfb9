"""The load balancer, the ECS cluster and its identities in the emulator: ELBv2, ECS, IAM, KMS, CloudWatch Logs."""

from __future__ import annotations

from offline_aws import state_only

# Not emulated yet: kept in Terraform's state only.
PENDING = "not yet held by the emulator"

state_only("aws_lb", PENDING)
state_only("aws_lb_listener", PENDING)
state_only("aws_lb_listener_rule", PENDING)
state_only("aws_ecs_cluster", PENDING)
state_only("aws_ecs_cluster_capacity_providers", PENDING)
state_only("aws_ecs_task_definition", PENDING)
state_only("aws_iam_role", PENDING)
state_only("aws_iam_role_policy", PENDING)
state_only("aws_iam_role_policy_attachment", PENDING)
state_only("aws_kms_key", PENDING)
state_only("aws_kms_alias", PENDING)
state_only("aws_cloudwatch_log_group", PENDING)
