/** Discovery of a dualstack ALB's IPv6 addresses (AAAA): the same evidence rules as for A, per family. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ipFamily, isCanonicalIp } from "../../lambda/core/ip.js";
import { discoverAlbIps } from "../../lambda/discovery/discover.js";
import { type DnsServer, startDnsServer } from "../../sim/dns.js";
import { pairedIpv6, parseCidr6 } from "../../sim/ip.js";
import { seededRandom } from "../../sim/random.js";

const NAME = "internal-x-1.us-east-1.elb.amazonaws.com";
const CIDR6 = parseCidr6("2600:1f18:4a3:6a00::/56");
const V4 = Array.from({ length: 40 }, (_, i) => `10.0.${i % 3}.${i + 10}`);
const V6 = V4.map((ip) => pairedIpv6(CIDR6, ip));

let server: DnsServer;
beforeAll(async () => {
  server = await startDnsServer({ random: seededRandom(9) });
});
afterAll(async () => {
  await server.close();
});

const options = (family: "ipv4" | "ipv6") => ({
  name: NAME,
  family,
  servers: [{ host: server.host, port: server.port }],
  timeoutMs: 500,
  concurrency: 8,
  maxQueries: 1000,
  missProbability: 1e-6,
});

describe("discoverAlbIps with family ipv6", () => {
  it("finds every IPv6 address of 40, in canonical text, complete, and never an IPv4 one", async () => {
    // Prepare
    server.setRecord(NAME, [...V4, ...V6]);

    // Act
    const six = await discoverAlbIps(options("ipv6"));
    const four = await discoverAlbIps(options("ipv4"));

    // Assess
    expect(six.complete).toBe(true);
    expect([...six.ips].sort()).toEqual([...V6].sort());
    for (const ip of six.ips) expect(isCanonicalIp(ip, "ipv6")).toBe(true);
    expect(four.ips.every((ip) => ipFamily(ip) === "ipv4")).toBe(true);
    expect([...four.ips].sort()).toEqual([...V4].sort());
  });

  it("is a failed observation of empty answers when the ALB has no IPv6 address", async () => {
    // Prepare
    server.setRecord(NAME, V4);

    // Act
    const six = await discoverAlbIps(options("ipv6"));

    // Assess
    expect(six.failed).toBe(true);
    expect(six.ips).toEqual([]);
    expect(six.errors.empty).toBeGreaterThan(0);
    expect({ ...six.errors, empty: 0 }).toEqual({
      servfail: 0,
      nxdomain: 0,
      timeout: 0,
      refused: 0,
      empty: 0,
      other: 0,
    });
  });

  it("applies the short-answer rule to AAAA as to A: a short answer alone is not the whole set", async () => {
    // Prepare: a server that answers 3 of the 40 on every AAAA query
    server.setRecord(NAME, [...V4, ...V6]);
    server.setBehaviour({ model: "short", size: 3 });

    // Act
    const six = await discoverAlbIps({ ...options("ipv6"), maxQueries: 60 });
    server.setBehaviour(null);

    // Assess
    expect(six.complete).toBe(false);
  });
});
