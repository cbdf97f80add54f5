/**
 * End to end through the bundle: one function for several listeners and both IP families (TARGET_GROUPS),
 * against a local world with a dualstack ALB and three target groups: 80 (ipv4), 443 (ipv4), 443 (ipv6).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ipFamily } from "../../lambda/core/ip.js";
import type { RunSummary } from "../../lambda/reconcile.js";
import { type FunctionContainer, startFunction } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";

let world: World;
const containers: FunctionContainer[] = [];

const SCHEDULED = { source: "aws.events", "detail-type": "Scheduled Event" };

async function container(w: World, extraEnv: Record<string, string> = {}): Promise<FunctionContainer> {
  const fn = await startFunction({
    env: { ...w.env(), LOG_LEVEL: "INFO", DNS_TIMEOUT_MS: "250", ...extraEnv },
    timeoutMs: 50_000,
  });
  containers.push(fn);
  return fn;
}

async function invoke(fn: FunctionContainer): Promise<RunSummary> {
  const out = await fn.invoke<RunSummary>(SCHEDULED);
  if (!out.ok || !out.result)
    throw new Error(`invocation failed: ${JSON.stringify(out.error)}\n${out.logs.join("\n")}`);
  return out.result;
}

/** Non-draining targets of group `i` on its port, sorted. */
function active(w: World, i: number): string[] {
  const tg = w.state().targetGroups[i]!;
  return tg.targets
    .filter((t) => t.port === tg.port && t.state !== "draining")
    .map((t) => t.ip)
    .sort();
}

const v4 = (w: World) => [...w.state().alb.ips].sort();
const v6 = (w: World) => [...w.state().alb.ipv6].sort();

beforeAll(async () => {
  world = await startWorld({
    albIpCount: 12,
    albIpAddressType: "dualstack",
    healthCheckDelayMs: 50,
    deregistrationDelayMs: 100,
    targetGroups: [{ port: 80 }, { port: 443 }, { port: 443, ipAddressType: "ipv6" }],
  });
});
afterEach(async () => {
  await Promise.all(containers.splice(0).map((c) => c.stop()));
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

describe("one function, listeners 80 + 443, IPv4 + IPv6 (bundled handler)", () => {
  it("fills every target group with the ALB's addresses of its own family, on its own port", async () => {
    // Prepare
    const fn = await container(world);

    // Act
    const summary = await invoke(fn);

    // Assess: each group has exactly its family's ALB addresses
    expect(world.env().TARGET_GROUPS?.split(",")).toHaveLength(3);
    expect(active(world, 0)).toEqual(v4(world));
    expect(active(world, 1)).toEqual(v4(world));
    expect(active(world, 2)).toEqual(v6(world));
    expect(v6(world)).toHaveLength(12);
    for (const ip of active(world, 2)) expect(ipFamily(ip)).toBe("ipv6");
    expect(world.state().targetGroups.map((g) => g.targets.map((t) => t.port))).toEqual([
      Array(12).fill(80),
      Array(12).fill(443),
      Array(12).fill(443),
    ]);
    // Assess: the summary reports per pair and per family
    expect(summary.ok).toBe(true);
    expect(summary.targetGroups.map((p) => [p.port, p.ipAddressType, p.registered.length])).toEqual([
      [80, "ipv4", 12],
      [443, "ipv4", 12],
      [443, "ipv6", 12],
    ]);
    expect(summary.discovery.ipv4?.ipCount).toBe(12);
    expect(summary.discovery.ipv6?.ipCount).toBe(12);
    expect(summary.discovery.ipv4?.complete && summary.discovery.ipv6?.complete).toBe(true);
  });

  it("discovers once per family and reads the IP address types once per container", async () => {
    // Prepare
    const fn = await container(world);

    // Act
    const first = await invoke(fn);
    const afterFirst = world.state().requests;
    const second = await invoke(fn);
    const afterSecond = world.state().requests;

    // Assess: one DescribeTargetGroups call for all three groups, none on the warm run
    expect(afterFirst["elbv2:DescribeTargetGroups"]).toBe(1);
    expect(afterSecond["elbv2:DescribeTargetGroups"]).toBe(1);
    // Assess: the DNS queries are those of one A and one AAAA discovery, whatever the number of pairs
    expect(afterFirst.dns).toBe((first.discovery.ipv4?.queries ?? 0) + (first.discovery.ipv6?.queries ?? 0));
    expect(first.apiCalls.dnsQueries).toBe(afterFirst.dns);
    // Assess: one state object per pair, and the run's EMF lines carry a TargetGroup series per pair
    const keys = Object.keys(world.state().s3.buckets[world.info.bucket] ?? {}).sort();
    expect(keys).toEqual([
      "alb-static-ip/alb-static-ip-demo-0123456789abcdef/80.json",
      "alb-static-ip/alb-static-ip-demo-443-0123456789abcd01/443.json",
      "alb-static-ip/alb-static-ip-demo-443-v6-0123456789abcd02/443.json",
    ]);
    expect(afterSecond["cloudwatch:PutMetricData"]).toBe(0);
    expect(second.targetGroups.every((p) => p.registered.length === 0 && !p.stateWritten)).toBe(true);
    const registeredSeries = world
      .state()
      .metrics.filter((m) => m.metricName === "TargetsRegistered")
      .map((m) => m.dimensions.find((d) => d.name === "TargetGroup")?.value);
    expect(new Set(registeredSeries).size).toBe(3);
  });

  it("follows the ALB scaling out and in, in both families, never crossing them", async () => {
    // Prepare
    const fn = await container(world, { INVOCATIONS_BEFORE_DEREGISTRATION: "1" });
    await invoke(fn);

    // Act: scale in by 4, wait for the NLB to judge them, run until synced
    world.scaleAlb(8);
    await new Promise((r) => setTimeout(r, 120));
    for (let i = 0; i < 4; i += 1) {
      await invoke(fn);
      if (active(world, 2).length === 8 && active(world, 0).length === 8) break;
      await new Promise((r) => setTimeout(r, 120));
    }

    // Assess
    expect(active(world, 0)).toEqual(v4(world));
    expect(active(world, 1)).toEqual(v4(world));
    expect(active(world, 2)).toEqual(v6(world));
    expect(v6(world)).toHaveLength(8);
  });

  it("an IPv4-only allow-list fails the IPv6 pair loudly (target_cidr_family) and serves the IPv4 pairs", async () => {
    // Prepare
    const fn = await container(world, { ALLOWED_TARGET_CIDRS: "10.0.0.0/16" });

    // Act
    const out = await fn.invoke<RunSummary>(SCHEDULED);

    // Assess
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe("target_cidr_family");
    expect(out.error?.message).toMatch(/443=targetgroup\/alb-static-ip-demo-443-v6\/.* holds no IPv6 block/);
    expect(active(world, 0)).toEqual(v4(world));
    expect(active(world, 1)).toEqual(v4(world));
    expect(active(world, 2)).toEqual([]);
  });

  it("an IPv6 allow-list block lets the IPv6 pair through and refuses IPv6 targets outside it", async () => {
    // Prepare: the ALB's IPv6 addresses are spread over /64s of 2600:1f18:4a3:6a00::/56; allow only the first one's
    const first = v6(world)[0]!;
    const prefix = `${first.split(":").slice(0, 4).join(":")}:`;
    const inside = v6(world).filter((ip) => ip.startsWith(prefix));
    const fn = await container(world, { ALLOWED_TARGET_CIDRS: `10.0.0.0/16,${prefix}:/64` });

    // Act
    const out = await fn.invoke<RunSummary>(SCHEDULED);

    // Assess: no IPv6 target outside the /64, and those refused are named
    expect(out.ok, JSON.stringify(out.error)).toBe(true);
    const pair = out.result!.targetGroups[2]!;
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.length).toBeLessThan(12);
    expect(active(world, 2)).toEqual(inside);
    expect([...pair.targetsOutsideAllowedCidrs].sort()).toEqual(
      v6(world).filter((ip) => !inside.includes(ip)),
    );
    expect(pair.notes).toContain("target_outside_allowed_cidrs");
    expect(active(world, 0)).toEqual(v4(world));
  });
});

describe("reading the target groups' IP address types", () => {
  it("a failing DescribeTargetGroups fails every pair and changes nothing; the next run asks again", async () => {
    // Prepare
    const fn = await container(world, { AWS_MAX_ATTEMPTS: "1" });
    world.setFaults({ "elbv2:DescribeTargetGroups": { error: "InternalFailure", status: 500 } });

    // Act
    const failed = await fn.invoke<RunSummary>(SCHEDULED);
    world.setFaults({});
    const next = await fn.invoke<RunSummary>(SCHEDULED);

    // Assess
    expect(failed.ok).toBe(false);
    expect(failed.error?.code).toBe("target_groups_failed");
    expect(failed.error?.message).toMatch(/3 of 3 target groups failed.*describe_target_groups_error/);
    expect(next.ok).toBe(true);
    expect(active(world, 2)).toEqual(v6(world));
    expect(world.state().requests["elbv2:DescribeTargetGroups"]).toBe(2);
  });

  it("a role without DescribeTargetGroups (an earlier release's) keeps ipv4 groups working and fails an ipv6 one loudly", async () => {
    // Prepare
    const fn = await container(world);
    world.setFaults({ "elbv2:DescribeTargetGroups": { error: "AccessDenied", status: 403 } });

    // Act
    const out = await fn.invoke<RunSummary>(SCHEDULED);
    world.setFaults({});

    // Assess: the ipv4 groups are synced; the ipv6 group got no IPv4 target (ELBv2 refuses it) and its pair failed
    expect(active(world, 0)).toEqual(v4(world));
    expect(active(world, 1)).toEqual(v4(world));
    expect(active(world, 2)).toEqual([]);
    expect(out.ok).toBe(false);
    // ELBv2 refuses every IPv4 target of the ipv6 group: 2 calls, then the pair fails naming the cause.
    expect(out.error?.code).toBe("register_targets_refused");
    expect(out.error?.message).toMatch(/not a valid IPv6 address/);
    const warn = out.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.code === "target_group_type_assumed_ipv4");
    expect(warn?.targetGroups).toHaveLength(3);
  });
});

describe("an ALB that is not dualstack, paired with an ipv6 target group", () => {
  let ipv4Only: World;
  beforeAll(async () => {
    ipv4Only = await startWorld({
      albIpCount: 4,
      healthCheckDelayMs: 50,
      targetGroups: [{ port: 443 }, { port: 443, ipAddressType: "ipv6" }],
    });
  });
  afterAll(async () => {
    await ipv4Only.stop();
  });

  it("fails the run naming the fix, leaves the ipv6 group untouched, and still serves the ipv4 group", async () => {
    // Prepare
    const fn = await container(ipv4Only);

    // Act
    const out = await fn.invoke<RunSummary>(SCHEDULED);

    // Assess
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe("alb_not_dualstack");
    expect(out.error?.message).toMatch(
      /443=targetgroup\/alb-static-ip-demo-443-v6\/.* has IP address type ipv6, but every AAAA query .* the ALB is not dualstack/,
    );
    expect(out.error?.message).toMatch(/ip_address_type = "dualstack"/);
    expect(active(ipv4Only, 0)).toEqual([...ipv4Only.state().alb.ips].sort());
    expect(ipv4Only.state().targetGroups[1]!.targets).toEqual([]);
    const line = out.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === "alb-static-ip run failed");
    expect(line?.failedTargetGroups).toEqual(["443=targetgroup/alb-static-ip-demo-443-v6/0123456789abcd01"]);
  });
});

describe("the original single pair", () => {
  it("still configures through ALB_LISTENER + NLB_TG_ARN and runs as one entry", async () => {
    // Prepare
    const single = await startWorld({ albIpCount: 3, healthCheckDelayMs: 50 });
    try {
      const env = single.env();
      expect(env.TARGET_GROUPS).toBeUndefined();
      const fn = await container(single);

      // Act
      const summary = await invoke(fn);

      // Assess
      expect(summary.targetGroups).toHaveLength(1);
      expect(summary.targetGroups[0]!.registered.sort()).toEqual([...single.state().alb.ips].sort());
      expect(Object.keys(summary.discovery)).toEqual(["ipv4"]);
      expect(single.state().requests.dns).toBe(summary.discovery.ipv4?.queries);
    } finally {
      await single.stop();
    }
  });
});
