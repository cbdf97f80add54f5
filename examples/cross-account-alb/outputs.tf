output "function_name" {
  description = "Name of the Lambda function."
  value       = module.alb_static_ip.function_name
}

output "alb_role_arn" {
  description = "The role in the ALB's account that the function assumes."
  value       = aws_iam_role.alb_eni_read.arn
}

output "target_group_arn" {
  description = "The NLB target group kept in sync with the ALB's interfaces."
  value       = module.alb_static_ip.target_group_arn
}

output "state_bucket_name" {
  description = "The bucket holding the function's state (empty it before destroy: it keeps the state's versions)."
  value       = module.alb_static_ip.state_bucket_name
}
