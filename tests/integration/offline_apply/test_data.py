"""RDS, EFS and S3 as Terraform applies them into the emulator: created in the environment's own account with the
inventory's settings, read back, drift found and repaired, a second plan with nothing to do, and destroyed (a
protected instance refused as AWS refuses it, a final snapshot kept)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from offline_support import session
from emulated_stack import Stack
from emulated_stack import StackError

DB = "aws_db_instance.this[0]"  # absent in a DR standby (dr_role), hence the index
MOUNT_TARGET = "aws_efs_mount_target.this[0]"
PARAMETERS = "aws_db_parameter_group.this"
VERSIONING = "aws_s3_bucket_versioning.cloudfront_logs"
EDGE_REGION = "us-east-1"
LOG_BUCKET = "bbws-dev-cloudfront-logs-536580886816"


def _instance(stack: Stack) -> dict:
    rds = session(stack).client("rds")
    return rds.describe_db_instances(DBInstanceIdentifier=f"bbws-{stack.environment}-mysql")["DBInstances"][0]


def test_the_database_has_the_inventorys_settings_in_the_environments_account(applied: Stack) -> None:
    facts = applied.facts
    instance = _instance(applied)
    assert instance["DBInstanceArn"].split(":")[4] == facts["bbws_account_id"] == "536580886816"
    assert (instance["Engine"], instance["EngineVersion"]) == ("mysql", str(facts["bbws_rds_engine_version"]))
    assert instance["DBInstanceClass"] == facts["bbws_rds_instance_class"]
    assert instance["AllocatedStorage"] == facts["bbws_rds_allocated_storage"]
    assert instance["MultiAZ"] is facts["bbws_rds_multi_az"]
    assert instance["BackupRetentionPeriod"] == facts["bbws_rds_backup_retention_days"]
    assert instance["DeletionProtection"] is facts["bbws_rds_deletion_protection"]
    assert instance["StorageEncrypted"] is True and instance["PubliclyAccessible"] is False
    ec2 = session(applied).client("ec2")
    [group_id] = [g["VpcSecurityGroupId"] for g in instance["VpcSecurityGroups"]]
    assert ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["GroupName"] == "bbws-dev-rds"
    subnets = ec2.describe_subnets(SubnetIds=[s["SubnetIdentifier"] for s in instance["DBSubnetGroup"]["Subnets"]])
    assert instance["DBSubnetGroup"]["DBSubnetGroupName"] == "bbws-dev-db"
    assert {t["Value"] for s in subnets["Subnets"] for t in s["Tags"] if t["Key"] == "Tier"} == {"private"}
    tags = {t["Key"]: t["Value"] for t in instance["TagList"]}
    assert tags["Name"] == "bbws-dev-mysql" and tags["Environment"] == "dev" and tags["ManagedBy"] == "terraform"

    # The parameter group generated from its name_prefix, with the stack's parameters.
    [group] = [g["DBParameterGroupName"] for g in instance["DBParameterGroups"]]
    assert group.startswith("bbws-dev-mysql84-")
    rds = session(applied).client("rds")
    parameters = {
        p["ParameterName"]: p["ParameterValue"]
        for p in rds.describe_db_parameters(DBParameterGroupName=group, Source="user")["Parameters"]
    }
    assert parameters["require_secure_transport"] == "1" and parameters["character_set_server"] == "utf8mb4"

    # The password lives in a secret RDS manages and rotates every 7 days; the stack's outputs name it.
    secret_arn = instance["MasterUserSecret"]["SecretArn"]
    secret = session(applied).client("secretsmanager").describe_secret(SecretId=secret_arn)
    assert secret["RotationEnabled"] is True and secret["RotationRules"]["AutomaticallyAfterDays"] == 7
    outputs = applied.outputs()
    assert outputs["rds_master_secret_arn"] == secret_arn
    assert outputs["rds_endpoint"] == f"{instance['Endpoint']['Address']}:3306" and outputs["rds_port"] == 3306


def test_efs_and_its_mount_targets_are_in_the_private_subnets(applied: Stack) -> None:
    efs = session(applied).client("efs")
    [system] = [f for f in efs.describe_file_systems()["FileSystems"] if f["CreationToken"] == "bbws-dev-efs"]
    assert system["Encrypted"] is True and system["ThroughputMode"] == "elastic"
    assert system["PerformanceMode"] == "generalPurpose"
    assert {t["Key"]: t["Value"] for t in system["Tags"]}["Name"] == "bbws-dev-efs"
    policies = efs.describe_lifecycle_configuration(FileSystemId=system["FileSystemId"])["LifecyclePolicies"]
    assert {"TransitionToIA": "AFTER_30_DAYS"} in policies
    mounts = efs.describe_mount_targets(FileSystemId=system["FileSystemId"])["MountTargets"]
    assert len(mounts) == 2 and len({m["SubnetId"] for m in mounts}) == 2
    ec2 = session(applied).client("ec2")
    for mount in mounts:
        [group] = efs.describe_mount_target_security_groups(MountTargetId=mount["MountTargetId"])["SecurityGroups"]
        assert ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["GroupName"] == "bbws-dev-efs"
    policy = json.loads(efs.describe_file_system_policy(FileSystemId=system["FileSystemId"])["Policy"])
    assert {s["Sid"] for s in policy["Statement"]} == {"DenyInsecureTransport", "ClusterTasksOnly"}
    outputs = applied.outputs()
    assert outputs["efs_id"] == system["FileSystemId"]
    assert outputs["efs_dns_name"] == f"{system['FileSystemId']}.efs.af-south-1.amazonaws.com"


def test_the_cloudfront_log_bucket_is_in_us_east_1_with_its_settings(applied: Stack) -> None:
    s3 = session(applied, EDGE_REGION).client("s3")
    bucket = LOG_BUCKET
    assert s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") in (None, "", EDGE_REGION)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    [lifecycle] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["Expiration"]["Days"] == applied.facts["bbws_log_retention_days"]
    # The policy is in force: the emulator is plain HTTP, so an object write is refused as AWS refuses non-TLS.
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport"]
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key="probe", Body=b"x")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_changes_behind_terraforms_back_are_drift_one_plan_finds_and_one_apply_repairs(applied: Stack) -> None:
    sess = session(applied)
    rds, efs, s3 = sess.client("rds"), sess.client("efs"), session(applied, EDGE_REGION).client("s3")
    # The instance resized, made public and protected; a parameter turned off; a mount target deleted;
    # versioning suspended on the log bucket.
    rds.modify_db_instance(
        DBInstanceIdentifier="bbws-dev-mysql",
        DBInstanceClass="db.t3.small",
        PubliclyAccessible=True,
        DeletionProtection=True,
        ApplyImmediately=True,
    )
    [group] = [g["DBParameterGroupName"] for g in _instance(applied)["DBParameterGroups"]]
    rds.modify_db_parameter_group(
        DBParameterGroupName=group,
        Parameters=[{"ParameterName": "require_secure_transport", "ParameterValue": "0", "ApplyMethod": "immediate"}],
    )
    [system] = [f for f in efs.describe_file_systems()["FileSystems"] if f["CreationToken"] == "bbws-dev-efs"]
    state = json.loads(applied.terraform("show", "-json").stdout)
    [target_id] = [
        r["values"]["id"] for r in state["values"]["root_module"]["resources"] if r["address"] == MOUNT_TARGET
    ]
    efs.delete_mount_target(MountTargetId=target_id)
    s3.put_bucket_versioning(Bucket=LOG_BUCKET, VersioningConfiguration={"Status": "Suspended"})

    drift = applied.plan()
    assert drift.returncode == 2
    assert f"{DB} will be updated in-place" in drift.stdout
    assert '"db.t3.small" -> "db.t3.micro"' in drift.stdout
    assert f"{PARAMETERS} will be updated in-place" in drift.stdout
    assert f"{MOUNT_TARGET} will be created" in drift.stdout
    assert f"{VERSIONING} will be updated in-place" in drift.stdout and '"Suspended" -> "Enabled"' in drift.stdout

    applied.apply()
    instance = _instance(applied)
    assert (instance["DBInstanceClass"], instance["PubliclyAccessible"], instance["DeletionProtection"]) == (
        "db.t3.micro",
        False,
        False,
    )
    parameters = rds.describe_db_parameters(DBParameterGroupName=group, Source="user")["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in parameters}["require_secure_transport"] == "1"
    mounts = efs.describe_mount_targets(FileSystemId=system["FileSystemId"])["MountTargets"]
    assert len(mounts) == 2 and target_id not in {m["MountTargetId"] for m in mounts}
    assert s3.get_bucket_versioning(Bucket=LOG_BUCKET)["Status"] == "Enabled"
    assert applied.plan().returncode == 0


def test_destroy_refuses_a_protected_instance_then_removes_the_data_and_keeps_a_final_snapshot(
    applied: Stack, tmp_path: Path
) -> None:
    stack = Stack("sit", tmp_path / "sit")
    stack.apply()
    sit = session(stack)
    rds, efs, s3 = sit.client("rds"), sit.client("efs"), session(stack, EDGE_REGION).client("s3")
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]] == ["bbws-sit-mysql"]
    assert len(efs.describe_file_systems()["FileSystems"]) == 1
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["bbws-sit-cloudfront-logs-815856636111"]

    # A log object in the bucket (written over TLS in AWS; here the non-TLS policy is lifted for the write and put
    # back): force_destroy (not prod) empties the bucket first.
    bucket = "bbws-sit-cloudfront-logs-815856636111"
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="cdn/E1.2026-12-01-00.log.gz", Body=b"log")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)

    # As AWS: an instance with deletion protection on is not deleted (here turned on behind Terraform's back).
    rds.modify_db_instance(DBInstanceIdentifier="bbws-sit-mysql", DeletionProtection=True, ApplyImmediately=True)
    with pytest.raises(StackError, match="Cannot delete protected DB Instance"):
        stack.destroy()
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]] == ["bbws-sit-mysql"]

    rds.modify_db_instance(DBInstanceIdentifier="bbws-sit-mysql", DeletionProtection=False, ApplyImmediately=True)
    stack.destroy()
    assert rds.describe_db_instances()["DBInstances"] == []
    snapshots = [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]]
    assert [s for s in snapshots if s.startswith("bbws-sit-mysql-final-")] == snapshots and len(snapshots) == 1
    assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []
    assert [
        g
        for g in rds.describe_db_parameter_groups()["DBParameterGroups"]
        if g["DBParameterGroupName"].startswith("bbws-")
    ] == []
    assert efs.describe_file_systems()["FileSystems"] == []
    assert s3.list_buckets()["Buckets"] == []
    # dev's data is untouched.
    assert _instance(applied)["DBInstanceStatus"] == "available"


def test_force_destroy_empties_a_bucket_whose_policy_refuses_the_emulators_plain_http(applied: Stack) -> None:
    """The emulator refuses object deletions under a deny-non-TLS policy; the bucket's deletion still empties it."""
    import offline_aws

    api = offline_aws.api_for(applied.facts["bbws_aws_profile"], EDGE_REGION, applied.facts["bbws_account_id"])
    s3 = session(applied, EDGE_REGION).client("s3")
    bucket = "bbws-dev-probe-force-destroy"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2"):
        s3.put_object(Bucket=bucket, Key="a", Body=body)
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    with pytest.raises(ClientError):
        s3.delete_object(Bucket=bucket, Key="a")

    offline_aws.handler_for("aws_s3_bucket").delete(api, {"id": bucket, "bucket": bucket, "force_destroy": True})
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_a_cross_region_read_replica_follows_the_instance_by_arn_without_a_secret_of_its_own(applied: Stack) -> None:
    """A DR standby's database (dr_role standby): the replica handler in another region of the same account."""
    import offline_aws

    facts = applied.facts
    source = _instance(applied)
    api = offline_aws.api_for(facts["bbws_aws_profile"], "eu-west-1", facts["bbws_account_id"])
    key = session(applied, "eu-west-1").client("kms").create_key(Description="bbws-dev replica")["KeyMetadata"]["Arn"]
    rds = session(applied, "eu-west-1").client("rds")
    # The standby's own parameter group in its region, as the stack gives the replica (the emulator fails on a
    # replica that would keep the source's group, which exists only in the source's region).
    rds.create_db_parameter_group(
        DBParameterGroupName="bbws-dev-mysql84-replica", DBParameterGroupFamily="mysql8.4", Description="replica"
    )
    planned = {
        "identifier": "bbws-dev-mysql",
        "replicate_source_db": source["DBInstanceArn"],
        "instance_class": "db.t3.small",
        "storage_type": "gp3",
        "storage_encrypted": True,
        "kms_key_id": key,
        "parameter_group_name": "bbws-dev-mysql84-replica",
        "publicly_accessible": False,
        "multi_az": False,
        "backup_retention_period": 3,
        "skip_final_snapshot": True,
        "tags": {"Name": "bbws-dev-mysql"},
    }
    handler = offline_aws.handler_for("aws_db_instance")
    computed = handler.create(api, planned)
    try:
        assert computed["master_user_secret"] == []
        assert computed["arn"] == f"arn:aws:rds:eu-west-1:{facts['bbws_account_id']}:db:bbws-dev-mysql"
        [replica] = rds.describe_db_instances(DBInstanceIdentifier="bbws-dev-mysql")["DBInstances"]
        assert replica["ReadReplicaSourceDBInstanceIdentifier"] == source["DBInstanceArn"]
        assert (replica["DBInstanceClass"], replica["KmsKeyId"]) == ("db.t3.small", key)
        assert replica["BackupRetentionPeriod"] == 3  # set after creation, as the provider does
        assert computed["arn"] in _instance(applied)["ReadReplicaDBInstanceIdentifiers"]
        assert handler.read(api, {**planned, **computed}) is not None
    finally:
        handler.delete(api, {**planned, **computed})
        rds.delete_db_parameter_group(DBParameterGroupName="bbws-dev-mysql84-replica")
    assert rds.describe_db_instances()["DBInstances"] == []


def test_efs_replication_runs_in_the_sources_region_and_goes_with_its_deletion(applied: Stack) -> None:
    """As a DR standby configures it: from the standby's provider (another region), with the resource's region the
    source's (dev's file system standing in for the primary's) and the standby's file system as destination. The
    emulator replicates (its EFS replication): the destination is read-only until the configuration is deleted."""
    import offline_aws

    facts = applied.facts
    source_region = facts["bbws_region"]
    standby_region = "eu-west-1"
    assert standby_region != source_region
    api = offline_aws.api_for(facts["bbws_aws_profile"], standby_region, facts["bbws_account_id"])
    handler = offline_aws.handler_for("aws_efs_replication_configuration")
    assert not handler.state_only
    source_id = applied.outputs()["efs_id"]
    standby_efs = boto3.Session(profile_name=facts["bbws_aws_profile"], region_name=standby_region).client("efs")
    destination_id = standby_efs.create_file_system(CreationToken="bbws-dev-efs", Encrypted=True)["FileSystemId"]
    planned = {
        "region": source_region,
        "source_file_system_id": source_id,
        "destination": [{"region": standby_region, "file_system_id": destination_id}],
    }
    # The source is looked up in the configuration's region only: not in the standby's.
    with pytest.raises(offline_aws.ApplyError, match="not found"):
        handler.create(api, {**planned, "region": standby_region})
    with pytest.raises(offline_aws.ApplyError, match="not found"):
        handler.create(api, {**planned, "source_file_system_id": "fs-0123456789abcdef0"})
    computed = handler.create(api, planned)
    state = {**planned, **computed}
    assert computed["id"] == source_id and computed["source_file_system_region"] == source_region
    assert computed["source_file_system_arn"].endswith(f":file-system/{source_id}")
    (destination,) = computed["destination"]
    assert destination["file_system_id"] == destination_id and destination["region"] == standby_region
    assert destination["status"] == "ENABLED"
    assert handler.read(api, state)["destination"] == computed["destination"]
    # Found from the destination's side too, as in AWS.
    (seen,) = standby_efs.describe_replication_configurations(FileSystemId=destination_id)["Replications"]
    assert seen["SourceFileSystemId"] == source_id
    handler.delete(api, state)
    assert handler.read(api, state) is None
    with pytest.raises(ClientError, match="ReplicationNotFound"):
        standby_efs.describe_replication_configurations(FileSystemId=destination_id)
