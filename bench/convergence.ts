/**
 * Table 5: a simulated day, accelerated. Every simulated minute one invocation of ours and one of the baseline,
 * each against its own world (same seed, same scripted ALB scale-out/in, IP replacements and DNS outages).
 * The worlds run on a virtual clock that advances 60 s per minute, so health checks (20 s) and deregistration
 * delay (120 s) behave as on a real day, only faster. After each minute we check what a client of the NLB would
 * see: ALB IPs not registered, registered IPs that no longer belong to the ALB, and live IPs deregistered.
 */

import { startFunction } from "../sim/lambda-runtime.js";
import type { FaultSet } from "../sim/types.js";
import { startWorld, type World } from "../sim/world.js";
import { BASELINE_BUNDLE, LAMBDA_BUNDLE } from "./bundles.js";

/** One scripted event at the start of a minute. */
export type DayEvent =
  | { minute: number; say: string; scale: number }
  | { minute: number; say: string; replace: number }
  | { minute: number; say: string; faults: FaultSet };

/** Settings of the convergence run. */
export interface ConvergenceOptions {
  minutes: number;
  script: readonly DayEvent[];
  initialIps: number;
  latency: { dns: number; aws: number };
}

/** What one side lived through. */
export interface ConvergenceSide {
  /** Minutes (after that minute's run) with at least one ALB IP in DNS not registered. */
  minutesWithUnregisteredIp: number;
  /** Sum over minutes of ALB IPs not registered. */
  unregisteredIpMinutes: number;
  /** Minutes with at least one registered (not draining) target whose IP the ALB no longer has. */
  minutesWithStaleTarget: number;
  staleIpMinutes: number;
  /** Deregistrations of an IP the ALB still had (must be 0). */
  liveIpsDeregistered: number;
  registrations: number;
  deregistrations: number;
  failedRuns: number;
  apiCalls: number;
  s3Writes: number;
  dnsQueries: number;
}

/** Table 5. */
export interface ConvergenceResult {
  minutes: number;
  script: ReadonlyArray<{ minute: number; say: string }>;
  ours: ConvergenceSide;
  baseline: ConvergenceSide;
}

const ACTIVE = new Set(["initial", "healthy", "unhealthy"]);

function emptySide(): ConvergenceSide {
  return {
    minutesWithUnregisteredIp: 0,
    unregisteredIpMinutes: 0,
    minutesWithStaleTarget: 0,
    staleIpMinutes: 0,
    liveIpsDeregistered: 0,
    registrations: 0,
    deregistrations: 0,
    failedRuns: 0,
    apiCalls: 0,
    s3Writes: 0,
    dnsQueries: 0,
  };
}

function targetStates(world: World): Map<string, string> {
  return new Map((world.state().targetGroups[0]?.targets ?? []).map((t) => [t.ip, t.state]));
}

function applyEvent(world: World, event: DayEvent, fresh: () => string): void {
  if ("scale" in event) world.scaleAlb(event.scale);
  else if ("replace" in event) {
    const ips = world.state().alb.ips;
    const kept = ips.slice(event.replace);
    world.setAlbIps([...kept, ...Array.from({ length: Math.min(event.replace, ips.length) }, fresh)]);
  } else world.setFaults(event.faults);
}

/**
 * Run the simulated day.
 *
 * @example
 * const day = await runConvergence({ minutes: 60, script: QUICK_DAY, initialIps: 8, latency: { dns: 1, aws: 15 } }, console.log);
 */
export async function runConvergence(
  options: ConvergenceOptions,
  log: (line: string) => void,
): Promise<ConvergenceResult> {
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const common = {
    albIpCount: options.initialIps,
    latency: options.latency,
    healthCheckDelayMs: 20_000,
    deregistrationDelayMs: 120_000,
    clock,
    seed: 7,
  };
  const worlds = { ours: await startWorld(common), baseline: await startWorld(common) };
  const fns = {
    ours: await startFunction({ env: { ...worlds.ours.env(), LOG_LEVEL: "ERROR" }, bundle: LAMBDA_BUNDLE }),
    baseline: await startFunction({ env: worlds.baseline.env(), bundle: BASELINE_BUNDLE }),
  };
  const sides = { ours: emptySide(), baseline: emptySide() };
  const freshCounters = { ours: 0, baseline: 0 };
  const fresh = (who: "ours" | "baseline") => () => {
    freshCounters[who] += 1;
    const k = freshCounters[who];
    return `10.0.${240 + Math.floor(k / 250)}.${1 + (k % 250)}`;
  };
  try {
    for (let minute = 0; minute < options.minutes; minute++) {
      now += 60_000;
      for (const event of options.script.filter((e) => e.minute === minute)) {
        applyEvent(worlds.ours, event, fresh("ours"));
        applyEvent(worlds.baseline, event, fresh("baseline"));
      }
      await Promise.all(
        (["ours", "baseline"] as const).map(async (who) => {
          const world = worlds[who];
          const side = sides[who];
          const before = targetStates(world);
          const requestsBefore = world.state().requests;
          const albAtRun = new Set(world.state().alb.ips);
          const out = await fns[who].invoke({ source: "aws.events", "detail-type": "Scheduled Event" });
          if (!out.ok) side.failedRuns += 1;
          const state = world.state();
          const after = new Map((state.targetGroups[0]?.targets ?? []).map((t) => [t.ip, t.state]));
          for (const [ip, s] of after) {
            const was = before.get(ip);
            if (s === "draining" && was !== undefined && was !== "draining") {
              side.deregistrations += 1;
              if (albAtRun.has(ip)) side.liveIpsDeregistered += 1;
            }
            if (ACTIVE.has(s) && (was === undefined || !ACTIVE.has(was))) side.registrations += 1;
          }
          const alb = new Set(state.alb.ips);
          const unregistered = [...alb].filter((ip) => !ACTIVE.has(after.get(ip) ?? "none")).length;
          const stale = [...after].filter(([ip, s]) => ACTIVE.has(s) && !alb.has(ip)).length;
          side.unregisteredIpMinutes += unregistered;
          if (unregistered > 0) side.minutesWithUnregisteredIp += 1;
          side.staleIpMinutes += stale;
          if (stale > 0) side.minutesWithStaleTarget += 1;
          for (const [api, n] of Object.entries(state.requests)) {
            const d = n - (requestsBefore[api] ?? 0);
            if (api === "dns") side.dnsQueries += d;
            else side.apiCalls += d;
            if (api === "s3:PutObject") side.s3Writes += d;
          }
        }),
      );
      if ((minute + 1) % 60 === 0) {
        log(
          `  minute ${minute + 1}: ours unregistered-minutes ${sides.ours.minutesWithUnregisteredIp}, live deregistered ${sides.ours.liveIpsDeregistered}; ` +
            `baseline ${sides.baseline.minutesWithUnregisteredIp}, ${sides.baseline.liveIpsDeregistered}`,
        );
      }
    }
  } finally {
    await fns.ours.stop();
    await fns.baseline.stop();
    await worlds.ours.stop();
    await worlds.baseline.stop();
  }
  return {
    minutes: options.minutes,
    script: options.script.map((e) => ({ minute: e.minute, say: e.say })),
    ours: sides.ours,
    baseline: sides.baseline,
  };
}
