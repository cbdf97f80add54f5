/**
 * Markdown tables for the benchmark results (printed by `npm run bench`, pasted into docs/performance.md).
 */

import type { ColdStartResult } from "./cold-start.js";
import type { CompletenessRow } from "./completeness.js";
import type { ConvergenceResult } from "./convergence.js";
import type { AzRow, SafetyRow } from "./hostile.js";
import type { Floor, LatencyRow } from "./latency.js";
import type { FamilyCompletenessRow, ListenerCostRow } from "./listeners.js";

/**
 * A Markdown table from a header and rows.
 *
 * @example
 * table(["a", "b"], [["1", "2"]]); // "| a | b |\n|---|---|\n| 1 | 2 |"
 */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const p = (x: number) => x.toFixed(3);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const times = (x: number | null) => (x === null ? "–" : `${x.toFixed(1)}×`);

/** Table 1: completeness of one invocation's discovery step. */
export function completenessTable(rows: readonly CompletenessRow[]): string {
  return table(
    [
      "N",
      "P(all found) ours",
      "P(all found) baseline",
      "queries ours (median / p99)",
      "queries baseline (median / p99)",
      "wall ms ours (median / p95)",
      "wall ms baseline (median / p95)",
      "invocations",
    ],
    rows.map((r) => [
      String(r.n),
      `${p(r.ours.pAllFound)} (≥ ${p(r.ours.pAllFoundLower95)})`,
      `${p(r.baseline.pAllFound)} (found ${(r.baseline.meanFoundShare * 100).toFixed(1)} %)`,
      `${r.ours.queries.median} / ${r.ours.queries.p99}`,
      `${r.baseline.queries.median} / ${r.baseline.queries.p99}`,
      `${ms(r.ours.wallMs.median)} / ${ms(r.ours.wallMs.p95)}`,
      `${ms(r.baseline.wallMs.median)} / ${ms(r.baseline.wallMs.p95)}`,
      `${r.ours.invocations} + ${r.baseline.invocations}`,
    ]),
  );
}

/** Table 2: invocation latency. */
export function latencyTable(rows: readonly LatencyRow[], floor: Floor): string {
  const body = rows.map((r) => [
    String(r.n),
    r.scenario === "steady" ? "steady state" : "with changes",
    `${ms(r.ours.wallMs.median)} / ${ms(r.ours.wallMs.p95)}`,
    `${ms(r.baseline.wallMs.median)} / ${ms(r.baseline.wallMs.p95)}`,
    times(r.speedup.median),
    times(r.speedup.p95),
    `${(r.ours.wallMs.median / floor.measuredMs.median).toFixed(2)}×`,
  ]);
  return (
    `${table(
      [
        "N",
        "scenario",
        "ours ms (median / p95)",
        "baseline ms (median / p95)",
        "speed-up (median)",
        "speed-up (p95)",
        "ours / floor",
      ],
      body,
    )}\n\n` +
    `Floor: three sequential SDK round trips (S3 Get, Put, Get) against the same world: ` +
    `median ${ms(floor.measuredMs.median)} ms (p95 ${ms(floor.measuredMs.p95)}; nominal ${floor.nominalMs} ms of injected latency).`
  );
}

/** Table 3: cost per invocation. */
export function costTable(rows: readonly LatencyRow[]): string {
  return table(
    [
      "N",
      "scenario",
      "AWS API calls ours (median / max)",
      "AWS API calls baseline (median / max)",
      "S3 writes ours (mean)",
      "S3 writes baseline (mean)",
      "DNS queries ours / baseline (median)",
      "failed runs ours / baseline",
    ],
    rows.map((r) => [
      String(r.n),
      r.scenario === "steady" ? "steady state" : "with changes",
      `${r.ours.cost.apiCalls.median} / ${r.ours.cost.apiCalls.max}`,
      `${r.baseline.cost.apiCalls.median} / ${r.baseline.cost.apiCalls.max}`,
      String(r.ours.cost.s3Writes.mean),
      String(r.baseline.cost.s3Writes.mean),
      `${r.ours.cost.dnsQueries.median} / ${r.baseline.cost.dnsQueries.median}`,
      `${r.ours.cost.failedRuns} / ${r.baseline.cost.failedRuns}`,
    ]),
  );
}

/** Table 4: cold start. */
export function coldStartTable(result: ColdStartResult): string {
  const ours = result.entries[0];
  return table(
    ["bundle", "raw", "gzip", "import ms (median)", "p25 – p75", "ours ÷ this"],
    result.entries.map((e) => [
      e.label,
      kib(e.rawBytes),
      kib(e.gzipBytes),
      ms(e.importMs.median),
      `${ms(e.importMs.p25)} – ${ms(e.importMs.p75)}`,
      e === ours ? "–" : times(result.ratios[e.label] ?? null),
    ]),
  );
}

/** Table 5: convergence over the simulated day. */
export function convergenceTable(result: ConvergenceResult): string {
  const rows: Array<[string, (s: ConvergenceResult["ours"]) => number]> = [
    ["minutes with an ALB IP in DNS not registered", (s) => s.minutesWithUnregisteredIp],
    ["… IP-minutes", (s) => s.unregisteredIpMinutes],
    ["minutes with a registered IP gone from the ALB", (s) => s.minutesWithStaleTarget],
    ["… IP-minutes", (s) => s.staleIpMinutes],
    ["live IPs deregistered (must be 0)", (s) => s.liveIpsDeregistered],
    ["registrations", (s) => s.registrations],
    ["deregistrations", (s) => s.deregistrations],
    ["failed runs", (s) => s.failedRuns],
    ["AWS API calls", (s) => s.apiCalls],
    ["S3 writes", (s) => s.s3Writes],
    ["DNS queries", (s) => s.dnsQueries],
  ];
  return `${table(
    [`over ${result.minutes} simulated minutes`, "ours", "baseline"],
    rows.map(([label, get]) => [label, String(get(result.ours)), String(get(result.baseline))]),
  )}\n\nScript: ${result.script.map((e) => `${e.minute}: ${e.say}`).join("; ")}.`;
}

/** Table 6: completeness when answers are AZ-balanced, next to uniform. */
export function azTable(rows: readonly AzRow[]): string {
  return table(
    [
      "answers",
      "N",
      "runs",
      "P(all found)",
      "95 % lower",
      "miss rate (any IP)",
      "complete",
      "queries p50",
      "queries p99",
    ],
    rows.map((r) => [
      r.label,
      String(r.n),
      String(r.runs),
      r.pAllFound.toFixed(4),
      r.pAllFoundLower95.toFixed(4),
      r.missRate.toFixed(4),
      r.completeShare.toFixed(3),
      String(Math.round(r.queries.median)),
      String(Math.round(r.queries.p99)),
    ]),
  );
}

/** Table 7: live IPs deregistered under each hostile DNS behaviour. */
export function safetyTable(rows: readonly SafetyRow[]): string {
  return table(
    [
      "DNS behaviour",
      "runs",
      "live IPs deregistered",
      "deregistered",
      "registered",
      "complete runs",
      "ALB IPs registered at end",
      "gone IPs still registered",
    ],
    rows.map((r) => [
      r.label,
      String(r.runs),
      `**${r.liveDeregistered}**`,
      String(r.deregistered),
      String(r.registered),
      r.completeShare.toFixed(3),
      r.registeredAtEnd,
      String(r.deadLeftAtEnd),
    ]),
  );
}

const n1 = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/** Table 10: API calls and DNS queries per run, one deployment against N separate ones. */
export function listenerCostTable(rows: readonly ListenerCostRow[]): string {
  return table(
    [
      "listeners × families",
      "deployment",
      "invocations",
      "DNS queries",
      "DescribeTargetHealth",
      "S3 calls",
      "AWS API calls",
      "DescribeTargetGroups at cold start",
      "runs in sync",
    ],
    rows.map((r) => [
      `${r.listeners} × ${r.families.join(" + ")}`,
      r.deployment === "one" ? "one (TARGET_GROUPS)" : `${r.invocations} separate`,
      String(r.invocations),
      n1(r.dnsQueries),
      n1(r.describeTargetHealth),
      n1(r.s3),
      n1(r.apiCalls),
      String(r.coldStartDescribeTargetGroups),
      `${r.synced}/${r.runs}`,
    ]),
  );
}

/** Table 11: completeness of one discovery, A against AAAA of the same dualstack ALB. */
export function familyCompletenessTable(rows: readonly FamilyCompletenessRow[]): string {
  return table(
    [
      "N",
      "P(all found) A",
      "P(all found) AAAA",
      "complete A / AAAA",
      "queries A (median / p99)",
      "queries AAAA (median / p99)",
      "invocations",
    ],
    rows.map((r) => [
      String(r.n),
      `${p(r.ipv4.pAllFound)} (≥ ${p(r.ipv4.pAllFoundLower95)})`,
      `${p(r.ipv6.pAllFound)} (≥ ${p(r.ipv6.pAllFoundLower95)})`,
      `${r.ipv4.complete} / ${r.ipv6.complete}`,
      `${r.ipv4.queries.median} / ${r.ipv4.queries.p99}`,
      `${r.ipv6.queries.median} / ${r.ipv6.queries.p99}`,
      `${r.ipv4.invocations} + ${r.ipv6.invocations}`,
    ]),
  );
}
