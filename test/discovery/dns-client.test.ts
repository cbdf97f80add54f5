import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createDnsClient,
  type DnsClient,
  errorKind,
  formatServer,
  type QueryResult,
} from "../../lambda/discovery/dns-client.js";
import { type DnsServer, startDnsServer } from "../../sim/dns.js";

const NAME = "internal-x-1.us-east-1.elb.amazonaws.com";
const IPS = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];

describe("errorKind", () => {
  it.each([
    ["ESERVFAIL", "servfail"],
    ["ENOTFOUND", "nxdomain"],
    ["ETIMEOUT", "timeout"],
    ["EREFUSED", "refused"],
    ["ENODATA", "empty"],
    ["ECONNREFUSED", "other"],
    ["EBADRESP", "other"],
    [undefined, "other"],
  ] as const)("maps %s to %s", (code, kind) => {
    // Act / Assess
    expect(errorKind(code)).toBe(kind);
  });
});

describe("formatServer", () => {
  it("brackets IPv6 addresses and keeps IPv4 as host:port", () => {
    // Act / Assess
    expect(formatServer({ host: "127.0.0.1", port: 5353 })).toBe("127.0.0.1:5353");
    expect(formatServer({ host: "::1", port: 53 })).toBe("[::1]:53");
  });
});

describe("createDnsClient against the sim DNS server", () => {
  let server: DnsServer;
  let client: DnsClient;

  beforeEach(async () => {
    server = await startDnsServer();
    server.setRecord(NAME, IPS);
    client = createDnsClient({ host: server.host, port: server.port }, { timeoutMs: 300 });
  });

  afterEach(async () => {
    client.close();
    await server.close();
  });

  it("returns the addresses of a successful answer", async () => {
    // Act
    const result = await client.queryA(NAME);

    // Assess
    expect(result.ok && [...result.ips].sort()).toEqual(IPS);
  });

  it("open() sends nothing, and queries after it are answered", async () => {
    // Act
    client.open();
    client.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = server.stats().queries;
    const result = await client.queryA(NAME);

    // Assess
    expect(before).toBe(0);
    expect(result.ok).toBe(true);
    expect(server.stats().queries).toBe(1);
  });

  it("open() after close() opens nothing and queries stay cancelled", async () => {
    // Act
    client.close();
    client.open();
    const result = await client.queryA(NAME);

    // Assess
    expect(result).toMatchObject({ ok: false, code: "ECANCELLED" });
    expect(server.stats().queries).toBe(0);
  });

  // The mapping is checked against real c-ares behaviour, not assumed.
  it.each([
    ["servfail", "servfail"],
    ["nxdomain", "nxdomain"],
    ["refused", "refused"],
    ["empty", "empty"],
    ["timeout", "timeout"],
  ] as const)("maps the server's %s fault to kind %s", async (mode, kind) => {
    // Prepare
    server.setFault({ mode });

    // Act
    const result = await client.queryA(NAME);

    // Assess
    expect(result).toMatchObject({ ok: false, kind });
  });

  it("reports the AA flag and TTL: set by an authoritative server, clear and counting down from a cache", async () => {
    // Act
    const authoritative = await client.queryA(NAME);
    server.setBehaviour({ model: "caching", ttlSeconds: 60 });
    const cached = await client.queryA(NAME);
    server.setBehaviour(null);

    // Assess
    expect(authoritative).toMatchObject({ ok: true, authoritative: true, ttl: 60 });
    expect(cached).toMatchObject({ ok: true, authoritative: false });
  });

  it("reports an unknown name as nxdomain", async () => {
    // Act
    const result = await client.queryA("unknown.us-east-1.elb.amazonaws.com");

    // Assess
    expect(result).toMatchObject({ ok: false, kind: "nxdomain", code: "ENOTFOUND" });
  });

  it("enforces its own time budget for a dropped query", async () => {
    // Prepare
    server.setFault({ mode: "timeout" });
    const started = performance.now();

    // Act
    const result = await client.queryA(NAME);

    // Assess: a generous bound, c-ares alone would wait about 2x.
    expect(result).toMatchObject({ ok: false, kind: "timeout" });
    expect(performance.now() - started).toBeLessThan(300 * 5);
  });

  it("retries a timed-out query when tries > 1", async () => {
    // Prepare
    const retrying = createDnsClient({ host: server.host, port: server.port }, { timeoutMs: 200, tries: 2 });
    server.setFault({ mode: "timeout", remaining: 1 });

    // Act
    const result = await retrying.queryA(NAME);
    retrying.close();

    // Assess
    expect(result.ok).toBe(true);
    expect(server.stats().queries).toBe(2);
  });

  it("does not retry a SERVFAIL (another server is the better retry)", async () => {
    // Prepare
    const retrying = createDnsClient({ host: server.host, port: server.port }, { timeoutMs: 200, tries: 3 });
    server.setFault({ mode: "servfail" });

    // Act
    const result = await retrying.queryA(NAME);
    retrying.close();

    // Assess
    expect(result).toMatchObject({ ok: false, kind: "servfail" });
    expect(server.stats().queries).toBe(1);
  });

  it("falls back to TCP when the UDP answer is truncated", async () => {
    // Prepare
    server.setFault({ mode: "truncate" });

    // Act
    const result = await client.queryA(NAME);

    // Assess
    expect(result.ok && [...result.ips].sort()).toEqual(IPS);
    expect(server.stats()).toMatchObject({ udp: 1, tcp: 1 });
  });

  it("does not cache: every query reaches the server", async () => {
    // Act
    for (let i = 0; i < 5; i++) await client.queryA(NAME);

    // Assess
    expect(server.stats().queries).toBe(5);
  });

  it("runs many queries concurrently on one client", async () => {
    // Prepare
    server.setRecord(
      NAME,
      Array.from({ length: 40 }, (_, i) => `10.1.0.${i + 1}`),
    );

    // Act
    const results = await Promise.all(Array.from({ length: 32 }, () => client.queryA(NAME)));

    // Assess
    expect(results.every((r) => r.ok && r.ips.length === 8)).toBe(true);
    expect(server.stats().queries).toBe(32);
  });

  it("a timeout of one query does not disturb a concurrent one", async () => {
    // Prepare: the first query is dropped, the second answered.
    server.setFault({ mode: "timeout", remaining: 1 });

    // Act
    const first = client.queryA(NAME);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = client.queryA(NAME);
    const results: QueryResult[] = await Promise.all([first, second]);

    // Assess
    expect(results[0]).toMatchObject({ ok: false, kind: "timeout" });
    expect(results[1]?.ok).toBe(true);
  });

  it("close() cancels a query in flight", async () => {
    // Prepare
    server.setLatency(1000);
    const slow = createDnsClient({ host: server.host, port: server.port }, { timeoutMs: 2000 });
    const pending = slow.queryA(NAME);

    // Act
    slow.close();
    const result = await pending;

    // Assess
    expect(result).toMatchObject({ ok: false, kind: "other" });
  });

  it("reports a closed port as kind other", async () => {
    // Prepare
    const gone = await startDnsServer();
    const port = gone.port;
    await gone.close();
    const toNowhere = createDnsClient({ host: "127.0.0.1", port }, { timeoutMs: 300 });

    // Act
    const result = await toNowhere.queryA(NAME);
    toNowhere.close();

    // Assess: ECONNREFUSED from the ICMP port-unreachable, or our timeout on platforms without it.
    expect(result.ok).toBe(false);
    expect(["other", "timeout"]).toContain(result.ok ? "" : result.kind);
  });
});

describe("createDnsClient validation", () => {
  it.each([
    [{ host: "ns-1.awsdns-01.org", port: 53 }, { timeoutMs: 100 }, /not an IP address/],
    [{ host: "127.0.0.1", port: 0 }, { timeoutMs: 100 }, /port 0 is not an integer in 1\.\.65535/],
    [{ host: "127.0.0.1", port: 53 }, { timeoutMs: 0 }, /timeoutMs 0 must be a positive number/],
    [{ host: "127.0.0.1", port: 53 }, { timeoutMs: 100, tries: 0 }, /tries 0 must be an integer in 1\.\.10/],
  ])("rejects %o %o", (server, options, message) => {
    // Act / Assess
    expect(() => createDnsClient(server, options)).toThrow(message);
  });
});
