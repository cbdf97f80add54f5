variable "region" {
  description = "AWS region of the load balancers."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the function and its resources (1-32 lower-case letters, digits or hyphens)."
  type        = string
  default     = "alb-static-ip"
}

variable "alb_name" {
  description = "Name of the existing internal Application Load Balancer."
  type        = string
}

variable "alb_listener_port" {
  description = "Port of the ALB listener the NLB forwards to."
  type        = number
  default     = 443
}

variable "nlb_name" {
  description = "Name of the existing Network Load Balancer (with one Elastic IP per AZ)."
  type        = string
}

variable "alarm_actions" {
  description = "SNS topic ARNs to notify when an alarm fires or recovers."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
}
