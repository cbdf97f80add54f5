terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.19.0"
    }
  }
}

# The account of the NLB and the function.
provider "aws" {
  region = var.region
}

# The account of the ALB (a profile or an assumed role with IAM and EventBridge rights there).
provider "aws" {
  alias  = "alb"
  region = var.region

  assume_role {
    role_arn = var.alb_account_admin_role_arn
  }
}
