/**
 * Family-aware IP handling (lambda/core/ip.ts) and the never-cross-family rule of the plan: an IPv6
 * target group never gets an IPv4 target, an IPv4 one never an IPv6 target, whatever is observed,
 * registered or stored.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalIp,
  compareIp,
  formatIp,
  type IpFamily,
  ipFamily,
  isCanonicalIp,
  parseIp,
  sortedUniqueIps,
} from "../../lambda/core/ip.js";
import { type PlanConfig, plan } from "../../lambda/core/plan.js";
import type { Observation, RegisteredTarget, State } from "../../lambda/types.js";

const ipv4Arb = fc.ipV4();
const ipv6Arb = fc.ipV6();
const anyIpArb = fc.oneof(ipv4Arb, ipv6Arb);

/** Another valid text of the same IPv6 address: upper case, leading zeros, no compression. */
function spelledOut(ip: string): string {
  const parsed = parseIp(ip)!;
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) =>
    Number((parsed.value >> s) & 0xffffn)
      .toString(16)
      .padStart(4, "0")
      .toUpperCase(),
  );
  return groups.join(":");
}

describe("canonical text", () => {
  it.each([
    ["2001:0db8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:DB8::1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["::ffff:10.0.0.1", "::ffff:a00:1"],
    ["10.0.0.1", "10.0.0.1"],
  ])("writes %s as %s", (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  it.each(["", "10.0.0.01", "2001:db8::1::2", "2001:db8::1%eth0", "[2001:db8::1]", "fe80::g"])(
    "is undefined for %j",
    (text) => {
      expect(canonicalIp(text)).toBeUndefined();
    },
  );

  it("makes every text of one IPv6 address one target (property)", () => {
    fc.assert(
      fc.property(ipv6Arb, (ip) => {
        const canonical = canonicalIp(ip)!;
        expect(canonicalIp(spelledOut(ip))).toBe(canonical);
        expect(isCanonicalIp(canonical, "ipv6")).toBe(true);
        expect(sortedUniqueIps([ip, spelledOut(ip), canonical])).toEqual([canonical]);
      }),
    );
  });

  it("round-trips parse and format, keeping the family (property)", () => {
    fc.assert(
      fc.property(anyIpArb, (ip) => {
        const parsed = parseIp(ip)!;
        expect(parsed).toBeDefined();
        expect(parseIp(formatIp(parsed))).toEqual(parsed);
        expect(ipFamily(ip)).toBe(ip.includes(":") ? "ipv6" : "ipv4");
      }),
    );
  });
});

describe("order", () => {
  it("puts IPv4 before IPv6, numeric within a family, non-addresses last", () => {
    const sorted = ["zz", "2001:db8::10", "10.0.0.10", "2001:db8::9", "10.0.0.9"].sort(compareIp);
    expect(sorted).toEqual(["10.0.0.9", "10.0.0.10", "2001:db8::9", "2001:db8::10", "zz"]);
  });

  it("is a total order consistent with the numeric value (property)", () => {
    fc.assert(
      fc.property(anyIpArb, anyIpArb, anyIpArb, (a, b, c) => {
        expect(Math.sign(compareIp(a, b))).toBe(-Math.sign(compareIp(b, a)) || 0);
        if (compareIp(a, b) <= 0 && compareIp(b, c) <= 0) expect(compareIp(a, c)).toBeLessThanOrEqual(0);
        const pa = parseIp(a)!;
        const pb = parseIp(b)!;
        if (pa.family === pb.family) {
          expect(Math.sign(compareIp(a, b))).toBe(pa.value < pb.value ? -1 : pa.value > pb.value ? 1 : 0);
        }
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The plan never crosses families
// ---------------------------------------------------------------------------------------------

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/static-ip/0123456789abcdef";
const PORT = 443;
const NOW = new Date("2026-03-01T12:00:00.000Z");
const EARLIER = "2026-03-01T11:00:00.000Z";

function config(family: IpFamily): PlanConfig {
  return {
    albDnsName: "internal-app-1.us-east-1.elb.amazonaws.com",
    targetGroupArn: ARN,
    port: PORT,
    family,
    invocationsBeforeDeregistration: 1,
    invocationsBeforeDeregistrationHealthy: 1,
    maxDeregistrationsPerRun: 100,
    sameVpc: true,
  };
}

function observation(ips: string[], complete: boolean): Observation {
  return {
    ips,
    queries: 10,
    answers: 10,
    errors: { servfail: 0, nxdomain: 0, timeout: 0, refused: 0, empty: 0, other: 0 },
    complete,
    failed: false,
    missBound: complete ? 1e-7 : 1,
    notes: [],
    durationMs: 1,
  };
}

describe("plan: never cross-family", () => {
  const scenario = fc.record({
    family: fc.constantFrom<IpFamily>("ipv4", "ipv6"),
    observed: fc.array(anyIpArb, { maxLength: 12 }),
    registered: fc.array(
      fc.record({ ip: anyIpArb, state: fc.constantFrom("healthy", "unhealthy", "draining", "initial") }),
      { maxLength: 8 },
    ),
    stored: fc.array(fc.record({ ip: anyIpArb, misses: fc.nat(5) }), { maxLength: 8 }),
    complete: fc.boolean(),
    hasState: fc.boolean(),
  });

  it("registers, deregisters and owns only addresses of the target group's family, in canonical text (property)", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        // Prepare: observed and registered addresses in any text form, of both families.
        const registered: RegisteredTarget[] = s.registered.map((r) => ({
          ip: r.ip.includes(":") ? spelledOut(r.ip) : r.ip,
          port: PORT,
          state: r.state as RegisteredTarget["state"],
        }));
        const previous: State | null = s.hasState
          ? {
              version: 1,
              albDnsName: "internal-app-1.us-east-1.elb.amazonaws.com",
              targetGroupArn: ARN,
              port: PORT,
              targets: Object.fromEntries(
                s.stored.map((t) => [t.ip, { firstSeen: EARLIER, lastSeen: EARLIER, misses: t.misses }]),
              ),
            }
          : null;
        const observed = s.observed.map((ip, i) => (i % 2 === 0 && ip.includes(":") ? spelledOut(ip) : ip));

        // Act
        const p = plan(observation(observed, s.complete), registered, previous, config(s.family), NOW);

        // Assess
        const touched = [...p.register, ...p.deregister].map((t) => t.ip);
        for (const ip of [...touched, ...Object.keys(p.nextState.targets)]) {
          expect(isCanonicalIp(ip, s.family), `${ip} in a ${s.family} target group`).toBe(true);
        }
        const wanted = sortedUniqueIps(observed).filter((ip) => ipFamily(ip) === s.family);
        const active = new Set(
          registered.filter((r) => !r.state.includes("draining")).map((r) => canonicalIp(r.ip)),
        );
        expect(p.register.map((t) => t.ip)).toEqual(wanted.filter((ip) => !active.has(ip)));
      }),
      { numRuns: 300 },
    );
  });

  it("registers a registered IPv6 target written another way not again", () => {
    // Prepare
    const registered: RegisteredTarget[] = [{ ip: "2001:0DB8:0:0:0:0:0:1", port: PORT, state: "healthy" }];

    // Act
    const p = plan(observation(["2001:db8::1"], true), registered, null, config("ipv6"), NOW);

    // Assess
    expect(p.register).toEqual([]);
    expect(Object.keys(p.nextState.targets)).toEqual(["2001:db8::1"]);
  });
});
