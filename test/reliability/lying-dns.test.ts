/**
 * Findings of the reliability work, kept as regression tests once fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionContainer } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";
import { invokeWatched, startContainer } from "./harness.js";

let world: World;
let fn: FunctionContainer;

beforeAll(async () => {
  world = await startWorld({ albIpCount: 6, healthCheckDelayMs: 20, deregistrationDelayMs: 50, seed: 3 });
  // INVOCATIONS_BEFORE_DEREGISTRATION 1 (FAST_ENV); with the default 3 it takes three such runs in a row.
  fn = await startContainer(world);
});
afterAll(async () => {
  await fn.stop();
  await world.stop();
});

describe("fixed findings", () => {
  it("a complete DNS answer made only of other IPs (flapping/lying DNS) does not deregister the live ALB IPs", async () => {
    // Prepare: synced; then the name server answers every other query from a disjoint phantom set. Six IPs fit
    // in one answer, so the next run's single query sees only phantoms and is complete ("answer held < 8").
    expect((await invokeWatched(world, fn)).ok).toBe(true);
    world.setFaults({ dns: { mode: "flap" } });
    await invokeWatched(world, fn); // the real answer: nothing changes

    // Act: the phantom answer
    const run = await invokeWatched(world, fn);

    // Assess: before the fix every live IP was deregistered here. The core now counts no misses when a complete
    // observation shares no IP with the owned registered targets ("observation_disjoint").
    expect(run.liveDeregistered).toEqual([]);
    expect(run.liveLost).toEqual([]);
  });
});
