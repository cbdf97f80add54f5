# One look at the sync of a target group: ALB IPs found against healthy targets, registrations, DNS queries and refused
# answers, completeness, errors and duration (docs/operations.md, Metrics).
resource "aws_cloudwatch_dashboard" "this" {
  for_each = local.create_dashboard ? local.target_group_arns : {}
  dashboard_body = jsonencode({
    "widgets" = [
      {
        "type"   = "metric"
        "x"      = 0
        "y"      = 0
        "width"  = 12
        "height" = 6
        "properties" = {
          "title"  = "ALB IPs found vs healthy targets"
          "region" = data.aws_region.current.id
          "view"   = "timeSeries"
          "stat"   = "Minimum"
          "period" = 60
          "metrics" = [
            [
              var.metric_namespace,
              "LoadBalancerIPCount",
              "LoadBalancerName",
              local.alb_metric_dimension,
              "TargetGroup",
              local.target_group_arn_suffixes[each.key],
              { "label" = "ALB IPs found" },
            ],
            [{
              "expression" = "SEARCH('{AWS/NetworkELB,LoadBalancer,TargetGroup} MetricName=\"HealthyHostCount\" TargetGroup=\"${local.target_group_arn_suffixes[each.key]}\"', 'Minimum', 60)"
              "label"      = "healthy targets"
              "id"         = "healthy"
            }],
          ]
        }
      },
      {
        "type"   = "metric"
        "x"      = 12
        "y"      = 0
        "width"  = 12
        "height" = 6
        "properties" = {
          "title"  = "Registrations and deregistrations, and targets on ports no longer served"
          "region" = data.aws_region.current.id
          "view"   = "timeSeries"
          "stat"   = "Sum"
          "period" = 60
          "metrics" = [
            [
              var.metric_namespace,
              "TargetsRegistered",
              "LoadBalancerName",
              local.alb_metric_dimension,
              "TargetGroup",
              local.target_group_arn_suffixes[each.key],
            ],
            [
              var.metric_namespace,
              "TargetsDeregistered",
              "LoadBalancerName",
              local.alb_metric_dimension,
              "TargetGroup",
              local.target_group_arn_suffixes[each.key],
            ],
            [
              var.metric_namespace,
              "TargetsOnUnservedPorts",
              "LoadBalancerName",
              local.alb_metric_dimension,
              "TargetGroup",
              local.target_group_arn_suffixes[each.key],
            ],
          ]
        }
      },
      {
        "type"   = "metric"
        "x"      = 0
        "y"      = 6
        "width"  = 12
        "height" = 6
        "properties" = {
          "title"  = "DNS queries per run, answers outside ALLOWED_TARGET_CIDRS, look-alike interfaces (ENI mode)"
          "region" = data.aws_region.current.id
          "view"   = "timeSeries"
          "stat"   = "Sum"
          "period" = 60
          "metrics" = [
            [
              var.metric_namespace,
              "DnsQueries",
              "LoadBalancerName",
              local.alb_metric_dimension,
              "TargetGroup",
              local.target_group_arn_suffixes[each.key],
            ],
            [
              var.metric_namespace,
              "TargetsOutsideAllowedCidrs",
              "LoadBalancerName",
              local.alb_metric_dimension,
              "TargetGroup",
              local.target_group_arn_suffixes[each.key],
            ],
            [
              var.metric_namespace,
              "InterfacesNotElbManaged",
              "LoadBalancerName",
              local.alb_metric_dimension,
              "TargetGroup",
              local.target_group_arn_suffixes[each.key],
            ],
          ]
        }
      },
      {
        "type"   = "metric"
        "x"      = 12
        "y"      = 6
        "width"  = 12
        "height" = 6
        "properties" = {
          "title"  = "Discovery complete (1 = every IP found with the configured confidence)"
          "region" = data.aws_region.current.id
          "view"   = "timeSeries"
          "stat"   = "Minimum"
          "period" = 60
          "metrics" = [[
            var.metric_namespace,
            "DiscoveryComplete",
            "LoadBalancerName",
            local.alb_metric_dimension,
            "TargetGroup",
            local.target_group_arn_suffixes[each.key],
          ]]
        }
      },
      {
        "type"   = "metric"
        "x"      = 0
        "y"      = 12
        "width"  = 12
        "height" = 6
        "properties" = {
          "title"  = "Run errors (by reason) and function errors"
          "region" = data.aws_region.current.id
          "view"   = "timeSeries"
          "stat"   = "Sum"
          "period" = 60
          "metrics" = [
            [{
              "expression" = "SEARCH('{${var.metric_namespace},TargetGroup,Reason} MetricName=\"RunErrors\" TargetGroup=\"${local.target_group_arn_suffixes[each.key]}\"', 'Sum', 60)"
              "label"      = ""
              "id"         = "reasons"
            }],
            ["AWS/Lambda", "Errors", "FunctionName", aws_lambda_function.this[0].function_name],
          ]
        }
      },
      {
        "type"   = "metric"
        "x"      = 12
        "y"      = 12
        "width"  = 12
        "height" = 6
        "properties" = {
          "title"  = "Run duration (ms)"
          "region" = data.aws_region.current.id
          "view"   = "timeSeries"
          "stat"   = "Maximum"
          "period" = 60
          "metrics" = [
            [
              "AWS/Lambda",
              "Duration",
              "FunctionName",
              aws_lambda_function.this[0].function_name,
              { "stat" = "Maximum" },
            ],
            [
              "AWS/Lambda",
              "Duration",
              "FunctionName",
              aws_lambda_function.this[0].function_name,
              { "stat" = "Average" },
            ],
          ]
        }
      },
    ]
  })
  dashboard_name = "${var.name}${local.listener_name_suffixes[each.key]}"
}
