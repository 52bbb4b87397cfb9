#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, BBWS Platform Engineering
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cluster_health
version_added: 1.0.0
short_description: Report the health, security and connectivity of one BBWS cluster environment
description:
  - Finds the environment's resources by the names and C(Project)/C(Environment) tags the Terraform stack gives them
    (or by O(resources)), so it works in check mode, standalone, and without Terraform at hand.
  - Reads them concurrently (a bounded thread pool, one client per service, paginators) - ECS cluster and services,
    RDS, the RDS-managed master credentials secret (existence and rotation only, never its value), EFS and its mount
    targets, the ALB with listeners, attributes and target health, CloudFront, the ACM certificate in O(edge_region),
    the Route53 zone, the log group, NAT gateways and tags; the CloudWatch alarms named C(<project>-<environment>-*)
    (in the region and in O(edge_region)); the quotas and usage behind the tenant capacity headroom (Service Quotas,
    ALB listener rules, EFS access points, RDS C(max_connections) and C(DatabaseConnections), Fargate vCPU usage).
  - Reviews security (least-privilege security groups, public access, encryption, CloudFront TLS, resources tagged
    for another environment) and reasons over the security-group graph (ALB to ECS, ECS to RDS, ECS to EFS, CloudFront
    to ALB). A broken path is a finding naming both groups, the port, the missing side and the exact fix.
  - Waits with backoff up to O(wait_timeout) for an RDS instance that is still provisioning; an ECS cluster that is not
    ACTIVE is reported at once.
  - Only reads from AWS, so it never reports C(changed) and behaves the same in check mode. The report files of
    O(report_dir) (and the index of O(history_dir)) are local artifacts and are written in check mode too.
  - Keeps marshal copies of the botocore endpoint and service models it parses in a private per-user cache
    (C($XDG_CACHE_HOME/bbws-ecs-cluster), else C(~/.cache/bbws-ecs-cluster)), keyed by the botocore version and file;
    when the folder cannot be written the models are parsed from JSON every time.
author:
  - BBWS Platform Engineering (@bbws-platform)
options:
  environment:
    description: The environment to check; resources are named C(<project>-<environment>-...) and tagged with it.
    type: str
    required: true
    choices: [dev, sit, prod]
  project:
    description: The C(Project) tag and name prefix.
    type: str
    default: bbws
  domain:
    description:
      - The environment's domain (for example V(wpdev.kimmyai.io)) - the Route53 zone, the C(*.domain) certificate and
        the CloudFront aliases are checked against it. Without it those checks are skipped.
    type: str
  example_tenant:
    description:
      - The tenant name of the example URL in the report and summary (C(<example_tenant>.<domain>)). The role passes the
        inventory's C(bbws_example_tenant). Without it (or without O(domain)) the report has no example URL.
    type: str
  zone:
    description:
      - The public hosted zone that holds the environment's records (the domain, C(*.domain) and the ACM validation
        CNAMEs). The zone lookup and the validation-record check use it; the certificate stays C(*.domain).
      - Where the account owns the root zone (prod adopts V(kimmyai.io)), there is no zone of the domain's own and
        this is the root zone. The role passes C(bbws_dns_zone).
      - Defaults to O(domain).
    type: str
  custom_domain:
    description:
      - Whether CloudFront is meant to serve the custom domain (C(*.domain) with an ACM certificate), as the inventory's
        C(bbws_custom_domain) says. V(off) - the default C(*.cloudfront.net) certificate by design. V(auto) - on once
        the zone's delegation is verified, so a distribution with no certificate and no aliases is the intended state
        until then. V(on) - the certificate and the aliases must be there.
      - On the default certificate by design (or by O(certificate_fallback)) the status stays C(healthy) and the report
        has a notice naming the cause and the next step, instead of a certificate finding.
    type: str
    choices: ['on', 'off', auto]
    default: auto
  certificate_fallback:
    description:
      - The cause the edge phase recorded when it fell back to CloudFront's default certificate (for example a
        certificate that did not validate in time). When set, the default certificate is the intended state and the
        notice names this cause.
    type: str
  history_dir:
    description:
      - The artifacts folder holding every run's reports (C(<run>-<environment>/health/)). When set with O(report_dir),
        the report says what changed since this environment's previous report (new and resolved findings) and
        C(index.html) there is rebuilt, listing every environment's reports newest first.
    type: path
  edge_region:
    description: The region of the CloudFront certificate (ACM for CloudFront lives in us-east-1).
    type: str
    default: us-east-1
  resources:
    description: Explicit ids (for example from the Terraform outputs); any id left out is found by name and tags.
    type: dict
    default: {}
    suboptions:
      vpc_id:
        description: The VPC id.
        type: str
      ecs_cluster_name:
        description: The ECS cluster name.
        type: str
      alb_arn:
        description: The ALB ARN.
        type: str
      rds_identifier:
        description: The RDS instance identifier.
        type: str
      efs_id:
        description: The EFS file system id.
        type: str
      route53_zone_id:
        description: The hosted zone id.
        type: str
      acm_certificate_arn:
        description: The CloudFront certificate ARN (in O(edge_region)).
        type: str
      cloudfront_distribution_id:
        description: The CloudFront distribution id.
        type: str
      log_group_name:
        description: The ECS log group name.
        type: str
  policy:
    description: The environment's expected sizing and settings, from the inventory; a setting left out is not checked.
    type: dict
    default: {}
    suboptions:
      rds_instance_class:
        description: Expected RDS instance class.
        type: str
      rds_multi_az:
        description: Whether RDS must be multi-AZ.
        type: bool
      rds_backup_retention_days:
        description: Minimum RDS backup retention in days.
        type: int
      log_retention_days:
        description: Expected log group retention in days.
        type: int
      nat_gateway_per_az:
        description: Whether there must be one NAT gateway per AZ (otherwise one in total).
        type: bool
      alb_deletion_protection:
        description: Expected ALB deletion protection.
        type: bool
      container_port:
        description: The tenant container port the ALB must reach.
        type: int
        default: 80
  wait_timeout:
    description: Seconds to wait (with backoff) for an RDS instance that is still provisioning; V(0) does not wait.
    type: int
    default: 600
  expected_account_id:
    description:
      - The account the environment lives in. When the credentials land in another account the module stops with that
        as the cause (instead of reporting the other account's resources as missing).
    type: str
  known_accounts:
    description: The account registry (the inventory's C(bbws_environments)), so a mismatch names the account found.
    type: dict
  report_dir:
    description: When set, write C(<environment>-health.json), C(.md) and C(.html) there (mode 0600).
    type: path
  expected_alarms:
    description:
      - The alarms the stack must have created, as the keys of the inventory's C(bbws_alarm_thresholds) (for example
        V(rds_cpu_percent)). Each key names the alarm C(<project>-<environment>-<key with - for _>); the NAT gateway
        alarms have one per NAT gateway (C(-0), C(-1), ...); V(cloudfront_5xx_error_rate_percent) is looked up in
        O(edge_region).
      - An expected alarm that is missing, or that has no enabled alarm action, is a finding whose fix is the plan and
        apply phases. Whatever this list says, every alarm named C(<project>-<environment>-*) in the region and in
        O(edge_region) that is in ALARM is a finding with its metric, threshold, state reason and since when.
      - Empty (the default) - no alarm is expected.
    type: list
    elements: str
    default: []
  tenant_cost:
    description:
      - What one tenant takes, for the capacity headroom ("N more tenants fit; the first limit is X"). Each tenant also
        takes one listener rule per ALB listener that does not redirect, one target group and one EFS access point.
    type: dict
    default: {}
    suboptions:
      task_cpu:
        description: The CPU units of a tenant task (the inventory's C(bbws_ecs_task_cpu); 1024 = 1 vCPU).
        type: int
        default: 256
      tasks:
        description: Running tasks per tenant.
        type: int
        default: 1
      db_connections:
        description: RDS connections one tenant holds at its peak.
        type: int
        default: 10
  capacity_warning_tenants:
    description:
      - A warning finding when fewer than this many more tenants fit.
      - The inventory's C(bbws_capacity_warning_tenants).
    type: int
    default: 10
  dr_role:
    description:
      - The environment's part in disaster recovery (the inventory's C(bbws_dr_role)).
      - V(none) - no disaster recovery is judged.
      - V(standby) - the warm standby in the DR region is judged as one - its RDS instance being a cross-region read
        replica is expected (replica status and C(AWS/RDS ReplicaLag) are reported; no master secret of its own is no
        finding), ECS services at desired 0 are expected, no CloudFront distribution is expected, and its EFS file
        system being the read-only destination of the primary's replication is expected.
      - V(primary) - the report gets a DR section (RV(dr)) on the standby in O(dr_region) - the read replica of this
        instance (exists, status, lag), this file system's EFS replication (status, last replicated and its age) and
        the standby's readiness (its ALB and ECS cluster active, the replica available).
    type: str
    choices: [none, primary, standby]
    default: none
  dr_region:
    description:
      - The standby's region, for O(dr_role=primary) (the inventory's C(bbws_dr_region)); required there.
    type: str
notes:
  - When the host is reached over the C(local) connection, without become or async, and its
    C(ansible_python_interpreter) is the controller's own Python (as in this collection's inventories), the
    collection's action plugin runs this module's code in the task's process on the controller instead of packaging
    it and starting a second interpreter; arguments, reads and result are the same. Any other host runs the module
    as usual.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Check the dev cluster and write the reports
  bbws.ecs_cluster.cluster_health:
    profile: Tebogo-dev
    region: af-south-1
    environment: dev
    domain: wpdev.kimmyai.io
    policy:
      rds_instance_class: db.t3.micro
      rds_multi_az: false
      rds_backup_retention_days: 1
      log_retention_days: 7
      nat_gateway_per_az: false
    report_dir: artifacts/health
  register: health

- name: Check prod, whose records live in the adopted root zone (no wp.kimmyai.io zone)
  bbws.ecs_cluster.cluster_health:
    profile: Tebogo-prod
    region: af-south-1
    environment: prod
    domain: wp.kimmyai.io
    zone: kimmyai.io
  register: health

- name: Check prod and its DR standby in eu-west-1 (replica, EFS replication, readiness)
  bbws.ecs_cluster.cluster_health:
    profile: Tebogo-prod
    region: af-south-1
    environment: prod
    domain: wp.kimmyai.io
    zone: kimmyai.io
    dr_role: primary
    dr_region: eu-west-1
  register: health

- name: Fail when the cluster is unhealthy
  ansible.builtin.assert:
    that: health.status != 'unhealthy'
    fail_msg: "{{ health.findings | map(attribute='summary') | list }}"
"""

RETURN = r"""
status:
  description: C(healthy) (no finding above info), C(degraded) (warnings, medium/low findings) or C(unhealthy).
  returned: always
  type: str
  sample: degraded
environment:
  description: The environment checked.
  returned: always
  type: str
  sample: dev
account_id:
  description: The account the credentials are in.
  returned: always
  type: str
  sample: "536580886816"
region:
  description: The region checked.
  returned: always
  type: str
  sample: af-south-1
generated_at:
  description: When the report was made (UTC, ISO 8601).
  returned: always
  type: str
  sample: "2026-01-01T12:00:00+00:00"
checks:
  description: Every check made, grouped by area.
  returned: always
  type: list
  elements: dict
  sample: [{"area": "rds", "name": "RDS available", "status": "pass", "detail": "bbws-dev-mysql is available"}]
findings:
  description: Problems found, most severe first, each with its recommendation and, where there is one, the exact fix.
  returned: always
  type: list
  elements: dict
  sample:
    - severity: critical
      area: connectivity
      summary: "ECS tasks -> RDS MySQL is broken on tcp/3306: missing ingress rule (ingress on sg-0b from sg-0a)."
      recommendation: Re-apply the Terraform rule(s), or add them with the AWS CLI.
      resource_ids: [sg-0a, sg-0b]
      fix:
        terraform: terraform apply -target=aws_vpc_security_group_ingress_rule.rds_from_ecs
        cli: "aws ec2 authorize-security-group-ingress --group-id sg-0b --ip-permissions ... --region af-south-1"
access_points:
  description:
    - ALB DNS, CloudFront domain and id, RDS endpoint, EFS id, zone, name servers, certificate, example tenant URL.
  returned: always
  type: dict
  sample: {"alb_dns_name": "bbws-dev-alb-1.af-south-1.elb.amazonaws.com", "efs_id": "fs-0a8f874402e3b9381"}
headroom:
  description:
    - Tenant capacity headroom from live numbers - how many more tenants fit, the first limit, and every limit with its
      usage, value and the value's source (Service Quotas, or the AWS default named as such).
  returned: always
  type: dict
  sample:
    tenants: 5
    first_limit: listener rules per ALB (excluding default rules)
    summary: >-
      5 more tenants fit; the first limit is listener rules per ALB (excluding default rules)
      (bbws-dev-alb: 95 of 100, AWS default)
    warning_below: 10
    limits:
      - {name: "listener rules per ALB (excluding default rules)", resource: bbws-dev-alb, used: 95, limit: 100,
         source: AWS default, per_tenant: 1, tenants: 5,
         detail: "HTTP:80 0 rule(s) (redirect: no tenant rules); HTTPS:443 95 rule(s)"}
dr:
  description:
    - Disaster recovery, with O(dr_role) other than V(none) - the role and region; for a primary its standby's replica
      (exists, status, replication, lag in seconds), the EFS replication (status, last replicated, age in seconds) and
      whether the standby is ready for failover; for a standby its replica and the replication it receives. The checks
      and findings behind it are in RV(checks) and RV(findings) (area C(dr) for a primary).
  returned: always
  type: dict
  sample:
    role: primary
    region: eu-west-1
    replica: {region: eu-west-1, id: bbws-prod-mysql, exists: true, status: available, replication: replicating,
              lag_seconds: 2.0}
    efs_replication: {exists: true, destination_id: fs-0123, destination_region: eu-west-1, status: ENABLED,
                      last_replicated: "2026-01-01T11:58:00+00:00", age_seconds: 120}
    standby_ready: true
summary:
  description: The closing block (access points, DNS configuration, example tenant URL, next steps) as text.
  returned: always
  type: str
  sample: "=== CLUSTER DEV: HEALTHY ===\n..."
api_calls:
  description: The AWS API calls the task made, per C(<service>.<Operation>); their sum is the total.
  returned: always
  type: dict
  sample: {"ecs.DescribeClusters": 1, "elbv2.DescribeTargetHealth": 2, "sts.GetCallerIdentity": 1}
duration_seconds:
  description: How long reading and analysing took.
  returned: always
  type: float
  sample: 0.42
notices:
  description:
    - States the design asks for that an operator should know about (CloudFront on its default certificate by design or
      by fallback, checks skipped without a domain), each with its cause and next step. They do not change the status.
  returned: always
  type: list
  elements: dict
  sample:
    - area: cloudfront
      summary: >-
        CloudFront E2ABC serves its default *.cloudfront.net certificate: tenants are reached at d1.cloudfront.net.
      cause: the custom domain is off for dev in the inventory (bbws_custom_domain off)
      next_step: set bbws_custom_domain to on or auto and run site.yml
paths:
  description: The edges of the cluster diagram (internet, CloudFront, ALB, ECS, RDS, EFS, NAT) with their state.
  returned: always
  type: list
  elements: dict
  sample: [{"edge": "ecs-rds", "source": "ecs", "target": "rds", "status": "broken",
            "label": "tcp/3306: missing ingress rule", "detail": "ingress on sg-0b from sg-0a"}]
since_last:
  description: New and resolved findings against this environment's previous report in O(history_dir).
  returned: when O(history_dir) and O(report_dir) are set
  type: dict
  sample: {"previous": "2026-01-01T11:00:00+00:00", "new": 1, "resolved": 0}
history_index:
  description: The path of the rebuilt C(index.html) of O(history_dir).
  returned: when O(history_dir) and O(report_dir) are set
  type: str
  sample: /srv/bbws/artifacts/index.html
report_files:
  description: Paths of the reports written, when O(report_dir) is set.
  returned: when O(report_dir) is set
  type: dict
  sample: {"json": "/srv/bbws/artifacts/dev-health.json", "markdown": "/srv/bbws/artifacts/dev-health.md",
           "html": "/srv/bbws/artifacts/dev-health.html"}
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.bbws.ecs_cluster.plugins.module_utils import cluster_health_run as run
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import fail_aws
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.aws_client import module_clients
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import FANOUT_WORKERS
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import MAX_WORKERS
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import collect
from ansible_collections.bbws.ecs_cluster.plugins.module_utils.cluster_health_collect import make_clients

RESOURCE_KEYS = (
    "vpc_id",
    "ecs_cluster_name",
    "alb_arn",
    "rds_identifier",
    "efs_id",
    "route53_zone_id",
    "acm_certificate_arn",
    "cloudfront_distribution_id",
    "log_group_name",
)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            environment=dict(type="str", required=True, choices=["dev", "sit", "prod"]),
            project=dict(type="str", default="bbws"),
            domain=dict(type="str"),
            zone=dict(type="str"),
            example_tenant=dict(type="str"),
            custom_domain=dict(type="str", default="auto", choices=["on", "off", "auto"]),
            certificate_fallback=dict(type="str"),
            history_dir=dict(type="path"),
            edge_region=dict(type="str", default="us-east-1"),
            resources=dict(type="dict", default={}, options={key: dict(type="str") for key in RESOURCE_KEYS}),
            policy=dict(
                type="dict",
                default={},
                options=dict(
                    rds_instance_class=dict(type="str"),
                    rds_multi_az=dict(type="bool"),
                    rds_backup_retention_days=dict(type="int"),
                    log_retention_days=dict(type="int"),
                    nat_gateway_per_az=dict(type="bool"),
                    alb_deletion_protection=dict(type="bool"),
                    container_port=dict(type="int", default=80),
                ),
            ),
            wait_timeout=dict(type="int", default=600),
            report_dir=dict(type="path"),
            expected_account_id=dict(type="str"),
            known_accounts=dict(type="dict"),
            expected_alarms=dict(type="list", elements="str", default=[]),
            tenant_cost=dict(
                type="dict",
                default={},
                options=dict(
                    task_cpu=dict(type="int", default=256),
                    tasks=dict(type="int", default=1),
                    db_connections=dict(type="int", default=10),
                ),
            ),
            capacity_warning_tenants=dict(type="int", default=10),
            dr_role=dict(type="str", default="none", choices=["none", "primary", "standby"]),
            dr_region=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problem = run.option_problem(params)
    if problem:
        module.fail_json(msg=problem, api_calls={})

    started = time.monotonic()
    # This process ends with the report (the module's own, or the task's process on the controller, see the action
    # plugin): the objects it keeps to the end are kept out of the garbage collector's sight (AWSClients freeze).
    aws = module_clients(module, max_pool_connections=MAX_WORKERS * FANOUT_WORKERS, freeze=True)
    try:
        dr_region = params.get("dr_region") if params.get("dr_role") == "primary" else None
        clients = make_clients(aws, params["edge_region"], dr_region)
    except (botocore.exceptions.BotoCoreError, ValueError) as e:
        fail_aws(module, e, aws)

    snapshot = collect(clients, run.context(params, module.region))
    identity = snapshot.pop("identity")
    problem = run.identity_problem(params, identity)
    if problem:
        module.fail_json(msg=problem, account_id=identity.get("account_id"), api_calls=aws.api_calls)
    report = run.build_report(params, module.region, identity["account_id"], snapshot, aws.api_calls, started)
    module.exit_json(changed=False, **report)


if __name__ == "__main__":
    main()
