/**
 * Tables 6 and 7: answers that are not uniform samples.
 *
 * - Table 6, completeness for AZ-balanced answers: our discovery (`discoverAlbIps`, default settings) against a
 *   sim DNS server whose answers are spread over AZ groups of unequal size, next to uniform answers; P(all found),
 *   the observed whole-set miss rate, queries, and the share of runs the evidence rules call complete.
 * - Table 7, safety: the bundled handler, run after run, against a 20-IP ALB that loses and gains IPs now and then,
 *   with each hostile DNS behaviour in force: live IPs deregistered (must be 0), dead IPs removed, registrations.
 */
import { CONFIG_DEFAULTS } from "../lambda/config/index.js";
import { discoverAlbIps } from "../lambda/discovery/index.js";
import type { RunSummary } from "../lambda/reconcile.js";
import { startDnsServer } from "../sim/dns.js";
import type { DnsBehaviour } from "../sim/dns-answers.js";
import { startFunction } from "../sim/lambda-runtime.js";
import { seededRandom } from "../sim/random.js";
import { startWorld } from "../sim/world.js";
import { type Summary, summarize, wilsonLower } from "./stats.js";

const NAME = "internal-bench-alb-1.us-east-1.elb.amazonaws.com";

/** One row of table 6. */
export interface AzRow {
  label: string;
  n: number;
  runs: number;
  allFound: number;
  pAllFound: number;
  pAllFoundLower95: number;
  /** 1 − P(all found): the observed chance of missing some IP of the set in one run. */
  missRate: number;
  completeShare: number;
  queries: Summary;
}

/** Table 6: P(all found) with AZ-balanced and uniform answers, `runs` fresh discoveries per row. */
export async function runAzCompleteness(
  rows: ReadonlyArray<{ label: string; groups: number[] }>,
  runs: number,
  log: (line: string) => void,
): Promise<AzRow[]> {
  const server = await startDnsServer({ random: seededRandom(61) });
  const out: AzRow[] = [];
  try {
    for (const row of rows) {
      const n = row.groups.reduce((a, b) => a + b, 0);
      const ips = Array.from({ length: n }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);
      server.setRecord(NAME, ips);
      server.setBehaviour(row.groups.length > 1 ? { model: "azBalanced", groups: row.groups } : null);
      const queries: number[] = [];
      let allFound = 0;
      let complete = 0;
      const one = async () => {
        const o = await discoverAlbIps({
          name: NAME,
          servers: [{ host: server.host, port: server.port }],
          timeoutMs: CONFIG_DEFAULTS.DNS_TIMEOUT_MS,
          concurrency: CONFIG_DEFAULTS.DNS_CONCURRENCY,
          maxQueries: CONFIG_DEFAULTS.MAX_LOOKUP_PER_INVOCATION,
          missProbability: CONFIG_DEFAULTS.MISS_PROBABILITY,
        });
        queries.push(o.queries);
        if (o.ips.length === n) allFound += 1;
        if (o.complete) complete += 1;
      };
      let started = 0;
      const worker = async () => {
        while (started < runs) {
          started += 1;
          await one();
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      const result: AzRow = {
        label: row.label,
        n,
        runs,
        allFound,
        pAllFound: allFound / runs,
        pAllFoundLower95: Math.round(wilsonLower(allFound, runs) * 10_000) / 10_000,
        missRate: 1 - allFound / runs,
        completeShare: complete / runs,
        queries: summarize(queries),
      };
      out.push(result);
      log(`  ${row.label}: P(all)=${result.pAllFound.toFixed(4)} q50=${result.queries.median}`);
    }
  } finally {
    await server.close();
  }
  return out;
}

/** One hostile behaviour of table 7. */
export interface SafetyScenario {
  label: string;
  /** Answer models of the two DNS servers. */
  dns: ReadonlyArray<DnsBehaviour | null>;
  /** Servers the function is told about (indices). */
  servers: number[];
  /** Every target reports unhealthy in some runs (a health-check outage). */
  outages?: boolean;
}

/** One row of table 7. */
export interface SafetyRow {
  label: string;
  runs: number;
  liveDeregistered: number;
  deregistered: number;
  registered: number;
  completeShare: number;
  /** ALB IPs registered at the end / ALB IPs. */
  registeredAtEnd: string;
  /** IPs that left the ALB during the day and are still registered at the end (waiting for evidence). */
  deadLeftAtEnd: number;
}

/**
 * Table 7: `runs` runs of `bundle` per scenario (one run = one simulated minute), the ALB losing 2 and gaining 2
 * IPs every 60 runs; a run's live IPs are those in DNS when it starts.
 */
export async function runSafety(
  scenarios: readonly SafetyScenario[],
  runs: number,
  log: (line: string) => void,
  bundle?: string,
): Promise<SafetyRow[]> {
  const out: SafetyRow[] = [];
  for (const scenario of scenarios) {
    const world = await startWorld({
      albIpCount: 20,
      dnsServers: 2,
      healthCheckDelayMs: 15,
      deregistrationDelayMs: 30,
      seed: 73,
    });
    try {
      const env = {
        ...world.env(),
        LOG_LEVEL: "ERROR",
        DNS_TIMEOUT_MS: "250",
        DNS_SERVERS: scenario.servers.map((i) => world.info.dnsServers[i]).join(","),
      };
      const fn = await startFunction({ env, timeoutMs: 50_000, ...(bundle ? { bundle } : {}) });
      const staleList = world.state().alb.ips.slice(0, 5);
      const row: SafetyRow = {
        label: scenario.label,
        runs,
        liveDeregistered: 0,
        deregistered: 0,
        registered: 0,
        completeShare: 0,
        registeredAtEnd: "",
        deadLeftAtEnd: 0,
      };
      const left = new Set<string>();
      let complete = 0;
      try {
        await fn.invoke({ source: "aws.events", "detail-type": "Scheduled Event" }); // synced
        world.setDnsBehaviours(
          scenario.dns.map((b) => (b?.model === "stale" ? { ...b, ips: staleList } : b)),
        );
        for (let minute = 1; minute <= runs; minute++) {
          if (minute % 60 === 0) {
            const ips = world.state().alb.ips;
            for (const ip of ips.slice(0, 2)) left.add(ip);
            world.setAlbIps(ips.slice(2));
            world.scaleAlb(ips.length);
          }
          if (scenario.outages && minute % 45 === 0) world.setHealthOutage(200);
          const alive = new Set(world.state().alb.ips);
          const result = await fn.invoke<RunSummary>({
            source: "aws.events",
            "detail-type": "Scheduled Event",
          });
          const summary = result.result;
          if (summary?.targetGroups[0]?.discovery.complete) complete += 1;
          row.registered += summary?.targetGroups[0]?.registered.length ?? 0;
          row.deregistered += summary?.targetGroups[0]?.deregistered.length ?? 0;
          row.liveDeregistered += (summary?.targetGroups[0]?.deregistered ?? []).filter((ip) =>
            alive.has(ip),
          ).length;
          await new Promise((resolve) => setTimeout(resolve, 20)); // the health checks judge between runs
        }
      } finally {
        await fn.stop();
      }
      const state = world.state();
      const active = new Set(
        (state.targetGroups[0]?.targets ?? []).filter((t) => t.state !== "draining").map((t) => t.ip),
      );
      const alb = state.alb.ips;
      row.completeShare = complete / runs;
      row.registeredAtEnd = `${alb.filter((ip) => active.has(ip)).length}/${alb.length}`;
      row.deadLeftAtEnd = [...left].filter((ip) => active.has(ip) && !alb.includes(ip)).length;
      out.push(row);
      log(`  ${scenario.label}: live deregistered ${row.liveDeregistered}, deregistered ${row.deregistered}`);
    } finally {
      await world.stop();
    }
  }
  return out;
}

/** The hostile behaviours of table 7 (the cases of the safety section of docs/performance.md). */
export const SAFETY_SCENARIOS: readonly SafetyScenario[] = [
  { label: "uniform answers (honest servers)", dns: [], servers: [0, 1] },
  {
    label: "caching resolver as the only DNS server",
    dns: [{ model: "caching", ttlSeconds: 60 }],
    servers: [0],
  },
  {
    label: "stale first server (5 old IPs) + honest second",
    dns: [{ model: "stale", ips: ["0.0.0.0"] }],
    servers: [0, 1],
  },
  {
    label: "random 3-IP short answers (p = 0.7)",
    dns: [{ model: "short", size: 3, probability: 0.7 }],
    servers: [0, 1],
  },
  {
    label: "AZ-balanced answers (6 + 6 + 8)",
    dns: [
      { model: "azBalanced", groups: [6, 6, 8] },
      { model: "azBalanced", groups: [6, 6, 8] },
    ],
    servers: [0, 1],
  },
  {
    label: "second server serves another set",
    dns: [null, { model: "fixed", ips: ["10.0.252.1", "10.0.252.2", "10.0.252.3"] }],
    servers: [0, 1],
  },
  { label: "health-check outages (every target unhealthy, 200 ms)", dns: [], servers: [0, 1], outages: true },
];
