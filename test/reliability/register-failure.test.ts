/**
 * A RegisterTargets that keeps failing (TooManyTargets, throttling) must not freeze the rest: at the default
 * INVOCATIONS_BEFORE_DEREGISTRATION the runs still count misses and deregister dead IPs, and the targets a
 * partly refused registration did register are recorded as owned. End to end through the bundle.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../lambda/config/index.js";
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
    // Prepare: a new ALB IP outside the target group's VPC (ELBv2 answers a ValidationError naming it)
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
    expect(run.error?.message).toMatch(/refused 192\.168\.77\.7 \(ValidationError\)/);
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

describe("ELBv2 refusing targets: the RegisterTargets calls of a run are bounded", () => {
  /** 100 ALB IPs in a peered VPC (172.20.0.0/16), none in the target group's VPC (10.0.0.0/16). */
  const PEERED = Array.from({ length: 100 }, (_, i) => `172.20.${1 + Math.floor(i / 50)}.${10 + (i % 50)}`);
  let peered: World;
  let peeredFn: FunctionContainer;
  beforeAll(async () => {
    peered = await startWorld({
      albIps: PEERED,
      healthCheckDelayMs: 20,
      deregistrationDelayMs: 50,
      seed: 22,
    });
    // SAME_VPC defaults to true: ELBv2 refuses every one of them (they need AvailabilityZone "all").
    peeredFn = await startContainer(peered, { AWS_MAX_ATTEMPTS: "1" });
  });
  afterAll(async () => {
    await peeredFn.stop();
    await peered.stop();
  });

  it("every target refused (SAME_VPC=true, the ALB in a peered VPC): at most 2 calls a run, and the error names the likely cause", async () => {
    // Prepare
    const calls = () => peered.state().requests["elbv2:RegisterTargets"] ?? 0;

    // Act: two runs
    const runs = [];
    const perRun: number[] = [];
    for (let i = 0; i < 2; i += 1) {
      const before = calls();
      runs.push(await invokeWatched(peered, peeredFn));
      perRun.push(calls() - before);
    }

    // Assess
    expect(perRun).toEqual([2, 2]);
    for (const run of runs) {
      expect(run.ok).toBe(false);
      expect(run.error?.code).toBe("register_targets_refused");
      expect(run.error?.message).toMatch(/SAME_VPC/);
      // All but the one tried alone (fewer when a loaded machine's discovery found fewer of the 100 IPs).
      expect(run.error?.message).toMatch(/\b\d+ target\(s\) were not tried/);
    }
    expect(activeTargets(peered)).toEqual([]);
  });

  it("many refused among many good: each run makes at most 1 + 16 calls and registers more of the good ones until all are in", async () => {
    // Prepare: 40 IPs in the VPC, 20 in the peered range, in one DNS set
    peered.reset();
    const good = Array.from({ length: 40 }, (_, i) => `10.0.${1 + (i % 4)}.${20 + i}`);
    peered.setAlbIps([...good, ...PEERED.slice(0, 20)]);
    const calls = () => peered.state().requests["elbv2:RegisterTargets"] ?? 0;

    // Act: runs until every good IP is registered (at most 8)
    const perRun: number[] = [];
    while (perRun.length < 8 && !good.every((ip) => activeTargets(peered).includes(ip))) {
      const before = calls();
      await invokeWatched(peered, peeredFn);
      perRun.push(calls() - before);
    }
    const before = calls();
    const after = await invokeWatched(peered, peeredFn);

    // Assess: bounded every run; the port now holds targets, so the refused rest is isolated within the bound
    expect(activeTargets(peered)).toEqual([...good].sort());
    for (const n of perRun) expect(n).toBeLessThanOrEqual(17);
    expect(calls() - before).toBeLessThanOrEqual(17);
    expect(after.error?.code).toBe("register_targets_error");
    expect(after.error?.message).toMatch(/not tried: the run spends at most 16 calls/);
  });
});
