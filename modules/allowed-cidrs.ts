/**
 * ALLOWED_TARGET_CIDRS for the function: which IPs a DNS answer may get registered (SECURITY.md, "DNS
 * answers"). By default the CIDR blocks of the ALB's subnets, looked up from `alb_arn` or `alb_name`
 * (`aws_lb` → `aws_subnet`, IPv4 and IPv6 blocks); or the `allowed_target_cidrs` variable; with neither,
 * the weaker bound of the target group VPC's blocks (`aws_vpc`), so existing deployments keep planning.
 * `allow_any_target_cidr = true` opts out explicitly. Which one applies is the `allowed_target_cidrs_source`
 * output: `variable`, `alb_subnets`, `vpc` or `any`.
 */
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb/index.js";
import { DataAwsLbTargetGroup } from "@cdktf/provider-aws/lib/data-aws-lb-target-group/index.js";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet/index.js";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc/index.js";
import {
  Fn,
  type IResolvable,
  Op,
  ref,
  TerraformIterator,
  TerraformLocal,
  TerraformStack,
  Token,
} from "cdktf";
import { type BuildContext, envBool } from "./context.js";
import { isSet } from "./expr.js";

/** What the function's environment gets. */
export interface AllowedCidrParts {
  /** ALLOWED_TARGET_CIDRS: the blocks, comma-separated. */
  readonly allowedTargetCidrs: string;
  /** ALLOW_ANY_TARGET_CIDR: "true" or "false". */
  readonly allowAnyTargetCidr: string;
  /** `variable`, `alb_subnets`, `vpc` or `any`. */
  readonly source: string;
}

/** Both `/0` blocks: what an explicit opt-out without a list means. */
const ANY = ["0.0.0.0/0", "::/0"];

function bool(value: boolean | IResolvable): IResolvable {
  return (typeof value === "boolean" ? Token.asAny(value) : value) as IResolvable;
}

/**
 * Declares the look-ups and returns the environment values. Every decision is a Terraform expression, so
 * the construct and the generated module behave the same; Terraform folds what is known at plan time.
 */
export function declareAllowedCidrs(
  ctx: BuildContext,
  targetGroupArn: string,
  /** With `listeners`: whether any entry creates its target group (else the shorthand's create_target_group). */
  anyCreated?: string,
): AllowedCidrParts {
  const { scope, props, named } = ctx;
  const stack = TerraformStack.of(scope);
  const list = props.allowedTargetCidrs ?? [];
  const allowAny = bool(props.allowAnyTargetCidr ?? false);
  // (cdktf's operators drop a literal 0, hence >= 1.)
  const hasList = bool(
    ctx.decide(
      "allowed_target_cidrs_given",
      Op.gte(Fn.lengthOf(list), 1),
      "allowed_target_cidrs is set: the function may register exactly those blocks.",
    ),
  );
  const albGiven = bool(
    props.albArn === undefined && props.albName === undefined
      ? false
      : ctx.decide(
          "alb_given",
          Op.or(
            props.albArn === undefined ? false : isSet(props.albArn),
            props.albName === undefined ? false : isSet(props.albName),
          ),
          "alb_arn or alb_name names the ALB whose subnets bound ALLOWED_TARGET_CIDRS.",
        ),
  );
  // Under the master switch: with create = false nothing is looked up (and the local is empty).
  const create = bool(ctx.create);
  const lookUp = bool(
    ctx.decide(
      "derive_allowed_target_cidrs",
      Op.and(create, Op.and(Op.not(allowAny), Op.not(hasList))),
      "Neither a list nor the explicit opt-out: ALLOWED_TARGET_CIDRS comes from AWS, the ALB's subnets or else the target group's VPC.",
    ),
  );
  const count = (toggle: IResolvable): number => Token.asNumber(Fn.conditional(toggle, 1, 0));

  const lookUpAlb = bool(
    ctx.decide(
      "look_up_alb",
      Op.and(lookUp, albGiven),
      "ALLOWED_TARGET_CIDRS from the ALB's subnets: the ALB and each of its subnets are looked up.",
    ),
  );
  const alb = named(
    new DataAwsLb(scope, "alb", {
      count: count(lookUpAlb),
      arn: props.albArn,
      name: props.albName,
    }),
    "alb",
    "The ALB, only to read its subnets: their CIDR blocks are what a DNS answer may get registered.",
  );
  const albAddress = `data.${alb.terraformResourceType}.${alb.friendlyUniqueId}`;
  const subnetIds = TerraformIterator.fromList(
    Token.asList(
      Fn.conditional(lookUpAlb, Fn.toset(ref(`${albAddress}[0].subnets`, stack)), Fn.toset(Token.asList([]))),
    ),
  );
  const subnets = named(
    new DataAwsSubnet(scope, "alb_subnet", { forEach: subnetIds, id: Token.asString(subnetIds.value) }),
    "alb",
    "Each subnet of the ALB, for its IPv4 and IPv6 blocks.",
  );
  const subnetCidrs = Fn.flatten([
    TerraformIterator.fromDataSources(subnets).forExpressionForList(
      "compact([val.cidr_block, val.ipv6_cidr_block])",
    ),
  ]);

  const vpcFallback = bool(
    ctx.decide(
      "allowed_target_cidrs_from_vpc",
      Op.and(lookUp, Op.not(albGiven)),
      'No ALB to look up: the weaker bound of the target group VPC\'s blocks (allowed_target_cidrs_source = "vpc").',
    ),
  );
  // The count must be known at plan time: a vpc_id taken from a resource is unknown then, so whether to look up
  // an existing target group's VPC follows create_target_group (a created group is always in vpc_id).
  const createsTargetGroup =
    anyCreated === undefined
      ? bool(props.createTargetGroup ?? true)
      : (Token.asAny(anyCreated) as IResolvable);
  const targetGroup = named(
    new DataAwsLbTargetGroup(scope, "given_target_group", {
      count: count(Op.and(vpcFallback, Op.not(createsTargetGroup))),
      arn: targetGroupArn,
    }),
    "given",
    "A given target group's VPC, for the weaker bound (a created group is in vpc_id).",
  );
  const tgAddress = `data.${targetGroup.terraformResourceType}.${targetGroup.friendlyUniqueId}`;
  const vpc = named(
    new DataAwsVpc(scope, "target_vpc", {
      count: count(vpcFallback),
      id: Token.asString(
        Fn.conditional(
          createsTargetGroup,
          props.vpcId ?? Token.nullValue(),
          ref(`${tgAddress}[0].vpc_id`, stack),
        ),
      ),
    }),
    "target",
    "The target group's VPC: every associated IPv4 block and the IPv6 block, for the weaker bound.",
  );
  const vpcAddress = `data.${vpc.terraformResourceType}.${vpc.friendlyUniqueId}`;
  const vpcCidrs = Fn.concat([
    ref(`${vpcAddress}[0].cidr_block_associations[*].cidr_block`, stack),
    Fn.compact([Token.asString(ref(`${vpcAddress}[0].ipv6_cidr_block`, stack))]),
  ]);

  const cidrs = named(
    new TerraformLocal(
      scope,
      "local_allowed_target_cidrs",
      Fn.conditional(
        Op.not(create),
        Token.asList([]),
        Fn.conditional(
          hasList,
          list,
          Fn.conditional(
            allowAny,
            ANY,
            // (In this branch the ALB is looked up exactly when it is given.)
            Fn.conditional(albGiven, subnetCidrs, vpcCidrs),
          ),
        ),
      ),
    ),
    "allowed_target_cidrs",
    "ALLOWED_TARGET_CIDRS, what a DNS answer may get registered (SECURITY.md, \"DNS answers\"): the list given, the opt-out's /0 blocks, the ALB's subnets, or the VPC's blocks.",
  );
  const source = ctx.expression(
    "allowed_target_cidrs_source",
    Token.asString(
      Fn.conditional(
        allowAny,
        "any",
        Fn.conditional(hasList, "variable", Fn.conditional(albGiven, "alb_subnets", "vpc")),
      ),
    ),
    "Where ALLOWED_TARGET_CIDRS comes from, for the output of that name.",
  );
  // Plan time, what the function refuses at cold start: a /0 block only with the explicit opt-out. A literal list
  // (the CDKTF app) is checked here at synth; Terraform rejects a condition that refers to nothing.
  const literal = !Token.isUnresolved(list) && list.every((c) => !Token.isUnresolved(c));
  const literalAny = typeof props.allowAnyTargetCidr === "boolean" || props.allowAnyTargetCidr === undefined;
  if (literal && literalAny) {
    if (!(props.allowAnyTargetCidr ?? false) && list.some((c) => c.endsWith("/0"))) {
      throw new Error(
        `allowedTargetCidrs holds ${list.filter((c) => c.endsWith("/0")).join(", ")}, which lets a forged DNS answer register any host (SECURITY.md); list the ALB's subnets, or set allowAnyTargetCidr: true.`,
      );
    }
  } else
    ctx.preconditions.push({
      condition: Op.or(
        allowAny,
        Op.not(
          Fn.anytrue(
            Token.asList(TerraformIterator.fromList(list).forExpressionForList('endswith(val, "/0")')),
          ),
        ),
      ),
      errorMessage:
        "allowed_target_cidrs holds 0.0.0.0/0 or ::/0, which lets a forged DNS answer register any host (SECURITY.md); list the ALB's subnets, or set allow_any_target_cidr = true.",
      why: "The function refuses a /0 block at cold start unless allow_any_target_cidr: refused here at plan time already.",
    });
  return {
    allowedTargetCidrs: Token.asString(Fn.join(",", cidrs.asList)),
    allowAnyTargetCidr: envBool(props.allowAnyTargetCidr ?? false),
    source,
  };
}
