locals {
  # No listeners map: the one-listener shorthand (alb_listener_port, create_target_group, target_group_arn) is the entry
  # "default", and the function keeps its original ALB_LISTENER / NLB_TG_ARN pair.
  listeners_shorthand = length(var.listeners) == 0

  # create_listener unset (in the shorthand or an entry): an NLB listener exactly when nlb_arn is set.
  create_listener = coalesce(var.create_listener, var.nlb_arn != null)

  # Every NLB listener / target group pair, keyed by a short name: the listeners map, or the shorthand as the entry
  # "default" (its names kept, so a deployment moves into the map without replacing anything).
  listeners = (
    local.listeners_shorthand ? tomap({
      default = {
        port                  = var.alb_listener_port
        create_target_group   = var.create_target_group
        target_group_arn      = var.target_group_arn
        create_listener       = local.create_listener
        ip_address_type       = "ipv4"
        health_check_protocol = var.health_check_protocol
        health_check_path     = var.health_check_path
        name                  = var.name
      }
    }) :
    tomap({
      for k, l in var.listeners : k => {
        port                  = l.port
        create_target_group   = l.target_group_arn == null
        target_group_arn      = l.target_group_arn
        create_listener       = coalesce(l.create_listener, local.create_listener)
        ip_address_type       = l.ip_address_type
        health_check_protocol = coalesce(l.health_check_protocol, var.health_check_protocol)
        health_check_path     = coalesce(l.health_check_path, var.health_check_path)
        name                  = k == "default" ? var.name : substr("${var.name}-${k}", 0, 32)
      }
    })
  )

  # The entries whose target group the module creates (the others name an existing one).
  target_groups_created = { for k, l in local.listeners : k => l if var.create && l.create_target_group }

  # Target group ARN per entry: the created group's, else the given one ("" with neither, e.g. create = false).
  target_group_arns = merge(
    { for k, l in local.listeners : k => l.target_group_arn == null ? "" : l.target_group_arn },
    { for k, tg in aws_lb_target_group.this : k => tg.arn },
  )

  # The entries that get an NLB listener on nlb_arn, forwarding to their target group.
  listeners_created = { for k, l in local.listeners : k => l if var.create && l.create_listener }

  # An NLB listener forwards to one target group: two entries may share a port only if one creates no listener.
  listener_ports_created = [for l in values(local.listeners_created) : l.port]

  # The entry "default", else the first: the single-valued outputs and the VPC of the weaker allow-list.
  primary_target_group_arn = try(local.target_group_arns["default"], values(local.target_group_arns)[0], "")

  # TARGET_GROUPS for the function: PORT=ARN per entry.
  target_groups_env = join(",", [for k, l in local.listeners : "${l.port}=${local.target_group_arns[k]}"])

  # Whether a target group is created: then the weaker allow-list reads vpc_id rather than a given group's VPC.
  any_target_group_created = anytrue([for l in values(local.listeners) : l.create_target_group])

  # Appended to the names of an entry's alarm and dashboard: none for "default", so the shorthand keeps its names.
  listener_name_suffixes = { for k, l in local.listeners : k => k == "default" ? "" : "-${k}" }

  # The TargetGroup dimension of each target group's metrics: targetgroup/<name>/<id>.
  target_group_arn_suffixes = { for k, arn in local.target_group_arns : k => element(split(":", arn), 5) }

  # NLB listener ARN per entry that has one.
  listener_arns = { for k, l in aws_lb_listener.this : k => l.arn }

  # allowed_target_cidrs is set: the function may register exactly those blocks.
  allowed_target_cidrs_given = (length(var.allowed_target_cidrs) >= 1)

  # alb_arn or alb_name names the ALB whose subnets bound ALLOWED_TARGET_CIDRS.
  alb_given = ((var.alb_arn != null) || (var.alb_name != null))

  # Neither a list nor the explicit opt-out: ALLOWED_TARGET_CIDRS comes from AWS, the ALB's subnets or else the target
  # group's VPC.
  derive_allowed_target_cidrs = (var.create && (!var.allow_any_target_cidr && !local.allowed_target_cidrs_given))

  # ALLOWED_TARGET_CIDRS from the ALB's subnets: the ALB and each of its subnets are looked up.
  look_up_alb = (local.derive_allowed_target_cidrs && local.alb_given)

  # No ALB to look up: the weaker bound of the target group VPC's blocks (allowed_target_cidrs_source = "vpc").
  allowed_target_cidrs_from_vpc = (local.derive_allowed_target_cidrs && !local.alb_given)

  # ALLOWED_TARGET_CIDRS, what a DNS answer may get registered (SECURITY.md, "DNS answers"): the list given, the
  # opt-out's /0 blocks, the ALB's subnets, or the VPC's blocks.
  allowed_target_cidrs = (
    !var.create ? [] :
    local.allowed_target_cidrs_given ? var.allowed_target_cidrs :
    var.allow_any_target_cidr ? ["0.0.0.0/0", "::/0"] :
    local.alb_given ? flatten([[
      for key, val in data.aws_subnet.alb : compact([val.cidr_block, val.ipv6_cidr_block])
    ]]) :
    concat(
      data.aws_vpc.target[0].cidr_block_associations[*].cidr_block,
      compact([data.aws_vpc.target[0].ipv6_cidr_block]),
    )
  )

  # Where ALLOWED_TARGET_CIDRS comes from, for the output of that name.
  allowed_target_cidrs_source = (
    var.allow_any_target_cidr ? "any" :
    local.allowed_target_cidrs_given ? "variable" :
    local.alb_given ? "alb_subnets" :
    "vpc"
  )

  # The module creates the state bucket (else state_bucket_name is an existing one).
  create_state_bucket = (var.create && var.create_state_bucket)

  # The state bucket, created or given ("" while missing: the precondition on the function names it before an ARN is
  # built from it).
  state_bucket_name = (
    local.create_state_bucket ? aws_s3_bucket.state[0].bucket :
    (var.state_bucket_name == null) ? "" :
    var.state_bucket_name
  )

  # The module creates the function's log group (else log_group_name is an existing one).
  create_log_group = (var.create && var.create_log_group)

  # The function's log group, created or given.
  log_group_name = (
    local.create_log_group ? aws_cloudwatch_log_group.this[0].name :
    (var.log_group_name == null) ? "" :
    var.log_group_name
  )

  # The log group's ARN; a given group's is built from its name (no look-up, no extra permission).
  log_group_arn = (
    local.create_log_group ? aws_cloudwatch_log_group.this[0].arn :
    "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:log-group:${local.log_group_name}"
  )

  # discovery_mode = "eni": the function lists the ALB's network interfaces (exact) instead of sampling its DNS name.
  eni_discovery = (var.discovery_mode == "eni")

  # The module creates the function's role (else role_arn is one managed elsewhere, granted role_policy_json).
  create_role = (var.create && var.create_role)

  # The function's role, created or given.
  role_arn = local.create_role ? aws_iam_role.this[0].arn : (var.role_arn == null) ? "" : var.role_arn

  # The shortest function timeout with which a run can make a change and record it: each may take aws_max_attempts ×
  # aws_request_timeout_ms plus 2 s of backoff per retry, and discovery needs 2 s (docs/operations.md, Operations notes,
  # "Function timeout"; the function computes the same).
  minimum_function_timeout = ceil((
    (((2 * (var.aws_max_attempts * var.aws_request_timeout_ms)) + (4000 * var.aws_max_attempts)) - 1000) / 1000
  ))

  # The function's settings (README, Configuration), one environment variable each; the targets, DNS_SERVERS,
  # CLEANUP_UNSERVED_PORTS and the discovery settings are merged in on the function when set.
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

  # The interface event rule: event_driven (unset: discovery_mode = "eni"), for the ALB of alb_arn.
  create_interface_events = (
    var.create && (
      (((var.event_driven == null) && local.eni_discovery) || (var.event_driven == true)) && (var.alb_arn != null)
    )
  )

  # How ELB describes the ALB's network interfaces: "ELB " and the ARN's resource after loadbalancer/, app/<name>/<id>.
  alb_interface_description = (
    (var.alb_arn == null) ? null :
    format("ELB %s", join("/", slice(split("/", var.alb_arn), 1, 4)))
  )

  # The LoadBalancerName dimension of the function's metrics: the ALB's DNS name, lower case, no trailing dot.
  alb_metric_dimension = lower(trimsuffix(var.alb_dns_name, "."))

  # The schedule's interval in seconds (schedule_expression is validated to be rate(N unit)): one alarm period per run,
  # so a run that happened is never a missing datapoint.
  schedule_seconds = tonumber(regex("^rate\\(([0-9]+) ", var.schedule_expression)[0]) * lookup(
    { minute = 60, hour = 3600, day = 86400 },
    trimsuffix(regex(" ([a-z]+)\\)$", var.schedule_expression)[0], "s"),
    60,
  )

  # The alarm window: 3 runs, fewer when 3 periods would pass CloudWatch's one-day limit.
  alarm_evaluation_periods = min(3, max(1, floor(86400 / local.schedule_seconds)))

  # The function publishes its metrics: not with publish_ip_count_metric = false, nor in a dry run.
  metrics_published = (var.publish_ip_count_metric && !var.dry_run)

  # The alarm on LoadBalancerIPCount, per target group: not with metrics off or in a dry run, which publish no datapoint
  # (it would only ever fire).
  create_ip_count_alarm = (var.create && (var.create_ip_count_alarm && local.metrics_published))

  # The alarm on TargetsOutsideAllowedCidrs, per target group: not with the explicit opt-out (nothing is refused), with
  # metrics off or in a dry run.
  create_outside_allowed_cidrs_alarm = (
    var.create && ((var.create_outside_allowed_cidrs_alarm && local.metrics_published) && !var.allow_any_target_cidr)
  )

  # The alarm on TargetsOnUnservedPorts, per target group: not with the opt-out, with metrics off or in a dry run.
  create_unserved_ports_alarm = (var.create && (var.create_unserved_ports_alarm && local.metrics_published))

  # The alarm on InterfacesNotElbManaged: with discovery_mode = "eni" only, not with the opt-out, with metrics off or in
  # a dry run.
  create_interfaces_not_elb_managed_alarm = (
    var.create && ((var.create_interfaces_not_elb_managed_alarm && local.metrics_published) && local.eni_discovery)
  )

  # The CloudWatch dashboard, one per target group.
  create_dashboard = (var.create && var.create_dashboard)
}

data "aws_partition" "current" {}

data "aws_region" "current" {}

# IP targets: the ALB's private IPs, kept in sync by the function. A fixed name and no create_before_destroy: a
# replacement group would start empty and the listener would switch to it at once, dropping traffic to the static IPs
# until the next run (docs/operations.md, Operations notes). One per listeners entry, keyed by its name, so adding an
# entry never replaces another's group.
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

# A TCP listener on the NLB (its fixed IPs) forwarding to the entry's target group, whose targets are the ALB's IPs.
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

# The ALB, only to read its subnets: their CIDR blocks are what a DNS answer may get registered.
data "aws_lb" "alb" {
  count = local.look_up_alb ? 1 : 0
  arn   = var.alb_arn
  name  = var.alb_name
}

# Each subnet of the ALB, for its IPv4 and IPv6 blocks.
data "aws_subnet" "alb" {
  for_each = toset(local.look_up_alb ? toset(data.aws_lb.alb[0].subnets) : toset([]))
  id       = each.value
}

# A given target group's VPC, for the weaker bound (a created group is in vpc_id).
data "aws_lb_target_group" "given" {
  count = (local.allowed_target_cidrs_from_vpc && !local.any_target_group_created) ? 1 : 0
  arn   = local.primary_target_group_arn
}

# The target group's VPC: every associated IPv4 block and the IPv6 block, for the weaker bound.
data "aws_vpc" "target" {
  count = local.allowed_target_cidrs_from_vpc ? 1 : 0
  id    = local.any_target_group_created ? var.vpc_id : data.aws_lb_target_group.given[0].vpc_id
}

# Created before the function (depends_on there), so the role needs no logs:CreateLogGroup.
resource "aws_cloudwatch_log_group" "this" {
  count             = local.create_log_group ? 1 : 0
  kms_key_id        = var.log_group_kms_key_arn
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_in_days
  tags              = merge(var.tags, var.log_group_tags)
}

data "aws_caller_identity" "current" {}

# The sync: reserved concurrency 1 by default, so runs never overlap (null: unreserved, still safe because every state
# write is conditional). The preconditions check at plan time what the function would reject at cold start.
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
    variables = merge(
      merge(
        local.function_environment,
        (
          local.listeners_shorthand ? {
            "ALB_LISTENER" = tostring(var.alb_listener_port)
            "NLB_TG_ARN"   = local.primary_target_group_arn
          } :
          { "TARGET_GROUPS" = local.target_groups_env }
        ),
        (length(var.dns_servers) >= 1) ? { "DNS_SERVERS" = join(",", var.dns_servers) } : {},
        var.cleanup_unserved_ports ? { "CLEANUP_UNSERVED_PORTS" = "true" } : {},
      ),
      merge(
        (var.alb_arn == null) ? {} : { "ALB_ARN" = var.alb_arn },
        (var.alb_vpc_id == null) ? {} : { "ALB_VPC_ID" = var.alb_vpc_id },
        (var.alb_role_arn == null) ? {} : { "ALB_ROLE_ARN" = var.alb_role_arn },
        (var.alb_role_external_id == null) ? {} : { "ALB_ROLE_EXTERNAL_ID" = var.alb_role_external_id },
      ),
    )
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
      condition     = !local.listeners_shorthand || var.alb_listener_port != null
      error_message = "alb_listener_port is required unless listeners is set."
    }

    precondition {
      condition     = local.listeners_shorthand || (var.alb_listener_port == null && var.target_group_arn == null)
      error_message = "listeners replaces alb_listener_port and target_group_arn: set one or the other (the shorthand is the listeners entry \"default\")."
    }

    precondition {
      condition     = !local.listeners_shorthand || var.create_target_group || var.target_group_arn != null
      error_message = "target_group_arn is required when create_target_group is false."
    }

    precondition {
      condition     = !local.listeners_shorthand || !var.create_target_group || var.target_group_arn == null
      error_message = "target_group_arn is set but create_target_group is true, so it would be ignored: set create_target_group = false, or remove target_group_arn."
    }

    # An NLB listener forwards to one target group: an IPv4 and an IPv6 group on one port cannot share it.
    precondition {
      condition     = length(distinct(local.listener_ports_created)) == length(local.listener_ports_created)
      error_message = "Two listeners entries create an NLB listener on the same port: set create_listener = false on one of them (e.g. the ipv6 one) and put its group behind a listener of its own."
    }

    # The function refuses a /0 block at cold start unless allow_any_target_cidr: refused here at plan time already.
    precondition {
      condition = (
        var.allow_any_target_cidr || !anytrue([for key, val in toset(var.allowed_target_cidrs) : endswith(val, "/0")])
      )
      error_message = "allowed_target_cidrs holds 0.0.0.0/0 or ::/0, which lets a forged DNS answer register any host (SECURITY.md); list the ALB's subnets, or set allow_any_target_cidr = true."
    }

    precondition {
      condition     = (local.create_state_bucket || (var.state_bucket_name != null))
      error_message = "state_bucket_name is required when create_state_bucket is false."
    }

    precondition {
      condition     = (local.create_log_group || (var.log_group_name != null))
      error_message = "log_group_name is required when create_log_group is false."
    }

    precondition {
      condition     = (!local.eni_discovery || (var.alb_arn != null))
      error_message = "discovery_mode = \"eni\" needs alb_arn: the function finds the ALB's interfaces by the name and id in its ARN."
    }

    precondition {
      condition     = (local.eni_discovery || (var.alb_vpc_id == null))
      error_message = "alb_vpc_id is only used with discovery_mode = \"eni\"; set that, or unset alb_vpc_id."
    }

    precondition {
      condition     = (local.eni_discovery || (var.alb_role_arn == null))
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

    # An interface event names nothing DNS can show yet, and every deletion by ELB in the region would trigger a full
    # DNS run.
    precondition {
      condition     = ((var.event_driven != true) || local.eni_discovery)
      error_message = "event_driven = true needs discovery_mode = \"eni\": a DNS run cannot see a new interface yet, and every ELB interface deletion costs a run. Use \"eni\" or unset event_driven."
    }

    precondition {
      condition     = (local.create_role || (var.role_arn != null))
      error_message = "role_arn is required when create_role is false."
    }

    precondition {
      condition     = (var.timeout >= local.minimum_function_timeout)
      error_message = "timeout must be at least ${local.minimum_function_timeout} s to make a change and record it with this aws_max_attempts and aws_request_timeout_ms (or lower those)."
    }
  }
}

# No retries and no stale events: a failed run is superseded by the next scheduled one; a retry would only overlap with
# it.
resource "aws_lambda_function_event_invoke_config" "this" {
  count                        = var.create ? 1 : 0
  function_name                = aws_lambda_function.this[0].function_name
  maximum_event_age_in_seconds = 60
  maximum_retry_attempts       = 0
}

# Runs the function every schedule_expression; the alarms take their period from it.
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

# Only this rule may invoke the function through this permission (source_arn).
resource "aws_lambda_permission" "schedule" {
  count         = var.create ? 1 : 0
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[0].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule[0].arn
  statement_id  = "AllowScheduleRule"
}

# ELB's CreateNetworkInterface for this ALB (matched by the interface description) and every DeleteNetworkInterface by
# ELB (it names only the interface id; the function attributes it), as CloudTrail records them: a run within seconds of
# a scale-out. Needs a trail with management events in this region; the schedule stays the backstop.
resource "aws_cloudwatch_event_rule" "interface_events" {
  count       = local.create_interface_events ? 1 : 0
  description = "Runs the ${var.name} function (alb-static-ip) when ELB creates or deletes one of the ALB's network interfaces."
  event_pattern = jsonencode({
    "source"      = ["aws.ec2"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    "detail" = {
      "eventSource"     = ["ec2.amazonaws.com"]
      "sourceIPAddress" = ["elasticloadbalancing.amazonaws.com"]
      "errorCode"       = [{ "exists" = false }]
      "$or" = [
        {
          "eventName"         = ["CreateNetworkInterface"]
          "requestParameters" = { "description" = [local.alb_interface_description] }
        },
        { "eventName" = ["DeleteNetworkInterface"] },
      ]
    }
  })
  name  = "${var.name}-alb-interfaces"
  state = "ENABLED"
  tags  = merge(var.tags, var.schedule_tags)
}

resource "aws_cloudwatch_event_target" "interface_events" {
  count     = local.create_interface_events ? 1 : 0
  arn       = aws_lambda_function.this[0].arn
  rule      = aws_cloudwatch_event_rule.interface_events[0].name
  target_id = "alb-static-ip"
}

# Only the interface event rule may invoke the function through this permission (source_arn).
resource "aws_lambda_permission" "interface_events" {
  count         = local.create_interface_events ? 1 : 0
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[0].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.interface_events[0].arn
  statement_id  = "AllowInterfaceEventRule"
}
