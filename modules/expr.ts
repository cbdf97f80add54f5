/**
 * Small helpers that let one construct serve two audiences: a CDKTF app, where most inputs are known
 * at synth time, and the generated Terraform module, where every input is a `var.*` token only known
 * at plan time. A value that is a token is treated as "may be null"; a toggle that is a token becomes
 * `count = toggle ? 1 : 0`.
 */
import {
  Fn,
  type IResolvable,
  Op,
  ref,
  TerraformDataSource,
  type TerraformResource,
  TerraformStack,
  Token,
} from "cdktf";

/** A yes/no decision: known now (`true`/`false`) or decided by Terraform at plan time (a bool expression). */
export type Toggle = boolean | IResolvable;

/** Whether `value` is a token (a Terraform expression) rather than a literal. */
export function isToken(value: unknown): boolean {
  return Token.isUnresolved(value);
}

/**
 * The `count` meta-argument for an optional resource, or `undefined` when the resource always exists.
 * Call only for toggles that are not statically `false` (those resources are simply not created).
 *
 * @example
 * new LbListener(this, "listener", { count: countFor(createListener), ... });
 */
export function countFor(toggle: Toggle): number | undefined {
  if (toggle === true) return undefined;
  if (toggle === false)
    throw new Error("countFor(false): a resource that is never created must not be declared");
  return Token.asNumber(Fn.conditional(toggle, 1, 0));
}

/** Whether a resource guarded by `toggle` is declared at all (a plan-time toggle declares it with a count). */
export function declared(toggle: Toggle): boolean {
  return toggle !== false;
}

/** A resource or data source, either of which may carry `count`. */
export type Countable = TerraformResource | TerraformDataSource;

/** `aws_x.y` or `data.aws_x.y`, followed by `suffix`, as a reference expression. */
function address(element: Countable, suffix: string): IResolvable {
  const prefix = element instanceof TerraformDataSource ? "data." : "";
  return ref(
    `${prefix}${element.terraformResourceType}.${element.friendlyUniqueId}${suffix}`,
    TerraformStack.of(element),
  );
}

/**
 * An attribute of a resource that may carry `count`: `aws_x.y[0].attr` when counted, `aws_x.y.attr` otherwise.
 * Use it only where the resource is known to exist (guarded by the same toggle).
 */
export function attrOf(element: Countable, attribute: string): string {
  if (element.count === undefined) return element.getStringAttribute(attribute);
  return Token.asString(address(element, `[0].${attribute}`));
}

/**
 * An attribute of an optional resource that is `null` when the resource is not created:
 * `one(aws_x.y[*].attr)` when counted, the plain attribute otherwise.
 */
export function optionalAttrOf(element: Countable, attribute: string): string {
  if (element.count === undefined) return element.getStringAttribute(attribute);
  return Token.asString(Fn.one(Token.asList(address(element, `[*].${attribute}`))));
}

/** `toggle ? whenTrue : whenFalse`, folded when the toggle is a literal. */
export function choose<T>(toggle: Toggle, whenTrue: T, whenFalse: T): T {
  if (toggle === true) return whenTrue;
  if (toggle === false) return whenFalse;
  return Fn.conditional(toggle, whenTrue, whenFalse) as T;
}

/** A bool expression that is true when `value` (a token that may be null) is null. */
export function isNull(value: string): IResolvable {
  return Op.eq(value, Token.nullValue());
}

/** A bool expression that is true when `value` (a token that may be null) is set. */
export function isSet(value: string): IResolvable {
  return Op.neq(value, Token.nullValue());
}

/** A string for a Lambda environment variable: literals are stringified here, tokens by `tostring()`. */
export function envValue(value: string | number | boolean): string {
  if (isToken(value)) return typeof value === "string" ? value : Token.asString(Fn.tostring(value));
  return String(value);
}
