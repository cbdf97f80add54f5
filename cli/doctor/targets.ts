/**
 * Doctor's target check: the target group's targets on the port against the ALB's current IPs (found by the
 * function's own discovery), with every TargetHealth reason code explained in words.
 */
import type { Config } from "../../lambda/config/index.js";
import { pairLabel } from "../../lambda/config/index.js";
import { callLimitsOf, runDeadlines } from "../../lambda/timing.js";
import { describeTargetHealth } from "../aws/network.js";
import type { CliContext } from "../context.js";
import { createDiscover } from "../discovery.js";
import { explainHealth } from "../explain.js";
import { type Finding, finding, runCheck } from "./findings.js";
import type { Wiring } from "./load-balancers.js";

/**
 * Checks each pair's targets.
 *
 * @example
 * findings.push(...(await checkTargets(ctx, config, wiring)));
 */
export async function checkTargets(
  ctx: CliContext,
  config: Readonly<Config>,
  wiring: Wiring,
): Promise<Finding[]> {
  const discover = createDiscover(config, ctx.clients.settings, (message) =>
    ctx.out.progress(`warning: ${message}`),
  );
  const observations = new Map<string, Awaited<ReturnType<typeof discover>>>();
  const out: Finding[] = [];
  for (const pair of config.targetGroups) {
    const group = wiring.groups.get(pair.targetGroupArn);
    if (group === undefined) continue;
    const family = group.IpAddressType === "ipv6" ? "ipv6" : "ipv4";
    const label = pairLabel(pair);
    out.push(
      ...(await runCheck(`the targets of ${label}`, async () => {
        const findings: Finding[] = [];
        const targets = (await describeTargetHealth(ctx.clients, pair.targetGroupArn)).filter(
          (t) => t.port === pair.port,
        );
        let observation = observations.get(family);
        if (observation === undefined) {
          ctx.out.progress(
            `discovering the ALB's ${family} addresses as the function does (${config.discoveryMode})`,
          );
          observation = await discover(
            family,
            runDeadlines(Date.now(), 30_000, callLimitsOf(config)).discoveryDeadline,
            1,
          );
          observations.set(family, observation);
        }
        const unhealthy = targets.filter(
          (t) => t.state !== "healthy" && t.state !== "initial" && !t.state.includes("draining"),
        );
        const byReason = new Map<string, string[]>();
        for (const t of unhealthy) {
          const key = `${t.state} (${t.reason ?? "no reason"})`;
          byReason.set(key, [...(byReason.get(key) ?? []), t.ip]);
        }
        for (const [key, ips] of byReason) {
          const sample = unhealthy.find((t) => `${t.state} (${t.reason ?? "no reason"})` === key);
          findings.push(
            finding(
              "targets_unhealthy",
              `${ips.length} of ${targets.length} target(s) of ${label} are ${key}: ${explainHealth(sample?.reason, sample?.description)}. IPs: ${ips.join(", ")}.`,
              label,
            ),
          );
        }
        if (observation.failed) {
          findings.push(
            finding(
              "check_skipped",
              `Could not compare the targets of ${label} with the ALB's IPs: discovery failed (${observation.failure?.message ?? `${observation.queries} DNS queries, none answered`}). The function's own runs fail the same way from where it runs, or succeed if only this machine cannot reach the name servers (DNS_SERVERS).`,
              label,
            ),
          );
          return findings;
        }
        const registered = new Set(targets.filter((t) => !t.state.includes("draining")).map((t) => t.ip));
        const albIps = new Set(observation.ips);
        const notRegistered = observation.ips.filter((ip) => !registered.has(ip));
        const foreign = [...registered].filter((ip) => !albIps.has(ip));
        if (notRegistered.length > 0) {
          findings.push(
            finding(
              "alb_ips_not_registered",
              `${notRegistered.length} of the ALB's ${observation.ips.length} ${family} address(es) are not registered in ${label}: ${notRegistered.join(", ")}. The function's next run registers them; if this persists, check that it runs (doctor --function-name, status).`,
              label,
            ),
          );
        }
        if (foreign.length > 0 && observation.complete) {
          findings.push(
            finding(
              "targets_not_alb_ips",
              `${foreign.length} registered target(s) of ${label} are not among the ALB's current addresses: ${foreign.join(", ")}. Owned ones leave after INVOCATIONS_BEFORE_DEREGISTRATION runs once the NLB reports them unhealthy; targets the function does not own stay (status shows which) and must be removed by hand.`,
              label,
            ),
          );
        }
        return findings;
      })),
    );
  }
  return out;
}
