/**
 * The target group the function keeps in sync (an IP-type TCP group, created or given) and the optional
 * TCP listener on the NLB that forwards to it.
 */
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener/index.js";
import { LbTargetGroup, type LbTargetGroupConfig } from "@cdktf/provider-aws/lib/lb-target-group/index.js";
import { Fn, type IResolvable, Op, Token } from "cdktf";
import { type BuildContext, nullString } from "./context.js";
import {
  attrOf,
  countFor,
  declared,
  envValue,
  isNull,
  isSet,
  isToken,
  optionalAttrOf,
  type Toggle,
} from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";
import { type AlbStaticIpProps, FIXED } from "./props.js";

/** What the target group part gives the rest of the construct. */
export interface TargetGroupParts {
  /** ARN of the target group kept in sync (created or given). */
  readonly targetGroupArn: string;
  /** ARN of the created listener; undefined when none is declared. */
  readonly listenerArn: string | undefined;
  readonly targetGroup: LbTargetGroup | undefined;
  readonly listener: LbListener | undefined;
}

/** Why the created target group is as it is (the module writes it above the resource). */
export const TARGET_GROUP_COMMENT =
  "IP targets: the ALB's private IPs, kept in sync by the function. A fixed name and no create_before_destroy: a replacement group would start empty and the listener would switch to it at once, dropping traffic to the static IPs until the next run (docs/operations.md, Operations notes). One per listeners entry, keyed by its name, so adding an entry never replaces another's group.";

/** Why the created NLB listener is as it is. */
export const LISTENER_COMMENT =
  "A TCP listener on the NLB (its fixed IPs) forwarding to the entry's target group, whose targets are the ALB's IPs.";

/**
 * What every created target group shares (the count-based one here, the per-entry ones in listeners.ts): IP-type
 * TCP, the deregistration delay, and the health check, whose path and matcher exist only for HTTP/HTTPS.
 */
export function targetGroupSettings(
  props: AlbStaticIpProps,
  protocol: string,
  path: string,
): Pick<
  LbTargetGroupConfig,
  "protocol" | "targetType" | "vpcId" | "deregistrationDelay" | "proxyProtocolV2" | "healthCheck"
> {
  const httpOnly = <T>(value: T): T | undefined => {
    if (!isToken(protocol)) return protocol === "TCP" ? undefined : value;
    return Fn.conditional(Op.eq(protocol, "TCP"), Token.nullValue(), value) as T;
  };
  return {
    protocol: "TCP",
    targetType: "ip",
    vpcId: props.vpcId,
    deregistrationDelay: envValue(props.deregistrationDelaySeconds ?? DEFAULTS.deregistrationDelaySeconds),
    proxyProtocolV2: false,
    healthCheck: {
      enabled: true,
      protocol,
      port: "traffic-port",
      path: httpOnly(path),
      matcher: httpOnly("200-399"),
      interval: FIXED.healthCheckIntervalSeconds,
      healthyThreshold: FIXED.healthCheckThreshold,
      unhealthyThreshold: FIXED.healthCheckThreshold,
    },
  };
}

/** Declares the target group (unless an existing one is given) and the optional NLB listener. */
export function declareTargetGroup(ctx: BuildContext): TargetGroupParts {
  const { scope, props, name, named } = ctx;
  const port = props.albListenerPort;
  const createTargetGroup = ctx.when(
    props.createTargetGroup ?? DEFAULTS.createTargetGroup,
    "create_target_group",
    "The construct creates the target group (else target_group_arn is an existing one).",
  );
  let targetGroup: LbTargetGroup | undefined;
  let createdTargetGroupArn: string | undefined;
  if (declared(createTargetGroup)) {
    targetGroup = named(
      new LbTargetGroup(scope, "target_group", {
        count: countFor(createTargetGroup),
        name,
        port,
        ...targetGroupSettings(
          props,
          props.healthCheckProtocol ?? DEFAULTS.healthCheckProtocol,
          props.healthCheckPath ?? DEFAULTS.healthCheckPath,
        ),
        tags: ctx.tagsFor(props.targetGroupTags),
        lifecycle: ctx.lifecycle([
          ...(isToken(props.vpcId)
            ? [
                {
                  condition: isSet(props.vpcId ?? ""),
                  errorMessage: "vpc_id is required when create_target_group is true.",
                },
              ]
            : []),
          ...(isToken(props.targetGroupArn)
            ? [
                {
                  condition: isNull(props.targetGroupArn ?? ""),
                  errorMessage:
                    "target_group_arn is set but create_target_group is true, so it would be ignored: set create_target_group = false to keep that target group in sync, or remove target_group_arn.",
                },
              ]
            : []),
        ]),
      }),
      "this",
      TARGET_GROUP_COMMENT,
    );
    createdTargetGroupArn = attrOf(targetGroup, "arn");
  }
  ctx.requireUnless(
    createTargetGroup,
    props.targetGroupArn,
    "target_group_arn is required when create_target_group is false.",
  );
  const targetGroupArn = ctx.decided(
    createTargetGroup,
    "target_group_arn",
    createdTargetGroupArn ?? "",
    props.targetGroupArn,
  );

  // Unset (or null in the module): a listener exactly when an NLB is given.
  const createListener: Toggle = ctx.when(
    props.createListener === undefined
      ? props.nlbArn !== undefined
      : isToken(props.createListener) && isToken(props.nlbArn)
        ? (Fn.coalesce([props.createListener, isSet(props.nlbArn ?? "")]) as IResolvable)
        : props.createListener,
  );
  let listener: LbListener | undefined;
  if (declared(createListener)) {
    listener = named(
      new LbListener(scope, "listener", {
        count: countFor(createListener),
        loadBalancerArn: props.nlbArn ?? nullString(),
        port,
        protocol: "TCP",
        defaultAction: [{ type: "forward", targetGroupArn: targetGroupArn }],
        tags: ctx.tagsFor(props.listenerTags),
        lifecycle: ctx.lifecycle(
          isToken(props.nlbArn)
            ? [
                {
                  condition: isSet(props.nlbArn ?? ""),
                  errorMessage: "nlb_arn is required when create_listener is true.",
                },
              ]
            : [],
        ),
      }),
      "this",
      LISTENER_COMMENT,
    );
  }
  const listenerArn = listener === undefined ? undefined : optionalAttrOf(listener, "arn");
  return { targetGroupArn, listenerArn, targetGroup, listener };
}
