/**
 * The state object: its schema, parsing with reasons, the empty state and a stable serialization.
 * Pure: no S3, no clock unless a caller omits `now` when migrating a version-0 list.
 */
import * as z from "zod/mini";
import type { State, TargetRecord } from "../types.js";
import { canonicalIp, compareIp, isIPv4 } from "./ip.js";

/** The schema version this build reads and writes. */
export const STATE_VERSION = 1;

/** Why a stored state could not be used. The caller treats the state as absent (adopt). */
export type StateProblemCode = "state_corrupt" | "state_schema" | "state_foreign" | "state_newer";

/** Result of {@link parseState}. `migratedFrom: 0` marks a state converted from the original Lambda's IP list. */
export type ParseStateResult =
  | { ok: true; state: State; migratedFrom?: 0 | undefined }
  | { ok: false; code: StateProblemCode; reason: string };

/**
 * What the stored state must belong to: its target group and port (the key of the object names both). The ALB
 * name is not part of it: ownership survives a new ALB_DNS_NAME (the plan notes `state_alb_renamed`), see
 * docs/operations.md, "Lost state". `albDnsName` fills the header of a migrated version-0 list only.
 */
export interface StateIdentity {
  targetGroupArn: string;
  port: number;
  albDnsName?: string | undefined;
}

const ipv4 = () => z.string().check(z.refine(isIPv4, "expected an IPv4 dotted quad such as 10.0.1.25"));
/** A state key: an IPv4 dotted quad or an IPv6 address in canonical (RFC 5952) text, as the plan writes them. */
const canonicalAddress = () =>
  z
    .string()
    .check(
      z.refine(
        (ip) => canonicalIp(ip) === ip,
        "expected an IP address in canonical text such as 10.0.1.25 or 2001:db8::1",
      ),
    );

const targetRecordSchema = z.object({
  firstSeen: z.iso.datetime({ offset: true }),
  lastSeen: z.iso.datetime({ offset: true }),
  misses: z.int().check(z.minimum(0)),
  deregisteringSince: z.optional(z.iso.datetime({ offset: true })),
});

const stateSchemaV1 = z.object({
  version: z.literal(STATE_VERSION),
  albDnsName: z.string(),
  targetGroupArn: z.string().check(z.minLength(1)),
  port: z.int().check(z.minimum(1), z.maximum(65535)),
  targets: z.record(canonicalAddress(), targetRecordSchema),
});

/** The original Lambda stored a plain JSON array of the active IPs. */
const stateSchemaV0 = z.array(ipv4());

const READOPT = "the state is treated as absent and the targets registered on the port are adopted";

/**
 * Parses the stored state text and checks that it belongs to `expect`.
 *
 * - not JSON → `state_corrupt` with the parser's message;
 * - a JSON array of IPv4 strings (the original Lambda's list) → migrated: every IP owned with
 *   misses 0, timestamps `now`, result `migratedFrom: 0`;
 * - a `version` above 1 (written by a newer build: a rollback) → `state_newer`: the caller must
 *   fail closed, change nothing and never overwrite it;
 * - another `version` or a shape the schema rejects → `state_schema` naming the path;
 * - another target group or port → `state_foreign` naming both values (another ALB name is not foreign).
 *
 * Never throws. On `ok: false` the caller reports the reason and plans with `previous = null`.
 *
 * @example
 * const r = parseState(text, { targetGroupArn: arn, port: 443 });
 * const previous = r.ok ? r.state : null;
 */
export function parseState(text: string, expect: StateIdentity, now: Date = new Date()): ParseStateResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, code: "state_corrupt", reason: `state is not valid JSON (${message}); ${READOPT}` };
  }

  if (Array.isArray(data)) return migrateV0(data, expect, now);

  if (
    typeof data === "object" &&
    data !== null &&
    "version" in data &&
    typeof data.version === "number" &&
    Number.isInteger(data.version) &&
    data.version > STATE_VERSION
  ) {
    return {
      ok: false,
      code: "state_newer",
      reason: `state has schema version ${data.version}, newer than the version ${STATE_VERSION} this build reads (a rollback?); nothing is changed and the state is not overwritten: deploy the newer build again, or delete the object to start over`,
    };
  }
  if (typeof data === "object" && data !== null && "version" in data && data.version !== STATE_VERSION) {
    return {
      ok: false,
      code: "state_schema",
      reason: `state has version ${JSON.stringify(data.version)} but this build reads version ${STATE_VERSION}; ${READOPT}`,
    };
  }

  const parsed = stateSchemaV1.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      code: "state_schema",
      reason: `state does not match schema version ${STATE_VERSION} at ${describeIssues(parsed.error.issues)}; ${READOPT}`,
    };
  }
  const state: State = parsed.data;

  const foreign = foreignReason(state, expect);
  if (foreign !== undefined) return { ok: false, code: "state_foreign", reason: `${foreign}; ${READOPT}` };

  return { ok: true, state };
}

/**
 * A state that owns nothing, for the given target group, port and ALB.
 *
 * @example
 * emptyState(planConfig).targets; // {}
 */
export function emptyState(config: { albDnsName: string; targetGroupArn: string; port: number }): State {
  return {
    version: STATE_VERSION,
    albDnsName: config.albDnsName,
    targetGroupArn: config.targetGroupArn,
    port: config.port,
    targets: {},
  };
}

/**
 * The state as pretty JSON with a stable key order (header fields, then targets in numeric order,
 * IPv4 before IPv6, each record as firstSeen, lastSeen, misses[, deregisteringSince]) and a trailing newline, so equal states
 * serialize to equal bytes.
 *
 * @example
 * await s3.putObject({ Body: serializeState(plan.nextState), ... });
 */
export function serializeState(state: State): string {
  const targets: Record<string, TargetRecord> = {};
  for (const ip of Object.keys(state.targets).sort(compareIp)) {
    const r = state.targets[ip]!;
    targets[ip] = {
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      misses: r.misses,
      ...(r.deregisteringSince ? { deregisteringSince: r.deregisteringSince } : {}),
    };
  }
  const ordered: State = {
    version: state.version,
    albDnsName: state.albDnsName,
    targetGroupArn: state.targetGroupArn,
    port: state.port,
    targets,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function migrateV0(data: unknown[], expect: StateIdentity, now: Date): ParseStateResult {
  const parsed = stateSchemaV0.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      code: "state_schema",
      reason: `state is a JSON array (the original Lambda's IP list, version 0) with an entry that is not an IPv4 address at ${describeIssues(parsed.error.issues)}; ${READOPT}`,
    };
  }
  const at = now.toISOString();
  const state = emptyState({
    albDnsName: expect.albDnsName ?? "",
    targetGroupArn: expect.targetGroupArn,
    port: expect.port,
  });
  for (const ip of [...new Set(parsed.data)].sort(compareIp)) {
    state.targets[ip] = { firstSeen: at, lastSeen: at, misses: 0 };
  }
  return { ok: true, state, migratedFrom: 0 };
}

function foreignReason(state: State, expect: StateIdentity): string | undefined {
  if (state.targetGroupArn !== expect.targetGroupArn) {
    return `state belongs to target group ${state.targetGroupArn}, but this function manages ${expect.targetGroupArn}`;
  }
  if (state.port !== expect.port) {
    return `state is for port ${state.port}, but this function manages port ${expect.port}`;
  }
  return undefined;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const inner = issue.code === "invalid_key" ? issue.issues[0]?.message : undefined;
    const message = inner === undefined ? issue.message : `invalid key: ${inner}`;
    return `${formatPath(issue.path)}: ${message}`;
  });
  const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : "";
  return `${shown.join("; ")}${more}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
