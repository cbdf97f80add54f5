import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnswerRecord,
  createEvidence,
  repeatChance,
  wholeSetMissBound,
} from "../../lambda/discovery/evidence.js";
import { seededRandom } from "../../sim/random.js";

const LIMIT = 8;
const ip = (i: number) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ip(from + i));

function sample<T>(pool: readonly T[], count: number, random: () => number): T[] {
  const copy = [...pool];
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/** An answer spread over AZ groups as evenly as possible (the extra slots to random groups). */
function azAnswer(groups: readonly string[][], random: () => number): string[] {
  const share = groups.map(() => Math.floor(LIMIT / groups.length));
  const order = sample(
    groups.map((_, g) => g),
    groups.length,
    random,
  );
  for (let extra = LIMIT - share.reduce((a, b) => a + b, 0), i = 0; extra > 0; extra--, i++) {
    share[order[i]!]! += 1;
  }
  return groups.flatMap((group, g) => sample(group, share[g]!, random));
}

/** Feed answers until the verdict is done or `cap` answers; the IPs seen and the verdict. */
function runUntilDone(next: () => AnswerRecord, cap: number, servers = 1) {
  const evidence = createEvidence({ missProbability: 1e-6, answerLimit: LIMIT, servers });
  let answers = 0;
  while (answers < cap) {
    evidence.add(next());
    answers += 1;
    if (evidence.verdict().done) break;
  }
  return { seen: evidence.seen, verdict: evidence.verdict(), answers };
}

describe("wholeSetMissBound", () => {
  it("is 1 while nothing is known", () => {
    // Act / Assess
    expect(wholeSetMissBound([], 0)).toBe(1);
    expect(wholeSetMissBound([1, 1, 1, 1, 1, 1, 1, 1], 1)).toBeGreaterThan(1e-3);
  });

  it("bounds the miss chance of the whole set, not of one more IP: it grows with the set size", () => {
    // Act / Assess: the same per-IP frequency, more IPs → a larger bound.
    expect(wholeSetMissBound(Array(200).fill(20), 500)).toBeGreaterThan(
      wholeSetMissBound(Array(20).fill(200), 500),
    );
  });

  it("follows the rarest seen IP when answers are not uniform", () => {
    // Prepare: 40 IPs seen 60 times in 100 answers, one IP seen 5 times.
    const uniform = Array(41).fill(60);
    const skewed = [...Array(40).fill(60), 5];

    // Act / Assess
    expect(wholeSetMissBound(uniform, 100)).toBeLessThan(1e-6);
    expect(wholeSetMissBound(skewed, 100)).toBeGreaterThan(1e-6);
  });

  it("never rises when another answer brings no new IP and repeats the frequencies (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 9, max: 200 }), fc.integer({ min: 1, max: 400 }), (k, q) => {
        const per = (LIMIT * q) / k;
        const now = wholeSetMissBound(Array(k).fill(per), q);
        const later = wholeSetMissBound(Array(k).fill((LIMIT * (q + 1)) / k), q + 1);
        expect(later).toBeLessThanOrEqual(now + 1e-12);
      }),
    );
  });
});

describe("repeatChance", () => {
  it("calls one 8-set repeated thirty times out of 20 IPs a cache, and a pair of repeats chance", () => {
    // Act / Assess
    expect(repeatChance(20, 8, 30, 30)).toBeLessThan(1e-100);
    expect(repeatChance(9, 8, 20, 3)).toBe(1);
    expect(repeatChance(8, 8, 20, 20)).toBe(1);
  });
});

describe("createEvidence", () => {
  it("takes a short answer as the whole set only when a second answer agrees", () => {
    // Prepare
    const evidence = createEvidence({ missProbability: 1e-6, answerLimit: LIMIT, servers: 1 });

    // Act
    evidence.add({ server: 0, ips: range(5), authoritative: true });
    const afterOne = evidence.verdict();
    evidence.add({ server: 0, ips: range(5), authoritative: true });

    // Assess
    expect(afterOne).toMatchObject({ done: false, complete: false });
    expect(evidence.verdict()).toMatchObject({ done: true, complete: true });
  });

  it("needs the agreeing answer from another server when there is one", () => {
    // Prepare
    const evidence = createEvidence({ missProbability: 1e-6, answerLimit: LIMIT, servers: 2 });

    // Act
    evidence.add({ server: 0, ips: range(5), authoritative: true });
    evidence.add({ server: 0, ips: range(5), authoritative: true });
    const sameServer = evidence.verdict();
    evidence.add({ server: 1, ips: range(5), authoritative: true });

    // Assess
    expect(sameServer.complete).toBe(false);
    expect(evidence.verdict().complete).toBe(true);
  });

  it("still needs the other server when it only fails: a failing server must not let a liar decide alone", () => {
    // Prepare: server 1 never answers; server 0 repeats a short (lying) list
    const evidence = createEvidence({ missProbability: 1e-6, answerLimit: LIMIT, servers: 2 });

    // Act
    for (let i = 0; i < 10; i++) evidence.add({ server: 0, ips: range(3), authoritative: true });

    // Assess
    expect(evidence.verdict().complete).toBe(false);
  });

  it("a stale short answer contradicted by a full one makes the observation incomplete", () => {
    // Prepare: the first (stale) server answers 5 old IPs, the honest one 8 of 20.
    const random = seededRandom(7);
    const honest = range(20);
    const stale = range(5, 100);
    let turn = 0;

    // Act
    const { verdict, seen } = runUntilDone(
      () =>
        turn++ % 2 === 0
          ? { server: 0, ips: stale, authoritative: true }
          : { server: 1, ips: sample(honest, LIMIT, random), authoritative: true },
      1000,
      2,
    );

    // Assess
    expect(verdict.complete).toBe(false);
    expect(verdict.notes.map((n) => n.code)).toContain("dns_answers_contradict");
    expect(honest.every((x) => seen.has(x))).toBe(true);
  });

  it("an answer without the AA flag (a caching resolver) makes the observation incomplete", () => {
    // Prepare: a resolver that repeats one cached 8-subset of 20 IPs.
    const cached = range(8);

    // Act
    const { verdict, answers } = runUntilDone(() => ({ server: 0, ips: cached, authoritative: false }), 1000);

    // Assess
    expect(verdict).toMatchObject({ done: true, complete: false });
    expect(verdict.notes.map((n) => n.code)).toEqual(["dns_answer_not_authoritative"]);
    expect(answers).toBeLessThan(30);
  });

  it("one set repeated far beyond chance (a cache that sets AA) makes it incomplete", () => {
    // Prepare: an honest server and a cache that keeps answering the same 8 of 20.
    const random = seededRandom(3);
    const all = range(20);
    const cached = sample(all, LIMIT, random);
    let turn = 0;

    // Act
    const { verdict } = runUntilDone(
      () =>
        turn++ % 2 === 0
          ? { server: 0, ips: cached, authoritative: true }
          : { server: 1, ips: sample(all, LIMIT, random), authoritative: true },
      1000,
      2,
    );

    // Assess
    expect(verdict.complete).toBe(false);
    expect(verdict.notes.map((n) => n.code)).toContain("dns_answers_repeated");
  });

  it("random short answers of a partial server never make a run complete with IPs missing (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 9, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer(),
        (n, size, seed) => {
          // Prepare
          const random = seededRandom(seed);
          const all = range(n);
          let turn = 0;

          // Act
          const { verdict, seen } = runUntilDone(
            () =>
              turn++ % 3 === 0
                ? { server: 0, ips: sample(all, size, random), authoritative: true }
                : { server: 1, ips: sample(all, LIMIT, random), authoritative: true },
            2000,
            2,
          );

          // Assess
          if (verdict.complete) expect(seen.size).toBe(n);
        },
      ),
      { numRuns: 50 },
    );
  });

  it.each([[[10, 10]], [[6, 6, 36]], [[4, 4, 16]]])(
    "finds every IP of AZ-balanced answers over groups %j in 300 of 300 runs",
    (sizes) => {
      // Prepare
      let next = 0;
      const groups = sizes.map((size) => {
        const group = range(size, next);
        next += size;
        return group;
      });
      const random = seededRandom(sizes.length * 1000 + next);
      let wrong = 0;

      // Act
      for (let run = 0; run < 300; run++) {
        const { verdict, seen } = runUntilDone(
          () => ({ server: 0, ips: azAnswer(groups, random), authoritative: true }),
          1000,
        );
        if (!verdict.complete || seen.size !== next) wrong += 1;
      }

      // Assess
      expect(wrong).toBe(0);
    },
  );
});
