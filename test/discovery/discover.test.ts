import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ANSWER_LIMIT,
  type DiscoverOptions,
  discoverAlbIps,
  expectedAnswers,
  MAX_QUERIES_PER_SECOND,
  PROBE_QUERIES,
  queryBucketOf,
  sortIps,
} from "../../lambda/discovery/discover.js";
import { wholeSetMissBound } from "../../lambda/discovery/evidence.js";
import { createTokenBucket, QUERY_BURST } from "../../lambda/discovery/rate.js";
import { DiscoveryError } from "../../lambda/errors.js";
import { type DnsServer, startDnsServer } from "../../sim/dns.js";

const NAME = "internal-x-1.us-east-1.elb.amazonaws.com";

function ips(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Smallest q at which the stop rule holds for n IPs seen equally often (8q/n times each). */
function minimumQueries(n: number, target: number): number {
  let q = 1;
  while (wholeSetMissBound(Array(n).fill((ANSWER_LIMIT * q) / n), q) >= target) q++;
  return q;
}

describe("sortIps", () => {
  it("sorts numerically and removes duplicates", () => {
    // Act / Assess
    expect(sortIps(["10.0.0.10", "10.0.0.9", "9.255.255.255", "10.0.0.9"])).toEqual([
      "9.255.255.255",
      "10.0.0.9",
      "10.0.0.10",
    ]);
  });
});

describe("expectedAnswers", () => {
  it.each([
    [0, PROBE_QUERIES],
    [7, PROBE_QUERIES],
    [8, 8],
    [28, minimumQueries(28, 1e-6)],
    [100, minimumQueries(100, 1e-6)],
  ])("for %i IPs is %i, the stop rule's need when every IP is seen equally often", (n, expected) => {
    // Act / Assess
    expect(expectedAnswers(n, ANSWER_LIMIT, 1e-6)).toBe(expected);
  });
});

describe("discoverAlbIps against the sim DNS server", () => {
  let server: DnsServer;
  let base: DiscoverOptions;

  beforeAll(async () => {
    server = await startDnsServer();
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(async () => {
    // Let queries that an earlier test cancelled reach the server before counting afresh.
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.setFault(null);
    server.setLatency(0);
    server.resetStats();
    base = {
      name: NAME,
      servers: [{ host: server.host, port: server.port }],
      timeoutMs: 500,
      concurrency: 16,
      maxQueries: 1000,
      missProbability: 1e-6,
    };
  });

  // Trials per N. missProbability bounds the chance of missing any IP of the set in one run.
  it.each([
    [1, 500, 1e-6],
    [5, 500, 1e-6],
    [8, 1000, 1e-6],
    [9, 1000, 1e-6],
    [28, 300, 1e-6],
    [100, 100, 1e-6],
    [200, 30, 1e-6],
  ])("finds all %i IPs and reports complete in each of %i runs", async (n, trials, target) => {
    // Prepare
    server.setRecord(NAME, ips(n));
    const expected = ips(n);
    let wrong = 0;

    // Act
    for (let i = 0; i < trials; i++) {
      const observation = await discoverAlbIps({ ...base, missProbability: target });
      if (!observation.complete || observation.failed || observation.ips.join() !== expected.join()) wrong++;
    }

    // Assess
    expect(wrong).toBe(0);
  });

  it("needs two agreeing answers when the ALB has fewer than 8 IPs", async () => {
    // Prepare
    server.setRecord(NAME, ips(5));

    // Act
    const observation = await discoverAlbIps(base);

    // Assess
    expect(observation).toMatchObject({ ips: ips(5), queries: 2, answers: 2, complete: true, failed: false });
    expect(server.stats().queries).toBe(2);
  });

  it.each([
    [28, minimumQueries(28, 1e-6)],
    [100, minimumQueries(100, 1e-6)],
  ])("at N=%i with the default 1e-6 it uses close to the minimum of %i queries", async (n, minimum) => {
    // Prepare
    server.setRecord(NAME, ips(n));
    const queries: number[] = [];
    const durations: number[] = [];

    // Act
    for (let i = 0; i < 30; i++) {
      const observation = await discoverAlbIps(base);
      expect(observation.complete).toBe(true);
      queries.push(observation.queries);
      durations.push(observation.durationMs);
    }

    // Assess
    console.info(`N=${n}: median queries ${median(queries)}, median duration ${median(durations)} ms`);
    expect(median(queries)).toBeGreaterThanOrEqual(minimum);
    expect(median(queries)).toBeLessThanOrEqual(Math.ceil(minimum * 1.15) + 16);
  });

  it("stops at the cap with complete: false and no more queries than the cap", async () => {
    // Prepare
    server.setRecord(NAME, ips(100));

    // Act
    const observation = await discoverAlbIps({ ...base, maxQueries: 10 });

    // Assess
    expect(observation).toMatchObject({ complete: false, failed: false });
    expect(observation.queries).toBeLessThanOrEqual(10);
    expect(server.stats().queries).toBeLessThanOrEqual(10);
    expect(observation.ips.length).toBeGreaterThanOrEqual(8);
  });

  it.each(["timeout", "servfail"] as const)(
    "a server that only answers %s gives failed: true quickly",
    async (mode) => {
      // Prepare
      server.setRecord(NAME, ips(28));
      server.setFault({ mode });
      const timeoutMs = 200;
      const started = performance.now();

      // Act
      const observation = await discoverAlbIps({ ...base, timeoutMs });

      // Assess: a bound, not a benchmark (about 2 × timeout for a dead server).
      expect(observation).toMatchObject({ ips: [], answers: 0, failed: true, complete: false });
      expect(observation.errors[mode]).toBeGreaterThan(0);
      expect(observation.queries).toBeLessThan(base.maxQueries);
      expect(performance.now() - started).toBeLessThan(5 * timeoutMs);
    },
  );

  it.each(["nxdomain", "refused", "empty"] as const)(
    "%s answers are counted by kind, not thrown",
    async (mode) => {
      // Prepare
      server.setRecord(NAME, ips(28));
      server.setFault({ mode });

      // Act
      const observation = await discoverAlbIps(base);

      // Assess
      expect(observation.failed).toBe(true);
      expect(observation.errors[mode]).toBeGreaterThan(0);
      const others = Object.entries(observation.errors).filter(([kind]) => kind !== mode);
      expect(others.every(([, count]) => count === 0)).toBe(true);
    },
  );

  it("an unknown name gives failed with nxdomain counted", async () => {
    // Act
    const observation = await discoverAlbIps({ ...base, name: "gone-1.us-east-1.elb.amazonaws.com" });

    // Assess
    expect(observation.failed).toBe(true);
    expect(observation.errors.nxdomain).toBeGreaterThan(0);
  });

  it("completes despite intermittent SERVFAILs and counts them", async () => {
    // Prepare
    server.setRecord(NAME, ips(28));
    server.setFault({ mode: "servfail", probability: 0.3 });

    // Act
    const observation = await discoverAlbIps({ ...base, missProbability: 1e-9 });

    // Assess
    expect(observation).toMatchObject({ ips: ips(28), complete: true, failed: false });
    expect(observation.errors.servfail).toBeGreaterThan(0);
    expect(observation.answers + observation.errors.servfail).toBeLessThanOrEqual(observation.queries);
  });

  it("retries truncated UDP answers over TCP and completes", async () => {
    // Prepare
    server.setRecord(NAME, ips(28));
    server.setFault({ mode: "truncate" });

    // Act
    const observation = await discoverAlbIps({ ...base, missProbability: 1e-9 });

    // Assess
    expect(observation).toMatchObject({ ips: ips(28), complete: true });
    expect(server.stats().tcp).toBeGreaterThan(0);
  });

  it("calls flapping short answers incomplete, reports the union of both sets and stops by itself", async () => {
    // Prepare
    server.setRecord(NAME, ips(4));
    server.setFault({ mode: "flap" });

    // Act
    const observation = await discoverAlbIps({ ...base, concurrency: 1 });

    // Assess: two short sets that disagree prove nothing; querying ends once nothing new shows up.
    expect(observation.complete).toBe(false);
    expect(observation.ips).toHaveLength(8);
    expect(observation.ips).toEqual(expect.arrayContaining(ips(4)));
    expect(observation.notes.map((n) => n.code)).toEqual(["dns_answers_contradict"]);
    expect(observation.queries).toBeLessThan(40);
  });

  it("starts no query after the deadline", async () => {
    // Prepare
    server.setRecord(NAME, ips(28));

    // Act
    const observation = await discoverAlbIps({ ...base, deadline: Date.now() - 1 });

    // Assess
    expect(observation).toMatchObject({ queries: 0, failed: true, complete: false });
    expect(server.stats().queries).toBe(0);
  });

  it("cancels the queries still in flight at the deadline instead of waiting for them", async () => {
    // Prepare: every answer takes a second, the deadline is 100 ms away
    server.setRecord(NAME, ips(28));
    server.setLatency(1000);
    const started = performance.now();

    // Act
    const observation = await discoverAlbIps({ ...base, timeoutMs: 5000, deadline: Date.now() + 100 });

    // Assess: a bound, not a benchmark
    expect(performance.now() - started).toBeLessThan(600);
    expect(observation).toMatchObject({ complete: false, failed: true });
  });

  it("starts the run at a random server, so no single server decides every run", async () => {
    // Prepare: two honest servers; each run may send one query only
    const other = await startDnsServer();
    other.setRecord(NAME, ips(5));
    server.setRecord(NAME, ips(5));
    const servers = [
      { host: server.host, port: server.port },
      { host: other.host, port: other.port },
    ];

    // Act
    for (let i = 0; i < 30; i++) await discoverAlbIps({ ...base, concurrency: 1, maxQueries: 1, servers });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const counts = [server.stats().queries, other.stats().queries];
    await other.close();

    // Assess: both servers were first in some runs (all first: chance 2 × 2^-30)
    expect(counts[0]! + counts[1]!).toBe(30);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  it("stops starting queries at the deadline and reports incomplete", async () => {
    // Prepare: each query takes at least 60 ms, the deadline allows only a few.
    server.setRecord(NAME, ips(100));
    server.setLatency(60);

    // Act
    const observation = await discoverAlbIps({ ...base, concurrency: 1, deadline: Date.now() + 150 });

    // Assess
    expect(observation).toMatchObject({ complete: false, failed: false });
    expect(observation.queries).toBeGreaterThanOrEqual(1);
    expect(observation.queries).toBeLessThanOrEqual(4);
  });

  it("sends no more queries than its bucket holds", async () => {
    // Prepare: 100 IPs need about 240 queries; the bucket holds 10 and refills once a day.
    server.setRecord(NAME, ips(100));
    const queryBucket = createTokenBucket(Date.now(), { burst: 10, ratePerSecond: 1 / 86_400 });

    // Act
    const observation = await discoverAlbIps({ ...base, queryBucket, deadline: Date.now() + 2_000 });

    // Assess
    expect(observation).toMatchObject({ queries: 10, complete: false, failed: false });
    expect(server.stats().queries).toBe(10);
  });

  it("an A and an AAAA discovery sharing one bucket send no more than it holds together", async () => {
    // Prepare: a dualstack name of 100 addresses per family, one bucket of 30 for both.
    server.setRecord(NAME, [...ips(100), ...Array.from({ length: 100 }, (_, i) => `2600:1f18::${i + 1}`)]);
    const queryBucket = createTokenBucket(Date.now(), { burst: 30, ratePerSecond: 1 / 86_400 });
    const deadline = Date.now() + 2_000;

    // Act
    const [a, aaaa] = await Promise.all([
      discoverAlbIps({ ...base, concurrency: 8, queryBucket, deadline }),
      discoverAlbIps({ ...base, concurrency: 8, family: "ipv6", queryBucket, deadline }),
    ]);

    // Assess
    expect(a.queries + aaaa.queries).toBe(30);
    expect(a.queries).toBeGreaterThan(0);
    expect(aaaa.queries).toBeGreaterThan(0);
  });

  it("caps the rate of its own bucket at MAX_QUERIES_PER_SECOND whatever is asked", () => {
    // Act / Assess
    expect(queryBucketOf({ maxQueriesPerSecond: 100_000 }, 0)).toMatchObject({
      burst: QUERY_BURST,
      ratePerSecond: MAX_QUERIES_PER_SECOND,
    });
    expect(queryBucketOf({ maxQueriesPerSecond: 20 }, 0).ratePerSecond).toBe(20);
    const shared = createTokenBucket(0, { burst: 3 });
    expect(queryBucketOf({ queryBucket: shared, maxQueriesPerSecond: 20 }, 0)).toBe(shared);
  });

  it.each([
    [undefined, PROBE_QUERIES],
    [5, PROBE_QUERIES],
    [28, 16],
  ])(
    "sends a first wave of %s remembered IPs' worth (%i queries) before any answer",
    async (expectedIps, wave) => {
      // Prepare: answers take 2 s, the deadline ends the run long before the first one.
      server.setRecord(NAME, ips(28));
      server.setLatency(2_000);

      // Act
      const observation = await discoverAlbIps({
        ...base,
        timeoutMs: 5_000,
        expectedIps,
        deadline: Date.now() + 300,
      });

      // Assess
      expect(observation).toMatchObject({ queries: wave, answers: 0, failed: true });
    },
  );

  it("stops as it always did when the remembered size is wrong: the hint paces, the evidence decides", async () => {
    // Prepare: the container remembers 100 IPs, the ALB now has 28.
    server.setRecord(NAME, ips(28));

    // Act
    const observation = await discoverAlbIps({ ...base, expectedIps: 100 });

    // Assess
    expect(observation).toMatchObject({ ips: ips(28), complete: true });
    expect(observation.queries).toBeGreaterThanOrEqual(minimumQueries(28, 1e-6));
  });

  describe("with two servers", () => {
    let other: DnsServer;

    beforeAll(async () => {
      other = await startDnsServer();
    });

    afterAll(async () => {
      await other.close();
    });

    it.each(["servfail", "timeout"] as const)(
      "completes via the healthy server when the other always answers %s",
      async (mode) => {
        // Prepare
        server.setRecord(NAME, ips(28));
        other.setRecord(NAME, ips(28));
        other.setFault({ mode });
        other.resetStats();

        // Act
        const observation = await discoverAlbIps({
          ...base,
          timeoutMs: 200,
          missProbability: 1e-9,
          servers: [
            { host: other.host, port: other.port },
            { host: server.host, port: server.port },
          ],
        });

        // Assess
        expect(observation).toMatchObject({ ips: ips(28), complete: true, failed: false });
        expect(observation.errors[mode]).toBeGreaterThan(0);
        expect(other.stats().queries).toBeLessThan(server.stats().queries);
      },
    );

    it("spreads queries across healthy servers", async () => {
      // Prepare
      server.setRecord(NAME, ips(100));
      other.setRecord(NAME, ips(100));
      other.setFault(null);
      other.resetStats();

      // Act
      const observation = await discoverAlbIps({
        ...base,
        servers: [
          { host: other.host, port: other.port },
          { host: server.host, port: server.port },
        ],
      });

      // Assess
      expect(observation.complete).toBe(true);
      expect(other.stats().queries).toBeGreaterThan(observation.queries / 4);
      expect(server.stats().queries).toBeGreaterThan(observation.queries / 4);
    });
  });
});

describe("discoverAlbIps option checks", () => {
  const valid: DiscoverOptions = {
    name: NAME,
    servers: [{ host: "127.0.0.1", port: 53 }],
    timeoutMs: 500,
    concurrency: 16,
    maxQueries: 500,
    missProbability: 1e-6,
  };

  it.each([
    [{ concurrency: 33 }, /concurrency 33 must be an integer in 1\.\.32/],
    [{ concurrency: 0 }, /concurrency 0/],
    [{ maxQueries: 0 }, /maxQueries 0 must be an integer >= 1/],
    [{ missProbability: 0 }, /missProbability 0 must be in \(0, 1\)/],
    [{ missProbability: 1 }, /missProbability 1/],
    [{ timeoutMs: -1 }, /timeoutMs -1/],
    [{ maxQueriesPerSecond: 0 }, /maxQueriesPerSecond 0/],
    [{ name: "" }, /name "" must be a DNS name/],
  ] as Array<[Partial<DiscoverOptions>, RegExp]>)("rejects %o", async (override, message) => {
    // Act / Assess
    await expect(discoverAlbIps({ ...valid, ...override })).rejects.toThrow(message);
  });

  it("throws a DiscoveryError suggesting DNS_SERVERS when there is no server to ask", async () => {
    // Act / Assess
    const error = await discoverAlbIps({ ...valid, servers: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as DiscoveryError).code).toBe("discovery_failed");
    expect((error as Error).message).toMatch(/DNS_SERVERS/);
  });
});
