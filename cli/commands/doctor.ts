/**
 * `alb-static-ip doctor`: reads the wiring around the function and reports findings with stable codes
 * (cli/doctor/findings.ts). Exit code 1 when any finding is an error, else 0. A check that cannot run is an
 * `info` finding saying what it could not see.
 */
import type { Config } from "../../lambda/config/index.js";
import type { ConfigError } from "../../lambda/errors.js";
import type { CliContext } from "../context.js";
import { type Finding, finding, runCheck, type Severity } from "../doctor/findings.js";
import { checkFunction, checkState } from "../doctor/function.js";
import { checkLoadBalancers, type Wiring } from "../doctor/load-balancers.js";
import { checkSecurityGroups } from "../doctor/security-groups.js";
import { checkTargets } from "../doctor/targets.js";
import { table } from "../output.js";

export interface DoctorReport {
  ok: boolean;
  counts: Record<Severity, number>;
  findings: Finding[];
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Runs every check and prints the findings; returns the exit code.
 *
 * @example
 * process.exitCode = await doctorCommand(ctx);
 */
export async function doctorCommand(ctx: CliContext): Promise<number> {
  const findings = await runChecks(ctx, ctx.config);
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  const report: DoctorReport = { ok: counts.error === 0, counts, findings };
  if (ctx.options.json) ctx.out.json(report);
  else printReport(ctx, report);
  return report.ok ? 0 : 1;
}

async function runChecks(ctx: CliContext, config: Readonly<Config> | ConfigError): Promise<Finding[]> {
  if (config instanceof Error) {
    const where = ctx.fn === undefined ? "this shell's environment" : `function ${ctx.fn.name}'s environment`;
    return [
      finding("config_invalid", `The configuration in ${where} is invalid. ${config.message}`, ctx.fn?.arn),
    ];
  }
  const findings: Finding[] = [];
  let wiring: Wiring | undefined;
  findings.push(
    ...(await runCheck(
      "the load balancers, listeners and target groups (elasticloadbalancing:Describe*)",
      async () => {
        const checked = await checkLoadBalancers(ctx, config);
        wiring = checked.wiring;
        return checked.findings;
      },
    )),
  );
  if (wiring !== undefined) {
    const known = wiring;
    findings.push(
      ...(await runCheck("the ALB's security groups (ec2:DescribeSecurityGroups, ec2:DescribeSubnets)", () =>
        checkSecurityGroups(ctx, config, known),
      )),
      ...(await checkTargets(ctx, config, known)),
    );
  }
  findings.push(...(await checkFunction(ctx, config)), ...(await checkState(ctx, config)));
  return findings;
}

function printReport(ctx: CliContext, report: DoctorReport): void {
  const { out } = ctx;
  const c = out.color;
  const paint = (s: Severity) => (s === "error" ? c.red(s) : s === "warning" ? c.yellow(s) : c.dim(s));
  if (report.findings.length > 0) {
    for (const line of table(
      ["SEVERITY", "CODE", "MESSAGE"],
      report.findings.map((f) => [paint(f.severity), f.code, f.message]),
      out.width,
    ))
      out.line(line);
    out.line();
  }
  const summary = `${report.counts.error} error(s), ${report.counts.warning} warning(s), ${report.counts.info} info`;
  out.line(report.ok ? c.green(`doctor: no errors (${summary})`) : c.red(`doctor: ${summary}`));
}
