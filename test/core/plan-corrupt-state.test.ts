/**
 * No state object, however corrupted or hand-edited, keeps a dead IP registered for ever: a timestamp from the
 * future is expired (beyond a small clock skew), and a dead, NLB-unhealthy owned IP leaves within the bound that
 * docs/guarantees.md states, whatever its record says (misses, dates, a claim by another run).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CLAIM_TTL_MS, type PlanConfig, plan } from "../../lambda/core/plan.js";
import { parseState } from "../../lambda/core/state.js";
import type { Observation, RegisteredTarget, State, TargetRecord } from "../../lambda/types.js";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/static-ip/0123456789abcdef";
const ALB = "internal-app-1234567890.us-east-1.elb.amazonaws.com";
const PORT = 443;
const NOW = new Date("2026-03-01T12:00:00.000Z");
const EARLIER = "2026-03-01T11:00:00.000Z";
/** The schedule: one run a minute. */
const RUN_INTERVAL_MS = 60_000;
/** How far ahead of the function's clock a state timestamp may be before it counts as from the future. */
const CLOCK_SKEW_MS = 5 * 60_000;

const CONFIG: PlanConfig = {
  albDnsName: ALB,
  targetGroupArn: ARN,
  port: PORT,
  invocationsBeforeDeregistration: 3,
  invocationsBeforeDeregistrationHealthy: 15,
  maxDeregistrationsPerRun: 10,
  sameVpc: true,
};

function complete(ips: string[]): Observation {
  return {
    ips,
    queries: 20,
    answers: 20,
    errors: { servfail: 0, nxdomain: 0, timeout: 0, refused: 0, empty: 0, other: 0 },
    complete: true,
    failed: false,
    missBound: 1e-7,
    notes: [],
    durationMs: 5,
  };
}

const LIVE = ["10.0.1.10", "10.0.2.20"];
const DEAD = "10.0.9.9";

function stateWith(dead: TargetRecord): State {
  return {
    version: 1,
    albDnsName: ALB,
    targetGroupArn: ARN,
    port: PORT,
    targets: {
      [LIVE[0]!]: { firstSeen: EARLIER, lastSeen: EARLIER, misses: 0 },
      [LIVE[1]!]: { firstSeen: EARLIER, lastSeen: EARLIER, misses: 0 },
      [DEAD]: dead,
    },
  };
}

const registered: RegisteredTarget[] = [
  { ip: LIVE[0]!, port: PORT, state: "healthy" },
  { ip: LIVE[1]!, port: PORT, state: "healthy" },
  { ip: DEAD, port: PORT, state: "unhealthy" },
];

describe("state timestamps from the future", () => {
  it("treats a claim dated beyond the clock skew as expired: the due IP is deregistered and the note says why", () => {
    // Prepare: another run "claimed" the dead IP a year from now (a skewed clock or a hand edit)
    const future = new Date(NOW.getTime() + 365 * 24 * 3600_000).toISOString();
    const previous = stateWith({
      firstSeen: EARLIER,
      lastSeen: EARLIER,
      misses: 5,
      deregisteringSince: future,
    });

    // Act
    const p = plan(complete(LIVE), registered, previous, CONFIG, NOW);

    // Assess
    expect(p.deregister.map((t) => t.ip)).toEqual([DEAD]);
    const note = p.notes.find((n) => n.code === "state_timestamp_future");
    expect(note?.ips).toEqual([DEAD]);
    expect(note?.message).toContain(future);
  });

  it("drops an expired future claim from the next state, so it cannot come back into the window later", () => {
    // Prepare: below the threshold, so the IP is not deregistered in this run
    const future = new Date(NOW.getTime() + CLOCK_SKEW_MS + 60_000).toISOString();
    const previous = stateWith({
      firstSeen: EARLIER,
      lastSeen: EARLIER,
      misses: 0,
      deregisteringSince: future,
    });

    // Act
    const p = plan(complete(LIVE), registered, previous, CONFIG, NOW);

    // Assess
    expect(p.deregister).toEqual([]);
    expect(p.stateChanged).toBe(true);
    expect(p.nextState.targets[DEAD]).toEqual({ firstSeen: EARLIER, lastSeen: EARLIER, misses: 1 });
  });

  it("honours a claim within the clock skew until the claim TTL after its date, then takes it over", () => {
    // Prepare: a claim 1 minute in the future (a clock 1 minute fast), the IP long due
    const since = new Date(NOW.getTime() + 60_000);
    const previous = stateWith({
      firstSeen: EARLIER,
      lastSeen: EARLIER,
      misses: 9,
      deregisteringSince: since.toISOString(),
    });

    // Act
    const held = plan(complete(LIVE), registered, previous, CONFIG, NOW);
    const later = plan(
      complete(LIVE),
      registered,
      previous,
      CONFIG,
      new Date(since.getTime() + DEFAULT_CLAIM_TTL_MS),
    );

    // Assess
    expect(held.deregister).toEqual([]);
    expect(held.notes.map((n) => n.code)).toContain("deregistration_in_progress");
    expect(held.notes.map((n) => n.code)).not.toContain("state_timestamp_future");
    expect(later.deregister.map((t) => t.ip)).toEqual([DEAD]);
  });

  it("reports future firstSeen / lastSeen dates (they decide nothing)", () => {
    const future = "2999-01-01T00:00:00.000Z";
    const previous = stateWith({ firstSeen: future, lastSeen: future, misses: 0 });
    const p = plan(complete(LIVE), registered, previous, CONFIG, NOW);
    expect(p.notes.find((n) => n.code === "state_timestamp_future")?.ips).toEqual([DEAD]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: a bound for every state the parser accepts
// ---------------------------------------------------------------------------------------------

/** Any instant the state schema accepts (years 0000–9999), mostly near NOW so claims fall in and around the window. */
const instant = fc.oneof(
  fc.integer({ min: -30 * 60_000, max: 30 * 60_000 }).map((d) => new Date(NOW.getTime() + d).toISOString()),
  fc
    .date({
      min: new Date("0001-01-01T00:00:00.000Z"),
      max: new Date("9999-12-31T23:59:59.999Z"),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  fc
    .tuple(fc.integer({ min: -12 * 60, max: 14 * 60 }), fc.integer({ min: -20 * 60_000, max: 20 * 60_000 }))
    .map(([offsetMin, d]) => withOffset(new Date(NOW.getTime() + d), offsetMin)),
);

/** `date` written with a UTC offset of `offsetMin` minutes, e.g. 2026-03-01T14:00:00.000+02:00. */
function withOffset(date: Date, offsetMin: number): string {
  const local = new Date(date.getTime() + offsetMin * 60_000).toISOString().slice(0, 23);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

const recordArb: fc.Arbitrary<TargetRecord> = fc
  .record({
    firstSeen: instant,
    lastSeen: instant,
    misses: fc.oneof(fc.nat(5), fc.nat()),
    deregisteringSince: fc.option(instant, { nil: undefined }),
  })
  .map((r) => (r.deregisteringSince === undefined ? { ...r, deregisteringSince: undefined } : r));

const LIVE_POOL = ["10.0.1.10", "10.0.1.11", "10.0.2.20", "10.0.2.21"];
const DEAD_POOL = ["10.0.9.1", "10.0.9.2", "10.0.9.3", "10.0.9.4"];
const OTHER_POOL = ["10.0.5.5", "10.0.6.6", "10.0.7.7"];

const scenarioArb = fc.record({
  threshold: fc.integer({ min: 1, max: 5 }),
  healthyExtra: fc.integer({ min: 0, max: 20 }),
  cap: fc.integer({ min: 1, max: 4 }),
  live: fc.uniqueArray(fc.constantFrom(...LIVE_POOL), { minLength: 1, maxLength: LIVE_POOL.length }),
  dead: fc.uniqueArray(fc.constantFrom(...DEAD_POOL), { minLength: 1, maxLength: DEAD_POOL.length }),
  deadRecords: fc.array(recordArb, { minLength: DEAD_POOL.length, maxLength: DEAD_POOL.length }),
  liveRecords: fc.array(fc.option(recordArb, { nil: undefined }), {
    minLength: LIVE_POOL.length,
    maxLength: LIVE_POOL.length,
  }),
  otherRecords: fc.array(fc.option(recordArb, { nil: undefined }), {
    minLength: OTHER_POOL.length,
    maxLength: OTHER_POOL.length,
  }),
  deadHealth: fc.array(
    fc.constantFrom<"unhealthy" | "unused" | "unavailable">("unhealthy", "unused", "unavailable"),
    {
      minLength: DEAD_POOL.length,
      maxLength: DEAD_POOL.length,
    },
  ),
});

/**
 * The bound docs/guarantees.md states, in runs (one a minute): a dead, NLB-unhealthy IP that the state owns leaves by run
 * max(K + 1, 1 + ⌈(clock skew + claim TTL) / run interval⌉), plus ⌈n / MAX_DEREGISTRATIONS_PER_RUN⌉ − 1 runs
 * when n such IPs are due at once. K + 1: a state that owns none of the live targets makes the first run's
 * observation disjoint (no miss counted); the second term: a claim dated up to the clock skew ahead is honoured
 * for the claim TTL after its date.
 */
function boundInRuns(threshold: number, dead: number, cap: number): number {
  const claimRuns = 1 + Math.ceil((CLOCK_SKEW_MS + DEFAULT_CLAIM_TTL_MS) / RUN_INTERVAL_MS);
  return Math.max(threshold + 1, claimRuns) + Math.ceil(dead / cap) - 1;
}

describe("property: no parsable state keeps a dead, NLB-unhealthy owned IP registered past the bound", () => {
  it("holds for any records (misses, dates, claims, offsets), thresholds and caps", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        // Prepare: a state the parser accepts, owning every dead IP with whatever record
        const targets: Record<string, TargetRecord> = {};
        s.dead.forEach((ip) => {
          targets[ip] = clean(s.deadRecords[DEAD_POOL.indexOf(ip)]!);
        });
        LIVE_POOL.forEach((ip, i) => {
          const r = s.liveRecords[i];
          if (r !== undefined && s.live.includes(ip)) targets[ip] = clean(r);
        });
        OTHER_POOL.forEach((ip, i) => {
          const r = s.otherRecords[i];
          if (r !== undefined) targets[ip] = clean(r);
        });
        const text = JSON.stringify({
          version: 1,
          albDnsName: ALB,
          targetGroupArn: ARN,
          port: PORT,
          targets,
        });
        const parsed = parseState(text, { targetGroupArn: ARN, port: PORT, albDnsName: ALB });
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const config: PlanConfig = {
          ...CONFIG,
          invocationsBeforeDeregistration: s.threshold,
          invocationsBeforeDeregistrationHealthy: s.threshold + s.healthyExtra,
          maxDeregistrationsPerRun: s.cap,
        };
        let state: State = parsed.state;
        let targetsNow: RegisteredTarget[] = [
          ...s.live.map((ip): RegisteredTarget => ({ ip, port: PORT, state: "healthy" })),
          ...s.dead.map(
            (ip): RegisteredTarget => ({ ip, port: PORT, state: s.deadHealth[DEAD_POOL.indexOf(ip)]! }),
          ),
        ];
        const bound = boundInRuns(s.threshold, s.dead.length, s.cap);

        // Act: one run a minute, every observation complete and without the dead IPs
        let run = 0;
        const stillRegistered = () =>
          s.dead.filter((ip) => targetsNow.some((t) => t.ip === ip && t.state !== "draining"));
        while (stillRegistered().length > 0 && run < bound) {
          const now = new Date(NOW.getTime() + run * RUN_INTERVAL_MS);
          const p = plan(complete([...s.live]), targetsNow, state, config, now);
          const leaving = new Set(p.deregister.map((t) => t.ip));
          // Assess on the way: never a live IP
          for (const ip of leaving) expect(s.live).not.toContain(ip);
          targetsNow = targetsNow.map((t) => (leaving.has(t.ip) ? { ...t, state: "draining" } : t));
          state = p.nextState;
          run += 1;
        }

        // Assess
        expect(stillRegistered(), `after ${run} runs (bound ${bound})`).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});

function clean(r: TargetRecord): TargetRecord {
  return r.deregisteringSince === undefined
    ? { firstSeen: r.firstSeen, lastSeen: r.lastSeen, misses: r.misses }
    : { ...r };
}
