"""Failover and failback of stacks Terraform built: prod as the DR primary (its distribution's origin group) in
af-south-1 and its standby (read replica, EFS replication) in eu-west-1, both terraform/ applied into the emulated
prod account through the offline provider. The tenant service is the tenant layer's: made here in both regions."""

from __future__ import annotations

import boto3
import faults
import pytest

from ansible_collections.bbws.ecs_cluster.plugins.modules import dr_failover

pytestmark = pytest.mark.emulator

DR = "eu-west-1"
PRIMARY_ORIGIN, DR_ORIGIN, GROUP = "bbws-prod-alb", f"bbws-prod-alb-{DR}", "bbws-prod-failover"


def tenant_service(session: boto3.Session, region: str, cluster: str, desired: int) -> None:
    ecs = session.client("ecs", region_name=region)
    task = ecs.register_task_definition(
        family="bbws-prod-banana",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="1024",
        memory="2048",
        containerDefinitions=[{"name": "wordpress", "image": "wordpress:6"}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster=cluster, serviceName="banana", taskDefinition=task, desiredCount=desired)


def distribution(session: boto3.Session) -> dict:
    cloudfront = session.client("cloudfront")
    [summary] = [d for d in cloudfront.list_distributions()["DistributionList"]["Items"] if d["Comment"] == "bbws-prod"]
    return cloudfront.get_distribution_config(Id=summary["Id"])["DistributionConfig"]


def test_failover_and_failback_of_the_terraform_built_primary_and_standby(aws, module_runner):
    primary = faults.build_cluster("prod", overrides={"dr_role": "primary", "dr_region": DR})
    standby = faults.build_standby("prod", DR)
    session = boto3.Session(profile_name="Tebogo-prod")
    tenant_service(session, primary.region, primary.cluster_name, 2)
    tenant_service(session, DR, standby.cluster_name, 0)
    config = distribution(session)
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == GROUP
    [group] = config["OriginGroups"]["Items"]
    assert [m["OriginId"] for m in group["Members"]["Items"]] == [PRIMARY_ORIGIN, DR_ORIGIN]

    args = {
        "profile": "Tebogo-prod",
        "project": "bbws",
        "environment": "prod",
        "primary_region": primary.region,
        "dr_region": DR,
        "direction": "failover",
        "expected_account_id": primary.account_id,
        "wait_timeout": 60,
    }
    refused = module_runner(dr_failover, args)
    assert refused.failed and "healthy" in refused["msg"]

    forced = {**args, "force": True, "force_reason": "DR drill on the emulated account"}
    plan = module_runner(dr_failover, forced)
    assert not plan.failed, plan["msg"]
    kinds = [a["action"] for a in plan["actions"]]
    assert kinds[:3] == ["promote_read_replica", "delete_efs_replication", "scale_service"]
    assert kinds[-1] == "set_origin_group_primary"
    assert plan["actions"][1]["source"] == standby.primary_efs_id

    done = module_runner(dr_failover, {**forced, "approved_digest": plan["digest"]})
    assert not done.failed, done["msg"]
    rds = session.client("rds", region_name=DR)
    [db] = rds.describe_db_instances(DBInstanceIdentifier=standby.rds_identifier)["DBInstances"]
    assert db["DBInstanceStatus"] == "available"
    assert any(t["Key"] == "bbws:dr-promoted" for t in db["TagList"])
    efs = session.client("efs", region_name=DR)
    with pytest.raises(efs.exceptions.ReplicationNotFound):
        efs.describe_replication_configurations(FileSystemId=standby.efs_id)
    ecs = session.client("ecs", region_name=DR)
    [service] = ecs.describe_services(cluster=standby.cluster_name, services=["banana"])["services"]
    assert service["desiredCount"] == 2
    [group] = distribution(session)["OriginGroups"]["Items"]
    assert [m["OriginId"] for m in group["Members"]["Items"]] == [DR_ORIGIN, PRIMARY_ORIGIN]
    assert module_runner(dr_failover, forced)["actions"] == []

    back = module_runner(dr_failover, {**args, "direction": "failback"})
    assert not back.failed, back["msg"]
    returned = module_runner(dr_failover, {**args, "direction": "failback", "approved_digest": back["digest"]})
    assert not returned.failed, returned["msg"]
    [group] = distribution(session)["OriginGroups"]["Items"]
    assert [m["OriginId"] for m in group["Members"]["Items"]] == [PRIMARY_ORIGIN, DR_ORIGIN]
    [service] = ecs.describe_services(cluster=standby.cluster_name, services=["banana"])["services"]
    assert service["desiredCount"] == 0
