################################################################################
# Database initialisation task (mysql:8.0 client, run on demand by the tenant layer)
#
# Credentials reach the container from Secrets Manager at start (MYSQL_PWD is read by the mysql
# client), so the password is never a plain environment value, a command argument or in state.
# The default command only proves connectivity; callers override it with their SQL.
################################################################################

resource "aws_ecs_task_definition" "db_init" {
  family                   = "${local.name}-db-init"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.ecs_task_cpu
  memory                   = var.ecs_task_memory
  execution_role_arn       = aws_iam_role.ecs_execution.arn
  task_role_arn            = aws_iam_role.ecs_task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name                   = "db-init"
      image                  = var.db_init_image
      essential              = true
      user                   = "mysql"
      readonlyRootFilesystem = true
      privileged             = false
      entryPoint             = ["sh", "-c"]
      command                = ["mysql --host=\"$DB_HOST\" --port=\"$DB_PORT\" --user=\"$DB_USER\" --ssl-mode=REQUIRED --execute='SELECT VERSION();'"]
      environment = [
        { name = "DB_HOST", value = local.db.address },
        { name = "DB_PORT", value = tostring(local.db.port) },
      ]
      secrets = [
        { name = "DB_USER", valueFrom = "${local.db_master.master_user_secret[0].secret_arn}:username::" },
        { name = "MYSQL_PWD", valueFrom = "${local.db_master.master_user_secret[0].secret_arn}:password::" },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.ecs.name
          awslogs-region        = var.aws_region
          awslogs-stream-prefix = "db-init"
        }
      }
    }
  ])

  tags = { Name = "${local.name}-db-init" }
}
