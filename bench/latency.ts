/**
 * Tables 2 and 3: the full bundled handler against the baseline handler, each in its own Lambda-like container
 * (sim/lambda-runtime.ts) against its own world with the same ALB, DNS 1 ms and AWS APIs 15 ms. Invocations
 * alternate ours/baseline (who goes first alternates too) after warm-up invocations that are not counted. Steady state: nothing to change. With changes: before every invocation one ALB IP is
 * replaced in both worlds (one to register, and after three runs one to deregister, each run).
 * Cost per invocation comes from the worlds' own request counters, not from the functions' self-reports.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { RunSummary } from "../lambda/reconcile.js";
import { startFunction } from "../sim/lambda-runtime.js";
import { startWorld, type World } from "../sim/world.js";
import { BASELINE_BUNDLE, LAMBDA_BUNDLE } from "./bundles.js";
import { ratio, type Summary, summarize } from "./stats.js";

/** Settings of the latency and cost run. */
export interface LatencyOptions {
  sizes: readonly number[];
  warmup: number;
  invocations: number;
  latency: { dns: number; aws: number };
}

/** Per-invocation cost as the world counted it. */
export interface Cost {
  /** AWS API calls per run (ELBv2, S3, CloudWatch), median and max. */
  apiCalls: { median: number; max: number; mean: number };
  /** S3 PutObject per run. */
  s3Writes: { median: number; max: number; mean: number };
  dnsQueries: { median: number; mean: number };
  /** Mean calls per API per run. */
  perApi: Record<string, number>;
  failedRuns: number;
}

/** One side (ours or baseline) of one scenario. */
export interface LatencySide {
  wallMs: Summary;
  cost: Cost;
}

/** One row of tables 2/3. */
export interface LatencyRow {
  n: number;
  scenario: "steady" | "changes";
  ours: LatencySide;
  baseline: LatencySide;
  /** baseline median / ours median, baseline p95 / ours p95. */
  speedup: { median: number | null; p95: number | null };
}

/** The measured floor: three sequential SDK round trips (S3 Get, Put, Get) against the same world. */
export interface Floor {
  nominalMs: number;
  measuredMs: Summary;
}

type Requests = Record<string, number>;

function delta(after: Requests, before: Requests): Requests {
  const out: Requests = {};
  for (const [api, n] of Object.entries(after)) {
    const d = n - (before[api] ?? 0);
    if (d !== 0) out[api] = d;
  }
  return out;
}

function cost(deltas: Requests[], failed: number): Cost {
  const calls = deltas.map((d) =>
    Object.entries(d)
      .filter(([api]) => api !== "dns")
      .reduce((s, [, n]) => s + n, 0),
  );
  const writes = deltas.map((d) => d["s3:PutObject"] ?? 0);
  const dns = deltas.map((d) => d.dns ?? 0);
  const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
  const perApi: Record<string, number> = {};
  for (const d of deltas) for (const [api, n] of Object.entries(d)) perApi[api] = (perApi[api] ?? 0) + n;
  for (const api of Object.keys(perApi))
    perApi[api] = Math.round(((perApi[api] ?? 0) / deltas.length) * 100) / 100;
  return {
    apiCalls: { median: summarize(calls).median, max: Math.max(...calls), mean: mean(calls) },
    s3Writes: { median: summarize(writes).median, max: Math.max(...writes), mean: mean(writes) },
    dnsQueries: { median: summarize(dns).median, mean: mean(dns) },
    perApi,
    failedRuns: failed,
  };
}

/** Replace the oldest ALB IP with a fresh one (the same in both worlds). */
function replaceOne(world: World, fresh: string): void {
  const ips = world.state().alb.ips;
  world.setAlbIps([...ips.slice(1), fresh]);
}

/**
 * Measure three sequential SDK round trips against a world with the given latency: the floor a run that reads,
 * acts and writes cannot beat.
 */
export async function measureFloor(latency: { dns: number; aws: number }, samples: number): Promise<Floor> {
  const world = await startWorld({ latency });
  const s3 = new S3Client({
    region: world.info.region,
    endpoint: world.info.endpoints.s3,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const times: number[] = [];
  try {
    const key = "floor.json";
    await s3.send(new PutObjectCommand({ Bucket: world.info.bucket, Key: key, Body: "{}" }));
    for (let i = 0; i < samples + 3; i++) {
      const t0 = performance.now();
      const got = await s3.send(new GetObjectCommand({ Bucket: world.info.bucket, Key: key }));
      await got.Body?.transformToString();
      await s3.send(new PutObjectCommand({ Bucket: world.info.bucket, Key: key, Body: `{"i":${i}}` }));
      const again = await s3.send(new GetObjectCommand({ Bucket: world.info.bucket, Key: key }));
      await again.Body?.transformToString();
      if (i >= 3) times.push(performance.now() - t0);
    }
  } finally {
    s3.destroy();
    await world.stop();
  }
  return { nominalMs: 3 * latency.aws, measuredMs: summarize(times) };
}

/**
 * Run tables 2 and 3 for every size.
 *
 * @example
 * const rows = await runLatency({ sizes: [28], warmup: 3, invocations: 10, latency: { dns: 1, aws: 15 } }, console.log);
 */
export async function runLatency(
  options: LatencyOptions,
  log: (line: string) => void,
): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  for (const n of options.sizes) {
    const common = {
      albIpCount: n,
      latency: options.latency,
      healthCheckDelayMs: 20,
      deregistrationDelayMs: 50,
    };
    const worlds = { ours: await startWorld(common), baseline: await startWorld(common) };
    const fns = {
      ours: await startFunction({ env: { ...worlds.ours.env(), LOG_LEVEL: "ERROR" }, bundle: LAMBDA_BUNDLE }),
      baseline: await startFunction({ env: worlds.baseline.env(), bundle: BASELINE_BUNDLE }),
    };
    try {
      let fresh = 0;
      const freshIp = () => {
        fresh += 1;
        return `10.0.${200 + Math.floor(fresh / 250)}.${1 + (fresh % 250)}`;
      };
      for (const scenario of ["steady", "changes"] as const) {
        const samples = {
          ours: { wall: [] as number[], deltas: [] as Requests[], failed: 0 },
          baseline: { wall: [] as number[], deltas: [] as Requests[], failed: 0 },
        };
        const total = options.warmup + options.invocations;
        for (let i = 0; i < total; i++) {
          if (scenario === "changes") {
            const ip = freshIp();
            replaceOne(worlds.ours, ip);
            replaceOne(worlds.baseline, ip);
          }
          // Alternate who goes first, so neither side always runs right after the other's burst of work.
          const order = i % 2 === 0 ? (["ours", "baseline"] as const) : (["baseline", "ours"] as const);
          for (const who of order) {
            const before = worlds[who].state().requests;
            const out = await fns[who].invoke<RunSummary>({
              source: "aws.events",
              "detail-type": "Scheduled Event",
            });
            const after = worlds[who].state().requests;
            if (i < options.warmup) continue;
            samples[who].wall.push(out.durationMs);
            samples[who].deltas.push(delta(after, before));
            if (!out.ok) samples[who].failed += 1;
          }
        }
        const ours = {
          wallMs: summarize(samples.ours.wall),
          cost: cost(samples.ours.deltas, samples.ours.failed),
        };
        const baseline = {
          wallMs: summarize(samples.baseline.wall),
          cost: cost(samples.baseline.deltas, samples.baseline.failed),
        };
        const row: LatencyRow = {
          n,
          scenario,
          ours,
          baseline,
          speedup: {
            median: ratio(baseline.wallMs.median, ours.wallMs.median),
            p95: ratio(baseline.wallMs.p95, ours.wallMs.p95),
          },
        };
        rows.push(row);
        log(
          `  N=${n} ${scenario}: ours ${ours.wallMs.median} ms (${ours.cost.apiCalls.median} calls), ` +
            `baseline ${baseline.wallMs.median} ms (${baseline.cost.apiCalls.median} calls), ×${row.speedup.median}`,
        );
      }
    } finally {
      await fns.ours.stop();
      await fns.baseline.stop();
      await worlds.ours.stop();
      await worlds.baseline.stop();
    }
  }
  return rows;
}
