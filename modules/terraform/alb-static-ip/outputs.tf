output "target_group_arn" {
  description = "ARN of the NLB target group kept in sync (created or given)."
  value       = local.target_group_arn
}

output "listener_arn" {
  description = "ARN of the NLB listener; null when create_listener is false."
  value       = one(aws_lb_listener.this[*].arn)
}

output "state_bucket_name" {
  description = "Name of the S3 bucket holding the state (created or given)."
  value       = local.state_bucket_name
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = aws_iam_role.this.name
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "schedule_rule_arn" {
  description = "ARN of the EventBridge rule that invokes the function."
  value       = aws_cloudwatch_event_rule.schedule.arn
}

output "errors_alarm_arn" {
  description = "ARN of the alarm on function errors."
  value       = aws_cloudwatch_metric_alarm.errors.arn
}

output "allowed_target_cidrs_source" {
  description = "Where ALLOWED_TARGET_CIDRS came from: \"variable\", \"alb_subnets\", \"vpc\" (the weaker bound: set alb_arn) or \"any\" (allow_any_target_cidr)."
  value       = var.allow_any_target_cidr ? "any" : (length(var.allowed_target_cidrs) >= 1) ? "variable" : ((var.alb_arn != null) || (var.alb_name != null)) ? "alb_subnets" : "vpc"
}

output "ip_count_alarm_arn" {
  description = "ARN of the alarm on LoadBalancerIPCount; null when not created."
  value       = one(aws_cloudwatch_metric_alarm.ip_count[*].arn)
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard; null when create_dashboard is false."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}
