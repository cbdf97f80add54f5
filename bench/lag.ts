/**
 * Table 8: registration lag — from an ALB node's network interface appearing to its IP being registered — over a
 * simulated day of scale-outs, for DNS polling, ENI polling and ENI + interface events; and table 9: the cost of a
 * run in ENI mode with 5,000 interfaces in the VPC.
 *
 * - Polling (DNS, ENI): the world runs on a virtual clock. The bundled function is invoked at the schedule's ticks
 *   (every 60 s, a random phase) while the target group differs from the ALB; quiet minutes, in which a run would
 *   change nothing, are skipped. A node's IP is in DNS `dnsFollowDelayS` after its interface appears (ENI mode
 *   sees the interface at once). Lag = tick + the run's measured wall time − appearance.
 * - ENI + events: real time, since the function's event handling waits on the wall clock. Each scale-out of the
 *   day is an episode in a world of the same size: the interfaces appear, the world emits ELB's CloudTrail events,
 *   a stand-in EventBridge rule (the module's pattern; reserved concurrency 1) delivers each after a delay drawn
 *   from `deliveryDelayS`, and the lag is measured until the IP is registered. The schedule stays the backstop:
 *   a node's lag is the smaller of the event path and the next scheduled tick.
 */

import { interfaceEventPattern } from "../lambda/core/events.js";
import type { RunSummary } from "../lambda/reconcile.js";
import { createEventRule } from "../sim/eventbridge.js";
import { type FunctionContainer, startFunction } from "../sim/lambda-runtime.js";
import { seededRandom } from "../sim/random.js";
import { startWorld, type World } from "../sim/world.js";
import { type Summary, summarize } from "./stats.js";

/** One scripted change of the day. */
export interface LagEvent {
  /** Seconds after the start of the day. */
  at: number;
  /** ALB size after the change. */
  size: number;
}

export interface LagOptions {
  hours: number;
  seed: number;
  /** Seconds from an interface appearing until DNS names its IP. */
  dnsFollowDelayS: number;
  /** CloudTrail → EventBridge delivery delay, drawn uniformly from [min, max] seconds (an assumption; see docs/performance.md). */
  deliveryDelayS: readonly [number, number];
  latency: { dns: number; aws: number };
  /** Episodes of the events mode run side by side (each its own world and container). */
  parallel: number;
}

export interface LagMode {
  label: string;
  /** Lag of every node, in seconds. */
  lags: number[];
  summary: Summary;
}

export interface LagResult {
  hours: number;
  scaleOuts: number;
  nodes: number;
  dnsFollowDelayS: number;
  deliveryDelayS: readonly [number, number];
  modes: LagMode[];
  /** Events mode: interface events delivered, runs made (the rest skipped as covered), per episode. */
  events: {
    delivered: number;
    runs: number;
    covered: number;
    ignored: number;
    episodes: number;
    viaSchedule: number;
  };
}

export interface CostRow {
  label: string;
  interfacesInVpc: number;
  albIps: number;
  paging: string;
  /** DescribeNetworkInterfaces pages per run. */
  pages: number;
  /** AWS calls per steady run, by service. */
  calls: Record<string, number>;
  wallMs: Summary;
}

const DAY_START = Date.parse("2026-12-01T00:00:00Z");
const TICK_S = 60;

/** The day: a change every 5–25 minutes, mostly scale-outs of 1–4 nodes, scale-ins in between; 4 to 24 nodes. */
export function lagScript(hours: number, seed: number): { initial: number; events: LagEvent[] } {
  const random = seededRandom(seed);
  const events: LagEvent[] = [];
  let size = 6;
  let at = 0;
  for (;;) {
    at += 300 + Math.floor(random() * 1200); // 5–25 min apart
    if (at >= hours * 3600) break;
    const out = size <= 8 || random() < 0.6;
    size = out
      ? Math.min(24, size + 1 + Math.floor(random() * 4))
      : Math.max(4, size - 1 - Math.floor(random() * 3));
    events.push({ at, size });
  }
  return { initial: 6, events };
}

function activeTargets(world: World): Set<string> {
  return new Set(
    (world.state().targetGroups[0]?.targets ?? []).filter((t) => t.state !== "draining").map((t) => t.ip),
  );
}

function converged(world: World): boolean {
  const active = activeTargets(world);
  const alb = world.state().alb.ips;
  return active.size === alb.length && alb.every((ip) => active.has(ip));
}

const SCHEDULED = { source: "aws.events", "detail-type": "Scheduled Event" };

/** Polling lag (virtual time) of every node that appears during the day. */
async function pollingDay(
  mode: "dns" | "eni",
  script: { initial: number; events: LagEvent[] },
  options: LagOptions,
  phaseS: number,
): Promise<{ lags: number[]; runMs: number[] }> {
  let now = DAY_START;
  const world = await startWorld({
    clock: () => now,
    albIpCount: script.initial,
    dnsFollowDelayMs: options.dnsFollowDelayS * 1000,
    healthCheckDelayMs: 20_000,
    deregistrationDelayMs: 120_000,
    latency: options.latency,
    seed: options.seed,
  });
  const fn = await startFunction({
    env: {
      ...world.env(),
      LOG_LEVEL: "ERROR",
      ...(mode === "eni" ? { DISCOVERY_MODE: "eni", ALB_ARN: world.info.albArn } : {}),
    },
  });
  const appeared = new Map<string, number>();
  const lags: number[] = [];
  const runMs: number[] = [];
  let tick = DAY_START + phaseS * 1000 - TICK_S * 1000;
  const run = async (at: number) => {
    now = at;
    world.refreshDns();
    const before = activeTargets(world);
    const out = await fn.invoke(SCHEDULED);
    runMs.push(out.durationMs);
    for (const ip of activeTargets(world)) {
      const since = appeared.get(ip);
      if (!before.has(ip) && since !== undefined) {
        lags.push((at + out.durationMs - since) / 1000);
        appeared.delete(ip);
      }
    }
  };
  /** Runs the ticks before `limit` while the target group differs from the ALB. */
  const runUntil = async (limit: number) => {
    const step = TICK_S * 1000;
    for (;;) {
      if (tick + step >= limit) return;
      if (converged(world) && appeared.size === 0) {
        // Quiet: skip to the last tick before `limit` (those runs would change nothing).
        tick += Math.floor((limit - 1 - tick) / step) * step;
        return;
      }
      tick += step;
      await run(tick);
    }
  };
  try {
    await run(DAY_START);
    for (const event of script.events) {
      await runUntil(DAY_START + event.at * 1000);
      now = DAY_START + event.at * 1000;
      const before = new Set(world.state().alb.ips);
      world.scaleAlb(event.size);
      const alb = new Set(world.state().alb.ips);
      for (const ip of alb) if (!before.has(ip)) appeared.set(ip, now);
      for (const ip of [...appeared.keys()]) if (!alb.has(ip)) appeared.delete(ip);
    }
    await runUntil(DAY_START + (options.hours * 3600 + 600) * 1000);
    return { lags, runMs };
  } finally {
    await fn.stop();
    await world.stop();
  }
}

/** One scale-out in real time with interface events; returns each new node's lag (s) and the rule's counts. */
async function eventEpisode(
  world: World,
  fn: FunctionContainer,
  from: number,
  to: number,
  delay: () => number,
): Promise<{ lags: number[]; delivered: number; runs: number; covered: number; ignored: number }> {
  world.reset();
  world.scaleAlb(from);
  await fn.invoke({});
  await fn.invoke({});
  const results: Array<{ skipped?: string }> = [];
  const rule = createEventRule({
    pattern: interfaceEventPattern(`ELB ${world.info.albArn.split(":loadbalancer/")[1]}`),
    deliveryDelayMs: delay,
    invoke: async (event) => {
      const out = await fn.invoke<{ skipped?: string }>(event);
      results.push(out.result ?? {});
      return out;
    },
  });
  const off = world.onCloudTrailEvent((e) => rule.put(e));
  const before = new Set(world.state().alb.ips);
  const t0 = Date.now();
  world.scaleAlb(to);
  const fresh = world.state().alb.ips.filter((ip) => !before.has(ip));
  const registeredAt = new Map<string, number>();
  while (registeredAt.size < fresh.length && Date.now() - t0 < 40_000) {
    const active = activeTargets(world);
    for (const ip of fresh) if (!registeredAt.has(ip) && active.has(ip)) registeredAt.set(ip, Date.now());
    await new Promise((r) => setTimeout(r, 20));
  }
  await rule.idle();
  off();
  return {
    lags: fresh.map((ip) => ((registeredAt.get(ip) ?? t0 + 40_000) - t0) / 1000),
    delivered: rule.stats.invocations,
    runs: results.filter((r) => r.skipped === undefined).length,
    covered: results.filter((r) => r.skipped === "event_covered").length,
    ignored: results.filter((r) => r.skipped === "event_ignored").length,
  };
}

/**
 * Runs table 8.
 *
 * @example
 * const lag = await runLag({ hours: 24, seed: 12, dnsFollowDelayS: 60, deliveryDelayS: [1, 6], latency: { dns: 1, aws: 15 }, parallel: 6 }, console.error);
 */
export async function runLag(options: LagOptions, log: (line: string) => void): Promise<LagResult> {
  const script = lagScript(options.hours, options.seed);
  const phaseS = seededRandom(options.seed + 1)() * TICK_S;
  const outs: Array<{ at: number; from: number; to: number }> = [];
  let size = script.initial;
  for (const e of script.events) {
    if (e.size > size) outs.push({ at: e.at, from: size, to: e.size });
    size = e.size;
  }
  log(
    `  lag: ${outs.length} scale-outs, ${outs.reduce((n, o) => n + o.to - o.from, 0)} nodes over ${options.hours} h`,
  );

  const dns = await pollingDay("dns", script, options, phaseS);
  log(`  lag: DNS polling done (${dns.lags.length} nodes)`);
  const eni = await pollingDay("eni", script, options, phaseS);
  log(`  lag: ENI polling done (${eni.lags.length} nodes)`);

  // Events: the episodes side by side, each worker with its own world and warm container.
  const random = seededRandom(options.seed + 2);
  const [lo, hi] = options.deliveryDelayS;
  const delays = outs.map(() => Array.from({ length: 32 }, () => (lo + random() * (hi - lo)) * 1000));
  const runMedian = summarize(eni.runMs).median;
  const eventLags: number[] = [];
  const counts = { delivered: 0, runs: 0, covered: 0, ignored: 0, episodes: outs.length, viaSchedule: 0 };
  let next = 0;
  const worker = async () => {
    const world = await startWorld({
      healthCheckDelayMs: 2_000,
      deregistrationDelayMs: 2_000,
      latency: options.latency,
      seed: options.seed,
    });
    const fn = await startFunction({
      env: { ...world.env(), LOG_LEVEL: "ERROR", DISCOVERY_MODE: "eni", ALB_ARN: world.info.albArn },
    });
    try {
      for (;;) {
        const i = next++;
        const out = outs[i];
        if (out === undefined) return;
        const draws = delays[i] ?? [];
        let d = 0;
        const episode = await eventEpisode(
          world,
          fn,
          out.from,
          out.to,
          () => draws[d++ % draws.length] ?? lo * 1000,
        );
        // The backstop: the next scheduled tick after the interface appeared, plus a run.
        const sincePhase = (out.at - phaseS) % TICK_S;
        const schedule = (sincePhase === 0 ? 0 : TICK_S - sincePhase) + runMedian / 1000;
        for (const lag of episode.lags) {
          if (schedule < lag) counts.viaSchedule += 1;
          eventLags.push(Math.min(lag, schedule));
        }
        counts.delivered += episode.delivered;
        counts.runs += episode.runs;
        counts.covered += episode.covered;
        counts.ignored += episode.ignored;
      }
    } finally {
      await fn.stop();
      await world.stop();
    }
  };
  await Promise.all(Array.from({ length: options.parallel }, worker));
  log(`  lag: ENI + events done (${eventLags.length} nodes)`);

  const mode = (label: string, lags: number[]): LagMode => ({
    label,
    lags: lags.map((l) => Math.round(l * 100) / 100),
    summary: summarize(lags),
  });
  return {
    hours: options.hours,
    scaleOuts: outs.length,
    nodes: eventLags.length,
    dnsFollowDelayS: options.dnsFollowDelayS,
    deliveryDelayS: options.deliveryDelayS,
    modes: [mode("DNS polling", dns.lags), mode("ENI polling", eni.lags), mode("ENI + events", eventLags)],
    events: counts,
  };
}

/** Table 9: a steady run in ENI mode (no change) with many interfaces in the VPC, for both EC2 paging models. */
export async function runEniCost(
  latency: { dns: number; aws: number },
  runs: number,
  log: (line: string) => void,
): Promise<CostRow[]> {
  const rows: CostRow[] = [];
  for (const [interfaces, albIps, paging] of [
    [5000, 40, "filter-first"],
    [5000, 40, "scan"],
    [5000, 100, "scan"],
  ] as const) {
    const world = await startWorld({
      albIpCount: albIps,
      backgroundInterfaces: interfaces - albIps,
      ec2Paging: paging,
      latency,
      healthCheckDelayMs: 100,
    });
    const fn = await startFunction({
      env: {
        ...world.env(),
        LOG_LEVEL: "ERROR",
        DISCOVERY_MODE: "eni",
        ALB_ARN: world.info.albArn,
        ALB_VPC_ID: world.info.albVpcId,
      },
    });
    try {
      for (let i = 0; i < 3; i++) await fn.invoke(SCHEDULED);
      const before = world.state().requests;
      const wall: number[] = [];
      let pages = 0;
      for (let i = 0; i < runs; i++) {
        // In ENI mode an observation's queries are its DescribeNetworkInterfaces pages.
        const out = await fn.invoke<Pick<RunSummary, "discovery">>(SCHEDULED);
        wall.push(out.durationMs);
        pages = out.result?.discovery.ipv4?.queries ?? pages;
      }
      const after = world.state().requests;
      const per = (prefix: string) =>
        Object.entries(after)
          .filter(([api]) => api.startsWith(prefix))
          .reduce((n, [api, c]) => n + c - (before[api] ?? 0), 0) / runs;
      rows.push({
        label: `${interfaces.toLocaleString("en-US")} interfaces in the VPC, ALB ${albIps} IPs, EC2 ${paging}`,
        interfacesInVpc: interfaces,
        albIps,
        paging,
        pages,
        calls: { ec2: per("ec2:"), elbv2: per("elbv2:"), s3: per("s3:") },
        wallMs: summarize(wall),
      });
      log(`  cost: ${rows.at(-1)?.label}: ${pages} pages, wall p50 ${Math.round(summarize(wall).median)} ms`);
    } finally {
      await fn.stop();
      await world.stop();
    }
  }
  return rows;
}

/** The lag CDFs as an SVG (x: seconds, y: share of nodes registered). */
export function lagSvg(result: LagResult): string {
  const W = 640;
  const H = 320;
  const m = { l: 52, r: 16, t: 28, b: 44 };
  const maxX = Math.max(30, Math.ceil(Math.max(...result.modes.flatMap((mo) => mo.lags)) / 30) * 30);
  const x = (s: number) => m.l + (s / maxX) * (W - m.l - m.r);
  const y = (p: number) => H - m.b - p * (H - m.t - m.b);
  const colors = ["#c0392b", "#2471a3", "#1e8449"];
  const lines = result.modes.map((mode, i) => {
    const sorted = [...mode.lags].sort((a, b) => a - b);
    const points = [`${x(0).toFixed(1)},${y(0).toFixed(1)}`];
    sorted.forEach((lag, k) => {
      points.push(
        `${x(lag).toFixed(1)},${y(k / sorted.length).toFixed(1)}`,
        `${x(lag).toFixed(1)},${y((k + 1) / sorted.length).toFixed(1)}`,
      );
    });
    points.push(`${x(maxX).toFixed(1)},${y(1).toFixed(1)}`);
    return `<polyline fill="none" stroke="${colors[i]}" stroke-width="2" points="${points.join(" ")}"/>`;
  });
  const ticksX = Array.from({ length: maxX / 30 + 1 }, (_, i) => i * 30);
  const grid = [
    ...ticksX.map(
      (s) =>
        `<line x1="${x(s)}" y1="${y(0)}" x2="${x(s)}" y2="${y(1)}" stroke="#ddd"/><text x="${x(s)}" y="${H - m.b + 16}" text-anchor="middle">${s}</text>`,
    ),
    ...[0, 0.25, 0.5, 0.75, 0.9, 1].map(
      (p) =>
        `<line x1="${x(0)}" y1="${y(p)}" x2="${x(maxX)}" y2="${y(p)}" stroke="#eee"/><text x="${m.l - 6}" y="${y(p) + 4}" text-anchor="end">${p}</text>`,
    ),
  ];
  const legend = result.modes.map(
    (mode, i) =>
      `<rect x="${W - m.r - 230}" y="${y(0.42) + i * 18}" width="12" height="3" fill="${colors[i]}"/><text x="${W - m.r - 212}" y="${y(0.42) + i * 18 + 5}">${mode.label}: p50 ${mode.summary.median.toFixed(1)} s, p99 ${mode.summary.p99.toFixed(1)} s</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="title" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title id="title">Registration lag CDF: ${result.modes.map((mo) => `${mo.label} p99 ${mo.summary.p99.toFixed(1)} s`).join(", ")}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="16" font-size="13">Registration lag over ${result.hours} simulated hours (${result.nodes} new ALB nodes): share registered within x s</text>`,
    ...grid,
    ...lines,
    ...legend,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">seconds from the interface appearing to the IP registered (DNS follows after ${result.dnsFollowDelayS} s)</text>`,
    "</svg>",
    "",
  ].join("\n");
}

const fmt = (s: number) => (s < 10 ? s.toFixed(1) : s.toFixed(0));

/** Table 8 as Markdown. */
export function lagTable(result: LagResult): string {
  const lines = [
    "| Discovery | Nodes | p50 | p90 | p99 | max |",
    "|---|---|---|---|---|---|",
    ...result.modes.map(
      (m) =>
        `| ${m.label} | ${m.summary.n} | ${fmt(m.summary.median)} s | ${fmt(quantileOf(m.lags, 0.9))} s | ${fmt(m.summary.p99)} s | ${fmt(m.summary.max)} s |`,
    ),
  ];
  const e = result.events;
  lines.push(
    "",
    `${result.scaleOuts} scale-outs over ${result.hours} simulated hours; DNS names a node ${result.dnsFollowDelayS} s after its interface appears; events delivered ${result.deliveryDelayS[0]}–${result.deliveryDelayS[1]} s after the call (assumed, uniform). ` +
      `Events mode: ${e.delivered} interface events delivered, ${e.runs} runs (${e.covered} skipped as covered by a run that started after the change settled, ${e.ignored} ignored as foreign); ${e.viaSchedule} of ${result.nodes} nodes were registered first by the schedule.`,
  );
  return lines.join("\n");
}

/** Table 9 as Markdown. */
export function eniCostTable(rows: readonly CostRow[]): string {
  return [
    "| Setting | DescribeNetworkInterfaces pages | AWS calls per steady run (EC2 / ELBv2 / S3) | Wall time p50 / p95 |",
    "|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.pages} | ${r.calls.ec2} / ${r.calls.elbv2} / ${r.calls.s3} | ${Math.round(r.wallMs.median)} ms / ${Math.round(r.wallMs.p95)} ms |`,
    ),
  ].join("\n");
}

function quantileOf(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
}
