import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanConfig } from "../../lambda/core/plan.js";
import { emptyState, parseState, STATE_VERSION, serializeState } from "../../lambda/core/state.js";
import type { State } from "../../lambda/types.js";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/static-ip/0123456789abcdef";
const OTHER_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other/fedcba9876543210";
const ALB = "internal-app-1234567890.us-east-1.elb.amazonaws.com";
const NOW = new Date("2026-03-01T12:00:00.000Z");
const T = "2026-03-01T11:00:00.000Z";
const EXPECT = { targetGroupArn: ARN, port: 443 };
const CONFIG: PlanConfig = {
  albDnsName: ALB,
  targetGroupArn: ARN,
  port: 443,
  invocationsBeforeDeregistration: 3,
  invocationsBeforeDeregistrationHealthy: 15,
  maxDeregistrationsPerRun: 10,
  sameVpc: true,
};

function validState(): State {
  return {
    version: 1,
    albDnsName: ALB,
    targetGroupArn: ARN,
    port: 443,
    targets: {
      "10.0.0.10": { firstSeen: T, lastSeen: T, misses: 2 },
      "10.0.0.9": { firstSeen: T, lastSeen: T, misses: 0 },
    },
  };
}

function text(value: unknown): string {
  return JSON.stringify(value);
}

describe("parseState", () => {
  it("accepts a valid version 1 state", () => {
    // Prepare
    const input = text(validState());

    // Act
    const result = parseState(input, EXPECT);

    // Assess
    expect(result).toEqual({ ok: true, state: validState() });
  });

  it("accepts timestamps with a UTC offset", () => {
    // Prepare
    const state = validState();
    state.targets["10.0.0.9"]!.firstSeen = "2026-03-01T13:00:00+02:00";

    // Act
    const result = parseState(text(state), EXPECT);

    // Assess
    expect(result.ok).toBe(true);
  });

  it.each([
    ["an empty text", "", "Unexpected end of JSON input"],
    ["truncated JSON", '{"version":1,"targets":{', "JSON"],
    ["plain text", "not json", "not valid JSON"],
  ])("reports %s as state_corrupt with the parser's message", (_name, input, fragment) => {
    // Act
    const result = parseState(input, EXPECT);

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("state_corrupt");
    expect(result.reason).toContain(fragment);
    expect(result.reason).toContain("adopted");
  });

  it.each<[string, (s: Record<string, unknown>) => unknown, string]>([
    ["a missing targets field", ({ targets: _t, ...rest }) => rest, "targets"],
    ["a port out of range", (s) => ({ ...s, port: 70000 }), "port"],
    ["a port that is a string", (s) => ({ ...s, port: "443" }), "port"],
    ["an empty targetGroupArn", (s) => ({ ...s, targetGroupArn: "" }), "targetGroupArn"],
    [
      "a negative miss counter",
      (s) => ({ ...s, targets: { "10.0.0.1": { firstSeen: T, lastSeen: T, misses: -1 } } }),
      'targets["10.0.0.1"].misses',
    ],
    [
      "a fractional miss counter",
      (s) => ({ ...s, targets: { "10.0.0.1": { firstSeen: T, lastSeen: T, misses: 1.5 } } }),
      'targets["10.0.0.1"].misses',
    ],
    [
      "a timestamp that is not ISO-8601",
      (s) => ({ ...s, targets: { "10.0.0.1": { firstSeen: "yesterday", lastSeen: T, misses: 0 } } }),
      'targets["10.0.0.1"].firstSeen',
    ],
    [
      "a target key that is not an IPv4 address",
      (s) => ({ ...s, targets: { "10.0.0.256": { firstSeen: T, lastSeen: T, misses: 0 } } }),
      'targets["10.0.0.256"]',
    ],
    [
      "a target key with a leading zero",
      (s) => ({ ...s, targets: { "10.0.0.01": { firstSeen: T, lastSeen: T, misses: 0 } } }),
      "canonical text",
    ],
    ["a JSON null", () => null, "(root)"],
    ["a JSON string", () => "10.0.0.1", "(root)"],
    ["a missing version", ({ version: _v, ...rest }) => rest, "version"],
  ])("reports %s as state_schema naming the path", (_name, mutate, fragment) => {
    // Prepare
    const input = text(mutate(validState() as unknown as Record<string, unknown>));

    // Act
    const result = parseState(input, EXPECT);

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("state_schema");
    expect(result.reason).toContain(fragment);
  });

  it.each([2, 7])("reports a newer version %j as state_newer: fail closed, never re-adopt", (version) => {
    // Prepare
    const input = text({ ...validState(), version });

    // Act
    const result = parseState(input, EXPECT);

    // Assess
    expect(result).toMatchObject({ ok: false, code: "state_newer" });
    if (result.ok) return;
    expect(result.reason).toContain(`version ${version}`);
    expect(result.reason).toContain("not overwritten");
    expect(result.reason).not.toContain("adopted");
  });

  it.each([0, "1", 1.5])(
    "reports version %j as state_schema that says which version and that it is re-adopted",
    (version) => {
      // Prepare
      const input = text({ ...validState(), version });

      // Act
      const result = parseState(input, EXPECT);

      // Assess
      expect(result).toMatchObject({ ok: false, code: "state_schema" });
      if (result.ok) return;
      expect(result.reason).toContain(`version ${JSON.stringify(version)}`);
      expect(result.reason).toContain(`reads version ${STATE_VERSION}`);
      expect(result.reason).toContain("adopted");
    },
  );

  it("migrates the original Lambda's JSON list of IPs (version 0): every IP owned with misses 0", () => {
    // Prepare
    const input = text(["10.0.0.10", "10.0.0.9", "10.0.0.10"]);

    // Act
    const result = parseState(input, { ...EXPECT, albDnsName: ALB }, NOW);

    // Assess
    expect(result).toEqual({
      ok: true,
      migratedFrom: 0,
      state: {
        version: 1,
        albDnsName: ALB,
        targetGroupArn: ARN,
        port: 443,
        targets: {
          "10.0.0.9": { firstSeen: NOW.toISOString(), lastSeen: NOW.toISOString(), misses: 0 },
          "10.0.0.10": { firstSeen: NOW.toISOString(), lastSeen: NOW.toISOString(), misses: 0 },
        },
      },
    });
    if (result.ok) expect(Object.keys(result.state.targets)).toEqual(["10.0.0.9", "10.0.0.10"]);
  });

  it("migrates an empty version 0 list to a state that owns nothing", () => {
    // Act
    const result = parseState("[]", EXPECT, NOW);

    // Assess
    expect(result).toMatchObject({ ok: true, migratedFrom: 0, state: { targets: {}, albDnsName: "" } });
  });

  it("rejects a version 0 list holding something other than IPv4 strings as state_schema", () => {
    // Act
    const result = parseState(text(["10.0.0.1", 42]), EXPECT, NOW);

    // Assess
    expect(result).toMatchObject({ ok: false, code: "state_schema" });
    if (!result.ok) expect(result.reason).toContain("[1]");
  });

  it.each([
    ["another target group", { targetGroupArn: OTHER_ARN, port: 443 }, [ARN, OTHER_ARN]],
    ["another port", { targetGroupArn: ARN, port: 80 }, ["port 443", "port 80"]],
  ])("reports a state of %s as state_foreign naming both values", (_name, expectIdentity, fragments) => {
    // Act
    const result = parseState(text(validState()), expectIdentity);

    // Assess
    expect(result).toMatchObject({ ok: false, code: "state_foreign" });
    if (result.ok) return;
    for (const fragment of fragments) expect(result.reason).toContain(fragment);
  });

  it("keeps a state written under another ALB name: ownership is keyed by target group and port", () => {
    // Act
    const renamed = parseState(text(validState()), { ...EXPECT, albDnsName: `dualstack.${ALB}` });
    const other = parseState(text(validState()), { ...EXPECT, albDnsName: "other.elb.amazonaws.com" });

    // Assess
    expect(renamed).toEqual({ ok: true, state: validState() });
    expect(other).toEqual({ ok: true, state: validState() });
  });
});

describe("emptyState", () => {
  it("owns nothing and carries the identity of the config", () => {
    // Act
    const state = emptyState(CONFIG);

    // Assess
    expect(state).toEqual({ version: 1, albDnsName: ALB, targetGroupArn: ARN, port: 443, targets: {} });
  });
});

describe("serializeState", () => {
  it("writes a stable key order, targets in numeric IPv4 order, and a trailing newline", () => {
    // Prepare
    const state: State = {
      targets: {
        "10.0.0.10": { misses: 1, lastSeen: T, firstSeen: T },
        "10.0.0.9": { lastSeen: T, misses: 0, firstSeen: T },
      },
      port: 443,
      targetGroupArn: ARN,
      albDnsName: ALB,
      version: 1,
    };

    // Act
    const out = serializeState(state);

    // Assess
    expect(out.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(out) as State;
    expect(Object.keys(parsed)).toEqual(["version", "albDnsName", "targetGroupArn", "port", "targets"]);
    expect(Object.keys(parsed.targets)).toEqual(["10.0.0.9", "10.0.0.10"]);
    expect(Object.keys(parsed.targets["10.0.0.10"]!)).toEqual(["firstSeen", "lastSeen", "misses"]);
  });

  it("round-trips through parseState and is byte-stable for any valid state (property)", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const ip = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
    const iso = fc
      .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) })
      .map((ms) => new Date(ms).toISOString());
    const record = fc.record({ firstSeen: iso, lastSeen: iso, misses: fc.nat(1000) });
    const state = fc.record({
      version: fc.constant(1 as const),
      albDnsName: fc.constant(ALB),
      targetGroupArn: fc.constant(ARN),
      port: fc.integer({ min: 1, max: 65535 }),
      targets: fc.dictionary(ip, record, { maxKeys: 40 }),
    });

    fc.assert(
      fc.property(state, (s) => {
        // Act
        const text1 = serializeState(s);
        const result = parseState(text1, { targetGroupArn: ARN, port: s.port });

        // Assess
        expect(result).toEqual({ ok: true, state: s });
        if (result.ok) expect(serializeState(result.state)).toBe(text1);
      }),
      { numRuns: 200 },
    );
  });
});

describe("deregistration claims in the stored state", () => {
  it("round-trips a record's deregisteringSince through serializeState and parseState", () => {
    const arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/static-ip/0123456789abcdef";
    const since = "2026-03-01T12:00:00.000Z";
    const state = {
      version: 1 as const,
      albDnsName: "internal-app-1.us-east-1.elb.amazonaws.com",
      targetGroupArn: arn,
      port: 443,
      targets: { "10.0.0.2": { firstSeen: since, lastSeen: since, misses: 3, deregisteringSince: since } },
    };
    const parsed = parseState(serializeState(state), { targetGroupArn: arn, port: 443 });
    expect(parsed.ok && parsed.state.targets["10.0.0.2"]?.deregisteringSince).toBe(since);
  });
});
