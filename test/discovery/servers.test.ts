import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { discoverAlbIps } from "../../lambda/discovery/discover.js";
import {
  type BootstrapResolver,
  canonicalName,
  clearNameServerCache,
  findZone,
  resolveDiscoveryTarget,
  resolveDnsServers,
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

/** A fake resolver over fixed records: NS by zone, CNAME by name, A by name; anything else ENODATA. */
function fakeResolver(records: {
  ns?: Record<string, string[]>;
  cname?: Record<string, string>;
  a?: Record<string, string[]>;
  failNs?: string;
}): BootstrapResolver & { asked: string[] } {
  const asked: string[] = [];
  const absent = (name: string) => Object.assign(new Error(`queryX ENODATA ${name}`), { code: "ENODATA" });
  return {
    asked,
    resolveNs: async (name) => {
      asked.push(`NS ${name}`);
      if (name === records.failNs) throw Object.assign(new Error("timeout"), { code: "ETIMEOUT" });
      const ns = records.ns?.[name];
      if (!ns) throw absent(name);
      return ns;
    },
    resolve4: async (name) => {
      const a = records.a?.[name];
      if (!a) throw absent(name);
      return a;
    },
    resolveCname: async (name) => {
      const target = records.cname?.[name];
      if (!target) throw absent(name);
      return [target];
    },
  };
}

describe("findZone", () => {
  it.each([[NAME], [`dualstack.${NAME}`], [`${NAME}.`]])(
    "walks up the labels of %s until a name has NS records",
    async (name) => {
      // Prepare
      const resolver = fakeResolver({ ns: { [ZONE]: ["ns-1.awsdns-01.org"] } });

      // Act
      const found = await findZone(name, resolver);

      // Assess
      expect(found).toEqual({ zone: ZONE, nameServers: ["ns-1.awsdns-01.org"] });
    },
  );

  it("never asks a top-level domain and says what to set when no zone is found", async () => {
    // Prepare
    const resolver = fakeResolver({ ns: { com: ["a.gtld-servers.net"] } });

    // Act / Assess
    await expect(findZone("alb.example.com", resolver)).rejects.toThrow(/No zone .*DNS_SERVERS/);
    expect(resolver.asked).toEqual(["NS alb.example.com", "NS example.com"]);
  });

  it("reports a failed NS lookup as a DiscoveryError, not as an absent zone", async () => {
    // Prepare
    const resolver = fakeResolver({ ns: { [ZONE]: ["ns"] }, failNs: NAME });

    // Act / Assess
    await expect(findZone(NAME, resolver)).rejects.toThrow(DiscoveryError);
  });
});

describe("canonicalName", () => {
  it("follows a custom CNAME to the ALB's own name", async () => {
    // Prepare
    const resolver = fakeResolver({
      cname: { "app.example.com": "web.example.com", "web.example.com": NAME },
    });

    // Act / Assess
    await expect(canonicalName("App.Example.com.", resolver)).resolves.toBe(NAME);
  });

  it("gives up on a CNAME loop with a message naming the fix", async () => {
    // Prepare
    const resolver = fakeResolver({
      cname: { "a.example.com": "b.example.com", "b.example.com": "a.example.com" },
    });

    // Act / Assess
    await expect(canonicalName("a.example.com", resolver)).rejects.toThrow(
      /more than 8 CNAMEs; set ALB_DNS_NAME/,
    );
  });
});

describe("resolveDiscoveryTarget", () => {
  beforeEach(() => clearNameServerCache());

  it("queries the ALB's own name at its zone's servers when ALB_DNS_NAME is a custom CNAME", async () => {
    // Prepare
    const resolver = fakeResolver({
      cname: { "app.example.com": NAME },
      ns: { [ZONE]: ["ns-1.awsdns-01.org"] },
      a: { "ns-1.awsdns-01.org": ["205.251.192.1"] },
    });

    // Act
    const target = await resolveDiscoveryTarget("app.example.com", undefined, { resolver });

    // Assess
    expect(target).toEqual({ name: NAME, servers: [{ host: "205.251.192.1", port: 53 }] });
  });

  it("resolves host names in DNS_SERVERS and keeps IPs as they are", async () => {
    // Prepare
    const resolver = fakeResolver({ a: { "dns.corp.example": ["10.1.0.2", "10.1.0.3"] } });

    // Act
    const target = await resolveDiscoveryTarget(
      NAME,
      [
        { host: "dns.corp.example", port: 5353 },
        { host: "10.9.9.9", port: 53 },
      ],
      { resolver },
    );

    // Assess
    expect(target.servers).toEqual([
      { host: "10.1.0.2", port: 5353 },
      { host: "10.1.0.3", port: 5353 },
      { host: "10.9.9.9", port: 53 },
    ]);
  });

  it("fails with a DiscoveryError naming a DNS_SERVERS host that does not resolve", async () => {
    // Act / Assess
    await expect(
      resolveDiscoveryTarget(NAME, [{ host: "gone.corp.example", port: 53 }], { resolver: fakeResolver({}) }),
    ).rejects.toThrow(/DNS_SERVERS host "gone.corp.example" did not resolve/);
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
      /NS lookup for zone "[^"]*us-east-1\.elb\.amazonaws\.com".*ESERVFAIL/,
    );
    expect((error as Error).message).toMatch(/DNS_SERVERS/);
  });

  it("throws a DiscoveryError for a zone the server does not know", async () => {
    // Act
    const error = await resolveDnsServers("internal-y-2.nowhere.example.com", {
      resolver: bootstrap,
      port: sim.port,
    }).catch((e: unknown) => e);

    // Assess: every label up to the TLD was asked, none has NS records
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).toMatch(
      /No zone with NS records found above "internal-y-2\.nowhere\.example\.com"/,
    );
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
