/**
 * Several listeners from one function (TARGET_GROUPS): one IP-type target group and an optional NLB listener
 * per entry of `listeners`, created with `for_each`. The one-listener shorthand (`alb_listener_port`,
 * `create_target_group`, `target_group_arn`, `create_listener`) is the entry `default`: the module's `moved`
 * blocks (modules/build/module.ts, MOVED) take a deployment of the count-based release to `this["default"]`
 * without destroying anything, and that entry keeps the function's ALB_LISTENER / NLB_TG_ARN environment.
 *
 * Used by the Terraform module (every input a variable) and by a CDKTF app that passes `listeners`; a CDKTF
 * app without `listeners` keeps the single, count-based target group of target-group.ts.
 */
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener/index.js";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group/index.js";
import { Fn, type IResolvable, TerraformIterator, TerraformLocal, Token } from "cdktf";
import { type BuildContext, lifecycleOf, nullString, type PerTargetGroup } from "./context.js";
import { choose, isSet, isToken } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";
import { INPUTS } from "./inputs/index.js";
import { hclString } from "./inputs/spec.js";
import { targetGroupSettings } from "./target-group.js";

/** The key of the one-listener shorthand, and of the entry the `moved` blocks move the old resources to. */
export const DEFAULT_LISTENER_KEY = "default";

/** What the listeners part gives the rest of the construct. */
export interface ListenerParts {
  /** Target group ARN per entry (`local.target_group_arns`): created or given. */
  readonly targetGroupArns: Record<string, string>;
  /** The ARN of the entry `default`, else of the first entry (outputs, the VPC fallback of allowed-cidrs.ts). */
  readonly primaryTargetGroupArn: string;
  /** Whether the shorthand is in use (the function then keeps ALB_LISTENER / NLB_TG_ARN). */
  readonly shorthand: string;
  /** TARGET_GROUPS: `PORT=ARN` per entry. */
  readonly targetGroupsEnv: string;
  /** Whether any entry creates its target group (known at plan time). */
  readonly anyCreated: string;
  readonly targetGroup: LbTargetGroup;
  readonly listener: LbListener;
  /** Listener ARN per entry that has one. */
  readonly listenerArns: Record<string, string>;
  /** "" for `default`, `-<key>` otherwise: appended to the names of the per-entry alarm and dashboard. */
  readonly nameSuffixes: Record<string, string>;
}

/** PerTargetGroup for one target group (the count-based path of target-group.ts). */
export function singleTargetGroup(arn: string): PerTargetGroup {
  return { each: () => ({ forEach: undefined, arn, nameSuffix: "" }) };
}

/** PerTargetGroup over the entries' target groups. */
export function everyTargetGroup(parts: ListenerParts): PerTargetGroup {
  return {
    each: (toggle) => {
      const it = TerraformIterator.fromMap(
        toggle === true ? parts.targetGroupArns : Token.asAnyMap(choose(toggle, parts.targetGroupArns, {})),
      );
      return {
        forEach: it,
        arn: Token.asString(it.value),
        nameSuffix: Token.asString(Fn.lookup(parts.nameSuffixes, Token.asString(it.key), "")),
      };
    },
  };
}

/** Whether the construct takes the `for_each` path: the module, or an app that passes `listeners`. */
export function usesListeners(ctx: BuildContext): boolean {
  // The module passes `listeners` as a variable (a token) always; an app only when it uses the map.
  return ctx.props.listeners !== undefined;
}

const TG_NAME_MAX = 32;

/** The module variable of `prop`, as HCL (`var.<name>`). */
const v = (prop: keyof typeof INPUTS): string => `var.${INPUTS[prop].variable}`;

/** The normalised entries: a literal map (CDKTF app) or the HCL that builds it from the variables (module). */
function listenersValue(ctx: BuildContext): unknown {
  const { props, name } = ctx;
  if (!isToken(props.listeners)) {
    const global = {
      protocol: props.healthCheckProtocol ?? DEFAULTS.healthCheckProtocol,
      path: props.healthCheckPath ?? DEFAULTS.healthCheckPath,
    };
    return Object.fromEntries(
      Object.entries(props.listeners ?? {}).map(([key, l]) => [
        key,
        {
          port: l.port,
          create_target_group: l.targetGroupArn === undefined,
          target_group_arn: l.targetGroupArn ?? null,
          create_listener:
            l.createListener ??
            (isToken(props.createListener) ? undefined : props.createListener) ??
            props.nlbArn !== undefined,
          ip_address_type: l.ipAddressType ?? "ipv4",
          health_check_protocol: l.healthCheckProtocol ?? global.protocol,
          health_check_path: l.healthCheckPath ?? global.path,
          name: key === DEFAULT_LISTENER_KEY ? name : `${name}-${key}`.slice(0, TG_NAME_MAX),
        },
      ]),
    );
  }
  const createListener = `coalesce(l.create_listener, ${v("createListener")}, ${v("nlbArn")} != null)`;
  const entries = `{ for k, l in ${v("listeners")} : k => { port = l.port, create_target_group = l.target_group_arn == null, target_group_arn = l.target_group_arn, create_listener = ${createListener}, ip_address_type = l.ip_address_type, health_check_protocol = coalesce(l.health_check_protocol, ${v("healthCheckProtocol")}), health_check_path = coalesce(l.health_check_path, ${v("healthCheckPath")}), name = k == ${hclString(DEFAULT_LISTENER_KEY)} ? ${v("name")} : substr("\${${v("name")}}-\${k}", 0, ${TG_NAME_MAX}) } }`;
  const shorthand = `{ ${DEFAULT_LISTENER_KEY} = { port = ${v("albListenerPort")}, create_target_group = ${v("createTargetGroup")}, target_group_arn = ${v("targetGroupArn")}, create_listener = coalesce(${v("createListener")}, ${v("nlbArn")} != null), ip_address_type = "ipv4", health_check_protocol = ${v("healthCheckProtocol")}, health_check_path = ${v("healthCheckPath")}, name = ${v("name")} } }`;
  // tomap(): both branches are maps of the same object type (objects with different keys would not unify).
  return `\${length(${v("listeners")}) >= 1 ? tomap(${entries}) : tomap(${shorthand})}`;
}

/** Declares the target groups and listeners of every entry. */
export function declareListeners(ctx: BuildContext): ListenerParts {
  const { scope, props, named } = ctx;
  if (isToken(props.listeners)) {
    // Plan-time checks of the shorthand against the map (on the function, as the other "required unless" ones).
    const given = `length(${v("listeners")}) >= 1`;
    const check = (condition: string, errorMessage: string): void => {
      ctx.preconditions.push({ condition: Token.asAny(`\${${condition}}`) as IResolvable, errorMessage });
    };
    check(
      `${given} || ${v("albListenerPort")} != null`,
      "alb_listener_port is required unless listeners is set.",
    );
    check(
      `!(${given}) || (${v("albListenerPort")} == null && ${v("targetGroupArn")} == null)`,
      'listeners replaces alb_listener_port and target_group_arn: set one or the other (the shorthand is the listeners entry "default").',
    );
    check(
      `${given} || ${v("createTargetGroup")} || ${v("targetGroupArn")} != null`,
      "target_group_arn is required when create_target_group is false.",
    );
    check(
      `${given} || !${v("createTargetGroup")} || ${v("targetGroupArn")} == null`,
      "target_group_arn is set but create_target_group is true, so it would be ignored: set create_target_group = false to keep that target group in sync, or remove target_group_arn.",
    );
  }
  const createHcl = isToken(ctx.create) ? `var.${INPUTS.create.variable}` : String(ctx.create);
  const listeners = named(new TerraformLocal(scope, "local_listeners", listenersValue(ctx)), "listeners");
  const moduleMode = isToken(props.listeners);
  const local = (hclName: string, expression: string): TerraformLocal =>
    named(new TerraformLocal(scope, `local_${hclName}`, `\${${expression}}`), hclName);
  const ref = `local.${listeners.friendlyUniqueId}`;

  const created = TerraformIterator.fromMap(
    local("target_groups_created", `{ for k, l in ${ref} : k => l if ${createHcl} && l.create_target_group }`)
      .asAnyMap,
  );
  const targetGroup = named(
    new LbTargetGroup(scope, "target_group", {
      forEach: created,
      name: created.getString("name"),
      port: created.getNumber("port"),
      ipAddressType: created.getString("ip_address_type"),
      ...targetGroupSettings(
        props,
        created.getString("health_check_protocol"),
        created.getString("health_check_path"),
      ),
      tags: ctx.tagsFor(props.targetGroupTags),
      lifecycle: lifecycleOf(
        isToken(props.vpcId)
          ? [
              {
                condition: isSet(props.vpcId ?? ""),
                errorMessage:
                  "vpc_id is required when create_target_group is true (or an entry of listeners has no target_group_arn).",
              },
            ]
          : [],
      ),
    }),
    "this",
  );
  const tgAddress = `${targetGroup.terraformResourceType}.${targetGroup.friendlyUniqueId}`;
  const arns = local(
    "target_group_arns",
    `{ for k, l in ${ref} : k => (${createHcl} && l.create_target_group) ? ${tgAddress}[k].arn : (l.target_group_arn == null ? "" : l.target_group_arn) }`,
  );
  const arnsRef = `local.${arns.friendlyUniqueId}`;

  // An NLB listener forwards to one target group: two entries may share a port only if one creates no listener.
  const ports = `local.${
    local("listener_ports_created", `[for k, l in ${ref} : l.port if ${createHcl} && l.create_listener]`)
      .friendlyUniqueId
  }`;
  ctx.preconditions.push({
    condition: Token.asAny(`\${length(distinct(${ports})) == length(${ports})}`) as IResolvable,
    errorMessage:
      "Two listeners entries create an NLB listener on the same port; a listener forwards to one target group: set create_listener = false on one of them (e.g. the ipv6 one) and attach its group to a listener of its own.",
  });
  const withListener = TerraformIterator.fromMap(
    local("listeners_created", `{ for k, l in ${ref} : k => l if ${createHcl} && l.create_listener }`)
      .asAnyMap,
  );
  const listener = named(
    new LbListener(scope, "listener", {
      forEach: withListener,
      loadBalancerArn: props.nlbArn ?? nullString(),
      port: withListener.getNumber("port"),
      protocol: "TCP",
      defaultAction: [{ type: "forward", targetGroupArn: `\${${arnsRef}[each.key]}` }],
      tags: ctx.tagsFor(props.listenerTags),
      lifecycle: lifecycleOf(
        isToken(props.nlbArn)
          ? [
              {
                condition: isSet(props.nlbArn ?? ""),
                errorMessage:
                  "nlb_arn is required when create_listener is true (or an entry of listeners creates a listener).",
              },
            ]
          : [],
      ),
    }),
    "this",
  );
  const listenerAddress = `${listener.terraformResourceType}.${listener.friendlyUniqueId}`;
  const defaultKey = hclString(DEFAULT_LISTENER_KEY);
  return {
    targetGroupArns: arns.asStringMap,
    primaryTargetGroupArn: local(
      "primary_target_group_arn",
      `try(${arnsRef}[${defaultKey}], values(${arnsRef})[0], "")`,
    ).asString,
    shorthand: local(
      "listeners_shorthand",
      moduleMode ? `length(var.${INPUTS.listeners.variable}) == 0` : "false",
    ).asString,
    targetGroupsEnv: local(
      "target_groups_env",
      `join(",", [for k, l in ${ref} : "\${l.port}=\${${arnsRef}[k]}"])`,
    ).asString,
    anyCreated: local(
      "any_target_group_created",
      `anytrue([for l in values(${ref}) : l.create_target_group])`,
    ).asString,
    targetGroup,
    listener,
    nameSuffixes: local(
      "listener_name_suffixes",
      `{ for k, l in ${ref} : k => k == ${defaultKey} ? "" : "-\${k}" }`,
    ).asStringMap,
    listenerArns: local("listener_arns", `{ for k, l in ${listenerAddress} : k => l.arn }`).asStringMap,
  };
}
