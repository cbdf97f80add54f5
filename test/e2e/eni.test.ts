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
    expect(world.state().requests["ec2:DescribeNetworkInterfaces"]).toBe(2);
  });

  it("deregisters an IP whose interface is gone after exactly INVOCATIONS_BEFORE_DEREGISTRATION lookups, although the NLB reports it healthy", async () => {
    const fn = await container(world, { INVOCATIONS_BEFORE_DEREGISTRATION: "2" });
    world.scaleAlb(6);
    await invoke(fn);
    await sleep(80);
    const before = world.state().alb.ips;
    world.scaleAlb(4);
    const gone = before.filter((ip) => !world.state().alb.ips.includes(ip));
    // Keep the NLB's check reporting them healthy: the exact lookup needs no health corroboration.
    const first = await invoke(fn);
    expect(first.summary.targetGroups[0]!.deregistered).toEqual([]);
    const second = await invoke(fn);
    expect([...second.summary.targetGroups[0]!.deregistered].sort()).toEqual([...gone].sort());
    expect(
      Object.fromEntries(gone.map((ip) => [ip, first.summary.targetGroups[0]!.targetsBefore[ip]])),
    ).toEqual(Object.fromEntries(gone.map((ip) => [ip, "healthy"])));
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
