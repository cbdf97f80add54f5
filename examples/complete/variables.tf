variable "region" {
  description = "AWS region to build the example in."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of everything this example creates (at most 28 characters: load balancer names add -alb/-nlb)."
  type        = string
  default     = "static-ip-demo"

  validation {
    condition     = can(regex("^[a-z0-9](?:[a-z0-9-]{0,26}[a-z0-9])?$", var.name))
    error_message = "name must be 1-28 lower-case letters, digits or hyphens."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the example VPC."
  type        = string
  default     = "10.42.0.0/16"
}

variable "alarm_actions" {
  description = "SNS topic ARNs to notify when an alarm fires or recovers."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource (provider default_tags)."
  type        = map(string)
  default = {
    example = "alb-static-ip-complete"
  }
}

variable "state_bucket_force_destroy" {
  description = "Let terraform destroy delete the state bucket with the function's state in it (apply with true, then destroy)."
  type        = bool
  default     = false
}

variable "dualstack" {
  description = "Give the VPC, subnets, ALB and NLB IPv6 as well, and sync the ALB's IPv6 addresses into an ipv6 target group on port 443."
  type        = bool
  default     = false
}
