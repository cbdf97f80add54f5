/**
 * One (target group, port) pair of a run: read its targets and state (while discovery runs), plan, apply, save.
 * The decisions are all in the pure `plan()`; this module only sequences I/O and keeps the safety order: claim
 * deregistrations in the state first (so an overlapping run cannot deregister the same IPs twice), deregister,
 * register, then record the result with an ETag-conditional write. Each pair has its own state object, claims
 * and safety rules; a failure here is this pair's alone (`reconcile.ts` runs the others and reports them all).
 */

import { RegistrationError, type TargetGroupAdapter } from "./aws/elbv2.js";
import type { LoadedState, StateStore } from "./aws/state-store.js";
import type { Cidr } from "./core/cidr.js";
import type { IpFamily } from "./core/ip.js";
import { type Plan, type PlanConfig, plan } from "./core/plan.js";
import { filterAllowed, OUTSIDE_ALLOWED_CIDRS } from "./core/target-filter.js";
import { findUnserved, MAX_UNSERVED_PORTS_PER_RUN, planUnservedCleanup } from "./core/unserved.js";
import { AlbStaticIpError, DiscoveryError, StateConflictError, StateError } from "./errors.js";
import type { Observation, RegisteredTarget, State, TargetRef } from "./types.js";

export interface RunLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** What one pair needs from the outside world. */
export interface PairDeps {
  targets: TargetGroupAdapter;
  store: StateStore;
  /** The state store of another port of the same target group (a port this function no longer serves). */
  stateStoreFor?: ((port: number) => StateStore) | undefined;
  logger: RunLogger;
  now(): Date;
}

export interface PairOptions {
  /** The plan's config for this pair (its target group, port and IP family). */
  planConfig: PlanConfig & { family: IpFamily };
  /** `<port>=targetgroup/<name>/<id>`, in every log line and error of this pair. */
  label: string;
  dryRun: boolean;
  /** Epoch ms after which no write is started (the Lambda would be killed mid-way). */
  actDeadline: number;
  /** ALLOWED_TARGET_CIDRS: observed IPs outside these blocks never reach the plan; undefined = no allow-list. */
  allowedTargetCidrs?: readonly Cidr[] | undefined;
  /**
   * Set on one pair per target group (the first): report the targets on ports of the group that no pair of this
   * function serves, with the state objects found for them, and with `cleanup` (CLEANUP_UNSERVED_PORTS) deregister
   * the ones those states own. `servedPorts`: every port this function serves on the group.
   */
  unservedPorts?: { servedPorts: readonly number[]; cleanup: boolean } | undefined;
}

/** A port of the target group that this function does not serve, with targets on it (ALB_LISTENER changed?). */
export interface UnservedPortSummary {
  port: number;
  /** Non-draining targets on the port, in IP order. */
  targets: string[];
  /** The key its state object would have (`<prefix><tg-name>-<tg-id>/<port>.json`). */
  stateKey: string;
  /** What reading that object found: `missing`, `unusable` (corrupt, foreign), `read_failed`, or `not_read` (beyond the first 5 ports). */
  state: "found" | "missing" | "unusable" | "read_failed" | "not_read";
  /** The targets on the port that its state owns (only these are ever cleaned up). */
  owned: string[];
  /** Deregistered this run (CLEANUP_UNSERVED_PORTS=true). */
  deregistered: string[];
  /** Owned targets kept this run, with why (`not_healthy_on_served_port`, `capped`, ...). */
  held: Array<{ ip: string; reason: string }>;
}

/** What one pair of a run did; an entry of the run summary's `targetGroups`. */
export interface PairSummary {
  /** `<port>=targetgroup/<name>/<id>`. */
  label: string;
  ok: boolean;
  targetGroupArn: string;
  port: number;
  /** The target group's IP address type: which of the ALB's addresses it receives (A or AAAA records). */
  ipAddressType: IpFamily | undefined;
  /** Every ALB IP of this family the run saw (sorted), without the ones outside ALLOWED_TARGET_CIDRS. */
  ips: string[];
  /** Observed IPs outside ALLOWED_TARGET_CIDRS (note `target_outside_allowed_cidrs`): never registered. */
  targetsOutsideAllowedCidrs: string[];
  /** The observation of this pair's family (shared by the pairs of that family). */
  discovery: Omit<Observation, "ips">;
  /** Registered targets on the port before the run: ip → health state. */
  targetsBefore: Record<string, string>;
  /** IPs registered by this run; in a dry run the IPs it would register. */
  registered: string[];
  /** IPs deregistered by this run; in a dry run the IPs it would deregister. */
  deregistered: string[];
  stateWritten: boolean;
  stateProblem?: { code: string; reason: string } | undefined;
  notes: string[];
  /** The IPs of the notes that are about IPs (held back, unowned, missing, ...), by note code. */
  noteIps: Record<string, string[]>;
  /** This pair's ELBv2 and S3 calls. */
  apiCalls: { elbv2: number; s3: number };
  /**
   * On the first pair of each target group: ports of the group that this function does not serve and that hold
   * targets (empty when none), note `targets_unserved_port`. Undefined on the other pairs.
   */
  unservedPorts?: UnservedPortSummary[] | undefined;
  replanned: boolean;
  error?: { code: string; message: string } | undefined;
}

export function errorInfo(error: unknown): { code: string; message: string } {
  if (error instanceof AlbStaticIpError) return { code: error.code, message: error.message };
  return { code: "unexpected_error", message: error instanceof Error ? error.message : String(error) };
}

/** The summary of a pair before anything happened: failed discovery, nothing read or done. */
export function emptyPairSummary(options: Pick<PairOptions, "label" | "planConfig">): PairSummary {
  return {
    label: options.label,
    ok: true,
    targetGroupArn: options.planConfig.targetGroupArn,
    port: options.planConfig.port,
    ipAddressType: options.planConfig.family,
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
    apiCalls: { elbv2: 0, s3: 0 },
    replanned: false,
  };
}

/** A logger that adds the pair's label (`targetGroup`) to every line. */
function labelled(logger: RunLogger, label: string): RunLogger {
  return {
    debug: (m, extra) => logger.debug(m, { targetGroup: label, ...extra }),
    info: (m, extra) => logger.info(m, { targetGroup: label, ...extra }),
    warn: (m, extra) => logger.warn(m, { targetGroup: label, ...extra }),
    error: (m, extra) => logger.error(m, { targetGroup: label, ...extra }),
  };
}

/**
 * Reconciles one pair with the run's observation of its family. Never throws: the summary carries `ok: false`
 * and `error`, and `reconcile()` fails the run naming this pair.
 *
 * @example
 * const summary = await reconcilePair(deps, options, observationOfFamily);
 */
export async function reconcilePair(
  pairDeps: PairDeps,
  options: PairOptions,
  observed: Promise<Observation>,
): Promise<PairSummary> {
  const deps = { ...pairDeps, logger: labelled(pairDeps.logger, options.label) };
  const { planConfig } = options;
  const summary = emptyPairSummary(options);
  /** Calls to the state objects of ports this function does not serve. */
  const otherStores = { s3: 0 };
  /** The target group's targets as last read (every port), once DescribeTargetHealth succeeded. */
  let onPort: RegisteredTarget[] | undefined;

  try {
    checkAllowListFamily(options);
    const [discovered, registered, loaded] = await Promise.all([
      observed,
      deps.targets.describeTargets(),
      deps.store.load(),
    ]);
    // Every observation passes the allow-list before the plan sees it (DNS or the ENI lookup).
    const { observation, refused } = filterAllowed(discovered, options.allowedTargetCidrs);
    summary.targetsOutsideAllowedCidrs = refused;
    if (refused.length > 0) {
      deps.logger.warn(
        `${refused.length} observed IP(s) outside ALLOWED_TARGET_CIDRS were refused and are never registered: ${refused.join(", ")}. ` +
          "If the ALB gained a subnet, re-apply the module so ALLOWED_TARGET_CIDRS follows the ALB's subnets (or add the subnet's block to ALLOWED_TARGET_CIDRS); " +
          "otherwise the answers are forged (SECURITY.md). Dead targets are still deregistered meanwhile.",
        {
          code: OUTSIDE_ALLOWED_CIDRS,
          ips: refused,
          allowedTargetCidrs: options.allowedTargetCidrs?.map((c) => c.text),
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
    onPort = registered;
    let p = plan(observation, registered, loaded.state, planConfig, deps.now());
    summary.notes = noteCodes(p, loaded);
    summary.noteIps = noteIps(p);

    if (options.dryRun) {
      // A dry run names what it would change (nothing is written, no metric is published).
      summary.registered = ips(p.register);
      summary.deregistered = ips(p.deregister);
    } else {
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await applyAndSave(
          deps,
          options,
          p,
          current,
          holdsTargets(onPort ?? registered, planConfig.port),
        );
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
        onPort = registeredAgain;
        p = plan(observation, registeredAgain, loadedAgain.state, planConfig, deps.now());
        summary.notes = noteCodes(p, loadedAgain);
        summary.noteIps = noteIps(p);
      }
    }

    if (observation.failed) throw observationFailure(observation, planConfig, options.label);
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
  // Ports of the target group no pair serves: reported every run that read the targets, whatever happened above;
  // cleaned up (CLEANUP_UNSERVED_PORTS) only after this pair's own work succeeded.
  if (options.unservedPorts !== undefined && onPort !== undefined) {
    try {
      await unservedPorts(deps, options, onPort, summary, otherStores);
    } catch (error) {
      if (summary.ok) {
        summary.ok = false;
        summary.error = errorInfo(error);
      }
    }
  }
  summary.apiCalls = { elbv2: deps.targets.calls, s3: deps.store.calls + otherStores.s3 };
  return summary;
}

/**
 * Why a failed observation fails the pair. For an `ipv6` group whose every AAAA query was answered with no
 * address (NODATA), the ALB is almost surely not dualstack: that error names the fix. Either way nothing was
 * deregistered (a failed observation never counts a miss).
 */
function observationFailure(
  observation: Observation,
  planConfig: PlanConfig & { family: IpFamily },
  label: string,
): AlbStaticIpError {
  // ENI mode: the lookup says why it failed, with a stable code and what to do.
  if (observation.failure !== undefined)
    return new AlbStaticIpError(observation.failure.code, observation.failure.message);
  const onlyEmpty =
    observation.errors.empty > 0 &&
    Object.entries(observation.errors).every(([kind, n]) => kind === "empty" || n === 0);
  if (planConfig.family === "ipv6" && onlyEmpty) {
    return new AlbStaticIpError(
      "alb_not_dualstack",
      `Target group ${label} has IP address type ipv6, but every AAAA query for ${planConfig.albDnsName} was answered with no IPv6 address (${observation.queries} queries): the ALB is not dualstack. ` +
        'Nothing was registered or deregistered. Set the ALB\'s IP address type to dualstack (Terraform: aws_lb ip_address_type = "dualstack"), ' +
        `or pair port ${planConfig.port} with an ipv4 target group instead.`,
    );
  }
  const record = planConfig.family === "ipv6" ? "AAAA" : "A";
  return new DiscoveryError(
    `No DNS answer (${record}) for ${planConfig.albDnsName} (${observation.queries} queries: ${describeErrors(observation)}). ` +
      "Nothing was deregistered. Check that the name is the ALB's DNS name and that the function can reach the " +
      "name servers (DNS_SERVERS, VPC DNS settings, security groups/NACLs for UDP/TCP 53).",
  );
}

/** An allow-list without a block of the pair's family could never let one of its addresses through. */
function checkAllowListFamily(options: PairOptions): void {
  const list = options.allowedTargetCidrs;
  const family = options.planConfig.family;
  if (list === undefined || list.some((c) => c.family === family)) return;
  const name = family === "ipv4" ? "IPv4" : "IPv6";
  throw new AlbStaticIpError(
    "target_cidr_family",
    `Target group ${options.label} has IP address type ${family}, but ALLOWED_TARGET_CIDRS (${list.map((c) => c.text).join(",")}) holds no ${name} block, so none of its targets could ever be registered. ` +
      `Add the ALB subnets' ${name} blocks to ALLOWED_TARGET_CIDRS (SECURITY.md). Nothing was changed.`,
  );
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

interface ApplyOutcome {
  registered: string[];
  deregistered: string[];
  stateWritten: boolean;
  conflict: boolean;
  /** A step failed; what was done before it is in the other fields (and recorded in the state). */
  failure?: unknown;
}

async function applyAndSave(
  deps: PairDeps,
  options: PairOptions,
  p: Plan,
  loaded: LoadedState,
  portHoldsTargets: boolean,
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
  // With nothing registered on the port, every target being refused is most likely a configuration error: the
  // adapter stops after 2 calls then (register_targets_refused) instead of isolating each refused target.
  const writeOptions = { deadline: options.actDeadline, stopWhenAllRefused: !portHoldsTargets };
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
    let saved: Awaited<ReturnType<StateStore["save"]>>;
    try {
      saved = await deps.store.save(record, etag);
    } catch (error) {
      // The ELBv2 writes stand: the run fails, but says what it did, and keeps the first failure's code.
      return { ...outcome, failure: recordingFailed(deps.store, outcome, failure, error) };
    }
    if (!saved.ok && failure === undefined) return { ...outcome, conflict: true };
    if (saved.ok) outcome.stateWritten = true;
    else
      deps.logger.warn("Another run updated the state while this run was failing; that run's record stands");
  }
  return failure === undefined ? outcome : { ...outcome, failure };
}

/**
 * The final state write failed after the target group was changed. With an earlier failure, that failure's code
 * stands and the message adds the write's; alone, the write's code with what the run did. Either way the next run
 * re-reads the target group: registered targets it sees are owned again, deregistered ones are dropped.
 */
function recordingFailed(
  store: Pick<StateStore, "bucket" | "key">,
  done: Pick<ApplyOutcome, "registered" | "deregistered">,
  earlier: unknown,
  error: unknown,
): AlbStaticIpError {
  const write = errorInfo(error);
  const what = `registered ${listOrNone(done.registered)}, deregistered ${listOrNone(done.deregistered)}`;
  if (earlier !== undefined) {
    const first = errorInfo(earlier);
    return new AlbStaticIpError(
      first.code,
      `${first.message} Recording what this run did (${what}) in s3://${store.bucket}/${store.key} then failed as well (${write.code}): ${write.message}`,
      { cause: earlier },
    );
  }
  return new AlbStaticIpError(
    write.code,
    `This run ${what}, but recording it in s3://${store.bucket}/${store.key} failed: ${write.message} The targets stay as they are; the next run re-reads the target group and records them.`,
    { cause: error },
  );
}

function listOrNone(ips: readonly string[]): string {
  return ips.length > 0 ? ips.join(", ") : "none";
}

function outOfTime(what: string): AlbStaticIpError {
  return new AlbStaticIpError(
    "out_of_time",
    `Too little Lambda time left to apply changes safely (the last change and the record of it need up to AWS_MAX_ATTEMPTS × AWS_REQUEST_TIMEOUT_MS plus backoff each); ${what}. Raise the function timeout (the log's function_timeout_too_short line says to what), or lower AWS_REQUEST_TIMEOUT_MS / AWS_MAX_ATTEMPTS, or MAX_LOOKUP_PER_INVOCATION / DNS_TIMEOUT_MS when discovery ran long.`,
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

export function emptyErrors(): Observation["errors"] {
  return { servfail: 0, nxdomain: 0, timeout: 0, refused: 0, empty: 0, other: 0 };
}

export function describeErrors(observation: Observation): string {
  const parts = Object.entries(observation.errors)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return parts.length > 0 ? parts.join(", ") : "no errors recorded";
}

/**
 * Reports the targets on ports of the target group that this function does not serve (a changed ALB_LISTENER or
 * TARGET_GROUPS port leaves the old port's targets registered, under a state key no run reads any more), with the
 * state object found at each port's key; with CLEANUP_UNSERVED_PORTS deregisters the ones that state owns
 * (core/unserved.ts: owned only, healthy twin on a served port or not healthy, capped, claims). Costs nothing when
 * no such target exists (DescribeTargetHealth already lists every port); else one GetObject per port (at most 5).
 */
async function unservedPorts(
  deps: PairDeps,
  options: PairOptions,
  registered: readonly RegisteredTarget[],
  summary: PairSummary,
  calls: { s3: number },
): Promise<void> {
  const { servedPorts, cleanup } = options.unservedPorts!;
  const found = findUnserved(registered, servedPorts);
  summary.unservedPorts = [];
  if (found.length === 0) return;
  let budget = options.planConfig.maxDeregistrationsPerRun - summary.deregistered.length;
  let failure: unknown;
  for (const [index, port] of found.entries()) {
    const store = index < MAX_UNSERVED_PORTS_PER_RUN ? deps.stateStoreFor?.(port.port) : undefined;
    const entry: UnservedPortSummary = {
      port: port.port,
      targets: port.ips,
      stateKey: store?.key ?? `(not read: more than ${MAX_UNSERVED_PORTS_PER_RUN} unserved ports)`,
      state: "not_read",
      owned: [],
      deregistered: [],
      held: [],
    };
    summary.unservedPorts.push(entry);
    if (store === undefined) continue;
    let loaded: LoadedState;
    try {
      loaded = await store.load();
    } catch (error) {
      entry.state = "read_failed";
      deps.logger.warn("Could not read the state object of a port this function no longer serves", {
        code: "targets_unserved_port",
        port: port.port,
        key: store.key,
        error: errorInfo(error),
      });
      continue;
    } finally {
      calls.s3 += store.calls;
    }
    entry.state = loaded.state !== null ? "found" : loaded.problem === undefined ? "missing" : "unusable";
    const owned = new Set(Object.keys(loaded.state?.targets ?? {}));
    entry.owned = port.ips.filter((ip) => owned.has(ip));
    if (!cleanup || options.dryRun || !summary.ok || entry.owned.length === 0 || failure !== undefined)
      continue;
    const c = planUnservedCleanup(
      port,
      loaded.state,
      registered,
      servedPorts,
      Math.max(0, budget),
      deps.now(),
    );
    entry.held = c.held;
    if (c.deregister.length === 0 || c.claim === undefined || c.after === undefined) continue;
    // No change (the claim included) starts after the act deadline (lambda/timing.ts); the next run goes on.
    if (Date.now() > options.actDeadline) continue;
    const before = store.calls;
    try {
      // Claim in the old port's state first (conditional), so an overlapping run does not deregister them too.
      const claimed = await store.save(c.claim, loaded.etag);
      if (!claimed.ok) {
        entry.held = [...c.deregister.map((t) => ({ ip: t.ip, reason: "claimed_by_other_run" })), ...c.held];
        continue;
      }
      await deps.targets.deregister(c.deregister, { deadline: options.actDeadline });
      entry.deregistered = c.deregister.map((t) => t.ip);
      budget -= c.deregister.length;
      await store.save(c.after, claimed.etag);
    } catch (error) {
      failure = error;
    } finally {
      calls.s3 += store.calls - before;
    }
  }

  const stranded = summary.unservedPorts;
  summary.notes.push(UNSERVED_PORT);
  deps.logger.warn(
    `${stranded.reduce((n, u) => n + u.targets.length, 0)} target(s) are registered on port(s) ${stranded.map((u) => u.port).join(", ")} of this target group, which this function does not serve (ALB_LISTENER or TARGET_GROUPS changed?); ` +
      (cleanup
        ? "CLEANUP_UNSERVED_PORTS=true deregisters the ones the old port's state owns, once each IP is healthy on a served port, capped by MAX_DEREGISTRATIONS_PER_RUN; others are left alone."
        : "they keep receiving traffic while the ALB listens there. Set CLEANUP_UNSERVED_PORTS=true to deregister the ones the old port's state owns (safely, capped), or deregister them by hand; if another function serves that port of this target group, leave them."),
    {
      code: UNSERVED_PORT,
      unservedPorts: stranded.map((u) => ({
        port: u.port,
        targets: u.targets,
        stateKey: u.stateKey,
        state: u.state,
        owned: u.owned,
        deregistered: u.deregistered,
      })),
    },
  );
  if (failure !== undefined) throw failure;
}

/** The note (and warning code) of a run that found targets on ports this function does not serve. */
const UNSERVED_PORT = "targets_unserved_port";

/** Whether a non-draining target is registered on `port`: the configuration demonstrably registers targets. */
function holdsTargets(registered: readonly RegisteredTarget[], port: number): boolean {
  return registered.some(
    (t) => t.port === port && t.state !== "draining" && t.state !== "unhealthy.draining",
  );
}

function targetsOnPort(registered: readonly RegisteredTarget[], port: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of registered) if (t.port === port) out[t.ip] = t.state;
  return out;
}
