"""Data in the emulator: RDS (subnet group, parameter group, MySQL instance with its RDS-managed secret), EFS
(file system, mount targets, policy) and S3 (log buckets and their settings)."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from offline_aws import Api
from offline_aws import ApplyError
from offline_aws import Handler
from offline_aws import error_code
from offline_aws import gone
from offline_aws import ignore_gone
from offline_aws import resource
from offline_aws import same_json
from offline_aws import state_only
from offline_aws import tag_list
from offline_aws import tags_of
from offline_aws.network import refresh_tags

# Days between rotations of the master password secret RDS manages (RDS's own schedule).
RDS_SECRET_ROTATION_DAYS = 7


_COUNTER = itertools.count(1)


def prefixed_unique_name(prefix: str) -> str:
    """A name from a prefix as the provider makes one: the prefix, a UTC timestamp and a counter (26 characters)."""
    now = time.time()
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{int(now * 10000) % 10000:04d}"
    return f"{prefix}{stamp}{next(_COUNTER):08x}"


################################################################################
# RDS
################################################################################


def rds_retag(api: Api, arn: str, prior: dict[str, Any], planned: dict[str, Any]) -> None:
    rds = api.client("rds")
    old, new = tags_of(prior), tags_of(planned)
    removed = [k for k in old if k not in new]
    changed = [{"Key": k, "Value": v} for k, v in new.items() if old.get(k) != v]
    if removed:
        rds.remove_tags_from_resource(ResourceName=arn, TagKeys=removed)
    if changed:
        rds.add_tags_to_resource(ResourceName=arn, Tags=changed)


@resource("aws_db_subnet_group", replace_on=("name", "name_prefix"))
class DbSubnetGroup(Handler):
    """An RDS subnet group; read refreshes its subnets (tags are written, not read back)."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        name = planned.get("name") or prefixed_unique_name(planned.get("name_prefix") or "tf-")
        group = api.client("rds").create_db_subnet_group(
            DBSubnetGroupName=name,
            DBSubnetGroupDescription=planned.get("description") or "Managed by Terraform",
            SubnetIds=list(planned["subnet_ids"]),
            Tags=tag_list(planned),
        )["DBSubnetGroup"]
        return {
            "id": name,
            "name": name,
            "arn": group.get("DBSubnetGroupArn") or api.arn("rds", f"subgrp:{name}"),
            "vpc_id": group.get("VpcId", ""),
            "supported_network_types": ["IPV4"],
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = ignore_gone(
            api.client("rds").describe_db_subnet_groups, "DBSubnetGroupNotFoundFault", DBSubnetGroupName=state["id"]
        )
        if not answer or not answer["DBSubnetGroups"]:
            return None
        group = answer["DBSubnetGroups"][0]
        return {**state, "subnet_ids": sorted(s["SubnetIdentifier"] for s in group.get("Subnets") or [])}

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        if sorted(prior.get("subnet_ids") or []) != sorted(planned.get("subnet_ids") or []) or prior.get(
            "description"
        ) != planned.get("description"):
            api.client("rds").modify_db_subnet_group(
                DBSubnetGroupName=prior["id"],
                DBSubnetGroupDescription=planned.get("description") or "Managed by Terraform",
                SubnetIds=list(planned["subnet_ids"]),
            )
        rds_retag(api, prior["arn"], prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(
            api.client("rds").delete_db_subnet_group, "DBSubnetGroupNotFoundFault", DBSubnetGroupName=state["id"]
        )


def _parameters(planned: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        p["name"]: {
            "ParameterName": p["name"],
            "ParameterValue": str(p["value"]),
            "ApplyMethod": p.get("apply_method") or "immediate",
        }
        for p in planned.get("parameter") or []
    }


def _modify_parameters(api: Api, name: str, parameters: list[dict[str, str]]) -> None:
    for start in range(0, len(parameters), 20):  # RDS takes at most 20 per call
        api.client("rds").modify_db_parameter_group(
            DBParameterGroupName=name, Parameters=parameters[start : start + 20]
        )


@resource("aws_db_parameter_group", replace_on=("name", "name_prefix", "family", "description"))
class DbParameterGroup(Handler):
    """An RDS parameter group with its parameters; read refreshes the values of the parameters the stack sets."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        name = planned.get("name") or prefixed_unique_name(planned.get("name_prefix") or "terraform-")
        group = api.client("rds").create_db_parameter_group(
            DBParameterGroupName=name,
            DBParameterGroupFamily=planned["family"],
            Description=planned.get("description") or "Managed by Terraform",
            Tags=tag_list(planned),
        )["DBParameterGroup"]
        _modify_parameters(api, name, list(_parameters(planned).values()))
        return {"id": name, "name": name, "arn": group.get("DBParameterGroupArn") or api.arn("rds", f"pg:{name}")}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        rds = api.client("rds")
        try:
            pages = rds.get_paginator("describe_db_parameters").paginate(
                DBParameterGroupName=state["id"], Source="user"
            )
            actual = {p["ParameterName"]: p for page in pages for p in page["Parameters"]}
        except Exception as error:  # noqa: BLE001
            if gone(error, "DBParameterGroupNotFoundFault", "DBParameterGroupNotFound"):
                return None
            raise
        # A parameter reset or changed behind Terraform's back is drift; one it never set is not its business.
        parameters = [
            {**p, "value": actual[p["name"]].get("ParameterValue")}
            for p in state.get("parameter") or []
            if p["name"] in actual
        ]
        return {**state, "parameter": parameters}

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        old, new = _parameters(prior), _parameters(planned)
        changed = [p for name, p in new.items() if old.get(name) != p]
        if changed:
            _modify_parameters(api, prior["id"], changed)
        removed = [{"ParameterName": n, "ApplyMethod": p["ApplyMethod"]} for n, p in old.items() if n not in new]
        if removed:
            api.client("rds").reset_db_parameter_group(DBParameterGroupName=prior["id"], Parameters=removed)
        rds_retag(api, prior["arn"], prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(
            api.client("rds").delete_db_parameter_group,
            "DBParameterGroupNotFoundFault",
            DBParameterGroupName=state["id"],
        )


# Instance arguments RDS takes at creation and in ModifyDBInstance under the same name.
DB_SETTINGS = {
    "instance_class": "DBInstanceClass",
    "allocated_storage": "AllocatedStorage",
    "max_allocated_storage": "MaxAllocatedStorage",
    "storage_type": "StorageType",
    "iops": "Iops",
    "storage_throughput": "StorageThroughput",
    "engine_version": "EngineVersion",
    "db_subnet_group_name": "DBSubnetGroupName",
    "parameter_group_name": "DBParameterGroupName",
    "option_group_name": "OptionGroupName",
    "publicly_accessible": "PubliclyAccessible",
    "multi_az": "MultiAZ",
    "backup_retention_period": "BackupRetentionPeriod",
    "backup_window": "PreferredBackupWindow",
    "maintenance_window": "PreferredMaintenanceWindow",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
    "deletion_protection": "DeletionProtection",
    "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
    "iam_database_authentication_enabled": "EnableIAMDatabaseAuthentication",
    "performance_insights_enabled": "EnablePerformanceInsights",
    "performance_insights_kms_key_id": "PerformanceInsightsKMSKeyId",
    "performance_insights_retention_period": "PerformanceInsightsRetentionPeriod",
    "monitoring_interval": "MonitoringInterval",
    "monitoring_role_arn": "MonitoringRoleArn",
    "ca_cert_identifier": "CACertificateIdentifier",
    "network_type": "NetworkType",
}
# Only at creation.
DB_CREATE_ONLY = {
    "engine": "Engine",
    "username": "MasterUsername",
    "db_name": "DBName",
    "port": "Port",
    "storage_encrypted": "StorageEncrypted",
    "kms_key_id": "KmsKeyId",
    "availability_zone": "AvailabilityZone",
    "character_set_name": "CharacterSetName",
    "license_model": "LicenseModel",
    "engine_lifecycle_support": "EngineLifecycleSupport",
    "timezone": "Timezone",
}


# A read replica: what CreateDBInstanceReadReplica takes (engine, version, user and storage size follow the
# source), and what the provider sets with ModifyDBInstance once the replica exists.
REPLICA_CREATE = {
    "instance_class": "DBInstanceClass",
    "max_allocated_storage": "MaxAllocatedStorage",
    "storage_type": "StorageType",
    "iops": "Iops",
    "storage_throughput": "StorageThroughput",
    "kms_key_id": "KmsKeyId",
    "db_subnet_group_name": "DBSubnetGroupName",
    "parameter_group_name": "DBParameterGroupName",
    "option_group_name": "OptionGroupName",
    "publicly_accessible": "PubliclyAccessible",
    "multi_az": "MultiAZ",
    "port": "Port",
    "availability_zone": "AvailabilityZone",
    "copy_tags_to_snapshot": "CopyTagsToSnapshot",
    "deletion_protection": "DeletionProtection",
    "auto_minor_version_upgrade": "AutoMinorVersionUpgrade",
    "iam_database_authentication_enabled": "EnableIAMDatabaseAuthentication",
    "performance_insights_enabled": "EnablePerformanceInsights",
    "performance_insights_kms_key_id": "PerformanceInsightsKMSKeyId",
    "performance_insights_retention_period": "PerformanceInsightsRetentionPeriod",
    "monitoring_interval": "MonitoringInterval",
    "monitoring_role_arn": "MonitoringRoleArn",
    "network_type": "NetworkType",
}
REPLICA_MODIFY = {
    "backup_retention_period": "BackupRetentionPeriod",
    "backup_window": "PreferredBackupWindow",
    "maintenance_window": "PreferredMaintenanceWindow",
}


def _db_value(key: str, value: Any) -> Any:
    if key in ("allocated_storage", "max_allocated_storage", "iops", "storage_throughput", "port"):
        return int(value)
    if key in ("backup_retention_period", "monitoring_interval", "performance_insights_retention_period"):
        return int(value)
    return value


def _set(value: Any) -> bool:
    """A planned argument worth sending: not null, and not a number the configuration leaves at zero."""
    return value is not None and value != ""


@resource(
    "aws_db_instance",
    replace_on=(
        "identifier",
        "identifier_prefix",
        "engine",
        "username",
        "db_name",
        "storage_encrypted",
        "kms_key_id",
        "availability_zone",
        "character_set_name",
        "timezone",
    ),
)
class DbInstance(Handler):
    """An RDS instance created with every planned setting, its password managed by RDS in a Secrets Manager
    secret that rotates every 7 days; with replicate_source_db a read replica of that instance (by ARN across
    regions, through CreateDBInstanceReadReplica, without a master user or secret of its own). Read refreshes
    class, multi-AZ, deletion protection, public access, security groups, backup retention and tags."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        rds = api.client("rds")
        identifier = planned.get("identifier") or prefixed_unique_name(planned.get("identifier_prefix") or "terraform-")
        if planned.get("replicate_source_db"):
            return self._create_replica(api, identifier, planned)
        arguments: dict[str, Any] = {"DBInstanceIdentifier": identifier}
        for key, name in {**DB_SETTINGS, **DB_CREATE_ONLY}.items():
            if _set(planned.get(key)):
                arguments[name] = _db_value(key, planned[key])
        if not planned.get("max_allocated_storage"):
            arguments.pop("MaxAllocatedStorage", None)
        if planned.get("vpc_security_group_ids"):
            arguments["VpcSecurityGroupIds"] = list(planned["vpc_security_group_ids"])
        if planned.get("enabled_cloudwatch_logs_exports"):
            arguments["EnableCloudwatchLogsExports"] = list(planned["enabled_cloudwatch_logs_exports"])
        if planned.get("manage_master_user_password"):
            arguments["ManageMasterUserPassword"] = True
            key = self._secret_key(api, planned.get("master_user_secret_kms_key_id"))
            if key:
                arguments["MasterUserSecretKmsKeyId"] = key
        elif planned.get("password"):
            arguments["MasterUserPassword"] = planned["password"]
        if tags_of(planned):
            arguments["Tags"] = tag_list(planned)
        rds.create_db_instance(**arguments)
        # As the real provider, which waits for "available" and reads the instance back.
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        secret = instance.get("MasterUserSecret") or {}
        if secret.get("SecretArn"):
            self._rotate(api, secret["SecretArn"], planned)
        return self._computed(api, instance, planned)

    def _create_replica(self, api: Api, identifier: str, planned: dict[str, Any]) -> dict[str, Any]:
        """As the real provider: CreateDBInstanceReadReplica with what it accepts, then ModifyDBInstance with the
        settings a replica takes only afterwards (backups and windows)."""
        rds = api.client("rds")
        source = planned["replicate_source_db"]
        arguments: dict[str, Any] = {"DBInstanceIdentifier": identifier, "SourceDBInstanceIdentifier": source}
        for key, name in REPLICA_CREATE.items():
            if _set(planned.get(key)):
                arguments[name] = _db_value(key, planned[key])
        if not planned.get("max_allocated_storage"):
            arguments.pop("MaxAllocatedStorage", None)
        if planned.get("vpc_security_group_ids"):
            arguments["VpcSecurityGroupIds"] = list(planned["vpc_security_group_ids"])
        if planned.get("enabled_cloudwatch_logs_exports"):
            arguments["EnableCloudwatchLogsExports"] = list(planned["enabled_cloudwatch_logs_exports"])
        # A source in another region is named by its ARN; boto3 signs the cross-region request from SourceRegion.
        source_region = source.split(":")[3] if source.startswith("arn:") else api.region
        if source_region != api.region:
            arguments["SourceRegion"] = source_region
        if tags_of(planned):
            arguments["Tags"] = tag_list(planned)
        rds.create_db_instance_read_replica(**arguments)
        later = {name: _db_value(key, planned[key]) for key, name in REPLICA_MODIFY.items() if _set(planned.get(key))}
        if later:
            rds.modify_db_instance(DBInstanceIdentifier=identifier, ApplyImmediately=True, **later)
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        computed = self._computed(api, instance, planned)
        # The replica has no master secret of its own (the emulator copies the source's into its description).
        computed["master_user_secret"] = []
        return computed

    @staticmethod
    def _secret_key(api: Api, key_id: str | None) -> str | None:
        """The planned key of the secret when the emulator holds it (it cannot encrypt with a key it lacks)."""
        if not key_id:
            return None
        try:
            api.client("kms").describe_key(KeyId=key_id)
        except Exception as error:  # noqa: BLE001
            if gone(error):
                return None
            raise
        return key_id

    @staticmethod
    def _rotate(api: Api, secret_arn: str, planned: dict[str, Any]) -> None:
        """RDS turns on a 7-day rotation of the secrets it manages (the emulator does not) and tags them."""
        secrets = api.client("secretsmanager")
        tags = tags_of(planned)
        if tags:
            name = tags.get("Name") or planned.get("identifier") or "rds"
            secrets.tag_resource(
                SecretId=secret_arn,
                Tags=[{"Key": k, "Value": v} for k, v in {**tags, "Name": f"{name}-master"}.items()],
            )
        secrets.rotate_secret(
            SecretId=secret_arn,
            RotationRules={"AutomaticallyAfterDays": RDS_SECRET_ROTATION_DAYS},
            RotateImmediately=False,
        )

    @staticmethod
    def _computed(api: Api, instance: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        endpoint = instance.get("Endpoint") or {}
        port = endpoint.get("Port") or instance.get("DbInstancePort") or 3306
        secret = instance.get("MasterUserSecret") or {}
        identifier = instance["DBInstanceIdentifier"]
        computed: dict[str, Any] = {
            "id": instance.get("DbiResourceId") or identifier,
            "identifier": identifier,
            "resource_id": instance.get("DbiResourceId", ""),
            "arn": instance.get("DBInstanceArn") or api.arn("rds", f"db:{identifier}"),
            "address": endpoint.get("Address", ""),
            "endpoint": f"{endpoint.get('Address', '')}:{port}",
            "port": port,
            "hosted_zone_id": endpoint.get("HostedZoneId", ""),
            "engine_version_actual": instance.get("EngineVersion", ""),
            "status": instance.get("DBInstanceStatus", "available"),
            "latest_restorable_time": str(instance.get("LatestRestorableTime") or ""),
            "listener_endpoint": [],
            "replicas": list(instance.get("ReadReplicaDBInstanceIdentifiers") or []),
            "master_user_secret": (
                [
                    {
                        "secret_arn": secret["SecretArn"],
                        "secret_status": secret.get("SecretStatus", "active"),
                        "kms_key_id": secret.get("KmsKeyId", ""),
                    }
                ]
                if secret.get("SecretArn")
                else []
            ),
        }
        return computed

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        identifier = state.get("identifier") or state["id"]
        answer = ignore_gone(api.client("rds").describe_db_instances, DBInstanceIdentifier=identifier)
        if not answer or not answer["DBInstances"]:
            return None
        instance = answer["DBInstances"][0]
        if instance.get("DBInstanceStatus") in ("deleting", "deleted"):
            return None
        actual = {
            "instance_class": instance.get("DBInstanceClass"),
            "multi_az": bool(instance.get("MultiAZ")),
            "deletion_protection": bool(instance.get("DeletionProtection")),
            "publicly_accessible": bool(instance.get("PubliclyAccessible")),
            "backup_retention_period": instance.get("BackupRetentionPeriod", 0),
            "vpc_security_group_ids": sorted(g["VpcSecurityGroupId"] for g in instance.get("VpcSecurityGroups") or []),
        }
        # An argument the configuration leaves null stays null while the emulator holds its default.
        refreshed = {**state, **{k: v for k, v in actual.items() if state.get(k) is not None or v}}
        if "id" not in state or state.get("identifier") is None:  # an import: the whole computed state
            refreshed.update(self._computed(api, instance, state))
        return refresh_tags(api, refreshed, instance.get("TagList"))

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        return self.read(api, {"identifier": import_id})

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for key, name in DB_SETTINGS.items():
            if planned.get(key) != prior.get(key) and _set(planned.get(key)):
                changes[name] = _db_value(key, planned[key])
        if sorted(planned.get("vpc_security_group_ids") or []) != sorted(prior.get("vpc_security_group_ids") or []):
            changes["VpcSecurityGroupIds"] = list(planned.get("vpc_security_group_ids") or [])
        if "EngineVersion" in changes and planned.get("allow_major_version_upgrade"):
            changes["AllowMajorVersionUpgrade"] = True
        old_logs, new_logs = set(prior.get("enabled_cloudwatch_logs_exports") or []), set(
            planned.get("enabled_cloudwatch_logs_exports") or []
        )
        if old_logs != new_logs:
            changes["CloudwatchLogsExportConfiguration"] = {
                "EnableLogTypes": sorted(new_logs - old_logs),
                "DisableLogTypes": sorted(old_logs - new_logs),
            }
        manage = bool(planned.get("manage_master_user_password"))
        if manage != bool(prior.get("manage_master_user_password")):
            changes["ManageMasterUserPassword"] = manage
            key = self._secret_key(api, planned.get("master_user_secret_kms_key_id")) if manage else None
            if key:
                changes["MasterUserSecretKmsKeyId"] = key
        rds = api.client("rds")
        identifier = prior["identifier"]
        if changes:
            rds.modify_db_instance(
                DBInstanceIdentifier=identifier, ApplyImmediately=bool(planned.get("apply_immediately")), **changes
            )
        rds_retag(api, prior["arn"], prior, planned)
        if "ManageMasterUserPassword" in changes or "DBInstanceClass" in changes or "EngineVersion" in changes:
            instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
            secret = instance.get("MasterUserSecret") or {}
            if manage and secret.get("SecretArn") and "ManageMasterUserPassword" in changes:
                self._rotate(api, secret["SecretArn"], planned)
            computed = self._computed(api, instance, planned)
            return {k: computed[k] for k in ("master_user_secret", "engine_version_actual", "status")}
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        """As AWS: refused while deletion protection is on; a final snapshot unless skip_final_snapshot."""
        arguments: dict[str, Any] = {
            "DBInstanceIdentifier": state.get("identifier") or state["id"],
            "SkipFinalSnapshot": bool(state.get("skip_final_snapshot")),
            "DeleteAutomatedBackups": state.get("delete_automated_backups") is not False,
        }
        if not state.get("skip_final_snapshot"):
            if not state.get("final_snapshot_identifier"):
                raise ApplyError(
                    "final_snapshot_identifier is required when skip_final_snapshot is false",
                    f"Set skip_final_snapshot or final_snapshot_identifier for {arguments['DBInstanceIdentifier']}.",
                )
            arguments["FinalDBSnapshotIdentifier"] = state["final_snapshot_identifier"]
        try:
            ignore_gone(api.client("rds").delete_db_instance, **arguments)
        except Exception:  # noqa: BLE001
            # moto (5.2) removes a cross-region read replica, then fails (HTTP 500) to unlink it from its source
            # (it looks for the replica's identifier where it keeps its ARN): the replica gone is what counts.
            if not state.get("replicate_source_db") or self.read(api, state) is not None:
                raise


################################################################################
# EFS
################################################################################


def _lifecycle_policies(planned: dict[str, Any]) -> list[dict[str, str]]:
    names = {
        "transition_to_ia": "TransitionToIA",
        "transition_to_primary_storage_class": "TransitionToPrimaryStorageClass",
        "transition_to_archive": "TransitionToArchive",
    }
    return [
        {names[k]: v for k, v in policy.items() if k in names and v}
        for policy in planned.get("lifecycle_policy") or []
        if any(policy.get(k) for k in names)
    ]


def efs_retag(api: Api, arn_or_id: str, prior: dict[str, Any], planned: dict[str, Any]) -> None:
    efs = api.client("efs")
    old, new = tags_of(prior), tags_of(planned)
    removed = [k for k in old if k not in new]
    changed = [{"Key": k, "Value": v} for k, v in new.items() if old.get(k) != v]
    if removed:
        efs.untag_resource(ResourceId=arn_or_id, TagKeys=removed)
    if changed:
        efs.tag_resource(ResourceId=arn_or_id, Tags=changed)


@resource(
    "aws_efs_file_system",
    replace_on=("creation_token", "encrypted", "kms_key_id", "performance_mode", "availability_zone_name"),
)
class EfsFileSystem(Handler):
    """An EFS file system (encryption, performance and throughput mode, lifecycle policies); read refreshes
    its tags. Its replication overwrite protection (the protection block) stays in state only: moto has no
    UpdateFileSystemProtection."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        efs = api.client("efs")
        arguments: dict[str, Any] = {
            "CreationToken": planned.get("creation_token") or prefixed_unique_name("terraform-"),
            "PerformanceMode": planned.get("performance_mode") or "generalPurpose",
            "ThroughputMode": planned.get("throughput_mode") or "bursting",
            "Encrypted": bool(planned.get("encrypted")),
        }
        if planned.get("kms_key_id"):
            arguments["KmsKeyId"] = planned["kms_key_id"]
        if planned.get("provisioned_throughput_in_mibps"):
            arguments["ProvisionedThroughputInMibps"] = float(planned["provisioned_throughput_in_mibps"])
        if planned.get("availability_zone_name"):
            arguments["AvailabilityZoneName"] = planned["availability_zone_name"]
        if tags_of(planned):
            arguments["Tags"] = tag_list(planned)
        system = efs.create_file_system(**arguments)
        policies = _lifecycle_policies(planned)
        if policies:
            efs.put_lifecycle_configuration(FileSystemId=system["FileSystemId"], LifecyclePolicies=policies)
        system_id = system["FileSystemId"]
        return {
            "id": system_id,
            "arn": system.get("FileSystemArn") or api.arn("elasticfilesystem", f"file-system/{system_id}"),
            "dns_name": f"{system_id}.efs.{api.region}.amazonaws.com",
            "name": system.get("Name") or tags_of(planned).get("Name", ""),
            "owner_id": system.get("OwnerId") or api.account,
            "number_of_mount_targets": system.get("NumberOfMountTargets", 0),
            "availability_zone_id": system.get("AvailabilityZoneId", ""),
            "availability_zone_name": system.get("AvailabilityZoneName", ""),
            "size_in_bytes": [{"value": 0, "value_in_ia": 0, "value_in_standard": 0}],
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = ignore_gone(api.client("efs").describe_file_systems, FileSystemId=state["id"])
        if not answer or not answer["FileSystems"]:
            return None
        return refresh_tags(api, dict(state), answer["FileSystems"][0].get("Tags"))

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        efs = api.client("efs")
        if (prior.get("throughput_mode"), prior.get("provisioned_throughput_in_mibps")) != (
            planned.get("throughput_mode"),
            planned.get("provisioned_throughput_in_mibps"),
        ):
            raise ApplyError(
                "The emulator cannot change an EFS file system's throughput",
                "moto has no UpdateFileSystem; against AWS the provider changes it in place.",
            )
        if _lifecycle_policies(prior) != _lifecycle_policies(planned):
            efs.put_lifecycle_configuration(FileSystemId=prior["id"], LifecyclePolicies=_lifecycle_policies(planned))
        efs_retag(api, prior["id"], prior, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("efs").delete_file_system, FileSystemId=state["id"])


@resource("aws_efs_mount_target", replace_on=("file_system_id", "subnet_id", "ip_address", "ip_address_type"))
class EfsMountTarget(Handler):
    """An EFS mount target in a subnet; read refreshes its security groups (gone: created again)."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        arguments: dict[str, Any] = {"FileSystemId": planned["file_system_id"], "SubnetId": planned["subnet_id"]}
        if planned.get("security_groups"):
            arguments["SecurityGroups"] = list(planned["security_groups"])
        if planned.get("ip_address"):
            arguments["IpAddress"] = planned["ip_address"]
        mount = api.client("efs").create_mount_target(**arguments)
        system_id, zone = mount["FileSystemId"], mount.get("AvailabilityZoneName", "")
        return {
            "id": mount["MountTargetId"],
            "ip_address": mount.get("IpAddress", ""),
            "network_interface_id": mount.get("NetworkInterfaceId", ""),
            "availability_zone_id": mount.get("AvailabilityZoneId", ""),
            "availability_zone_name": zone,
            "owner_id": mount.get("OwnerId") or api.account,
            "file_system_arn": api.arn("elasticfilesystem", f"file-system/{system_id}"),
            "dns_name": f"{system_id}.efs.{api.region}.amazonaws.com",
            "mount_target_dns_name": f"{zone}.{system_id}.efs.{api.region}.amazonaws.com",
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        efs = api.client("efs")
        answer = ignore_gone(efs.describe_mount_targets, MountTargetId=state["id"])
        if not answer or not answer["MountTargets"]:
            return None
        groups = ignore_gone(efs.describe_mount_target_security_groups, MountTargetId=state["id"])
        if groups is None:
            return None
        return {**state, "security_groups": sorted(groups["SecurityGroups"])}

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        if sorted(prior.get("security_groups") or []) != sorted(planned.get("security_groups") or []):
            api.client("efs").modify_mount_target_security_groups(
                MountTargetId=prior["id"], SecurityGroups=list(planned.get("security_groups") or [])
            )
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(api.client("efs").delete_mount_target, MountTargetId=state["id"])


@resource("aws_efs_file_system_policy", replace_on=("file_system_id",))
class EfsFileSystemPolicy(Handler):
    """A file system's resource policy; read refreshes the policy. Delete removes it with DeleteFileSystemPolicy
    where the emulator has that call; moto has none, so there the policy stays until its file system goes."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        self._put(api, planned)
        return {"id": planned["file_system_id"]}

    @staticmethod
    def _put(api: Api, planned: dict[str, Any]) -> None:
        api.client("efs").put_file_system_policy(
            FileSystemId=planned["file_system_id"],
            Policy=planned["policy"],
            BypassPolicyLockoutSafetyCheck=bool(planned.get("bypass_policy_lockout_safety_check")),
        )

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = ignore_gone(api.client("efs").describe_file_system_policy, "PolicyNotFound", FileSystemId=state["id"])
        if not answer or not answer.get("Policy"):
            return None
        if same_json(answer["Policy"], state.get("policy")):
            return dict(state)
        return {**state, "policy": answer["Policy"]}

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        self._put(api, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        try:
            ignore_gone(api.client("efs").delete_file_system_policy, "PolicyNotFound", FileSystemId=state["id"])
        except Exception as error:  # noqa: BLE001
            # moto has no DeleteFileSystemPolicy: NotImplemented (HTTP 501; 500 from a plain moto_server). Any other
            # failure is real.
            if error_code(error) not in ("500", "501", "NotImplemented"):
                raise


state_only(
    "aws_efs_backup_policy",
    "moto has no PutBackupPolicy (it holds a backup policy only when set at file system creation)",
)


@resource("aws_efs_replication_configuration", replace_on=("source_file_system_id", "destination"))
class EfsReplicationConfiguration(Handler):
    """A file system's replication to another region of the account (CreateReplicationConfiguration): to the
    destination's file system when it names one, else to one EFS creates there; read back from
    DescribeReplicationConfigurations (status, destination). Deleting it makes the destination writable again. The
    configuration lives in its source's region (the resource's `region`: a DR standby's is in the primary's region)."""

    GONE = ("ReplicationNotFound", "FileSystemNotFound")

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        source_id = planned["source_file_system_id"]
        wanted = (planned.get("destination") or [{}])[0]
        destination = {
            key: wanted.get(name)
            for key, name in (
                ("Region", "region"),
                ("FileSystemId", "file_system_id"),
                ("KmsKeyId", "kms_key_id"),
                ("AvailabilityZoneName", "availability_zone_name"),
            )
            if wanted.get(name)
        }
        try:
            answer = api.client("efs", _region(api, planned)).create_replication_configuration(
                SourceFileSystemId=source_id, Destinations=[destination]
            )
        except Exception as error:  # noqa: BLE001 - a missing file system is the operator's to fix
            if gone(error, *self.GONE):
                raise ApplyError(
                    f"EFS file system {destination.get('FileSystemId') or source_id} not found",
                    "The replication's source, and a destination it names, must exist.",
                ) from error
            raise
        return self._state(answer, wanted)

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = ignore_gone(
            api.client("efs", _region(api, state)).describe_replication_configurations,
            *self.GONE,
            FileSystemId=state.get("source_file_system_id") or state["id"],
        )
        if not answer or not answer.get("Replications"):
            return None
        return {**state, **self._state(answer["Replications"][0], (state.get("destination") or [{}])[0])}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(
            api.client("efs", _region(api, state)).delete_replication_configuration,
            *self.GONE,
            SourceFileSystemId=state.get("source_file_system_id") or state["id"],
        )

    @staticmethod
    def _state(answer: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
        found = (answer.get("Destinations") or [{}])[0]
        created = answer.get("CreationTime")
        return {
            "id": answer["SourceFileSystemId"],
            "source_file_system_id": answer["SourceFileSystemId"],
            "source_file_system_arn": answer.get("SourceFileSystemArn"),
            "original_source_file_system_arn": answer.get("OriginalSourceFileSystemArn"),
            "source_file_system_region": answer.get("SourceFileSystemRegion"),
            "creation_time": created.isoformat() if hasattr(created, "isoformat") else str(created or ""),
            "destination": [
                {
                    **wanted,
                    "file_system_id": found.get("FileSystemId"),
                    "region": found.get("Region"),
                    "status": found.get("Status"),
                }
            ],
        }


################################################################################
# S3
################################################################################

S3_GONE = ("NoSuchBucket", "404")
# S3's website and alias hosted zones, by region (the provider's table).
S3_HOSTED_ZONES = {"us-east-1": "Z3AQBSTGFYJSTF", "af-south-1": "Z83WF9RJE8B12"}


def _region(api: Api, planned: dict[str, Any]) -> str:
    return planned.get("region") or api.region


@resource("aws_s3_bucket", replace_on=("bucket", "bucket_prefix", "object_lock_enabled"))
class S3Bucket(Handler):
    """An S3 bucket in its region; read refreshes its tags. force_destroy empties it (every object version)
    before deleting it."""

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        s3 = api.client("s3")
        region = _region(api, planned)
        name = planned.get("bucket") or prefixed_unique_name(planned.get("bucket_prefix") or "terraform-")
        arguments: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        if planned.get("object_lock_enabled"):
            arguments["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**arguments)
        if tags_of(planned):
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(planned)})
        return {
            "id": name,
            "bucket": name,
            "arn": f"arn:aws:s3:::{name}",
            "bucket_domain_name": f"{name}.s3.amazonaws.com",
            "bucket_regional_domain_name": f"{name}.s3.{region}.amazonaws.com",
            "bucket_region": region,
            "hosted_zone_id": S3_HOSTED_ZONES.get(region, ""),
        }

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        s3 = api.client("s3")
        try:
            tags = s3.get_bucket_tagging(Bucket=state["id"])["TagSet"]
        except Exception as error:  # noqa: BLE001
            if error_code(error) == "NoSuchTagSet":
                tags = []
            elif gone(error, *S3_GONE):
                return None
            else:
                raise
        return refresh_tags(api, dict(state), tags)

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        if tags_of(prior) != tags_of(planned):
            s3 = api.client("s3")
            if tags_of(planned):
                s3.put_bucket_tagging(Bucket=prior["id"], Tagging={"TagSet": tag_list(planned)})
            else:
                s3.delete_bucket_tagging(Bucket=prior["id"])
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        s3 = api.client("s3")
        if state.get("force_destroy"):
            try:
                self._empty(s3, state["id"])
            except Exception as error:  # noqa: BLE001
                if gone(error, *S3_GONE):
                    return
                raise
        ignore_gone(s3.delete_bucket, *S3_GONE, Bucket=state["id"])

    @staticmethod
    def _empty(s3: Any, bucket: str) -> None:
        """Every object version and delete marker removed (bounded: at most 1000 rounds of 1000).

        The emulator serves plain HTTP, so a bucket policy denying aws:SecureTransport=false refuses each object
        deletion (AWS, reached over TLS, would not). Destroy removes aws_s3_bucket_policy before its bucket; should
        the policy still be there, it is deleted with the bucket here, as it would be with the bucket in AWS."""
        policy_removed = False
        for _round in range(1000):
            listing = s3.list_object_versions(Bucket=bucket)
            objects = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in (listing.get("Versions") or []) + (listing.get("DeleteMarkers") or [])
            ]
            if not objects:
                return
            errors = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects[:1000], "Quiet": True}).get("Errors")
            if not errors:
                continue
            if policy_removed or any(e.get("Code") != "AccessDenied" for e in errors):
                raise ApplyError(f"Bucket {bucket} could not be emptied", json.dumps(errors[:5]))
            ignore_gone(s3.delete_bucket_policy, *S3_GONE, Bucket=bucket)
            policy_removed = True
        raise ApplyError(f"Bucket {bucket} still holds objects after 1000 rounds of deletion")


class S3BucketSetting(Handler):
    """One setting of a bucket (the bucket's name is the id): put, read back, removed on delete."""

    missing: tuple[str, ...] = ()

    def put(self, api: Api, planned: dict[str, Any]) -> None:
        raise NotImplementedError

    def fetch(self, api: Api, bucket: str) -> Any:
        raise NotImplementedError

    def refresh(self, state: dict[str, Any], answer: Any) -> dict[str, Any] | None:
        return dict(state)

    def remove(self, api: Api, bucket: str) -> None:
        raise NotImplementedError

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        self.put(api, planned)
        return {"id": planned["bucket"]}

    def read(self, api: Api, state: dict[str, Any]) -> dict[str, Any] | None:
        answer = ignore_gone(self.fetch, *S3_GONE, *self.missing, api=api, bucket=state["bucket"])
        if answer is None:
            return None
        return self.refresh(state, answer)

    def update(self, api: Api, prior: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any]:
        self.put(api, planned)
        return {}

    def delete(self, api: Api, state: dict[str, Any]) -> None:
        ignore_gone(self.remove, *S3_GONE, *self.missing, api=api, bucket=state["bucket"])

    def import_state(self, api: Api, import_id: str) -> dict[str, Any] | None:
        return self.read(api, {"id": import_id, "bucket": import_id.split(",")[0]})


@resource("aws_s3_bucket_versioning", replace_on=("bucket", "expected_bucket_owner"))
class S3BucketVersioning(S3BucketSetting):
    """A bucket's versioning; read refreshes its status. Delete suspends versioning, as the provider does."""

    def put(self, api: Api, planned: dict[str, Any]) -> None:
        config = (planned.get("versioning_configuration") or [{}])[0]
        versioning = {"Status": config.get("status") or "Enabled"}
        if config.get("mfa_delete"):
            versioning["MFADelete"] = config["mfa_delete"]
        api.client("s3").put_bucket_versioning(Bucket=planned["bucket"], VersioningConfiguration=versioning)

    def fetch(self, api: Api, bucket: str) -> Any:
        return api.client("s3").get_bucket_versioning(Bucket=bucket)

    def refresh(self, state: dict[str, Any], answer: Any) -> dict[str, Any] | None:
        if not answer.get("Status"):
            return None
        configs = [dict(c) for c in state.get("versioning_configuration") or [{}]]
        configs[0]["status"] = answer["Status"]
        return {**state, "versioning_configuration": configs}

    def remove(self, api: Api, bucket: str) -> None:
        api.client("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})


@resource("aws_s3_bucket_server_side_encryption_configuration", replace_on=("bucket", "expected_bucket_owner"))
class S3BucketEncryption(S3BucketSetting):
    """A bucket's default encryption; read refreshes the algorithm and key."""

    missing = ("ServerSideEncryptionConfigurationNotFoundError",)

    def put(self, api: Api, planned: dict[str, Any]) -> None:
        rules = []
        for rule in planned.get("rule") or []:
            item: dict[str, Any] = {}
            for default in rule.get("apply_server_side_encryption_by_default") or []:
                item["ApplyServerSideEncryptionByDefault"] = {"SSEAlgorithm": default["sse_algorithm"]}
                if default.get("kms_master_key_id"):
                    item["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = default["kms_master_key_id"]
            if rule.get("bucket_key_enabled") is not None:
                item["BucketKeyEnabled"] = bool(rule["bucket_key_enabled"])
            rules.append(item)
        api.client("s3").put_bucket_encryption(
            Bucket=planned["bucket"], ServerSideEncryptionConfiguration={"Rules": rules}
        )

    def fetch(self, api: Api, bucket: str) -> Any:
        return api.client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]

    def refresh(self, state: dict[str, Any], answer: Any) -> dict[str, Any] | None:
        actual = [r.get("ApplyServerSideEncryptionByDefault") or {} for r in answer.get("Rules") or []]
        rules = []
        for index, rule in enumerate(state.get("rule") or []):
            got = actual[index] if index < len(actual) else {}
            defaults = [
                {
                    **d,
                    "sse_algorithm": got.get("SSEAlgorithm", d.get("sse_algorithm")),
                    "kms_master_key_id": (
                        got.get("KMSMasterKeyID")
                        if d.get("kms_master_key_id") is not None or got.get("KMSMasterKeyID")
                        else None
                    ),
                }
                for d in rule.get("apply_server_side_encryption_by_default") or []
            ]
            rules.append({**rule, "apply_server_side_encryption_by_default": defaults})
        return {**state, "rule": rules}

    def remove(self, api: Api, bucket: str) -> None:
        api.client("s3").delete_bucket_encryption(Bucket=bucket)


PUBLIC_ACCESS = {
    "block_public_acls": "BlockPublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "ignore_public_acls": "IgnorePublicAcls",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


@resource("aws_s3_bucket_public_access_block", replace_on=("bucket",))
class S3BucketPublicAccessBlock(S3BucketSetting):
    """A bucket's public access block; read refreshes the four switches."""

    missing = ("NoSuchPublicAccessBlockConfiguration",)

    def put(self, api: Api, planned: dict[str, Any]) -> None:
        api.client("s3").put_public_access_block(
            Bucket=planned["bucket"],
            PublicAccessBlockConfiguration={name: bool(planned.get(key)) for key, name in PUBLIC_ACCESS.items()},
        )

    def fetch(self, api: Api, bucket: str) -> Any:
        return api.client("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]

    def refresh(self, state: dict[str, Any], answer: Any) -> dict[str, Any] | None:
        return {**state, **{key: bool(answer.get(name)) for key, name in PUBLIC_ACCESS.items()}}

    def remove(self, api: Api, bucket: str) -> None:
        api.client("s3").delete_public_access_block(Bucket=bucket)


@resource("aws_s3_bucket_policy", replace_on=("bucket",))
class S3BucketPolicy(S3BucketSetting):
    """A bucket's policy; read refreshes it. The emulator is plain HTTP: a policy denying aws:SecureTransport=false
    refuses object requests there, never the bucket-level calls these handlers make (see S3Bucket._empty)."""

    missing = ("NoSuchBucketPolicy",)

    def put(self, api: Api, planned: dict[str, Any]) -> None:
        api.client("s3").put_bucket_policy(Bucket=planned["bucket"], Policy=planned["policy"])

    def fetch(self, api: Api, bucket: str) -> Any:
        return api.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]

    def refresh(self, state: dict[str, Any], answer: Any) -> dict[str, Any] | None:
        return dict(state) if same_json(answer, state.get("policy")) else {**state, "policy": answer}

    def remove(self, api: Api, bucket: str) -> None:
        api.client("s3").delete_bucket_policy(Bucket=bucket)


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"ID": rule["id"], "Status": rule["status"]}
    filters = rule.get("filter") or []
    if filters:
        f = filters[0] or {}
        if f.get("prefix") is not None:
            item["Filter"] = {"Prefix": f["prefix"]}
        elif f.get("tag"):
            item["Filter"] = {"Tag": {"Key": f["tag"][0]["key"], "Value": f["tag"][0]["value"]}}
        elif f.get("object_size_greater_than") is not None:
            item["Filter"] = {"ObjectSizeGreaterThan": int(f["object_size_greater_than"])}
        elif f.get("object_size_less_than") is not None:
            item["Filter"] = {"ObjectSizeLessThan": int(f["object_size_less_than"])}
        else:
            item["Filter"] = {"Prefix": ""}
    elif rule.get("prefix") is not None:
        item["Prefix"] = rule["prefix"]
    else:
        item["Filter"] = {"Prefix": ""}
    for expiration in rule.get("expiration") or []:
        item["Expiration"] = {}
        if expiration.get("days"):
            item["Expiration"]["Days"] = int(expiration["days"])
        if expiration.get("date"):
            item["Expiration"]["Date"] = expiration["date"]
        if expiration.get("expired_object_delete_marker"):
            item["Expiration"]["ExpiredObjectDeleteMarker"] = True
    for noncurrent in rule.get("noncurrent_version_expiration") or []:
        item["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(noncurrent["noncurrent_days"])}
        if noncurrent.get("newer_noncurrent_versions"):
            item["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"] = int(
                noncurrent["newer_noncurrent_versions"]
            )
    for abort in rule.get("abort_incomplete_multipart_upload") or []:
        item["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(abort["days_after_initiation"])}
    transitions = [
        {"StorageClass": t["storage_class"], **({"Days": int(t["days"])} if t.get("days") is not None else {})}
        for t in rule.get("transition") or []
    ]
    if transitions:
        item["Transitions"] = transitions
    noncurrent_transitions = [
        {"StorageClass": t["storage_class"], "NoncurrentDays": int(t["noncurrent_days"])}
        for t in rule.get("noncurrent_version_transition") or []
    ]
    if noncurrent_transitions:
        item["NoncurrentVersionTransitions"] = noncurrent_transitions
    return item


@resource("aws_s3_bucket_lifecycle_configuration", replace_on=("bucket", "expected_bucket_owner"))
class S3BucketLifecycle(S3BucketSetting):
    """A bucket's lifecycle rules; read refreshes each rule's status and expiration days (a removed
    configuration is created again)."""

    missing = ("NoSuchLifecycleConfiguration",)

    def put(self, api: Api, planned: dict[str, Any]) -> None:
        api.client("s3").put_bucket_lifecycle_configuration(
            Bucket=planned["bucket"],
            LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in planned.get("rule") or []]},
        )

    def create(self, api: Api, planned: dict[str, Any]) -> dict[str, Any]:
        self.put(api, planned)
        return {"id": planned["bucket"]}

    def fetch(self, api: Api, bucket: str) -> Any:
        return api.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]

    def refresh(self, state: dict[str, Any], answer: Any) -> dict[str, Any] | None:
        actual = {r.get("ID"): r for r in answer}
        rules = []
        for rule in state.get("rule") or []:
            got = actual.get(rule["id"])
            if got is None:
                continue
            refreshed = {**rule, "status": got.get("Status", rule["status"])}
            days = (got.get("Expiration") or {}).get("Days")
            if rule.get("expiration") and days is not None:
                refreshed["expiration"] = [{**rule["expiration"][0], "days": days}]
            rules.append(refreshed)
        return {**state, "rule": rules}

    def remove(self, api: Api, bucket: str) -> None:
        api.client("s3").delete_bucket_lifecycle(Bucket=bucket)


@resource("aws_s3_bucket_ownership_controls", replace_on=("bucket",))
class S3BucketOwnershipControls(S3BucketSetting):
    """A bucket's object ownership; read refreshes it."""

    missing = ("OwnershipControlsNotFoundError",)

    def put(self, api: Api, planned: dict[str, Any]) -> None:
        rules = [{"ObjectOwnership": r["object_ownership"]} for r in planned.get("rule") or []]
        api.client("s3").put_bucket_ownership_controls(Bucket=planned["bucket"], OwnershipControls={"Rules": rules})

    def fetch(self, api: Api, bucket: str) -> Any:
        return api.client("s3").get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]

    def refresh(self, state: dict[str, Any], answer: Any) -> dict[str, Any] | None:
        if not answer:
            return None
        return {**state, "rule": [{"object_ownership": r["ObjectOwnership"]} for r in answer]}

    def remove(self, api: Api, bucket: str) -> None:
        api.client("s3").delete_bucket_ownership_controls(Bucket=bucket)
