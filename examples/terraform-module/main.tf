# Use the module with an ALB and an NLB that already exist: it creates the IP-type target group,
# the NLB's TCP listener on the ALB's port, and everything that keeps the targets in sync.

data "aws_lb" "alb" {
  name = var.alb_name

  lifecycle {
    postcondition {
      condition     = self.internal && self.load_balancer_type == "application"
      error_message = "alb_name must name an internal Application Load Balancer."
    }
  }
}

data "aws_lb" "nlb" {
  name = var.nlb_name

  lifecycle {
    postcondition {
      condition     = self.load_balancer_type == "network"
      error_message = "nlb_name must name a Network Load Balancer."
    }
  }
}

module "alb_static_ip" {
  # From a release: source = "github.com/<owner>/alb-static-ip//modules/terraform/alb-static-ip?ref=v0.4.0"
  source = "../../modules/terraform/alb-static-ip"

  name              = var.name
  alb_dns_name      = data.aws_lb.alb.dns_name
  alb_listener_port = var.alb_listener_port
  vpc_id            = data.aws_lb.nlb.vpc_id

  # ALLOWED_TARGET_CIDRS = the ALB's subnets, looked up by name (SECURITY.md, "DNS answers").
  alb_name = var.alb_name

  create_listener = true
  nlb_arn         = data.aws_lb.nlb.arn

  alarm_actions = var.alarm_actions
  tags          = var.tags
}
