import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { azBalancedAnswer, azGroups, checkDnsBehaviour, createAnswerModel } from "../../sim/dns-answers.js";
import { seededRandom } from "../../sim/random.js";

const ips = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `10.0.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`);
const OPTS = { limit: 8, ttl: 60 };

describe("sim DNS answer models", () => {
  it("uniform answers are authoritative ≤ 8 subsets of the current IPs", () => {
    // Prepare
    const model = createAnswerModel({ model: "uniform" }, seededRandom(1), OPTS);
    const current = ips(20);

    // Act
    const answer = model.answer("alb", current, 0);

    // Assess
    expect(answer.authoritative).toBe(true);
    expect(answer.ttl).toBe(60);
    expect(answer.ips).toHaveLength(8);
    for (const ip of answer.ips) expect(current).toContain(ip);
  });

  it("a caching resolver repeats one answer until its TTL runs out, counts the TTL down and clears AA", () => {
    // Prepare
    const model = createAnswerModel({ model: "caching", ttlSeconds: 60 }, seededRandom(2), OPTS);
    const current = ips(20);

    // Act
    const first = model.answer("alb", current, 0);
    const later = model.answer("alb", current, 45_500);
    const expired = model.answer("alb", current, 60_000);

    // Assess
    expect(first).toMatchObject({ authoritative: false, ttl: 60 });
    expect(later.ips).toEqual(first.ips);
    expect(later.ttl).toBe(14);
    expect(expired.ttl).toBe(60);
  });

  it("a stale server never answers an IP outside its old list (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), (n, seed) => {
        const old = ips(n, 500);
        const model = createAnswerModel({ model: "stale", ips: old }, seededRandom(seed), OPTS);
        const answer = model.answer("alb", ips(30), 0);
        expect(answer.ips.length).toBe(Math.min(8, n));
        for (const ip of answer.ips) expect(old).toContain(ip);
      }),
    );
  });

  it("a partial server answers short with the given probability", () => {
    // Prepare
    const model = createAnswerModel({ model: "short", size: 3, probability: 1 }, seededRandom(3), OPTS);

    // Act / Assess
    expect(model.answer("alb", ips(20), 0).ips).toHaveLength(3);
  });

  it("AZ-balanced shares per group differ by at most one when every group is large enough (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 8, max: 40 }), { minLength: 1, maxLength: 4 }),
        fc.integer(),
        (sizes, seed) => {
          const current = ips(sizes.reduce((a, b) => a + b, 0));
          const groups = azGroups(current, sizes);
          const answer = azBalancedAnswer(groups, 8, seededRandom(seed));
          const shares = groups.map((g) => answer.filter((ip) => g.includes(ip)).length);
          expect(answer).toHaveLength(8);
          expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it("AZ-balanced gives a small group's leftover slots to the others", () => {
    // Act
    const answer = azBalancedAnswer(azGroups(ips(12), [1, 11]), 8, seededRandom(4));

    // Assess
    expect(answer).toHaveLength(8);
    expect(answer).toContain(ips(1)[0]);
  });

  it.each([
    [{ model: "short", size: 8 }, /size must be/],
    [{ model: "caching", ttlSeconds: 0 }, /ttlSeconds/],
    [{ model: "stale", ips: ["nope"] }, /not IP addresses/],
    [{ model: "azBalanced", groups: [] }, /groups/],
    [{ model: "lying" }, /model must be one of/],
  ])("rejects %j with a message naming the field", (input, message) => {
    // Act / Assess
    expect(() => checkDnsBehaviour(input)).toThrow(message);
  });
});
