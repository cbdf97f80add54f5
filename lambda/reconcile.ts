/**
 * One reconcile run: discover, read targets and state (concurrently), plan, apply, save, report.
 * The decisions are all in the pure `plan()`; this module only sequences I/O and keeps the safety order:
 * claim deregistrations in the state first (so an overlapping run cannot deregister the same IPs twice),
 * deregister, register, then record the result with an ETag-conditional write.
 */

import type { TargetGroupAdapter } from "./aws/elbv2.js";
import type { MetricsPublisher } from "./aws/metrics.js";
import type { LoadedState, StateStore } from "./aws/state-store.js";
import type { Cidr } from "./core/cidr.js";
import { type Plan, type PlanConfig, plan } from "./core/plan.js";
import { filterAllowed, OUTSIDE_ALLOWED_CIDRS } from "./core/target-filter.js";
import { AlbStaticIpError, DiscoveryError, StateConflictError } from "./errors.js";
import type { Observation, RegisteredTarget, State, TargetRef } from "./types.js";

export interface RunLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface ReconcileDeps {
  /** Runs DNS discovery; must not start new queries after `deadline` (epoch ms). */
  discover(deadline: number): Promise<Observation>;
  targets: TargetGroupAdapter;
  store: StateStore;
  /** Undefined when CW_METRIC_FLAG_IP_COUNT is false. */
  metrics: MetricsPublisher | undefined;
  logger: RunLogger;
  now(): Date;
}

export interface ReconcileOptions {
  planConfig: PlanConfig;
  dryRun: boolean;
  /** Epoch ms by which discovery must stop so there is time left to apply and save. */
  discoveryDeadline: number;
  /** Epoch ms after which no write is started (the Lambda would be killed mid-way). */
  actDeadline: number;
  /** ALLOWED_TARGET_CIDRS: observed IPs outside these blocks never reach the plan; undefined = no allow-list. */
  allowedTargetCidrs?: readonly Cidr[] | undefined;
}

/** What one run did; returned by the handler and logged as the single summary line. */
export interface RunSummary {
  ok: boolean;
  dryRun: boolean;
  albDnsName: string;
  targetGroupArn: string;
  port: number;
  /** Every ALB IP this run saw (sorted), without the ones outside ALLOWED_TARGET_CIDRS. */
  ips: string[];
  /** Observed IPs outside ALLOWED_TARGET_CIDRS (note `target_outside_allowed_cidrs`): never registered. */
  targetsOutsideAllowedCidrs: string[];
  discovery: Omit<Observation, "ips">;
  /** Registered targets on the port before the run: ip → health state. */
  targetsBefore: Record<string, string>;
  registered: string[];
  deregistered: string[];
  stateWritten: boolean;
  stateProblem?: { code: string; reason: string } | undefined;
  notes: string[];
  apiCalls: { elbv2: number; s3: number; cloudwatch: number };
  replanned: boolean;
  durationMs: number;
  error?: { code: string; message: string } | undefined;
}

function errorInfo(error: unknown): { code: string; message: string } {
  if (error instanceof AlbStaticIpError) return { code: error.code, message: error.message };
  return { code: "unexpected_error", message: error instanceof Error ? error.message : String(error) };
}

/** nextState, but with the IPs about to be deregistered still present and marked as claimed by this run. */
function claimState(p: Plan, previous: State | null, now: Date): State {
  const targets = { ...p.nextState.targets };
  for (const t of p.deregister) {
    const before = previous?.targets[t.ip];
    targets[t.ip] = {
      firstSeen: before?.firstSeen ?? now.toISOString(),
      lastSeen: before?.lastSeen ?? now.toISOString(),
      misses: (before?.misses ?? 0) + 1,
      deregisteringSince: now.toISOString(),
    };
  }
  return { ...p.nextState, targets };
}

/** `claimed` with the claim on `targets` withdrawn (their miss counts kept), after their deregistration failed. */
function releaseClaims(claimed: State, targets: readonly TargetRef[]): State {
  const records = { ...claimed.targets };
  for (const t of targets) {
    const record = records[t.ip];
    if (record === undefined) continue;
    const { deregisteringSince: _released, ...rest } = record;
    records[t.ip] = rest;
  }
  return { ...claimed, targets: records };
}

const ips = (targets: readonly TargetRef[]): string[] => targets.map((t) => t.ip);

/**
 * Runs one reconcile. Never throws for expected failures: the summary carries `ok: false` and `error`, and the
 * caller (the handler) decides to fail the invocation so the error alarm sees it.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<RunSummary> {
  const started = deps.now();
  const { planConfig } = options;
  const summary: RunSummary = {
    ok: true,
    dryRun: options.dryRun,
    albDnsName: planConfig.albDnsName,
    targetGroupArn: planConfig.targetGroupArn,
    port: planConfig.port,
    ips: [],
    targetsOutsideAllowedCidrs: [],
    discovery: {
      queries: 0,
      answers: 0,
      errors: emptyErrors(),
      complete: false,
      failed: true,
      durationMs: 0,
    },
    targetsBefore: {},
    registered: [],
    deregistered: [],
    stateWritten: false,
    notes: [],
    apiCalls: { elbv2: 0, s3: 0, cloudwatch: 0 },
    replanned: false,
    durationMs: 0,
  };

  try {
    const [discovered, registered, loaded] = await Promise.all([
      discoverSafely(deps, options.discoveryDeadline),
      deps.targets.describeTargets(),
      deps.store.load(),
    ]);
    // Every observation passes the allow-list before the plan sees it (DNS now, ENI mode later).
    const { observation, refused } = filterAllowed(discovered, options.allowedTargetCidrs);
    summary.targetsOutsideAllowedCidrs = refused;
    if (refused.length > 0) {
      deps.logger.warn(
        "Observed IPs outside ALLOWED_TARGET_CIDRS were refused: not registered, and this run counts no misses",
        {
          code: OUTSIDE_ALLOWED_CIDRS,
          ips: refused,
          allowedTargetCidrs: options.allowedTargetCidrs?.map((c) => c.text),
          hint: "forged DNS answers, or the ALB gained a subnet the list lacks; see SECURITY.md",
        },
      );
    }
    const { ips: seen, ...discovery } = observation;
    summary.ips = seen;
    summary.discovery = discovery;
    summary.targetsBefore = targetsOnPort(registered, planConfig.port);
    if (loaded.problem) {
      summary.stateProblem = loaded.problem;
      deps.logger.warn("Stored state was not usable; adopting the targets registered on the port", {
        code: loaded.problem.code,
        reason: loaded.problem.reason,
        bucket: deps.store.bucket,
        key: deps.store.key,
      });
    }

    if (loaded.migratedFrom !== undefined) {
      deps.logger.info("Stored state was the original Lambda's IP list; its IPs are owned from now on", {
        code: "state_migrated",
        migratedFrom: loaded.migratedFrom,
        bucket: deps.store.bucket,
        key: deps.store.key,
      });
    }
    const noteCodes = (p: Plan, state: LoadedState): string[] => [
      ...(state.migratedFrom !== undefined ? ["state_migrated"] : []),
      ...(refused.length > 0 ? [OUTSIDE_ALLOWED_CIDRS] : []),
      ...p.notes.map((n) => n.code),
    ];

    let current = loaded;
    let p = plan(observation, registered, loaded.state, planConfig, deps.now());
    summary.notes = noteCodes(p, loaded);

    if (!options.dryRun) {
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await applyAndSave(deps, options, p, current);
        summary.deregistered.push(...outcome.deregistered);
        summary.registered.push(...outcome.registered);
        summary.stateWritten ||= outcome.stateWritten;
        if (!outcome.conflict) break;
        if (attempt >= 2) {
          throw new StateConflictError(
            `Another run updated s3://${deps.store.bucket}/${deps.store.key} twice while this run was planning; ` +
              "this run stops here and the next scheduled run continues. Check that the function has reserved concurrency 1.",
          );
        }
        // Another run won the conditional write: re-read what it did, re-plan once, never overwrite blindly.
        summary.replanned = true;
        deps.logger.info("State changed under this run (ETag mismatch); re-reading and re-planning once");
        const [registeredAgain, loadedAgain] = await Promise.all([
          deps.targets.describeTargets(),
          deps.store.load(),
        ]);
        current = loadedAgain;
        p = plan(observation, registeredAgain, loadedAgain.state, planConfig, deps.now());
        summary.notes = noteCodes(p, loadedAgain);
      }
    }

    if (observation.failed) {
      throw new DiscoveryError(
        `No DNS answer for ${planConfig.albDnsName} (${observation.queries} queries: ${describeErrors(observation)}). ` +
          "Nothing was deregistered. Check that the name is the ALB's DNS name and that the function can reach the " +
          "name servers (DNS_SERVERS, VPC DNS settings, security groups/NACLs for UDP/TCP 53).",
      );
    }
  } catch (error) {
    if (error instanceof StateConflictError) {
      // Another run is making progress on the same target group; exiting cleanly is the correct outcome.
      summary.notes.push(error.code);
      deps.logger.warn(error.message);
    } else {
      summary.ok = false;
      summary.error = errorInfo(error);
    }
  }

  summary.apiCalls.elbv2 = deps.targets.calls;
  summary.apiCalls.s3 = deps.store.calls;
  if (deps.metrics && !options.dryRun) {
    try {
      await deps.metrics.publish(
        {
          ipCount: summary.discovery.failed ? undefined : summary.ips.length,
          registered: summary.registered.length,
          deregistered: summary.deregistered.length,
          queries: summary.discovery.queries,
          outsideAllowedCidrs: summary.targetsOutsideAllowedCidrs.length,
          discoveryComplete: summary.discovery.complete,
          errorCode: summary.error?.code,
        },
        started,
      );
    } catch (error) {
      summary.notes.push("metrics_failed");
      // Under `error`: Powertools drops a top-level `message` key, which would lose the cause.
      deps.logger.warn("Publishing metrics failed; the sync itself is unaffected", {
        error: errorInfo(error),
      });
    }
    summary.apiCalls.cloudwatch = deps.metrics.calls;
  }
  summary.durationMs = deps.now().getTime() - started.getTime();
  return summary;
}

interface ApplyOutcome {
  registered: string[];
  deregistered: string[];
  stateWritten: boolean;
  conflict: boolean;
}

async function applyAndSave(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  p: Plan,
  loaded: LoadedState,
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { registered: [], deregistered: [], stateWritten: false, conflict: false };
  if (p.register.length === 0 && p.deregister.length === 0 && !p.stateChanged) return outcome;
  if (Date.now() > options.actDeadline) {
    throw new AlbStaticIpError(
      "out_of_time",
      "Too little Lambda time left to apply changes safely; nothing was changed. Raise the function timeout " +
        "or lower MAX_LOOKUP_PER_INVOCATION / DNS_TIMEOUT_MS.",
    );
  }

  let etag = loaded.etag;
  const claim = claimState(p, loaded.state, deps.now());
  if (p.deregister.length > 0) {
    // Claim first: an overlapping run that planned the same deregistrations loses this conditional write.
    const claimed = await deps.store.save(claim, etag);
    if (!claimed.ok) return { ...outcome, conflict: true };
    etag = claimed.etag;
    outcome.stateWritten = true;
  }

  // Deregister first: a register failure (e.g. TooManyTargets) must not block removing dead IPs.
  let failure: unknown;
  if (p.deregister.length > 0) {
    try {
      await deps.targets.deregister(p.deregister);
      outcome.deregistered = ips(p.deregister);
    } catch (error) {
      failure = error;
      // Release this run's claim so the next run retries at once instead of honouring it for the claim TTL.
      try {
        const released = await deps.store.save(releaseClaims(claim, p.deregister), etag);
        if (released.ok) etag = released.etag;
      } catch (releaseError) {
        deps.logger.warn("Could not release the deregistration claim; it expires after the claim TTL", {
          error: errorInfo(releaseError),
        });
      }
    }
  }
  if (p.register.length > 0) {
    try {
      await deps.targets.register(p.register);
      outcome.registered = ips(p.register);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure) {
    // Record nothing as done that was not done: the state stays as it was (or as claimed) for the next run.
    throw failure;
  }

  if (p.stateChanged || p.deregister.length > 0) {
    const saved = await deps.store.save(p.nextState, etag);
    if (!saved.ok) return { ...outcome, conflict: true };
    outcome.stateWritten = true;
  }
  return outcome;
}

async function discoverSafely(deps: ReconcileDeps, deadline: number): Promise<Observation> {
  try {
    return await deps.discover(deadline);
  } catch (error) {
    // No name server could be found at all: a failed observation, so the plan changes nothing.
    deps.logger.error("DNS discovery could not start", { error: errorInfo(error) });
    if (!(error instanceof DiscoveryError)) throw error;
    return {
      ips: [],
      queries: 0,
      answers: 0,
      errors: { ...emptyErrors(), other: 1 },
      complete: false,
      failed: true,
      durationMs: 0,
    };
  }
}

function emptyErrors(): Observation["errors"] {
  return { servfail: 0, nxdomain: 0, timeout: 0, refused: 0, empty: 0, other: 0 };
}

function describeErrors(observation: Observation): string {
  const parts = Object.entries(observation.errors)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return parts.length > 0 ? parts.join(", ") : "no errors recorded";
}

function targetsOnPort(registered: readonly RegisteredTarget[], port: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of registered) if (t.port === port) out[t.ip] = t.state;
  return out;
}
