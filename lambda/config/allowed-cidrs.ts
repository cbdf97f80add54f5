/**
 * ALLOWED_TARGET_CIDRS and ALLOW_ANY_TARGET_CIDR: which IPs an observation may get registered.
 * Its own small schema, imported by `load.ts`; the problems it finds join the one ConfigError
 * that lists every problem of the environment. Why it exists: SECURITY.md, "DNS answers".
 */
import { type Cidr, isAnyAddress, parseCidr } from "../core/cidr.js";

/** Most blocks in ALLOWED_TARGET_CIDRS (an ALB has at most one subnet per AZ, each with two families). */
export const MAX_ALLOWED_TARGET_CIDRS = 64;

/** What the two variables become. */
export interface AllowedTargetCidrs {
  /** The allowed blocks; undefined when ALLOWED_TARGET_CIDRS is not set (every observed IP passes). */
  allowedTargetCidrs: readonly Cidr[] | undefined;
  /** ALLOW_ANY_TARGET_CIDR (default false): accept 0.0.0.0/0 or ::/0 in the list. */
  allowAnyTargetCidr: boolean;
}

/** Stable snake_case codes of the problems, shown in the ConfigError line. */
export type AllowedCidrsProblemCode =
  | "target_cidr_invalid"
  | "target_cidr_any"
  | "target_cidr_too_many"
  | "allow_any_target_cidr_invalid";

/** One problem, for `load.ts` to report with the value and what is expected. */
export interface AllowedCidrsProblem {
  variable: "ALLOWED_TARGET_CIDRS" | "ALLOW_ANY_TARGET_CIDR";
  code: AllowedCidrsProblemCode;
  detail: string;
}

/** What is expected of each variable, shown with every problem. */
export const ALLOWED_CIDRS_EXPECTED = Object.freeze({
  ALLOWED_TARGET_CIDRS:
    "comma-separated IPv4/IPv6 CIDR blocks, e.g. 10.0.1.0/24,10.0.2.0/24 (the ALB's subnets); observed IPs outside them are never registered",
  ALLOW_ANY_TARGET_CIDR:
    "true or false (also True, TRUE, False, FALSE, 1, 0) (default false); true accepts 0.0.0.0/0 or ::/0 in ALLOWED_TARGET_CIDRS",
} as const);

const TRUE_WORDS = ["true", "True", "TRUE", "1"];
const FALSE_WORDS = ["false", "False", "FALSE", "0"];

/**
 * Validates the two variables (values as given, untrimmed). Returns the parsed value, or the
 * problems (all of them, each with a stable code) and no value.
 *
 * @example
 * readAllowedTargetCidrs({ ALLOWED_TARGET_CIDRS: "10.0.1.0/24, 10.0.2.0/24" });
 * // { value: { allowedTargetCidrs: [10.0.1.0/24, 10.0.2.0/24], allowAnyTargetCidr: false }, problems: [] }
 */
export function readAllowedTargetCidrs(env: Readonly<Record<string, string | undefined>>): {
  value: AllowedTargetCidrs | undefined;
  problems: AllowedCidrsProblem[];
} {
  const problems: AllowedCidrsProblem[] = [];
  const add = (variable: AllowedCidrsProblem["variable"], code: AllowedCidrsProblemCode, detail: string) =>
    problems.push({ variable, code, detail });

  const forceText = env.ALLOW_ANY_TARGET_CIDR?.trim() ?? "";
  let allowAnyTargetCidr = false;
  if (TRUE_WORDS.includes(forceText)) allowAnyTargetCidr = true;
  else if (forceText !== "" && !FALSE_WORDS.includes(forceText)) {
    add("ALLOW_ANY_TARGET_CIDR", "allow_any_target_cidr_invalid", "another spelling is not accepted");
  }

  const listText = env.ALLOWED_TARGET_CIDRS?.trim() ?? "";
  if (listText === "") {
    return problems.length > 0
      ? { value: undefined, problems }
      : { value: { allowedTargetCidrs: undefined, allowAnyTargetCidr }, problems };
  }
  const entries = listText.split(",").map((e) => e.trim());
  if (entries.length > MAX_ALLOWED_TARGET_CIDRS) {
    add(
      "ALLOWED_TARGET_CIDRS",
      "target_cidr_too_many",
      `${entries.length} entries, at most ${MAX_ALLOWED_TARGET_CIDRS}; merge adjacent blocks`,
    );
    return { value: undefined, problems };
  }
  const cidrs: Cidr[] = [];
  const invalid: string[] = [];
  entries.forEach((entry, i) => {
    const parsed = entry === "" ? { ok: false as const, problem: "the entry is empty" } : parseCidr(entry);
    if (parsed.ok) cidrs.push(parsed.cidr);
    else invalid.push(`entry ${i + 1}: ${parsed.problem}`);
  });
  if (invalid.length > 0) add("ALLOWED_TARGET_CIDRS", "target_cidr_invalid", invalid.join("; "));

  const any = cidrs.filter(isAnyAddress);
  if (any.length > 0 && !allowAnyTargetCidr) {
    add(
      "ALLOWED_TARGET_CIDRS",
      "target_cidr_any",
      `${any.map((c) => c.text).join(" and ")} allows every address, so a forged DNS answer could register any host the NLB can reach (SECURITY.md); list the ALB's subnets, or set ALLOW_ANY_TARGET_CIDR=true to accept this on purpose`,
    );
  }
  // Whether the list has a block of each target group's family is checked per pair at run time
  // (`target_cidr_family`): the family is the target group's IP address type, which DescribeTargetGroups tells.
  if (problems.length > 0) return { value: undefined, problems };
  const unique = [...new Map(cidrs.map((c) => [c.text, c])).values()];
  return { value: { allowedTargetCidrs: Object.freeze(unique), allowAnyTargetCidr }, problems };
}
