"""Data in the emulator: RDS, EFS and S3."""

from __future__ import annotations

from offline_aws import state_only

# Not emulated yet: kept in Terraform's state only.
PENDING = "not yet held by the emulator"

state_only("aws_db_subnet_group", PENDING)
state_only("aws_db_parameter_group", PENDING)
state_only("aws_db_instance", PENDING)
state_only("aws_efs_file_system", PENDING)
state_only("aws_efs_mount_target", PENDING)
state_only("aws_efs_file_system_policy", PENDING)
state_only("aws_efs_backup_policy", PENDING)
state_only("aws_s3_bucket", PENDING)
state_only("aws_s3_bucket_versioning", PENDING)
state_only("aws_s3_bucket_server_side_encryption_configuration", PENDING)
state_only("aws_s3_bucket_public_access_block", PENDING)
state_only("aws_s3_bucket_policy", PENDING)
state_only("aws_s3_bucket_lifecycle_configuration", PENDING)
state_only("aws_s3_bucket_ownership_controls", PENDING)
