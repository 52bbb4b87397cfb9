terraform {
  # 1.11: the S3 backend's native lock file (use_lockfile), which the plan/apply role always sets.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.25"
    }
  }

  # Partial configuration: the plan/apply role passes bucket, key, region and use_lockfile per
  # account with -backend-config, so no account-specific value lives in this file.
  backend "s3" {}
}
