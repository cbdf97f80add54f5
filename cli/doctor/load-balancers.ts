/**
 * Doctor's load balancer checks: the target groups (exist, `ip` type, TCP/TLS, health-check shape), the ALB
 * (found by ALB_ARN or ALB_DNS_NAME, a listener on every configured port, dualstack for ipv6 groups, idle
 * timeout), the NLB (a listener forwarding to each target group, the ALB's zones enabled or cross-zone on).
 */
import type { Config, TargetGroupPair } from "../../lambda/config/index.js";
import { pairLabel } from "../../lambda/config/index.js";
import {
  describeListeners,
  describeLoadBalancers,
  describeTargetGroups,
  type ListenerView,
  type LoadBalancer,
  loadBalancerAttributes,
  type TargetGroup,
  targetGroupAttributes,
} from "../aws/network.js";
import type { CliContext } from "../context.js";
import { type Finding, finding } from "./findings.js";

/** The NLB's TCP idle timeout, fixed at 350 s unless the listener's tcp.idle_timeout.seconds says otherwise. */
export const NLB_TCP_IDLE_TIMEOUT_SECONDS = 350;

/** What the load balancer checks read once and the other checks reuse. */
export interface Wiring {
  groups: Map<string, TargetGroup>;
  alb: LoadBalancer | undefined;
  albListeners: ListenerView[];
  /** Per target group: the NLBs with a listener forwarding to it. */
  nlbsOf: Map<string, LoadBalancer[]>;
}

/**
 * Reads the wiring and checks it.
 *
 * @example
 * const { wiring, findings } = await checkLoadBalancers(ctx, config);
 */
export async function checkLoadBalancers(
  ctx: CliContext,
  config: Readonly<Config>,
): Promise<{ wiring: Wiring; findings: Finding[] }> {
  const findings: Finding[] = [];
  const wiring: Wiring = { groups: new Map(), alb: undefined, albListeners: [], nlbsOf: new Map() };

  ctx.out.progress("reading the target groups and load balancers");
  for (const pair of config.targetGroups) {
    try {
      const [group] = await describeTargetGroups(ctx.clients, [pair.targetGroupArn]);
      if (group !== undefined) wiring.groups.set(pair.targetGroupArn, group);
    } catch (error) {
      if ((error as Error).name !== "TargetGroupNotFoundException") throw error;
      findings.push(
        finding(
          "target_group_missing",
          `Target group ${pair.targetGroupArn} (port ${pair.port}) does not exist in this account and region. Create it (the module does) or fix NLB_TG_ARN / TARGET_GROUPS.`,
          pairLabel(pair),
        ),
      );
    }
  }
  for (const pair of config.targetGroups) {
    const group = wiring.groups.get(pair.targetGroupArn);
    if (group !== undefined) findings.push(...checkTargetGroup(pair, group));
  }

  const lbs = await describeLoadBalancers(ctx.clients);
  const albArn = config.discovery.alb?.arn;
  wiring.alb = lbs.find((lb) =>
    albArn !== undefined
      ? lb.LoadBalancerArn === albArn
      : (lb.DNSName ?? "").toLowerCase().replace(/\.$/, "") === config.albDnsName.replace(/^dualstack\./, ""),
  );
  if (wiring.alb === undefined) {
    findings.push(
      finding(
        "alb_not_found",
        `No load balancer of this account and region has ${albArn === undefined ? `DNS name ${config.albDnsName} (ALB_DNS_NAME)` : `ARN ${albArn} (ALB_ARN)`}; ${lbs.length} load balancer(s) seen. Check the region (--region) and the variable; an ALB of another account is not checked.`,
      ),
    );
  } else {
    findings.push(...(await checkAlb(ctx, config, wiring)));
  }

  for (const pair of config.targetGroups) {
    const group = wiring.groups.get(pair.targetGroupArn);
    if (group === undefined) continue;
    const nlbs = lbs.filter(
      (lb) => lb.Type === "network" && (group.LoadBalancerArns ?? []).includes(lb.LoadBalancerArn ?? ""),
    );
    const forwarding: LoadBalancer[] = [];
    for (const nlb of nlbs) {
      const listeners = await describeListeners(ctx.clients, nlb.LoadBalancerArn ?? "");
      if (listeners.some((l) => l.forwardsTo.includes(pair.targetGroupArn))) forwarding.push(nlb);
    }
    wiring.nlbsOf.set(pair.targetGroupArn, forwarding);
    if (forwarding.length === 0) {
      findings.push(
        finding(
          "nlb_listener_missing",
          `No listener of an NLB forwards to target group ${group.TargetGroupName ?? pair.targetGroupArn} (its LoadBalancerArns: ${(group.LoadBalancerArns ?? []).join(", ") || "none"}), so clients of the static IPs never reach the ALB through it. Add a ${group.Protocol ?? "TCP"} listener on port ${pair.port} to the NLB whose IPs clients use, with a default action forwarding to ${pair.targetGroupArn} (the module's create_listener does).`,
          pairLabel(pair),
        ),
      );
      continue;
    }
    if (wiring.alb !== undefined)
      findings.push(...(await checkZones(ctx, pair, group, wiring.alb, forwarding)));
  }
  return { wiring, findings };
}

function checkTargetGroup(pair: TargetGroupPair, group: TargetGroup): Finding[] {
  const out: Finding[] = [];
  const label = pairLabel(pair);
  const name = group.TargetGroupName ?? pair.targetGroupArn;
  if (group.TargetType !== undefined && group.TargetType !== "ip") {
    out.push(
      finding(
        "target_group_not_ip",
        `Target group ${name} has target type ${group.TargetType}; the ALB's addresses can only be registered in an IP-type target group. Create one with target_type = "ip" (protocol TCP) and point NLB_TG_ARN / TARGET_GROUPS and the NLB listener at it.`,
        label,
      ),
    );
  }
  if (group.Protocol !== undefined && group.Protocol !== "TCP" && group.Protocol !== "TLS") {
    out.push(
      finding(
        "target_group_protocol",
        `Target group ${name} has protocol ${group.Protocol}; an NLB target group in front of an ALB must be TCP (or TLS to re-encrypt). Create a TCP target group on port ${pair.port}.`,
        label,
      ),
    );
  }
  const protocol = group.HealthCheckProtocol ?? "TCP";
  if (protocol === "HTTP" || protocol === "HTTPS") {
    out.push(
      finding(
        "health_check_through_rules",
        `Target group ${name} checks health with ${protocol} ${group.HealthCheckPath ?? "/"} (matcher ${group.Matcher?.HttpCode ?? "200"}): the check passes through the ALB's listener rules, so a rule change, an authentication action or a redirect marks every ALB IP unhealthy at once. Prefer a TCP health check, or a path that a fixed-response rule answers with the matcher's code.`,
        label,
      ),
    );
  }
  const interval = group.HealthCheckIntervalSeconds ?? 30;
  const threshold = group.UnhealthyThresholdCount ?? 3;
  if (interval * threshold > 120) {
    out.push(
      finding(
        "health_check_slow",
        `Target group ${name} needs ${interval} s × ${threshold} failed checks = ${interval * threshold} s to mark a dead ALB IP unhealthy; the function deregisters a vanished IP only once the NLB agrees (or after HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION runs). Consider interval 10 and threshold 3.`,
        label,
      ),
    );
  }
  return out;
}

async function checkAlb(ctx: CliContext, config: Readonly<Config>, wiring: Wiring): Promise<Finding[]> {
  const alb = wiring.alb!;
  const out: Finding[] = [];
  const name = alb.LoadBalancerName ?? alb.LoadBalancerArn ?? "the ALB";
  if (alb.Type !== undefined && alb.Type !== "application") {
    out.push(
      finding(
        "alb_not_found",
        `${name} (${alb.DNSName}) is a ${alb.Type} load balancer, not an application load balancer; ALB_DNS_NAME must name the ALB.`,
        alb.LoadBalancerArn,
      ),
    );
    return out;
  }
  wiring.albListeners = await describeListeners(ctx.clients, alb.LoadBalancerArn ?? "");
  const ports = wiring.albListeners.map((l) => l.port);
  for (const pair of config.targetGroups) {
    if (!ports.includes(pair.port)) {
      out.push(
        finding(
          "alb_listener_missing",
          `ALB ${name} has no listener on port ${pair.port} (its listeners: ${ports.join(", ") || "none"}), so the NLB's target group ${pairLabel(pair)} forwards to a closed port and every target fails its health checks. Add a listener on port ${pair.port} to the ALB, or pair the target group with a port the ALB listens on (ALB_LISTENER / TARGET_GROUPS).`,
          pairLabel(pair),
        ),
      );
    }
    const group = wiring.groups.get(pair.targetGroupArn);
    const checkPort = group?.HealthCheckPort;
    if (checkPort !== undefined && checkPort !== "traffic-port" && !ports.includes(Number(checkPort))) {
      out.push(
        finding(
          "health_check_port_closed",
          `Target group ${group?.TargetGroupName} checks health on port ${checkPort}, where ALB ${name} has no listener (its listeners: ${ports.join(", ") || "none"}): every target fails its checks. Use the traffic port or a port the ALB listens on.`,
          pairLabel(pair),
        ),
      );
    }
    if (group?.IpAddressType === "ipv6" && !(alb.IpAddressType ?? "ipv4").startsWith("dualstack")) {
      out.push(
        finding(
          "alb_not_dualstack",
          `Target group ${group.TargetGroupName} has IP address type ipv6, but ALB ${name} has IP address type ${alb.IpAddressType ?? "ipv4"}: it has no IPv6 address to register. Set the ALB's IP address type to dualstack, or pair port ${pair.port} with an ipv4 target group.`,
          pairLabel(pair),
        ),
      );
    }
  }
  const attributes = await loadBalancerAttributes(ctx.clients, alb.LoadBalancerArn ?? "");
  const idle = Number(attributes["idle_timeout.timeout_seconds"] ?? "60");
  if (idle >= NLB_TCP_IDLE_TIMEOUT_SECONDS) {
    out.push(
      finding(
        "alb_idle_timeout_exceeds_nlb",
        `ALB ${name} has idle_timeout.timeout_seconds = ${idle}, at or above the NLB's TCP idle timeout of ${NLB_TCP_IDLE_TIMEOUT_SECONDS} s: the NLB drops a quiet connection first and the client gets a reset where it expects the ALB to close. Set the ALB's idle timeout below ${NLB_TCP_IDLE_TIMEOUT_SECONDS} s (e.g. 300).`,
        alb.LoadBalancerArn,
      ),
    );
  }
  return out;
}

async function checkZones(
  ctx: CliContext,
  pair: TargetGroupPair,
  group: TargetGroup,
  alb: LoadBalancer,
  nlbs: readonly LoadBalancer[],
): Promise<Finding[]> {
  const out: Finding[] = [];
  const albZones = (alb.AvailabilityZones ?? []).map((z) => z.ZoneName ?? "").filter((z) => z !== "");
  const groupAttributes = await targetGroupAttributes(ctx.clients, pair.targetGroupArn);
  for (const nlb of nlbs) {
    const nlbZones = (nlb.AvailabilityZones ?? []).map((z) => z.ZoneName ?? "");
    const missing = albZones.filter((z) => !nlbZones.includes(z));
    if (missing.length === 0) continue;
    const lbAttributes = await loadBalancerAttributes(ctx.clients, nlb.LoadBalancerArn ?? "");
    const groupSetting =
      groupAttributes["load_balancing.cross_zone.enabled"] ?? "use_load_balancer_configuration";
    const crossZone =
      groupSetting === "use_load_balancer_configuration"
        ? lbAttributes["load_balancing.cross_zone.enabled"] === "true"
        : groupSetting === "true";
    const nlbName = nlb.LoadBalancerName ?? nlb.LoadBalancerArn;
    if (!crossZone) {
      out.push(
        finding(
          "nlb_missing_alb_az",
          `ALB ${alb.LoadBalancerName} has nodes in ${missing.join(", ")}, which NLB ${nlbName} does not serve (its zones: ${nlbZones.join(", ") || "none"}), and cross-zone load balancing is off (load_balancing.cross_zone.enabled = ${lbAttributes["load_balancing.cross_zone.enabled"] ?? "false"} on the NLB, ${groupSetting} on target group ${group.TargetGroupName}): the ALB IPs in those zones stay unused (Target.NotInUse) and take no traffic. Add a subnet in ${missing.join(", ")} to the NLB, or turn cross-zone load balancing on for the NLB or the target group.`,
          pairLabel(pair),
        ),
      );
    }
  }
  return out;
}
