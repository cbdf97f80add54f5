/**
 * The plan with exact observations (ENI mode): an owned IP whose interface is gone is deregistered after
 * INVOCATIONS_BEFORE_DEREGISTRATION successful lookups without the NLB's health check agreeing; a failed lookup
 * never counts a miss; the other safety rules (never empty, cap, ownership, claims) still hold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PlanConfig, plan } from "../../lambda/core/plan.js";
import type { Observation, RegisteredTarget, State } from "../../lambda/types.js";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/static-ip/0123456789abcdef";
const CONFIG: PlanConfig = {
  albDnsName: "internal-app-1234567890.us-east-1.elb.amazonaws.com",
  targetGroupArn: ARN,
  port: 443,
  invocationsBeforeDeregistration: 3,
  invocationsBeforeDeregistrationHealthy: 15,
  maxDeregistrationsPerRun: 10,
  sameVpc: true,
};
const NOW = new Date("2026-12-02T01:00:00.000Z");
const T = "2026-12-02T00:00:00.000Z";

function eni(ips: string[], failed = false): Observation {
  return {
    ips: failed ? [] : ips,
    queries: 1,
    answers: failed ? 0 : ips.length,
    errors: { servfail: 0, nxdomain: 0, timeout: 0, refused: 0, empty: 0, other: failed ? 1 : 0 },
    complete: !failed,
    failed,
    missBound: failed ? 1 : 0,
    notes: [],
    durationMs: 1,
    source: "eni",
    exact: !failed,
    ...(failed ? { failure: { code: "describe_network_interfaces_error", message: "Rate exceeded" } } : {}),
  };
}
const healthy = (ip: string): RegisteredTarget => ({ ip, port: 443, state: "healthy" });
function state(misses: Record<string, number>): State {
  return {
    version: 1,
    albDnsName: CONFIG.albDnsName,
    targetGroupArn: ARN,
    port: 443,
    targets: Object.fromEntries(
      Object.entries(misses).map(([ip, m]) => [ip, { firstSeen: T, lastSeen: T, misses: m }]),
    ),
  };
}

describe("plan with exact (ENI) observations", () => {
  it("deregisters a gone interface's IP at the threshold although the NLB reports it healthy", () => {
    const p = plan(
      eni(["10.0.1.1"]),
      [healthy("10.0.1.1"), healthy("10.0.1.2")],
      state({ "10.0.1.1": 0, "10.0.1.2": 2 }),
      CONFIG,
      NOW,
    );
    expect(p.deregister).toEqual([{ ip: "10.0.1.2", port: 443 }]);
    expect(p.notes.map((n) => n.code)).not.toContain("deregistration_unconfirmed");
  });

  it("keeps the health gate for the same case from DNS (the control row)", () => {
    const dns = { ...eni(["10.0.1.1"]), source: "dns" as const, exact: false, missBound: 1e-7 };
    const p = plan(
      dns,
      [healthy("10.0.1.1"), healthy("10.0.1.2")],
      state({ "10.0.1.1": 0, "10.0.1.2": 2 }),
      CONFIG,
      NOW,
    );
    expect(p.deregister).toEqual([]);
    expect(p.notes.map((n) => n.code)).toContain("deregistration_unconfirmed");
  });

  it("counts no miss and deregisters nothing on a failed lookup, whatever the state (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 250 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 20, maxLength: 20 }),
        (octets, misses) => {
          const ips = octets.map((o) => `10.0.0.${o}`);
          const previous = state(Object.fromEntries(ips.map((ip, i) => [ip, misses[i] ?? 0])));
          const p = plan(eni([], true), ips.map(healthy), previous, CONFIG, NOW);
          expect(p.deregister).toEqual([]);
          expect(p.register).toEqual([]);
          for (const ip of ips) expect(p.nextState.targets[ip]?.misses).toBe(previous.targets[ip]?.misses);
        },
      ),
    );
  });

  it("never deregisters every target, caps, and leaves unowned targets alone, with exact observations too", () => {
    const all = plan(
      eni([]),
      [healthy("10.0.1.1"), healthy("10.0.1.2")],
      state({ "10.0.1.1": 2, "10.0.1.2": 2 }),
      CONFIG,
      NOW,
    );
    expect(all.deregister).toEqual([]);
    expect(all.notes.map((n) => n.code)).toContain("deregistration_would_empty");
    const capped = plan(
      eni(["10.0.1.9"]),
      ["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.9"].map(healthy),
      state({ "10.0.1.1": 2, "10.0.1.2": 2, "10.0.1.3": 2, "10.0.1.9": 0 }),
      { ...CONFIG, maxDeregistrationsPerRun: 2 },
      NOW,
    );
    expect(capped.deregister).toHaveLength(2);
    const unowned = plan(
      eni(["10.0.1.1"]),
      [healthy("10.0.1.1"), healthy("10.0.7.7")],
      state({ "10.0.1.1": 0 }),
      CONFIG,
      NOW,
    );
    expect(unowned.deregister).toEqual([]);
    expect(unowned.notes.map((n) => n.code)).toContain("target_unowned");
  });
});
