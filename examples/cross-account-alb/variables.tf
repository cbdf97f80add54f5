variable "region" {
  description = "Region of the ALB, the NLB and the function (ENI lookups and CloudTrail events are regional)."
  type        = string
  default     = "us-east-1"
}

variable "alb_account_admin_role_arn" {
  description = "A role in the ALB's account that Terraform assumes to create the read-only role and the event forwarding there."
  type        = string
}

variable "alb_arn" {
  description = "ARN of the ALB, in the other account."
  type        = string
}

variable "alb_dns_name" {
  description = "DNS name of the ALB (a label in the function's state and metrics; ENI mode does not query it)."
  type        = string
}

variable "alb_listener_port" {
  description = "The ALB listener port the NLB forwards to."
  type        = number
  default     = 443
}

variable "alb_subnet_cidrs" {
  description = "CIDR blocks of the ALB's subnets (the module cannot look up another account's ALB): the bound on what can be registered."
  type        = list(string)
}

variable "nlb_arn" {
  description = "ARN of the NLB in this account."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the NLB (peered with, or shared by, the ALB's VPC)."
  type        = string
}

variable "external_id" {
  description = "External id the ALB account's role requires (any string both sides agree on; not a secret)."
  type        = string
  default     = "alb-static-ip-cross-account"
}

variable "name" {
  description = "Name of the function and its resources."
  type        = string
  default     = "alb-static-ip"
}
