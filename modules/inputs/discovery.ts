/**
 * Module variables — ENI discovery and interface events (`alb_vpc_id`, `alb_role_arn`, `alb_role_external_id`,
 * `event_driven`); `alb_arn` is in alb.ts and `discovery_mode` in sync.ts. What they decide is in ../discovery.ts.
 */
import { ROLE_ARN_PATTERN, VPC_ID_PATTERN } from "../../lambda/config/index.js";
import type { DiscoveryProps } from "../props.js";
import { ALB_ROLE_EXTERNAL_ID_CHARACTERS } from "./patterns.js";
import type { InputSpec } from "./spec.js";

function nullableMatch(
  variable: string,
  pattern: RegExp,
  what: string,
  length?: { min: number; max: number },
): InputSpec["validation"] {
  const source = pattern.source.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  const bounds =
    length === undefined
      ? ""
      : ` && length(var.${variable}) >= ${length.min} && length(var.${variable}) <= ${length.max}`;
  return [
    {
      condition:
        bounds === ""
          ? `var.${variable} == null || can(regex("${source}", var.${variable}))`
          : // A conditional, not ||: Terraform evaluates both sides of ||, and length(null) is an error.
            `var.${variable} == null ? true : (can(regex("${source}", var.${variable}))${bounds})`,
      errorMessage: `${variable} must be ${what}.`,
    },
  ];
}

/** The module variables of {@link DiscoveryProps} (spread into INPUTS). */
export const DISCOVERY_INPUTS: { readonly [K in keyof DiscoveryProps]-?: InputSpec } = {
  albVpcId: {
    variable: "alb_vpc_id",
    kind: "string",
    description:
      'ALB_VPC_ID, with discovery_mode = "eni": the ALB\'s VPC, to narrow the interface lookup. Null: the function takes the VPC from its first lookup (by the interface description alone; no extra permission).',
    default: null,
    validation: nullableMatch("alb_vpc_id", VPC_ID_PATTERN, "a VPC id, vpc- and 8 or 17 hex digits"),
  },
  albRoleArn: {
    variable: "alb_role_arn",
    kind: "string",
    description:
      "ALB_ROLE_ARN, with discovery_mode = \"eni\": a role in the ALB's account (the ALB is in another account) that the function assumes for ec2:DescribeNetworkInterfaces. The function's own role then gets sts:AssumeRole on this ARN only, and no ec2 permission. See examples/cross-account-alb.",
    default: null,
    validation: nullableMatch(
      "alb_role_arn",
      ROLE_ARN_PATTERN,
      "an IAM role ARN, arn:aws:iam::<account>:role/<name>",
    ),
  },
  albRoleExternalId: {
    variable: "alb_role_external_id",
    kind: "string",
    description:
      "ALB_ROLE_EXTERNAL_ID: the external id that alb_role_arn's trust policy requires (sts:ExternalId).",
    default: null,
    validation: nullableMatch(
      "alb_role_external_id",
      ALB_ROLE_EXTERNAL_ID_CHARACTERS,
      "2-1224 characters of letters, digits and _+=,.@:/-",
      { min: 2, max: 1224 },
    ),
  },
  eventDriven: {
    variable: "event_driven",
    kind: "bool",
    description:
      'Run the function at once when ELB creates or deletes one of the ALB\'s network interfaces (an EventBridge rule on the CloudTrail events, with its own lambda permission); the schedule stays as the backstop. Needs discovery_mode = "eni" (rejected with "dns": a DNS run cannot see a new interface yet, and every ELB interface deletion in the region would cost a run), alb_arn, and a CloudTrail trail recording management events in this region. Null: true when discovery_mode = "eni".',
    default: null,
    nullable: true,
  },
};
