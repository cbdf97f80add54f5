import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { forgeAnswer } from "../../sim/dns-foreign.js";
import { seededRandom } from "../../sim/random.js";
import { startWorld, type World } from "../../sim/world.js";
import { answerIps, queryA } from "./support.js";

const ALB = ["10.0.1.10", "10.0.1.11", "10.0.2.20", "10.0.2.21"];
const FOREIGN = ["10.0.99.5", "172.31.7.7"];

let world: World;

beforeAll(async () => {
  world = await startWorld({ albIps: ALB, seed: 3 });
});
afterAll(async () => {
  await world.stop();
});
beforeEach(() => {
  world.reset();
});

async function post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${world.info.control}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe("forgeAnswer", () => {
  it("replaces about half the records in mix mode and all of them in replace mode, size kept", () => {
    // Prepare
    const random = seededRandom(1);

    // Act
    const mixed = forgeAnswer(ALB, { ips: FOREIGN, probability: 1, mode: "mix" }, random);
    const replaced = forgeAnswer(ALB, { ips: FOREIGN, probability: 1, mode: "replace" }, random);

    // Assess
    expect(mixed).toHaveLength(4);
    expect(mixed.filter((ip) => FOREIGN.includes(ip))).toHaveLength(2);
    expect(replaced.every((ip) => FOREIGN.includes(ip))).toBe(true);
    expect(new Set(replaced).size).toBe(replaced.length);
  });

  it("leaves the answer alone when the dice say no", () => {
    expect(forgeAnswer(ALB, { ips: FOREIGN, probability: 0, mode: "replace" }, Math.random)).toEqual(ALB);
  });
});

describe("POST /dns/foreign", () => {
  it("makes the ALB name answer foreign IPs, and {} or a reset stops it", async () => {
    // Act
    const set = await post("/dns/foreign", { ips: FOREIGN, mode: "replace" });
    const forged = answerIps(await queryA(world.info.dns, world.info.albDnsName));
    const cleared = await post("/dns/foreign", {});
    const clean = answerIps(await queryA(world.info.dns, world.info.albDnsName));
    world.injectForeign({ ips: FOREIGN, mode: "replace" });
    world.reset();
    const afterReset = answerIps(await queryA(world.info.dns, world.info.albDnsName));

    // Assess
    expect(set.status).toBe(200);
    expect(cleared.status).toBe(200);
    expect(forged.sort()).toEqual([...FOREIGN].sort());
    expect(clean.sort()).toEqual([...ALB].sort());
    expect(afterReset.sort()).toEqual([...ALB].sort());
  });

  it("rejects a bad injection with 400 naming the field", async () => {
    const bad = await post("/dns/foreign", { ips: ["not-an-ip"] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/not IP addresses/);
  });

  it("never forges the name servers' own records", async () => {
    world.injectForeign({ ips: FOREIGN, mode: "replace" });
    const ns = answerIps(await queryA(world.info.dns, "ns-sim-1.elb.amazonaws.com"));
    expect(ns).toEqual(["127.0.0.1"]);
  });
});
