# A complete stack from scratch: a VPC in two AZs, an internal ALB with listeners on 80 and 443, an
# internet-facing NLB with one Elastic IP per AZ, and the alb-static-ip module in between (a target group and
# NLB TCP listener per port, the one function that keeps the ALB's IPs registered in all of them).
# With dualstack = true the VPC, subnets, ALB and NLB get IPv6 too, and a third entry syncs the ALB's IPv6
# addresses into an ipv6 target group behind the NLB's port 443.

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, 2)
}

# --- network ----------------------------------------------------------------------------------------

resource "aws_vpc" "this" {
  cidr_block                       = var.vpc_cidr
  assign_generated_ipv6_cidr_block = var.dualstack
  enable_dns_support               = true
  enable_dns_hostnames             = true

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
  ipv6_cidr_block   = var.dualstack ? cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, count.index) : null

  tags = {
    Name = "${var.name}-public-${local.azs[count.index]}"
  }
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, count.index + 10)
  ipv6_cidr_block   = var.dualstack ? cidrsubnet(aws_vpc.this.ipv6_cidr_block, 8, count.index + 10) : null

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
  ip_address_type            = var.dualstack ? "dualstack" : "ipv4"
  subnets                    = aws_subnet.private[*].id
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true

  # Below the NLB's fixed 350 s TCP idle timeout, so the ALB closes idle connections first.
  idle_timeout = 300
}

resource "aws_vpc_security_group_ingress_rule" "alb_https_from_vpc" {
  security_group_id = aws_security_group.alb.id
  description       = "Port 443 from the NLB's private IPs"
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_ingress_rule" "alb_https_from_vpc_ipv6" {
  count = var.dualstack ? 1 : 0

  security_group_id = aws_security_group.alb.id
  description       = "Port 443 from the NLB's IPv6 addresses"
  cidr_ipv6         = aws_vpc.this.ipv6_cidr_block
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
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

# Port 443. A real deployment terminates TLS here (protocol HTTPS with an ACM certificate); plain HTTP keeps the
# example free of certificates, and the NLB forwards TCP either way.
resource "aws_lb_listener" "alb_443" {
  load_balancer_arn = aws_lb.alb.arn
  port              = 443
  protocol          = "HTTP"

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "Hello from behind a static IP, port 443."
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
  ip_address_type                  = var.dualstack ? "dualstack" : "ipv4"
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

# --- the module: a target group and NLB listener per port, one function, schedule, alarms ---------

module "alb_static_ip" {
  # From a release: source = "github.com/<owner>/alb-static-ip//modules/terraform/alb-static-ip?ref=v0.4.0"
  source = "../../modules/terraform/alb-static-ip"

  name         = var.name
  alb_dns_name = aws_lb.alb.dns_name
  vpc_id       = aws_vpc.this.id

  # One function for every listener: "default" is port 80 (the one-listener shorthand's entry), "https" port 443,
  # and with dualstack "v6" the ALB's IPv6 addresses (AAAA records) in an ipv6 target group for port 443.
  listeners = merge(
    {
      default = { port = aws_lb_listener.alb_http.port }
      https   = { port = aws_lb_listener.alb_443.port }
    },
    # An NLB listener forwards to one target group, and this NLB's 443 forwards to the ipv4 one: the ipv6 group
    # is kept in sync here and attached to a listener of your dualstack front door.
    var.dualstack ? { v6 = { port = aws_lb_listener.alb_443.port, ip_address_type = "ipv6", create_listener = false } } : {},
  )

  # Only the ALB's subnets may be registered (SECURITY.md, "DNS answers"). The ALB is created here, so pass its
  # subnets' blocks (known at plan time) rather than alb_arn (unknown until apply).
  allowed_target_cidrs = concat(
    aws_subnet.private[*].cidr_block,
    var.dualstack ? aws_subnet.private[*].ipv6_cidr_block : [],
  )

  # Known at plan time (the NLB is created in the same apply, so "when nlb_arn is set" is not).
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
