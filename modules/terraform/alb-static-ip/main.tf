locals {
  listeners                = length(var.listeners) >= 1 ? tomap({ for k, l in var.listeners : k => { port = l.port, create_target_group = l.target_group_arn == null, target_group_arn = l.target_group_arn, create_listener = coalesce(l.create_listener, var.create_listener, var.nlb_arn != null), ip_address_type = l.ip_address_type, health_check_protocol = coalesce(l.health_check_protocol, var.health_check_protocol), health_check_path = coalesce(l.health_check_path, var.health_check_path), name = k == "default" ? var.name : substr("${var.name}-${k}", 0, 32) } }) : tomap({ default = { port = var.alb_listener_port, create_target_group = var.create_target_group, target_group_arn = var.target_group_arn, create_listener = coalesce(var.create_listener, var.nlb_arn != null), ip_address_type = "ipv4", health_check_protocol = var.health_check_protocol, health_check_path = var.health_check_path, name = var.name } })
  target_groups_created    = { for k, l in local.listeners : k => l if var.create && l.create_target_group }
  target_group_arns        = { for k, l in local.listeners : k => (var.create && l.create_target_group) ? aws_lb_target_group.this[k].arn : (l.target_group_arn == null ? "" : l.target_group_arn) }
  listener_ports_created   = [for k, l in local.listeners : l.port if var.create && l.create_listener]
  listeners_created        = { for k, l in local.listeners : k => l if var.create && l.create_listener }
  primary_target_group_arn = try(local.target_group_arns["default"], values(local.target_group_arns)[0], "")
  listeners_shorthand      = length(var.listeners) == 0
  target_groups_env        = join(",", [for k, l in local.listeners : "${l.port}=${local.target_group_arns[k]}"])
  any_target_group_created = anytrue([for l in values(local.listeners) : l.create_target_group])
  listener_name_suffixes   = { for k, l in local.listeners : k => k == "default" ? "" : "-${k}" }
  listener_arns            = { for k, l in aws_lb_listener.this : k => l.arn }
  allowed_target_cidrs     = !var.create ? [] : (length(var.allowed_target_cidrs) >= 1) ? var.allowed_target_cidrs : var.allow_any_target_cidr ? ["0.0.0.0/0", "::/0"] : (length(data.aws_lb.alb) >= 1) ? flatten([[for key, val in data.aws_subnet.alb : compact([val.cidr_block, val.ipv6_cidr_block])]]) : concat(data.aws_vpc.target[0].cidr_block_associations[*].cidr_block, compact([data.aws_vpc.target[0].ipv6_cidr_block]))
  state_bucket_name        = (var.create && var.create_state_bucket) ? aws_s3_bucket.state[0].bucket : (var.state_bucket_name == null) ? "" : var.state_bucket_name
  log_group_name           = (var.create && var.create_log_group) ? aws_cloudwatch_log_group.this[0].name : (var.log_group_name == null) ? "" : var.log_group_name
  log_group_arn            = (var.create && var.create_log_group) ? aws_cloudwatch_log_group.this[0].arn : "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:log-group:${local.log_group_name}"
  role_arn                 = (var.create && var.create_role) ? aws_iam_role.this[0].arn : (var.role_arn == null) ? "" : var.role_arn
  function_environment = {
    ALB_DNS_NAME                              = var.alb_dns_name
    S3_BUCKET                                 = local.state_bucket_name
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

data "aws_region" "current" {}

resource "aws_lb_target_group" "this" {
  for_each             = local.target_groups_created
  deregistration_delay = tostring(var.deregistration_delay_seconds)
  ip_address_type      = each.value.ip_address_type
  name                 = each.value.name
  port                 = each.value.port
  protocol             = "TCP"
  proxy_protocol_v2    = false
  target_type          = "ip"
  vpc_id               = var.vpc_id
  tags                 = merge(var.tags, var.target_group_tags)

  health_check {
    enabled             = true
    healthy_threshold   = 3
    interval            = 10
    matcher             = (each.value.health_check_protocol == "TCP") ? null : "200-399"
    path                = (each.value.health_check_protocol == "TCP") ? null : each.value.health_check_path
    port                = "traffic-port"
    protocol            = each.value.health_check_protocol
    unhealthy_threshold = 3
  }

  lifecycle {
    precondition {
      condition     = (var.vpc_id != null)
      error_message = "vpc_id is required when create_target_group is true (or an entry of listeners has no target_group_arn)."
    }
  }
}

resource "aws_lb_listener" "this" {
  for_each          = local.listeners_created
  load_balancer_arn = var.nlb_arn
  port              = each.value.port
  protocol          = "TCP"
  tags              = merge(var.tags, var.listener_tags)

  default_action {
    target_group_arn = local.target_group_arns[each.key]
    type             = "forward"
  }

  lifecycle {
    precondition {
      condition     = (var.nlb_arn != null)
      error_message = "nlb_arn is required when create_listener is true (or an entry of listeners creates a listener)."
    }
  }
}

data "aws_lb" "alb" {
  count = ((var.create && (!var.allow_any_target_cidr && !(length(var.allowed_target_cidrs) >= 1))) && ((var.alb_arn != null) || (var.alb_name != null))) ? 1 : 0
  arn   = var.alb_arn
  name  = var.alb_name
}

data "aws_subnet" "alb" {
  for_each = toset((length(data.aws_lb.alb) >= 1) ? toset(data.aws_lb.alb[0].subnets) : toset([]))
  id       = each.value
}

data "aws_lb_target_group" "given" {
  count = (((var.create && (!var.allow_any_target_cidr && !(length(var.allowed_target_cidrs) >= 1))) && !((var.alb_arn != null) || (var.alb_name != null))) && !local.any_target_group_created) ? 1 : 0
  arn   = local.primary_target_group_arn
}

data "aws_vpc" "target" {
  count = ((var.create && (!var.allow_any_target_cidr && !(length(var.allowed_target_cidrs) >= 1))) && !((var.alb_arn != null) || (var.alb_name != null))) ? 1 : 0
  id    = local.any_target_group_created ? var.vpc_id : data.aws_lb_target_group.given[0].vpc_id
}

resource "aws_cloudwatch_log_group" "this" {
  count             = (var.create && var.create_log_group) ? 1 : 0
  kms_key_id        = var.log_group_kms_key_arn
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_in_days
  tags              = merge(var.tags, var.log_group_tags)
}

data "aws_caller_identity" "current" {}

resource "aws_lambda_function" "this" {
  count                          = var.create ? 1 : 0
  architectures                  = ["arm64"]
  description                    = "Keeps an NLB IP-type target group in sync with the private IPs of an ALB (alb-static-ip)."
  filename                       = "${path.module}/lambda.zip"
  function_name                  = var.name
  handler                        = "index.handler"
  kms_key_arn                    = var.kms_key_arn
  memory_size                    = var.memory_size
  reserved_concurrent_executions = var.reserved_concurrent_executions
  role                           = local.role_arn
  runtime                        = var.runtime
  source_code_hash               = filebase64sha256("${path.module}/lambda.zip")
  timeout                        = var.timeout
  tags                           = merge(var.tags, var.function_tags)

  environment {
    variables = merge(merge(local.function_environment, local.listeners_shorthand ? { "ALB_LISTENER" = tostring(var.alb_listener_port), "NLB_TG_ARN" = local.primary_target_group_arn } : { "TARGET_GROUPS" = local.target_groups_env }, (length(var.dns_servers) >= 1) ? { "DNS_SERVERS" = join(",", var.dns_servers) } : {}), merge((var.alb_arn == null) ? {} : { "ALB_ARN" = var.alb_arn }, (var.alb_vpc_id == null) ? {} : { "ALB_VPC_ID" = var.alb_vpc_id }, (var.alb_role_arn == null) ? {} : { "ALB_ROLE_ARN" = var.alb_role_arn }, (var.alb_role_external_id == null) ? {} : { "ALB_ROLE_EXTERNAL_ID" = var.alb_role_external_id }))
  }

  logging_config {
    log_format = "Text"
    log_group  = local.log_group_name
  }

  tracing_config {
    mode = var.tracing_mode
  }

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = length(var.listeners) >= 1 || var.alb_listener_port != null
      error_message = "alb_listener_port is required unless listeners is set."
    }

    precondition {
      condition     = !(length(var.listeners) >= 1) || (var.alb_listener_port == null && var.target_group_arn == null)
      error_message = "listeners replaces alb_listener_port and target_group_arn: set one or the other (the shorthand is the listeners entry \"default\")."
    }

    precondition {
      condition     = length(var.listeners) >= 1 || var.create_target_group || var.target_group_arn != null
      error_message = "target_group_arn is required when create_target_group is false."
    }

    precondition {
      condition     = length(var.listeners) >= 1 || !var.create_target_group || var.target_group_arn == null
      error_message = "target_group_arn is set but create_target_group is true, so it would be ignored: set create_target_group = false to keep that target group in sync, or remove target_group_arn."
    }

    precondition {
      condition     = length(distinct(local.listener_ports_created)) == length(local.listener_ports_created)
      error_message = "Two listeners entries create an NLB listener on the same port; a listener forwards to one target group: set create_listener = false on one of them (e.g. the ipv6 one) and attach its group to a listener of its own."
    }

    precondition {
      condition     = (var.allow_any_target_cidr || !anytrue([for key, val in toset(var.allowed_target_cidrs) : endswith(val, "/0")]))
      error_message = "allowed_target_cidrs holds 0.0.0.0/0 or ::/0, which lets a forged DNS answer register any host (SECURITY.md); list the ALB's subnets, or set allow_any_target_cidr = true."
    }

    precondition {
      condition     = ((var.create && var.create_state_bucket) || (var.state_bucket_name != null))
      error_message = "state_bucket_name is required when create_state_bucket is false."
    }

    precondition {
      condition     = ((var.create && var.create_log_group) || (var.log_group_name != null))
      error_message = "log_group_name is required when create_log_group is false."
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

    precondition {
      condition     = ((var.create && var.create_role) || (var.role_arn != null))
      error_message = "role_arn is required when create_role is false."
    }
  }
}

resource "aws_lambda_function_event_invoke_config" "this" {
  count                        = var.create ? 1 : 0
  function_name                = aws_lambda_function.this[0].function_name
  maximum_event_age_in_seconds = 60
  maximum_retry_attempts       = 0
}

resource "aws_cloudwatch_event_rule" "schedule" {
  count               = var.create ? 1 : 0
  description         = "Runs the ${var.name} function (alb-static-ip) on a schedule."
  name                = var.name
  schedule_expression = var.schedule_expression
  state               = "ENABLED"
  tags                = merge(var.tags, var.schedule_tags)
}

resource "aws_cloudwatch_event_target" "schedule" {
  count     = var.create ? 1 : 0
  arn       = aws_lambda_function.this[0].arn
  rule      = aws_cloudwatch_event_rule.schedule[0].name
  target_id = "alb-static-ip"
}

resource "aws_lambda_permission" "schedule" {
  count         = var.create ? 1 : 0
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[0].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[0].arn
  statement_id  = "AllowScheduleRule"
}

resource "aws_cloudwatch_event_rule" "interface_events" {
  count         = (var.create && ((((var.event_driven == null) && (var.discovery_mode == "eni")) || (var.event_driven == true)) && (var.alb_arn != null))) ? 1 : 0
  description   = "Runs the ${var.name} function (alb-static-ip) when ELB creates or deletes one of the ALB's network interfaces."
  event_pattern = "{\"source\":[\"aws.ec2\"],\"detail-type\":[\"AWS API Call via CloudTrail\"],\"detail\":{\"eventSource\":[\"ec2.amazonaws.com\"],\"sourceIPAddress\":[\"elasticloadbalancing.amazonaws.com\"],\"errorCode\":[{\"exists\":false}],\"$or\":[{\"eventName\":[\"CreateNetworkInterface\"],\"requestParameters\":{\"description\":[${jsonencode(format("ELB %s", join("/", slice(split("/", var.alb_arn), 1, 4))))}]}},{\"eventName\":[\"DeleteNetworkInterface\"]}]}}"
  name          = "${var.name}-alb-interfaces"
  state         = "ENABLED"
  tags          = merge(var.tags, var.schedule_tags)
}

resource "aws_cloudwatch_event_target" "interface_events" {
  count     = (var.create && ((((var.event_driven == null) && (var.discovery_mode == "eni")) || (var.event_driven == true)) && (var.alb_arn != null))) ? 1 : 0
  arn       = aws_lambda_function.this[0].arn
  rule      = aws_cloudwatch_event_rule.interface_events[0].name
  target_id = "alb-static-ip"
}

resource "aws_lambda_permission" "interface_events" {
  count         = (var.create && ((((var.event_driven == null) && (var.discovery_mode == "eni")) || (var.event_driven == true)) && (var.alb_arn != null))) ? 1 : 0
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[0].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.interface_events[0].arn
  statement_id  = "AllowInterfaceEventRule"
}
