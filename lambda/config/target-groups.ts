/**
 * TARGET_GROUPS: the (listener port, target group) pairs one function keeps in sync, or the original
 * ALB_LISTENER + NLB_TG_ARN pair as the one entry. Its own small schema, imported by `load.ts`; the
 * problems it finds join the one ConfigError that lists every problem of the environment.
 *
 * `TARGET_GROUPS=80=arn:…:targetgroup/web-80/…,443=arn:…:targetgroup/web-443/…`: each entry is
 * `PORT=TARGET_GROUP_ARN`; a run discovers the ALB once and reconciles each pair with its own state
 * object, ownership and safety rules (docs/how-it-works.md, "Several listeners and IPv6").
 */
import { REGION_PATTERN, targetGroupArnProblem } from "./rules.js";

/** Most entries in TARGET_GROUPS: a run reconciles them one after another within one Lambda timeout. */
export const MAX_TARGET_GROUPS = 10;

/** One (ALB listener port = target port, NLB target group) pair. */
export interface TargetGroupPair {
  /** The ALB listener port, which is also the port of the targets in the target group. */
  readonly port: number;
  readonly targetGroupArn: string;
}

/** Stable snake_case codes of the problems, shown in the ConfigError line. */
export type TargetGroupsProblemCode =
  | "target_groups_combined"
  | "target_groups_entry_invalid"
  | "target_groups_port_invalid"
  | "target_groups_arn_invalid"
  | "target_groups_region"
  | "target_groups_duplicate"
  | "target_groups_too_many";

/** One problem, for `load.ts` to report with the value and what is expected. */
export interface TargetGroupsProblem {
  variable: "TARGET_GROUPS" | "ALB_LISTENER" | "NLB_TG_ARN";
  code: TargetGroupsProblemCode;
  detail: string;
}

/** What is expected of TARGET_GROUPS, shown with every problem. */
export const TARGET_GROUPS_EXPECTED = `comma-separated PORT=TARGET_GROUP_ARN pairs, e.g. 80=arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-80/0123456789abcdef,443=arn:…:targetgroup/web-443/…; ports 1–65535, at most ${MAX_TARGET_GROUPS} pairs, each pair once, instead of ALB_LISTENER and NLB_TG_ARN`;

const PORT_TEXT = /^[0-9]{1,5}$/;

/** The region field of an ARN. */
function regionOf(arn: string): string | undefined {
  return arn.split(":")[3];
}

function regionProblem(arn: string, region: string | undefined): string | undefined {
  const arnRegion = regionOf(arn);
  if (region === undefined || !REGION_PATTERN.test(region) || arnRegion === undefined) return undefined;
  if (arnRegion === region) return undefined;
  return `the target group must be in the function's region ${region} (AWS_REGION) but ${arn} is in ${arnRegion}; deploy the function in ${arnRegion} or use a target group of ${region}`;
}

/**
 * Validates TARGET_GROUPS (when set) against ALB_LISTENER / NLB_TG_ARN and AWS_REGION. Returns the
 * pairs, or `undefined` with every problem found (each with a stable code). When TARGET_GROUPS is not
 * set it returns `{ pairs: undefined }` and `load.ts` reads the original pair as the one entry.
 *
 * @example
 * readTargetGroups({ TARGET_GROUPS: "80=arn:…/web-80/…,443=arn:…/web-443/…", AWS_REGION: "us-east-1" });
 * // { pairs: [{ port: 80, targetGroupArn: "arn:…/web-80/…" }, { port: 443, … }], problems: [] }
 */
export function readTargetGroups(env: Readonly<Record<string, string | undefined>>): {
  pairs: readonly TargetGroupPair[] | undefined;
  problems: TargetGroupsProblem[];
} {
  const problems: TargetGroupsProblem[] = [];
  const add = (variable: TargetGroupsProblem["variable"], code: TargetGroupsProblemCode, detail: string) =>
    problems.push({ variable, code, detail });
  const text = env.TARGET_GROUPS?.trim() ?? "";
  if (text === "") return { pairs: undefined, problems };

  for (const other of ["ALB_LISTENER", "NLB_TG_ARN"] as const) {
    if ((env[other]?.trim() ?? "") !== "") {
      add(
        "TARGET_GROUPS",
        "target_groups_combined",
        `${other} is set as well; TARGET_GROUPS replaces ALB_LISTENER and NLB_TG_ARN, so unset both (their pair becomes one TARGET_GROUPS entry, e.g. ${env.ALB_LISTENER?.trim() || "443"}=${env.NLB_TG_ARN?.trim() || "<arn>"})`,
      );
      break;
    }
  }

  const entries = text.split(",").map((e) => e.trim());
  if (entries.length > MAX_TARGET_GROUPS) {
    add(
      "TARGET_GROUPS",
      "target_groups_too_many",
      `${entries.length} entries, at most ${MAX_TARGET_GROUPS}; split the listeners over two deployments`,
    );
    return { pairs: undefined, problems };
  }

  const pairs: TargetGroupPair[] = [];
  const bad: Record<"entry" | "port" | "arn" | "region", string[]> = {
    entry: [],
    port: [],
    arn: [],
    region: [],
  };
  entries.forEach((entry, i) => {
    const at = `entry ${i + 1}`;
    const eq = entry.indexOf("=");
    if (entry === "" || eq < 0) {
      bad.entry.push(
        `${at} ${entry === "" ? "is empty" : `${JSON.stringify(entry)} has no =`}; write PORT=TARGET_GROUP_ARN`,
      );
      return;
    }
    const portText = entry.slice(0, eq).trim();
    const arn = entry.slice(eq + 1).trim();
    const port = PORT_TEXT.test(portText) ? Number(portText) : Number.NaN;
    let ok = true;
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
      bad.port.push(`${at}: port ${JSON.stringify(portText)} is not a whole number from 1 to 65535`);
      ok = false;
    }
    const arnProblem = targetGroupArnProblem(arn);
    if (arnProblem !== undefined) {
      bad.arn.push(`${at}: ${arnProblem}`);
      ok = false;
    } else {
      const wrongRegion = regionProblem(arn, env.AWS_REGION?.trim());
      if (wrongRegion !== undefined) {
        bad.region.push(`${at}: ${wrongRegion}`);
        ok = false;
      }
    }
    if (ok) pairs.push({ port, targetGroupArn: arn });
  });
  if (bad.entry.length > 0) add("TARGET_GROUPS", "target_groups_entry_invalid", bad.entry.join("; "));
  if (bad.port.length > 0) add("TARGET_GROUPS", "target_groups_port_invalid", bad.port.join("; "));
  if (bad.arn.length > 0) add("TARGET_GROUPS", "target_groups_arn_invalid", bad.arn.join("; "));
  if (bad.region.length > 0) add("TARGET_GROUPS", "target_groups_region", bad.region.join("; "));

  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const p of pairs) {
    const key = `${p.port}=${p.targetGroupArn}`;
    if (seen.has(key) && !duplicates.includes(key)) duplicates.push(key);
    seen.add(key);
  }
  if (duplicates.length > 0) {
    add(
      "TARGET_GROUPS",
      "target_groups_duplicate",
      `${duplicates.join(" and ")} ${duplicates.length === 1 ? "is" : "are"} listed twice; list each pair once (one target group may serve several ports, and one port several target groups, e.g. an ipv4 and an ipv6 one)`,
    );
  }
  if (problems.length > 0) return { pairs: undefined, problems };
  return { pairs: Object.freeze(pairs.map((p) => Object.freeze(p))), problems };
}

/**
 * `<port>=targetgroup/<name>/<id>`: how a pair is named in the log line, errors and the README.
 *
 * @example
 * pairLabel({ port: 443, targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/0a" });
 * // "443=targetgroup/web/0a"
 */
export function pairLabel(pair: TargetGroupPair): string {
  const index = pair.targetGroupArn.indexOf("targetgroup/");
  return `${pair.port}=${index >= 0 ? pair.targetGroupArn.slice(index) : pair.targetGroupArn}`;
}
