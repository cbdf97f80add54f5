import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTokenBucket, QUERY_BURST, QUERY_RATE_PER_SECOND } from "../../lambda/discovery/rate.js";

/** Takes a token at every time of `times` (ascending) that the bucket allows; returns the times it allowed. */
function takeAll(bucket: ReturnType<typeof createTokenBucket>, times: readonly number[]): number[] {
  return times.filter((t) => bucket.take(t));
}

describe("createTokenBucket", () => {
  it("allows a burst of `burst` queries at once and not one more", () => {
    // Prepare
    const bucket = createTokenBucket(1_000, { burst: 5, ratePerSecond: 10 });

    // Act
    const taken = takeAll(bucket, Array(8).fill(1_000));

    // Assess
    expect(taken).toHaveLength(5);
    expect(bucket.delayMs(1_000)).toBe(100);
  });

  it("refills at `ratePerSecond` after the burst", () => {
    // Prepare: an empty bucket of 10 at 100/s.
    const bucket = createTokenBucket(0, { burst: 10, ratePerSecond: 100 });
    takeAll(bucket, Array(10).fill(0));

    // Act: one attempt every millisecond for a second.
    const taken = takeAll(
      bucket,
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );

    // Assess: 100 in that second, one every 10 ms.
    expect(taken).toHaveLength(100);
    expect(taken.slice(0, 3)).toEqual([10, 20, 30]);
  });

  it("never holds more than `burst` tokens, however long it was idle", () => {
    // Prepare
    const bucket = createTokenBucket(0, { burst: 3, ratePerSecond: 1000 });

    // Act: an hour idle, then many at once.
    const taken = takeAll(bucket, Array(10).fill(3_600_000));

    // Assess
    expect(taken).toHaveLength(3);
  });

  it("adds no tokens when the clock goes back", () => {
    // Prepare
    const bucket = createTokenBucket(10_000, { burst: 2, ratePerSecond: 1 });
    takeAll(bucket, [10_000, 10_000]);

    // Act / Assess
    expect(bucket.take(5_000)).toBe(false);
    expect(bucket.take(10_000)).toBe(false);
    expect(bucket.take(11_000)).toBe(true);
  });

  it("defaults to the documented burst and rate", () => {
    // Act
    const bucket = createTokenBucket(0);

    // Assess
    expect(bucket).toMatchObject({ burst: QUERY_BURST, ratePerSecond: QUERY_RATE_PER_SECOND });
    expect(takeAll(bucket, Array(QUERY_BURST + 1).fill(0))).toHaveLength(QUERY_BURST);
  });

  it("in any window of w ms allows at most burst + rate·w/1000 queries, and a full burst after idling (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 500 }),
        // Attempt times: increments of 0..50 ms (many attempts at the same instant).
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 400 }),
        (burst, rate, steps) => {
          // Prepare
          const bucket = createTokenBucket(0, { burst, ratePerSecond: rate });
          let t = 0;
          const times = steps.map((d) => (t += d));

          // Act
          const taken = takeAll(bucket, times);

          // Assess: every window [taken[i], taken[j]] holds j - i + 1 takes.
          for (let i = 0; i < taken.length; i++) {
            for (let j = i; j < taken.length; j++) {
              const window = taken[j]! - taken[i]!;
              expect(j - i + 1).toBeLessThanOrEqual(burst + (rate * window) / 1000 + 1e-9);
            }
          }
          // And after idling long enough to refill, a whole burst is available at once.
          const later = t + Math.ceil((burst * 1000) / rate) + 1;
          expect(takeAll(bucket, Array(burst + 1).fill(later))).toHaveLength(burst);
        },
      ),
    );
  });

  it.each([
    [{ burst: 0 }, /burst 0 must be an integer >= 1/],
    [{ burst: 1.5 }, /burst 1.5/],
    [{ ratePerSecond: 0 }, /ratePerSecond 0 must be a positive number/],
    [{ ratePerSecond: Number.NaN }, /ratePerSecond NaN/],
  ])("rejects %o", (options, message) => {
    // Act / Assess
    expect(() => createTokenBucket(0, options)).toThrow(message);
  });
});
