# An ALB in another account: the function lists the ALB's network interfaces with a role that the ALB's account
# creates for it (ec2:DescribeNetworkInterfaces only), and that account forwards ELB's interface events to this
# account's default event bus, where the module's rule picks them up.

data "aws_caller_identity" "this" {}

data "aws_caller_identity" "alb" {
  provider = aws.alb
}

locals {
  # Known before either side exists, so neither waits for the other.
  alb_role_name = "${var.name}-eni-read"
  alb_role_arn  = "arn:aws:iam::${data.aws_caller_identity.alb.account_id}:role/${local.alb_role_name}"
  # "ELB app/<name>/<id>", as ELB describes the ALB's interfaces.
  alb_interface_description = format("ELB %s", join("/", slice(split("/", var.alb_arn), 1, 4)))
}

module "alb_static_ip" {
  # From a release: source = "github.com/<owner>/alb-static-ip//modules/terraform/alb-static-ip?ref=v0.4.0"
  source = "../../modules/terraform/alb-static-ip"

  name              = var.name
  alb_dns_name      = var.alb_dns_name
  alb_listener_port = var.alb_listener_port
  vpc_id            = var.vpc_id
  create_listener   = true
  nlb_arn           = var.nlb_arn
  # IP targets outside the NLB's VPC (peered): AvailabilityZone "all".
  same_vpc = false

  discovery_mode       = "eni"
  alb_arn              = var.alb_arn
  alb_role_arn         = local.alb_role_arn
  alb_role_external_id = var.external_id
  allowed_target_cidrs = var.alb_subnet_cidrs
}

# --- In the ALB's account ----------------------------------------------------------------------

# The role the function assumes: trusted by the function's role only, with the external id.
resource "aws_iam_role" "alb_eni_read" {
  provider = aws.alb
  name     = local.alb_role_name

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AlbStaticIpFunction"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = module.alb_static_ip.role_arn }
      Condition = { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}

# ec2:DescribeNetworkInterfaces has no resource-level permissions: "*" is the narrowest grant there is.
resource "aws_iam_role_policy" "alb_eni_read" {
  provider = aws.alb
  name     = "describe-network-interfaces"
  role     = aws_iam_role.alb_eni_read.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "DescribeAlbInterfaces"
      Effect   = "Allow"
      Action   = "ec2:DescribeNetworkInterfaces"
      Resource = "*"
    }]
  })
}

# ELB's interface events arrive on the ALB account's default bus (CloudTrail must record management events
# there); forward the ones of this ALB to this account's default bus.
resource "aws_cloudwatch_event_rule" "forward_alb_interfaces" {
  provider    = aws.alb
  name        = "${var.name}-forward-alb-interfaces"
  description = "Forwards ELB's interface events of the ALB to the alb-static-ip function's account."

  event_pattern = jsonencode({
    source        = ["aws.ec2"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    detail = {
      eventSource     = ["ec2.amazonaws.com"]
      sourceIPAddress = ["elasticloadbalancing.amazonaws.com"]
      errorCode       = [{ exists = false }]
      "$or" = [
        { eventName = ["CreateNetworkInterface"], requestParameters = { description = [local.alb_interface_description] } },
        { eventName = ["DeleteNetworkInterface"] },
      ]
    }
  })
}

resource "aws_iam_role" "forward_events" {
  provider = aws.alb
  name     = "${var.name}-forward-events"

  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "events.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "forward_events" {
  provider = aws.alb
  name     = "put-events"
  role     = aws_iam_role.forward_events.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "events:PutEvents"
      Resource = "arn:aws:events:${var.region}:${data.aws_caller_identity.this.account_id}:event-bus/default"
    }]
  })
}

resource "aws_cloudwatch_event_target" "forward_alb_interfaces" {
  provider = aws.alb
  rule     = aws_cloudwatch_event_rule.forward_alb_interfaces.name
  arn      = "arn:aws:events:${var.region}:${data.aws_caller_identity.this.account_id}:event-bus/default"
  role_arn = aws_iam_role.forward_events.arn
}

# --- In this account: let the ALB's account put events on the default bus ----------------------

resource "aws_cloudwatch_event_bus_policy" "from_alb_account" {
  event_bus_name = "default"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AlbAccountInterfaceEvents"
      Effect    = "Allow"
      Action    = "events:PutEvents"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.alb.account_id}:root" }
      Resource  = "arn:aws:events:${var.region}:${data.aws_caller_identity.this.account_id}:event-bus/default"
    }]
  })
}
