/**
 * One reconcile run: discover, read targets and state (concurrently), plan, apply, save, report.
 * The decisions are all in the pure `plan()`; this module only sequences I/O and keeps the safety order:
 * claim deregistrations in the state first (so an overlapping run cannot deregister the same IPs twice),
 * deregister, register, then record the result with an ETag-conditional write.
 */

import { RegistrationError, type TargetGroupAdapter } from "./aws/elbv2.js";
import type { MetricsPublisher } from "./aws/metrics.js";
import type { LoadedState, StateStore } from "./aws/state-store.js";
import type { Cidr } from "./core/cidr.js";
import { type Plan, type PlanConfig, plan } from "./core/plan.js";
import { filterAllowed, OUTSIDE_ALLOWED_CIDRS } from "./core/target-filter.js";
import { AlbStaticIpError, DiscoveryError, StateConflictError, StateError } from "./errors.js";
import type { Observation, RegisteredTarget, State, TargetRef } from "./types.js";

export interface RunLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface ReconcileDeps {
  /** Runs discovery (DNS or ENI, chosen by the handler from DISCOVERY_MODE); must not start new queries after `deadline` (epoch ms). */
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
  /** The IPs of the notes that are about IPs (held back, unowned, missing, ...), by note code. */
  noteIps: Record<string, string[]>;
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
      missBound: 1,
      notes: [],
      durationMs: 0,
    },
    targetsBefore: {},
    registered: [],
    deregistered: [],
    stateWritten: false,
    notes: [],
    noteIps: {},
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
      const what =
        loaded.problem.code === "state_newer"
          ? "Stored state is of a newer schema version; this run changes nothing and does not overwrite it"
          : "Stored state was not usable; adopting the registered targets that the observation shows";
      deps.logger.warn(what, {
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
    failClosedOnNewerState(loaded);
    const noteCodes = (p: Plan, state: LoadedState): string[] => [
      ...(state.migratedFrom !== undefined ? ["state_migrated"] : []),
      ...observation.notes.map((n) => n.code),
      ...(refused.length > 0 ? [OUTSIDE_ALLOWED_CIDRS] : []),
      ...p.notes.map((n) => n.code),
    ];

    let current = loaded;
    let p = plan(observation, registered, loaded.state, planConfig, deps.now());
    summary.notes = noteCodes(p, loaded);
    summary.noteIps = noteIps(p);

    if (!options.dryRun) {
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await applyAndSave(deps, options, p, current);
        summary.deregistered.push(...outcome.deregistered);
        summary.registered.push(...outcome.registered);
        summary.stateWritten ||= outcome.stateWritten;
        if (outcome.failure !== undefined) throw outcome.failure;
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
        failClosedOnNewerState(loadedAgain);
        current = loadedAgain;
        p = plan(observation, registeredAgain, loadedAgain.state, planConfig, deps.now());
        summary.notes = noteCodes(p, loadedAgain);
        summary.noteIps = noteIps(p);
      }
    }

    if (observation.failed && observation.failure !== undefined) {
      throw new AlbStaticIpError(observation.failure.code, observation.failure.message);
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
  /** A step failed; what was done before it is in the other fields (and recorded in the state). */
  failure?: unknown;
}

async function applyAndSave(
  deps: ReconcileDeps,
  options: ReconcileOptions,
  p: Plan,
  loaded: LoadedState,
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { registered: [], deregistered: [], stateWritten: false, conflict: false };
  if (p.register.length === 0 && p.deregister.length === 0 && !p.stateChanged) return outcome;
  /** Each change (claim, deregister, register) starts only before the act deadline. */
  const inTime = () => Date.now() <= options.actDeadline;
  if (!inTime()) throw outOfTime("nothing was changed");

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
  const writeOptions = { deadline: options.actDeadline };
  if (p.deregister.length > 0) {
    try {
      if (!inTime()) throw outOfTime("the claimed deregistrations were not made");
      await deps.targets.deregister(p.deregister, writeOptions);
      outcome.deregistered = ips(p.deregister);
    } catch (error) {
      failure = error;
    }
  }
  if (p.register.length > 0) {
    try {
      if (!inTime()) throw outOfTime("the new IPs were not registered");
      await deps.targets.register(p.register, writeOptions);
      outcome.registered = ips(p.register);
    } catch (error) {
      failure ??= error;
      // Targets registered before the failure are live now: they are recorded as owned like any other.
      if (error instanceof RegistrationError) outcome.registered = ips(error.registered);
    }
  }

  // Record what was done, and only that, even when a step failed: misses, deregistrations, registrations.
  const record = failure === undefined ? p.nextState : settledState(p, claim, outcome, loaded.state);
  if (p.stateChanged || p.deregister.length > 0 || failure !== undefined) {
    const saved = await deps.store.save(record, etag);
    if (!saved.ok && failure === undefined) return { ...outcome, conflict: true };
    if (saved.ok) outcome.stateWritten = true;
    else
      deps.logger.warn("Another run updated the state while this run was failing; that run's record stands");
  }
  return failure === undefined ? outcome : { ...outcome, failure };
}

function outOfTime(what: string): AlbStaticIpError {
  return new AlbStaticIpError(
    "out_of_time",
    `Too little Lambda time left to apply changes safely; ${what}. Raise the function timeout or lower MAX_LOOKUP_PER_INVOCATION / DNS_TIMEOUT_MS.`,
  );
}

/**
 * The plan's next state corrected to what actually happened: IPs whose deregistration failed keep their record
 * (claim withdrawn, miss counted), new IPs that were not registered are not owned.
 */
function settledState(
  p: Plan,
  claim: State,
  outcome: Pick<ApplyOutcome, "registered" | "deregistered">,
  previous: State | null,
): State {
  const deregistered = new Set(outcome.deregistered);
  const registered = new Set(outcome.registered);
  const notDeregistered = p.deregister.filter((t) => !deregistered.has(t.ip));
  const targets = { ...releaseClaims(claim, notDeregistered).targets };
  for (const t of p.deregister) if (deregistered.has(t.ip)) delete targets[t.ip];
  for (const t of p.register) {
    if (!registered.has(t.ip) && previous?.targets[t.ip] === undefined) delete targets[t.ip];
  }
  return { ...p.nextState, targets };
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
      missBound: 1,
      notes: [],
      durationMs: 0,
    };
  }
}

function noteIps(p: Plan): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const note of p.notes) if (note.ips !== undefined && note.ips.length > 0) out[note.code] = note.ips;
  return out;
}

/** A state written by a newer build (a rollback): change nothing, overwrite nothing, fail the run. */
function failClosedOnNewerState(loaded: LoadedState): void {
  if (loaded.problem?.code !== "state_newer") return;
  throw new StateError("state_newer", `${loaded.problem.reason}.`);
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
