/**
 * DNS answers that are not independent uniform samples from one truthful server, end to end through the bundled
 * handler at the DEFAULT settings (INVOCATIONS_BEFORE_DEREGISTRATION 3, HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION
 * 15, MISS_PROBABILITY 1e-6). Each case was measured against the previous release on a 20-IP ALB that was synced
 * first, then six runs, and deregistered live IPs there: the caching resolver 12 of 20, the stale first server 15 of
 * 20, random 3-IP short answers up to 5 of 20; AZ-balanced answers (6 + 6 + 36) found all 48 IPs in 12 of 20 fresh
 * runs. Each of those tests failed on that release; the health-check outage case is a proof that the health
 * corroboration rule still never empties the group.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../lambda/config/index.js";
import type { RunSummary } from "../../lambda/reconcile.js";
import type { FunctionContainer } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";
import {
  activeTargets,
  albIps,
  FAST_ENV,
  invokeWatched,
  type Run,
  sleep,
  startContainer,
} from "./harness.js";

/** The defaults where FAST_ENV is harsher: this file is about what a new user gets. */
const DEFAULTS = {
  INVOCATIONS_BEFORE_DEREGISTRATION: String(CONFIG_DEFAULTS.INVOCATIONS_BEFORE_DEREGISTRATION),
  DNS_TIMEOUT_MS: FAST_ENV.DNS_TIMEOUT_MS ?? "250",
};
const RUNS = 6;

let world: World;
let fn: FunctionContainer;

beforeAll(async () => {
  world = await startWorld({
    albIpCount: 20,
    dnsServers: 2,
    healthCheckDelayMs: 20,
    deregistrationDelayMs: 50,
    seed: 17,
  });
});

afterAll(async () => {
  await world.stop();
});

afterEach(async () => {
  await fn?.stop();
});

/** A synced 20-IP world whose function asks the given DNS servers (indices into the world's servers). */
async function synced(servers: number[]): Promise<void> {
  world.reset();
  world.setDnsBehaviours([]);
  fn = await startContainer(world, {
    ...DEFAULTS,
    DNS_SERVERS: servers.map((i) => world.info.dnsServers[i]).join(","),
  });
  const first = await invokeWatched(world, fn);
  expect(first.ok, JSON.stringify(first.error)).toBe(true);
  expect(activeTargets(world)).toEqual(albIps(world));
}

/** `count` runs a "minute" apart (the health checks settle in between); the live IPs any of them deregistered. */
async function runs(count: number): Promise<{ runs: Run[]; liveDeregistered: string[] }> {
  const list: Run[] = [];
  for (let i = 0; i < count; i++) {
    list.push(await invokeWatched(world, fn));
    await sleep(30);
  }
  return { runs: list, liveDeregistered: list.flatMap((r) => [...r.liveDeregistered, ...r.liveLost]) };
}

const notes = (run: Run): string[] => (run.summary as RunSummary | undefined)?.targetGroups[0]?.notes ?? [];

describe("hostile DNS at the default settings: no live IP deregistered", () => {
  it("a caching resolver as the only DNS server: every run incomplete, nothing deregistered, the note names it", async () => {
    // Prepare
    await synced([0]);
    world.setDnsBehaviour(0, { model: "caching", ttlSeconds: 60 });

    // Act
    const result = await runs(RUNS);

    // Assess
    expect(result.liveDeregistered).toEqual([]);
    expect(activeTargets(world)).toEqual(albIps(world));
    for (const run of result.runs) {
      expect(run.summary?.targetGroups[0]?.discovery.complete).toBe(false);
      expect(notes(run)).toContain("dns_answer_not_authoritative");
    }
  });

  it("a stale first server (5 old IPs) with an honest second: contradiction, incomplete, nothing deregistered", async () => {
    // Prepare
    await synced([0, 1]);
    world.setDnsBehaviour(0, { model: "stale", ips: albIps(world).slice(0, 5) });

    // Act
    const result = await runs(RUNS);

    // Assess
    expect(result.liveDeregistered).toEqual([]);
    expect(activeTargets(world)).toEqual(albIps(world));
    expect(result.runs.some((run) => notes(run).includes("dns_answers_contradict"))).toBe(true);
  });

  it("random 3-IP short answers from a partial server: nothing live deregistered", async () => {
    // Prepare
    await synced([0, 1]);
    world.setDnsBehaviour(0, { model: "short", size: 3, probability: 0.7 });

    // Act
    const result = await runs(RUNS);

    // Assess
    expect(result.liveDeregistered).toEqual([]);
    expect(activeTargets(world)).toEqual(albIps(world));
  });

  it("per-server answer sets that disagree (one server serves another ALB's IPs): nothing live deregistered", async () => {
    // Prepare
    await synced([0, 1]);
    world.setDnsBehaviour(1, { model: "fixed", ips: ["10.0.250.11", "10.0.250.12", "10.0.250.13"] });

    // Act
    const result = await runs(RUNS);

    // Assess
    expect(result.liveDeregistered).toEqual([]);
    for (const ip of albIps(world)) expect(activeTargets(world)).toContain(ip);
  });

  it("a health-check outage (every target unhealthy) while two IPs leave: they are held while the check says nothing, and go once it passes again", async () => {
    // Prepare: honest DNS, two IPs leave while the NLB's checks fail everywhere
    await synced([0, 1]);
    const gone = albIps(world).slice(0, 2);
    world.setAlbIps(albIps(world).slice(2));
    world.setHealthOutage(60_000);

    // Act: runs past the threshold during the outage, then the checks pass again
    const during = await runs(RUNS);
    world.setHealthOutage(0);
    await sleep(50);
    const after = await runs(2);

    // Assess: nothing deregistered while "unhealthy" could not tell a gone IP from a live one; loud meanwhile
    expect([...during.liveDeregistered, ...after.liveDeregistered]).toEqual([]);
    expect(during.runs.flatMap((r) => r.summary?.targetGroups[0]?.deregistered ?? [])).toEqual([]);
    expect(notes(during.runs.at(-1)!)).toContain("deregistration_unconfirmed");
    for (const ip of gone) expect(activeTargets(world)).not.toContain(ip);
    expect(activeTargets(world)).toEqual(albIps(world));
  });
});

describe("AZ-balanced answers", () => {
  it("finds all 48 IPs of a 6 + 6 + 36 ALB in each of 20 fresh runs, and calls them complete", async () => {
    // Prepare
    world.reset();
    world.scaleAlb(48);
    world.setDnsBehaviours([{ model: "azBalanced", groups: [6, 6, 36] }]);
    fn = await startContainer(world, { ...DEFAULTS, DNS_SERVERS: world.info.dnsServers[0] ?? "" });
    let allFound = 0;

    // Act
    for (let i = 0; i < 20; i++) {
      const run = await invokeWatched(world, fn);
      if (run.summary?.targetGroups[0]?.discovery.complete && run.summary.targetGroups[0]!.ips.length === 48)
        allFound += 1;
    }

    // Assess
    expect(allFound).toBe(20);
  });
});
