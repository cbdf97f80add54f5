import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { discoverAlbIps } from "../../lambda/discovery/discover.js";
import {
  type BootstrapResolver,
  clearNameServerCache,
  resolveDnsServers,
  zoneOf,
} from "../../lambda/discovery/servers.js";
import { DiscoveryError } from "../../lambda/errors.js";
import { type DnsServer, startDnsServer } from "../../sim/dns.js";

const NAME = "internal-x-1.us-east-1.elb.amazonaws.com";
const ZONE = "us-east-1.elb.amazonaws.com";

/** A bootstrap resolver that must not be called (to prove a cache hit). */
const unreachable: BootstrapResolver = {
  resolveNs: async (name) => {
    throw new Error(`unexpected NS lookup of ${name}`);
  },
  resolve4: async (name) => {
    throw new Error(`unexpected A lookup of ${name}`);
  },
};

describe("zoneOf", () => {
  it.each([
    [NAME, ZONE],
    ["my-alb-123.eu-west-1.elb.amazonaws.com.", "eu-west-1.elb.amazonaws.com"],
    ["Internal-X-1.US-EAST-1.elb.amazonaws.com", ZONE],
  ])("%s -> %s", (name, zone) => {
    // Act / Assess
    expect(zoneOf(name)).toBe(zone);
  });

  it.each(["localhost", "alb.com", ""])("rejects %j with a DiscoveryError naming the value", (name) => {
    // Act / Assess
    expect(() => zoneOf(name)).toThrow(DiscoveryError);
    expect(() => zoneOf(name)).toThrow(JSON.stringify(name));
  });
});

describe("resolveDnsServers with a bootstrap resolver pointed at the sim", () => {
  let sim: DnsServer;
  let bootstrap: Resolver;

  beforeAll(async () => {
    sim = await startDnsServer();
    bootstrap = new Resolver({ timeout: 300, tries: 1 });
    bootstrap.setServers([`${sim.host}:${sim.port}`]);
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    clearNameServerCache();
    sim.setFault(null);
  });

  it("finds the zone's name servers, resolves them and returns their addresses on the given port", async () => {
    // Prepare
    sim.setNameServers(ZONE, [
      { name: "ns-1.awsdns-01.org", ip: "127.0.0.2" },
      { name: "ns-2.awsdns-02.net", ip: "127.0.0.1" },
    ]);

    // Act
    const servers = await resolveDnsServers(NAME, { resolver: bootstrap, port: sim.port });

    // Assess
    expect(servers).toEqual([
      { host: "127.0.0.1", port: sim.port },
      { host: "127.0.0.2", port: sim.port },
    ]);
  });

  it("feeds discovery end to end: NS lookup, then A queries to the found server", async () => {
    // Prepare
    sim.setNameServers(ZONE, [{ name: "ns-1.awsdns-01.org", ip: "127.0.0.1" }]);
    const ips = Array.from({ length: 12 }, (_, i) => `10.0.3.${i + 1}`);
    sim.setRecord(NAME, ips);

    // Act
    const servers = await resolveDnsServers(NAME, { resolver: bootstrap, port: sim.port });
    const observation = await discoverAlbIps({
      name: NAME,
      servers,
      timeoutMs: 300,
      concurrency: 8,
      maxQueries: 200,
      missProbability: 1e-9,
    });

    // Assess
    expect(observation).toMatchObject({ ips, complete: true, failed: false });
  });

  it("skips name servers whose address lookup fails and keeps the others", async () => {
    // Prepare: the sim serves NS names only for this zone; add a name with no A record.
    sim.setNameServers(ZONE, [{ name: "ns-1.awsdns-01.org", ip: "127.0.0.1" }]);
    const partial: BootstrapResolver = {
      resolveNs: async () => ["ns-1.awsdns-01.org", "ns-missing.awsdns-99.com"],
      resolve4: (name) => bootstrap.resolve4(name),
    };

    // Act
    const servers = await resolveDnsServers(NAME, { resolver: partial, port: sim.port });

    // Assess
    expect(servers).toEqual([{ host: "127.0.0.1", port: sim.port }]);
  });

  it("throws a DiscoveryError suggesting DNS_SERVERS when the NS lookup fails", async () => {
    // Prepare
    sim.setNameServers(ZONE, [{ name: "ns-1.awsdns-01.org", ip: "127.0.0.1" }]);
    sim.setFault({ mode: "servfail" });

    // Act
    const error = await resolveDnsServers(NAME, { resolver: bootstrap, port: sim.port }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as DiscoveryError).code).toBe("discovery_failed");
    expect((error as Error).message).toMatch(
      /NS lookup for zone "us-east-1\.elb\.amazonaws\.com".*ESERVFAIL/,
    );
    expect((error as Error).message).toMatch(/DNS_SERVERS/);
  });

  it("throws a DiscoveryError for a zone the server does not know", async () => {
    // Act
    const error = await resolveDnsServers("internal-y-2.nowhere.example.com", {
      resolver: bootstrap,
      port: sim.port,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).toMatch(/ENOTFOUND/);
  });

  it("throws a DiscoveryError listing the name servers when none resolves", async () => {
    // Prepare
    const noAddresses: BootstrapResolver = {
      resolveNs: async () => ["ns-a.example.net", "ns-b.example.net"],
      resolve4: async (name) => {
        throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: "ENOTFOUND" });
      },
    };

    // Act
    const error = await resolveDnsServers(NAME, { resolver: noAddresses }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).toMatch(/None of the 2 name servers.*ns-a\.example\.net.*DNS_SERVERS/);
  });

  it("caches the list per container until the TTL expires", async () => {
    // Prepare
    sim.setNameServers(ZONE, [{ name: "ns-1.awsdns-01.org", ip: "127.0.0.1" }]);
    let now = 1_000_000;
    const clock = () => now;
    const first = await resolveDnsServers(NAME, { resolver: bootstrap, port: sim.port, now: clock });

    // Act
    now += 59 * 60 * 1000;
    const cached = await resolveDnsServers(NAME, { resolver: unreachable, port: sim.port, now: clock });
    now += 2 * 60 * 1000;
    const expired = await resolveDnsServers(NAME, {
      resolver: unreachable,
      port: sim.port,
      now: clock,
    }).catch((e: unknown) => e);

    // Assess
    expect(cached).toEqual(first);
    expect(expired).toBeInstanceOf(DiscoveryError);
  });

  it("does not cache failures", async () => {
    // Prepare
    sim.setNameServers(ZONE, [{ name: "ns-1.awsdns-01.org", ip: "127.0.0.1" }]);
    await resolveDnsServers(NAME, { resolver: unreachable, port: sim.port }).catch(() => undefined);

    // Act
    const servers = await resolveDnsServers(NAME, { resolver: bootstrap, port: sim.port });

    // Assess
    expect(servers).toEqual([{ host: "127.0.0.1", port: sim.port }]);
  });
});
