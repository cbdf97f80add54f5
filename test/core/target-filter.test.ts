import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Cidr, cidrContains, parseCidr } from "../../lambda/core/cidr.js";
import { plan } from "../../lambda/core/plan.js";
import { filterAllowed, OUTSIDE_ALLOWED_CIDRS } from "../../lambda/core/target-filter.js";
import type { Observation, State } from "../../lambda/types.js";

const cidrs = (...texts: string[]): Cidr[] =>
  texts.map((t) => {
    const parsed = parseCidr(t);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.cidr;
  });

const ALB_SUBNETS = cidrs("10.0.1.0/24", "10.0.2.0/24", "2001:db8:1::/64");

function observation(ips: string[], complete = true): Observation {
  return {
    ips,
    queries: 10,
    answers: 10,
    errors: { servfail: 0, nxdomain: 0, timeout: 0, refused: 0, empty: 0, other: 0 },
    complete,
    failed: false,
    missBound: 1e-7,
    notes: [],
    durationMs: 5,
  };
}

const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef";
const PLAN_CONFIG = {
  albDnsName: "internal-a-1.us-east-1.elb.amazonaws.com",
  targetGroupArn: TG,
  port: 443,
  invocationsBeforeDeregistration: 1,
  invocationsBeforeDeregistrationHealthy: 1,
  maxDeregistrationsPerRun: 10,
  sameVpc: true,
};

describe("filterAllowed", () => {
  it("passes the observation through unchanged without an allow-list", () => {
    // Prepare
    const seen = observation(["10.0.1.5", "192.168.7.7"]);

    // Act
    const out = filterAllowed(seen, undefined);

    // Assess
    expect(out.observation).toBe(seen);
    expect(out.refused).toEqual([]);
  });

  it("keeps a clean observation as it is, complete included", () => {
    const seen = observation(["10.0.1.5", "10.0.2.9"]);
    const out = filterAllowed(seen, ALB_SUBNETS);
    expect(out.observation).toBe(seen);
    expect(out.refused).toEqual([]);
  });

  it("refuses IPs outside every block (VPC neighbours, peered ranges) and marks the observation not complete", () => {
    // Prepare: two ALB IPs, one VPC host outside the ALB's subnets, one peered private host
    const seen = observation(["10.0.1.5", "10.0.2.9", "10.0.99.10", "172.31.4.4"]);

    // Act
    const out = filterAllowed(seen, ALB_SUBNETS);

    // Assess
    expect(out.observation.ips).toEqual(["10.0.1.5", "10.0.2.9"]);
    expect(out.refused).toEqual(["10.0.99.10", "172.31.4.4"]);
    expect(out.observation.complete).toBe(false);
    expect(out.observation.failed).toBe(false);
    expect(OUTSIDE_ALLOWED_CIDRS).toBe("target_outside_allowed_cidrs");
  });

  it("leaves strings that are not addresses to the plan, which ignores them", () => {
    const out = filterAllowed(observation(["10.0.1.5", "garbage"]), ALB_SUBNETS);
    expect(out.observation.ips).toEqual(["10.0.1.5", "garbage"]);
    expect(out.refused).toEqual([]);
  });

  it("never lets a refused IP into the plan's registrations, and a refusal never counts a miss", () => {
    const ipArb = fc.oneof(
      fc.ipV4(),
      fc.constantFrom("10.0.1.5", "10.0.1.6", "10.0.2.7", "10.0.99.10", "172.31.4.4", "192.168.0.1"),
      fc.ipV6(),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(ipArb, { maxLength: 20 }),
        fc.boolean(),
        fc.uniqueArray(fc.constantFrom("10.0.1.5", "10.0.1.6", "10.0.2.7", "10.0.2.8"), { minLength: 1 }),
        (ips, complete, owned) => {
          // Prepare
          const at = "2026-12-01T00:00:00.000Z";
          const previous: State = {
            version: 1,
            albDnsName: PLAN_CONFIG.albDnsName,
            targetGroupArn: TG,
            port: 443,
            targets: Object.fromEntries(owned.map((ip) => [ip, { firstSeen: at, lastSeen: at, misses: 0 }])),
          };
          const registered = owned.map((ip) => ({ ip, port: 443, state: "healthy" as const }));

          // Act
          const { observation: allowed, refused } = filterAllowed(observation(ips, complete), ALB_SUBNETS);
          const p = plan(allowed, registered, previous, PLAN_CONFIG, new Date(at));

          // Assess: every IP is either allowed or refused; nothing outside the list is registered
          expect([...allowed.ips, ...refused].sort()).toEqual([...ips].sort());
          for (const ip of refused) expect(ALB_SUBNETS.some((c) => cidrContains(c, ip))).toBe(false);
          for (const t of p.register) expect(ALB_SUBNETS.some((c) => cidrContains(c, t.ip))).toBe(true);
          // Assess: a run with refused IPs counts no miss and deregisters nothing
          if (refused.length > 0) {
            expect(p.deregister).toEqual([]);
            for (const record of Object.values(p.nextState.targets)) expect(record.misses).toBe(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("an observation of only foreign IPs changes nothing: no registration, no miss, no deregistration", () => {
    // Prepare
    const at = "2026-12-01T00:00:00.000Z";
    const previous: State = {
      version: 1,
      albDnsName: PLAN_CONFIG.albDnsName,
      targetGroupArn: TG,
      port: 443,
      targets: { "10.0.1.5": { firstSeen: at, lastSeen: at, misses: 0 } },
    };

    // Act
    const { observation: allowed, refused } = filterAllowed(
      observation(["10.0.99.10", "172.31.4.4"]),
      ALB_SUBNETS,
    );
    const p = plan(
      allowed,
      [{ ip: "10.0.1.5", port: 443, state: "healthy" }],
      previous,
      PLAN_CONFIG,
      new Date(at),
    );

    // Assess
    expect(refused).toEqual(["10.0.99.10", "172.31.4.4"]);
    expect(p.register).toEqual([]);
    expect(p.deregister).toEqual([]);
    expect(p.stateChanged).toBe(false);
  });
});

describe("filterAllowed with IPv6 targets", () => {
  it("keeps IPv6 targets inside an IPv6 block, in any text form, and refuses those outside every block", () => {
    // Prepare: one inside (written long-hand), one in another /64, one IPv4-mapped form of an allowed IPv4
    const seen = observation(["2001:0DB8:0001:0:0:0:0:5", "2001:db8:2::5", "::ffff:10.0.1.5", "10.0.1.5"]);

    // Act
    const out = filterAllowed(seen, ALB_SUBNETS);

    // Assess
    expect(out.observation.ips).toEqual(["2001:0DB8:0001:0:0:0:0:5", "10.0.1.5"]);
    expect(out.refused).toEqual(["2001:db8:2::5", "::ffff:10.0.1.5"]);
    expect(out.observation.complete).toBe(false);
  });

  it("refuses every IPv6 target when the list has IPv4 blocks only (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.ipV6(), { minLength: 1, maxLength: 8 }), (ips) => {
        const out = filterAllowed(observation(ips), cidrs("10.0.0.0/8", "0.0.0.0/1"));
        expect(out.observation.ips).toEqual([]);
        expect(out.refused).toEqual(ips);
      }),
    );
  });

  it("never lets the plan of an ipv6 target group register an IPv6 address outside the list (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.ipV6(), { maxLength: 8 }), (ips) => {
        const { observation: allowed } = filterAllowed(observation(ips), ALB_SUBNETS);
        const p = plan(allowed, [], null, { ...PLAN_CONFIG, family: "ipv6" }, new Date());
        for (const t of p.register) {
          expect(ALB_SUBNETS.some((c) => cidrContains(c, t.ip))).toBe(true);
        }
      }),
    );
  });
});
