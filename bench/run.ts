/**
 * `npm run bench`: every benchmark side by side with the original algorithm, in one run, on the local AWS world
 * (DNS 1 ms, AWS APIs 15 ms). Prints Markdown tables and writes bench/results.json.
 *
 *   npm run bench                  the full run (< 5 minutes on a 2-core machine)
 *   npm run bench -- --quick       a smoke run in well under a minute; writes dist/bench/results-quick.json
 *   npm run bench -- --out FILE    write the JSON somewhere else
 *   npm run bench -- --only lag    only tables 8-9 (registration lag, ENI cost), merged into the results JSON
 *   npm run bench -- --only listeners
 *                                  only tables 10-11 (several listeners, both IP families; about a minute),
 *                                  merged into the existing JSON (its other tables and date kept)
 *   npm run bench -- --only latency
 *                                  only tables 2-3 (invocation latency and cost) and the floor, merged into the
 *                                  results JSON under `latency` with their own date and the machine's load
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startWorld } from "../sim/world.js";
import {
  BENCH_DIST,
  buildBenchBundles,
  ensureLambdaBundle,
  LAMBDA_BUNDLE,
  SDK_CLIENTS_BUNDLE,
  SDK_IMPORT_BUNDLE,
} from "./bundles.js";
import { runColdStart } from "./cold-start.js";
import { runCompleteness } from "./completeness.js";
import { type ConvergenceResult, type DayEvent, runConvergence } from "./convergence.js";
import { runAzCompleteness, runSafety, SAFETY_SCENARIOS } from "./hostile.js";
import { eniCostTable, lagSvg, lagTable, runEniCost, runLag } from "./lag.js";
import { measureFloor, runLatency } from "./latency.js";
import { runFamilyCompleteness, runListenerCost } from "./listeners.js";
import {
  azTable,
  coldStartTable,
  completenessTable,
  convergenceTable,
  costTable,
  familyCompletenessTable,
  latencyTable,
  listenerCostTable,
  safetyTable,
} from "./report.js";

// Node 20 here; the deployed runtime is nodejs24.x, where the SDK does not warn (the containers set the same).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const root = fileURLToPath(new URL("..", import.meta.url));
const LATENCY = { dns: 1, aws: 15 };

/** The scripted day: scale-out/in, ALB node replacements and two DNS outages. */
const FULL_DAY: DayEvent[] = [
  { minute: 8, say: "scale out to 28", scale: 28 },
  { minute: 20, say: "scale out to 60", scale: 60 },
  { minute: 35, say: "DNS SERVFAIL outage (3 min)", faults: { dns: { mode: "servfail" } } },
  { minute: 38, say: "DNS back", faults: {} },
  { minute: 42, say: "scale out to 100", scale: 100 },
  { minute: 58, say: "10 IPs replaced", replace: 10 },
  { minute: 68, say: "DNS timeout outage (2 min)", faults: { dns: { mode: "timeout" } } },
  { minute: 70, say: "DNS back", faults: {} },
  { minute: 75, say: "scale out to 150", scale: 150 },
  { minute: 95, say: "scale in to 40", scale: 40 },
  { minute: 103, say: "4 IPs replaced", replace: 4 },
  { minute: 110, say: "scale in to 12", scale: 12 },
];
const QUICK_DAY: DayEvent[] = [
  { minute: 4, say: "scale out to 28", scale: 28 },
  { minute: 10, say: "scale out to 100", scale: 100 },
  { minute: 16, say: "DNS SERVFAIL outage (2 min)", faults: { dns: { mode: "servfail" } } },
  { minute: 18, say: "DNS back", faults: {} },
  { minute: 22, say: "5 IPs replaced", replace: 5 },
  { minute: 30, say: "scale in to 12", scale: 12 },
];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    only: { type: "string" },
  },
  strict: true,
});
const quick = values.quick === true;
const settings = quick
  ? {
      completeness: { invocations: 100, timedInvocations: 10 },
      hostile: { azRuns: 100, safetyRuns: 60 },
      latency: { warmup: 3, invocations: 8 },
      coldStartRounds: 5,
      day: { minutes: 40, script: QUICK_DAY },
      listeners: { runs: 3, familyInvocations: 60 },
    }
  : {
      completeness: { invocations: 1000, timedInvocations: 30 },
      hostile: { azRuns: 1000, safetyRuns: 360 },
      latency: { warmup: 5, invocations: 40 },
      coldStartRounds: 20,
      day: { minutes: 120, script: FULL_DAY },
      listeners: { runs: 10, familyInvocations: 300 },
    };
const outFile =
  values.out ?? (quick ? join(BENCH_DIST, "results-quick.json") : join(root, "bench", "results.json"));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function timed<T>(label: string, run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  log(`${label}…`);
  const t0 = performance.now();
  const value = await run();
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  log(`${label}: ${seconds} s`);
  return { value, seconds };
}

/** Tables 10-11: several listeners and both IP families. */
async function runListenerTables() {
  const cost = await timed("Table 10 listeners: API calls and DNS queries per run", () =>
    runListenerCost({ counts: [1, 2, 4], runs: settings.listeners.runs, albIps: 28, latency: LATENCY }, log),
  );
  const families = await timed("Table 11 completeness, A and AAAA", () =>
    runFamilyCompleteness(
      {
        sizes: [8, 28, 100, 200],
        invocations: settings.listeners.familyInvocations,
        batch: 8,
        dnsLatencyMs: LATENCY.dns,
      },
      log,
    ),
  );
  return {
    value: { date: new Date().toISOString(), cost: cost.value, familyCompleteness: families.value },
    seconds: Math.round((cost.seconds + families.seconds) * 10) / 10,
  };
}

function listenerMarkdown(value: Awaited<ReturnType<typeof runListenerTables>>["value"]): string[] {
  return [
    `### 10. Several listeners: API calls and DNS queries per run (${value.date.slice(0, 10)}; ALB of 28 IPs, steady state, means over ${settings.listeners.runs} runs)`,
    listenerCostTable(value.cost),
    `### 11. Completeness for AAAA as for A (one dualstack ALB, ${settings.listeners.familyInvocations} discoveries per family and size)`,
    familyCompletenessTable(value.familyCompleteness),
  ];
}

/** Tables 8-9 alone, merged into the results JSON (the other tables keep their date). */
async function onlyLag(): Promise<void> {
  ensureLambdaBundle(log);
  const lag = await timed("Table 8 registration lag", () =>
    runLag(
      {
        hours: quick ? 6 : 24,
        seed: 12,
        dnsFollowDelayS: 60,
        deliveryDelayS: [1, 6],
        latency: LATENCY,
        parallel: 4,
      },
      log,
    ),
  );
  const cost = await timed("Table 9 ENI cost per run", () => runEniCost(LATENCY, quick ? 5 : 15, log));
  const previous = existsSync(outFile)
    ? (JSON.parse(readFileSync(outFile, "utf8")) as Record<string, unknown>)
    : {};
  const results = {
    ...previous,
    lag: { date: new Date().toISOString(), mode: quick ? "quick" : "full", ...lag.value },
    eniCost: { date: new Date().toISOString(), rows: cost.value },
    seconds: { ...((previous.seconds as object | undefined) ?? {}), lag: lag.seconds, eniCost: cost.seconds },
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(`${outFile}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${outFile}.tmp`, outFile);
  const svg = quick ? join(BENCH_DIST, "lag-quick.svg") : join(root, "bench", "lag.svg");
  mkdirSync(dirname(svg), { recursive: true });
  writeFileSync(svg, lagSvg(lag.value));
  process.stdout.write(
    [
      `### 8. Registration lag (${results.lag.date.slice(0, 10)}; DNS ${LATENCY.dns} ms, AWS ${LATENCY.aws} ms)`,
      lagTable(lag.value),
      "### 9. Cost of a run in ENI mode",
      eniCostTable(cost.value),
      `_JSON in ${outFile.replace(root, "")}, plot in ${svg.replace(root, "")}._`,
    ].join("\n\n"),
  );
  process.stdout.write("\n");
}

/** Tables 2-3 and the floor, with the machine's load average before and after (wall times depend on it). */
async function runLatencyTables() {
  const loadBefore = loadavg()[0] ?? 0;
  const latency = await timed("Tables 2-3 latency and cost", () =>
    runLatency({ sizes: [8, 28, 100], ...settings.latency, latency: LATENCY }, log),
  );
  const floor = await timed("Floor (3 sequential round trips)", () => measureFloor(LATENCY, quick ? 10 : 30));
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    value: {
      date: new Date().toISOString(),
      rows: latency.value,
      floor: floor.value,
      loadAverage: { before: round(loadBefore), after: round(loadavg()[0] ?? 0), cpus: cpus().length },
    },
    seconds: Math.round((latency.seconds + floor.seconds) * 10) / 10,
  };
}

/** `--only latency`: tables 2-3 alone, merged into the existing results file (the other tables keep their date). */
async function mainLatencyOnly(): Promise<void> {
  ensureLambdaBundle(log);
  await buildBenchBundles();
  const latency = await runLatencyTables();
  const previous = existsSync(outFile)
    ? (JSON.parse(readFileSync(outFile, "utf8")) as Record<string, unknown>)
    : {};
  const seconds = {
    ...((previous.seconds as Record<string, number> | undefined) ?? {}),
    latency: latency.seconds,
  };
  const results = { ...previous, seconds, latency: latency.value };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(`${outFile}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${outFile}.tmp`, outFile);
  process.stdout.write(`${latencyMarkdown(latency.value).join("\n\n")}\n`);
}

function latencyMarkdown(value: Awaited<ReturnType<typeof runLatencyTables>>["value"]): string[] {
  const load = value.loadAverage;
  return [
    `### 2. Invocation latency (full handler; ${value.date.slice(0, 10)}, ${settings.latency.invocations} invocations each after ${settings.latency.warmup} warm-up, load average ${load.before} → ${load.after} on ${load.cpus} CPUs)`,
    latencyTable(value.rows, value.floor),
    "### 3. Cost per invocation",
    costTable(value.rows),
  ];
}

/** `--only listeners`: tables 10-11 alone, merged into the existing results file. */
async function mainListenersOnly(): Promise<void> {
  ensureLambdaBundle(log);
  const listeners = await runListenerTables();
  const previous = existsSync(outFile)
    ? (JSON.parse(readFileSync(outFile, "utf8")) as Record<string, unknown>)
    : {};
  const seconds = {
    ...((previous.seconds as Record<string, number> | undefined) ?? {}),
    listeners: listeners.seconds,
  };
  const results = { ...previous, seconds, listeners: listeners.value };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(`${outFile}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${outFile}.tmp`, outFile);
  process.stdout.write(`${listenerMarkdown(listeners.value).join("\n\n")}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  ensureLambdaBundle(log);
  await buildBenchBundles();

  // The convergence day measures no time, so it runs alongside table 1's untimed batches.
  let convergence: { value: ConvergenceResult; seconds: number } | undefined;
  const completeness = await timed("Table 1 completeness (with table 5 alongside)", () =>
    runCompleteness(
      {
        sizes: [8, 16, 28, 50, 100, 200],
        ...settings.completeness,
        batch: { ours: 8, baseline: 32 },
        dnsLatencyMs: LATENCY.dns,
      },
      log,
      async () => {
        convergence = await timed("Table 5 convergence", () =>
          runConvergence({ ...settings.day, initialIps: 8, latency: LATENCY }, log),
        );
      },
    ),
  );
  if (!convergence) throw new Error("the convergence day did not run");
  const latency = await runLatencyTables();
  const az = await timed("Table 6 AZ-balanced completeness", () =>
    runAzCompleteness(
      [
        { label: "uniform", groups: [8] },
        { label: "uniform", groups: [28] },
        { label: "uniform", groups: [100] },
        { label: "uniform", groups: [200] },
        { label: "AZ-balanced 10 + 10", groups: [10, 10] },
        { label: "AZ-balanced 4 + 4 + 16", groups: [4, 4, 16] },
        { label: "AZ-balanced 6 + 6 + 36", groups: [6, 6, 36] },
      ],
      settings.hostile.azRuns,
      log,
    ),
  );
  const safety = await timed("Table 7 safety under hostile DNS", () =>
    runSafety(SAFETY_SCENARIOS, settings.hostile.safetyRuns, log, process.env.SAFETY_BUNDLE),
  );
  const coldStart = await timed("Table 4 cold start", async () => {
    const world = await startWorld();
    const env = { ...world.env(), LOG_LEVEL: "ERROR" };
    await world.stop();
    return runColdStart(
      [
        { label: "ours (dist/lambda/index.mjs)", file: LAMBDA_BUNDLE },
        { label: "2 SDK clients (ELBv2, S3), imported", file: SDK_IMPORT_BUNDLE },
        { label: "2 SDK clients (ELBv2, S3), imported + constructed", file: SDK_CLIENTS_BUNDLE },
      ],
      env,
      settings.coldStartRounds,
    );
  });

  const listeners = await runListenerTables();

  const totalSeconds = Math.round((performance.now() - started) / 100) / 10;
  // Tables 8-9 run on their own (--only lag): keep their last numbers.
  const kept = existsSync(outFile)
    ? (JSON.parse(readFileSync(outFile, "utf8")) as Record<string, unknown>)
    : {};
  const results = {
    ...(kept.lag === undefined ? {} : { lag: kept.lag, eniCost: kept.eniCost }),
    date: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version },
    simLatencyMs: LATENCY,
    seconds: {
      total: totalSeconds,
      completeness: completeness.seconds,
      latency: latency.seconds,
      coldStart: coldStart.seconds,
      convergence: convergence.seconds,
      azCompleteness: az.seconds,
      safety: safety.seconds,
      listeners: listeners.seconds,
    },
    completeness: completeness.value,
    latency: latency.value,
    coldStart: coldStart.value,
    convergence: convergence.value,
    azCompleteness: az.value,
    safety: safety.value,
    listeners: listeners.value,
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(`${outFile}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${outFile}.tmp`, outFile);

  const md = [
    `## Benchmarks (${results.mode} run, ${results.date.slice(0, 10)}, ${results.machine.cpus} × ${results.machine.cpu}, Node ${results.machine.node}; DNS ${LATENCY.dns} ms, AWS ${LATENCY.aws} ms)`,
    "### 1. Completeness of one invocation's discovery",
    completenessTable(completeness.value),
    ...latencyMarkdown(latency.value),
    "### 4. Cold start",
    coldStartTable(coldStart.value),
    "### 5. Convergence over a simulated day",
    convergenceTable(convergence.value),
    "### 6. Completeness when answers are balanced over AZs",
    azTable(az.value),
    `### 7. Safety under hostile DNS (${settings.hostile.safetyRuns} runs = simulated minutes each)`,
    safetyTable(safety.value),
    ...listenerMarkdown(listeners.value),
    `_Total ${totalSeconds} s; JSON in ${outFile.replace(root, "")}._`,
  ];
  process.stdout.write(`${md.join("\n\n")}\n`);
}

const ONLY: Record<string, () => Promise<void>> = {
  lag: onlyLag,
  listeners: mainListenersOnly,
  latency: mainLatencyOnly,
};
if (values.only !== undefined && ONLY[values.only] === undefined) {
  throw new Error(
    `--only ${values.only}: the sections that run alone are ${Object.keys(ONLY)
      .map((k) => `"${k}"`)
      .join(", ")}`,
  );
}
await (values.only === undefined ? main() : ONLY[values.only]!());
