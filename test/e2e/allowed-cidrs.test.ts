/**
 * End to end, ALLOWED_TARGET_CIDRS: the bundled handler against the local AWS world whose DNS server forges answers
 * with foreign IPs — a host inside the VPC but outside the ALB's subnets (ELBv2 accepts it as a target) and a host
 * of a peered private range (accepted with SAME_VPC=false). No foreign IP may ever be registered.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../lambda/reconcile.js";
import type { ForeignInjection } from "../../sim/dns-foreign.js";
import { type FunctionContainer, startFunction } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";
import { logRecords } from "../reliability/harness.js";

/** 12 IPs in two subnets: more than one answer holds (8), so discovery needs several answers. */
const ALB_IPS = Array.from({ length: 12 }, (_, i) => `10.0.${1 + (i % 2)}.${10 + i}`);
const RUNS_PER_MIX = 4;
const ALB_SUBNETS = "10.0.1.0/24,10.0.2.0/24";
const VPC_NEIGHBOURS = ["10.0.99.5", "10.0.99.6"];
const PEERED = ["172.31.7.7", "192.168.40.1"];
const FOREIGN = [...VPC_NEIGHBOURS, ...PEERED];

let world: World;
const containers: FunctionContainer[] = [];

async function container(extraEnv: Record<string, string> = {}): Promise<FunctionContainer> {
  const fn = await startFunction({
    env: { ...world.env(), LOG_LEVEL: "INFO", ALLOWED_TARGET_CIDRS: ALB_SUBNETS, ...extraEnv },
    timeoutMs: 50_000,
  });
  containers.push(fn);
  return fn;
}

async function invoke(fn: FunctionContainer): Promise<{ summary: RunSummary; logs: string[] }> {
  const out = await fn.invoke<RunSummary>({ source: "aws.events", "detail-type": "Scheduled Event" });
  if (!out.ok || !out.result)
    throw new Error(`invocation failed: ${JSON.stringify(out.error)}\n${out.logs.join("\n")}`);
  return { summary: out.result, logs: out.logs };
}

function registeredIps(): string[] {
  return (world.state().targetGroups[0]?.targets ?? [])
    .filter((t) => t.state !== "draining")
    .map((t) => t.ip)
    .sort();
}

beforeAll(async () => {
  world = await startWorld({ albIps: ALB_IPS, healthCheckDelayMs: 20, deregistrationDelayMs: 50, seed: 5 });
});
afterEach(async () => {
  await Promise.all(containers.splice(0).map((c) => c.stop()));
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

describe("ALLOWED_TARGET_CIDRS against forged DNS answers (bundled handler)", () => {
  it("without the allow-list a forged answer registers a VPC host outside the ALB's subnets (the threat)", async () => {
    // Prepare
    const fn = await container({ ALLOWED_TARGET_CIDRS: "" });
    world.injectForeign({ ips: VPC_NEIGHBOURS, mode: "mix" });

    // Act
    await invoke(fn);

    // Assess
    expect(registeredIps()).toEqual(expect.arrayContaining(VPC_NEIGHBOURS));
  });

  it.each<[string, ForeignInjection, Record<string, string>]>([
    ["every answer mixed, VPC neighbours", { ips: VPC_NEIGHBOURS, mode: "mix" }, {}],
    [
      "some answers mixed, peered range, SAME_VPC=false",
      { ips: PEERED, mode: "mix", probability: 0.4 },
      { SAME_VPC: "false" },
    ],
    [
      "some answers all foreign, both kinds, SAME_VPC=false",
      { ips: FOREIGN, mode: "replace", probability: 0.5 },
      { SAME_VPC: "false" },
    ],
  ])(
    "%s: registers the real ALB IPs it saw and no foreign IP, and reports the refused ones",
    async (_name, spec, env) => {
      // Prepare
      const fn = await container(env);
      world.injectForeign(spec);
      let refused = 0;

      // Act: a few runs under forged answers
      for (let run = 0; run < RUNS_PER_MIX; run += 1) {
        const { summary, logs } = await invoke(fn);

        // Assess: nothing foreign registered; every real IP the run saw is registered in the same run
        const registered = registeredIps();
        expect(registered.filter((ip) => !ALB_IPS.includes(ip))).toEqual([]);
        expect(
          summary.targetGroups[0]!.ips.every((ip) => ALB_IPS.includes(ip) && registered.includes(ip)),
        ).toBe(true);
        // Assess: the run says so — note, IPs, warn line, metric
        expect(summary.targetGroups[0]!.targetsOutsideAllowedCidrs.every((ip) => spec.ips.includes(ip))).toBe(
          true,
        );
        const metric = world
          .state()
          .metrics.filter((m) => m.metricName === "TargetsOutsideAllowedCidrs" && m.dimensions.length === 2)
          .at(-1);
        expect(metric?.value).toBe(summary.targetGroups[0]!.targetsOutsideAllowedCidrs.length);
        if (summary.targetGroups[0]!.targetsOutsideAllowedCidrs.length > 0) {
          refused += summary.targetGroups[0]!.targetsOutsideAllowedCidrs.length;
          expect(summary.targetGroups[0]!.notes).toContain("target_outside_allowed_cidrs");
          const warn = logRecords(logs).find((l) => l.code === "target_outside_allowed_cidrs");
          expect(warn?.level).toBe("WARN");
          expect(summary.targetGroups[0]!.deregistered).toEqual([]);
        }
      }
      world.injectForeign(null);
      await invoke(fn);

      // Assess: forged answers were seen and refused; once they stop, every ALB IP is registered
      expect(refused).toBeGreaterThan(0);
      expect(registeredIps()).toEqual([...ALB_IPS].sort());
    },
  );

  it("a run of only-foreign answers changes nothing and says so", async () => {
    // Prepare: synced, and a threshold of 1 miss so any counted miss would deregister at once
    const fn = await container({ INVOCATIONS_BEFORE_DEREGISTRATION: "1" });
    await invoke(fn);
    await invoke(fn);
    expect(registeredIps()).toEqual([...ALB_IPS].sort());
    world.injectForeign({ ips: FOREIGN, mode: "replace" });
    const before = world.state().requests;

    // Act
    const { summary } = await invoke(fn);

    // Assess
    const after = world.state().requests;
    const delta = (api: string) => (after[api] ?? 0) - (before[api] ?? 0);
    expect(summary.ok).toBe(true);
    expect(summary.targetGroups[0]!.registered).toEqual([]);
    expect(summary.targetGroups[0]!.deregistered).toEqual([]);
    expect(summary.targetGroups[0]!.stateWritten).toBe(false);
    expect(delta("elbv2:RegisterTargets")).toBe(0);
    expect(delta("elbv2:DeregisterTargets")).toBe(0);
    expect(delta("s3:PutObject")).toBe(0);
    expect(registeredIps()).toEqual([...ALB_IPS].sort());
    expect(summary.targetGroups[0]!.ips).toEqual([]);
    expect(summary.targetGroups[0]!.targetsOutsideAllowedCidrs.length).toBeGreaterThan(0);
    expect(summary.targetGroups[0]!.targetsOutsideAllowedCidrs.every((ip) => FOREIGN.includes(ip))).toBe(
      true,
    );
    expect(summary.targetGroups[0]!.notes).toContain("target_outside_allowed_cidrs");
    // No allowed IP the owned targets share: no miss is counted (the state is not even written).
    expect(summary.targetGroups[0]!.notes).toContain("observation_disjoint");
  });

  it("a stale allow-list (the ALB gained a subnet) does not freeze deregistration: the dead IP leaves at the default threshold", async () => {
    // Prepare: synced at the default INVOCATIONS_BEFORE_DEREGISTRATION; then the ALB gains an IP in a subnet the
    // list lacks (10.0.3.0/24) and loses one; the NLB's health check sees the lost one fail
    const fn = await container();
    await invoke(fn);
    expect(registeredIps()).toEqual([...ALB_IPS].sort());
    const gone = ALB_IPS[0]!;
    const outside = "10.0.3.50";
    world.setAlbIps([...ALB_IPS.slice(1), outside]);
    await new Promise((resolve) => setTimeout(resolve, 60));

    // Act: 10 runs
    const runs: Array<{ summary: RunSummary; logs: string[] }> = [];
    for (let run = 0; run < 10; run += 1) runs.push(await invoke(fn));

    // Assess: the dead IP is gone within the default threshold; the refused one never registered
    const left = runs.findIndex((r) => r.summary.targetGroups[0]!.deregistered.includes(gone));
    expect(
      left,
      runs.map((r) => JSON.stringify(r.summary.targetGroups[0]!.notes)).join("\n"),
    ).toBeGreaterThanOrEqual(0);
    expect(left).toBeLessThan(3);
    expect(registeredIps()).toEqual(ALB_IPS.slice(1).sort());
    // Assess: every run is loud about it — the warn line names the IP and what to do, the metric counts it
    for (const { summary, logs } of runs) {
      expect(summary.targetGroups[0]!.targetsOutsideAllowedCidrs).toEqual([outside]);
      const warn = logRecords(logs).find((l) => l.code === "target_outside_allowed_cidrs");
      expect(warn?.level).toBe("WARN");
      expect(warn?.ips).toEqual([outside]);
      expect(String(warn?.message)).toMatch(/re-apply the module|ALLOWED_TARGET_CIDRS/);
    }
    const metric = world
      .state()
      .metrics.filter((m) => m.metricName === "TargetsOutsideAllowedCidrs" && m.dimensions.length === 2)
      .slice(-10);
    expect(metric.map((m) => m.value)).toEqual(Array(10).fill(1));
  });

  it("warns at cold start when no allow-list is set, and not when the opt-out is explicit", async () => {
    const open = await container({ ALLOWED_TARGET_CIDRS: "" });
    const optedOut = await container({ ALLOWED_TARGET_CIDRS: "", ALLOW_ANY_TARGET_CIDR: "true" });
    const code = (logs: string[]) => logRecords(logs).some((l) => l.code === "target_cidrs_unrestricted");
    expect(code(open.initLogs)).toBe(true);
    expect(code(optedOut.initLogs)).toBe(false);
  });
});
