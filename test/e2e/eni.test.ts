/**
 * End to end, DISCOVERY_MODE=eni: the bundled handler in a fresh process lists the ALB's network interfaces in the
 * local world's EC2 (paginated, filtered by description and VPC), assumes the ALB account's role when the ALB is
 * in another account, and never deregisters on a failed lookup. Interfaces of another ALB (whose name starts with
 * ours), of the NLB and of other services share the VPC, so a wrong filter would register them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../lambda/reconcile.js";
import { type FunctionContainer, InitError, startFunction } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";

let world: World;
const containers: FunctionContainer[] = [];

async function container(w: World, extraEnv: Record<string, string> = {}): Promise<FunctionContainer> {
  const fn = await startFunction({
    env: { ...w.env(), LOG_LEVEL: "INFO", DISCOVERY_MODE: "eni", ALB_ARN: w.info.albArn, ...extraEnv },
    timeoutMs: 50_000,
  });
  containers.push(fn);
  return fn;
}

async function invoke(fn: FunctionContainer): Promise<{ ok: boolean; summary: RunSummary; logs: string[] }> {
  const out = await fn.invoke<RunSummary>({ source: "aws.events", "detail-type": "Scheduled Event" });
  if (out.ok && out.result) return { ok: true, summary: out.result, logs: out.logs };
  const line = out.logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.message === "alb-static-ip run failed");
  return { ok: false, summary: line as unknown as RunSummary, logs: out.logs };
}

function targetIps(w: World): string[] {
  return (w.state().targetGroups[0]?.targets ?? [])
    .filter((t) => t.state !== "draining")
    .map((t) => t.ip)
    .sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  world = await startWorld({
    albIpCount: 4,
    healthCheckDelayMs: 50,
    deregistrationDelayMs: 100,
    ipsPerInterface: 2,
  });
});
afterEach(async () => {
  await Promise.all(containers.splice(0).map((c) => c.stop()));
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

describe("DISCOVERY_MODE=eni through the bundle", () => {
  it("registers every private IP (primary and secondary) of the ALB's interfaces and nothing else in the VPC", async () => {
    const fn = await container(world, { ALB_VPC_ID: world.info.albVpcId });
    const { ok, summary } = await invoke(fn);
    expect(ok).toBe(true);
    const alb = [...world.state().alb.ips].sort();
    expect(world.state().alb.interfaces.some((eni) => eni.privateIps.length === 2)).toBe(true);
    expect(summary.discovery.ipv4).toMatchObject({
      complete: true,
      failed: false,
      exact: true,
      source: "eni",
    });
    expect([...summary.targetGroups[0]!.registered].sort()).toEqual(alb);
    expect(targetIps(world)).toEqual(alb);
  });

  it("derives the VPC from the first lookup when ALB_VPC_ID is not set, and filters by it afterwards", async () => {
    const fn = await container(world);
    const first = await invoke(fn);
    world.scaleAlb(9);
    const second = await invoke(fn);
    expect(first.ok && second.ok).toBe(true);
    expect(targetIps(world)).toEqual([...world.state().alb.ips].sort());
    // Two lookups, and the container's first look for look-alikes (without the requester filters).
    expect(world.state().requests["ec2:DescribeNetworkInterfaces"]).toBe(3);
  });

  it("deregisters an IP whose interface is gone after exactly INVOCATIONS_BEFORE_DEREGISTRATION lookups, although the NLB does not report it unhealthy", async () => {
    // Prepare: a world whose health checks never conclude within the test (every target stays `initial`), so the
    // NLB never corroborates the loss whatever the machine's load: the exact lookup needs no health corroboration.
    const slow = await startWorld({ albIpCount: 6, healthCheckDelayMs: 600_000, ipsPerInterface: 2 });
    try {
      const fn = await container(slow, { INVOCATIONS_BEFORE_DEREGISTRATION: "2" });
      await invoke(fn);
      const before = slow.state().alb.ips;
      slow.scaleAlb(4);
      const gone = before.filter((ip) => !slow.state().alb.ips.includes(ip));
      // Act
      const first = await invoke(fn);
      const second = await invoke(fn);
      // Assess
      expect(gone.length).toBeGreaterThan(0);
      expect(first.summary.targetGroups[0]!.deregistered).toEqual([]);
      expect([...second.summary.targetGroups[0]!.deregistered].sort()).toEqual([...gone].sort());
      expect(
        Object.fromEntries(gone.map((ip) => [ip, second.summary.targetGroups[0]!.targetsBefore[ip]])),
      ).toEqual(Object.fromEntries(gone.map((ip) => [ip, "initial"])));
    } finally {
      await Promise.all(containers.splice(0).map((c) => c.stop()));
      await slow.stop();
    }
  });

  it.each([
    [
      "throttled on every attempt",
      { "ec2:DescribeNetworkInterfaces": { error: "RequestLimitExceeded" } },
      "describe_network_interfaces_error",
    ],
    [
      "denied",
      { "ec2:DescribeNetworkInterfaces": { error: "UnauthorizedOperation" } },
      "describe_network_interfaces_error",
    ],
  ])("deregisters nothing and fails loudly when the lookup is %s", async (_what, faults, code) => {
    // Prepare: owned targets, then the ALB loses most of its nodes, then every lookup fails.
    const fn = await container(world, { INVOCATIONS_BEFORE_DEREGISTRATION: "1", AWS_MAX_ATTEMPTS: "2" });
    world.scaleAlb(12);
    await invoke(fn);
    world.scaleAlb(2);
    world.setFaults(faults as never);
    const runs = [await invoke(fn), await invoke(fn), await invoke(fn)];
    for (const r of runs) {
      expect(r.ok).toBe(false);
      expect(r.summary.error?.code).toBe(code);
      expect(r.summary.targetGroups[0]!.deregistered).toEqual([]);
    }
    expect(targetIps(world)).toHaveLength(12);
  });

  it("fails the lookup, deregisters nothing, when a page fails in the middle of a pagination", async () => {
    // 2,500 other interfaces and EC2 paging by scanning: the ALB's interfaces are spread over three pages.
    const big = await startWorld({
      albIpCount: 8,
      ec2Paging: "scan",
      backgroundInterfaces: 2500,
      healthCheckDelayMs: 50,
    });
    try {
      const fn = await container(big, { INVOCATIONS_BEFORE_DEREGISTRATION: "1", AWS_MAX_ATTEMPTS: "2" });
      const first = await invoke(fn);
      expect(first.ok).toBe(true);
      expect(first.summary.discovery.ipv4?.queries).toBe(3);
      expect(targetIps(big)).toEqual([...big.state().alb.ips].sort());
      big.setFaults({ "ec2:DescribeNetworkInterfaces:nextPage": { error: "InternalError" } });
      for (const failed of [await invoke(fn), await invoke(fn)]) {
        expect(failed.ok).toBe(false);
        expect(failed.summary.error?.code).toBe("describe_network_interfaces_error");
        expect(failed.summary.targetGroups[0]!.deregistered).toEqual([]);
      }
      expect(targetIps(big)).toHaveLength(8);
      big.setFaults({});
      big.scaleAlb(3);
      const healed = await invoke(fn);
      expect(healed.ok).toBe(true);
      expect(healed.summary.targetGroups[0]!.deregistered).toHaveLength(5);
    } finally {
      await Promise.all(containers.splice(0).map((c) => c.stop()));
      await big.stop();
    }
  });

  it("reads every page of a region with more than 10,000 interfaces (EC2 paging by scanning), also before the VPC is known", async () => {
    // Prepare: 12,000 other interfaces in the account, EC2 scanning 1,000 per page: 13 pages per lookup
    const big = await startWorld({
      albIpCount: 5,
      ec2Paging: "scan",
      backgroundInterfaces: 12_000,
      healthCheckDelayMs: 50,
    });
    try {
      // No ALB_VPC_ID: the first lookup filters by the description alone, the second by the VPC too.
      const fn = await container(big);

      // Act
      const first = await invoke(fn);
      big.scaleAlb(7);
      const second = await invoke(fn);

      // Assess
      expect(first.ok, JSON.stringify(first.summary.error)).toBe(true);
      expect(second.ok, JSON.stringify(second.summary.error)).toBe(true);
      expect(first.summary.discovery.ipv4).toMatchObject({ queries: 13, exact: true });
      expect(second.summary.discovery.ipv4).toMatchObject({ queries: 13, exact: true });
      expect(targetIps(big)).toEqual([...big.state().alb.ips].sort());
    } finally {
      await Promise.all(containers.splice(0).map((c) => c.stop()));
      await big.stop();
    }
  });

  it("refuses to start in eni mode without ALB_ARN, and with a malformed ALB_VPC_ID or role ARN, listing every problem", async () => {
    const bad = startFunction({
      env: {
        ...world.env(),
        DISCOVERY_MODE: "eni",
        ALB_VPC_ID: "vpc-xyz",
        ALB_ROLE_ARN: "arn:aws:iam::123:role/x",
      },
    });
    const error = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InitError);
    const message = (error as InitError).message;
    expect(message).toContain("ALB_ARN (alb_arn_required)");
    expect(message).toContain("ALB_VPC_ID (alb_vpc_id_invalid)");
    expect(message).toContain("ALB_ROLE_ARN (alb_role_arn_invalid)");
  });
});

/** The look-alike warnings of one invocation's log lines. */
function lookalikeWarnings(logs: readonly string[]): Array<Record<string, unknown>> {
  return logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.code === "interface_not_elb_managed" && l.level === "WARN");
}

/** The InterfacesNotElbManaged datapoints published so far (one per target group and run). */
function lookalikeMetric(w: World): number[] {
  return w
    .state()
    .metrics.filter((m) => m.metricName === "InterfacesNotElbManaged")
    .map((m) => m.value ?? Number.NaN);
}

describe("DISCOVERY_MODE=eni and interfaces that copy the ALB's description", () => {
  it("never registers a user-made look-alike, lets it keep no gone IP alive, and reports it with its id and IP", async () => {
    // Prepare: a look-alike on a fresh address before the first run; the ALB then loses 2 nodes and a second
    // look-alike takes one of their addresses (the attack: keep a dead target registered, now pointing at it).
    const fn = await container(world, {
      ALB_VPC_ID: world.info.albVpcId,
      INVOCATIONS_BEFORE_DEREGISTRATION: "2",
    });
    world.scaleAlb(6);
    const fresh = world.addLookalikeInterface();

    // Act
    const first = await invoke(fn);
    await sleep(80);
    const before = world.state().alb.ips;
    world.scaleAlb(4);
    const gone = before.filter((ip) => !world.state().alb.ips.includes(ip));
    const squatter = world.addLookalikeInterface(gone[0]);
    const second = await invoke(fn);
    const third = await invoke(fn);

    // Assess: nothing but ELB's interfaces registered; the gone IPs deregistered on schedule
    expect(first.ok && second.ok && third.ok).toBe(true);
    expect(targetIps(world)).toEqual([...world.state().alb.ips].sort());
    expect(targetIps(world)).not.toContain(fresh.ip);
    expect([...third.summary.targetGroups[0]!.deregistered].sort()).toEqual([...gone].sort());
    expect(squatter.ip).toBe(gone[0]);
    // Assess: the lookup stays exact; the first run of the container reports the look-alike it found
    expect(first.summary.discovery.ipv4).toMatchObject({ exact: true, complete: true, failed: false });
    expect(first.summary.targetGroups[0]!.notes).toContain("interface_not_elb_managed");
    const warned = lookalikeWarnings(first.logs);
    expect(warned).toHaveLength(1);
    expect(JSON.stringify(warned[0])).toContain(fresh.id);
    expect(JSON.stringify(warned[0])).toContain(fresh.ip);
    expect(lookalikeMetric(world)[0]).toBe(1);
  });

  it("re-checks every returned interface when EC2 ignores the requester filters: the look-alike is dropped, the lookup stays exact, and every run reports it", async () => {
    // Prepare: an EC2 (an emulator, a proxy) that accepts the requester filters and disregards them
    const fn = await container(world, { INVOCATIONS_BEFORE_DEREGISTRATION: "2" });
    world.scaleAlb(6);
    await invoke(fn);
    await sleep(80);
    const before = world.state().alb.ips;
    world.scaleAlb(4);
    const gone = before.filter((ip) => !world.state().alb.ips.includes(ip));
    world.setEc2IgnoredFilters(["requester-managed", "requester-id", "attachment.instance-owner-id"]);
    const squatter = world.addLookalikeInterface(gone[1]);
    const metricsBefore = lookalikeMetric(world).length;

    // Act
    const runs = [await invoke(fn), await invoke(fn)];

    // Assess
    for (const run of runs) {
      expect(run.ok).toBe(true);
      expect(run.summary.discovery.ipv4).toMatchObject({ exact: true, complete: true });
      expect(run.summary.targetGroups[0]!.notes).toContain("interface_not_elb_managed");
      expect(JSON.stringify(lookalikeWarnings(run.logs))).toContain(squatter.id);
      expect(JSON.stringify(lookalikeWarnings(run.logs))).toContain(squatter.ip);
    }
    expect(runs[0]!.summary.targetGroups[0]!.deregistered).toEqual([]);
    expect([...runs[1]!.summary.targetGroups[0]!.deregistered].sort()).toEqual([...gone].sort());
    expect(targetIps(world)).toEqual([...world.state().alb.ips].sort());
    expect(lookalikeMetric(world).slice(metricsBefore)).toEqual([1, 1]);
  });
});

describe("DISCOVERY_MODE=eni with an ipv6 target group", () => {
  /** Active targets of target group `index`, sorted. */
  const active = (w: World, index: number) =>
    (w.state().targetGroups[index]?.targets ?? [])
      .filter((t) => t.state !== "draining")
      .map((t) => t.ip)
      .sort();

  it("registers the interfaces' IPv6 addresses (the AAAA records' ones) in the ipv6 group and their IPv4 ones in the ipv4 group, from one lookup per run", async () => {
    // Prepare: a dualstack ALB whose interfaces carry each node's IPv6 address
    const dual = await startWorld({
      albIpCount: 4,
      albIpAddressType: "dualstack",
      ipsPerInterface: 2,
      healthCheckDelayMs: 50,
      targetGroups: [{ port: 443 }, { port: 443, ipAddressType: "ipv6" }],
    });
    try {
      const fn = await container(dual, { ALB_VPC_ID: dual.info.albVpcId });

      // Act
      const first = await invoke(fn);
      dual.scaleAlb(7);
      const lookupsBefore = dual.state().requests["ec2:DescribeNetworkInterfaces"] ?? 0;
      const second = await invoke(fn);

      // Assess
      expect(first.ok && second.ok, JSON.stringify(second.summary.error)).toBe(true);
      expect(second.summary.discovery.ipv6).toMatchObject({ exact: true, failed: false, source: "eni" });
      expect(active(dual, 0)).toEqual([...dual.state().alb.ips].sort());
      expect(active(dual, 1)).toEqual([...dual.state().alb.ipv6].sort());
      expect(active(dual, 1)).toHaveLength(7);
      expect(second.summary.targetGroups.map((p) => [p.ipAddressType, p.registered.length])).toEqual([
        ["ipv4", 3],
        ["ipv6", 3],
      ]);
      // One lookup answered both families.
      expect((dual.state().requests["ec2:DescribeNetworkInterfaces"] ?? 0) - lookupsBefore).toBe(1);
    } finally {
      await Promise.all(containers.splice(0).map((c) => c.stop()));
      await dual.stop();
    }
  });

  it("fails the ipv6 pair with alb_not_dualstack when the interfaces have no IPv6 address, leaving its group untouched, and serves the ipv4 pair", async () => {
    // Prepare
    const ipv4Only = await startWorld({
      albIpCount: 4,
      healthCheckDelayMs: 50,
      targetGroups: [{ port: 443 }, { port: 443, ipAddressType: "ipv6" }],
    });
    try {
      const fn = await container(ipv4Only);

      // Act
      const run = await invoke(fn);

      // Assess
      expect(run.ok).toBe(false);
      expect(run.summary.error?.code).toBe("alb_not_dualstack");
      expect(run.summary.error?.message).toMatch(/ip_address_type = "dualstack"/);
      expect(run.summary.targetGroups.map((p) => [p.ipAddressType, p.ok])).toEqual([
        ["ipv4", true],
        ["ipv6", false],
      ]);
      expect(active(ipv4Only, 0)).toEqual([...ipv4Only.state().alb.ips].sort());
      expect(ipv4Only.state().targetGroups[1]!.targets).toEqual([]);
    } finally {
      await Promise.all(containers.splice(0).map((c) => c.stop()));
      await ipv4Only.stop();
    }
  });
});

describe("DISCOVERY_MODE=eni with the ALB in another account", () => {
  let other: World;
  beforeAll(async () => {
    other = await startWorld({
      albIpCount: 3,
      healthCheckDelayMs: 50,
      crossAccount: { accountId: "210987654321", externalId: "alb-static-ip-7f3a" },
    });
  });
  afterAll(async () => {
    await other.stop();
  });

  it("assumes ALB_ROLE_ARN with the external id and registers the ALB's IPs", async () => {
    const fn = await container(other, {
      ALB_ROLE_ARN: other.info.albRoleArn ?? "",
      ALB_ROLE_EXTERNAL_ID: "alb-static-ip-7f3a",
    });
    const first = await invoke(fn);
    const second = await invoke(fn);
    expect(first.ok && second.ok).toBe(true);
    expect(targetIps(other)).toEqual([...other.state().alb.ips].sort());
    // One session for both runs (cached until shortly before it expires).
    expect(other.state().requests["sts:AssumeRole"]).toBe(1);
  });

  it("sees no interface without the role, and fails without deregistering (eni_none_found)", async () => {
    const fn = await container(other);
    const run = await invoke(fn);
    expect(run.ok).toBe(false);
    expect(run.summary.error?.code).toBe("eni_none_found");
    expect(run.summary.targetGroups[0]!.registered).toEqual([]);
  });

  it("fails with assume_role_error on a wrong external id", async () => {
    const fn = await container(other, {
      ALB_ROLE_ARN: other.info.albRoleArn ?? "",
      ALB_ROLE_EXTERNAL_ID: "wrong-id",
    });
    const run = await invoke(fn);
    expect(run.ok).toBe(false);
    expect(run.summary.error?.code).toBe("assume_role_error");
    expect(run.summary.error?.message).toContain("ALB_ROLE_ARN");
  });
});
