/**
 * Overlapping invocations on one target group (two containers): the schedule fires while a slow run is still
 * going, or someone invokes by hand. Reserved concurrency 1 is the first defence; the ETag-conditional state
 * writes are the second: exactly one run of a conflicting pair writes the state, the other re-reads and re-plans
 * (or exits cleanly), no update is lost and no IP is deregistered twice.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../lambda/reconcile.js";
import type { FunctionContainer } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";
import {
  activeTargets,
  albIps,
  churnAlb,
  converge,
  invokeWatched,
  logRecords,
  type Run,
  SCHEDULED_EVENT,
  sleep,
  startContainer,
  stateObject,
  storedState,
} from "./harness.js";

let world: World;
let a: FunctionContainer;
let b: FunctionContainer;
let stateKey: string;

beforeAll(async () => {
  world = await startWorld({ albIpCount: 6, healthCheckDelayMs: 20, deregistrationDelayMs: 50, seed: 5 });
  [a, b] = await Promise.all([startContainer(world), startContainer(world)]);
  const object = stateObject(world);
  stateKey = object.key;
  object.close();
});
afterEach(() => {
  world.reset();
});
afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
  await world.stop();
});

/** The summary line of a run, also when the invocation failed (then it is only in the logs). */
function summaryOf(run: Run): Partial<RunSummary> {
  if (run.summary) return run.summary;
  const line = logRecords(run.logs).find((l) => l.message === "alb-static-ip run failed");
  return (line ?? {}) as Partial<RunSummary>;
}

function ownedIps(): string[] {
  const stored = storedState(world, stateKey);
  if (!stored) return [];
  return Object.keys((JSON.parse(stored.body) as { targets: Record<string, unknown> }).targets).sort();
}

function requests(api: string): number {
  return world.state().requests[api] ?? 0;
}

/**
 * Starts `slow` with its first DescribeTargetHealth delayed, then `fast` once the world has received that slow
 * request (so the delay is never taken by `fast`, however loaded the machine), while `slow` is still reading.
 */
async function overlap(slow: FunctionContainer, fast: FunctionContainer): Promise<[Run, Run]> {
  const before = requests("elbv2:DescribeTargetHealth");
  world.setFaults({ "elbv2:DescribeTargetHealth": { latencyMs: 2_000, remaining: 1 } });
  const slowRun = invokeWatched(world, slow, SCHEDULED_EVENT);
  for (let waited = 0; requests("elbv2:DescribeTargetHealth") === before; waited += 5) {
    if (waited > 10_000) throw new Error("the slow run sent no DescribeTargetHealth within 10 s");
    await sleep(5);
  }
  const fastRun = await invokeWatched(world, fast, { dryRun: false });
  return [await slowRun, fastRun];
}

describe("two overlapping invocations on the same target group", () => {
  it("with IPs to deregister: one run deregisters and writes, the other re-plans and writes nothing", async () => {
    // Prepare: synced, then 2 ALB IPs gone and 2 new
    expect((await invokeWatched(world, a)).ok).toBe(true);
    const { removed, added } = churnAlb(world, 2);
    const deregistersBefore = requests("elbv2:DeregisterTargets");

    // Act
    const [slow, fast] = await overlap(a, b);

    // Assess: both succeed, no live IP lost
    expect(slow.ok, slow.logs.join("\n")).toBe(true);
    expect(fast.ok, fast.logs.join("\n")).toBe(true);
    expect([...slow.liveLost, ...fast.liveLost, ...slow.liveDeregistered, ...fast.liveDeregistered]).toEqual(
      [],
    );
    // Assess: the fast run did the work; the slow one lost its conditional write, re-planned and wrote nothing
    expect(fast.summary?.targetGroups[0]?.deregistered.sort()).toEqual(removed);
    expect(fast.summary?.targetGroups[0]?.registered.sort()).toEqual(added);
    expect(fast.summary?.targetGroups[0]?.stateWritten).toBe(true);
    expect(slow.summary?.targetGroups[0]?.replanned).toBe(true);
    expect(slow.summary?.targetGroups[0]?.deregistered).toEqual([]);
    expect(slow.summary?.targetGroups[0]?.stateWritten).toBe(false);
    // Assess: one DeregisterTargets call in all, and the stored state is the fast run's (no lost update)
    expect(requests("elbv2:DeregisterTargets") - deregistersBefore).toBe(1);
    expect(activeTargets(world)).toEqual(albIps(world));
    expect(ownedIps()).toEqual(albIps(world));
  });

  it("with IPs to register only: both may register (idempotent), exactly one writes the state", async () => {
    // Prepare: synced, then the ALB scales out by 3
    expect((await invokeWatched(world, a)).ok).toBe(true);
    world.scaleAlb(9);

    // Act
    const [slow, fast] = await overlap(a, b);

    // Assess
    expect(slow.ok && fast.ok).toBe(true);
    const writers = [slow, fast].filter((r) => r.summary?.targetGroups[0]?.stateWritten);
    expect(writers).toHaveLength(1);
    expect(slow.summary?.targetGroups[0]?.replanned).toBe(true);
    expect(requests("elbv2:DeregisterTargets")).toBe(0);
    expect(activeTargets(world)).toEqual(albIps(world));
    expect(ownedIps()).toEqual(albIps(world));
  });

  it("under a schedule that keeps firing during slow runs: no IP deregistered twice, no live IP lost", async () => {
    // Prepare: every AWS call is slow, so runs of the two containers overlap
    expect((await invokeWatched(world, a)).ok).toBe(true);
    world.setFaults({ latency: { aws: 40 } });
    const runs: Run[] = [];

    // Act: 8 rounds, the ALB churning between them, each round firing both containers 60 ms apart
    for (let round = 0; round < 8; round += 1) {
      if (round % 2 === 0) churnAlb(world, 1 + (round % 3));
      const first = invokeWatched(world, round % 2 === 0 ? a : b);
      await sleep(60);
      const second = invokeWatched(world, round % 2 === 0 ? b : a);
      runs.push(...(await Promise.all([first, second])));
    }
    world.setFaults({});
    const recovery = await converge(world, a);

    // Assess: every IP deregistered at most once over all runs, never a live one
    const deregistrations = new Map<string, number>();
    for (const run of runs) {
      for (const ip of summaryOf(run).targetGroups?.[0]?.deregistered ?? []) {
        deregistrations.set(ip, (deregistrations.get(ip) ?? 0) + 1);
      }
    }
    expect([...deregistrations].filter(([, n]) => n > 1)).toEqual([]);
    expect(runs.flatMap((r) => [...r.liveLost, ...r.liveDeregistered])).toEqual([]);
    expect(recovery.lost).toEqual([]);
    // Assess: conflicts were resolved by re-planning, not by failing or overwriting
    expect(runs.some((r) => summaryOf(r).targetGroups?.[0]?.replanned)).toBe(true);
    expect(recovery.converged).toBe(true);
    expect(ownedIps()).toEqual(albIps(world));
  });
});
