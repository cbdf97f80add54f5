# A complete stack from scratch: a VPC in two AZs, an internal ALB with a listener, an internet-facing NLB
# with one Elastic IP per AZ, and the alb-static-ip module in between (target group, NLB TCP listener,
# the function that keeps the ALB's IPs registered).

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 2)
}

# --- network ----------------------------------------------------------------------------------------

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name = var.name
  }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "public" {
  count = 2

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index)

  tags = {
    Name = "${var.name}-public-${local.azs[count.index]}"
  }
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index + 10)

  tags = {
    Name = "${var.name}-private-${local.azs[count.index]}"
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }
}

resource "aws_route_table_association" "public" {
  count = 2

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# --- internal ALB ------------------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name_prefix = "${var.name}-alb-"
  description = "Internal ALB: HTTP from inside the VPC (the NLB forwards from its private IPs)."
  vpc_id      = aws_vpc.this.id
}

resource "aws_vpc_security_group_ingress_rule" "alb_http_from_vpc" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP and health checks from the NLB's private IPs"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_lb" "alb" {
  name                       = "${var.name}-alb"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = aws_subnet.private[*].id
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true

  # Below the NLB's fixed 350 s TCP idle timeout, so the ALB closes idle connections first.
  idle_timeout = 300
}

resource "aws_lb_listener" "alb_http" {
  load_balancer_arn = aws_lb.alb.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "Hello from behind a static IP."
      status_code  = "200"
    }
  }
}

# --- internet-facing NLB with one Elastic IP per AZ -------------------------------------------------

resource "aws_eip" "nlb" {
  count = 2

  domain = "vpc"

  tags = {
    Name = "${var.name}-nlb-${local.azs[count.index]}"
  }
}

resource "aws_lb" "nlb" {
  name                             = "${var.name}-nlb"
  internal                         = false
  load_balancer_type               = "network"
  enable_cross_zone_load_balancing = true

  subnet_mapping {
    subnet_id     = aws_subnet.public[0].id
    allocation_id = aws_eip.nlb[0].id
  }

  subnet_mapping {
    subnet_id     = aws_subnet.public[1].id
    allocation_id = aws_eip.nlb[1].id
  }

  depends_on = [aws_internet_gateway.this]
}

# --- the module: target group, NLB listener on port 80, function, schedule, alarms ---------------

module "alb_static_ip" {
  source = "../../modules/terraform/alb-static-ip"

  name              = var.name
  alb_dns_name      = aws_lb.alb.dns_name
  alb_listener_port = aws_lb_listener.alb_http.port
  vpc_id            = aws_vpc.this.id

  # Only the ALB's subnets may be registered (SECURITY.md, "DNS answers"). The ALB is created here, so pass its
  # subnets' blocks (known at plan time) rather than alb_arn (unknown until apply).
  allowed_target_cidrs = aws_subnet.private[*].cidr_block

  create_listener = true
  nlb_arn         = aws_lb.nlb.arn

  alarm_actions = var.alarm_actions

  # Conventions of terraform-aws-modules: the role under a path, active X-Ray tracing, per-resource tags.
  role_path    = "/service-role/"
  tracing_mode = "Active"
  function_tags = {
    Component = "alb-static-ip-function"
  }
  target_group_tags = {
    Component = "alb-static-ip-targets"
  }

  state_bucket_force_destroy = var.state_bucket_force_destroy
}
