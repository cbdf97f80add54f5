/**
 * Doctor's security group check: the ALB's security groups must admit the NLB's nodes (the NLB's own security
 * groups when it has any, else its subnets' CIDR blocks, where its nodes' addresses come from) on each
 * listener port and on the health-check port. Only TCP over IPv4 sources is judged.
 */
import type { Config } from "../../lambda/config/index.js";
import { pairLabel } from "../../lambda/config/index.js";
import { cidrContains, parseCidr } from "../../lambda/core/cidr.js";
import {
  describeSecurityGroups,
  describeSubnets,
  type IngressRuleView,
  type LoadBalancer,
} from "../aws/network.js";
import type { CliContext } from "../context.js";
import { type Finding, finding } from "./findings.js";
import type { Wiring } from "./load-balancers.js";

/**
 * Checks every (target group, port) whose ALB and NLB are known.
 *
 * @example
 * findings.push(...(await checkSecurityGroups(ctx, config, wiring)));
 */
export async function checkSecurityGroups(
  ctx: CliContext,
  config: Readonly<Config>,
  wiring: Wiring,
): Promise<Finding[]> {
  const alb = wiring.alb;
  if (alb === undefined) return [];
  const albGroups = alb.SecurityGroups ?? [];
  if (albGroups.length === 0) return [];
  ctx.out.progress("reading the ALB's security groups and the NLB's subnets");
  const groups = await describeSecurityGroups(ctx.clients, albGroups);
  const rules = groups.flatMap((g) => g.ingress.map((r) => ({ group: g.id, rule: r })));
  const out: Finding[] = [];
  for (const pair of config.targetGroups) {
    const group = wiring.groups.get(pair.targetGroupArn);
    const checkPort =
      group?.HealthCheckPort === undefined || group.HealthCheckPort === "traffic-port"
        ? pair.port
        : Number(group.HealthCheckPort);
    const ports = [...new Set([pair.port, checkPort])];
    for (const nlb of wiring.nlbsOf.get(pair.targetGroupArn) ?? []) {
      const sources = await nodeSources(ctx, nlb);
      const blocked = ports.flatMap((port) =>
        sources
          .filter((source) => !rules.some(({ rule }) => admits(rule, port, source)))
          .map((source) => ({ port, source })),
      );
      if (blocked.length === 0) continue;
      const what = [...new Set(blocked.map((b) => `${b.source.text} on TCP ${b.port}`))].join(", ");
      out.push(
        finding(
          "alb_security_group_blocks_nlb",
          `The ALB's security groups (${albGroups.join(", ")}) do not admit the nodes of NLB ${nlb.LoadBalancerName} (${sources.map((s) => s.text).join(", ")}${sources.some((s) => s.kind === "group") ? "" : ", its subnets' CIDRs"}): ${what} is not allowed, so the NLB's health checks and traffic to port ${pair.port} are dropped. Add an ingress rule to ${albGroups[0]} for TCP ${ports.join(" and ")} from ${sources.some((s) => s.kind === "group") ? `security group ${sources[0]?.text}` : sources.map((s) => s.text).join(", ")}.`,
          pairLabel(pair),
        ),
      );
    }
  }
  return out;
}

interface Source {
  kind: "group" | "cidr";
  text: string;
}

/** Where the NLB's nodes come from: its security groups, or its subnets' CIDR blocks. */
async function nodeSources(ctx: CliContext, nlb: LoadBalancer): Promise<Source[]> {
  const groups = nlb.SecurityGroups ?? [];
  if (groups.length > 0) return groups.map((id) => ({ kind: "group", text: id }));
  const subnetIds = (nlb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? "").filter((s) => s !== "");
  const subnets = await describeSubnets(ctx.clients, subnetIds);
  return subnets.map((s) => ({ kind: "cidr", text: s.cidr ?? "" })).filter((s) => s.text !== "");
}

function admits(rule: IngressRuleView, port: number, source: Source): boolean {
  const all = rule.protocol === "-1" || rule.protocol === "all";
  const tcp = rule.protocol === "tcp" || rule.protocol === "6";
  if (!all && !(tcp && (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535))) return false;
  if (source.kind === "group") return rule.groups.includes(source.text);
  const wanted = parseCidr(source.text);
  if (!wanted.ok) return false;
  return rule.cidrs.some((text) => {
    const parsed = parseCidr(text);
    return (
      parsed.ok &&
      parsed.cidr.prefix <= wanted.cidr.prefix &&
      cidrContains(parsed.cidr, wanted.cidr.text.split("/")[0] ?? "")
    );
  });
}
