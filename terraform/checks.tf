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
}

# Fails the plan before any AWS call when the inventory combines values AWS would reject later.
resource "terraform_data" "input_contract" {
  input = {
    ecs_task_cpu    = var.ecs_task_cpu
    ecs_task_memory = var.ecs_task_memory
    domain          = var.domain
    root_zone_mode  = var.root_zone_mode
  }

  lifecycle {
    precondition {
      condition     = contains(lookup(local.fargate_memory_by_cpu, tostring(var.ecs_task_cpu), []), var.ecs_task_memory)
      error_message = "ecs_task_memory ${var.ecs_task_memory} is not a Fargate memory size for ecs_task_cpu ${var.ecs_task_cpu}."
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
