/** Module variables — the ALB to follow, and the bound on what its DNS answers may register (ALLOWED_TARGET_CIDRS). */
import { CONFIG_RANGES } from "../../lambda/config/index.js";
import { ALB_ARN_PATTERN, ALB_DNS_NAME_PATTERN, NAME_PATTERN } from "./patterns.js";
import { type InputGroup, matches } from "./spec.js";

const R = CONFIG_RANGES;

export const ALB_INPUTS = {
  albDnsName: {
    variable: "alb_dns_name",
    kind: "string",
    description:
      "DNS name of the internal Application Load Balancer, e.g. internal-my-alb-123.us-east-1.elb.amazonaws.com (ALB_DNS_NAME).",
    default: undefined,
    validation: matches(
      "alb_dns_name",
      ALB_DNS_NAME_PATTERN,
      "the ALB's DNS name, e.g. internal-my-alb-123.us-east-1.elb.amazonaws.com",
    ),
  },
  albListenerPort: {
    variable: "alb_listener_port",
    kind: "number",
    description:
      'ALB listener port: the port of the targets in the NLB target group and of the NLB listener (ALB_LISTENER). The one-listener shorthand (the listeners entry "default"); required unless listeners is set.',
    default: null,
    validation: [
      {
        condition: `var.alb_listener_port == null ? true : (var.alb_listener_port >= ${R.ALB_LISTENER.min} && var.alb_listener_port <= ${R.ALB_LISTENER.max} && floor(var.alb_listener_port) == var.alb_listener_port)`,
        errorMessage: `alb_listener_port must be a whole number from ${R.ALB_LISTENER.min} to ${R.ALB_LISTENER.max} (a TCP port).`,
      },
    ],
  },
  albArn: {
    variable: "alb_arn",
    kind: "string",
    description:
      "ARN of the ALB (ALB_ARN). Its subnets' CIDR blocks (IPv4 and IPv6) become ALLOWED_TARGET_CIDRS, the bound on what a DNS answer can register, unless allowed_target_cidrs is set. Null: alb_name, else the weaker bound of the target group VPC's blocks. Required with discovery_mode = \"eni\" and for event_driven. For an ALB in another account the subnet look-up cannot see it: set allowed_target_cidrs.",
    default: null,
    validation: matches(
      "alb_arn",
      ALB_ARN_PATTERN,
      "an Application Load Balancer ARN (…:loadbalancer/app/<name>/<id>)",
      true,
    ),
  },
  albName: {
    variable: "alb_name",
    kind: "string",
    description: "Name of the ALB, instead of alb_arn, to look up its subnets.",
    default: null,
    validation: matches("alb_name", NAME_PATTERN, "an ALB name of 1-32 letters, digits or hyphens", true),
  },
  allowedTargetCidrs: {
    variable: "allowed_target_cidrs",
    kind: "list(string)",
    description:
      "CIDR blocks a DNS answer may get registered (ALLOWED_TARGET_CIDRS); IPs outside them are refused and reported. Empty: the ALB's subnets (alb_arn or alb_name), else the target group VPC's blocks. See the allowed_target_cidrs_source output.",
    default: [],
    validation: [
      {
        condition:
          'length(var.allowed_target_cidrs) <= 64 && alltrue([for c in var.allowed_target_cidrs : can(cidrhost(c, 0)) && (strcontains(c, ":") || cidrhost(c, 0) == split("/", c)[0])])',
        errorMessage:
          "allowed_target_cidrs must hold at most 64 CIDR blocks with the host bits zero, e.g. 10.0.1.0/24.",
      },
    ],
  },
  allowAnyTargetCidr: {
    variable: "allow_any_target_cidr",
    kind: "bool",
    description:
      "Explicit opt-out (ALLOW_ANY_TARGET_CIDR): accept 0.0.0.0/0 or ::/0, so any IP a DNS answer names can be registered. Read SECURITY.md first.",
    default: false,
  },
} as const satisfies InputGroup;
