# A failed run (no DNS answer, an AWS call failing after its retries) in every run of the window: the target group is no
# longer kept in sync. No invocation is no error (missing data is not breaching).
resource "aws_cloudwatch_metric_alarm" "errors" {
  count               = var.create ? 1 : 0
  alarm_actions       = var.alarm_actions
  alarm_description   = "The ${var.name} function failed in every run of the alarm window (up to 3 consecutive runs): the target group is no longer kept in sync. See its log group."
  alarm_name          = "${var.name}-errors"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = local.alarm_evaluation_periods
  dimensions = {
    FunctionName = aws_lambda_function.this[0].function_name
  }
  evaluation_periods = local.alarm_evaluation_periods
  metric_name        = "Errors"
  namespace          = "AWS/Lambda"
  ok_actions         = var.alarm_actions
  period             = local.schedule_seconds
  statistic          = "Sum"
  threshold          = 1
  treat_missing_data = "notBreaching"
  tags               = merge(var.tags, var.alarm_tags)
}

# No ALB IP, or no datapoint at all, in every run of the window: discovery fails or the function does not run. Missing
# data is breaching: a silent function must page someone too.
resource "aws_cloudwatch_metric_alarm" "ip_count" {
  for_each            = local.create_ip_count_alarm ? local.target_group_arns : {}
  alarm_actions       = var.alarm_actions
  alarm_description   = "The ${var.name} function reported no ALB IP (or no datapoint) in every run of the alarm window (up to 3 consecutive runs): DNS discovery fails or the function does not run."
  alarm_name          = "${var.name}${local.listener_name_suffixes[each.key]}-ip-count"
  comparison_operator = "LessThanThreshold"
  datapoints_to_alarm = local.alarm_evaluation_periods
  dimensions = {
    LoadBalancerName = local.alb_metric_dimension
    TargetGroup      = local.target_group_arn_suffixes[each.key]
  }
  evaluation_periods = local.alarm_evaluation_periods
  metric_name        = "LoadBalancerIPCount"
  namespace          = var.metric_namespace
  ok_actions         = var.alarm_actions
  period             = local.schedule_seconds
  statistic          = "Minimum"
  threshold          = 1
  treat_missing_data = "breaching"
  tags               = merge(var.tags, var.alarm_tags)
}

# An IP the function observed outside ALLOWED_TARGET_CIDRS, refused (never registered), in any run of the window. The
# list taken from the ALB's subnets is fixed at apply time: when the ALB gains a subnet, its new IPs are refused until
# the module is applied again. Otherwise a DNS answer named a host outside the ALB's subnets (SECURITY.md).
resource "aws_cloudwatch_metric_alarm" "outside_allowed_cidrs" {
  for_each            = local.create_outside_allowed_cidrs_alarm ? local.target_group_arns : {}
  alarm_actions       = var.alarm_actions
  alarm_description   = "The ${var.name} function refused IPs outside ALLOWED_TARGET_CIDRS: re-apply the module so the list follows the ALB's subnets, or fix allowed_target_cidrs (SECURITY.md)."
  alarm_name          = "${var.name}${local.listener_name_suffixes[each.key]}-outside-allowed-cidrs"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    LoadBalancerName = local.alb_metric_dimension
    TargetGroup      = local.target_group_arn_suffixes[each.key]
  }
  evaluation_periods = local.alarm_evaluation_periods
  metric_name        = "TargetsOutsideAllowedCidrs"
  namespace          = var.metric_namespace
  ok_actions         = var.alarm_actions
  period             = local.schedule_seconds
  statistic          = "Maximum"
  threshold          = 1
  treat_missing_data = "notBreaching"
  tags               = merge(var.tags, var.alarm_tags)
}

# Targets on a port of the target group that the function no longer serves (a changed listener port), in every run of
# the window: a cleanup in progress does not page. They stay until cleanup_unserved_ports = true or someone deregisters
# them (docs/operations.md, "Lost state").
resource "aws_cloudwatch_metric_alarm" "unserved_ports" {
  for_each            = local.create_unserved_ports_alarm ? local.target_group_arns : {}
  alarm_actions       = var.alarm_actions
  alarm_description   = "The ${var.name} function found targets on a port it no longer serves: set cleanup_unserved_ports = true, or deregister them (docs/operations.md, Lost state)."
  alarm_name          = "${var.name}${local.listener_name_suffixes[each.key]}-unserved-ports"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = local.alarm_evaluation_periods
  dimensions = {
    LoadBalancerName = local.alb_metric_dimension
    TargetGroup      = local.target_group_arn_suffixes[each.key]
  }
  evaluation_periods = local.alarm_evaluation_periods
  metric_name        = "TargetsOnUnservedPorts"
  namespace          = var.metric_namespace
  ok_actions         = var.alarm_actions
  period             = local.schedule_seconds
  statistic          = "Maximum"
  threshold          = 1
  treat_missing_data = "notBreaching"
  tags               = merge(var.tags, var.alarm_tags)
}

# An interface with the ALB's description that ELB did not create (a look-alike, never registered), in any run of the
# window: someone allowed ec2:CreateNetworkInterface in the ALB's VPC impersonates its nodes (SECURITY.md). One alarm,
# on the primary target group's series: every target group's series counts the same lookup.
resource "aws_cloudwatch_metric_alarm" "interfaces_not_elb_managed" {
  count               = local.create_interfaces_not_elb_managed_alarm ? 1 : 0
  alarm_actions       = var.alarm_actions
  alarm_description   = "Security: ${var.name} found interfaces with the ALB's description not created by ELB. Find their CreateNetworkInterface calls in CloudTrail and delete them (SECURITY.md)."
  alarm_name          = "${var.name}-interfaces-not-elb-managed"
  comparison_operator = "GreaterThanOrEqualToThreshold"
  datapoints_to_alarm = 1
  dimensions = {
    LoadBalancerName = local.alb_metric_dimension
    TargetGroup      = element(split(":", local.primary_target_group_arn), 5)
  }
  evaluation_periods = local.alarm_evaluation_periods
  metric_name        = "InterfacesNotElbManaged"
  namespace          = var.metric_namespace
  ok_actions         = var.alarm_actions
  period             = local.schedule_seconds
  statistic          = "Maximum"
  threshold          = 1
  treat_missing_data = "notBreaching"
  tags               = merge(var.tags, var.alarm_tags)
}
