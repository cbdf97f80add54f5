import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../lambda/config/index.js";
import {
  actReserveMs,
  type CallLimits,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  LOCAL_WORK_MS,
  MIN_DISCOVERY_WINDOW_MS,
  minimumFunctionTimeoutSeconds,
  RETRY_BACKOFF_CAP_MS,
  runDeadlines,
  worstCaseCallMs,
} from "../lambda/timing.js";

const DEFAULTS: CallLimits = {
  maxAttempts: CONFIG_DEFAULTS.AWS_MAX_ATTEMPTS,
  requestTimeoutMs: CONFIG_DEFAULTS.AWS_REQUEST_TIMEOUT_MS,
};

/** Every valid client setting (lambda/config/load.ts ranges). */
const limitsArb = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 10 }),
  requestTimeoutMs: fc.integer({ min: 100, max: 60_000 }),
});

describe("worst-case call and reserves", () => {
  it.each([
    // attempts, request timeout, worst call, act reserve, minimum function timeout (s)
    [3, 5000, 19_000, 39_000, 41],
    [1, 100, 100, 1_200, 4],
    [3, 300, 4_900, 10_800, 13],
    [2, 1000, 4_000, 9_000, 11],
    [10, 60_000, 618_000, 1_237_000, 1_239],
  ])(
    "%i attempts of %i ms: a call takes up to %i ms, the act reserve is %i ms, the function needs %i s",
    (maxAttempts, requestTimeoutMs, call, reserve, seconds) => {
      // Act / Assess
      const limits = { maxAttempts, requestTimeoutMs };
      expect(worstCaseCallMs(limits)).toBe(call);
      expect(actReserveMs(limits)).toBe(reserve);
      expect(minimumFunctionTimeoutSeconds(limits)).toBe(seconds);
    },
  );

  it("a call's worst case is every attempt timing out, each retry after the longest backoff", () => {
    fc.assert(
      fc.property(limitsArb, (limits) => {
        expect(worstCaseCallMs(limits)).toBe(
          limits.maxAttempts * limits.requestTimeoutMs + (limits.maxAttempts - 1) * RETRY_BACKOFF_CAP_MS,
        );
      }),
    );
  });

  it("the defaults fit the module's default function timeout of 50 s", () => {
    // Act / Assess
    expect(minimumFunctionTimeoutSeconds(DEFAULTS)).toBeLessThanOrEqual(50);
  });
});

describe("runDeadlines", () => {
  it.each([
    // remaining, canAct, act deadline, discovery deadline (now = 1000)
    [50_000, true, 1_000 + 50_000 - 39_000, 1_000 + 50_000 - 39_000 - 500],
    [41_000, true, 1_000 + 2_000, 1_000 + 1_500],
    [40_999, false, 999, 1_000 + 40_999 / 2],
    [20_000, false, 999, 11_000],
    [0, false, 999, 1_000],
  ])(
    "with %i ms left and the defaults: canAct %s, act deadline %i, discovery deadline %i",
    (remaining, canAct, act, discovery) => {
      // Act
      const deadlines = runDeadlines(1_000, remaining, DEFAULTS);

      // Assess
      expect(deadlines).toEqual({
        canAct,
        actDeadline: act,
        discoveryDeadline: discovery,
        requiredMs: 41_000,
      });
    },
  );

  it("for any valid config and time left, the last change and its record end before the invocation does, or the run cannot act (property)", () => {
    fc.assert(
      fc.property(
        limitsArb,
        fc.integer({ min: 0, max: LAMBDA_MAX_TIMEOUT_SECONDS * 1000 }),
        fc.integer({ min: 0, max: 2 ** 42 }),
        (limits, remaining, now) => {
          // Act
          const d = runDeadlines(now, remaining, limits);

          // Assess
          const end = now + remaining;
          if (d.canAct) {
            // A change that starts at the act deadline, then the save of its record, then the local work.
            expect(
              d.actDeadline + worstCaseCallMs(limits) + worstCaseCallMs(limits) + LOCAL_WORK_MS,
            ).toBeLessThanOrEqual(end);
            expect(d.discoveryDeadline).toBeLessThan(d.actDeadline);
            expect(d.actDeadline - now).toBeGreaterThanOrEqual(MIN_DISCOVERY_WINDOW_MS);
          } else {
            // No change can start: the act deadline has passed already, and the time was indeed too short.
            expect(d.actDeadline).toBeLessThan(now);
            expect(remaining).toBeLessThan(d.requiredMs);
            expect(d.discoveryDeadline).toBeLessThanOrEqual(end);
          }
          expect(d.discoveryDeadline).toBeGreaterThanOrEqual(now);
        },
      ),
    );
  });

  it("a function whose timeout is the stated minimum can act at the start of a run (property)", () => {
    fc.assert(
      fc.property(limitsArb, (limits) => {
        // Act
        const d = runDeadlines(0, minimumFunctionTimeoutSeconds(limits) * 1000, limits);

        // Assess
        expect(d.canAct).toBe(true);
      }),
    );
  });
});
