/**
 * A RegisterTargets that keeps failing (TooManyTargets, throttling) must not freeze the rest: at the default
 * INVOCATIONS_BEFORE_DEREGISTRATION the runs still count misses and deregister dead IPs, and the targets a
 * partly refused registration did register are recorded as owned. End to end through the bundle.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../lambda/config.js";
import type { FunctionContainer } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";
import {
  activeTargets,
  addAlbIps,
  invokeWatched,
  removeAlbIps,
  sleep,
  startContainer,
  stateObject,
} from "./harness.js";

let world: World;
let fn: FunctionContainer;

beforeAll(async () => {
  world = await startWorld({ albIpCount: 6, healthCheckDelayMs: 20, deregistrationDelayMs: 50, seed: 21 });
  fn = await startContainer(world, {
    INVOCATIONS_BEFORE_DEREGISTRATION: String(CONFIG_DEFAULTS.INVOCATIONS_BEFORE_DEREGISTRATION),
    AWS_MAX_ATTEMPTS: "1",
  });
});

afterAll(async () => {
  await fn.stop();
  await world.stop();
});

describe("a persistent RegisterTargets failure at the default threshold", () => {
  it.each(["TooManyTargets", "Throttling"])(
    "%s on every run: the dead IPs are still deregistered after the threshold, each run fails loudly",
    async (error) => {
      // Prepare: synced, then 2 IPs gone (the NLB sees them unhealthy) and 2 new ones that cannot be registered
      world.reset();
      expect((await invokeWatched(world, fn)).ok).toBe(true);
      const { removed } = removeAlbIps(world, 2);
      const { added } = addAlbIps(world, 2);
      world.setFaults({ "elbv2:RegisterTargets": { error } });
      await sleep(60);

      // Act
      const runs = [];
      for (let i = 0; i < CONFIG_DEFAULTS.INVOCATIONS_BEFORE_DEREGISTRATION; i++)
        runs.push(await invokeWatched(world, fn));
      world.setFaults({});

      // Assess
      expect(runs.every((r) => !r.ok && r.error?.code === "register_targets_error")).toBe(true);
      expect(runs.flatMap((r) => [...r.liveLost, ...r.liveDeregistered])).toEqual([]);
      const active = activeTargets(world);
      for (const ip of removed) expect(active).not.toContain(ip);
      for (const ip of added) expect(active).not.toContain(ip);
      expect(runs.at(-1)?.summary?.targetGroups[0]?.deregistered ?? []).toEqual([]); // summary is not returned on failure
      const logged = runs.at(-1)?.logs.join("\n") ?? "";
      for (const ip of removed) expect(logged).toContain(ip);
    },
  );

  it("records the targets a partly refused registration did register as owned, and not the refused one", async () => {
    // Prepare: a new ALB IP outside the target group's VPC (ELBv2 answers InvalidTarget for it)
    world.reset();
    expect((await invokeWatched(world, fn)).ok).toBe(true);
    const { added } = addAlbIps(world, 3);
    const outside = "192.168.77.7";
    world.setAlbIps([...world.state().alb.ips, outside]);
    const state = stateObject(world);
    const callsBefore = world.state().requests["elbv2:RegisterTargets"] ?? 0;

    // Act
    const run = await invokeWatched(world, fn);

    // Assess
    expect(run.ok).toBe(false);
    expect(run.error?.message).toMatch(/refused 192\.168\.77\.7 \(InvalidTarget\)/);
    for (const ip of added) expect(activeTargets(world)).toContain(ip);
    const owned = Object.keys(
      (JSON.parse((await state.read())?.body ?? "{}") as { targets: object }).targets,
    );
    for (const ip of added) expect(owned).toContain(ip);
    expect(owned).not.toContain(outside);
    // Bisection: 4 new targets with one bad one take 1 + 2 + 2 calls, not 1 + 4.
    expect((world.state().requests["elbv2:RegisterTargets"] ?? 0) - callsBefore).toBeLessThanOrEqual(5);
    state.close();
  });
});
