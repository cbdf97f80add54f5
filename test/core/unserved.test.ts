import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findUnserved, planUnservedCleanup } from "../../lambda/core/unserved.js";
import type { RegisteredTarget, State, TargetHealthState } from "../../lambda/types.js";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/static-ip/0123456789abcdef";
const NOW = new Date("2026-12-01T12:00:00.000Z");
const AT = "2026-12-01T11:00:00.000Z";
const OLD = 443;
const NEW = 8443;

function t(ip: string, port: number, state: TargetHealthState = "healthy"): RegisteredTarget {
  return { ip, port, state };
}

function stateOf(port: number, ips: string[], claims: Record<string, string> = {}): State {
  return {
    version: 1,
    albDnsName: "internal-a-1.us-east-1.elb.amazonaws.com",
    targetGroupArn: ARN,
    port,
    targets: Object.fromEntries(
      ips.map((ip) => [
        ip,
        claims[ip] === undefined
          ? { firstSeen: AT, lastSeen: AT, misses: 0 }
          : { firstSeen: AT, lastSeen: AT, misses: 0, deregisteringSince: claims[ip] },
      ]),
    ),
  };
}

describe("findUnserved", () => {
  it("groups the non-draining targets of ports the function does not serve, by port, in IP order", () => {
    const found = findUnserved(
      [
        t("10.0.1.10", NEW),
        t("10.0.2.9", OLD),
        t("10.0.1.10", OLD),
        t("10.0.3.3", OLD, "draining"),
        t("10.0.4.4", 80, "unhealthy"),
      ],
      [NEW],
    );
    expect(found.map((u) => [u.port, u.ips])).toEqual([
      [80, ["10.0.4.4"]],
      [OLD, ["10.0.1.10", "10.0.2.9"]],
    ]);
  });

  it("finds nothing when every port with targets is served", () => {
    expect(findUnserved([t("10.0.1.10", 80), t("10.0.1.10", 443)], [80, 443])).toEqual([]);
  });
});

describe("planUnservedCleanup", () => {
  const registered = [
    t("10.0.1.10", OLD),
    t("10.0.1.11", OLD),
    t("10.0.1.12", OLD, "unhealthy"),
    t("10.0.9.9", OLD),
    t("10.0.1.10", NEW),
    t("10.0.1.11", NEW, "initial"),
  ];
  const unserved = findUnserved(registered, [NEW])[0]!;

  it("deregisters owned targets whose IP is healthy on a served port, and dead ones; holds the rest; never the unowned", () => {
    // Act
    const c = planUnservedCleanup(
      unserved,
      stateOf(OLD, ["10.0.1.10", "10.0.1.11", "10.0.1.12"]),
      registered,
      [NEW],
      10,
      NOW,
    );

    // Assess
    expect(c.deregister).toEqual([
      { ip: "10.0.1.10", port: OLD },
      { ip: "10.0.1.12", port: OLD },
    ]);
    expect(c.held).toEqual([{ ip: "10.0.1.11", reason: "not_healthy_on_served_port" }]);
    expect(c.unowned).toEqual(["10.0.9.9"]);
    expect(c.claim?.targets["10.0.1.10"]?.deregisteringSince).toBe(NOW.toISOString());
    expect(Object.keys(c.after?.targets ?? {})).toEqual(["10.0.1.11"]);
  });

  it("caps at the limit, leaves another run's recent claim alone, and expires a claim from the future", () => {
    const claims = {
      "10.0.1.10": new Date(NOW.getTime() - 30_000).toISOString(),
      "10.0.1.12": "2999-01-01T00:00:00.000Z",
    };
    const c = planUnservedCleanup(
      unserved,
      stateOf(OLD, ["10.0.1.10", "10.0.1.12"], claims),
      registered,
      [NEW],
      1,
      NOW,
    );
    expect(c.deregister.map((r) => r.ip)).toEqual(["10.0.1.12"]);
    expect(c.held).toEqual([{ ip: "10.0.1.10", reason: "claimed_by_other_run" }]);
  });

  it("never leaves the target group without a target on a served port", () => {
    const onlyOld = [t("10.0.1.12", OLD, "unhealthy")];
    const c = planUnservedCleanup(
      findUnserved(onlyOld, [NEW])[0]!,
      stateOf(OLD, ["10.0.1.12"]),
      onlyOld,
      [NEW],
      10,
      NOW,
    );
    expect(c.deregister).toEqual([]);
    expect(c.held).toEqual([{ ip: "10.0.1.12", reason: "would_empty" }]);
  });

  it("without a state object owns nothing and deregisters nothing", () => {
    const c = planUnservedCleanup(unserved, null, registered, [NEW], 10, NOW);
    expect(c.deregister).toEqual([]);
    expect(c.unowned).toEqual(unserved.ips);
  });

  it("property: only owned targets, never a healthy one without a healthy twin on a served port, never beyond the limit", () => {
    const pool = ["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5"];
    const health = fc.constantFrom<TargetHealthState>(
      "healthy",
      "initial",
      "unhealthy",
      "unused",
      "draining",
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...pool), fc.constantFrom(OLD, NEW, 80), health), {
          maxLength: 15,
        }),
        fc.subarray(pool),
        fc.integer({ min: 0, max: 4 }),
        (entries, owned, limit) => {
          const seen = new Set<string>();
          const targets = entries
            .filter(([ip, port]) => !seen.has(`${ip}:${port}`) && seen.add(`${ip}:${port}`))
            .map(([ip, port, state]) => t(ip, port, state));
          for (const u of findUnserved(targets, [NEW])) {
            const c = planUnservedCleanup(u, stateOf(u.port, owned), targets, [NEW], limit, NOW);
            expect(c.deregister.length).toBeLessThanOrEqual(limit);
            for (const d of c.deregister) {
              expect(owned).toContain(d.ip);
              expect(d.port).toBe(u.port);
              const self = targets.find((x) => x.ip === d.ip && x.port === u.port)!;
              const twinHealthy = targets.some(
                (x) => x.ip === d.ip && x.port === NEW && x.state === "healthy",
              );
              expect(twinHealthy || ["unhealthy", "unused", "unavailable"].includes(self.state)).toBe(true);
            }
            if (c.deregister.length > 0)
              expect(targets.some((x) => x.port === NEW && x.state !== "draining")).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
