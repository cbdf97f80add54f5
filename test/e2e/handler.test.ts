/**
 * End to end: the bundled dist/lambda/index.mjs, imported in a fresh process (so config validation at cold start
 * is real), with the unmodified SDK clients pointed at the local AWS world through AWS_ENDPOINT_URL_*.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compareIPv4 } from "../../lambda/core/ip.js";
import type { RunSummary } from "../../lambda/reconcile.js";
import { type FunctionContainer, InitError, startFunction } from "../../sim/lambda-runtime.js";
import { RUNTIME_NODE_ENV, RUNTIME_NODE_MAJOR } from "../../sim/runtime-node.js";
import { startWorld, type World } from "../../sim/world.js";

let world: World;
const containers: FunctionContainer[] = [];

async function container(extraEnv: Record<string, string> = {}): Promise<FunctionContainer> {
  const fn = await startFunction({
    env: { ...world.env(), LOG_LEVEL: "INFO", ...extraEnv },
    timeoutMs: 50_000,
  });
  containers.push(fn);
  return fn;
}

async function invoke(fn: FunctionContainer): Promise<RunSummary> {
  const out = await fn.invoke<RunSummary>({ source: "aws.events", "detail-type": "Scheduled Event" });
  if (!out.ok || !out.result)
    throw new Error(`invocation failed: ${JSON.stringify(out.error)}\n${out.logs.join("\n")}`);
  return out.result;
}

function targetIps(): string[] {
  return (world.state().targetGroups[0]?.targets ?? [])
    .filter((t) => t.state !== "draining")
    .map((t) => t.ip)
    .sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  world = await startWorld({ albIpCount: 5, healthCheckDelayMs: 100, deregistrationDelayMs: 200 });
});
afterEach(async () => {
  await Promise.all(containers.splice(0).map((c) => c.stop()));
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

describe("bundled handler against the local AWS world", () => {
  it("registers every ALB IP on the first run and the targets become healthy", async () => {
    const fn = await container();
    const summary = await invoke(fn);
    const alb = [...world.state().alb.ips].sort();
    expect(summary.targetGroups[0]!.registered.sort()).toEqual(alb);
    expect(targetIps()).toEqual(alb);
    await sleep(250);
    expect(world.state().targetGroups[0]?.targets.every((t) => t.state === "healthy")).toBe(true);
  });

  it("runs on the Lambda runtime's Node major when it can be had, and says which Node ran it", async () => {
    const fn = await container();
    console.log(`bundled handler ran on Node ${fn.nodeVersion}`);
    if (process.env[RUNTIME_NODE_ENV])
      expect(fn.nodeVersion).toMatch(new RegExp(`^v${RUNTIME_NODE_MAJOR}\\.`));
    else expect(fn.nodeVersion).toBe(process.version);
    const summary = await invoke(fn);
    expect(summary.ok).toBe(true);
  });

  it("registers new IPs in the one run after a scale-out", async () => {
    const fn = await container();
    await invoke(fn);
    world.scaleAlb(28);
    const summary = await invoke(fn);
    expect(summary.targetGroups[0]!.discovery.complete).toBe(true);
    expect(summary.targetGroups[0]!.registered).toHaveLength(23);
    expect(targetIps()).toEqual([...world.state().alb.ips].sort());
  });

  it("deregisters removed IPs after exactly INVOCATIONS_BEFORE_DEREGISTRATION runs", async () => {
    const fn = await container({ INVOCATIONS_BEFORE_DEREGISTRATION: "3" });
    world.scaleAlb(10);
    await invoke(fn);
    world.scaleAlb(4);
    await new Promise((resolve) => setTimeout(resolve, 150)); // the NLB's health check sees them go
    const removedCount = 6;
    const first = await invoke(fn);
    const second = await invoke(fn);
    expect(first.targetGroups[0]!.deregistered).toEqual([]);
    expect(second.targetGroups[0]!.deregistered).toEqual([]);
    expect(targetIps()).toHaveLength(10);
    const third = await invoke(fn);
    expect(third.targetGroups[0]!.deregistered).toHaveLength(removedCount);
    expect(targetIps()).toEqual([...world.state().alb.ips].sort());
  });

  it("resolves a host name in DNS_SERVERS instead of failing every run", async () => {
    // Prepare: the same server, named instead of numbered
    const port = world.info.dns.split(":")[1];
    const fn = await container({ DNS_SERVERS: `localhost:${port}` });

    // Act
    const summary = await invoke(fn);

    // Assess
    expect(summary.ok).toBe(true);
    expect(summary.targetGroups[0]!.ips).toEqual([...world.state().alb.ips].sort(compareIPv4));
  });

  it("registers with AvailabilityZone all when SAME_VPC is false", async () => {
    const fn = await container({ SAME_VPC: "false" });
    await invoke(fn);
    const targets = world.state().targetGroups[0]?.targets ?? [];
    expect(targets.length).toBe(5);
    for (const t of targets) expect(t.availabilityZone).toBe("all");
  });

  it("makes two AWS calls, no S3 write and no ELBv2 write in a steady-state run, its metrics in its log lines", async () => {
    const fn = await container();
    await invoke(fn);
    const before = world.state().requests;
    const summary = await invoke(fn);
    const after = world.state().requests;
    const delta = (api: string) => (after[api] ?? 0) - (before[api] ?? 0);
    expect(summary.targetGroups[0]!.stateWritten).toBe(false);
    expect(delta("s3:PutObject")).toBe(0);
    expect(delta("elbv2:RegisterTargets")).toBe(0);
    expect(delta("elbv2:DeregisterTargets")).toBe(0);
    expect(delta("elbv2:DescribeTargetHealth")).toBe(1);
    expect(delta("s3:GetObject")).toBe(1);
    // Metrics are EMF lines on stdout: no CloudWatch call on the run's path
    const calls = Object.entries(after).filter(([api]) => api !== "dns");
    expect(calls.reduce((n, [api, count]) => n + count - (before[api] ?? 0), 0)).toBe(2);
    expect(delta("cloudwatch:PutMetricData")).toBe(0);
  });

  it("stores the state object and the metrics docs/operations.md describes", async () => {
    const fn = await container();
    await invoke(fn);
    const state = world.state();
    const objects = state.s3.buckets[world.info.bucket] ?? {};
    const key = "alb-static-ip/alb-static-ip-demo-0123456789abcdef/443.json";
    const body = JSON.parse(String(objects[key]?.body));
    expect(body).toMatchObject({
      version: 1,
      targetGroupArn: world.info.targetGroupArn,
      port: 443,
      albDnsName: world.info.albDnsName,
    });
    expect(Object.keys(body.targets).sort()).toEqual([...state.alb.ips].sort());
    // Every datapoint came from the function's EMF log lines (CloudWatch Logs' extraction), none from an API call
    expect(state.metrics.length).toBeGreaterThan(0);
    expect(state.metrics.every((m) => m.protocol === "emf")).toBe(true);
    const names = state.metrics.filter((m) => m.namespace === "ALBStaticIP").map((m) => m.metricName);
    expect(new Set(names)).toEqual(
      new Set([
        "LoadBalancerIPCount",
        "TargetsRegistered",
        "TargetsDeregistered",
        "DnsQueries",
        "DiscoveryComplete",
        "TargetsOutsideAllowedCidrs",
        "TargetsOnUnservedPorts",
      ]),
    );
    const ipCount = state.metrics.find(
      (m) =>
        m.metricName === "LoadBalancerIPCount" &&
        m.dimensions.length === 1 &&
        m.dimensions[0]?.name === "LoadBalancerName",
    );
    expect(ipCount?.value).toBe(5);
  });

  it("logs one summary line holding the full IP list and the actions", async () => {
    const fn = await container();
    const out = await fn.invoke<RunSummary>({});
    const lines = out.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.message === "alb-static-ip run");
    expect(lines).toHaveLength(1);
    const pairs = lines[0]?.targetGroups as Array<Record<string, unknown>>;
    expect(pairs).toHaveLength(1);
    expect(pairs[0]?.label).toBe(`443=targetgroup/alb-static-ip-demo/0123456789abcdef`);
    expect(pairs[0]?.ips).toEqual(out.result?.targetGroups[0]?.ips);
    expect(pairs[0]?.registered).toHaveLength(5);
  });

  it("registers the valid IPs and fails loudly naming the one ELBv2 refuses (ValidationError: not in the VPC)", async () => {
    const fn = await container();
    world.setAlbIps(["10.0.0.5", "10.0.0.6", "192.168.1.1"]);
    const out = await fn.invoke<RunSummary>({});
    expect(out.ok).toBe(false);
    expect(out.error?.message).toMatch(/refused 192\.168\.1\.1 \(ValidationError\)/);
    expect(targetIps()).toEqual(["10.0.0.5", "10.0.0.6"]);
  });

  it("writes nothing in DRY_RUN", async () => {
    const fn = await container({ DRY_RUN: "true" });
    const summary = await invoke(fn);
    expect(summary.dryRun).toBe(true);
    const state = world.state();
    expect(state.requests["elbv2:RegisterTargets"] ?? 0).toBe(0);
    expect(state.requests["s3:PutObject"] ?? 0).toBe(0);
    expect(state.targetGroups[0]?.targets).toEqual([]);
  });

  it("names in a dry run's summary what the run would register and deregister, and changes nothing", async () => {
    // Prepare: 10 IPs registered and owned, then 6 leave the ALB and miss two complete runs
    const fn = await container({ INVOCATIONS_BEFORE_DEREGISTRATION: "3" });
    world.scaleAlb(10);
    await invoke(fn);
    const before = world.state().alb.ips;
    world.scaleAlb(4);
    await sleep(150); // the NLB's health check sees them go
    await invoke(fn);
    await invoke(fn);
    world.setAlbIps([...world.state().alb.ips, "10.0.77.7"]);
    const removed = before.filter((ip) => !world.state().alb.ips.includes(ip));
    const requests = world.state().requests;
    const metricsBefore = world.state().metrics.length;

    // Act: the third run, as a manual dry run
    const out = await fn.invoke<RunSummary>({ dryRun: true });

    // Assess: the plan is named, nothing was written
    const pair = out.result?.targetGroups[0];
    expect(out.result?.dryRun).toBe(true);
    expect(pair?.registered).toEqual(["10.0.77.7"]);
    expect(pair?.deregistered.sort()).toEqual(removed.sort());
    const after = world.state().requests;
    for (const api of ["elbv2:RegisterTargets", "elbv2:DeregisterTargets", "s3:PutObject"]) {
      expect(after[api], api).toBe(requests[api]);
    }
    expect(world.state().metrics.length, "a dry run publishes no metric").toBe(metricsBefore);
  });

  it("fails the init with the ConfigError text and makes no AWS call when the config is bad", async () => {
    const attempt = container({ ALB_LISTENER: "70000", NLB_TG_ARN: "arn:aws:s3:::not-a-tg" });
    await expect(attempt).rejects.toBeInstanceOf(InitError);
    await expect(attempt).rejects.toThrow(/ALB_LISTENER[\s\S]*NLB_TG_ARN/);
    expect(Object.values(world.state().requests).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
