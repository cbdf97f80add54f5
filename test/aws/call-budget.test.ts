/**
 * Every state and target group call ends within its budget (lambda/timing.ts counts on it), whatever the SDK's
 * retries and sleeps would do: the adapters abort it there and start no further attempt.
 */
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CallBudgetExceeded, withinBudget } from "../../lambda/aws/clients.js";
import { createTargetGroupAdapter } from "../../lambda/aws/elbv2.js";
import { createStateStore } from "../../lambda/aws/state-store.js";
import { STATE_VERSION } from "../../lambda/core/state.js";
import type { State } from "../../lambda/types.js";
import { startWorld, type World } from "../../sim/world.js";

describe("withinBudget", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("rejects with CallBudgetExceeded at the budget and aborts the call's signal", async () => {
    // Prepare: a call that never settles by itself.
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const pending = withinBudget(1_000, (abortSignal) => {
      signal = abortSignal;
      return new Promise<never>(() => {});
    });
    const outcome = pending.catch((error: unknown) => error);

    // Act
    await vi.advanceTimersByTimeAsync(999);
    const abortedEarly = signal?.aborted;
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(abortedEarly).toBe(false);
    expect(signal?.aborted).toBe(true);
    const error = await outcome;
    expect(error).toBeInstanceOf(CallBudgetExceeded);
    expect((error as Error).name).toBe("CallBudgetExceeded");
    expect((error as Error).message).toMatch(/1000 ms.*AWS_MAX_ATTEMPTS × AWS_REQUEST_TIMEOUT_MS/);
  });

  it("returns the call's answer, or its own error, within the budget and leaves no timer behind", async () => {
    // Prepare
    vi.useFakeTimers();

    // Act
    const answer = await withinBudget(1_000, async () => 42);
    const failure = await withinBudget(1_000, async () => {
      throw new Error("Throttling");
    }).catch((error: unknown) => error);

    // Assess
    expect(answer).toBe(42);
    expect((failure as Error).message).toBe("Throttling");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes no signal and sets no timer without a budget", async () => {
    // Prepare
    vi.useFakeTimers();
    let signal: AbortSignal | undefined = new AbortController().signal;

    // Act
    await withinBudget(undefined, async (abortSignal) => {
      signal = abortSignal;
    });

    // Assess
    expect(signal).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("the adapters hold each call to its budget against a hung world", () => {
  let world: World;
  let s3: S3Client;
  let elbv2: ElasticLoadBalancingV2Client;

  beforeAll(async () => {
    world = await startWorld({ albIpCount: 3 });
    // The SDK's own limits are far beyond the budget: 3 attempts of 30 s each.
    const common = {
      region: world.info.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 3,
      requestHandler: { requestTimeout: 30_000, throwOnRequestTimeout: true },
    };
    s3 = new S3Client({
      ...common,
      endpoint: world.info.endpoints.s3,
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    elbv2 = new ElasticLoadBalancingV2Client({ ...common, endpoint: world.info.endpoints.elbv2 });
    // Warm both clients (credentials, connections, lazily loaded middleware), so the hung request reaches the world
    // well inside its budget even on a loaded machine.
    await s3.send(new HeadBucketCommand({ Bucket: world.info.bucket }));
    await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: world.info.targetGroupArn }));
  });
  afterEach(() => {
    world.reset();
  });
  afterAll(async () => {
    s3.destroy();
    elbv2.destroy();
    await world.stop();
  });

  /** Long beside a warm request's few ms, short beside the SDK's 3 × 30 s of its own. */
  const BUDGET_MS = 1_000;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  it("a hung PutObject fails the save with the budget's error, and no further attempt reaches S3", async () => {
    // Prepare
    world.setFaults({ "s3:PutObject": { hang: true } });
    const store = createStateStore(s3, {
      bucket: world.info.bucket,
      key: "budget/443.json",
      expect: { targetGroupArn: world.info.targetGroupArn, port: 443, albDnsName: world.info.albDnsName },
      callBudgetMs: BUDGET_MS,
    });
    const state: State = {
      version: STATE_VERSION,
      albDnsName: world.info.albDnsName,
      targetGroupArn: world.info.targetGroupArn,
      port: 443,
      targets: {},
    };

    // Act
    const error = await store.save(state, undefined).catch((e: unknown) => e);
    await settle();

    // Assess
    expect(error).toMatchObject({ code: "state_write_error" });
    expect((error as Error).message).toMatch(/CallBudgetExceeded/);
    expect(world.state().requests["s3:PutObject"]).toBe(1);
  });

  it("a hung RegisterTargets fails with the budget's error, and no further attempt reaches ELBv2", async () => {
    // Prepare
    world.setFaults({ "elbv2:RegisterTargets": { hang: true } });
    const targets = createTargetGroupAdapter(elbv2, world.info.targetGroupArn, { callBudgetMs: BUDGET_MS });

    // Act
    const error = await targets
      .register([{ ip: world.state().alb.ips[0]!, port: 443 }])
      .catch((e: unknown) => e);
    await settle();

    // Assess
    expect(error).toMatchObject({ code: "register_targets_error", registered: [] });
    expect((error as Error).message).toMatch(/CallBudgetExceeded/);
    expect(world.state().requests["elbv2:RegisterTargets"]).toBe(1);
  });

  it("a hung GetObject fails the state read with the budget's error", async () => {
    // Prepare
    world.setFaults({ "s3:GetObject": { hang: true } });
    const store = createStateStore(s3, {
      bucket: world.info.bucket,
      key: "budget/443.json",
      expect: { targetGroupArn: world.info.targetGroupArn, port: 443, albDnsName: world.info.albDnsName },
      callBudgetMs: BUDGET_MS,
    });

    // Act
    const error = await store.load().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: "state_read_error" });
    expect((error as Error).message).toMatch(/CallBudgetExceeded/);
  });
});
