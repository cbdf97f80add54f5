/**
 * The ELBv2 data model: IP-type target groups and their targets, with the target health state
 * machine computed lazily from timestamps (no timers):
 *
 * - registered, IP currently one of the ALB's: `initial` → `healthy` after the health-check delay;
 * - registered, IP not an ALB IP: `initial` → `unhealthy` (Target.FailedHealthChecks);
 * - the IP joins or leaves the ALB: the old settled state holds for one more delay, then flips;
 * - deregistered: `draining` (Target.DeregistrationInProgress) → gone after the deregistration delay;
 * - re-registering a draining target starts again at `initial`.
 *
 * Each group has an IP address type: an `ipv4` group refuses an IPv6 target and an `ipv6` group an IPv4
 * one (ValidationError, as AWS: "The IP address '…' is not a valid IPv4 address"); IPv6 targets are
 * kept in canonical text; TooManyTargets counts per group.
 */
import { SimApiError } from "./api-error.js";
import {
  type Cidr,
  type Cidr6,
  canonicalIpv6,
  cidr6Contains,
  cidrContains,
  isIpv4,
  isIpv6,
  isTargetableOutsideVpc,
} from "./ip.js";

/** Most targets one target group holds (AWS quota). */
export const DEFAULT_MAX_TARGETS = 1000;

/** Static description of a target group. */
export interface TargetGroupSpec {
  arn: string;
  name: string;
  /** Default target port (also the port used when a target omits `Port`). */
  port: number;
  protocol: "TCP";
  vpcId: string;
  vpcCidr: Cidr;
  loadBalancerArns: string[];
  /** `ipv4` (default) or `ipv6`: the family of every target of the group. */
  ipAddressType?: "ipv4" | "ipv6" | undefined;
  /** The VPC's IPv6 block (IPv6 targets must be inside it). */
  vpcIpv6Cidr?: Cidr6 | undefined;
}

/** A target as sent to RegisterTargets / DeregisterTargets / DescribeTargetHealth. */
export interface TargetInput {
  id: string;
  port?: number | undefined;
  availabilityZone?: string | undefined;
}

/** The health states this model produces (plus `unused` for a target that is not registered). */
export type HealthState = "initial" | "healthy" | "unhealthy" | "draining" | "unused";

/** A target with its health at a moment. */
export interface TargetView {
  ip: string;
  port: number;
  /** As given at registration; undefined when none was given. */
  availabilityZone: string | undefined;
  state: HealthState;
  reason: string | undefined;
  description: string | undefined;
}

/** Timing and environment of the state machine. */
export interface Elbv2ModelOptions {
  clock: () => number;
  healthCheckDelayMs: number;
  deregistrationDelayMs: number;
  /** True when `ip` currently belongs to the ALB, i.e. would pass health checks. */
  isLive: (ip: string) => boolean;
  maxTargets?: number;
  /**
   * The network's verdict on a registered, non-draining target (`sim/network.ts`: an availability zone the NLB
   * does not serve, security groups that drop the health checks), or undefined to let the state machine decide.
   */
  probe?: (
    targetGroupArn: string,
    ip: string,
    port: number,
  ) => Pick<TargetView, "state" | "reason" | "description"> | undefined;
}

type Settled = "healthy" | "unhealthy";

interface TargetRecord {
  ip: string;
  port: number;
  availabilityZone: string | undefined;
  /** Liveness of the IP since `since`. */
  live: boolean;
  since: number;
  /** The settled state shown until the current liveness has been checked long enough. */
  settled: Settled | null;
  deregisteredAt: number | undefined;
}

interface GroupRecord {
  spec: TargetGroupSpec;
  targets: Map<string, TargetRecord>;
}

const REASONS: Record<Exclude<HealthState, "healthy">, { reason: string; description: string }> = {
  initial: { reason: "Elb.RegistrationInProgress", description: "Target registration is in progress" },
  unhealthy: { reason: "Target.FailedHealthChecks", description: "Health checks failed" },
  draining: {
    reason: "Target.DeregistrationInProgress",
    description: "Target deregistration is in progress",
  },
  unused: { reason: "Target.NotRegistered", description: "Target is not registered to the target group" },
};

const TG_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/** In-memory ELBv2 target groups. */
export class Elbv2Model {
  private readonly groups = new Map<string, GroupRecord>();
  private readonly maxTargets: number;
  /** Until this time every registered, non-draining target reports `unhealthy` (a health-check outage). */
  private outageUntil = 0;

  constructor(private readonly options: Elbv2ModelOptions) {
    this.maxTargets = options.maxTargets ?? DEFAULT_MAX_TARGETS;
  }

  /** Add (or replace) a target group, empty. */
  addGroup(spec: TargetGroupSpec): void {
    this.groups.set(spec.arn, { spec, targets: new Map() });
  }

  /** Remove every target of every group. */
  clearTargets(): void {
    for (const group of this.groups.values()) group.targets.clear();
  }

  /** All target group specs, in creation order. */
  groupSpecs(): TargetGroupSpec[] {
    return [...this.groups.values()].map((g) => g.spec);
  }

  /**
   * DescribeTargetGroups: by ARNs, or by names, or all. Throws TargetGroupNotFound when any is unknown.
   */
  describeGroups(arns: readonly string[], names: readonly string[]): TargetGroupSpec[] {
    if (arns.length > 0 && names.length > 0) {
      throw new SimApiError(
        "ValidationError",
        "Target group names and target group ARNs cannot be specified at the same time",
      );
    }
    if (arns.length > 0) return arns.map((arn) => this.group(arn).spec);
    if (names.length > 0) {
      return names.map((name) => {
        const found = this.groupSpecs().find((spec) => spec.name === name);
        if (!found) throw new SimApiError("TargetGroupNotFound", `Target groups '${name}' not found`);
        return found;
      });
    }
    return this.groupSpecs();
  }

  /** RegisterTargets: all-or-nothing validation, then idempotent registration. */
  register(arn: string, inputs: readonly TargetInput[]): void {
    const group = this.group(arn);
    const targets = inputs.map((input) => this.validate(group.spec, input));
    const now = this.options.clock();
    for (const k of [...group.targets.keys()]) this.purgeIfGone(group, k, now);
    const isActive = (k: string) => {
      const target = group.targets.get(k);
      return target !== undefined && target.deregisteredAt === undefined;
    };
    const active = [...group.targets.keys()].filter(isActive).length;
    const adding = new Set(targets.map((t) => key(t.ip, t.port)).filter((k) => !isActive(k)));
    if (active + adding.size > this.maxTargets) {
      throw new SimApiError(
        "TooManyTargets",
        `You've reached the limit on the number of targets per target group (${this.maxTargets}); ` +
          `the group has ${active} and this call would add ${adding.size}`,
      );
    }
    for (const target of targets) {
      const k = key(target.ip, target.port);
      if (isActive(k)) continue;
      group.targets.delete(k);
      group.targets.set(k, {
        ip: target.ip,
        port: target.port,
        availabilityZone: target.availabilityZone,
        live: this.options.isLive(target.ip),
        since: now,
        settled: null,
        deregisteredAt: undefined,
      });
    }
  }

  /**
   * DeregisterTargets: registered targets start draining; unknown targets are ignored (like AWS).
   * A target without `Port` matches the target group's port only.
   */
  deregister(arn: string, inputs: readonly TargetInput[]): void {
    const group = this.group(arn);
    for (const input of inputs) validateIdAndPort(input, group.spec);
    const now = this.options.clock();
    for (const input of inputs) {
      const k = key(idOf(input.id), input.port ?? group.spec.port);
      this.purgeIfGone(group, k, now);
      const target = group.targets.get(k);
      if (target && target.deregisteredAt === undefined) target.deregisteredAt = now;
    }
  }

  /**
   * DescribeTargetHealth: every target (or only the requested ones, `unused` when not registered).
   */
  describeHealth(arn: string, filter: readonly TargetInput[] = []): TargetView[] {
    const group = this.group(arn);
    for (const input of filter) validateIdAndPort(input, group.spec);
    const now = this.options.clock();
    for (const k of [...group.targets.keys()]) this.purgeIfGone(group, k, now);
    const all = [...group.targets.values()];
    if (filter.length === 0) return all.map((t) => this.view(t, now, arn));
    return filter.flatMap((input) => {
      const matches = all.filter(
        (t) => t.ip === idOf(input.id) && (input.port === undefined || t.port === input.port),
      );
      if (matches.length > 0) return matches.map((t) => this.view(t, now, arn));
      const port = input.port ?? group.spec.port;
      return [
        {
          ip: input.id,
          port,
          availabilityZone: input.availabilityZone,
          state: "unused" as const,
          ...describe("unused"),
        },
      ];
    });
  }

  /** Tell the model that the ALB's IP set changed: targets whose liveness flipped start a new check. */
  albChanged(): void {
    const now = this.options.clock();
    for (const group of this.groups.values()) {
      for (const target of group.targets.values()) {
        if (target.deregisteredAt !== undefined) continue;
        const live = this.options.isLive(target.ip);
        if (live === target.live) continue;
        const state = this.healthOf(target, now);
        target.settled = state === "healthy" || state === "unhealthy" ? state : null;
        target.live = live;
        target.since = now;
      }
    }
  }

  private group(arn: string): GroupRecord {
    if (!TG_ARN.test(arn)) {
      throw new SimApiError(
        "ValidationError",
        `'${arn}' is not a valid target group ARN; expected arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>`,
      );
    }
    const group = this.groups.get(arn);
    if (!group) throw new SimApiError("TargetGroupNotFound", `Target groups '${arn}' not found`);
    return group;
  }

  private validate(
    spec: TargetGroupSpec,
    input: TargetInput,
  ): { ip: string; port: number; availabilityZone: string | undefined } {
    validateIdAndPort(input, spec);
    if (spec.ipAddressType === "ipv6") {
      const ip = canonicalIpv6(input.id);
      if (spec.vpcIpv6Cidr === undefined || !cidr6Contains(spec.vpcIpv6Cidr, ip)) {
        throw new SimApiError(
          "InvalidTarget",
          `The IP address '${input.id}' is not within the IPv6 CIDR of VPC '${spec.vpcId}' (${spec.vpcIpv6Cidr?.text ?? "none"})`,
        );
      }
      return { ip, port: input.port ?? spec.port, availabilityZone: input.availabilityZone };
    }
    const inVpc = cidrContains(spec.vpcCidr, input.id);
    if (!inVpc && input.availabilityZone !== "all") {
      // As AWS answers an IP target outside the VPC registered without an Availability Zone (SAME_VPC=true while
      // the ALB is in a peered VPC): a ValidationError naming the IP, for the whole call.
      throw new SimApiError(
        "ValidationError",
        `The Availability Zone is required for IP address '${input.id}' because it is not in the VPC`,
      );
    }
    if (!inVpc && !isTargetableOutsideVpc(input.id)) {
      throw new SimApiError(
        "InvalidTarget",
        `The IP address '${input.id}' is not a private address; IP targets outside the VPC must be in ` +
          `10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10`,
      );
    }
    return { ip: input.id, port: input.port ?? spec.port, availabilityZone: input.availabilityZone };
  }

  private purgeIfGone(group: GroupRecord, k: string, now: number): void {
    const target = group.targets.get(k);
    if (
      target?.deregisteredAt !== undefined &&
      now - target.deregisteredAt >= this.options.deregistrationDelayMs
    ) {
      group.targets.delete(k);
    }
  }

  /** Every target reports `unhealthy` for `ms` from now (the health checks fail everywhere); 0 ends it. */
  setHealthOutage(ms: number): void {
    this.outageUntil = ms > 0 ? this.options.clock() + ms : 0;
  }

  private healthOf(target: TargetRecord, now: number): HealthState {
    if (target.deregisteredAt !== undefined) return "draining";
    if (now < this.outageUntil) return "unhealthy";
    if (now - target.since >= this.options.healthCheckDelayMs) return target.live ? "healthy" : "unhealthy";
    return target.settled ?? "initial";
  }

  private view(target: TargetRecord, now: number, arn: string): TargetView {
    const state = this.healthOf(target, now);
    const verdict = state === "draining" ? undefined : this.options.probe?.(arn, target.ip, target.port);
    // Failing checks show once the first checks ran; a zone or group that takes no traffic shows at once.
    const probed = verdict?.state === "unhealthy" && state === "initial" ? undefined : verdict;
    return {
      ip: target.ip,
      port: target.port,
      availabilityZone: target.availabilityZone,
      ...(probed ?? { state, ...describe(state) }),
    };
  }
}

function describe(state: HealthState): { reason: string | undefined; description: string | undefined } {
  if (state === "healthy") return { reason: undefined, description: undefined };
  return REASONS[state];
}

function key(ip: string, port: number): string {
  return `${ip}:${port}`;
}

/** A target id as the group keeps it: IPv6 in canonical text. */
function idOf(id: string): string {
  return isIpv6(id) ? canonicalIpv6(id) : id;
}

function validateIdAndPort(input: TargetInput, spec: TargetGroupSpec): void {
  const v6 = spec.ipAddressType === "ipv6";
  if (v6 ? !isIpv6(input.id) : !isIpv4(input.id)) {
    throw new SimApiError(
      "ValidationError",
      `The IP address '${input.id}' is not a valid ${v6 ? "IPv6" : "IPv4"} address`,
    );
  }
  if (input.port !== undefined && (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535)) {
    throw new SimApiError(
      "ValidationError",
      `Port '${input.port}' of target '${input.id}' must be between 1 and 65535`,
    );
  }
}
