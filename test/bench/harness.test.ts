/**
 * Smoke test of the benchmark harness: the statistics, the Markdown tables, and the baseline reference of the
 * original algorithm against the local AWS world with the real SDK clients (its DNS loop and its per-run cost).
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BaselineClients, baselineConfig, baselineLookup, runBaseline } from "../../bench/baseline.js";
import { table } from "../../bench/report.js";
import { quantile, ratio, summarize, wilsonLower } from "../../bench/stats.js";
import { startWorld, type World } from "../../sim/world.js";

describe("stats", () => {
  it("interpolates quantiles between order statistics", () => {
    // Prepare
    const values = [4, 1, 3, 2];
    // Act
    const median = quantile(values, 0.5);
    const p0 = quantile(values, 0);
    // Assess
    expect(median).toBe(2.5);
    expect(p0).toBe(1);
  });

  it("summarizes a sample with median and spread", () => {
    // Prepare
    const values = Array.from({ length: 101 }, (_, i) => i);
    // Act
    const s = summarize(values);
    // Assess
    expect(s).toMatchObject({ n: 101, min: 0, median: 50, p95: 95, p99: 99, max: 100 });
  });

  it("refuses an empty sample with a message that says what to do", () => {
    expect(() => summarize([])).toThrow(/at least one value/);
  });

  it("gives a Wilson lower bound below a perfect score and null ratios for zero denominators", () => {
    // Act
    const lower = wilsonLower(1000, 1000);
    // Assess
    expect(lower).toBeGreaterThan(0.995);
    expect(lower).toBeLessThan(1);
    expect(ratio(150, 30)).toBe(5);
    expect(ratio(1, 0)).toBeNull();
  });
});

describe("report", () => {
  it("renders a Markdown table with a separator row", () => {
    // Act
    const md = table(["N", "ours"], [["8", "1.000"]]);
    // Assess
    expect(md.split("\n")).toEqual(["| N | ours |", "| --- | --- |", "| 8 | 1.000 |"]);
  });
});

describe("baseline (the original algorithm)", () => {
  let world: World;
  let clients: BaselineClients;

  beforeAll(async () => {
    world = await startWorld({ albIpCount: 20, healthCheckDelayMs: 0, deregistrationDelayMs: 0 });
    const common = {
      region: world.info.region,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    };
    clients = {
      elbv2: new ElasticLoadBalancingV2Client({ ...common, endpoint: world.info.endpoints.elbv2 }),
      s3: new S3Client({
        ...common,
        endpoint: world.info.endpoints.s3,
        forcePathStyle: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
      }),
      cloudwatch: new CloudWatchClient({ ...common, endpoint: world.info.endpoints.cloudwatch }),
    };
  });

  afterAll(async () => {
    clients.elbv2.destroy();
    clients.s3.destroy();
    clients.cloudwatch.destroy();
    await world.stop();
  });

  it("looks up exactly MAX_LOOKUP times when every answer is full, finding only real ALB IPs", async () => {
    // Prepare
    const truth = new Set(world.state().alb.ips);
    // Act
    const result = await baselineLookup(world.info.albDnsName, [world.info.dns], 12);
    // Assess
    expect(result.queries).toBe(12);
    expect(result.ips.length).toBeGreaterThanOrEqual(8);
    for (const ip of result.ips) expect(truth.has(ip)).toBe(true);
  });

  it("stops after one lookup when the answer holds fewer than 8 IPs", async () => {
    // Prepare
    const small = await startWorld({ albIpCount: 5 });
    try {
      // Act
      const result = await baselineLookup(small.info.albDnsName, [small.info.dns], 50);
      // Assess
      expect(result.queries).toBe(1);
      expect(result.ips.sort()).toEqual(small.state().alb.ips.sort());
    } finally {
      await small.stop();
    }
  });

  it("registers what it finds, then costs 6 API calls and 2 S3 writes per run in steady state", async () => {
    // Prepare
    const config = baselineConfig({ ...world.env(), MAX_LOOKUP_PER_INVOCATION: "50" });
    await runBaseline(config, clients);
    const before = world.state().requests;
    // Act
    const steady = await runBaseline(config, clients);
    const after = world.state().requests;
    // Assess
    expect(steady.ok).toBe(true);
    const registered = new Set(world.state().targetGroups[0]?.targets.map((t) => t.ip));
    for (const ip of steady.ips) expect(registered.has(ip)).toBe(true);
    expect(after["s3:PutObject"]! - before["s3:PutObject"]!).toBe(2);
    expect(after["s3:GetObject"]! - before["s3:GetObject"]!).toBe(2);
    expect(after["elbv2:DescribeTargetHealth"]! - before["elbv2:DescribeTargetHealth"]!).toBe(1);
    expect(after["cloudwatch:PutMetricData"]! - before["cloudwatch:PutMetricData"]!).toBe(1);
    expect(steady.apiCalls.elbv2 + steady.apiCalls.s3 + steady.apiCalls.cloudwatch).toBe(6);
  });

  it("deregisters an IP after it was missing from three runs in a row", async () => {
    // Prepare
    const config = baselineConfig({ ...world.env(), MAX_LOOKUP_PER_INVOCATION: "50" });
    const ips = world.state().alb.ips;
    const gone = ips[0]!;
    world.setAlbIps(ips.slice(1));
    // Act
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await runBaseline(config, clients));
    // Assess
    expect(runs[0]?.deregistered).toEqual([]);
    expect(runs[1]?.deregistered).toEqual([]);
    expect(runs[2]?.deregistered).toEqual([gone]);
  });
});
