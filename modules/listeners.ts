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
import { type BuildContext, nullString, type PerTargetGroup } from "./context.js";
import { choose, isSet, isToken } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";
import { INPUTS } from "./inputs/index.js";
import { hclString } from "./inputs/spec.js";
import { LISTENER_COMMENT, TARGET_GROUP_COMMENT, targetGroupSettings } from "./target-group.js";

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
  /** The TargetGroup dimension (`targetgroup/<name>/<id>`) per entry. */
  readonly arnSuffixes: Record<string, string>;
}

/** PerTargetGroup for one target group (the count-based path of target-group.ts). */
export function singleTargetGroup(arn: string): PerTargetGroup {
  const arnSuffix = Fn.element(Fn.split(":", arn), 5);
  return { each: () => ({ forEach: undefined, arn, arnSuffix, nameSuffix: "" }) };
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
        arnSuffix: Token.asString(Fn.lookup(parts.arnSuffixes, Token.asString(it.key), "")),
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

/** What the normalised entries are built from in the module: two named decisions (module mode only). */
interface ModuleRefs {
  /** `local.listeners_shorthand`: no listeners map, the shorthand is the entry "default". */
  readonly shorthand: string;
  /** `local.create_listener`: the default of an entry's create_listener. */
  readonly createListener: string;
}

/** The normalised entries: a literal map (CDKTF app) or the HCL that builds it from the variables (module). */
function listenersValue(ctx: BuildContext, refs: ModuleRefs | undefined): unknown {
  const { props, name } = ctx;
  if (refs === undefined) {
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
  const shorthand = `{ ${DEFAULT_LISTENER_KEY} = { port = ${v("albListenerPort")}, create_target_group = ${v("createTargetGroup")}, target_group_arn = ${v("targetGroupArn")}, create_listener = ${refs.createListener}, ip_address_type = "ipv4", health_check_protocol = ${v("healthCheckProtocol")}, health_check_path = ${v("healthCheckPath")}, name = ${v("name")} } }`;
  const entries = `{ for k, l in ${v("listeners")} : k => { port = l.port, create_target_group = l.target_group_arn == null, target_group_arn = l.target_group_arn, create_listener = coalesce(l.create_listener, ${refs.createListener}), ip_address_type = l.ip_address_type, health_check_protocol = coalesce(l.health_check_protocol, ${v("healthCheckProtocol")}), health_check_path = coalesce(l.health_check_path, ${v("healthCheckPath")}), name = k == ${hclString(DEFAULT_LISTENER_KEY)} ? ${v("name")} : substr("\${${v("name")}}-\${k}", 0, ${TG_NAME_MAX}) } }`;
  // tomap(): both branches are maps of the same object type (objects with different keys would not unify).
  return `\${${refs.shorthand} ? tomap(${shorthand}) : tomap(${entries})}`;
}

/** Declares the target groups and listeners of every entry. */
export function declareListeners(ctx: BuildContext): ListenerParts {
  const { scope, props, named } = ctx;
  const moduleMode = isToken(props.listeners);
  const local = (hclName: string, expression: string, why: string): TerraformLocal =>
    named(new TerraformLocal(scope, `local_${hclName}`, `\${${expression}}`), hclName, why);
  const refOf = (l: TerraformLocal): string => `local.${l.friendlyUniqueId}`;
  const shorthand = local(
    "listeners_shorthand",
    moduleMode ? `length(${v("listeners")}) == 0` : "false",
    'No listeners map: the one-listener shorthand (alb_listener_port, create_target_group, target_group_arn) is the entry "default", and the function keeps its original ALB_LISTENER / NLB_TG_ARN pair.',
  );
  const refs: ModuleRefs | undefined = moduleMode
    ? {
        shorthand: refOf(shorthand),
        createListener: refOf(
          local(
            "create_listener",
            `coalesce(${v("createListener")}, ${v("nlbArn")} != null)`,
            "create_listener unset (in the shorthand or an entry): an NLB listener exactly when nlb_arn is set.",
          ),
        ),
      }
    : undefined;
  if (refs !== undefined) {
    // Plan-time checks of the shorthand against the map (on the function, as the other "required unless" ones).
    const check = (condition: string, errorMessage: string): void => {
      ctx.preconditions.push({ condition: Token.asAny(`\${${condition}}`) as IResolvable, errorMessage });
    };
    check(
      `!${refs.shorthand} || ${v("albListenerPort")} != null`,
      "alb_listener_port is required unless listeners is set.",
    );
    check(
      `${refs.shorthand} || (${v("albListenerPort")} == null && ${v("targetGroupArn")} == null)`,
      'listeners replaces alb_listener_port and target_group_arn: set one or the other (the shorthand is the listeners entry "default").',
    );
    check(
      `!${refs.shorthand} || ${v("createTargetGroup")} || ${v("targetGroupArn")} != null`,
      "target_group_arn is required when create_target_group is false.",
    );
    check(
      `!${refs.shorthand} || !${v("createTargetGroup")} || ${v("targetGroupArn")} == null`,
      "target_group_arn is set but create_target_group is true, so it would be ignored: set create_target_group = false, or remove target_group_arn.",
    );
  }
  const createHcl = isToken(ctx.create) ? `var.${INPUTS.create.variable}` : String(ctx.create);
  const listeners = named(
    new TerraformLocal(scope, "local_listeners", listenersValue(ctx, refs)),
    "listeners",
    'Every NLB listener / target group pair, keyed by a short name: the listeners map, or the shorthand as the entry "default" (its names kept, so a deployment moves into the map without replacing anything).',
  );
  const ref = refOf(listeners);

  const created = TerraformIterator.fromMap(
    local(
      "target_groups_created",
      `{ for k, l in ${ref} : k => l if ${createHcl} && l.create_target_group }`,
      "The entries whose target group the module creates (the others name an existing one).",
    ).asAnyMap,
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
      lifecycle: ctx.lifecycle(
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
    TARGET_GROUP_COMMENT,
  );
  const tgAddress = `${targetGroup.terraformResourceType}.${targetGroup.friendlyUniqueId}`;
  const arns = local(
    "target_group_arns",
    `merge({ for k, l in ${ref} : k => l.target_group_arn == null ? "" : l.target_group_arn }, { for k, tg in ${tgAddress} : k => tg.arn })`,
    'Target group ARN per entry: the created group\'s, else the given one ("" with neither, e.g. create = false).',
  );
  const arnsRef = refOf(arns);

  const listenersCreated = local(
    "listeners_created",
    `{ for k, l in ${ref} : k => l if ${createHcl} && l.create_listener }`,
    "The entries that get an NLB listener on nlb_arn, forwarding to their target group.",
  );
  const withListener = TerraformIterator.fromMap(listenersCreated.asAnyMap);
  const ports = refOf(
    local(
      "listener_ports_created",
      `[for l in values(${refOf(listenersCreated)}) : l.port]`,
      "An NLB listener forwards to one target group: two entries may share a port only if one creates no listener.",
    ),
  );
  ctx.preconditions.push({
    condition: Token.asAny(`\${length(distinct(${ports})) == length(${ports})}`) as IResolvable,
    errorMessage:
      "Two listeners entries create an NLB listener on the same port: set create_listener = false on one of them (e.g. the ipv6 one) and put its group behind a listener of its own.",
    why: "An NLB listener forwards to one target group: an IPv4 and an IPv6 group on one port cannot share it.",
  });
  const listener = named(
    new LbListener(scope, "listener", {
      forEach: withListener,
      loadBalancerArn: props.nlbArn ?? nullString(),
      port: withListener.getNumber("port"),
      protocol: "TCP",
      defaultAction: [{ type: "forward", targetGroupArn: `\${${arnsRef}[each.key]}` }],
      tags: ctx.tagsFor(props.listenerTags),
      lifecycle: ctx.lifecycle(
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
    LISTENER_COMMENT,
  );
  const listenerAddress = `${listener.terraformResourceType}.${listener.friendlyUniqueId}`;
  const defaultKey = hclString(DEFAULT_LISTENER_KEY);
  return {
    targetGroupArns: arns.asStringMap,
    primaryTargetGroupArn: local(
      "primary_target_group_arn",
      `try(${arnsRef}[${defaultKey}], values(${arnsRef})[0], "")`,
      'The entry "default", else the first: the single-valued outputs and the VPC of the weaker allow-list.',
    ).asString,
    shorthand: shorthand.asString,
    targetGroupsEnv: local(
      "target_groups_env",
      `join(",", [for k, l in ${ref} : "\${l.port}=\${${arnsRef}[k]}"])`,
      "TARGET_GROUPS for the function: PORT=ARN per entry.",
    ).asString,
    anyCreated: local(
      "any_target_group_created",
      `anytrue([for l in values(${ref}) : l.create_target_group])`,
      "Whether a target group is created: then the weaker allow-list reads vpc_id rather than a given group's VPC.",
    ).asString,
    targetGroup,
    listener,
    nameSuffixes: local(
      "listener_name_suffixes",
      `{ for k, l in ${ref} : k => k == ${defaultKey} ? "" : "-\${k}" }`,
      'Appended to the names of an entry\'s alarm and dashboard: none for "default", so the shorthand keeps its names.',
    ).asStringMap,
    arnSuffixes: local(
      "target_group_arn_suffixes",
      `{ for k, arn in ${arnsRef} : k => element(split(":", arn), 5) }`,
      "The TargetGroup dimension of each target group's metrics: targetgroup/<name>/<id>.",
    ).asStringMap,
    listenerArns: local(
      "listener_arns",
      `{ for k, l in ${listenerAddress} : k => l.arn }`,
      "NLB listener ARN per entry that has one.",
    ).asStringMap,
  };
}
