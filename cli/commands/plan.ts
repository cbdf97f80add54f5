/**
 * `alb-static-ip plan`: the next run as a dry run with real reads. It runs the function's own reconcile()
 * (lambda/reconcile.ts) with `dryRun: true`, the function's discovery and adapters typed read-only, and no
 * metrics publisher. `--json` prints exactly the run summary the function logs, where
 * `targetGroups[].registered` / `deregistered` name what the run would change.
 */
import { describeTargetGroupTypes } from "../../lambda/aws/elbv2.js";
import { type Config, pairLabel, stateKey } from "../../lambda/config/index.js";
import { toPlanSettings } from "../../lambda/core/plan.js";
import { type RunLogger, type RunSummary, reconcile } from "../../lambda/reconcile.js";
import { callLimitsOf, runDeadlines } from "../../lambda/timing.js";
import { dryRunPair, readState, readTargets } from "../aws/adapters.js";
import type { CliContext } from "../context.js";
import { createDiscover } from "../discovery.js";
import { NOTE_TEXT } from "../explain.js";
import { table } from "../output.js";

/** Time the dry run may take, like a function of a one-minute timeout. */
const PLAN_BUDGET_MS = 60_000;

/**
 * Runs the dry run and prints it; returns the exit code (1 when the dry run failed).
 *
 * @example
 * process.exitCode = await planCommand(ctx, config);
 */
export async function planCommand(ctx: CliContext, config: Readonly<Config>): Promise<number> {
  const { clients, out } = ctx;
  const logger: RunLogger = {
    debug: () => {},
    info: () => {},
    warn: (message) => out.progress(`warning: ${message}`),
    error: (message) => out.progress(`error: ${message}`),
  };
  out.progress(
    config.discoveryMode === "eni"
      ? "listing the ALB's network interfaces (DescribeNetworkInterfaces)"
      : `sampling ${config.albDnsName} at its name servers (DNS)`,
  );
  const started = Date.now();
  const summary = await reconcile(
    {
      discover: createDiscover(config, clients.settings, logger.warn),
      targetGroupTypes: (arns) => describeTargetGroupTypes(clients.elbv2, arns),
      pairs: config.targetGroups.map((pair) => ({
        ...pair,
        label: pairLabel(pair),
        ...dryRunPair(
          readTargets(clients, pair.targetGroupArn),
          readState(clients, {
            bucket: config.s3Bucket,
            key: stateKey(config, pair),
            expect: { targetGroupArn: pair.targetGroupArn, port: pair.port, albDnsName: config.albDnsName },
          }),
        ),
      })),
      metrics: undefined,
      logger,
      now: () => new Date(),
    },
    {
      planConfig: toPlanSettings(config),
      allowedTargetCidrs: config.allowedTargetCidrs,
      dryRun: true,
      ...runDeadlines(started, PLAN_BUDGET_MS, callLimitsOf(config)),
    },
  );
  if (ctx.options.json) out.json(summary);
  else printPlan(ctx, summary);
  return summary.ok ? 0 : 1;
}

function printPlan(ctx: CliContext, summary: RunSummary): void {
  const { out } = ctx;
  const c = out.color;
  out.line(c.bold(`Plan for ${summary.albDnsName} (dry run: nothing was changed)`));
  for (const [family, d] of Object.entries(summary.discovery)) {
    const verdict = d.failed ? c.red("failed") : d.complete ? c.green("complete") : c.yellow("incomplete");
    out.line(
      `  discovery ${family}: ${verdict}, ${d.ipCount} IP(s) in ${d.queries} ${d.source === "eni" ? "page(s)" : "queries"}`,
    );
  }
  for (const pair of summary.targetGroups) {
    out.line();
    out.line(`${c.bold(pair.label)}  ${pair.ok ? c.green("ok") : c.red(`failed: ${pair.error?.code}`)}`);
    if (pair.error) out.line(`  ${pair.error.message}`);
    const rows: string[][] = [
      ["register", String(pair.registered.length), pair.registered.join(", ") || "-"],
      ["deregister", String(pair.deregistered.length), pair.deregistered.join(", ") || "-"],
    ];
    for (const [code, ips] of Object.entries(pair.noteIps)) {
      if (ips.length > 0)
        rows.push([`hold: ${code}`, String(ips.length), `${ips.join(", ")} — ${NOTE_TEXT[code] ?? ""}`]);
    }
    for (const line of table(["ACTION", "N", "IPS AND WHY"], rows, out.width)) out.line(`  ${line}`);
    const other = pair.notes.filter((n) => pair.noteIps[n] === undefined);
    if (other.length > 0) {
      out.line("  notes:");
      for (const code of other) out.line(`    ${code}: ${NOTE_TEXT[code] ?? ""}`);
    }
  }
  if (summary.error) {
    out.line();
    out.line(c.red(`The run would fail: ${summary.error.code}: ${summary.error.message}`));
  }
}
