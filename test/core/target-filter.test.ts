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

  it("refuses IPs outside every block (VPC neighbours, peered ranges), names them, and keeps the observation's verdict", () => {
    // Prepare: two ALB IPs, one VPC host outside the ALB's subnets, one peered private host
    const seen = observation(["10.0.1.5", "10.0.2.9", "10.0.99.10", "172.31.4.4"]);

    // Act
    const out = filterAllowed(seen, ALB_SUBNETS);

    // Assess
    expect(out.observation.ips).toEqual(["10.0.1.5", "10.0.2.9"]);
    expect(out.refused).toEqual(["10.0.99.10", "172.31.4.4"]);
    expect(out.observation.refused).toEqual(["10.0.99.10", "172.31.4.4"]);
    expect(out.observation.complete).toBe(true);
    expect(out.observation.failed).toBe(false);
    expect(OUTSIDE_ALLOWED_CIDRS).toBe("target_outside_allowed_cidrs");
  });

  it("leaves strings that are not addresses to the plan, which ignores them", () => {
    const out = filterAllowed(observation(["10.0.1.5", "garbage"]), ALB_SUBNETS);
    expect(out.observation.ips).toEqual(["10.0.1.5", "garbage"]);
    expect(out.refused).toEqual([]);
  });

  it("never lets a refused IP into the plan's registrations, never counts it as seen or missing, and never deregisters a healthy IP on such answers", () => {
    const ipArb = fc.oneof(
      fc.ipV4(),
      fc.constantFrom("10.0.1.5", "10.0.1.6", "10.0.2.7", "10.0.99.10", "172.31.4.4", "192.168.0.1"),
      fc.ipV6(),
    );
    const ownable = ["10.0.1.5", "10.0.1.6", "10.0.2.7", "10.0.2.8", "172.31.4.4"];
    fc.assert(
      fc.property(
        fc.uniqueArray(ipArb, { maxLength: 20 }),
        fc.boolean(),
        fc.uniqueArray(fc.constantFrom(...ownable), { minLength: 1 }),
        fc.array(fc.nat(4), { minLength: ownable.length, maxLength: ownable.length }),
        fc.array(fc.constantFrom("healthy" as const, "initial" as const, "unhealthy" as const), {
          minLength: ownable.length,
          maxLength: ownable.length,
        }),
        (ips, complete, owned, misses, health) => {
          // Prepare
          const at = "2026-12-01T00:00:00.000Z";
          const previous: State = {
            version: 1,
            albDnsName: PLAN_CONFIG.albDnsName,
            targetGroupArn: TG,
            port: 443,
            targets: Object.fromEntries(
              owned.map((ip) => [ip, { firstSeen: at, lastSeen: at, misses: misses[ownable.indexOf(ip)]! }]),
            ),
          };
          const stateOf = (ip: string) => health[ownable.indexOf(ip)]!;
          const registered = owned.map((ip) => ({ ip, port: 443, state: stateOf(ip) }));

          // Act
          const { observation: allowed, refused } = filterAllowed(observation(ips, complete), ALB_SUBNETS);
          const p = plan(
            allowed,
            registered,
            previous,
            { ...PLAN_CONFIG, invocationsBeforeDeregistration: 2 },
            new Date(at),
          );

          // Assess: every IP is either allowed or refused; nothing outside the list is registered
          expect([...allowed.ips, ...refused].sort()).toEqual([...ips].sort());
          for (const ip of refused) expect(ALB_SUBNETS.some((c) => cidrContains(c, ip))).toBe(false);
          for (const t of p.register) expect(ALB_SUBNETS.some((c) => cidrContains(c, t.ip))).toBe(true);
          if (refused.length === 0) return;
          // Assess: a refused owned IP keeps its record as it was; on such answers only NLB-unhealthy IPs leave
          for (const ip of refused) {
            if (previous.targets[ip]) expect(p.nextState.targets[ip]).toEqual(previous.targets[ip]);
          }
          for (const t of p.deregister) {
            expect(stateOf(t.ip)).toBe("unhealthy");
            expect(refused).not.toContain(t.ip);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a stale allow-list does not freeze the rules: a dead, NLB-unhealthy owned IP missing from the answers leaves at the threshold", () => {
    // Prepare: the ALB gained 10.0.3.50 (a subnet the list lacks) and lost 10.0.2.8, which the NLB reports unhealthy
    const at = "2026-12-01T00:00:00.000Z";
    const previous: State = {
      version: 1,
      albDnsName: PLAN_CONFIG.albDnsName,
      targetGroupArn: TG,
      port: 443,
      targets: {
        "10.0.1.5": { firstSeen: at, lastSeen: at, misses: 0 },
        "10.0.2.8": { firstSeen: at, lastSeen: at, misses: 0 },
      },
    };
    const registered = [
      { ip: "10.0.1.5", port: 443, state: "healthy" as const },
      { ip: "10.0.2.8", port: 443, state: "unhealthy" as const },
    ];
    const { observation: allowed } = filterAllowed(observation(["10.0.1.5", "10.0.3.50"]), ALB_SUBNETS);

    // Act
    const p = plan(allowed, registered, previous, PLAN_CONFIG, new Date(at));

    // Assess
    expect(p.deregister.map((t) => t.ip)).toEqual(["10.0.2.8"]);
    expect(p.register).toEqual([]);
    expect(Object.keys(p.nextState.targets)).toEqual(["10.0.1.5"]);
  });

  it("on such answers an IP the NLB reports healthy is held even past the healthy bound; on an exact ENI lookup the refusal changes nothing", () => {
    const at = "2026-12-01T00:00:00.000Z";
    const previous: State = {
      version: 1,
      albDnsName: PLAN_CONFIG.albDnsName,
      targetGroupArn: TG,
      port: 443,
      targets: {
        "10.0.1.5": { firstSeen: at, lastSeen: at, misses: 0 },
        "10.0.2.8": { firstSeen: at, lastSeen: at, misses: 99 },
      },
    };
    const registered = [
      { ip: "10.0.1.5", port: 443, state: "healthy" as const },
      { ip: "10.0.2.8", port: 443, state: "healthy" as const },
    ];
    const dns = filterAllowed(observation(["10.0.1.5", "10.0.3.50"]), ALB_SUBNETS).observation;
    const eni = filterAllowed(
      { ...observation(["10.0.1.5", "10.0.3.50"]), source: "eni", exact: true },
      ALB_SUBNETS,
    ).observation;
    const config = { ...PLAN_CONFIG, invocationsBeforeDeregistrationHealthy: 15 };

    const held = plan(dns, registered, previous, config, new Date(at));
    const exact = plan(eni, registered, previous, config, new Date(at));

    expect(held.deregister).toEqual([]);
    expect(held.notes.find((n) => n.code === "deregistration_unconfirmed")?.ips).toEqual(["10.0.2.8"]);
    expect(exact.deregister.map((t) => t.ip)).toEqual(["10.0.2.8"]);
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
    expect(out.observation.complete).toBe(true);
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
