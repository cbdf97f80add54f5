/**
 * Targets on ports of a target group that this function no longer serves (ALB_LISTENER or a TARGET_GROUPS port
 * changed: the state key changed with it, so the old port's targets would stay registered for ever, unseen), and
 * the opt-in cleanup of the ones the old port's state owns (CLEANUP_UNSERVED_PORTS). Pure: no I/O, no clock.
 */
import type { RegisteredTarget, State, TargetRecord, TargetRef } from "../types.js";
import { canonicalIp, sortedUniqueIps } from "./ip.js";
import { DEFAULT_CLAIM_TTL_MS, MAX_CLOCK_SKEW_MS } from "./plan.js";

/** At most this many unserved ports are looked at per run (one state read each); the rest are named only. */
export const MAX_UNSERVED_PORTS_PER_RUN = 5;

const DRAINING: ReadonlySet<string> = new Set(["draining", "unhealthy.draining"]);
/** The NLB's verdict that a target carries no traffic. */
const NOT_HEALTHY: ReadonlySet<string> = new Set(["unhealthy", "unused", "unavailable"]);

/** The non-draining targets of one port that the function does not serve. */
export interface UnservedPort {
  port: number;
  /** Canonical IPs, in numeric order. */
  ips: string[];
  /** The targets as DescribeTargetHealth reported them (canonical IPs). */
  targets: RegisteredTarget[];
}

/**
 * The non-draining targets of the target group on ports outside `servedPorts`, by port in ascending order.
 *
 * @example
 * findUnserved(await adapter.describeTargets(), [8443]); // [{ port: 443, ips: [...], targets: [...] }]
 */
export function findUnserved(
  registered: readonly RegisteredTarget[],
  servedPorts: readonly number[],
): UnservedPort[] {
  const byPort = new Map<number, Map<string, RegisteredTarget>>();
  for (const t of registered) {
    if (servedPorts.includes(t.port) || DRAINING.has(t.state)) continue;
    const ip = canonicalIp(t.ip);
    if (ip === undefined) continue;
    const targets = byPort.get(t.port) ?? new Map<string, RegisteredTarget>();
    targets.set(ip, { ...t, ip });
    byPort.set(t.port, targets);
  }
  return [...byPort.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, targets]) => {
      const ips = sortedUniqueIps(targets.keys());
      return { port, ips, targets: ips.map((ip) => targets.get(ip)!) };
    });
}

/** Why an owned target of an unserved port is not deregistered in this run. */
export type HoldReason = "not_healthy_on_served_port" | "claimed_by_other_run" | "capped" | "would_empty";

/** What the cleanup of one unserved port does in this run. */
export interface UnservedCleanup {
  /** Targets to deregister (the unserved port; `availabilityZone: "all"` when registered so), in IP order. */
  deregister: TargetRef[];
  /** Owned targets kept this run, with why. */
  held: Array<{ ip: string; reason: HoldReason }>;
  /** Targets on the port that its state does not own: never touched. */
  unowned: string[];
  /** The port's state with the targets about to go claimed (`deregisteringSince`), written before the call. */
  claim: State | undefined;
  /** The port's state once they are deregistered (their records dropped). */
  after: State | undefined;
}

/**
 * Plans the cleanup of one unserved port: only targets that the port's own state owns (a target someone else
 * registered there is never touched); each only when it carries nothing (the NLB reports it not healthy) or its IP
 * is registered and healthy on a port the function serves (the traffic it carried has a healthy path); never
 * leaving the target group without a non-draining target on a served port; at most `limit`; IPs another run
 * claimed less than the claim TTL ago are left to it (a claim dated beyond the clock skew is expired).
 *
 * @example
 * const c = planUnservedCleanup(unserved, previous443, registered, [8443], 10, new Date());
 * if (c.deregister.length > 0) { await store.save(c.claim, etag); await adapter.deregister(c.deregister); ... }
 */
export function planUnservedCleanup(
  unserved: UnservedPort,
  state: State | null,
  registered: readonly RegisteredTarget[],
  servedPorts: readonly number[],
  limit: number,
  now: Date,
  claimTtlMs: number = DEFAULT_CLAIM_TTL_MS,
): UnservedCleanup {
  const owned = new Map<string, TargetRecord>();
  for (const [ip, record] of Object.entries(state?.targets ?? {})) {
    const canonical = canonicalIp(ip);
    if (canonical !== undefined) owned.set(canonical, record);
  }
  const unowned = unserved.ips.filter((ip) => !owned.has(ip));
  const healthyOnServed = new Set<string>();
  let servedActive = 0;
  for (const t of registered) {
    if (!servedPorts.includes(t.port) || DRAINING.has(t.state)) continue;
    servedActive += 1;
    const ip = canonicalIp(t.ip);
    if (ip !== undefined && t.state === "healthy") healthyOnServed.add(ip);
  }

  const held: UnservedCleanup["held"] = [];
  const ready: RegisteredTarget[] = [];
  for (const target of unserved.targets) {
    const record = owned.get(target.ip);
    if (record === undefined) continue;
    const since =
      record.deregisteringSince === undefined ? Number.NaN : Date.parse(record.deregisteringSince);
    const claimed = since <= now.getTime() + MAX_CLOCK_SKEW_MS && now.getTime() - since < claimTtlMs;
    if (claimed) held.push({ ip: target.ip, reason: "claimed_by_other_run" });
    else if (NOT_HEALTHY.has(target.state) || healthyOnServed.has(target.ip)) ready.push(target);
    else held.push({ ip: target.ip, reason: "not_healthy_on_served_port" });
  }

  let chosen: RegisteredTarget[] = [];
  if (ready.length > 0 && servedActive === 0) {
    for (const t of ready) held.push({ ip: t.ip, reason: "would_empty" });
  } else {
    const cap = Math.max(0, Math.floor(limit));
    chosen = ready.slice(0, cap);
    for (const t of ready.slice(cap)) held.push({ ip: t.ip, reason: "capped" });
  }
  held.sort((a, b) => unserved.ips.indexOf(a.ip) - unserved.ips.indexOf(b.ip));
  const deregister = chosen.map(
    (t): TargetRef =>
      t.availabilityZone === "all"
        ? { ip: t.ip, port: unserved.port, availabilityZone: "all" }
        : { ip: t.ip, port: unserved.port },
  );
  if (deregister.length === 0 || state === null) {
    return { deregister: [], held, unowned, claim: undefined, after: undefined };
  }

  const at = now.toISOString();
  const claimTargets: Record<string, TargetRecord> = {};
  const afterTargets: Record<string, TargetRecord> = {};
  const leaving = new Set(deregister.map((t) => t.ip));
  for (const [ip, record] of Object.entries(state.targets)) {
    const canonical = canonicalIp(ip) ?? ip;
    if (leaving.has(canonical)) {
      claimTargets[ip] = { ...record, deregisteringSince: at };
    } else {
      claimTargets[ip] = record;
      afterTargets[ip] = record;
    }
  }
  return {
    deregister,
    held,
    unowned,
    claim: { ...state, targets: claimTargets },
    after: { ...state, targets: afterTargets },
  };
}
