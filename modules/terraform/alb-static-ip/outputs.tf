output "target_group_arn" {
  description = "ARN of the NLB target group kept in sync (created or given); with listeners, the entry \"default\" or else the first."
  value       = (length(local.primary_target_group_arn) >= 1) ? local.primary_target_group_arn : null
}

output "target_group_arns" {
  description = "Target group ARN per listeners entry (created or given); the one-listener shorthand is the entry \"default\"."
  value       = local.target_group_arns
}

output "listener_arns" {
  description = "NLB listener ARN per listeners entry that has one."
  value       = local.listener_arns
}

output "target_group_name" {
  description = "Name of the NLB target group kept in sync."
  value = (
    (length(element(split("/", local.primary_target_group_arn), 1)) >= 1) ? element(split(
      "/",
      local.primary_target_group_arn,
    ), 1) :
    null
  )
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (targetgroup/<name>/<id>), the TargetGroup dimension of its CloudWatch metrics."
  value = (
    (length(element(split(":", local.primary_target_group_arn), 5)) >= 1) ? element(split(
      ":",
      local.primary_target_group_arn,
    ), 5) :
    null
  )
}

output "listener_arn" {
  description = "ARN of the NLB listener; null when create_listener is false."
  value       = try(local.listener_arns["default"], null)
}

output "state_bucket_name" {
  description = "Name of the S3 bucket holding the state (created or given)."
  value       = (length(local.state_bucket_name) >= 1) ? local.state_bucket_name : null
}

output "state_bucket_arn" {
  description = "ARN of the S3 bucket holding the state (created or given)."
  value = (
    (length(local.state_bucket_name) >= 1) ? "arn:${data.aws_partition.current.partition}:s3:::${local.state_bucket_name}" :
    null
  )
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = one(aws_lambda_function.this[*].function_name)
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = one(aws_lambda_function.this[*].arn)
}

output "role_arn" {
  description = "ARN of the function's IAM role (created or given)."
  value       = (length(local.role_arn) >= 1) ? local.role_arn : null
}

output "role_name" {
  description = "Name of the created IAM role; null when create_role is false."
  value       = one(aws_iam_role.this[*].name)
}

output "role_policy_json" {
  description = "The least-privilege policy the function needs, as JSON: attached to the created role, or for whoever manages role_arn when create_role is false."
  value       = one(data.aws_iam_policy_document.this[*].json)
}

output "log_group_name" {
  description = "Name of the function's CloudWatch log group (created or given)."
  value       = (length(local.log_group_name) >= 1) ? local.log_group_name : null
}

output "log_group_arn" {
  description = "ARN of the function's CloudWatch log group (created or given)."
  value       = var.create ? local.log_group_arn : null
}

output "schedule_rule_arn" {
  description = "ARN of the EventBridge rule that invokes the function."
  value       = one(aws_cloudwatch_event_rule.schedule[*].arn)
}

output "schedule_rule_name" {
  description = "Name of the EventBridge rule that invokes the function."
  value       = one(aws_cloudwatch_event_rule.schedule[*].name)
}

output "errors_alarm_arn" {
  description = "ARN of the alarm on function errors."
  value       = one(aws_cloudwatch_metric_alarm.errors[*].arn)
}

output "errors_alarm_name" {
  description = "Name of the alarm on function errors."
  value       = one(aws_cloudwatch_metric_alarm.errors[*].alarm_name)
}

output "allowed_target_cidrs_source" {
  description = "Where ALLOWED_TARGET_CIDRS came from: \"variable\", \"alb_subnets\", \"vpc\" (the weaker bound: set alb_arn) or \"any\" (allow_any_target_cidr)."
  value       = var.create ? local.allowed_target_cidrs_source : null
}

output "ip_count_alarm_arn" {
  description = "ARN of the alarm on LoadBalancerIPCount; null when not created."
  value       = try(aws_cloudwatch_metric_alarm.ip_count["default"].arn, null)
}

output "ip_count_alarm_name" {
  description = "Name of the alarm on LoadBalancerIPCount; null when not created."
  value       = try(aws_cloudwatch_metric_alarm.ip_count["default"].alarm_name, null)
}

output "outside_allowed_cidrs_alarm_names" {
  description = "Name of the alarm on TargetsOutsideAllowedCidrs per listeners entry (\"default\" for the one-listener shorthand); empty when not created."
  value       = { for k, a in aws_cloudwatch_metric_alarm.outside_allowed_cidrs : k => a.alarm_name }
}

output "unserved_ports_alarm_names" {
  description = "Name of the alarm on TargetsOnUnservedPorts per listeners entry (\"default\" for the one-listener shorthand); empty when not created."
  value       = { for k, a in aws_cloudwatch_metric_alarm.unserved_ports : k => a.alarm_name }
}

output "interfaces_not_elb_managed_alarm_name" {
  description = "Name of the alarm on InterfacesNotElbManaged (discovery_mode = \"eni\"); null when not created."
  value       = one(aws_cloudwatch_metric_alarm.interfaces_not_elb_managed[*].alarm_name)
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard; null when create_dashboard is false."
  value       = try(aws_cloudwatch_dashboard.this["default"].dashboard_name, null)
}
