/**
 * End to end, through the bundle: a run acts only when the time left holds the last change and the record of it
 * (lambda/timing.ts); otherwise it changes nothing and says which function timeout to set.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../lambda/reconcile.js";
import { type FunctionContainer, startFunction } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";

const SCHEDULED = { source: "aws.events", "detail-type": "Scheduled Event" };

let world: World;
let fn: FunctionContainer | undefined;

beforeAll(async () => {
  world = await startWorld({ albIpCount: 3, healthCheckDelayMs: 50, deregistrationDelayMs: 50 });
});
afterEach(async () => {
  await fn?.stop();
  fn = undefined;
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

describe("the run's time limit", () => {
  it("with a 20 s function timeout and the default AWS settings, a run changes nothing and names the timeout to set", async () => {
    // Prepare: three ALB IPs to register; a call may take 19 s, so a change and its record up to 39 s.
    fn = await startFunction({ env: { ...world.env(), LOG_LEVEL: "INFO" }, timeoutMs: 20_000 });

    // Act
    const out = await fn.invoke<RunSummary>(SCHEDULED);

    // Assess: the run fails (the alarm sees it), nothing reached ELBv2's or S3's write APIs.
    expect(out.ok).toBe(false);
    expect(out.error?.message).toMatch(/out_of_time|Too little Lambda time left/);
    const warning = out.logs.find((line) => line.includes('"function_timeout_too_short"'));
    expect(warning).toMatch(/at least 41 s/);
    expect(world.state().requests["elbv2:RegisterTargets"]).toBe(0);
    expect(world.state().requests["s3:PutObject"]).toBe(0);
  });

  it("with the module's default timeout of 50 s the same run registers every IP", async () => {
    // Prepare
    fn = await startFunction({ env: { ...world.env(), LOG_LEVEL: "INFO" }, timeoutMs: 50_000 });

    // Act
    const out = await fn.invoke<RunSummary>(SCHEDULED);

    // Assess
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.result?.targetGroups[0]?.registered.sort()).toEqual([...world.state().alb.ips].sort());
    expect(out.result?.notes).not.toContain("function_timeout_too_short");
  });

  it("a run with nothing to change still succeeds on a short timeout, with the note in its summary", async () => {
    // Prepare: a first run with enough time registers everything.
    const long = await startFunction({ env: { ...world.env(), LOG_LEVEL: "INFO" }, timeoutMs: 50_000 });
    expect((await long.invoke<RunSummary>(SCHEDULED)).ok).toBe(true);
    await long.stop();
    fn = await startFunction({ env: { ...world.env(), LOG_LEVEL: "INFO" }, timeoutMs: 20_000 });

    // Act
    const out = await fn.invoke<RunSummary>(SCHEDULED);

    // Assess
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    expect(out.result?.notes).toContain("function_timeout_too_short");
  });
});
