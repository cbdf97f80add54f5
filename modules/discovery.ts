/**
 * Where the function's observation comes from (DISCOVERY_MODE) and what that needs: the props and module
 * variables of ENI discovery (`alb_vpc_id`, `alb_role_arn`, `alb_role_external_id`, `event_driven`; `alb_arn`
 * and `discovery_mode` are in inputs.ts), the function's environment for them, the plan-time checks, and the IAM
 * statements, least privilege per mode:
 * - `dns`: nothing beyond the base policy;
 * - `eni` without a role: `ec2:DescribeNetworkInterfaces` on `*` (the action has no resource-level permissions);
 * - `eni` with `alb_role_arn`: `sts:AssumeRole` on exactly that role, and no ec2 action at all (the ALB's
 *   account grants ec2:DescribeNetworkInterfaces to the role; examples/cross-account-alb).
 * Every decision is literal for a CDKTF app with literal props and a Terraform expression in the module.
 */
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { Fn, type IResolvable, Op, Token } from "cdktf";
import { ALB_ARN_PATTERN, CONFIG_DEFAULTS, ROLE_ARN_PATTERN, VPC_ID_PATTERN } from "../lambda/config.js";
import type { BuildContext } from "./context.js";
import { isNull, isSet, isToken, type Toggle } from "./expr.js";
import type { OptionalStatement } from "./iam.js";
import type { InputSpec } from "./inputs/spec.js";

/** The props of ENI discovery and events (AlbStaticIpProps extends this). */
export interface DiscoveryProps {
  /** ALB_VPC_ID (eni mode): narrows the lookup; default: derived by the function from its first lookup. */
  readonly albVpcId?: string;
  /** ALB_ROLE_ARN (eni mode): a role in the ALB's account that the function assumes for the lookup. */
  readonly albRoleArn?: string;
  /** ALB_ROLE_EXTERNAL_ID: the external id that role's trust policy requires. */
  readonly albRoleExternalId?: string;
  /**
   * Deliver ELB's CloudTrail interface events to the function (an EventBridge rule for this ALB's interfaces):
   * a run within seconds of a scale-out. Default: true when `discoveryMode` is `eni`. Needs `albArn`.
   */
  readonly eventDriven?: Toggle | null;
}

/** Shape of ALB_ROLE_EXTERNAL_ID (as STS accepts it). */
const EXTERNAL_ID_SHAPE = /^[A-Za-z0-9_+=,.@:/-]{2,1224}$/;
/** The same for Terraform: RE2 allows no repetition count above 1000, so the length is checked apart. */
const EXTERNAL_ID_CHARACTERS = /^[A-Za-z0-9_+=,.@:/-]+$/;

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
      EXTERNAL_ID_CHARACTERS,
      "2-1224 characters of letters, digits and _+=,.@:/-",
      { min: 2, max: 1224 },
    ),
  },
  eventDriven: {
    variable: "event_driven",
    kind: "bool",
    description:
      'Run the function at once when ELB creates or deletes one of the ALB\'s network interfaces (an EventBridge rule on the CloudTrail events, with its own lambda permission); the schedule stays as the backstop. Needs alb_arn and a CloudTrail trail recording management events in this region. Null: true when discovery_mode = "eni".',
    default: null,
    nullable: true,
  },
};

/** `value == literal`, folded when `value` is a literal. */
function equals(value: string | undefined, literal: string): Toggle {
  if (value === undefined) return false;
  if (isToken(value)) return Op.eq(value, literal);
  return value.toLowerCase() === literal;
}

/** Whether `value` is given: literal `true`/`false`, or a plan-time `!= null`. */
function given(value: string | undefined): Toggle {
  if (value === undefined) return false;
  return isToken(value) ? isSet(value) : true;
}

function and(a: Toggle, b: Toggle): Toggle {
  if (a === false || b === false) return false;
  if (a === true) return b;
  if (b === true) return a;
  return Op.and(a, b);
}

function or(a: Toggle, b: Toggle): Toggle {
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return Op.or(a, b);
}

function not(a: Toggle): Toggle {
  return typeof a === "boolean" ? !a : Op.not(a);
}

/** The decisions every part of ENI discovery shares. */
export interface DiscoveryDecisions {
  /** discovery_mode = "eni" */
  readonly eni: Toggle;
  /** alb_role_arn is set */
  readonly role: Toggle;
  /** The interface event rule exists: event_driven (default: eni) and alb_arn set. */
  readonly events: Toggle;
}

/** Decides the toggles from the props. */
export function discoveryDecisions(ctx: BuildContext): DiscoveryDecisions {
  const { props } = ctx;
  const eni = equals(props.discoveryMode ?? CONFIG_DEFAULTS.DISCOVERY_MODE, "eni");
  const role = given(props.albRoleArn);
  const requested: Toggle =
    props.eventDriven === undefined || props.eventDriven === null
      ? eni
      : isToken(props.eventDriven)
        ? // (no conditional: its unparenthesised rendering would bind the `&&` below into one branch only)
          Op.or(Op.and(Op.eq(props.eventDriven, Token.nullValue()), eni), Op.eq(props.eventDriven, true))
        : props.eventDriven;
  return { eni, role, events: and(requested, given(props.albArn)) };
}

/** The function's environment for discovery: literal entries, or one plan-time map to merge. */
export function discoveryEnvironment(ctx: BuildContext): Record<string, string> | IResolvable {
  const { props } = ctx;
  const entries: Array<[string, string | undefined]> = [
    ["ALB_ARN", props.albArn],
    ["ALB_VPC_ID", props.albVpcId],
    ["ALB_ROLE_ARN", props.albRoleArn],
    ["ALB_ROLE_EXTERNAL_ID", props.albRoleExternalId],
  ];
  if (!entries.some(([, v]) => v !== undefined && isToken(v))) {
    return Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined));
  }
  // Only the variables that are set: Lambda rejects no value, but the function reads an empty one as unset anyway,
  // and the plan stays readable.
  return Fn.merge(
    entries
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([name, value]) =>
        isToken(value) ? Fn.conditional(isNull(value), {}, { [name]: value }) : { [name]: value },
      ),
  );
}

/** Plan-time checks (module) of what the function would reject at cold start; literal props: {@link discoveryPropProblems}. */
export function declareDiscoveryPreconditions(ctx: BuildContext, d: DiscoveryDecisions): void {
  const { props, preconditions } = ctx;
  // Only what Terraform decides becomes a precondition: a literal condition is folded here (Terraform rejects a
  // precondition that refers to nothing); a literal violation is a synth-time prop problem instead.
  const push = (condition: Toggle, errorMessage: string) => {
    if (typeof condition !== "boolean") preconditions.push({ condition, errorMessage });
  };
  push(
    or(not(d.eni), given(props.albArn)),
    'discovery_mode = "eni" needs alb_arn: the function finds the ALB\'s interfaces by the name and id in its ARN.',
  );
  for (const [value, variable] of [
    [props.albVpcId, "alb_vpc_id"],
    [props.albRoleArn, "alb_role_arn"],
  ] as const) {
    if (value !== undefined && isToken(value)) {
      push(
        or(d.eni, isNull(value)),
        `${variable} is only used with discovery_mode = "eni"; set that, or unset ${variable}.`,
      );
    }
  }
  if (
    props.albRoleExternalId !== undefined &&
    isToken(props.albRoleExternalId) &&
    props.albRoleArn !== undefined
  ) {
    push(
      or(isNull(props.albRoleExternalId), given(props.albRoleArn)),
      "alb_role_external_id is only used with alb_role_arn; set that too, or unset alb_role_external_id.",
    );
  }
  if (props.eventDriven !== undefined && props.eventDriven !== null && isToken(props.eventDriven)) {
    push(
      or(Op.neq(props.eventDriven, true), given(props.albArn)),
      "event_driven = true needs alb_arn: the event rule matches this ALB's interfaces by the name and id in its ARN.",
    );
  }
}

/** Problems of literal props (synth time), each with the prop, the value and what is expected. */
export function discoveryPropProblems(
  props: DiscoveryProps & { discoveryMode?: string; albArn?: string },
): string[] {
  const problems: string[] = [];
  const literal = (v: unknown): v is string => typeof v === "string" && !isToken(v);
  const mode = props.discoveryMode ?? CONFIG_DEFAULTS.DISCOVERY_MODE;
  if (literal(mode) && !["dns", "eni"].includes(mode.toLowerCase())) {
    problems.push(`discoveryMode ${JSON.stringify(mode)}: expected "dns" or "eni"`);
  }
  const eni = literal(mode) && mode.toLowerCase() === "eni";
  if (eni && props.albArn === undefined) {
    problems.push('discoveryMode is "eni": pass albArn, the ALB whose network interfaces the function lists');
  }
  if (literal(props.albArn) && !ALB_ARN_PATTERN.test(props.albArn)) {
    problems.push(
      `albArn ${JSON.stringify(props.albArn)}: expected arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>`,
    );
  }
  if (literal(props.albVpcId) && !VPC_ID_PATTERN.test(props.albVpcId)) {
    problems.push(
      `albVpcId ${JSON.stringify(props.albVpcId)}: expected a VPC id, vpc- and 8 or 17 hex digits`,
    );
  }
  if (literal(props.albRoleArn) && !ROLE_ARN_PATTERN.test(props.albRoleArn)) {
    problems.push(
      `albRoleArn ${JSON.stringify(props.albRoleArn)}: expected arn:<partition>:iam::<account>:role/<name>`,
    );
  }
  if (literal(props.albRoleExternalId) && !EXTERNAL_ID_SHAPE.test(props.albRoleExternalId)) {
    problems.push("albRoleExternalId: expected 2-1224 characters of letters, digits and _+=,.@:/-");
  }
  if (literal(mode) && !eni) {
    if (props.albVpcId !== undefined) problems.push('albVpcId is only used with discoveryMode "eni"');
    if (props.albRoleArn !== undefined) problems.push('albRoleArn is only used with discoveryMode "eni"');
  }
  if (props.albRoleExternalId !== undefined && props.albRoleArn === undefined) {
    problems.push("albRoleExternalId is only used with albRoleArn; pass that too");
  }
  if (props.eventDriven === true && props.albArn === undefined) {
    problems.push("eventDriven is true: pass albArn, so the event rule can match this ALB's interfaces");
  }
  return problems;
}

/** The discovery statements of the function's policy. */
export function describeInterfacesStatement(resource = "*"): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DescribeAlbInterfaces",
    effect: "Allow",
    actions: ["ec2:DescribeNetworkInterfaces"],
    // ec2:DescribeNetworkInterfaces supports no resource-level permissions (Service Authorization Reference).
    resources: [resource],
  };
}

export function assumeAlbRoleStatement(roleArn: string): DataAwsIamPolicyDocumentStatement {
  return { sid: "AssumeAlbAccountRole", effect: "Allow", actions: ["sts:AssumeRole"], resources: [roleArn] };
}

/** The discovery statements of the function's policy, each present only in its mode (iam.ts renders them). */
export function discoveryStatements(ctx: BuildContext, d: DiscoveryDecisions): OptionalStatement[] {
  const { props } = ctx;
  const out: OptionalStatement[] = [
    {
      present: and(d.eni, not(d.role)),
      hclName: "describe_interfaces",
      statement: describeInterfacesStatement,
      value: "*",
    },
  ];
  if (props.albRoleArn !== undefined) {
    out.push({
      present: and(d.eni, d.role),
      hclName: "assume_alb_role",
      statement: assumeAlbRoleStatement,
      value: props.albRoleArn,
    });
  }
  return out;
}
