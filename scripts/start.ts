/**
 * `npm start`: a live demo of the function on the embedded local AWS world. No AWS account, no credentials.
 * Builds the bundle if needed, starts the world (a dualstack ALB; one function for listeners 80 and 443 and
 * both IP families: target groups 80/ipv4, 443/ipv4 and 443/ipv6 through TARGET_GROUPS), invokes the bundled
 * handler on an accelerated schedule (one "minute" every RUN_INTERVAL_MS) while a scripted ALB scales
 * 3 → 12 → 40 → 6 with one DNS outage, and redraws a compact view after each run (every target group, and the
 * 443 groups' addresses of both families), with a phase where one of the two DNS servers is a caching resolver.
 * Ends by itself with a summary; `--forever` keeps scaling at random, and `--forever --hostile` also switches the
 * DNS servers between hostile answer models (caching, stale, short, AZ-balanced, another set) and now and then
 * fails every health check for a moment.
 *
 * `--eni` runs the function with DISCOVERY_MODE=eni (it lists the ALB's network interfaces in the world's EC2;
 * DNS follows 4 s late) and delivers ELB's CloudTrail interface events through a stand-in EventBridge rule, so a
 * scale-out is registered within seconds, between scheduled runs (reserved concurrency 1: one run at a time).
 */
import { interfaceEventPattern } from "../lambda/core/events.js";
import type { RunSummary } from "../lambda/reconcile.js";
import type { DnsBehaviour } from "../sim/dns-answers.js";
import { createEventRule } from "../sim/eventbridge.js";
import { startFunction } from "../sim/lambda-runtime.js";
import { startWorld } from "../sim/world.js";
import { ensureLambdaBundle } from "./lambda-bundle.js";

const forever = process.argv.includes("--forever");
const hostile = process.argv.includes("--hostile");
const eni = process.argv.includes("--eni");
/** What a hostile `--forever` run switches between (sim/dns-answers.ts). */
const HOSTILE: ReadonlyArray<{ say: string; behaviour: DnsBehaviour | null }> = [
  { say: "honest answers", behaviour: null },
  { say: "a caching resolver", behaviour: { model: "caching", ttlSeconds: 60 } },
  { say: "a stale server (5 old IPs)", behaviour: { model: "stale", ips: ["10.0.0.1"] } },
  { say: "short 3-IP answers", behaviour: { model: "short", size: 3, probability: 0.5 } },
  { say: "AZ-balanced answers", behaviour: { model: "azBalanced", groups: [2, 2, 20] } },
  { say: "another answer set", behaviour: { model: "fixed", ips: ["10.0.253.1", "10.0.253.2"] } },
];
const RUN_INTERVAL_MS = 2_000;
const tty = process.stdout.isTTY === true;

type Step = { run: number; say: string; act: (w: Awaited<ReturnType<typeof startWorld>>) => void };
const SCRIPT: Step[] = [
  { run: 4, say: "ALB scales out to 12 IPs", act: (w) => w.scaleAlb(12) },
  { run: 8, say: "ALB scales out to 40 IPs", act: (w) => w.scaleAlb(40) },
  {
    run: 12,
    say: "DNS outage (SERVFAIL) for 2 runs",
    act: (w) => w.setFaults({ dns: { mode: "servfail" } }),
  },
  { run: 14, say: "DNS is back", act: (w) => w.setFaults({}) },
  {
    run: 15,
    say: "DNS server 2 turns into a caching resolver (answers lack the AA flag: runs incomplete, nothing deregistered)",
    act: (w) => w.setDnsBehaviour(1, { model: "caching", ttlSeconds: 60 }),
  },
  { run: 16, say: "ALB scales in to 6 IPs", act: (w) => w.scaleAlb(6) },
  { run: 18, say: "DNS server 2 answers honestly again", act: (w) => w.setDnsBehaviour(1, null) },
];
const LAST_RUN = 26;

const SYMBOL: Record<string, string> = {
  healthy: "\u001b[32m●\u001b[0m",
  initial: "\u001b[33m◐\u001b[0m",
  unhealthy: "\u001b[31m✗\u001b[0m",
  draining: "\u001b[90m↓\u001b[0m",
  missing: "\u001b[31;1m!\u001b[0m",
};

async function main(): Promise<void> {
  ensureLambdaBundle(console.log);
  const world = await startWorld({
    albIpCount: 3,
    dnsServers: 2,
    healthCheckDelayMs: 1_500,
    deregistrationDelayMs: 4_000,
    latency: { dns: 1, aws: 5 },
    // ENI mode: the sim's interfaces carry IPv4 only, so the ENI demo keeps two ipv4 groups.
    ...(eni
      ? { dnsFollowDelayMs: 4_000, ipsPerInterface: 2, targetGroups: [{ port: 80 }, { port: 443 }] }
      : {
          albIpAddressType: "dualstack" as const,
          targetGroups: [{ port: 80 }, { port: 443 }, { port: 443, ipAddressType: "ipv6" as const }],
        }),
  });
  const fn = await startFunction({
    env: {
      ...world.env(),
      LOG_LEVEL: "WARN",
      ...(eni ? { DISCOVERY_MODE: "eni", ALB_ARN: world.info.albArn } : {}),
    },
    timeoutMs: 50_000,
  });
  // Reserved concurrency 1: scheduled and event-triggered invocations run one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const invoke = <T>(event: unknown) => {
    const next = queue.then(() => fn.invoke<T>(event));
    queue = next.catch(() => undefined);
    return next;
  };
  let scaledAt = Date.now();
  let eventRuns = 0;
  let runs = 0;
  let registrations = 0;
  let deregistrations = 0;
  let liveLost = 0;
  let failedRuns = 0;
  const events: string[] = [];
  let rule: ReturnType<typeof createEventRule> | undefined;
  if (eni) {
    rule = createEventRule({
      pattern: interfaceEventPattern(`ELB ${world.info.albArn.split(":loadbalancer/")[1]}`),
      deliveryDelayMs: 1_000,
      invoke: async (event) => {
        const out = await invoke<RunSummary & { skipped?: string }>(event);
        const registered = (out.result?.targetGroups ?? []).flatMap((p) => p.registered);
        if (out.result?.skipped === undefined) eventRuns += 1;
        if (registered.length > 0) {
          registrations += registered.length;
          events.unshift(
            `interface event: +${registered.length} registered ${((Date.now() - scaledAt) / 1000).toFixed(1)} s after the interfaces appeared`,
          );
        }
        return out;
      },
    });
    world.onCloudTrailEvent((event) => rule?.put(event));
  }

  const stop = async (code: number) => {
    await fn.stop();
    await world.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(130));

  for (let run = 1; forever || run <= LAST_RUN; run += 1) {
    const step = SCRIPT.find((s) => s.run === run);
    if (step) {
      scaledAt = Date.now();
      step.act(world);
      events.unshift(`run ${run}: ${step.say}`);
    } else if (forever && run > LAST_RUN && run % 6 === 0) {
      const n = 2 + Math.floor(Math.random() * 60);
      scaledAt = Date.now();
      world.scaleAlb(n);
      events.unshift(`run ${run}: ALB scales to ${n} IPs`);
    } else if (forever && hostile && run > LAST_RUN && run % 4 === 0) {
      const server = Math.floor(Math.random() * 2);
      const pick = HOSTILE[Math.floor(Math.random() * HOSTILE.length)]!;
      const b = pick.behaviour;
      world.setDnsBehaviour(
        server,
        b?.model === "stale" ? { ...b, ips: world.state().alb.ips.slice(0, 5) } : b,
      );
      events.unshift(`run ${run}: DNS server ${server + 1} serves ${pick.say}`);
      if (Math.random() < 0.25) {
        world.setHealthOutage(3_000);
        events.unshift(`run ${run}: every health check fails for 3 s`);
      }
    }
    const albBefore = new Set([...world.state().alb.ips, ...world.state().alb.ipv6]);
    const started = Date.now();
    const out = await invoke<RunSummary>({ source: "aws.events", "detail-type": "Scheduled Event" });
    runs += 1;
    // A failed run throws after logging its summary; read it from the log line then.
    const summary = out.result ?? summaryFromLogs(out.logs);
    if (!out.ok) failedRuns += 1;
    const pairs = summary?.targetGroups ?? [];
    const deregistered = pairs.flatMap((p) => p.deregistered);
    registrations += pairs.reduce((n, p) => n + p.registered.length, 0);
    deregistrations += deregistered.length;
    const aliveNow = new Set([...world.state().alb.ips, ...world.state().alb.ipv6]);
    const lostNow = deregistered.filter((ip) => albBefore.has(ip) && aliveNow.has(ip));
    liveLost += lostNow.length;

    draw(run, world, out.ok, summary, out.error?.message, events);
    if (lostNow.length > 0) console.log(`LIVE IP DEREGISTERED: ${lostNow.join(", ")}`);
    await new Promise((r) => setTimeout(r, Math.max(0, RUN_INTERVAL_MS - (Date.now() - started))));
  }

  if (rule !== undefined && !forever) {
    // An event-driven scale-out: no scheduled run for the next "minutes"; the interface events trigger one.
    const before = world.state().alb.ips.length;
    scaledAt = Date.now();
    world.scaleAlb(before + 8);
    events.unshift(
      `ALB scales out ${before} → ${before + 8} between scheduled runs; waiting for the interface events`,
    );
    await rule.idle();
    draw(LAST_RUN, world, true, undefined, undefined, events);
    if (!tty) console.log(events.slice(0, 2).reverse().join("\n"));
  }
  console.log(
    `\nSummary: ${runs} runs (${failedRuns} failed${eni ? "" : ", as expected during the DNS outage"}), ` +
      `${registrations} registrations, ${deregistrations} deregistrations, live IPs ever deregistered: ${liveLost} (must be 0).` +
      (eni
        ? ` Discovery: ENI (${eventRuns} event-triggered runs between the scheduled ones).`
        : " Discovery: DNS (`npm start -- --eni` for ENI discovery with interface events)."),
  );
  await stop(liveLost === 0 ? 0 : 1);
}

function summaryFromLogs(logs: string[]): RunSummary | undefined {
  for (const line of logs) {
    try {
      const parsed = JSON.parse(line) as { message?: string } & RunSummary;
      if (parsed.message?.startsWith("alb-static-ip run")) return parsed;
    } catch {
      // not a JSON log line
    }
  }
  return undefined;
}

/** The IP grid of one target group: its family's ALB addresses and its targets, `perRow` cells a line. */
function grid(
  alb: ReadonlySet<string>,
  tg: { targets: Array<{ ip: string; state: string }> } | undefined,
  width: number,
  perRow: number,
): string[] {
  const targets = new Map((tg?.targets ?? []).map((t) => [t.ip, t.state]));
  const all = [...new Set([...alb, ...targets.keys()])].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  const cells = all.map((ip) => {
    const health = targets.get(ip);
    const mark = health ? (SYMBOL[health] ?? "?") : SYMBOL.missing;
    return `${mark}${alb.has(ip) ? " " : "\u001b[90m×\u001b[0m"} ${ip.padEnd(width)}`;
  });
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += perRow) lines.push(`  ${cells.slice(i, i + perRow).join("  ")}`);
  return lines;
}

function draw(
  run: number,
  world: Awaited<ReturnType<typeof startWorld>>,
  ok: boolean,
  summary: RunSummary | undefined,
  error: string | undefined,
  events: string[],
): void {
  const state = world.state();
  const alb4 = new Set(state.alb.ips);
  const alb6 = new Set(state.alb.ipv6);
  const lines: string[] = [];
  lines.push(
    `\u001b[1malb-static-ip live demo\u001b[0m — local AWS world, one run every ${RUN_INTERVAL_MS / 1000} s (= 1 min); one function, ${state.targetGroups.length} target groups (TARGET_GROUPS)${eni ? ", discovery ENI + interface events" : ", dualstack ALB, discovery DNS"}`,
  );
  lines.push(
    `run ${run}${forever ? "" : `/${LAST_RUN}`}   ALB IPs: ${alb4.size} IPv4 + ${alb6.size} IPv6   ${ok ? "\u001b[32mok\u001b[0m" : `\u001b[31mfailed\u001b[0m: ${error?.split("\n")[0]?.slice(0, 90)}`}`,
  );
  if (summary) {
    for (const [family, d] of Object.entries(summary.discovery)) {
      lines.push(
        eni
          ? `ENI ${family}: ${d.queries} page(s), ${d.answers} interfaces, ${d.ipCount} IPs, ${d.complete ? "complete" : d.failed ? "FAILED" : "incomplete"}, ${Math.round(d.durationMs)} ms`
          : `DNS ${family === "ipv6" ? "AAAA" : "A   "}: ${d.queries} queries, ${d.answers} answers, ${d.ipCount} IPs, ${d.complete ? "complete" : d.failed ? "FAILED" : "incomplete"}, ${Math.round(d.durationMs)} ms`,
      );
    }
    for (const p of summary.targetGroups) {
      const tg = state.targetGroups.find((g) => g.arn === p.targetGroupArn);
      const active = (tg?.targets ?? []).filter((t) => t.state !== "draining").length;
      lines.push(
        `  ${`${p.port}/${p.ipAddressType ?? "?"}`.padEnd(9)} ${String(active).padStart(3)} targets   +${p.registered.length} −${p.deregistered.length}   state ${p.stateWritten ? "written" : "unchanged"}${p.ok ? "" : `   \u001b[31m${p.error?.code}\u001b[0m`}`,
      );
    }
  }
  lines.push("", "  443/ipv4");
  lines.push(...grid(alb4, state.targetGroups[1], 15, 4));
  lines.push("", "  443/ipv6");
  lines.push(...grid(alb6, state.targetGroups[2], 30, 2));
  lines.push("");
  lines.push(
    `  ${SYMBOL.healthy} healthy  ${SYMBOL.initial} initial  ${SYMBOL.unhealthy} unhealthy  ${SYMBOL.draining} draining  ${SYMBOL.missing} in ALB, not registered  × no longer in ALB`,
  );
  lines.push(`  events: ${events.slice(0, 4).join(" | ") || "—"}`);
  if (tty) process.stdout.write(`\u001b[2J\u001b[H${lines.join("\n")}\n`);
  else {
    const pairs = (summary?.targetGroups ?? [])
      .map((p) => `${p.port}/${p.ipAddressType ?? "?"} +${p.registered.length} −${p.deregistered.length}`)
      .join(", ");
    const queries = Object.entries(summary?.discovery ?? {})
      .map(([family, d]) => `${family === "ipv6" ? "AAAA" : "A"}=${d.queries}`)
      .join(" ");
    console.log(
      `run ${run}: alb=${alb4.size}+${alb6.size} ${pairs} queries ${queries} ${ok ? "ok" : `failed: ${error?.split("\n")[0]}`}`,
    );
  }
}

await main();
