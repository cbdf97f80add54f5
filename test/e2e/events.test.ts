/**
 * End to end, event-driven runs: the local world emits ELB's CloudTrail interface events, a stand-in EventBridge
 * rule (the module's own event pattern) delivers them to the bundled handler one at a time (reserved concurrency
 * 1), and the handler runs an ordinary reconcile at once — or ignores foreign and malformed events, or skips an
 * event that a recent run already covered.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { interfaceEventPattern } from "../../lambda/core/events.js";
import type { RunSummary } from "../../lambda/reconcile.js";
import { createEventRule, type EventRule } from "../../sim/eventbridge.js";
import { type FunctionContainer, type InvokeResult, startFunction } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";

let world: World;
const containers: FunctionContainer[] = [];
const unsubscribe: Array<() => void> = [];

type Outcome = RunSummary & { skipped?: string; reason?: string; trigger?: string };

async function container(extraEnv: Record<string, string> = {}): Promise<FunctionContainer> {
  const fn = await startFunction({
    env: {
      ...world.env(),
      LOG_LEVEL: "INFO",
      DISCOVERY_MODE: "eni",
      ALB_ARN: world.info.albArn,
      ...extraEnv,
    },
    timeoutMs: 50_000,
  });
  containers.push(fn);
  return fn;
}

function rule(
  fn: FunctionContainer,
  deliveryDelayMs = 200,
): EventRule & { outcomes: InvokeResult<Outcome>[] } {
  const outcomes: InvokeResult<Outcome>[] = [];
  const r = createEventRule({
    pattern: interfaceEventPattern(`ELB ${world.info.albArn.split(":loadbalancer/")[1]}`),
    deliveryDelayMs,
    invoke: async (event) => {
      const out = await fn.invoke<Outcome>(event);
      outcomes.push(out);
      return out;
    },
  });
  unsubscribe.push(world.onCloudTrailEvent((e) => r.put(e)));
  return Object.assign(r, { outcomes });
}

function targetIps(): string[] {
  return (world.state().targetGroups[0]?.targets ?? [])
    .filter((t) => t.state !== "draining")
    .map((t) => t.ip)
    .sort();
}

const logLines = (out: InvokeResult<unknown>) =>
  out.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  world = await startWorld({ albIpCount: 3, healthCheckDelayMs: 50, deregistrationDelayMs: 100 });
});
afterEach(async () => {
  for (const u of unsubscribe.splice(0)) u();
  await Promise.all(containers.splice(0).map((c) => c.stop()));
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

describe("interface events through the bundle", () => {
  it("registers a new ALB node's IP within seconds of its interface appearing, without a scheduled run", async () => {
    const fn = await container();
    await fn.invoke({ source: "aws.events", "detail-type": "Scheduled Event" });
    const events = rule(fn);
    const before = world.state().alb.ips;
    const started = Date.now();
    world.scaleAlb(4);
    await events.idle();
    const added = world.state().alb.ips.filter((ip) => !before.includes(ip));
    expect(targetIps()).toEqual([...world.state().alb.ips].sort());
    const run = events.outcomes.find((o) => o.result?.skipped === undefined);
    expect(run?.result).toMatchObject({ ok: true, trigger: "event", targetGroups: [{ registered: added }] });
    // The run waited for the change to settle (whole-second event times, EC2's eventual consistency), no more.
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it("ignores another load balancer's interface events and malformed aws.ec2 events with a warning, running nothing", async () => {
    const fn = await container();
    await fn.invoke({});
    const calls = world.state().requests["ec2:DescribeNetworkInterfaces"];
    const foreignCreate = await (async () => {
      let captured: unknown;
      const off = world.onCloudTrailEvent((e) => {
        captured = e;
      });
      world.emitForeignInterfaceEvent("CreateNetworkInterface");
      off();
      return captured as Record<string, unknown>;
    })();
    const outcomes = [
      await fn.invoke<Outcome>(foreignCreate),
      await fn.invoke<Outcome>({
        ...foreignCreate,
        detail: {
          ...(foreignCreate.detail as object),
          eventName: "DeleteNetworkInterface",
          requestParameters: { networkInterfaceId: "eni-0123456789abcdef0" },
        },
      }),
      await fn.invoke<Outcome>({
        source: "aws.ec2",
        "detail-type": "EC2 Instance State-change Notification",
        detail: {},
      }),
      await fn.invoke<Outcome>({
        source: "aws.ec2",
        "detail-type": "AWS API Call via CloudTrail",
        detail: "nope",
      }),
      await fn.invoke<Outcome>({
        ...foreignCreate,
        detail: { ...(foreignCreate.detail as object), sourceIPAddress: "203.0.113.7" },
      }),
    ];
    for (const out of outcomes) {
      expect(out.ok).toBe(true);
      expect(out.result?.skipped).toBe("event_ignored");
      expect(logLines(out).some((l) => l.level === "WARN" && l.code === "event_ignored")).toBe(true);
    }
    expect(world.state().requests["ec2:DescribeNetworkInterfaces"]).toBe(calls);
  });

  it("coalesces a flood of interface events into a few runs (reserved concurrency 1 + coverage by a recent run)", async () => {
    const fn = await container({ INVOCATIONS_BEFORE_DEREGISTRATION: "1" });
    await fn.invoke({});
    const events = rule(fn, 100);
    const lookupsBefore = world.state().requests["ec2:DescribeNetworkInterfaces"] ?? 0;
    // 40 nodes at once: 40 CreateNetworkInterface events.
    world.scaleAlb(43);
    await events.idle();
    const runs = events.outcomes.filter((o) => o.result?.skipped === undefined).length;
    const covered = events.outcomes.filter((o) => o.result?.skipped === "event_covered").length;
    expect(events.stats.invocations).toBe(40);
    expect(runs).toBeLessThanOrEqual(2);
    expect(covered).toBeGreaterThanOrEqual(38);
    expect((world.state().requests["ec2:DescribeNetworkInterfaces"] ?? 0) - lookupsBefore).toBe(runs);
    expect(targetIps()).toEqual([...world.state().alb.ips].sort());
  });

  it("a manual dry run does not cover a later-delivered scale-out event: the event's run registers the new IP", async () => {
    // Prepare: synced; the ALB gains a node, its event is held back
    const fn = await container();
    await fn.invoke({ source: "aws.events", "detail-type": "Scheduled Event" });
    const held: unknown[] = [];
    unsubscribe.push(world.onCloudTrailEvent((e) => held.push(e)));
    const before = world.state().alb.ips;
    world.scaleAlb(before.length + 1);
    const added = world.state().alb.ips.filter((ip) => !before.includes(ip));
    // A dry run that starts after the event has settled (4 s) sees the new IP but registers nothing.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    const dry = await fn.invoke<Outcome>({ dryRun: true });
    expect(dry.result).toMatchObject({ ok: true, dryRun: true });
    for (const ip of added) expect(targetIps()).not.toContain(ip);

    // Act: the event arrives
    expect(held).toHaveLength(1);
    const out = await fn.invoke<Outcome>(held[0]);

    // Assess
    expect(out.result?.skipped).toBeUndefined();
    expect(out.result).toMatchObject({ ok: true, trigger: "event", targetGroups: [{ registered: added }] });
    expect(targetIps()).toEqual([...world.state().alb.ips].sort());
  });

  it("in DNS mode ignores ELB's interface events at once (event_ignored, naming the fix): no wait, no discovery, no AWS call", async () => {
    // Prepare: a DNS-mode container (ALB_ARN set, as a module would) and this ALB's own Create and Delete events
    const fn = await container({ DISCOVERY_MODE: "dns" });
    const events: Array<Record<string, unknown>> = [];
    const off = world.onCloudTrailEvent((e) => events.push(e));
    world.scaleAlb(4);
    world.scaleAlb(3);
    off();
    expect(events.map((e) => (e.detail as { eventName: string }).eventName)).toEqual([
      "CreateNetworkInterface",
      "DeleteNetworkInterface",
    ]);
    const requestsBefore = world.state().requests;

    // Act
    const outcomes = [];
    for (const event of events) outcomes.push(await fn.invoke<Outcome>(event));

    // Assess: skipped with a warning that says what to do; nothing asked of DNS or AWS
    for (const out of outcomes) {
      expect(out.ok).toBe(true);
      expect(out.result).toMatchObject({ skipped: "event_ignored", trigger: "event" });
      expect(out.result?.reason).toMatch(/DISCOVERY_MODE=eni/);
      expect(out.result?.reason).toMatch(/event rule/);
      const warning = logLines(out).find((l) => l.level === "WARN" && l.code === "event_ignored");
      expect(warning?.reason).toBe(out.result?.reason);
    }
    expect(world.state().requests).toEqual(requestsBefore);
  });

  it("keeps scheduled and manual invocations working in eni mode", async () => {
    const fn = await container();
    const scheduled = await fn.invoke<Outcome>({ source: "aws.events", "detail-type": "Scheduled Event" });
    const manual = await fn.invoke<Outcome>({ dryRun: true });
    expect(scheduled.result).toMatchObject({ ok: true, dryRun: false });
    expect(manual.result).toMatchObject({ ok: true, dryRun: true });
  });
});
