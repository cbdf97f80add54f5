/**
 * Where the function's observation comes from (DISCOVERY_MODE) and what that needs: the decisions (ENI mode, a
 * role in the ALB's account, the interface events), the function's environment for them, the plan-time checks,
 * and which IAM statements (policies.ts) the role gets, least privilege per mode (the props are in props.ts, the
 * variables in inputs/discovery.ts):
 * - `dns`: nothing beyond the base policy;
 * - `eni` without a role: `ec2:DescribeNetworkInterfaces` on `*` (the action has no resource-level permissions);
 * - `eni` with `alb_role_arn`: `sts:AssumeRole` on exactly that role, and no ec2 action at all (the ALB's
 *   account grants ec2:DescribeNetworkInterfaces to the role; examples/cross-account-alb).
 * Every decision is literal for a CDKTF app with literal props and a Terraform expression in the module.
 */
import { Fn, type IResolvable, Op, Token } from "cdktf";
import { CONFIG_DEFAULTS } from "../lambda/config/index.js";
import type { BuildContext } from "./context.js";
import { isNull, isSet, isToken, type Toggle } from "./expr.js";
import { assumeAlbRoleStatement, describeInterfacesStatement, type OptionalStatement } from "./policies.js";

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
  const eni = ctx.decide(
    "eni_discovery",
    equals(props.discoveryMode ?? CONFIG_DEFAULTS.DISCOVERY_MODE, "eni"),
    'discovery_mode = "eni": the function lists the ALB\'s network interfaces (exact) instead of sampling its DNS name.',
  );
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

/** Plan-time checks (module) of what the function would reject at cold start; literal props: prop-checks.ts. */
export function declareDiscoveryPreconditions(ctx: BuildContext, d: DiscoveryDecisions): void {
  const { props, preconditions } = ctx;
  // Only what Terraform decides becomes a precondition: a literal condition is folded here (Terraform rejects a
  // precondition that refers to nothing); a literal violation is a synth-time prop problem instead.
  const push = (condition: Toggle, errorMessage: string, why?: string) => {
    if (typeof condition !== "boolean") preconditions.push({ condition, errorMessage, why });
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
  // Events with DNS discovery: the run an interface event triggers cannot see the new interface in DNS yet, and
  // the rule fires on every interface ELB deletes in the region (a deletion names no load balancer), each a full
  // DNS run: cost without use. A literal combination is a prop problem (prop-checks.ts).
  const eventsNotAsked: Toggle =
    props.eventDriven === true ? false : isToken(props.eventDriven) ? Op.neq(props.eventDriven, true) : true;
  push(
    or(eventsNotAsked, d.eni),
    'event_driven = true needs discovery_mode = "eni": a DNS run cannot see a new interface yet, and every ELB interface deletion costs a run. Use "eni" or unset event_driven.',
    "An interface event names nothing DNS can show yet, and every deletion by ELB in the region would trigger a full DNS run.",
  );
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
