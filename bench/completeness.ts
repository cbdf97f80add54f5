/**
 * Table 1: does one invocation's discovery step find every ALB IP? Ours (`discoverAlbIps` with the default
 * settings) against the original's loop (50 sequential lookups, early stop only on an answer with < 8 IPs),
 * over many invocations per ALB size against the simulated authoritative DNS (1 ms latency, in its own process).
 *
 * Invocations run in concurrent batches to fit the time budget; each one keeps its own behaviour (ours its
 * waves of up to 16 queries, the baseline one query after the other). Wall times come from a first phase of
 * invocations run one at a time, alternating ours and baseline, with nothing else running; only then do the
 * batches start (and, if given, `alongside` work that measures no time, like the convergence day).
 */
import { Resolver } from "node:dns/promises";
import { CONFIG_DEFAULTS } from "../lambda/config/index.js";
import { discoverAlbIps } from "../lambda/discovery/index.js";
import { BASELINE_MAX_LOOKUP, baselineLookup } from "./baseline.js";
import { startSimProcess } from "./sim-process.js";
import { type Summary, summarize, wilsonLower } from "./stats.js";

/** Settings of the completeness run. */
export interface CompletenessOptions {
  sizes: readonly number[];
  /** Invocations per size and algorithm for P(all found) and queries. */
  invocations: number;
  /** Invocations per size and algorithm, one at a time, for wall time. */
  timedInvocations: number;
  /** Invocations in flight (ours, baseline). */
  batch: { ours: number; baseline: number };
  dnsLatencyMs: number;
}

/** One algorithm at one size. */
export interface CompletenessSide {
  invocations: number;
  allFound: number;
  pAllFound: number;
  /** 95 % Wilson lower bound of P(all found). */
  pAllFoundLower95: number;
  /** Mean share of the N IPs found. */
  meanFoundShare: number;
  queries: Summary;
  wallMs: Summary;
  failures: number;
}

/** One row of table 1. */
export interface CompletenessRow {
  n: number;
  ours: CompletenessSide;
  baseline: CompletenessSide;
}

type Attempt = { found: number; queries: number; ok: boolean };

const resolvers = new Map<string, Resolver[]>();
let resolverTurn = 0;
/** One of a few long-lived resolvers for `server` (round robin). */
function sharedResolver(server: string): Resolver {
  let pool = resolvers.get(server);
  if (!pool) {
    pool = Array.from({ length: 8 }, () => {
      const r = new Resolver({ timeout: 2000, tries: 1 });
      r.setServers([server]);
      return r;
    });
    resolvers.set(server, pool);
  }
  resolverTurn = (resolverTurn + 1) % pool.length;
  return pool[resolverTurn] as Resolver;
}

async function inBatches(total: number, batch: number, run: () => Promise<Attempt>): Promise<Attempt[]> {
  const results: Attempt[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next += 1;
      results.push(await run());
    }
  };
  await Promise.all(Array.from({ length: Math.min(batch, total) }, worker));
  return results;
}

function side(attempts: Attempt[], n: number, wall: number[]): CompletenessSide {
  const allFound = attempts.filter((a) => a.ok && a.found === n).length;
  return {
    invocations: attempts.length,
    allFound,
    pAllFound: allFound / attempts.length,
    pAllFoundLower95: Math.round(wilsonLower(allFound, attempts.length) * 10_000) / 10_000,
    meanFoundShare:
      Math.round((attempts.reduce((s, a) => s + a.found, 0) / attempts.length / n) * 10_000) / 10_000,
    queries: summarize(attempts.map((a) => a.queries)),
    wallMs: summarize(wall),
    failures: attempts.filter((a) => !a.ok).length,
  };
}

/**
 * Run table 1 for every size in `options.sizes`; `alongside` starts after the timed phase and is awaited.
 *
 * @example
 * const rows = await runCompleteness({ sizes: [8, 28], invocations: 100, timedInvocations: 10,
 *   batch: { ours: 8, baseline: 32 }, dnsLatencyMs: 1 }, console.log);
 */
export async function runCompleteness(
  options: CompletenessOptions,
  log: (line: string) => void,
  alongside?: () => Promise<void>,
): Promise<CompletenessRow[]> {
  const sim = await startSimProcess(["--latency-dns-ms", String(options.dnsLatencyMs)]);
  const rows: CompletenessRow[] = [];
  let background: Promise<void> | undefined;
  try {
    const [host, port] = sim.info.dns.split(":");
    const servers = [{ host: host ?? "127.0.0.1", port: Number(port) }];
    const name = sim.info.albDnsName;
    const algorithms = async (n: number) => {
      const truth = new Set(await sim.control.alb({ count: n }));
      const ours = async (): Promise<Attempt & { ms: number }> => {
        const t0 = performance.now();
        const o = await discoverAlbIps({
          name,
          servers,
          timeoutMs: CONFIG_DEFAULTS.DNS_TIMEOUT_MS,
          concurrency: CONFIG_DEFAULTS.DNS_CONCURRENCY,
          maxQueries: CONFIG_DEFAULTS.MAX_LOOKUP_PER_INVOCATION,
          missProbability: CONFIG_DEFAULTS.MISS_PROBABILITY,
        });
        const ms = performance.now() - t0;
        return { found: o.ips.filter((ip) => truth.has(ip)).length, queries: o.queries, ok: !o.failed, ms };
      };
      const baseline = async (shared?: Resolver): Promise<Attempt & { ms: number }> => {
        const t0 = performance.now();
        try {
          const r = await baselineLookup(name, [sim.info.dns], BASELINE_MAX_LOOKUP, undefined, shared);
          const ms = performance.now() - t0;
          return { found: r.ips.filter((ip) => truth.has(ip)).length, queries: r.queries, ok: true, ms };
        } catch {
          return { found: 0, queries: 0, ok: false, ms: performance.now() - t0 };
        }
      };
      return { ours, baseline };
    };

    // Phase 1, nothing else running: wall time, one invocation at a time, alternating ours and baseline.
    const timed = new Map<
      number,
      { wall: { ours: number[]; baseline: number[] }; ours: Attempt[]; baseline: Attempt[] }
    >();
    for (const n of options.sizes) {
      const run = await algorithms(n);
      const entry = {
        wall: { ours: [] as number[], baseline: [] as number[] },
        ours: [] as Attempt[],
        baseline: [] as Attempt[],
      };
      for (let i = 0; i < options.timedInvocations; i++) {
        const a = await run.ours();
        entry.wall.ours.push(a.ms);
        entry.ours.push(a);
        const b = await run.baseline();
        entry.wall.baseline.push(b.ms);
        entry.baseline.push(b);
      }
      timed.set(n, entry);
    }

    // Phase 2: the rest in concurrent batches; only counts and queries are kept, so other untimed work
    // (the convergence day) may run alongside.
    background = alongside?.();
    for (const n of options.sizes) {
      const run = await algorithms(n);
      const entry = timed.get(n);
      if (!entry) throw new Error(`no timed sample for N=${n}`);
      const t0 = performance.now();
      const rest = Math.max(0, options.invocations - options.timedInvocations);
      const oursAttempts = [...entry.ours, ...(await inBatches(rest, options.batch.ours, run.ours))];
      // Untimed baseline invocations reuse long-lived resolvers: the same answers for about half the CPU.
      const baseAttempts = [
        ...entry.baseline,
        ...(await inBatches(rest, options.batch.baseline, () => run.baseline(sharedResolver(sim.info.dns)))),
      ];
      const row = {
        n,
        ours: side(oursAttempts, n, entry.wall.ours),
        baseline: side(baseAttempts, n, entry.wall.baseline),
      };
      rows.push(row);
      log(
        `  N=${n}: ours P(all)=${row.ours.pAllFound.toFixed(3)} q50=${row.ours.queries.median}; ` +
          `baseline P(all)=${row.baseline.pAllFound.toFixed(3)} q50=${row.baseline.queries.median} ` +
          `(${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
    }
    await background;
  } finally {
    await sim.stop();
  }
  return rows;
}
