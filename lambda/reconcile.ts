/**
 * One run: learn the target groups' IP address types, obtain one observation per IP family that some pair
 * needs (A records for `ipv4` groups, AAAA for `ipv6` ones), then reconcile every (target group, port) pair
 * with the observation of its family (`reconcile-pair.ts`), report once. Discovery cost does not grow with
 * the number of pairs. A pair's failure never stops the others; the run fails if any pair failed, naming it.
 */

import type { TargetGroupAdapter, TargetGroupType } from "./aws/elbv2.js";
import type { MetricsPublisher } from "./aws/metrics.js";
import type { StateStore } from "./aws/state-store.js";
import type { Cidr } from "./core/cidr.js";
import { IP_FAMILIES, type IpFamily } from "./core/ip.js";
import type { PlanSettings } from "./core/plan.js";
import { AlbStaticIpError, DiscoveryError } from "./errors.js";
import {
  emptyErrors,
  emptyPairSummary,
  errorInfo,
  type PairSummary,
  type RunLogger,
  reconcilePair,
} from "./reconcile-pair.js";
import type { Observation } from "./types.js";

export type { PairSummary, RunLogger } from "./reconcile-pair.js";

/** The error code of a DescribeTargetGroups call the role may not make (lambda/aws/elbv2.ts). */
const TYPE_DENIED = "describe_target_groups_denied";
/** The note of a pair whose state another run updated twice while this one planned (it changed nothing more). */
const STATE_CONFLICT = "state_conflict";
/** The run note when target groups were treated as ipv4 because their type could not be read. */
export const TYPE_ASSUMED = "target_group_type_assumed_ipv4";

/** One (target group, port) pair with its adapters. */
export interface PairHandle {
  targetGroupArn: string;
  port: number;
  /** `<port>=targetgroup/<name>/<id>`. */
  label: string;
  targets: TargetGroupAdapter;
  store: StateStore;
  /** The state store of another port of the same target group (to report and clean up ports no longer served). */
  stateStoreFor?: ((port: number) => StateStore) | undefined;
}

export interface ReconcileDeps {
  /**
   * Runs discovery of one family's addresses (DNS, or the ENI lookup, chosen by the handler from DISCOVERY_MODE);
   * must not start new queries after `deadline` (epoch ms).
   * `concurrent` discoveries run at once (1 or 2): each takes that share of the query rate and concurrency.
   */
  discover(family: IpFamily, deadline: number, concurrent: number): Promise<Observation>;
  /**
   * The IP address type of each target group (DescribeTargetGroups, cached per container by the caller), or
   * the error of its look-up. `calls` is the API calls this look-up made (0 when cached).
   */
  targetGroupTypes(
    arns: readonly string[],
  ): Promise<{ types: ReadonlyMap<string, TargetGroupType | AlbStaticIpError>; calls: number }>;
  pairs: readonly PairHandle[];
  /** Undefined when CW_METRIC_FLAG_IP_COUNT is false. */
  metrics: MetricsPublisher | undefined;
  logger: RunLogger;
  now(): Date;
}

export interface ReconcileOptions {
  /** The plan settings shared by every pair (the pair adds its target group, port and family). */
  planConfig: PlanSettings;
  dryRun: boolean;
  /** Epoch ms by which discovery must stop so there is time left to apply and save. */
  discoveryDeadline: number;
  /** Epoch ms after which no write is started (the Lambda would be killed mid-way). */
  actDeadline: number;
  /** ALLOWED_TARGET_CIDRS: observed IPs outside these blocks never reach the plan; undefined = no allow-list. */
  allowedTargetCidrs?: readonly Cidr[] | undefined;
  /** CLEANUP_UNSERVED_PORTS: deregister the owned targets of ports of a target group that no pair serves. */
  cleanupUnservedPorts?: boolean | undefined;
}

/** One family's observation as the run summary shows it. */
export type DiscoverySummary = Omit<Observation, "ips"> & { ipCount: number };

/** What one run did; returned by the handler and logged as the single summary line. */
export interface RunSummary {
  /** False when any pair failed. */
  ok: boolean;
  dryRun: boolean;
  albDnsName: string;
  /** One observation per family the pairs needed (`ipv4`: A records, `ipv6`: AAAA records). */
  discovery: Partial<Record<IpFamily, DiscoverySummary>>;
  /** Per pair, in TARGET_GROUPS order. */
  targetGroups: PairSummary[];
  /** Labels (`<port>=targetgroup/<name>/<id>`) of the pairs that failed. */
  failedTargetGroups: string[];
  notes: string[];
  apiCalls: { elbv2: number; s3: number; dnsQueries: number };
  durationMs: number;
  /** The failed pair's error, or (several failed) `target_groups_failed` naming each. */
  error?: { code: string; message: string } | undefined;
}

/**
 * Runs one reconcile of every pair. Never throws for expected failures: the summary carries `ok: false` and
 * `error`, and the caller (the handler) decides to fail the invocation so the error alarm sees it.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<RunSummary> {
  const started = deps.now();
  const summary: RunSummary = {
    ok: true,
    dryRun: options.dryRun,
    albDnsName: options.planConfig.albDnsName,
    discovery: {},
    targetGroups: [],
    failedTargetGroups: [],
    notes: [],
    apiCalls: { elbv2: 0, s3: 0, dnsQueries: 0 },
    durationMs: 0,
  };

  // 0. Every pair's targets and state do not depend on its family: their reads start now, beside the type
  // look-up (a round trip on a container's first run) and discovery.
  const pairs = deps.pairs.map(withReadsStarted);

  // 1. Each target group's IP address type: which family it receives.
  let lookup: Awaited<ReturnType<ReconcileDeps["targetGroupTypes"]>>;
  try {
    lookup = await deps.targetGroupTypes([...new Set(pairs.map((p) => p.targetGroupArn))]);
  } catch (error) {
    const failure = errorInfo(error);
    const types = new Map<string, AlbStaticIpError>();
    for (const p of pairs) types.set(p.targetGroupArn, new AlbStaticIpError(failure.code, failure.message));
    lookup = { types, calls: 0 };
  }
  summary.apiCalls.elbv2 += lookup.calls;
  const familyOf = (pair: PairHandle): IpFamily | AlbStaticIpError => {
    const type = lookup.types.get(pair.targetGroupArn);
    if (type === undefined) {
      return new AlbStaticIpError(
        "describe_target_groups_error",
        `DescribeTargetGroups did not report target group ${pair.targetGroupArn}; the next run asks again.`,
      );
    }
    if (type instanceof AlbStaticIpError && type.code === TYPE_DENIED) {
      // A role of an earlier release lacks DescribeTargetGroups: every target group was ipv4 then, so the
      // run goes on as before (an ipv6 group then fails loudly at RegisterTargets, never silently).
      assumed.push(pair.label);
      return "ipv4";
    }
    if (type instanceof Error) return type;
    if (type.targetType !== "ip") {
      return new AlbStaticIpError(
        "target_group_not_ip",
        `Target group ${pair.label} has target type ${type.targetType}; it must be an IP-type target group (target_type = "ip") to hold the ALB's addresses. Nothing was changed.`,
      );
    }
    return type.ipAddressType;
  };
  const assumed: string[] = [];
  const families = pairs.map(familyOf);
  if (assumed.length > 0) {
    summary.notes.push(TYPE_ASSUMED);
    deps.logger.warn(
      "The role may not call elasticloadbalancing:DescribeTargetGroups; these target groups are treated as ipv4 (A records). Grant the action (the module does) so ipv6 target groups get AAAA records.",
      { code: TYPE_ASSUMED, targetGroups: assumed },
    );
  }

  // 2. One observation per family that some pair needs, started at once and shared by its pairs.
  const needed = IP_FAMILIES.filter((f) => families.includes(f));
  const observations = new Map<IpFamily, Promise<Observation>>();
  for (const family of needed) {
    const observation = discoverSafely(deps, family, options.discoveryDeadline, needed.length);
    observation.catch(() => {}); // awaited by the pairs; this only keeps an early rejection handled
    observations.set(family, observation);
  }

  // 3. Every pair with the observation of its family; a failing pair never stops another.
  summary.targetGroups = await Promise.all(
    pairs.map(async (pair, i): Promise<PairSummary> => {
      const family = families[i]!;
      const planConfig = {
        ...options.planConfig,
        targetGroupArn: pair.targetGroupArn,
        port: pair.port,
        family: family instanceof Error ? ("ipv4" as const) : family,
      };
      if (family instanceof Error) {
        return {
          ...emptyPairSummary({ label: pair.label, planConfig }),
          ipAddressType: undefined,
          ok: false,
          error: errorInfo(family),
          // The reads started before the type was known; they are counted, not used.
          apiCalls: { elbv2: pair.targets.calls, s3: pair.store.calls },
        };
      }
      // The first pair of each target group also looks after the group's ports that no pair serves.
      const first = deps.pairs.findIndex((p) => p.targetGroupArn === pair.targetGroupArn) === i;
      const servedPorts = deps.pairs
        .filter((p) => p.targetGroupArn === pair.targetGroupArn)
        .map((p) => p.port);
      return reconcilePair(
        {
          targets: pair.targets,
          store: pair.store,
          stateStoreFor: pair.stateStoreFor,
          logger: deps.logger,
          now: deps.now,
        },
        {
          planConfig,
          label: pair.label,
          dryRun: options.dryRun,
          actDeadline: options.actDeadline,
          allowedTargetCidrs: options.allowedTargetCidrs,
          unservedPorts: first ? { servedPorts, cleanup: options.cleanupUnservedPorts === true } : undefined,
        },
        observations.get(family)!,
      );
    }),
  );

  for (const family of needed) {
    try {
      const { ips, ...rest } = await observations.get(family)!;
      summary.discovery[family] = { ...rest, ipCount: ips.length };
      summary.apiCalls.dnsQueries += rest.queries;
    } catch {
      // reported by every pair of this family
    }
  }
  for (const pair of summary.targetGroups) {
    summary.apiCalls.elbv2 += pair.apiCalls.elbv2;
    summary.apiCalls.s3 += pair.apiCalls.s3;
  }
  summary.failedTargetGroups = summary.targetGroups.filter((p) => !p.ok).map((p) => p.label);
  if (summary.failedTargetGroups.length > 0) {
    summary.ok = false;
    summary.error = runError(summary.targetGroups);
  }

  if (deps.metrics && !options.dryRun) {
    // IPv4 pairs first: the ALB-only LoadBalancerIPCount series counts the ALB's IPv4 addresses, as before.
    const ordered = [...summary.targetGroups].sort(
      (a, b) => Number(a.ipAddressType === "ipv6") - Number(b.ipAddressType === "ipv6"),
    );
    deps.metrics.publish(
      ordered.map((p) => ({
        targetGroupArn: p.targetGroupArn,
        metrics: {
          ipCount: p.discovery.failed ? undefined : p.ips.length,
          registered: p.registered.length,
          deregistered:
            p.deregistered.length + (p.unservedPorts ?? []).reduce((n, u) => n + u.deregistered.length, 0),
          queries: p.discovery.queries,
          outsideAllowedCidrs: p.targetsOutsideAllowedCidrs.length,
          onUnservedPorts: p.unservedPorts?.reduce((n, u) => n + u.targets.length, 0),
          interfacesNotElbManaged: p.discovery.lookalikes?.length,
          discoveryComplete: p.discovery.complete,
          errorCode: p.error?.code,
        },
      })),
      started,
    );
  }
  summary.durationMs = deps.now().getTime() - started.getTime();
  return summary;
}

/**
 * Whether this run could have acted on every change it saw, so an interface event older than its start is handled
 * (event coalescing in the handler): not a dry run, every pair reconciled without failing or losing a state
 * conflict to another run, and every family's observation complete. A dry run or a conflicted pair changed
 * nothing, so a later event must still run.
 *
 * @example
 * if (runCovers(summary)) lastCoveringRunStartedAt = runStartedAt;
 */
export function runCovers(
  summary: Pick<RunSummary, "ok" | "dryRun" | "discovery" | "targetGroups">,
): boolean {
  const observed = Object.values(summary.discovery);
  return (
    summary.ok &&
    !summary.dryRun &&
    observed.length > 0 &&
    observed.every((d) => d.complete && !d.failed) &&
    summary.targetGroups.every((p) => p.ok && !p.notes.includes(STATE_CONFLICT))
  );
}

/**
 * The run's error: with one failed pair its own code, and its message (prefixed with the pair's label when the
 * run has several pairs); with several, `target_groups_failed` listing each pair's code and message.
 */
function runError(pairs: readonly PairSummary[]): { code: string; message: string } {
  const failed = pairs.filter((p) => !p.ok);
  const only = failed[0];
  if (failed.length === 1 && only?.error !== undefined) {
    return pairs.length === 1
      ? only.error
      : {
          code: only.error.code,
          message: `Target group ${only.label} failed (the other ${pairs.length - 1} pair(s) were reconciled): ${only.error.message}`,
        };
  }
  return {
    code: "target_groups_failed",
    message: `${failed.length} of ${pairs.length} target groups failed (the others were reconciled): ${failed
      .map((p) => `${p.label}: ${p.error?.code ?? "unknown"}: ${p.error?.message ?? ""}`)
      .join(" | ")}`,
  };
}

/**
 * The pair with its two reads (DescribeTargetHealth, the state's GetObject) already started: the first call of
 * `describeTargets()` / `load()` returns the started read, later calls read again (the re-plan after a conflict).
 */
function withReadsStarted(pair: PairHandle): PairHandle {
  let targetsRead: ReturnType<TargetGroupAdapter["describeTargets"]> | undefined =
    pair.targets.describeTargets();
  let stateRead: ReturnType<StateStore["load"]> | undefined = pair.store.load();
  // Awaited by the pair; this only keeps an early rejection handled (a pair whose type failed never awaits them).
  targetsRead.catch(() => {});
  stateRead.catch(() => {});
  const { targets, store } = pair;
  return {
    ...pair,
    targets: {
      get calls() {
        return targets.calls;
      },
      describeTargets() {
        const started = targetsRead;
        targetsRead = undefined;
        return started ?? targets.describeTargets();
      },
      register: (list, options) => targets.register(list, options),
      deregister: (list, options) => targets.deregister(list, options),
    },
    store: {
      bucket: store.bucket,
      key: store.key,
      get calls() {
        return store.calls;
      },
      load() {
        const started = stateRead;
        stateRead = undefined;
        return started ?? store.load();
      },
      save: (state, etag) => store.save(state, etag),
    },
  };
}

async function discoverSafely(
  deps: ReconcileDeps,
  family: IpFamily,
  deadline: number,
  concurrent: number,
): Promise<Observation> {
  try {
    return await deps.discover(family, deadline, concurrent);
  } catch (error) {
    // No name server could be found at all: a failed observation, so the plan changes nothing.
    deps.logger.error("DNS discovery could not start", { family, error: errorInfo(error) });
    if (!(error instanceof DiscoveryError)) throw error;
    return {
      ips: [],
      queries: 0,
      answers: 0,
      errors: { ...emptyErrors(), other: 1 },
      complete: false,
      failed: true,
      missBound: 1,
      notes: [],
      durationMs: 0,
    };
  }
}
