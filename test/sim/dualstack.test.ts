/**
 * The local world's dualstack pieces: AAAA answers with the same faults and answer models as A (sim/dns.ts),
 * ELBv2 target groups with an IP address type that refuse the other family (sim/elbv2-model.ts), faults aimed
 * at one target group, and worlds with several target groups.
 */
import dnsPacket, { type DecodedPacket, type RecordType } from "dns-packet";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SimApiError } from "../../sim/api-error.js";
import { type DnsServer, startDnsServer } from "../../sim/dns.js";
import { Elbv2Model, type TargetGroupSpec } from "../../sim/elbv2-model.js";
import { FaultEngine } from "../../sim/faults.js";
import { pairedIpv6, parseCidr, parseCidr6 } from "../../sim/ip.js";
import { seededRandom } from "../../sim/random.js";
import { startWorld } from "../../sim/world.js";
import { manualClock, udpExchange } from "./support.js";

const NAME = "internal-x-1.us-east-1.elb.amazonaws.com";
const V4 = Array.from({ length: 20 }, (_, i) => `10.0.1.${i + 1}`);
const CIDR6 = parseCidr6("2600:1f18:4a3:6a00::/56");
const V6 = V4.map((ip) => pairedIpv6(CIDR6, ip));

let id = 1;
function ask(server: DnsServer, type: RecordType): Promise<DecodedPacket | null> {
  id = (id % 65535) + 1;
  const message = dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name: NAME, class: "IN" }],
  });
  return udpExchange(server.host, server.port, message, 1000);
}

const data = (p: DecodedPacket | null, type: string): string[] =>
  (p?.answers ?? []).flatMap((a) => (a.type === type && "data" in a ? [String(a.data)] : []));
const rcode = (p: DecodedPacket | null) => (p as (DecodedPacket & { rcode?: string }) | null)?.rcode;

describe("sim DNS: AAAA for a dualstack ALB", () => {
  let server: DnsServer;
  beforeEach(async () => {
    server = await startDnsServer({ random: seededRandom(5) });
  });
  afterEach(async () => {
    await server.close();
  });

  it("answers AAAA with at most 8 of the IPv6 addresses and A with at most 8 of the IPv4 ones", async () => {
    server.setRecord(NAME, [...V4, ...V6]);
    const six = await ask(server, "AAAA");
    const four = await ask(server, "A");
    expect(data(six, "AAAA")).toHaveLength(8);
    for (const ip of data(six, "AAAA")) expect(V6).toContain(ip);
    expect(data(four, "A")).toHaveLength(8);
    for (const ip of data(four, "A")) expect(V4).toContain(ip);
    expect(six?.flag_aa).toBe(true);
  });

  it("answers AAAA for an IPv4-only name with NOERROR and no data", async () => {
    server.setRecord(NAME, V4);
    const six = await ask(server, "AAAA");
    expect(rcode(six)).toBe("NOERROR");
    expect(six?.answers).toEqual([]);
  });

  it("applies the same faults to AAAA as to A", async () => {
    server.setRecord(NAME, [...V4, ...V6]);
    server.setFault({ mode: "servfail" });
    expect(rcode(await ask(server, "AAAA"))).toBe("SERVFAIL");
    server.setFault({ mode: "flap" });
    const answers = [await ask(server, "AAAA"), await ask(server, "AAAA")].map((p) => data(p, "AAAA"));
    expect(answers[1]!.some((ip) => !V6.includes(ip))).toBe(true);
    for (const ip of answers[1]!) expect(ip).toContain(":");
  });

  it("applies the answer models to AAAA, with a cache of its own", async () => {
    server.setRecord(NAME, [...V4, ...V6]);
    server.setBehaviour({ model: "caching", ttlSeconds: 60 });
    const a = data(await ask(server, "AAAA"), "AAAA");
    const b = data(await ask(server, "AAAA"), "AAAA");
    const four = await ask(server, "A");
    expect(b).toEqual(a);
    expect(data(four, "A").every((ip) => V4.includes(ip))).toBe(true);
    expect(four?.flag_aa).toBe(false);
    server.setBehaviour({ model: "stale", ips: [V4[0]!, V6[0]!, V6[1]!] });
    expect(data(await ask(server, "AAAA"), "AAAA").sort()).toEqual([V6[0]!, V6[1]!].sort());
    expect(data(await ask(server, "A"), "A")).toEqual([V4[0]]);
  });

  it("forges AAAA answers with IPv6 foreign addresses only", async () => {
    server.setRecord(NAME, [...V4, ...V6]);
    server.injectForeign({ ips: ["10.9.9.9", "fd00::bad"], mode: "replace" });
    expect(data(await ask(server, "AAAA"), "AAAA")).toEqual(["fd00::bad"]);
    expect(data(await ask(server, "A"), "A")).toEqual(["10.9.9.9"]);
  });
});

describe("sim ELBv2: target groups with an IP address type", () => {
  const base = (name: string, id16: string, family: "ipv4" | "ipv6"): TargetGroupSpec => ({
    arn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/${id16}`,
    name,
    port: 443,
    protocol: "TCP",
    vpcId: "vpc-1",
    vpcCidr: parseCidr("10.0.0.0/16"),
    vpcIpv6Cidr: CIDR6,
    ipAddressType: family,
    loadBalancerArns: [],
  });
  const V4GROUP = base("v4", "0123456789abcdef", "ipv4");
  const V6GROUP = base("v6", "fedcba9876543210", "ipv6");
  let model: Elbv2Model;
  beforeEach(() => {
    const clock = manualClock();
    model = new Elbv2Model({
      clock: clock.now,
      healthCheckDelayMs: 10,
      deregistrationDelayMs: 10,
      isLive: () => true,
      maxTargets: 2,
    });
    model.addGroup(V4GROUP);
    model.addGroup(V6GROUP);
  });

  const errorOf = (fn: () => unknown): SimApiError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof SimApiError) return error;
      throw error;
    }
    throw new Error("expected a SimApiError");
  };

  it("refuses an IPv6 target in an ipv4 group and an IPv4 target in an ipv6 group (ValidationError, AWS's text)", () => {
    const six = errorOf(() => model.register(V4GROUP.arn, [{ id: V6[0]! }]));
    expect([six.code, six.message]).toEqual([
      "ValidationError",
      `The IP address '${V6[0]}' is not a valid IPv4 address`,
    ]);
    const four = errorOf(() => model.register(V6GROUP.arn, [{ id: "10.0.1.1" }]));
    expect([four.code, four.message]).toEqual([
      "ValidationError",
      "The IP address '10.0.1.1' is not a valid IPv6 address",
    ]);
  });

  it("keeps IPv6 targets in canonical text, so two spellings are one target", () => {
    model.register(V6GROUP.arn, [{ id: "2600:1f18:04a3:6a01:0000:0a00:0000:0105" }]);
    model.register(V6GROUP.arn, [{ id: "2600:1f18:4a3:6a01:0:a00:0:105" }]);
    expect(model.describeHealth(V6GROUP.arn).map((t) => t.ip)).toEqual(["2600:1f18:4a3:6a01:0:a00:0:105"]);
    model.deregister(V6GROUP.arn, [{ id: "2600:1F18:4A3:6A01::A00:0:105" }]);
    expect(model.describeHealth(V6GROUP.arn).map((t) => t.state)).toEqual(["draining"]);
  });

  it("refuses an IPv6 target outside the VPC's IPv6 block (InvalidTarget)", () => {
    expect(errorOf(() => model.register(V6GROUP.arn, [{ id: "2001:db8::1" }])).code).toBe("InvalidTarget");
  });

  it("counts TooManyTargets per group", () => {
    model.register(V4GROUP.arn, [{ id: "10.0.1.1" }, { id: "10.0.1.2" }]);
    model.register(V6GROUP.arn, [{ id: V6[0]! }, { id: V6[1]! }]);
    expect(errorOf(() => model.register(V6GROUP.arn, [{ id: V6[2]! }])).code).toBe("TooManyTargets");
    expect(errorOf(() => model.register(V4GROUP.arn, [{ id: "10.0.1.3" }])).code).toBe("TooManyTargets");
  });

  it("reports each group's IP address type in DescribeTargetGroups", () => {
    expect(model.describeGroups([V6GROUP.arn, V4GROUP.arn], []).map((g) => g.ipAddressType)).toEqual([
      "ipv6",
      "ipv4",
    ]);
  });
});

describe("sim faults aimed at one target group", () => {
  it("hit only calls about that target group", () => {
    const engine = new FaultEngine(seededRandom(1), Date.now, {});
    engine.replace({ "elbv2:RegisterTargets": { error: "AccessDenied", targetGroupArn: "arn:b" } });
    expect(engine.decide("elbv2:RegisterTargets", "arn:a").kind).toBe("pass");
    expect(engine.decide("elbv2:RegisterTargets", "arn:b").kind).toBe("error");
  });
});

describe("a world with several target groups and a dualstack ALB", () => {
  it("serves A and AAAA, lists the groups with their types and configures TARGET_GROUPS", async () => {
    const world = await startWorld({
      albIpCount: 4,
      albIpAddressType: "dualstack",
      targetGroups: [{ port: 80 }, { port: 443, ipAddressType: "ipv6" }],
    });
    try {
      const state = world.state();
      expect(state.alb.ipv6).toHaveLength(4);
      expect(state.targetGroups.map((g) => [g.port, g.ipAddressType])).toEqual([
        [80, "ipv4"],
        [443, "ipv6"],
      ]);
      expect(world.env().TARGET_GROUPS).toBe(
        world.info.targetGroups.map((g) => `${g.port}=${g.arn}`).join(","),
      );
      expect(world.env().ALB_LISTENER).toBeUndefined();
    } finally {
      await world.stop();
    }
  });
});
