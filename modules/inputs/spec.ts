/**
 * What a module variable is (InputSpec) and the helpers that write its `validation` blocks in HCL.
 */
import {
  BUCKET_IP_FORM,
  BUCKET_PREFIXES,
  BUCKET_SUFFIXES,
  PARTITION_REGION_PREFIXES,
} from "../../lambda/config/index.js";
import type { AlbStaticIpProps } from "../props.js";

/** Terraform variable type of a prop, which also says how the module build passes the variable in. */
export type InputKind = "string" | "number" | "bool" | "list(string)" | "map(string)" | typeof LISTENERS_TYPE;

/** The type of the `listeners` variable: one object per NLB listener / target group pair. */
export const LISTENERS_TYPE = `map(object({
    port                  = number
    target_group_arn      = optional(string)
    create_listener       = optional(bool)
    ip_address_type       = optional(string, "ipv4")
    health_check_protocol = optional(string)
    health_check_path     = optional(string)
  }))`;

export interface InputSpec {
  /** The Terraform variable name (snake_case). */
  readonly variable: string;
  readonly kind: InputKind;
  readonly description: string;
  /** `undefined` = required variable; `null` = optional, unset. */
  readonly default:
    | string
    | number
    | boolean
    | null
    | readonly string[]
    | Readonly<Record<string, string>>
    | undefined;
  readonly validation?: readonly { readonly condition: string; readonly errorMessage: string }[];
  /** Accept null although the default is not null (null then means something, e.g. "unreserved"). */
  readonly nullable?: boolean;
}

/** Some props' variables (one file per concern: general.ts, alb.ts, …). */
export type InputGroup = { readonly [K in keyof AlbStaticIpProps]?: InputSpec };

/** Props that are not module variables: the module build supplies them itself. */
export type InternalProp = "lambdaCode" | "moduleNames";

/** HCL string literal for `value` (for use inside validation expressions). */
export function hclString(value: string): string {
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\$\{/g, "$${")
    .replace(/%\{/g, "%%{");
  return `"${escaped}"`;
}

/**
 * HCL for a regular expression's source: one string literal, or for a long one (an ARN pattern) the literal cut
 * after its `:` separators and joined again (`join("", [...])`), so that the module keeps its lines short.
 */
export function hclPattern(source: string): string {
  const literal = hclString(source);
  if (literal.length <= 100) return literal;
  const chunks: string[] = [];
  let depth = 0;
  let chunk = "";
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i] as string;
    if (c === "\\") {
      chunk += source.slice(i, i + 2);
      i += 1;
      continue;
    }
    if (c === "(" || c === "[") depth += 1;
    if (c === ")" || c === "]") depth -= 1;
    chunk += c;
    if (c === ":" && depth === 0 && chunk.length >= 40) {
      chunks.push(chunk);
      chunk = "";
    }
  }
  if (chunk !== "") chunks.push(chunk);
  return `join("", [${chunks.map(hclString).join(", ")}])`;
}

export function matches(
  variable: string,
  pattern: RegExp,
  what: string,
  nullable = false,
): InputSpec["validation"] {
  const test = `can(regex(${hclPattern(pattern.source)}, var.${variable}))`;
  return [
    {
      condition: nullable ? `var.${variable} == null || ${test}` : test,
      errorMessage: `${variable} must be ${what}.`,
    },
  ];
}

export function integerIn(variable: string, min: number, max: number, what: string): InputSpec["validation"] {
  return [
    {
      condition: `var.${variable} >= ${min} && var.${variable} <= ${max} && floor(var.${variable}) == var.${variable}`,
      errorMessage: `${variable} must be a whole number from ${min} to ${max} (${what}).`,
    },
  ];
}

export function oneOf(variable: string, values: readonly (string | number)[]): InputSpec["validation"] {
  const list = values.map((v) => (typeof v === "string" ? hclString(v) : String(v))).join(", ");
  return [
    {
      condition: `contains([${list}], var.${variable})`,
      errorMessage: `${variable} must be one of ${values.join(", ")}.`,
    },
  ];
}

/** HCL: the partition of the region in expression `region`, by PARTITION_REGION_PREFIXES (as the function decides). */
export function partitionOfRegionHcl(region: string): string {
  return PARTITION_REGION_PREFIXES.reduceRight(
    (rest, [partition, prefix]) =>
      `(startswith(${region}, ${hclString(prefix)}) ? ${hclString(partition)} : ${rest})`,
    hclString("aws"),
  );
}

/** A validation: the ARN's partition is the one of its region. */
export function partitionMatchesRegion(variable: string): { condition: string; errorMessage: string } {
  const field = (i: number) => `split(":", var.${variable})[${i}]`;
  return {
    condition: `var.${variable} == null || try(${field(1)} == ${partitionOfRegionHcl(field(3))}, false)`,
    errorMessage: `${variable}: the partition (2nd field) must be the one of the region (4th field), e.g. aws-cn for cn-north-1.`,
  };
}

/** The S3 rules beyond the shape, shared with the function (lambda/config/rules.ts). */
export function bucketNameValidation(variable: string): { condition: string; errorMessage: string }[] {
  const v = `var.${variable}`;
  const list = (xs: readonly string[]) => `[${xs.map(hclString).join(", ")}]`;
  return [
    {
      // Terraform's || does not short-circuit: a conditional keeps null away from strcontains.
      condition: `${v} == null ? true : (!strcontains(${v}, "..") && !can(regex(${hclString(BUCKET_IP_FORM.source)}, ${v})))`,
      errorMessage: `${variable} must not contain two adjacent dots or look like an IP address.`,
    },
    {
      condition: `${v} == null ? true : (!anytrue([for p in ${list(BUCKET_PREFIXES)} : startswith(${v}, p)]) && !anytrue([for s in ${list(BUCKET_SUFFIXES)} : endswith(${v}, s)]))`,
      errorMessage: `${variable} must not start with ${BUCKET_PREFIXES.join(", ")} or end with ${BUCKET_SUFFIXES.join(", ")} (reserved by S3).`,
    },
  ];
}

/** A `<role>_tags` variable: extra tags merged over `tags` for one resource role. */
export function tagsInput(variable: string, what: string): InputSpec {
  return { variable, kind: "map(string)", description: `Tags of ${what}, merged over tags.`, default: {} };
}
