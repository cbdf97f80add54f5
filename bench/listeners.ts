/**
 * Tables 10 and 11: several listeners and both IP families.
 *
 * Table 10, cost per run: API calls and DNS queries of one steady-state run (one scheduled minute) for 1, 2 and 4
 * listeners, one deployment with TARGET_GROUPS against N separate deployments of today's shape (one function per
 * listener, ALB_LISTENER + NLB_TG_ARN), and a dualstack variant (2 listeners × 2 families). The goal: the DNS
 * discovery cost of one deployment does not grow with the number of listeners (one discovery per family), while
 * the per-target-group calls (DescribeTargetHealth, the state object) stay one per pair.
 *
 * Table 11, completeness for AAAA as for A: one dualstack ALB, each invocation's discovery of A and of AAAA with
 * the default settings; P(all found) and queries per family.
 */
import { CONFIG_DEFAULTS } from "../lambda/config/index.js";
import type { IpFamily } from "../lambda/core/ip.js";
import { discoverAlbIps } from "../lambda/discovery/index.js";
import type { RunSummary } from "../lambda/reconcile.js";
import { type FunctionContainer, startFunction } from "../sim/lambda-runtime.js";
import { startWorld, type World } from "../sim/world.js";
import { type Summary, summarize, wilsonLower } from "./stats.js";

/** Settings of table 10. */
export interface ListenerCostOptions {
  /** Listener counts (IPv4 target groups on ports 80, 443, 8080, 8443, …). */
  counts: readonly number[];
  /** Steady-state runs measured per row (after one run that registers everything). */
  runs: number;
  /** ALB size: more than 8 IPs, so a discovery needs several queries. */
  albIps: number;
  latency: { dns: number; aws: number };
}

/** One row of table 10: per-run means. */
export interface ListenerCostRow {
  listeners: number;
  families: IpFamily[];
  deployment: "one" | "separate";
  /** Lambda invocations per scheduled minute. */
  invocations: number;
  dnsQueries: number;
  describeTargetHealth: number;
  describeTargetGroups: number;
  /** RegisterTargets + DeregisterTargets (0 in steady state). */
  targetWrites: number;
  s3: number;
  /** Every AWS API call (metrics are EMF log lines: none for them). */
  apiCalls: number;
  /** DescribeTargetGroups calls at cold start (once per container, then cached). */
  coldStartDescribeTargetGroups: number;
  /** Runs in which every target group held exactly the ALB's addresses of its family. */
  synced: number;
  runs: number;
}

const PORTS = [80, 443, 8080, 8443, 9000, 9443];
const SCHEDULED = { source: "aws.events", "detail-type": "Scheduled Event" };

function groupsFor(listeners: number, families: readonly IpFamily[]) {
  return families.flatMap((family) =>
    PORTS.slice(0, listeners).map((port) => ({ port, ipAddressType: family })),
  );
}

function synced(world: World): boolean {
  const state = world.state();
  return state.targetGroups.every((g) => {
    const want = [...(g.ipAddressType === "ipv6" ? state.alb.ipv6 : state.alb.ips)].sort();
    const have = g.targets
      .filter((t) => t.port === g.port && t.state !== "draining")
      .map((t) => t.ip)
      .sort();
    return want.length === have.length && want.every((ip, i) => ip === have[i]);
  });
}

async function measure(
  options: ListenerCostOptions,
  listeners: number,
  families: IpFamily[],
  deployment: "one" | "separate",
): Promise<ListenerCostRow> {
  const world = await startWorld({
    albIpCount: options.albIps,
    albIpAddressType: families.includes("ipv6") ? "dualstack" : "ipv4",
    targetGroups: groupsFor(listeners, families),
    latency: options.latency,
    healthCheckDelayMs: 20,
    deregistrationDelayMs: 50,
    seed: 8,
  });
  const containers: FunctionContainer[] = [];
  try {
    const base: Record<string, string> = { ...world.env(), LOG_LEVEL: "ERROR" };
    if (deployment === "one") {
      containers.push(await startFunction({ env: base, timeoutMs: 50_000 }));
    } else {
      const { TARGET_GROUPS: _all, ...rest } = base;
      for (const g of world.info.targetGroups) {
        containers.push(
          await startFunction({
            env: { ...rest, ALB_LISTENER: String(g.port), NLB_TG_ARN: g.arn },
            timeoutMs: 50_000,
          }),
        );
      }
    }
    const minute = async () => {
      const outs = await Promise.all(containers.map((fn) => fn.invoke<RunSummary>(SCHEDULED)));
      for (const out of outs) if (!out.ok) throw new Error(`run failed: ${JSON.stringify(out.error)}`);
    };
    await minute(); // registers everything; includes the cold start's DescribeTargetGroups
    const cold = world.state().requests["elbv2:DescribeTargetGroups"] ?? 0;
    await new Promise((r) => setTimeout(r, 40));
    const before = world.state().requests;
    let inSync = 0;
    for (let i = 0; i < options.runs; i += 1) {
      await minute();
      if (synced(world)) inSync += 1;
    }
    const after = world.state().requests;
    const per = (api: string) => ((after[api] ?? 0) - (before[api] ?? 0)) / options.runs;
    const aws = Object.keys(after)
      .filter((k) => k !== "dns")
      .reduce((n, k) => n + per(k), 0);
    return {
      listeners,
      families,
      deployment,
      invocations: containers.length,
      dnsQueries: per("dns"),
      describeTargetHealth: per("elbv2:DescribeTargetHealth"),
      describeTargetGroups: per("elbv2:DescribeTargetGroups"),
      targetWrites: per("elbv2:RegisterTargets") + per("elbv2:DeregisterTargets"),
      s3: per("s3:GetObject") + per("s3:PutObject") + per("s3:HeadObject"),
      apiCalls: aws,
      coldStartDescribeTargetGroups: cold,
      synced: inSync,
      runs: options.runs,
    };
  } finally {
    await Promise.all(containers.map((c) => c.stop()));
    await world.stop();
  }
}

/**
 * Runs table 10: for each listener count, one deployment and N separate ones (IPv4), then the dualstack pair.
 *
 * @example
 * const rows = await runListenerCost({ counts: [1, 2, 4], runs: 10, albIps: 28, latency: { dns: 1, aws: 15 } }, log);
 */
export async function runListenerCost(
  options: ListenerCostOptions,
  log: (line: string) => void,
): Promise<ListenerCostRow[]> {
  const rows: ListenerCostRow[] = [];
  const cases: Array<[number, IpFamily[]]> = [
    ...options.counts.map((n): [number, IpFamily[]] => [n, ["ipv4"]]),
    [2, ["ipv4", "ipv6"]],
  ];
  for (const [listeners, families] of cases) {
    for (const deployment of ["one", "separate"] as const) {
      if (listeners * families.length === 1 && deployment === "separate") continue;
      const row = await measure(options, listeners, families, deployment);
      log(
        `  ${listeners} listener(s) × ${families.join("+")}, ${deployment}: ${row.dnsQueries} DNS queries, ${row.apiCalls} API calls per run`,
      );
      rows.push(row);
    }
  }
  return rows;
}

/** Settings of table 11. */
export interface FamilyCompletenessOptions {
  sizes: readonly number[];
  invocations: number;
  /** Discoveries in flight. */
  batch: number;
  dnsLatencyMs: number;
}

/** One family at one size. */
export interface FamilySide {
  invocations: number;
  allFound: number;
  pAllFound: number;
  pAllFoundLower95: number;
  complete: number;
  queries: Summary;
}

/** One row of table 11. */
export interface FamilyCompletenessRow {
  n: number;
  ipv4: FamilySide;
  ipv6: FamilySide;
}

/**
 * Runs table 11 against an in-process dualstack world (DNS only).
 *
 * @example
 * const rows = await runFamilyCompleteness({ sizes: [8, 28], invocations: 100, batch: 8, dnsLatencyMs: 1 }, log);
 */
export async function runFamilyCompleteness(
  options: FamilyCompletenessOptions,
  log: (line: string) => void,
): Promise<FamilyCompletenessRow[]> {
  const world = await startWorld({
    albIpAddressType: "dualstack",
    latency: { dns: options.dnsLatencyMs, aws: 0 },
    seed: 13,
  });
  const rows: FamilyCompletenessRow[] = [];
  try {
    const [host, port] = world.info.dns.split(":");
    const servers = [{ host: host ?? "127.0.0.1", port: Number(port) }];
    for (const n of options.sizes) {
      world.scaleAlb(n);
      const truth = { ipv4: new Set(world.state().alb.ips), ipv6: new Set(world.state().alb.ipv6) };
      const side = async (family: IpFamily): Promise<FamilySide> => {
        const attempts: Array<{ found: number; queries: number; complete: boolean }> = [];
        let next = 0;
        const worker = async () => {
          while (next < options.invocations) {
            next += 1;
            const o = await discoverAlbIps({
              name: world.info.albDnsName,
              family,
              servers,
              timeoutMs: CONFIG_DEFAULTS.DNS_TIMEOUT_MS,
              concurrency: CONFIG_DEFAULTS.DNS_CONCURRENCY,
              maxQueries: CONFIG_DEFAULTS.MAX_LOOKUP_PER_INVOCATION,
              missProbability: CONFIG_DEFAULTS.MISS_PROBABILITY,
            });
            attempts.push({
              found: o.ips.filter((ip) => truth[family].has(ip)).length,
              queries: o.queries,
              complete: o.complete,
            });
          }
        };
        await Promise.all(Array.from({ length: options.batch }, worker));
        const allFound = attempts.filter((a) => a.found === n).length;
        return {
          invocations: attempts.length,
          allFound,
          pAllFound: allFound / attempts.length,
          pAllFoundLower95: Math.round(wilsonLower(allFound, attempts.length) * 10_000) / 10_000,
          complete: attempts.filter((a) => a.complete).length,
          queries: summarize(attempts.map((a) => a.queries)),
        };
      };
      const ipv4 = await side("ipv4");
      const ipv6 = await side("ipv6");
      log(
        `  N=${n}: A ${ipv4.allFound}/${ipv4.invocations}, AAAA ${ipv6.allFound}/${ipv6.invocations} all found`,
      );
      rows.push({ n, ipv4, ipv6 });
    }
  } finally {
    await world.stop();
  }
  return rows;
}
