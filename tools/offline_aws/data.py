"""Data in the emulator: RDS, EFS and S3."""

from __future__ import annotations

from typing import Any

from offline_aws import Api
from offline_aws import Handler
from offline_aws import resource
from offline_aws import state_only

# Not emulated yet: kept in Terraform's state only.
PENDING = "not yet held by the emulator"

state_only("aws_db_subnet_group", PENDING)
state_only("aws_db_parameter_group", PENDING)
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


@resource("aws_db_instance", state_only=PENDING)
class DbInstance(Handler):
    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        computed = super().create(api, planned)
        if planned.get("manage_master_user_password"):
            secret = api.arn("secretsmanager", f"secret:rds!db-{computed['id']}")
            computed["master_user_secret"] = [{"secret_arn": secret, "secret_status": "active", "kms_key_id": ""}]
        return computed
