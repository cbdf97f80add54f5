/**
 * What every part of AlbStaticIp shares while it declares its resources: the construct scope, the props,
 * the name and tags, how a resource gets its fixed module name, plan-time decisions (`local.*`) and the
 * preconditions collected for the function, and the shape of a resource that exists once per target group. Every
 * resource role file (target-group.ts, state-bucket.ts, iam.ts, function.ts, …) receives this context; it
 * imports only the bottom of modules/ (props.ts, expr.ts).
 */
import {
  Fn,
  type IResolvable,
  Op,
  type TerraformElement,
  type TerraformIterator,
  TerraformLocal,
  type TerraformResourceLifecycle,
  Token,
} from "cdktf";
import type { Construct } from "constructs";
import { explain, explainPrecondition } from "./comments.js";
import { choose, countFor, isNull, isSet, isToken, type Toggle } from "./expr.js";
import type { AlbStaticIpProps } from "./props.js";

/** One resource per target group: its `for_each` (undefined: a single resource with `count`), ARN and name suffix. */
export interface EachTargetGroup {
  readonly forEach: TerraformIterator | undefined;
  /** The target group's ARN (`each.value` under for_each). */
  readonly arn: string;
  /** Its ARN suffix, `targetgroup/<name>/<id>`: the TargetGroup dimension of its metrics. */
  readonly arnSuffix: string;
  /** "" or `-<key>`, appended to the names (none for `default`, so the shorthand keeps its names). */
  readonly nameSuffix: string;
}

/** The resources that exist once per target group (the IP-count alarm, the dashboard). */
export interface PerTargetGroup {
  /** The resource's iteration over the target groups for which `toggle` holds. */
  each(toggle: Toggle): EachTargetGroup;
}

/** A plan-time precondition: `condition` must hold when it is an expression; `why` is written above it. */
export interface Precondition {
  readonly condition: IResolvable;
  readonly errorMessage: string;
  readonly why?: string;
}

/** The shared state of one AlbStaticIp while it is being built. */
export interface BuildContext {
  /** The AlbStaticIp construct: every resource is its child, so logical ids do not depend on the file split. */
  readonly scope: Construct;
  readonly props: AlbStaticIpProps;
  readonly name: string;
  readonly tags: Record<string, string> | undefined;
  /** The master switch (`create`): nothing is created when it is false. */
  readonly create: Toggle;
  /**
   * `create` and `toggle`: the toggle of an optional resource under the master switch, named `local.<hclName>`
   * (with `why` above it) when Terraform decides it.
   */
  when(toggle: Toggle, hclName?: string, why?: string): Toggle;
  /** A decision, named `local.<hclName>` (with `why` above it) when Terraform makes it; a literal stays literal. */
  decide(hclName: string, toggle: Toggle, why: string): Toggle;
  /** A value, named `local.<hclName>` (with `why` above it) when it is a Terraform expression. */
  expression(hclName: string, value: string, why: string): string;
  /** `count` of a resource that exists whenever anything is created (undefined when `create` is literally true). */
  count(toggle?: Toggle): number | undefined;
  /** The common `tags` merged with a resource role's own tags (e.g. `function_tags`). */
  tagsFor(extra: Record<string, string> | undefined): Record<string, string> | undefined;
  /** Preconditions that end up on the function (plan-time "required unless" checks). */
  readonly preconditions: Precondition[];
  /** Gives `element` its fixed module name (`aws_x.<hclName>`) in module mode, and `why` as its comment. */
  named<T extends TerraformElement>(element: T, hclName: string, why?: string): T;
  /** A conditional value, named as a local when Terraform decides it (`local.<hclName>`). */
  decided(
    toggle: Toggle,
    hclName: string,
    whenTrue: string,
    whenFalse: string | undefined,
    why?: string,
  ): string;
  /** A plan-time precondition on the function: when `toggle` is false, `value` must be set. */
  requireUnless(toggle: Toggle, value: string | undefined, message: string): void;
  /** A lifecycle block with `preconditions` (their `why` kept for the module's comments), or none. */
  lifecycle(preconditions: readonly Precondition[]): TerraformResourceLifecycle | undefined;
}

/** Creates the context for `scope`. */
export function buildContext(scope: Construct, props: AlbStaticIpProps, name: string): BuildContext {
  const preconditions: Precondition[] = [];
  const named = <T extends TerraformElement>(element: T, hclName: string, why?: string): T => {
    if (props.moduleNames) element.overrideLogicalId(hclName);
    return explain(element, why);
  };
  const local = (hclName: string, value: unknown, why: string | undefined): TerraformLocal =>
    named(new TerraformLocal(scope, `local_${hclName}`, value), hclName, why);
  const decide = (hclName: string, toggle: Toggle, why: string): Toggle =>
    isToken(toggle) ? local(hclName, toggle, why).asBoolean : toggle;
  const create: Toggle = props.create ?? true;
  const when = (toggle: Toggle, hclName?: string, why?: string): Toggle => {
    const both = andToggle(create, toggle);
    return hclName === undefined || why === undefined ? both : decide(hclName, both, why);
  };
  return {
    scope,
    props,
    name,
    tags: props.tags,
    create,
    when,
    decide,
    expression: (hclName, value, why) => (isToken(value) ? local(hclName, value, why).asString : value),
    count: (toggle: Toggle = true) => countFor(when(toggle)),
    tagsFor(extra) {
      if (extra === undefined) return props.tags;
      if (props.tags === undefined) return extra;
      if (!isToken(props.tags) && !isToken(extra)) return { ...props.tags, ...extra };
      return Token.asStringMap(Fn.merge([props.tags, extra]));
    },
    preconditions,
    named,
    decided(toggle, hclName, whenTrue, whenFalse, why) {
      // A given value that may be null becomes "" here, so that expressions built on it (ARNs, split)
      // do not fail before the precondition that explains what is missing (on the function).
      const given =
        whenFalse !== undefined && isToken(whenFalse)
          ? Token.asString(Fn.conditional(isNull(whenFalse), "", whenFalse))
          : whenFalse;
      const value = choose(toggle, whenTrue, given ?? nullString());
      if (!isToken(toggle)) return value;
      return local(hclName, value, why).asString;
    },
    requireUnless(toggle, value, message) {
      if (!isToken(toggle)) return;
      preconditions.push({
        condition: value === undefined ? (toggle as IResolvable) : Op.or(toggle, isSet(value)),
        errorMessage: message,
      });
    },
    lifecycle(list) {
      for (const p of list) if (p.why !== undefined) explainPrecondition(scope, p.errorMessage, p.why);
      return lifecycleOf(list);
    },
  };
}

/** A string-typed Terraform null (for a conditional's unused branch). */
export function nullString(): string {
  return Token.asString(Token.nullValue());
}

/** "true"/"false" for the function's boolean variables. */
export function envBool(value: boolean | IResolvable): string {
  return isToken(value) ? Token.asString(Fn.tostring(value)) : String(value);
}

/** Both toggles; folded when literal. */
export function andToggle(a: Toggle, b: boolean | IResolvable): Toggle {
  if (a === false || b === false) return false;
  if (a === true && b === true) return true;
  if (a === true) return b;
  if (b === true) return a;
  return Op.and(a, b);
}

/** A lifecycle block with the given preconditions, or none. */
export function lifecycleOf(preconditions: readonly Precondition[]): TerraformResourceLifecycle | undefined {
  if (preconditions.length === 0) return undefined;
  return {
    precondition: preconditions.map((p) => ({ condition: p.condition, errorMessage: p.errorMessage })),
  };
}
