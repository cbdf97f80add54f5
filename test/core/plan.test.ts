import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Plan, type PlanConfig, type PlanNoteCode, plan } from "../../lambda/core/plan.js";
import type {
  Observation,
  RegisteredTarget,
  State,
  TargetHealthState,
  TargetRef,
} from "../../lambda/types.js";

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/static-ip/0123456789abcdef";
const OTHER_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other/fedcba9876543210";
const ALB = "internal-app-1234567890.us-east-1.elb.amazonaws.com";
const PORT = 443;
const OTHER_PORT = 8443;
const NOW = new Date("2026-03-01T12:00:00.000Z");
const EARLIER = "2026-03-01T11:00:00.000Z";

/**
 * The rows below test the miss, cap, ownership and emptiness rules; for them a due IP counts as confirmed
 * whatever its health (healthy bound = threshold). The health corroboration rule has rows of its own with
 * {@link CORROBORATED}, the defaults.
 */
const CONFIG: PlanConfig = {
  albDnsName: ALB,
  targetGroupArn: ARN,
  port: PORT,
  invocationsBeforeDeregistration: 3,
  invocationsBeforeDeregistrationHealthy: 3,
  maxDeregistrationsPerRun: 10,
  sameVpc: true,
};

const CORROBORATED: Partial<PlanConfig> = { invocationsBeforeDeregistrationHealthy: 15 };

type Kind = "complete" | "incomplete" | "failed";

function obs(ips: string[], kind: Kind = "complete"): Observation {
  return {
    ips,
    queries: 20,
    answers: kind === "failed" ? 0 : 20,
    errors: { servfail: 0, nxdomain: 0, timeout: kind === "failed" ? 20 : 0, refused: 0, empty: 0, other: 0 },
    complete: kind === "complete",
    failed: kind === "failed",
    missBound: kind === "complete" ? 1e-7 : 1,
    notes: [],
    durationMs: 5,
  };
}

function reg(
  ip: string,
  state: TargetHealthState = "healthy",
  port = PORT,
  availabilityZone?: string,
): RegisteredTarget {
  return availabilityZone === undefined ? { ip, port, state } : { ip, port, state, availabilityZone };
}

/** A state owning `misses` (ip → miss counter), timestamps EARLIER. */
function owned(misses: Record<string, number>, overrides: Partial<State> = {}): State {
  const targets: State["targets"] = {};
  for (const [ip, m] of Object.entries(misses))
    targets[ip] = { firstSeen: EARLIER, lastSeen: EARLIER, misses: m };
  return { version: 1, albDnsName: ALB, targetGroupArn: ARN, port: PORT, targets, ...overrides };
}

function ipsOf(refs: readonly TargetRef[]): string[] {
  return refs.map((r) => r.ip);
}

function missesOf(state: State): Record<string, number> {
  return Object.fromEntries(Object.entries(state.targets).map(([ip, r]) => [ip, r.misses]));
}

function codesOf(p: Plan): PlanNoteCode[] {
  return p.notes.map((n) => n.code);
}

// ---------------------------------------------------------------------------------------------
// Table: one row per rule
// ---------------------------------------------------------------------------------------------

interface Row {
  name: string;
  observation: Observation;
  registered: RegisteredTarget[];
  previous: State | null;
  config?: Partial<PlanConfig>;
  register: string[];
  deregister: string[];
  next: Record<string, number>;
  changed: boolean;
  notes: PlanNoteCode[];
}

const A = "10.0.1.10";
const B = "10.0.2.20";
const C = "10.0.3.30";
const D = "10.0.1.40";
const E = "10.0.2.50";
const X = "192.168.7.7"; // never in DNS

const rows: Row[] = [
  {
    name: "steady state: observed = registered = owned changes nothing",
    observation: obs([A, B]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 0 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 0 },
    changed: false,
    notes: [],
  },
  {
    name: "a new observed IP is registered and becomes owned",
    observation: obs([A, B, C]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 0 }),
    register: [C],
    deregister: [],
    next: { [A]: 0, [B]: 0, [C]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "an observed IP registered only on another port is registered on the listener port",
    observation: obs([A, B]),
    registered: [reg(A), reg(B, "healthy", OTHER_PORT)],
    previous: owned({ [A]: 0 }),
    register: [B],
    deregister: [],
    next: { [A]: 0, [B]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "a draining IP that reappears is registered again",
    observation: obs([A, B]),
    registered: [reg(A), reg(B, "draining")],
    previous: owned({ [A]: 0 }),
    register: [B],
    deregister: [],
    next: { [A]: 0, [B]: 0 },
    changed: true,
    notes: ["target_draining_reregistered"],
  },
  {
    name: "an unhealthy.draining IP that reappears is registered again",
    observation: obs([A, B]),
    registered: [reg(A), reg(B, "unhealthy.draining")],
    previous: owned({ [A]: 0, [B]: 0 }),
    register: [B],
    deregister: [],
    next: { [A]: 0, [B]: 0 },
    changed: false,
    notes: ["target_draining_reregistered"],
  },
  {
    name: "initial, unhealthy, unused and unavailable targets count as registered",
    observation: obs([A, B, C, D]),
    registered: [reg(A, "initial"), reg(B, "unhealthy"), reg(C, "unused"), reg(D, "unavailable")],
    previous: owned({ [A]: 0, [B]: 0, [C]: 0, [D]: 0 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 0, [C]: 0, [D]: 0 },
    changed: false,
    notes: [],
  },
  {
    name: "an owned IP missing from a complete observation gets its first miss",
    observation: obs([A]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 0 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 1 },
    changed: true,
    notes: ["target_missing"],
  },
  {
    name: "a second consecutive miss is counted",
    observation: obs([A]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 1 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 2 },
    changed: true,
    notes: ["target_missing"],
  },
  {
    name: "the miss that reaches INVOCATIONS_BEFORE_DEREGISTRATION deregisters and drops the IP",
    observation: obs([A]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 2 }),
    register: [],
    deregister: [B],
    next: { [A]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "with INVOCATIONS_BEFORE_DEREGISTRATION = 1 the first miss deregisters",
    observation: obs([A]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 0 }),
    config: { invocationsBeforeDeregistration: 1, invocationsBeforeDeregistrationHealthy: 1 },
    register: [],
    deregister: [B],
    next: { [A]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "a due IP the NLB still reports healthy is kept (unconfirmed) until the healthy bound",
    observation: obs([A]),
    registered: [reg(A), reg(B, "healthy")],
    previous: owned({ [A]: 0, [B]: 2 }),
    config: CORROBORATED,
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 3 },
    changed: true,
    notes: ["deregistration_unconfirmed"],
  },
  {
    name: "a due IP still in its first health checks (initial) is kept like a healthy one",
    observation: obs([A]),
    registered: [reg(A), reg(B, "initial")],
    previous: owned({ [A]: 0, [B]: 5 }),
    config: CORROBORATED,
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 6 },
    changed: true,
    notes: ["deregistration_unconfirmed"],
  },
  {
    // Every server answering the same stale subset while the NLB's checks fail everywhere: "unhealthy" then says
    // nothing about which IP is gone, so only the healthy bound may deregister.
    name: "a due, NLB-unhealthy IP is kept while no target the observation shows is healthy (a health-check outage)",
    observation: obs([A]),
    registered: [reg(A, "unhealthy"), reg(B, "unhealthy")],
    previous: owned({ [A]: 0, [B]: 2 }),
    config: CORROBORATED,
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 3 },
    changed: true,
    notes: ["deregistration_unconfirmed"],
  },
  {
    name: "a due IP is deregistered at the healthy bound also during a health-check outage",
    observation: obs([A]),
    registered: [reg(A, "unhealthy"), reg(B, "unhealthy")],
    previous: owned({ [A]: 0, [B]: 14 }),
    config: CORROBORATED,
    register: [],
    deregister: [B],
    next: { [A]: 0 },
    changed: true,
    notes: [],
  },
  ...(["unhealthy", "unused", "unavailable"] as const).map(
    (state): Row => ({
      name: `a due IP the NLB reports ${state} is deregistered at the threshold`,
      observation: obs([A]),
      registered: [reg(A), reg(B, state)],
      previous: owned({ [A]: 0, [B]: 2 }),
      config: CORROBORATED,
      register: [],
      deregister: [B],
      next: { [A]: 0 },
      changed: true,
      notes: [],
    }),
  ),
  {
    name: "a due IP reported healthy is deregistered once missing for the healthy bound (IP reuse)",
    observation: obs([A]),
    registered: [reg(A), reg(B, "healthy")],
    previous: owned({ [A]: 0, [B]: 14 }),
    config: CORROBORATED,
    register: [],
    deregister: [B],
    next: { [A]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "an IP seen again resets its miss counter",
    observation: obs([A, B]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 2 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "an incomplete observation counts no miss",
    observation: obs([A], "incomplete"),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 1 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 1 },
    changed: false,
    notes: ["observation_incomplete"],
  },
  {
    name: "an incomplete observation never deregisters, even an IP already past the threshold",
    observation: obs([A], "incomplete"),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 5 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 5 },
    changed: false,
    notes: ["observation_incomplete"],
  },
  {
    name: "a failed observation counts no miss and deregisters nothing",
    observation: obs([], "failed"),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 2, [B]: 2 }),
    register: [],
    deregister: [],
    next: { [A]: 2, [B]: 2 },
    changed: false,
    notes: ["observation_failed"],
  },
  {
    name: "an incomplete observation still registers the new IPs it saw",
    observation: obs([A, C], "incomplete"),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 0 }),
    register: [C],
    deregister: [],
    next: { [A]: 0, [B]: 0, [C]: 0 },
    changed: true,
    notes: ["observation_incomplete"],
  },
  {
    name: "an incomplete observation that sees an owned IP resets its misses (seen is positive evidence)",
    observation: obs([A, B], "incomplete"),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 2 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 0 },
    changed: true,
    notes: ["observation_incomplete"],
  },
  {
    name: "deregistering every target is refused; the misses are kept",
    observation: obs([]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 2, [B]: 2 }),
    register: [],
    deregister: [],
    next: { [A]: 3, [B]: 3 },
    changed: true,
    notes: ["deregistration_would_empty"],
  },
  {
    name: "the empty rule counts draining targets as gone",
    observation: obs([]),
    registered: [reg(A), reg(B, "draining")],
    previous: owned({ [A]: 2 }),
    register: [],
    deregister: [],
    next: { [A]: 3 },
    changed: true,
    notes: ["deregistration_would_empty"],
  },
  {
    name: "a target not owned keeps the port non-empty, so owned due IPs are deregistered",
    observation: obs([]),
    registered: [reg(A), reg(X)],
    previous: owned({ [A]: 2 }),
    register: [],
    deregister: [A],
    next: {},
    changed: true,
    notes: ["target_unowned"],
  },
  {
    name: "a full ALB rotation registers the new IPs at once but counts no miss (a disjoint answer may be a lying DNS)",
    observation: obs([C, D]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 2, [B]: 2 }),
    register: [D, C],
    deregister: [],
    next: { [A]: 2, [B]: 2, [C]: 0, [D]: 0 },
    changed: true,
    notes: ["observation_disjoint"],
  },
  {
    name: "after a full rotation the old IPs go one run later, once the observation overlaps what is owned",
    observation: obs([C, D]),
    registered: [reg(A), reg(B), reg(C), reg(D)],
    previous: owned({ [A]: 2, [B]: 2, [C]: 0, [D]: 0 }),
    register: [],
    deregister: [A, B],
    next: { [C]: 0, [D]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "deregistrations are capped per run, highest misses first; the rest wait at their count",
    observation: obs([E]),
    registered: [reg(A), reg(B), reg(C), reg(D), reg(E)],
    previous: owned({ [A]: 2, [B]: 4, [C]: 2, [D]: 6, [E]: 0 }),
    config: { maxDeregistrationsPerRun: 2 },
    register: [],
    deregister: [B, D],
    next: { [A]: 3, [C]: 3, [E]: 0 },
    changed: true,
    notes: ["deregistration_capped"],
  },
  {
    name: "the cap breaks ties by numeric IP order",
    observation: obs([E]),
    registered: [reg("10.0.0.10"), reg("10.0.0.9"), reg("10.0.0.100"), reg(E)],
    previous: owned({ "10.0.0.10": 2, "10.0.0.9": 2, "10.0.0.100": 2, [E]: 0 }),
    config: { maxDeregistrationsPerRun: 2 },
    register: [],
    deregister: ["10.0.0.9", "10.0.0.10"],
    next: { "10.0.0.100": 3, [E]: 0 },
    changed: true,
    notes: ["deregistration_capped"],
  },
  {
    name: "MAX_DEREGISTRATIONS_PER_RUN = 0 deregisters nothing",
    observation: obs([A]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 2 }),
    config: { maxDeregistrationsPerRun: 0 },
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 3 },
    changed: true,
    notes: ["deregistration_capped"],
  },
  {
    name: "an owned IP at the threshold that is no longer registered is dropped without a call",
    observation: obs([A]),
    registered: [reg(A)],
    previous: owned({ [A]: 0, [B]: 2 }),
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: true,
    notes: ["owned_target_gone"],
  },
  {
    name: "an owned IP at the threshold that is already draining is dropped without a call",
    observation: obs([A]),
    registered: [reg(A), reg(B, "draining")],
    previous: owned({ [A]: 0, [B]: 2 }),
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: true,
    notes: ["owned_target_gone"],
  },
  {
    name: "an owned IP below the threshold that is not registered stays owned and is not re-registered",
    observation: obs([A]),
    registered: [reg(A)],
    previous: owned({ [A]: 0, [B]: 0 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 1 },
    changed: true,
    notes: ["target_missing"],
  },
  {
    name: "without state, only the observed targets on the port are adopted; the others stay unowned",
    observation: obs([A]),
    registered: [reg(A), reg(B), reg(C, "draining"), reg(D, "healthy", OTHER_PORT)],
    previous: null,
    config: { invocationsBeforeDeregistration: 1 },
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: true,
    notes: ["state_adopted", "target_unowned"],
  },
  {
    name: "without state and with an empty target group, the observed IPs are registered and owned",
    observation: obs([B, A]),
    registered: [],
    previous: null,
    register: [A, B],
    deregister: [],
    next: { [A]: 0, [B]: 0 },
    changed: true,
    notes: ["state_adopted"],
  },
  {
    name: "without state and with a failed observation, nothing is adopted (no observation saw the targets)",
    observation: obs([], "failed"),
    registered: [reg(A)],
    previous: null,
    register: [],
    deregister: [],
    next: {},
    changed: true,
    notes: ["state_adopted", "observation_failed", "target_unowned"],
  },
  {
    name: "a state of another target group is ignored: re-adopt, never deregister its IPs",
    observation: obs([A]),
    registered: [reg(A), reg(B)],
    previous: owned({ [B]: 9, [C]: 9 }, { targetGroupArn: OTHER_ARN }),
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: true,
    notes: ["state_foreign", "state_adopted", "target_unowned"],
  },
  {
    name: "a state of another port is ignored: re-adopt, never deregister its IPs",
    observation: obs([A]),
    registered: [reg(A), reg(B)],
    previous: owned({ [B]: 9 }, { port: OTHER_PORT }),
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: true,
    notes: ["state_foreign", "state_adopted", "target_unowned"],
  },
  {
    name: "a target registered on the port after state exists and never observed is left alone",
    observation: obs([A]),
    registered: [reg(A), reg(X)],
    previous: owned({ [A]: 0 }),
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: false,
    notes: ["target_unowned"],
  },
  {
    name: "an unowned registered target that DNS reports becomes owned without a register call",
    observation: obs([A, B]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0 }),
    register: [],
    deregister: [],
    next: { [A]: 0, [B]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "a due IP also registered on another port is deregistered on the listener port only",
    observation: obs([A]),
    registered: [reg(A), reg(B), reg(B, "healthy", OTHER_PORT)],
    previous: owned({ [A]: 0, [B]: 2 }),
    register: [],
    deregister: [B],
    next: { [A]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "values that are not IP addresses are ignored with a note",
    observation: obs([A, "not-an-ip", "10.0.0.256"]),
    registered: [reg(A)],
    previous: owned({ [A]: 0 }),
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: false,
    notes: ["observation_invalid_ip"],
  },
  {
    name: "IPv6 addresses are never registered in an IPv4 target group",
    observation: obs([A, "::1", "2001:db8::5"]),
    registered: [reg(A)],
    previous: owned({ [A]: 0 }),
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: false,
    notes: ["observation_other_family"],
  },
  {
    name: "duplicate observed IPs are registered once",
    observation: obs([C, C, A, C]),
    registered: [reg(A)],
    previous: owned({ [A]: 0 }),
    register: [C],
    deregister: [],
    next: { [A]: 0, [C]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "an IP held past the threshold by the empty rule goes once another target exists",
    observation: obs([C]),
    registered: [reg(A), reg(C)],
    previous: owned({ [A]: 5, [C]: 0 }),
    register: [],
    deregister: [A],
    next: { [C]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "a previous state written for another ALB name is rewritten with the current name",
    observation: obs([A]),
    registered: [reg(A)],
    previous: owned({ [A]: 0 }, { albDnsName: "" }),
    register: [],
    deregister: [],
    next: { [A]: 0 },
    changed: true,
    notes: [],
  },
  {
    name: "a state written under another name of the ALB keeps its ownership: the missing IP still counts a miss",
    observation: obs([A]),
    registered: [reg(A), reg(B)],
    previous: owned({ [A]: 0, [B]: 2 }, { albDnsName: `dualstack.${ALB}` }),
    register: [],
    deregister: [B],
    next: { [A]: 0 },
    changed: true,
    notes: ["state_alb_renamed"],
  },
];

describe("plan: reconcile rules", () => {
  it.each(rows)("$name", (row) => {
    // Prepare
    const config = { ...CONFIG, ...row.config };

    // Act
    const p = plan(row.observation, row.registered, row.previous, config, NOW);

    // Assess
    expect(ipsOf(p.register)).toEqual([...row.register].sort(byIp));
    expect(ipsOf(p.deregister)).toEqual([...row.deregister].sort(byIp));
    expect(missesOf(p.nextState)).toEqual(row.next);
    expect(p.stateChanged).toBe(row.changed);
    expect(codesOf(p)).toEqual(row.notes);
    for (const ref of [...p.register, ...p.deregister]) expect(ref.port).toBe(PORT);
  });
});

function byIp(a: string, b: string): number {
  const n = (ip: string) => ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
}

// ---------------------------------------------------------------------------------------------
// Details the table does not show
// ---------------------------------------------------------------------------------------------

describe("plan: targets, state and notes", () => {
  it("registers with AvailabilityZone all when SAME_VPC is false", () => {
    // Act
    const p = plan(obs([A, B]), [reg(A)], owned({ [A]: 0 }), { ...CONFIG, sameVpc: false }, NOW);

    // Assess
    expect(p.register).toEqual([{ ip: B, port: PORT, availabilityZone: "all" }]);
  });

  it("registers without an AvailabilityZone when SAME_VPC is true", () => {
    // Act
    const p = plan(obs([A, B]), [reg(A)], owned({ [A]: 0 }), CONFIG, NOW);

    // Assess
    expect(p.register).toEqual([{ ip: B, port: PORT }]);
  });

  it("deregisters a target registered with AvailabilityZone all using the same zone", () => {
    // Act
    const p = plan(
      obs([A]),
      [reg(A), reg(B, "healthy", PORT, "all")],
      owned({ [A]: 0, [B]: 2 }),
      CONFIG,
      NOW,
    );

    // Assess
    expect(p.deregister).toEqual([{ ip: B, port: PORT, availabilityZone: "all" }]);
  });

  it("returns register and deregister lists in numeric IP order", () => {
    // Prepare
    const old = ["10.0.0.100", "10.0.0.20", "10.0.0.3"];
    const fresh = ["10.1.0.100", "10.1.0.20", "10.1.0.3"];
    const anchor = "10.1.0.1"; // owned and still in DNS, so the observation is not disjoint

    // Act
    const p = plan(
      obs([...fresh, anchor]),
      [...old, anchor].map((ip) => reg(ip)),
      owned({ [old[0]!]: 2, [old[1]!]: 2, [old[2]!]: 2, [anchor]: 0 }),
      CONFIG,
      NOW,
    );

    // Assess
    expect(ipsOf(p.register)).toEqual(["10.1.0.3", "10.1.0.20", "10.1.0.100"]);
    expect(ipsOf(p.deregister)).toEqual(["10.0.0.3", "10.0.0.20", "10.0.0.100"]);
    expect(Object.keys(p.nextState.targets)).toEqual(["10.1.0.1", "10.1.0.3", "10.1.0.20", "10.1.0.100"]);
  });

  it("returns the previous state object itself when nothing changed, so no write is needed", () => {
    // Prepare
    const previous = owned({ [A]: 0, [B]: 1 });

    // Act
    const p = plan(obs([A], "incomplete"), [reg(A), reg(B)], previous, CONFIG, NOW);

    // Assess
    expect(p.stateChanged).toBe(false);
    expect(p.nextState).toBe(previous);
    expect(p.nextState.targets[A]!.lastSeen).toBe(EARLIER);
  });

  it("stamps new records with now and refreshes lastSeen of seen IPs when the state changes anyway", () => {
    // Prepare
    const previous = owned({ [A]: 0, [B]: 0 });

    // Act
    const p = plan(obs([A, C]), [reg(A), reg(B)], previous, CONFIG, NOW);

    // Assess
    const at = NOW.toISOString();
    expect(p.nextState.targets).toEqual({
      [A]: { firstSeen: EARLIER, lastSeen: at, misses: 0 },
      [B]: { firstSeen: EARLIER, lastSeen: EARLIER, misses: 1 },
      [C]: { firstSeen: at, lastSeen: at, misses: 0 },
    });
    expect(p.nextState).toMatchObject({ version: 1, albDnsName: ALB, targetGroupArn: ARN, port: PORT });
  });

  it("stamps adopted records with now", () => {
    // Act
    const p = plan(obs([A]), [reg(A)], null, CONFIG, NOW);

    // Assess
    expect(p.nextState.targets[A]).toEqual({
      firstSeen: NOW.toISOString(),
      lastSeen: NOW.toISOString(),
      misses: 0,
    });
  });

  it("does not modify its inputs", () => {
    // Prepare
    const observation = obs([C, A]);
    const registered = [reg(A), reg(B), reg(D, "draining")];
    const previous = owned({ [A]: 1, [B]: 2 });
    const before = structuredClone({ observation, registered, previous });

    // Act
    plan(observation, registered, previous, CONFIG, NOW);

    // Assess
    expect({ observation, registered, previous }).toEqual(before);
  });

  it("names the IPs and the numbers in its notes", () => {
    // Act
    const p = plan(
      obs([E]),
      [reg(A), reg(B), reg(C), reg(E)],
      owned({ [A]: 2, [B]: 2, [C]: 2, [E]: 0 }),
      { ...CONFIG, maxDeregistrationsPerRun: 1 },
      NOW,
    );

    // Assess
    const capped = p.notes.find((n) => n.code === "deregistration_capped");
    expect(capped?.ips).toEqual([B, C]);
    expect(capped?.message).toContain("3 IP(s) due");
    expect(capped?.message).toContain("MAX_DEREGISTRATIONS_PER_RUN is 1");
  });

  it("gives the same plan whatever the order of its inputs", () => {
    // Prepare
    const registered = [reg(A), reg(B), reg(C, "draining"), reg(D)];
    const previous = owned({ [A]: 2, [B]: 2, [D]: 0 });

    // Act
    const first = plan(obs([D, E, C]), registered, previous, CONFIG, NOW);
    const second = plan(obs([C, E, D]), [...registered].reverse(), previous, CONFIG, NOW);

    // Assess
    expect(second).toEqual(first);
  });
});

describe("plan: purity", () => {
  it("imports nothing from the AWS SDK, node:dns, node:fs or the network", () => {
    // Prepare
    const dir = join(import.meta.dirname, "../../lambda/core");
    const forbidden =
      /from\s+["'](@aws-sdk\/[^"']*|(node:)?(dns|fs|fs\/promises|net|http|https|dgram|child_process))["']/;

    // Act
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .filter((f) => forbidden.test(readFileSync(join(dir, f), "utf8")));

    // Assess
    expect(offenders).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random histories
// ---------------------------------------------------------------------------------------------

const POOL = Array.from({ length: 40 }, (_, i) => `10.0.${Math.floor(i / 10)}.${10 + (i % 10)}`);
const DECOYS = Array.from({ length: 5 }, (_, i) => `192.168.0.${i + 1}`);
const STEPS = 30;
const RUNS = 200;

interface Step {
  /** Indices into POOL whose membership in the ALB set flips before this run. */
  toggles: number[];
  kind: Kind;
  /** For incomplete observations: which ALB IPs the observation kept. */
  keep: boolean[];
  /** Runs a deregistered target stays draining before it disappears. */
  drain: number;
  /** Index into DECOYS of an unowned target registered on the port before this run, or -1. */
  decoy: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  toggles: fc.array(fc.nat(POOL.length - 1), { maxLength: 3 }),
  kind: fc.constantFrom<Kind>("complete", "complete", "complete", "incomplete", "failed"),
  keep: fc.array(fc.boolean(), { minLength: POOL.length, maxLength: POOL.length }),
  drain: fc.nat(2),
  decoy: fc.integer({ min: -1, max: DECOYS.length - 1 }),
});

const historyArb = fc.record({
  initialAlb: fc.uniqueArray(fc.nat(POOL.length - 1), { minLength: 1, maxLength: 12 }),
  /** Targets on the port before the first run (some stale, to be adopted and later removed). */
  preRegistered: fc.uniqueArray(fc.nat(POOL.length - 1), { maxLength: 10 }),
  /** Targets on another port that must never be touched. */
  otherPort: fc.uniqueArray(fc.nat(POOL.length - 1), { maxLength: 6 }),
  threshold: fc.integer({ min: 1, max: 4 }),
  sameVpc: fc.boolean(),
  steps: fc.array(stepArb, { minLength: 1, maxLength: STEPS }),
});

/** The simulated target group: registered targets with a draining countdown. */
class World {
  readonly targets = new Map<string, RegisteredTarget & { drainLeft: number }>();

  add(ip: string, port: number, state: TargetHealthState = "healthy"): void {
    this.targets.set(`${ip}:${port}`, { ip, port, state, drainLeft: 0 });
  }

  snapshot(): RegisteredTarget[] {
    return [...this.targets.values()].map(({ ip, port, state, availabilityZone }) =>
      availabilityZone === undefined ? { ip, port, state } : { ip, port, state, availabilityZone },
    );
  }

  activeOn(port: number): Set<string> {
    return new Set(
      [...this.targets.values()]
        .filter((t) => t.port === port && !t.state.includes("draining"))
        .map((t) => t.ip),
    );
  }

  /** registered := registered − deregister + register (deregistered targets drain for a while). */
  apply(p: Plan, drain: number): void {
    for (const ref of p.deregister) {
      const t = this.targets.get(`${ref.ip}:${ref.port}`);
      if (t !== undefined) Object.assign(t, { state: "draining", drainLeft: drain });
    }
    for (const ref of p.register) {
      this.targets.set(`${ref.ip}:${ref.port}`, {
        ip: ref.ip,
        port: ref.port,
        state: "initial",
        availabilityZone: ref.availabilityZone,
        drainLeft: 0,
      });
    }
  }

  /** Time passes between runs: initial targets turn healthy, drained ones disappear. */
  tick(): void {
    for (const [key, t] of this.targets) {
      if (t.state === "initial") t.state = "healthy";
      else if (t.state === "draining") {
        if (t.drainLeft === 0) this.targets.delete(key);
        else t.drainLeft -= 1;
      }
    }
  }
}

function observationFor(alb: Set<string>, step: Step): Observation {
  const all = [...alb];
  if (step.kind === "failed") return obs([], "failed");
  if (step.kind === "incomplete")
    return obs(
      all.filter((_, i) => step.keep[i % step.keep.length]),
      "incomplete",
    );
  return obs(all, "complete");
}

describe("plan: properties over random histories", () => {
  it(`holds rules (1)-(6) over ${RUNS} random histories of up to ${STEPS} runs`, () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        // Prepare
        const config: PlanConfig = {
          ...CONFIG,
          invocationsBeforeDeregistration: h.threshold,
          invocationsBeforeDeregistrationHealthy: h.threshold,
          maxDeregistrationsPerRun: 1000,
          sameVpc: h.sameVpc,
        };
        const world = new World();
        for (const i of h.preRegistered) world.add(POOL[i]!, PORT);
        for (const i of h.otherPort) world.add(POOL[i]!, OTHER_PORT);
        const otherPortBefore = JSON.stringify(world.snapshot().filter((t) => t.port !== PORT));
        const alb = new Set(h.initialAlb.map((i) => POOL[i]!));
        const decoys = new Set<string>();
        /** The model: owned IP → consecutive complete observations without it since it was last seen. */
        const model = new Map<string, number>();
        let previous: State | null = null;

        h.steps.forEach((step, n) => {
          for (const i of step.toggles) {
            const ip = POOL[i]!;
            if (alb.has(ip) && alb.size > 1) alb.delete(ip);
            else alb.add(ip);
          }
          if (n > 0 && step.decoy >= 0) {
            world.add(DECOYS[step.decoy]!, PORT);
            decoys.add(DECOYS[step.decoy]!);
          }
          const observation = observationFor(alb, step);
          const registered = world.snapshot();
          const activeBefore = world.activeOn(PORT);

          // Model: what the rules say must happen.
          const seen = new Set(observation.ips);
          const ownedActive = [...model.keys()].filter((ip) => activeBefore.has(ip));
          const disjoint = seen.size > 0 && ownedActive.length > 0 && !ownedActive.some((ip) => seen.has(ip));
          const counting = observation.complete && previous !== null && !disjoint;
          // Without state only what the observation saw is adopted (below, with every seen IP).
          const expectedDeregister: string[] = [];
          for (const [ip, misses] of model) {
            if (seen.has(ip) || !counting) continue;
            model.set(ip, misses + 1);
            if (misses + 1 === h.threshold) {
              model.delete(ip);
              if (activeBefore.has(ip)) expectedDeregister.push(ip);
            }
          }
          for (const ip of seen) model.set(ip, 0);

          // Act
          const p = plan(observation, registered, previous, config, NOW);
          world.apply(p, step.drain);

          // Assess
          // (1) every observed IP is registered (non-draining) on the port after the run
          const activeAfter = world.activeOn(PORT);
          for (const ip of observation.ips) expect(activeAfter.has(ip)).toBe(true);
          // (2) deregistered exactly after `threshold` consecutive complete observations without it
          expect(ipsOf(p.deregister).sort(byIp)).toEqual(expectedDeregister.sort(byIp));
          expect(missesOf(p.nextState)).toEqual(Object.fromEntries(model));
          // ownership: only IPs of the previous state are ever deregistered
          for (const ip of ipsOf(p.deregister)) expect(previous?.targets[ip]).toBeDefined();
          // (3) a failed or incomplete observation never deregisters
          if (!observation.complete) expect(p.deregister).toEqual([]);
          // (4) unowned targets and other ports are never touched
          for (const ref of [...p.register, ...p.deregister]) {
            expect(ref.port).toBe(PORT);
            expect(decoys.has(ref.ip)).toBe(false);
          }
          for (const ref of p.register) expect(ref.availabilityZone).toBe(h.sameVpc ? undefined : "all");
          for (const ref of p.deregister) {
            const target = registered.find(
              (t) => t.ip === ref.ip && t.port === PORT && t.state !== "draining",
            );
            expect(ref.availabilityZone).toBe(target?.availabilityZone);
          }
          for (const ip of decoys) expect(activeAfter.has(ip)).toBe(true);
          expect(JSON.stringify(world.snapshot().filter((t) => t.port !== PORT))).toBe(otherPortBefore);
          // (5) never every target
          if (activeBefore.size > 0 || p.register.length > 0) expect(activeAfter.size).toBeGreaterThan(0);

          // (6) the same observation again: nothing to register; nothing else unless a miss is counted
          const again = plan(observation, world.snapshot(), p.nextState, config, NOW);
          expect(again.register).toEqual([]);
          const missesPending =
            observation.complete && Object.keys(p.nextState.targets).some((ip) => !seen.has(ip));
          if (!missesPending) {
            expect(again.deregister).toEqual([]);
            expect(again.stateChanged).toBe(false);
            expect(again.nextState).toBe(p.nextState);
          } else {
            for (const ip of ipsOf(again.deregister)) expect(seen.has(ip)).toBe(false);
          }

          previous = p.nextState;
          world.tick();
        });
      }),
      { numRuns: RUNS },
    );
  });

  it(`never deregisters every target, never beyond the cap, never unowned (${RUNS} adversarial histories)`, () => {
    // Histories where the ALB set may vanish entirely (empty complete observations) and the cap is small.
    const adversarial = fc.record({
      albSets: fc.array(
        fc.record({
          ips: fc.uniqueArray(fc.constantFrom(...POOL.slice(0, 8)), { maxLength: 4 }),
          kind: fc.constantFrom<Kind>("complete", "complete", "incomplete", "failed"),
        }),
        { minLength: 1, maxLength: STEPS },
      ),
      preRegistered: fc.uniqueArray(fc.constantFrom(...POOL.slice(0, 8)), { maxLength: 6 }),
      threshold: fc.integer({ min: 1, max: 3 }),
      cap: fc.integer({ min: 0, max: 3 }),
      withState: fc.boolean(),
    });

    fc.assert(
      fc.property(adversarial, (h) => {
        // Prepare
        const config: PlanConfig = {
          ...CONFIG,
          invocationsBeforeDeregistration: h.threshold,
          maxDeregistrationsPerRun: h.cap,
        };
        const world = new World();
        for (const ip of h.preRegistered) world.add(ip, PORT);
        let previous: State | null = h.withState ? owned({}) : null;

        for (const step of h.albSets) {
          const observation = obs(step.kind === "failed" ? [] : step.ips, step.kind);
          const activeBefore = world.activeOn(PORT);

          // Act
          const p = plan(observation, world.snapshot(), previous, config, NOW);
          world.apply(p, 0);

          // Assess
          if (p.deregister.length > 0) expect(world.activeOn(PORT).size).toBeGreaterThan(0);
          expect(p.deregister.length).toBeLessThanOrEqual(h.cap);
          for (const ip of ipsOf(p.deregister)) {
            expect(previous?.targets[ip]).toBeDefined();
            expect(activeBefore.has(ip)).toBe(true);
            expect(observation.ips).not.toContain(ip);
          }
          if (!observation.complete) expect(p.deregister).toEqual([]);

          previous = p.nextState;
          world.tick();
        }
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Deregistration claims (an overlapping run must not deregister the same IPs twice)
// ---------------------------------------------------------------------------------------------

describe("deregistration claims written by another run", () => {
  const FRESH = new Date(NOW.getTime() - 30_000).toISOString();
  const STALE = new Date(NOW.getTime() - 5 * 60_000).toISOString();

  function claimed(since: string): State {
    const state = owned({ "10.0.0.1": 0, "10.0.0.2": 3 });
    state.targets["10.0.0.2"] = { ...state.targets["10.0.0.2"]!, deregisteringSince: since };
    return state;
  }

  it("leaves an IP claimed less than the claim TTL ago to the run that claimed it", () => {
    // Prepare
    const registered = [reg("10.0.0.1"), reg("10.0.0.2")];
    // Act
    const p = plan(obs(["10.0.0.1"]), registered, claimed(FRESH), CONFIG, NOW);
    // Assess
    expect(p.deregister).toEqual([]);
    expect(codesOf(p)).toContain("deregistration_in_progress");
    expect(p.nextState.targets["10.0.0.2"]?.deregisteringSince).toBe(FRESH);
  });

  it("takes over a stale claim left by a run that died and deregisters the IP", () => {
    const registered = [reg("10.0.0.1"), reg("10.0.0.2")];
    const p = plan(obs(["10.0.0.1"]), registered, claimed(STALE), CONFIG, NOW);
    expect(ipsOf(p.deregister)).toEqual(["10.0.0.2"]);
    expect(p.nextState.targets["10.0.0.2"]).toBeUndefined();
  });

  it("never acts on a stale claim when the observation is incomplete", () => {
    const registered = [reg("10.0.0.1"), reg("10.0.0.2")];
    const p = plan(obs(["10.0.0.1"], "incomplete"), registered, claimed(STALE), CONFIG, NOW);
    expect(p.deregister).toEqual([]);
  });

  it("clears the claim and resets misses when the claimed IP is back in DNS", () => {
    const registered = [reg("10.0.0.1"), reg("10.0.0.2")];
    const p = plan(obs(["10.0.0.1", "10.0.0.2"]), registered, claimed(FRESH), CONFIG, NOW);
    expect(p.stateChanged).toBe(true);
    expect(p.nextState.targets["10.0.0.2"]).toMatchObject({ misses: 0 });
    expect(p.nextState.targets["10.0.0.2"]?.deregisteringSince).toBeUndefined();
  });

  it("drops a claimed IP from state once the claiming run has deregistered it (it is draining)", () => {
    const registered = [reg("10.0.0.1"), reg("10.0.0.2", "draining")];
    const p = plan(obs(["10.0.0.1"]), registered, claimed(FRESH), CONFIG, NOW);
    expect(p.deregister).toEqual([]);
    expect(p.nextState.targets["10.0.0.2"]).toBeUndefined();
  });

  it("counts IPs claimed by another run as leaving when applying the never-empty rule", () => {
    const state = owned({ "10.0.0.1": 2, "10.0.0.2": 3 });
    state.targets["10.0.0.2"] = { ...state.targets["10.0.0.2"]!, deregisteringSince: FRESH };
    const registered = [reg("10.0.0.1"), reg("10.0.0.2")];
    const p = plan(obs([], "complete"), registered, state, CONFIG, NOW);
    expect(p.deregister).toEqual([]);
    expect(codesOf(p)).toContain("deregistration_would_empty");
  });
});
