################################################################################
# Checks across variables (validation blocks may reference other variables only from Terraform 1.9)
################################################################################

locals {
  # Memory (MiB) Fargate accepts for each CPU value.
  fargate_memory_by_cpu = {
    "256"   = [512, 1024, 2048]
    "512"   = [for gib in range(1, 5) : gib * 1024]
    "1024"  = [for gib in range(2, 9) : gib * 1024]
    "2048"  = [for gib in range(4, 17) : gib * 1024]
    "4096"  = [for gib in range(8, 31) : gib * 1024]
    "8192"  = [for gib in range(16, 61, 4) : gib * 1024]
    "16384" = [for gib in range(32, 121, 8) : gib * 1024]
  }

  # Memory (GiB) of the RDS classes the inventories use or are likely to; RDS's default max_connections
  # is {DBInstanceClassMemory/12582880}, and an explicit value above that for the class's memory runs
  # the instance out of memory under load.
  rds_memory_gib_by_class = {
    "db.t3.micro"   = 1
    "db.t3.small"   = 2
    "db.t3.medium"  = 4
    "db.t3.large"   = 8
    "db.t4g.micro"  = 1
    "db.t4g.small"  = 2
    "db.t4g.medium" = 4
    "db.t4g.large"  = 8
    "db.m5.large"   = 8
    "db.m6g.large"  = 8
    "db.m6i.large"  = 8
    "db.r5.large"   = 16
    "db.r6g.large"  = 16
    "db.r6i.large"  = 16
    "db.r5.xlarge"  = 32
    "db.r6g.xlarge" = 32
    "db.r6i.xlarge" = 32
  }
  rds_max_connections_limit = try(floor(local.rds_memory_gib_by_class[var.rds_instance_class] * 1073741824 / 12582880), null)

  # The max_connections the instance runs with: the inventory's fixed value, else RDS's formula for the class.
  # The connections alarm (monitoring.tf) fires at alarm_thresholds.rds_connections_percent of it.
  rds_max_connections_effective = var.rds_max_connections != null ? var.rds_max_connections : local.rds_max_connections_limit
}

# Fails the plan before any AWS call when the inventory combines values AWS would reject later.
resource "terraform_data" "input_contract" {
  input = {
    ecs_task_cpu    = var.ecs_task_cpu
    ecs_task_memory = var.ecs_task_memory
    rds_class       = var.rds_instance_class
    max_connections = var.rds_max_connections
    domain          = var.domain
    root_zone_mode  = var.root_zone_mode
  }

  lifecycle {
    precondition {
      condition     = contains(lookup(local.fargate_memory_by_cpu, tostring(var.ecs_task_cpu), []), var.ecs_task_memory)
      error_message = "ecs_task_memory ${var.ecs_task_memory} is not a Fargate memory size for ecs_task_cpu ${var.ecs_task_cpu}."
    }

    precondition {
      condition     = var.rds_max_connections == null || local.rds_max_connections_limit == null || try(var.rds_max_connections <= local.rds_max_connections_limit, true)
      error_message = "rds_max_connections ${coalesce(var.rds_max_connections, 0)} is more than ${var.rds_instance_class} can hold (RDS's formula gives ${coalesce(local.rds_max_connections_limit, 0)}); leave it null or lower it."
    }

    precondition {
      condition     = local.rds_max_connections_effective != null
      error_message = "The connections alarm needs the instance's max_connections: ${var.rds_instance_class} is not in checks.tf's local.rds_memory_gib_by_class. Add its memory (GiB) there, or set rds_max_connections."
    }

    precondition {
      condition     = var.domain == var.root_domain || endswith(var.domain, ".${var.root_domain}")
      error_message = "domain ${var.domain} must be root_domain ${var.root_domain} or a name under it."
    }

    precondition {
      condition     = var.root_zone_mode == "none" || var.domain != var.root_domain
      error_message = "With root_zone_mode create/adopt the environment's domain must be a name under root_domain."
    }
  }
}
