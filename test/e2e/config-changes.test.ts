/**
 * End to end, configuration changes that used to strand targets silently: a new ALB_LISTENER for the same target
 * group (a new state key: the old port's targets stayed registered for ever, never even reported), and a new name
 * of the same ALB in ALB_DNS_NAME (the state became foreign: its owned targets were never cleaned up). The bundled
 * handler against the local AWS world.
 */
import {
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stateKey } from "../../lambda/config/index.js";
import type { RunSummary } from "../../lambda/reconcile.js";
import type { FunctionContainer } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";
import {
  activeTargets,
  albIps,
  allTargets,
  invokeWatched,
  logRecords,
  type Run,
  removeAlbIps,
  sleep,
  startContainer,
  storedState,
} from "../reliability/harness.js";

let world: World;
const containers: FunctionContainer[] = [];

async function container(extra: Record<string, string> = {}): Promise<FunctionContainer> {
  // The default threshold, as deployed; the health check settles within 20 ms.
  const fn = await startContainer(world, { INVOCATIONS_BEFORE_DEREGISTRATION: "3", ...extra });
  containers.push(fn);
  return fn;
}

async function ok(fn: FunctionContainer): Promise<Run> {
  const run = await invokeWatched(world, fn);
  if (!run.ok) throw new Error(`run failed: ${JSON.stringify(run.error)}\n${run.logs.join("\n")}`);
  return run;
}

/** Non-draining targets on `port` of the world's target group, sorted. */
function onPort(port: number): string[] {
  return allTargets(world)
    .map((t) => t.split(":"))
    .filter(([, p, state]) => Number(p) === port && state !== "draining")
    .map(([ip]) => ip!)
    .sort();
}

/** A target registered by someone else (the SDK, like the console would). */
async function registerByHand(ip: string, port: number): Promise<void> {
  const elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: world.info.endpoints.elbv2,
    region: world.info.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: world.info.targetGroupArn,
      Targets: [{ Id: ip, Port: port }],
    }),
  );
  elbv2.destroy();
}

const OLD_PORT = 443;
const NEW_PORT = 8443;

/** The ALB listens on the new port too (and its security group admits the NLB there), as after the change. */
function albListensOnBothPorts(): void {
  const rule = (port: number) => ({
    protocol: "tcp" as const,
    fromPort: port,
    toPort: port,
    cidrs: ["10.0.0.0/16", "10.250.0.0/16"],
    groups: [],
  });
  world.changeNetwork({
    albListenerPorts: [OLD_PORT, NEW_PORT],
    albIngress: [rule(OLD_PORT), rule(NEW_PORT)],
  });
}

beforeAll(async () => {
  world = await startWorld({ albIpCount: 6, healthCheckDelayMs: 20, deregistrationDelayMs: 50, seed: 31 });
});
afterEach(async () => {
  await Promise.all(containers.splice(0).map((c) => c.stop()));
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

describe("ALB_LISTENER changed for the same target group", () => {
  it("names the old port's stranded targets every run (warning, note, metric) with the state object that owns them", async () => {
    // Prepare: synced on 443, then the ALB listens on 8443 too and the function is redeployed with ALB_LISTENER=8443
    albListensOnBothPorts();
    await ok(await container());
    const alb = albIps(world);
    expect(onPort(OLD_PORT)).toEqual(alb);
    const moved = await container({ ALB_LISTENER: String(NEW_PORT) });

    // Act
    const runs = [await ok(moved), await ok(moved)];

    // Assess: the new port is served, the old one left alone but reported, every run
    expect(onPort(NEW_PORT)).toEqual(alb);
    expect(onPort(OLD_PORT)).toEqual(alb);
    const oldKey = stateKey(
      { stateKeyPrefix: "alb-static-ip/" },
      { targetGroupArn: world.info.targetGroupArn, port: OLD_PORT },
    );
    for (const run of runs) {
      const pair = run.summary!.targetGroups[0]!;
      expect(pair.notes).toContain("targets_unserved_port");
      const entries = (pair.unservedPorts ?? []).map((u) => ({
        ...u,
        targets: [...u.targets].sort(),
        owned: [...u.owned].sort(),
      }));
      expect(entries).toEqual([
        {
          port: OLD_PORT,
          targets: alb,
          stateKey: oldKey,
          state: "found",
          owned: alb,
          deregistered: [],
          held: [],
        },
      ]);
      const warn = logRecords(run.logs).find((l) => l.code === "targets_unserved_port");
      expect(warn?.level).toBe("WARN");
      expect(String(warn?.message)).toMatch(/CLEANUP_UNSERVED_PORTS/);
    }
    const metric = world
      .state()
      .metrics.filter((m) => m.metricName === "TargetsOnUnservedPorts")
      .slice(-2)
      .map((m) => m.value);
    expect(metric).toEqual([6, 6]);
  });

  it("CLEANUP_UNSERVED_PORTS=true deregisters the old port's owned targets once each IP is healthy on the new port, capped, and never a target it does not own", async () => {
    // Prepare: synced on 443, plus a target on 443 that nobody's state owns; the ALB listens on 8443 too
    albListensOnBothPorts();
    await ok(await container());
    const alb = albIps(world);
    const foreign = "10.0.250.250";
    await registerByHand(foreign, OLD_PORT);
    const cleaner = await container({
      ALB_LISTENER: String(NEW_PORT),
      CLEANUP_UNSERVED_PORTS: "true",
      MAX_DEREGISTRATIONS_PER_RUN: "4",
    });

    // Act: the first run registers the new port (not healthy yet: nothing on 443 may go)
    const first = await ok(cleaner);
    const afterFirst = onPort(OLD_PORT);
    await sleep(60); // the new port's targets pass the health check
    const second = await ok(cleaner);
    const afterSecond = onPort(OLD_PORT);
    const third = await ok(cleaner);

    // Assess
    expect(first.summary!.targetGroups[0]!.unservedPorts?.[0]?.deregistered).toEqual([]);
    expect(afterFirst).toEqual([...alb, foreign].sort());
    expect(second.summary!.targetGroups[0]!.unservedPorts?.[0]?.deregistered).toHaveLength(4);
    expect(afterSecond).toHaveLength(alb.length - 4 + 1);
    expect(third.summary!.targetGroups[0]!.unservedPorts?.[0]?.deregistered).toHaveLength(alb.length - 4);
    expect(onPort(OLD_PORT)).toEqual([foreign]);
    expect(onPort(NEW_PORT)).toEqual(alb);
    // The old port's state object no longer owns them
    const oldKey = stateKey(
      { stateKeyPrefix: "alb-static-ip/" },
      { targetGroupArn: world.info.targetGroupArn, port: OLD_PORT },
    );
    const stored = JSON.parse(storedState(world, oldKey)?.body ?? "{}") as {
      targets?: Record<string, unknown>;
    };
    expect(Object.keys(stored.targets ?? {})).toEqual([]);
  });
});

describe("CLEANUP_UNSERVED_PORTS health safety", () => {
  it("keeps every old-port target while the new port's targets fail their health checks (the ALB does not listen there)", async () => {
    // Prepare: synced on 443; the function moves to 8443, where the ALB has no listener
    await ok(await container());
    const alb = albIps(world);
    const cleaner = await container({ ALB_LISTENER: String(NEW_PORT), CLEANUP_UNSERVED_PORTS: "true" });

    // Act
    await ok(cleaner);
    await sleep(60);
    const run = await ok(cleaner);

    // Assess
    expect(onPort(OLD_PORT)).toEqual(alb);
    const entry = run.summary!.targetGroups[0]!.unservedPorts?.[0];
    expect(entry?.deregistered).toEqual([]);
    expect(new Set(entry?.held.map((h) => h.reason))).toEqual(new Set(["not_healthy_on_served_port"]));
  });
});

describe("ALB_DNS_NAME switched to another name of the same ALB", () => {
  it("keeps ownership across the dualstack. name: a dead IP the old name's runs owned still leaves", async () => {
    // Prepare: synced under the ALB's name; 2 IPs leave the ALB (the NLB sees them fail)
    await ok(await container());
    const { removed } = removeAlbIps(world, 2);
    await sleep(60);
    const renamed = await container({ ALB_DNS_NAME: `dualstack.${world.info.albDnsName}` });

    // Act: the default threshold of runs
    const runs: Array<RunSummary> = [];
    for (let i = 0; i < 3; i += 1) runs.push((await ok(renamed)).summary!);

    // Assess
    expect(runs.flatMap((r) => r.targetGroups[0]!.deregistered).sort()).toEqual(removed);
    expect(activeTargets(world)).toEqual(albIps(world));
    expect(runs[0]!.targetGroups[0]!.notes).toContain("state_alb_renamed");
    expect(runs[0]!.targetGroups[0]!.notes).not.toContain("state_adopted");
  });
});
