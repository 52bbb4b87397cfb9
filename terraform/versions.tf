terraform {
  required_version = ">= 1.5"

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
