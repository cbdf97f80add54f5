locals {
  target_group_arn     = var.create_target_group ? aws_lb_target_group.this[0].arn : (var.target_group_arn == null) ? "" : var.target_group_arn
  allowed_target_cidrs = (length(var.allowed_target_cidrs) >= 1) ? var.allowed_target_cidrs : var.allow_any_target_cidr ? ["0.0.0.0/0", "::/0"] : (length(data.aws_lb.alb) >= 1) ? flatten([[for key, val in data.aws_subnet.alb : compact([val.cidr_block, val.ipv6_cidr_block])]]) : concat(data.aws_vpc.target[0].cidr_block_associations[*].cidr_block, compact([data.aws_vpc.target[0].ipv6_cidr_block]))
  state_bucket_name    = var.create_state_bucket ? aws_s3_bucket.state[0].bucket : (var.state_bucket_name == null) ? "" : var.state_bucket_name
  function_environment = {
    ALB_DNS_NAME                              = var.alb_dns_name
    ALB_LISTENER                              = tostring(var.alb_listener_port)
    S3_BUCKET                                 = local.state_bucket_name
    NLB_TG_ARN                                = local.target_group_arn
    MAX_LOOKUP_PER_INVOCATION                 = tostring(var.max_lookup_per_invocation)
    INVOCATIONS_BEFORE_DEREGISTRATION         = tostring(var.invocations_before_deregistration)
    HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION = tostring(var.healthy_invocations_before_deregistration)
    CW_METRIC_FLAG_IP_COUNT                   = tostring(var.publish_ip_count_metric)
    SAME_VPC                                  = tostring(var.same_vpc)
    STATE_KEY_PREFIX                          = var.state_key_prefix
    DNS_TIMEOUT_MS                            = tostring(var.dns_timeout_ms)
    DNS_CONCURRENCY                           = tostring(var.dns_concurrency)
    MISS_PROBABILITY                          = tostring(var.miss_probability)
    MAX_DEREGISTRATIONS_PER_RUN               = tostring(var.max_deregistrations_per_run)
    DRY_RUN                                   = tostring(var.dry_run)
    METRIC_NAMESPACE                          = var.metric_namespace
    LOG_LEVEL                                 = var.log_level
    DISCOVERY_MODE                            = var.discovery_mode
    AWS_MAX_ATTEMPTS                          = tostring(var.aws_max_attempts)
    AWS_REQUEST_TIMEOUT_MS                    = tostring(var.aws_request_timeout_ms)
    ALLOWED_TARGET_CIDRS                      = join(",", local.allowed_target_cidrs)
    ALLOW_ANY_TARGET_CIDR                     = tostring(var.allow_any_target_cidr)
    NODE_OPTIONS                              = "--enable-source-maps"
  }
  schedule_seconds         = tonumber(regex("^rate\\(([0-9]+) ", var.schedule_expression)[0]) * lookup({ minute = 60, hour = 3600, day = 86400 }, trimsuffix(regex(" ([a-z]+)\\)$", var.schedule_expression)[0], "s"), 60)
  alarm_evaluation_periods = min(3, max(1, floor(86400 / local.schedule_seconds)))
}

data "aws_partition" "current" {}

resource "aws_lb_target_group" "this" {
  count                = var.create_target_group ? 1 : 0
  deregistration_delay = tostring(var.deregistration_delay_seconds)
  name                 = var.name
  port                 = var.alb_listener_port
  protocol             = "TCP"
  proxy_protocol_v2    = false
  target_type          = "ip"
  vpc_id               = var.vpc_id
  tags                 = var.tags

  health_check {
    enabled             = true
    healthy_threshold   = 3
    interval            = 10
    matcher             = (var.health_check_protocol == "TCP") ? null : "200-399"
    path                = (var.health_check_protocol == "TCP") ? null : var.health_check_path
    port                = "traffic-port"
    protocol            = var.health_check_protocol
    unhealthy_threshold = 3
  }

  lifecycle {
    precondition {
      condition     = (var.vpc_id != null)
      error_message = "vpc_id is required when create_target_group is true."
    }

    precondition {
      condition     = (var.target_group_arn == null)
      error_message = "target_group_arn is set but create_target_group is true, so it would be ignored: set create_target_group = false to keep that target group in sync, or remove target_group_arn."
    }
  }
}

resource "aws_lb_listener" "this" {
  count             = coalesce(var.create_listener, (var.nlb_arn != null)) ? 1 : 0
  load_balancer_arn = var.nlb_arn
  port              = var.alb_listener_port
  protocol          = "TCP"
  tags              = var.tags

  default_action {
    target_group_arn = local.target_group_arn
    type             = "forward"
  }

  lifecycle {
    precondition {
      condition     = (var.nlb_arn != null)
      error_message = "nlb_arn is required when create_listener is true."
    }
  }
}

data "aws_lb" "alb" {
  count = ((!var.allow_any_target_cidr && !(length(var.allowed_target_cidrs) >= 1)) && ((var.alb_arn != null) || (var.alb_name != null))) ? 1 : 0
  arn   = var.alb_arn
  name  = var.alb_name
}

data "aws_subnet" "alb" {
  for_each = toset((length(data.aws_lb.alb) >= 1) ? toset(data.aws_lb.alb[0].subnets) : toset([]))
  id       = each.value
}

data "aws_lb_target_group" "given" {
  count = (((!var.allow_any_target_cidr && !(length(var.allowed_target_cidrs) >= 1)) && !((var.alb_arn != null) || (var.alb_name != null))) && !var.create_target_group) ? 1 : 0
  arn   = local.target_group_arn
}

data "aws_vpc" "target" {
  count = ((!var.allow_any_target_cidr && !(length(var.allowed_target_cidrs) >= 1)) && !((var.alb_arn != null) || (var.alb_name != null))) ? 1 : 0
  id    = var.create_target_group ? var.vpc_id : data.aws_lb_target_group.given[0].vpc_id
}

resource "aws_cloudwatch_log_group" "this" {
  kms_key_id        = var.log_group_kms_key_arn
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_in_days
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  architectures                  = ["arm64"]
  description                    = "Keeps an NLB IP-type target group in sync with the private IPs of an ALB (alb-static-ip)."
  filename                       = "${path.module}/lambda.zip"
  function_name                  = var.name
  handler                        = "index.handler"
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrent_executions
  role                           = aws_iam_role.this.arn
  runtime                        = var.runtime
  source_code_hash               = filebase64sha256("${path.module}/lambda.zip")
  timeout                        = var.timeout
  tags                           = var.tags

  environment {
    variables = merge(merge(local.function_environment, (length(var.dns_servers) >= 1) ? { "DNS_SERVERS" = join(",", var.dns_servers) } : {}), merge((var.alb_arn == null) ? {} : { "ALB_ARN" = var.alb_arn }, (var.alb_vpc_id == null) ? {} : { "ALB_VPC_ID" = var.alb_vpc_id }, (var.alb_role_arn == null) ? {} : { "ALB_ROLE_ARN" = var.alb_role_arn }, (var.alb_role_external_id == null) ? {} : { "ALB_ROLE_EXTERNAL_ID" = var.alb_role_external_id }))
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = (var.create_target_group || (var.target_group_arn != null))
      error_message = "target_group_arn is required when create_target_group is false."
    }

    precondition {
      condition     = (var.allow_any_target_cidr || !anytrue([for key, val in toset(var.allowed_target_cidrs) : endswith(val, "/0")]))
      error_message = "allowed_target_cidrs holds 0.0.0.0/0 or ::/0, which lets a forged DNS answer register any host (SECURITY.md); list the ALB's subnets, or set allow_any_target_cidr = true."
    }

    precondition {
      condition     = (var.create_state_bucket || (var.state_bucket_name != null))
      error_message = "state_bucket_name is required when create_state_bucket is false."
    }

    precondition {
      condition     = (!(var.discovery_mode == "eni") || (var.alb_arn != null))
      error_message = "discovery_mode = \"eni\" needs alb_arn: the function finds the ALB's interfaces by the name and id in its ARN."
    }

    precondition {
      condition     = ((var.discovery_mode == "eni") || (var.alb_vpc_id == null))
      error_message = "alb_vpc_id is only used with discovery_mode = \"eni\"; set that, or unset alb_vpc_id."
    }

    precondition {
      condition     = ((var.discovery_mode == "eni") || (var.alb_role_arn == null))
      error_message = "alb_role_arn is only used with discovery_mode = \"eni\"; set that, or unset alb_role_arn."
    }

    precondition {
      condition     = ((var.alb_role_external_id == null) || (var.alb_role_arn != null))
      error_message = "alb_role_external_id is only used with alb_role_arn; set that too, or unset alb_role_external_id."
    }

    precondition {
      condition     = ((var.event_driven != true) || (var.alb_arn != null))
      error_message = "event_driven = true needs alb_arn: the event rule matches this ALB's interfaces by the name and id in its ARN."
    }
  }
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = aws_lambda_function.this.function_name
  maximum_event_age_in_seconds = 60
  maximum_retry_attempts       = 0
}

resource "aws_cloudwatch_event_rule" "schedule" {
  description         = "Runs the ${var.name} function (alb-static-ip) on a schedule."
  name                = var.name
  schedule_expression = var.schedule_expression
  state               = "ENABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  arn       = aws_lambda_function.this.arn
  rule      = aws_cloudwatch_event_rule.schedule.name
  target_id = "alb-static-ip"
}

resource "aws_lambda_permission" "schedule" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
  statement_id  = "AllowScheduleRule"
}

resource "aws_cloudwatch_event_rule" "interface_events" {
  count         = ((((var.event_driven == null) && (var.discovery_mode == "eni")) || (var.event_driven == true)) && (var.alb_arn != null)) ? 1 : 0
  description   = "Runs the ${var.name} function (alb-static-ip) when ELB creates or deletes one of the ALB's network interfaces."
  event_pattern = "{\"source\":[\"aws.ec2\"],\"detail-type\":[\"AWS API Call via CloudTrail\"],\"detail\":{\"eventSource\":[\"ec2.amazonaws.com\"],\"sourceIPAddress\":[\"elasticloadbalancing.amazonaws.com\"],\"errorCode\":[{\"exists\":false}],\"$or\":[{\"eventName\":[\"CreateNetworkInterface\"],\"requestParameters\":{\"description\":[${jsonencode(format("ELB %s", join("/", slice(split("/", var.alb_arn), 1, 4))))}]}},{\"eventName\":[\"DeleteNetworkInterface\"]}]}}"
  name          = "${var.name}-alb-interfaces"
  state         = "ENABLED"
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "interface_events" {
  count     = ((((var.event_driven == null) && (var.discovery_mode == "eni")) || (var.event_driven == true)) && (var.alb_arn != null)) ? 1 : 0
  arn       = aws_lambda_function.this.arn
  rule      = aws_cloudwatch_event_rule.interface_events[0].name
  target_id = "alb-static-ip"
}

resource "aws_lambda_permission" "interface_events" {
  count         = ((((var.event_driven == null) && (var.discovery_mode == "eni")) || (var.event_driven == true)) && (var.alb_arn != null)) ? 1 : 0
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.interface_events[0].arn
  statement_id  = "AllowInterfaceEventRule"
}
