/** Module variables — the NLB target group kept in sync and the optional NLB listener. */
import { MAX_TARGET_GROUPS, TARGET_GROUP_ARN_PATTERN } from "../../lambda/config/index.js";
import { DEFAULTS } from "./defaults.js";
import { LISTENER_KEY_PATTERN, NLB_ARN_PATTERN, VPC_ID_PATTERN } from "./patterns.js";
import {
  hclPattern,
  hclString,
  type InputGroup,
  integerIn,
  LISTENERS_TYPE,
  matches,
  oneOf,
  partitionMatchesRegion,
  tagsInput,
} from "./spec.js";

export const TARGET_GROUP_INPUTS = {
  listeners: {
    variable: "listeners",
    kind: LISTENERS_TYPE,
    description:
      'Several listeners from one function (TARGET_GROUPS), instead of alb_listener_port: a map from a short key (1-16 lower-case letters, digits, hyphens) to { port, target_group_arn (an existing group; null: one is created, named <name>-<key>), create_listener (null: create_listener, else when nlb_arn is set), ip_address_type (ipv4 or ipv6; ipv6 needs a dualstack ALB and NLB), health_check_protocol, health_check_path }. The key "default" is the shorthand\'s entry and keeps its names, so a single-listener deployment moves into the map without replacing anything. At most 10 entries.',
    default: {},
    validation: [
      {
        condition: `length(var.listeners) <= ${MAX_TARGET_GROUPS} && alltrue([for k, l in var.listeners : can(regex(${hclString(LISTENER_KEY_PATTERN.source)}, k)) && l.port >= 1 && l.port <= 65535 && floor(l.port) == l.port])`,
        errorMessage: `listeners must have at most ${MAX_TARGET_GROUPS} entries, keys of 1-16 lower-case letters, digits or hyphens, and ports from 1 to 65535.`,
      },
      {
        condition:
          'alltrue([for l in values(var.listeners) : contains(["ipv4", "ipv6"], l.ip_address_type) && (l.health_check_protocol == null ? true : contains(["TCP", "HTTP", "HTTPS"], l.health_check_protocol))])',
        errorMessage:
          "listeners: ip_address_type must be ipv4 or ipv6, health_check_protocol TCP, HTTP or HTTPS.",
      },
      {
        condition: `alltrue([for l in values(var.listeners) : l.target_group_arn == null ? true : can(regex(${hclPattern(TARGET_GROUP_ARN_PATTERN.source)}, l.target_group_arn))])`,
        errorMessage:
          "listeners: target_group_arn must be a target group ARN (arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>).",
      },
    ],
  },
  vpcId: {
    variable: "vpc_id",
    kind: "string",
    description: "VPC of the NLB. Required when create_target_group is true.",
    default: null,
    validation: matches("vpc_id", VPC_ID_PATTERN, "a VPC id such as vpc-0123456789abcdef0", true),
  },
  createTargetGroup: {
    variable: "create_target_group",
    kind: "bool",
    description:
      "Create the IP-type TCP target group. Set to false to use an existing one (target_group_arn).",
    default: DEFAULTS.createTargetGroup,
  },
  targetGroupArn: {
    variable: "target_group_arn",
    kind: "string",
    description:
      "ARN of an existing IP-type target group to keep in sync. Required when create_target_group is false.",
    default: null,
    validation: matches(
      "target_group_arn",
      TARGET_GROUP_ARN_PATTERN,
      "a target group ARN, arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex digits>",
      true,
    )?.concat([partitionMatchesRegion("target_group_arn")]),
  },
  healthCheckProtocol: {
    variable: "health_check_protocol",
    kind: "string",
    description:
      "Health check of the created target group: TCP (default; a TCP connect to each ALB IP, independent of listener rules) or HTTP/HTTPS (a request through the ALB's rules).",
    default: DEFAULTS.healthCheckProtocol,
    validation: oneOf("health_check_protocol", ["TCP", "HTTP", "HTTPS"]),
  },
  healthCheckPath: {
    variable: "health_check_path",
    kind: "string",
    description: "Path requested by HTTP/HTTPS health checks; ignored for TCP.",
    default: DEFAULTS.healthCheckPath,
    validation: [
      {
        condition: 'startswith(var.health_check_path, "/")',
        errorMessage: "health_check_path must start with /.",
      },
    ],
  },
  deregistrationDelaySeconds: {
    variable: "deregistration_delay_seconds",
    kind: "number",
    description:
      "Seconds a deregistered ALB IP stays draining in the created target group, so connections to a retiring ALB node can finish (the ALB idle timeout must stay below the NLB's 350 s).",
    default: DEFAULTS.deregistrationDelaySeconds,
    validation: integerIn("deregistration_delay_seconds", 0, 3600, "seconds"),
  },
  createListener: {
    variable: "create_listener",
    kind: "bool",
    description:
      'Create a TCP listener on nlb_arn (port alb_listener_port) that forwards to the target group. null (default): create it exactly when nlb_arn is set, as the CDKTF construct does. Set it to true when nlb_arn comes from an NLB created in the same apply: Terraform cannot decide the default at plan time then ("Invalid count argument").',
    default: null,
  },
  nlbArn: {
    variable: "nlb_arn",
    kind: "string",
    description: "ARN of the existing Network Load Balancer. Required when create_listener is true.",
    default: null,
    validation: matches(
      "nlb_arn",
      NLB_ARN_PATTERN,
      "a Network Load Balancer ARN (…:loadbalancer/net/<name>/<id>)",
      true,
    )?.concat([partitionMatchesRegion("nlb_arn")]),
  },
  targetGroupTags: tagsInput("target_group_tags", "the created target group"),
  listenerTags: tagsInput("listener_tags", "the created NLB listener"),
} as const satisfies InputGroup;
