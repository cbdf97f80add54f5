/**
 * End to end, through the bundle: a run's reads of the target group and of the state, and its DNS discovery, go out
 * together. Judged from the world's request log with a large injected latency L: a request received at `at` is
 * answered no earlier than `at + L`, so "received before `at + L`" means "started while that call was still open".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../lambda/reconcile.js";
import { type FunctionContainer, startFunction } from "../../sim/lambda-runtime.js";
import { type RequestLogEntry, startWorld, type World } from "../../sim/world.js";

/** Injected latency of every AWS call and DNS answer: far longer than anything the function does in between. */
const L = 300;

let world: World;
let fn: FunctionContainer | undefined;

beforeAll(async () => {
  world = await startWorld({ albIpCount: 3, latency: { dns: L, aws: L } });
});
afterEach(async () => {
  await fn?.stop();
  fn = undefined;
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

async function run(container: FunctionContainer): Promise<RequestLogEntry[]> {
  const before = world.requestLog().length;
  const out = await container.invoke<RunSummary>({ source: "aws.events", "detail-type": "Scheduled Event" });
  expect(out.ok, JSON.stringify(out.error)).toBe(true);
  return world.requestLog().slice(before);
}

/** When the first request of `api` was received. */
function firstAt(log: readonly RequestLogEntry[], api: string): number {
  const entry = log.find((e) => e.api === api);
  if (entry === undefined) throw new Error(`no ${api} request in ${JSON.stringify(log.map((e) => e.api))}`);
  return entry.at;
}

describe("a run's reads and discovery go out together", () => {
  it("the first run of a container reads the targets and the state while DescribeTargetGroups is still open", async () => {
    // Prepare: a fresh container, so the target group's type is not known yet.
    fn = await startFunction({ env: { ...world.env(), LOG_LEVEL: "ERROR" } });

    // Act
    const log = await run(fn);

    // Assess: both reads were received before the type look-up could have been answered.
    const lookup = firstAt(log, "elbv2:DescribeTargetGroups");
    expect(firstAt(log, "elbv2:DescribeTargetHealth")).toBeLessThan(lookup + L);
    expect(firstAt(log, "s3:GetObject")).toBeLessThan(lookup + L);
  });

  it("a warm run sends its first DNS query and both reads before any of them is answered", async () => {
    // Prepare: a first run learns the type (cached for the container's life).
    fn = await startFunction({ env: { ...world.env(), LOG_LEVEL: "ERROR" } });
    await run(fn);

    // Act
    const log = await run(fn);

    // Assess: no DescribeTargetGroups any more, and the three started within one latency of each other.
    expect(log.some((e) => e.api === "elbv2:DescribeTargetGroups")).toBe(false);
    const starts = [
      firstAt(log, "dns"),
      firstAt(log, "elbv2:DescribeTargetHealth"),
      firstAt(log, "s3:GetObject"),
    ];
    expect(Math.max(...starts)).toBeLessThan(Math.min(...starts) + L);
  });
});
