/**
 * `alb-static-ip status`: per (target group, port), the state object decoded against the NLB's view: every
 * target registered on the port or owned by the function, with its IP, ownership, consecutive misses, the NLB's
 * health (state, reason and its meaning), why it is held, and the time of the last complete run (the newest
 * DiscoveryComplete = 1 datapoint of the function's own metrics; the state holds no run time) and of the last
 * state write (the object's LastModified). Nothing is discovered: `plan` shows what the next run would do.
 */

import { targetGroupDimension } from "../../lambda/aws/metrics.js";
import { type Config, pairLabel, stateKey, type TargetGroupPair } from "../../lambda/config/index.js";
import { DEFAULT_CLAIM_TTL_MS, MAX_CLOCK_SKEW_MS } from "../../lambda/core/plan.js";
import { readState } from "../aws/adapters.js";
import { describeTargetHealth, metricSeries, stateWrittenAt } from "../aws/network.js";
import type { CliContext } from "../context.js";
import { explainHealth, NOTE_TEXT } from "../explain.js";
import { table } from "../output.js";

export interface TargetStatus {
  ip: string;
  /** In the function's state: only owned targets are ever deregistered. */
  owned: boolean;
  /** Consecutive complete observations without this IP (0 when not owned). */
  misses: number;
  /** Registered (in any state) on the pair's port. */
  registered: boolean;
  health:
    | { state: string; reason: string | undefined; description: string | undefined; meaning: string }
    | undefined;
  /** Why the function keeps it (codes of lambda/core/plan.ts notes where they match), with the words. */
  held: Array<{ code: string; message: string }>;
  firstSeen?: string | undefined;
  lastSeen?: string | undefined;
  deregisteringSince?: string | undefined;
}

export interface PairStatus {
  targetGroupArn: string;
  port: number;
  label: string;
  state: {
    bucket: string;
    key: string;
    writtenAt: string | undefined;
    problem?: { code: string; reason: string } | undefined;
  };
  /** Newest run whose discovery was complete (function metric), or undefined with `lastCompleteRunNote`. */
  lastCompleteRun: string | undefined;
  lastCompleteRunNote?: string | undefined;
  targets: TargetStatus[];
  error?: { code: string; message: string } | undefined;
}

export interface StatusReport {
  albDnsName: string;
  generatedAt: string;
  targetGroups: PairStatus[];
}

/** How far back the last complete run is looked for. */
const METRIC_WINDOW_MINUTES = 180;

/**
 * Reads and prints the status; returns the exit code (0, or 1 when a target group could not be read).
 *
 * @example
 * process.exitCode = await statusCommand(ctx, config);
 */
export async function statusCommand(ctx: CliContext, config: Readonly<Config>): Promise<number> {
  ctx.out.progress("reading the state objects and the target groups' health");
  const report: StatusReport = {
    albDnsName: config.albDnsName,
    generatedAt: new Date().toISOString(),
    targetGroups: await Promise.all(config.targetGroups.map((pair) => pairStatus(ctx, config, pair))),
  };
  if (ctx.options.json) ctx.out.json(report);
  else printStatus(ctx, report);
  return report.targetGroups.some((p) => p.error !== undefined) ? 1 : 0;
}

async function pairStatus(
  ctx: CliContext,
  config: Readonly<Config>,
  pair: TargetGroupPair,
): Promise<PairStatus> {
  const key = stateKey(config, pair);
  const status: PairStatus = {
    targetGroupArn: pair.targetGroupArn,
    port: pair.port,
    label: pairLabel(pair),
    state: { bucket: config.s3Bucket, key, writtenAt: undefined },
    lastCompleteRun: undefined,
    targets: [],
  };
  try {
    const store = readState(ctx.clients, {
      bucket: config.s3Bucket,
      key,
      expect: { targetGroupArn: pair.targetGroupArn, port: pair.port, albDnsName: config.albDnsName },
    });
    const [health, loaded, writtenAt, lastRun] = await Promise.all([
      describeTargetHealth(ctx.clients, pair.targetGroupArn),
      store.load(),
      stateWrittenAt(ctx.clients, config.s3Bucket, key),
      lastCompleteRun(ctx, config, pair),
    ]);
    status.state.writtenAt = writtenAt?.toISOString();
    if (loaded.problem) status.state.problem = loaded.problem;
    status.lastCompleteRun = lastRun.at;
    if (lastRun.note) status.lastCompleteRunNote = lastRun.note;
    const onPort = health.filter((t) => t.port === pair.port);
    const owned = loaded.state?.targets ?? {};
    const ips = [...new Set([...onPort.map((t) => t.ip), ...Object.keys(owned)])].sort(compareIps);
    status.targets = ips.map((ip) => {
      const record = owned[ip];
      const h =
        onPort.find((t) => t.ip === ip && !t.state.includes("draining")) ?? onPort.find((t) => t.ip === ip);
      const target: TargetStatus = {
        ip,
        owned: record !== undefined,
        misses: record?.misses ?? 0,
        registered: h !== undefined,
        health:
          h === undefined
            ? undefined
            : {
                state: h.state,
                reason: h.reason,
                description: h.description,
                meaning: explainHealth(h.reason, h.description),
              },
        held: [],
        ...(record === undefined
          ? {}
          : {
              firstSeen: record.firstSeen,
              lastSeen: record.lastSeen,
              deregisteringSince: record.deregisteringSince,
            }),
      };
      target.held = holdReasons(target, config).map((code) => ({ code, message: NOTE_TEXT[code] ?? code }));
      return target;
    });
  } catch (error) {
    status.error = {
      code: (error as { code?: string }).code ?? (error as Error).name,
      message: (error as Error).message,
    };
  }
  return status;
}

/** Why the function keeps a target as it is (see lambda/core/plan.ts for the rules). */
export function holdReasons(
  t: TargetStatus,
  config: Pick<Config, "invocationsBeforeDeregistration" | "invocationsBeforeDeregistrationHealthy">,
  now = Date.now(),
): string[] {
  const state = t.health?.state ?? "";
  if (state.includes("draining")) return ["draining"];
  if (!t.owned) return t.registered ? ["target_unowned"] : [];
  if (!t.registered) return ["owned_not_registered"];
  if (t.deregisteringSince !== undefined) {
    const age = now - Date.parse(t.deregisteringSince);
    // As the plan: a claim dated up to the clock skew ahead is honoured, one further ahead is expired.
    return [
      age >= -MAX_CLOCK_SKEW_MS && age < DEFAULT_CLAIM_TTL_MS
        ? "deregistration_in_progress"
        : "claim_expired",
    ];
  }
  if (t.misses === 0) return [];
  if (t.misses < config.invocationsBeforeDeregistration) return ["target_missing"];
  const healthyOrChecking = state === "healthy" || state === "initial";
  if (healthyOrChecking && t.misses < config.invocationsBeforeDeregistrationHealthy)
    return ["deregistration_unconfirmed"];
  return ["deregistration_due"];
}

async function lastCompleteRun(
  ctx: CliContext,
  config: Readonly<Config>,
  pair: TargetGroupPair,
): Promise<{ at: string | undefined; note?: string }> {
  if (!config.cwMetricFlagIpCount)
    return { at: undefined, note: "CW_METRIC_FLAG_IP_COUNT is false: the function publishes no metrics" };
  try {
    const series = await metricSeries(
      ctx.clients,
      {
        namespace: config.metricNamespace,
        name: "DiscoveryComplete",
        dimensions: {
          LoadBalancerName: config.albDnsName,
          TargetGroup: targetGroupDimension(pair.targetGroupArn),
        },
        statistic: "Maximum",
      },
      METRIC_WINDOW_MINUTES,
    );
    const newest = series.find((d) => d.value >= 1);
    return newest === undefined
      ? {
          at: undefined,
          note: `no complete run in the last ${METRIC_WINDOW_MINUTES} minutes (DiscoveryComplete)`,
        }
      : { at: newest.at.toISOString() };
  } catch (error) {
    return {
      at: undefined,
      note: `could not read the DiscoveryComplete metric (${(error as Error).name}: ${(error as Error).message})`,
    };
  }
}

function compareIps(a: string, b: string): number {
  const key = (ip: string) =>
    ip.includes(":")
      ? `1${ip}`
      : `0${ip
          .split(".")
          .map((p) => p.padStart(3, "0"))
          .join(".")}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

function printStatus(ctx: CliContext, report: StatusReport): void {
  const { out } = ctx;
  const c = out.color;
  out.line(c.bold(`Status of ${report.albDnsName} at ${report.generatedAt}`));
  for (const pair of report.targetGroups) {
    out.line();
    out.line(c.bold(pair.label));
    if (pair.error) {
      out.line(c.red(`  could not read: ${pair.error.message}`));
      continue;
    }
    out.line(
      `  state s3://${pair.state.bucket}/${pair.state.key}, written ${pair.state.writtenAt ?? "never"}`,
    );
    if (pair.state.problem)
      out.line(c.yellow(`  state problem ${pair.state.problem.code}: ${pair.state.problem.reason}`));
    out.line(`  last complete run: ${pair.lastCompleteRun ?? `unknown (${pair.lastCompleteRunNote})`}`);
    const rows = pair.targets.map((t) => {
      const state = t.health?.state ?? "not registered";
      const colored =
        state === "healthy" ? c.green(state) : state === "not registered" ? c.dim(state) : c.yellow(state);
      const why = [
        ...(t.health?.reason ? [`${t.health.reason}: ${t.health.meaning}`] : []),
        ...t.held.map((h) => `${h.code}: ${h.message}`),
      ].join("; ");
      return [t.ip, t.owned ? "yes" : "no", String(t.misses), colored, why || "-"];
    });
    if (rows.length === 0) out.line("  no targets on the port and none owned");
    else
      for (const line of table(["IP", "OWNED", "MISSES", "HEALTH", "WHY"], rows, out.width))
        out.line(`  ${line}`);
  }
}
