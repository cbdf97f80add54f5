/**
 * The reconcile decision: one pure, synchronous function from what DNS saw, what the target
 * group holds (with the NLB's own health verdict) and what we own, to the targets to register
 * and deregister and the next state. No I/O and no clock: `now` is an argument. The rules are
 * listed in docs/guarantees.md.
 */
import type { Config } from "../config/index.js";
import type { Observation, RegisteredTarget, State, TargetRecord, TargetRef } from "../types.js";
import { canonicalIp, compareIp, type IpFamily, ipFamily, sortedUniqueIps } from "./ip.js";
import { STATE_VERSION } from "./state.js";

/** The part of the configuration the plan depends on. */
export interface PlanConfig {
  /** ALB_DNS_NAME, recorded in the state. */
  albDnsName: string;
  /** NLB_TG_ARN, recorded in the state; a previous state for another target group is ignored. */
  targetGroupArn: string;
  /** ALB_LISTENER: the only port whose targets are ever touched. */
  port: number;
  /**
   * The target group's IP address type: only addresses of this family are ever registered, owned or
   * deregistered (an `ipv6` group never gets an IPv4 target, and the reverse). Default `ipv4`.
   */
  family?: IpFamily | undefined;
  /**
   * Consecutive complete observations without an owned IP before it is deregistered, when the NLB's
   * health check agrees that it is not healthy (`unhealthy`, `unused`, `unavailable`).
   */
  invocationsBeforeDeregistration: number;
  /**
   * Consecutive complete observations without an owned IP before it is deregistered although the NLB
   * reports it healthy (or still checking): an ALB IP that another host took over. Much longer.
   */
  invocationsBeforeDeregistrationHealthy: number;
  /** At most this many deregistrations per run; the rest wait for the next run. */
  maxDeregistrationsPerRun: number;
  /** false ⇒ registrations carry `availabilityZone: "all"`. */
  sameVpc: boolean;
  /** How long another run's deregistration claim is honoured (default {@link DEFAULT_CLAIM_TTL_MS}). */
  claimTtlMs?: number | undefined;
}

/** A claim older than this was left by a run that died between claiming and recording; it is taken over. */
export const DEFAULT_CLAIM_TTL_MS = 2 * 60_000;

/**
 * How far a state timestamp may lie ahead of this run's clock (clocks of two runs differ a little). A later one is
 * from the future (a skewed clock or a hand edit): a claim dated so is expired, and every such date is replaced by
 * the run's time, so no timestamp can hold an IP for ever.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Stable snake_case codes of the notes a plan carries; they appear in the log line. */
export type PlanNoteCode =
  /** No usable previous state: registered targets on the port that this run's observation saw were adopted. */
  | "state_adopted"
  /** The previous state names another target group or port; it was ignored (then adopted). */
  | "state_foreign"
  /** No DNS query succeeded (or the ENI lookup failed): no miss counted, nothing deregistered. */
  | "observation_failed"
  /** The query cap was hit before the confidence rule was met: no miss counted, nothing deregistered. */
  | "observation_incomplete"
  /** A complete observation shared no IP with the owned registered targets: registered, but no miss counted. */
  | "observation_disjoint"
  /** Observed strings that are not IP addresses were ignored. */
  | "observation_invalid_ip"
  /** Observed addresses of the other IP family than the target group's were ignored (never registered). */
  | "observation_other_family"
  /** Observed IPs that were draining on the port are registered again. */
  | "target_draining_reregistered"
  /** Owned IPs absent from this complete observation, still below the threshold. */
  | "target_missing"
  /** Owned IPs at the threshold that are no longer registered (or already draining): dropped from state, no call. */
  | "owned_target_gone"
  /** Due IPs that the NLB still reports healthy (or still checks): kept until the longer healthy bound. */
  | "deregistration_unconfirmed"
  /** Deregistering the due IPs would leave no non-draining target on the port: nothing deregistered. */
  | "deregistration_would_empty"
  /** More IPs were due than MAX_DEREGISTRATIONS_PER_RUN allows: the rest wait for the next run. */
  | "deregistration_capped"
  /** Targets registered on the port that this function does not own and did not see: left alone. */
  | "target_unowned"
  /** Another run claimed these IPs for deregistration less than the claim TTL ago: left to that run. */
  | "deregistration_in_progress"
  /** Records dated more than MAX_CLOCK_SKEW_MS after this run: such a claim is expired, the dates are replaced. */
  | "state_timestamp_future"
  /** The state was written following another ALB_DNS_NAME: ownership kept (keyed by target group and port), name updated. */
  | "state_alb_renamed";

/** Something the operator should know about a plan. */
export interface PlanNote {
  code: PlanNoteCode;
  message: string;
  /** The IPs concerned, in numeric order, when the note is about specific IPs. */
  ips?: string[];
}

/** What to do in this run. */
export interface Plan {
  /** Targets to register, sorted by IP. */
  register: TargetRef[];
  /** Targets to deregister, sorted by IP; always owned IPs, never every target on the port. */
  deregister: TargetRef[];
  /** The state to store after applying the plan; `previous` itself when nothing changed. */
  nextState: State;
  /** true when nextState differs from previous in anything but lastSeen timestamps (=> must be written) */
  stateChanged: boolean;
  /** In a fixed order: state, observation, registration, deregistration, ownership notes. */
  notes: PlanNote[];
}

const DRAINING_STATES: ReadonlySet<string> = new Set(["draining", "unhealthy.draining"]);
/** Health states in which the NLB's own check corroborates that an IP is gone. */
const NOT_HEALTHY_STATES: ReadonlySet<string> = new Set(["unhealthy", "unused", "unavailable"]);

/** The plan settings every pair of a run shares; each pair adds its target group, port and family. */
export type PlanSettings = Omit<PlanConfig, "targetGroupArn" | "port" | "family">;

/**
 * The shared plan settings of the validated Lambda config.
 *
 * @example
 * const planConfig = { ...toPlanSettings(loadConfig(process.env)), targetGroupArn, port: 443, family: "ipv4" };
 */
export function toPlanSettings(config: Readonly<Config>): PlanSettings {
  return {
    albDnsName: config.albDnsName,
    invocationsBeforeDeregistration: config.invocationsBeforeDeregistration,
    invocationsBeforeDeregistrationHealthy: config.invocationsBeforeDeregistrationHealthy,
    maxDeregistrationsPerRun: config.maxDeregistrationsPerRun,
    sameVpc: config.sameVpc,
  };
}

/**
 * Decides what to register and deregister, and the next state.
 *
 * - Register every observed IP not registered on `config.port` in a non-draining state.
 * - Seen IPs get misses 0; only a complete observation adds a miss to owned IPs it lacks.
 * - An owned, registered IP reaching `invocationsBeforeDeregistration` misses is deregistered
 *   when the NLB reports it not healthy, or once it reaches `invocationsBeforeDeregistrationHealthy`
 *   misses while healthy (at most `maxDeregistrationsPerRun`, highest misses first, then IP
 *   order), unless that would leave no non-draining target on the port.
 * - Only IPs of `previous` are ever deregistered; with no (or a foreign) previous state the
 *   non-draining targets on the port that this observation saw are adopted with misses 0 (the
 *   others stay unowned until an observation sees them) and that run counts no misses, so it
 *   deregisters nothing. Other ports are never touched.
 * - IPs the allow-list refused (`observation.refused`) are neither seen nor missed; a DNS observation holding one
 *   never deregisters an IP the NLB reports healthy, and one that shares no allowed IP with the owned targets
 *   counts no miss. Dates more than MAX_CLOCK_SKEW_MS ahead of `now` are expired (`state_timestamp_future`).
 *
 * @example
 * const p = plan(observation, targets, previousState, planConfig, new Date());
 * await elbv2.deregister(p.deregister); await elbv2.register(p.register);
 * if (p.stateChanged) await store.save(p.nextState);
 */
export function plan(
  observation: Observation,
  registered: readonly RegisteredTarget[],
  previous: State | null,
  config: PlanConfig,
  now: Date,
): Plan {
  const at = now.toISOString();
  const notes: PlanNote[] = [];

  const family: IpFamily = config.family ?? "ipv4";
  const ofFamily = (ip: string): boolean => ipFamily(ip) === family;

  // What the target group holds on our port: non-draining targets, and IPs that are only draining. All in
  // canonical text; a target of the other family (ELBv2 refuses them) is never ours to touch.
  const active = new Map<string, RegisteredTarget>();
  const drainingOnly = new Set<string>();
  for (const t of registered) {
    if (t.port !== config.port) continue;
    const ip = canonicalIp(t.ip);
    if (ip === undefined || !ofFamily(ip)) continue;
    if (DRAINING_STATES.has(t.state)) drainingOnly.add(ip);
    else if (!active.has(ip)) active.set(ip, { ...t, ip });
  }
  for (const ip of active.keys()) drainingOnly.delete(ip);

  // What DNS saw, in canonical text: `2001:db8::1` and `2001:0db8:0:0:0:0:0:1` are one target.
  const invalid = sortedUniqueIps(observation.ips.filter((ip) => canonicalIp(ip) === undefined));
  const addresses = sortedUniqueIps(observation.ips.filter((ip) => canonicalIp(ip) !== undefined));
  const otherFamily = addresses.filter((ip) => !ofFamily(ip));
  const observed = addresses.filter(ofFamily);
  const seen = new Set(observed);
  // IPs the allow-list refused: no evidence of anything (never seen, never missed). In a DNS observation they
  // also mean its answers were forged or the list is stale: the healthy bound waits for a clean run.
  const refused = new Set(
    (observation.refused ?? []).map(canonicalIp).filter((ip): ip is string => ip !== undefined),
  );
  const tainted = refused.size > 0 && observation.exact !== true;

  // What we own before this run.
  let base: State | null = previous;
  if (base !== null && (base.targetGroupArn !== config.targetGroupArn || base.port !== config.port)) {
    notes.push({
      code: "state_foreign",
      message: `previous state is for target group ${base.targetGroupArn} port ${base.port}, but this function manages ${config.targetGroupArn} port ${config.port}; ignored it and adopted the registered targets`,
    });
    base = null;
  }
  // An empty name (a migrated list of the original Lambda) is unknown, not another name.
  if (base !== null && base.albDnsName !== "" && base.albDnsName !== config.albDnsName) {
    notes.push({
      code: "state_alb_renamed",
      message: sameAlbName(base.albDnsName, config.albDnsName)
        ? `the state was written following ${JSON.stringify(base.albDnsName)}, another name of the ALB ${JSON.stringify(config.albDnsName)}: ownership kept, the name is updated`
        : `the state was written following ${JSON.stringify(base.albDnsName)}, but ALB_DNS_NAME is ${JSON.stringify(config.albDnsName)}: ownership is kept (it belongs to the target group and port), so targets of the old name that no observation shows leave by the usual rules (missing and not healthy, or the healthy bound); the name is updated. If the new name is not the same load balancer, check ALB_DNS_NAME`,
    });
  }
  const owned: Record<string, TargetRecord> = {};
  if (base === null) {
    // Only what an observation has seen becomes ours: a target someone registered by hand is never adopted.
    const adopted = sortedUniqueIps([...active.keys()].filter((ip) => seen.has(ip)));
    for (const ip of adopted) owned[ip] = { firstSeen: at, lastSeen: at, misses: 0 };
    notes.push({
      code: "state_adopted",
      message: `no usable previous state: adopted the ${adopted.length} of ${active.size} target(s) registered on port ${config.port} that this observation saw; the others stay unowned until an observation sees them; nothing is deregistered this run`,
      ips: adopted,
    });
  } else {
    // Records of the other family or in another text form cannot come from this build; keep only ours.
    for (const [ip, record] of Object.entries(base.targets)) {
      const canonical = canonicalIp(ip);
      if (canonical !== undefined && ofFamily(canonical)) owned[canonical] = record;
    }
  }

  // A date from the future would hold a claim (`now - since < TTL`) for ever: beyond the clock skew it is expired.
  const future = fromTheFuture(owned, now);
  if (future.length > 0) {
    for (const { ip, record } of future) owned[ip] = settleFuture(record, now);
    notes.push({
      code: "state_timestamp_future",
      message: `${future.length} owned record(s) carry dates more than ${MAX_CLOCK_SKEW_MS / 60_000} min after this run's clock (${future
        .slice(0, 3)
        .map((f) => `${f.ip}: ${f.dates.join(", ")}`)
        .join(
          "; ",
        )}): a skewed clock or a hand-edited state; claims so dated are expired and the dates replaced by ${at}`,
      ips: future.map((f) => f.ip),
    });
  }

  // A complete observation that shares no IP with the owned, registered targets is not trusted to count
  // misses: an ALB does not replace every node within one run, but a lying or flapping name server can.
  // A real full rotation only waits one run longer (the next observation overlaps what this run registers).
  // An observation of nothing but refused IPs is disjoint too: it shares no allowed IP with what we own.
  const ownedActive = Object.keys(owned).filter((ip) => active.has(ip));
  const disjoint =
    (observed.length > 0 || refused.size > 0) &&
    ownedActive.length > 0 &&
    !ownedActive.some((ip) => seen.has(ip));

  // Only a complete observation counts misses, and never in the run that adopts (misses start at 0).
  const counting = observation.complete && !observation.failed && base !== null && !disjoint;

  if (invalid.length > 0) {
    notes.push({
      code: "observation_invalid_ip",
      message: `ignored ${invalid.length} observed value(s) that are not IP addresses: ${invalid.slice(0, 5).join(", ")}`,
      ips: invalid,
    });
  }
  if (otherFamily.length > 0) {
    notes.push({
      code: "observation_other_family",
      message: `ignored ${otherFamily.length} observed address(es) that are not ${family === "ipv4" ? "IPv4" : "IPv6"}, the target group's IP address type: ${otherFamily.slice(0, 5).join(", ")}`,
      ips: otherFamily,
    });
  }
  if (disjoint && observation.complete && base !== null) {
    notes.push({
      code: "observation_disjoint",
      message: `the complete observation (${observed.length} allowed IP(s)${refused.size > 0 ? `, ${refused.size} refused` : ""}) shares no IP with the ${ownedActive.length} owned registered target(s): new IPs are registered, but no miss is counted and nothing is deregistered this run`,
      ips: observed,
    });
  }
  if (observation.failed) {
    notes.push({
      code: "observation_failed",
      message:
        observation.source === "eni"
          ? `the interface lookup failed (${observation.failure?.code ?? "unknown"}): miss counters unchanged, nothing deregistered`
          : `no DNS query succeeded (${observation.queries} sent): miss counters unchanged, nothing deregistered`,
    });
  } else if (!observation.complete) {
    notes.push({
      code: "observation_incomplete",
      message:
        observation.notes.length > 0
          ? `DNS observation incomplete (${observation.ips.length} IP(s) in ${observation.queries} queries): ${observation.notes.map((n) => n.message).join("; ")}; miss counters unchanged, nothing deregistered`
          : `DNS observation incomplete (${observation.ips.length} IP(s) in ${observation.queries} queries, cap or deadline reached before the stop rule was met): miss counters unchanged, nothing deregistered; raise MAX_LOOKUP_PER_INVOCATION if this repeats`,
    });
  }

  // Register what DNS saw and the port lacks.
  const register = observed
    .filter((ip) => !active.has(ip))
    .map(
      (ip): TargetRef =>
        config.sameVpc ? { ip, port: config.port } : { ip, port: config.port, availabilityZone: "all" },
    );
  const reregistered = register.map((t) => t.ip).filter((ip) => drainingOnly.has(ip));
  if (reregistered.length > 0) {
    notes.push({
      code: "target_draining_reregistered",
      message: `${reregistered.length} draining IP(s) are back in DNS and are registered again`,
      ips: reregistered,
    });
  }

  // Next records: seen ⇒ misses 0 (new IPs become owned); unseen ⇒ +1 on a complete observation.
  const next: Record<string, TargetRecord> = {};
  for (const ip of sortedUniqueIps([...Object.keys(owned), ...observed])) {
    const record = owned[ip];
    if (seen.has(ip)) {
      next[ip] =
        record === undefined
          ? { firstSeen: at, lastSeen: at, misses: 0 }
          : { firstSeen: record.firstSeen, lastSeen: record.lastSeen, misses: 0 };
    } else if (record !== undefined) {
      // A refused owned IP is in the answers, so not missing; being refused, not seen either: left as it is.
      next[ip] = refused.has(ip)
        ? record
        : { ...record, misses: counting ? record.misses + 1 : record.misses };
    }
  }

  // IPs another run claimed for deregistration recently: that run deregisters them; this one leaves them be.
  const claimTtlMs = config.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
  const claimedByOther = new Set(
    Object.keys(next).filter((ip) => {
      const since = next[ip]!.deregisteringSince;
      return since !== undefined && !seen.has(ip) && now.getTime() - Date.parse(since) < claimTtlMs;
    }),
  );
  if (claimedByOther.size > 0) {
    notes.push({
      code: "deregistration_in_progress",
      message: `${claimedByOther.size} IP(s) were claimed for deregistration by another run less than ${Math.round(claimTtlMs / 1000)} s ago: left to that run`,
      ips: sortedUniqueIps(claimedByOther),
    });
  }

  // Deregister owned IPs at the threshold, within the safety rules.
  const deregister: TargetRef[] = [];
  if (counting) {
    const unseen = Object.keys(next).filter((ip) => !seen.has(ip) && !refused.has(ip));
    const due = unseen.filter((ip) => next[ip]!.misses >= config.invocationsBeforeDeregistration);
    const missing = unseen.filter((ip) => next[ip]!.misses < config.invocationsBeforeDeregistration);
    if (missing.length > 0) {
      notes.push({
        code: "target_missing",
        message: `${missing.length} owned IP(s) missing from this complete observation, deregistered after ${config.invocationsBeforeDeregistration} consecutive misses`,
        ips: missing,
      });
    }
    const gone = due.filter((ip) => !active.has(ip));
    for (const ip of gone) delete next[ip];
    if (gone.length > 0) {
      notes.push({
        code: "owned_target_gone",
        message: `${gone.length} owned IP(s) reached ${config.invocationsBeforeDeregistration} misses but are no longer registered (or already draining) on port ${config.port}: dropped from state, no call`,
        ips: gone,
      });
    }
    // The NLB's own health check must agree, or the IP must have been missing for the much longer healthy bound.
    // An exact observation (a successful ENI lookup) is proof of absence on its own: no health gate. The healthy
    // bound deregisters against the NLB's verdict on DNS evidence alone, so it waits for answers that held no
    // refused IP (forged answers may have displaced live ones); a dead, NLB-unhealthy IP still leaves.
    // The check tells a dead IP from a live one only while it passes somewhere: when no target this observation
    // shows is healthy (a health-check outage, a security group change, every node new), "unhealthy" says nothing
    // about which IPs are gone, and the due ones wait for the healthy bound like healthy ones.
    const healthInformative = [...seen].some((ip) => active.get(ip)?.state === "healthy");
    const corroborated = (ip: string): boolean =>
      healthInformative && NOT_HEALTHY_STATES.has(active.get(ip)!.state);
    const unconfirmed = due.filter(
      (ip) =>
        observation.exact !== true &&
        active.has(ip) &&
        !corroborated(ip) &&
        (tainted || next[ip]!.misses < config.invocationsBeforeDeregistrationHealthy),
    );
    if (unconfirmed.length > 0) {
      const why = healthInformative
        ? "the NLB reports them healthy (or still checks them)"
        : "no target this observation shows is healthy, so the NLB's check cannot tell which IPs are gone (a health-check outage?)";
      notes.push({
        code: "deregistration_unconfirmed",
        message: tainted
          ? `${unconfirmed.length} owned IP(s) are missing from DNS but ${why}: kept, and this run's answers held IPs outside ALLOWED_TARGET_CIDRS, so the ${config.invocationsBeforeDeregistrationHealthy}-run healthy bound waits for answers without them`
          : `${unconfirmed.length} owned IP(s) are missing from DNS but ${why}: kept until the check corroborates their loss or they have been missing for ${config.invocationsBeforeDeregistrationHealthy} complete observations`,
        ips: unconfirmed,
      });
    }
    const held = new Set(unconfirmed);
    const candidates = due.filter((ip) => active.has(ip) && !claimedByOther.has(ip) && !held.has(ip));
    if (candidates.length > 0) {
      const remaining = new Set([...active.keys(), ...register.map((t) => t.ip)]);
      for (const ip of [...candidates, ...claimedByOther]) remaining.delete(ip);
      if (remaining.size === 0) {
        notes.push({
          code: "deregistration_would_empty",
          message: `deregistering the ${candidates.length} due IP(s) would leave no target on port ${config.port}: deregistered nothing, misses kept`,
          ips: candidates,
        });
      } else {
        const ordered = [...candidates].sort((a, b) => next[b]!.misses - next[a]!.misses || compareIp(a, b));
        const limit = Math.max(0, Math.floor(config.maxDeregistrationsPerRun));
        const chosen = ordered.slice(0, limit);
        const waiting = ordered.slice(limit).sort(compareIp);
        for (const ip of chosen.sort(compareIp)) {
          const zone = active.get(ip)?.availabilityZone;
          deregister.push(
            zone === "all" ? { ip, port: config.port, availabilityZone: "all" } : { ip, port: config.port },
          );
          delete next[ip];
        }
        if (waiting.length > 0) {
          notes.push({
            code: "deregistration_capped",
            message: `${candidates.length} IP(s) due for deregistration, MAX_DEREGISTRATIONS_PER_RUN is ${limit}: ${waiting.length} wait for the next run`,
            ips: waiting,
          });
        }
      }
    }
  }

  const leaving = new Set(deregister.map((t) => t.ip));
  const unowned = sortedUniqueIps(active.keys()).filter((ip) => next[ip] === undefined && !leaving.has(ip));
  if (unowned.length > 0) {
    notes.push({
      code: "target_unowned",
      message: `${unowned.length} target(s) on port ${config.port} are not in the state and not in DNS: left alone; deregister them by hand if they are stale`,
      ips: unowned,
    });
  }

  if (
    base !== null &&
    future.length === 0 &&
    !headerDiffers(base, config) &&
    !recordsDiffer(base.targets, next)
  ) {
    return { register, deregister, nextState: base, stateChanged: false, notes };
  }

  const targets: Record<string, TargetRecord> = {};
  for (const ip of Object.keys(next).sort(compareIp)) {
    const record = next[ip]!;
    targets[ip] = seen.has(ip) ? { ...record, lastSeen: at } : record;
  }
  const nextState: State = {
    version: STATE_VERSION,
    albDnsName: config.albDnsName,
    targetGroupArn: config.targetGroupArn,
    port: config.port,
    targets,
  };
  return { register, deregister, nextState, stateChanged: true, notes };
}

/** Owned records with a date later than `now` + MAX_CLOCK_SKEW_MS, in IP order, with those dates. */
function fromTheFuture(
  owned: Readonly<Record<string, TargetRecord>>,
  now: Date,
): Array<{ ip: string; record: TargetRecord; dates: string[] }> {
  const limit = now.getTime() + MAX_CLOCK_SKEW_MS;
  const out: Array<{ ip: string; record: TargetRecord; dates: string[] }> = [];
  for (const ip of sortedUniqueIps(Object.keys(owned))) {
    const record = owned[ip]!;
    const dates = [record.firstSeen, record.lastSeen, record.deregisteringSince].filter(
      (d): d is string => d !== undefined && Date.parse(d) > limit,
    );
    if (dates.length > 0) out.push({ ip, record, dates });
  }
  return out;
}

/** `record` with its dates from the future replaced by `now`, and a claim so dated withdrawn (expired). */
function settleFuture(record: TargetRecord, now: Date): TargetRecord {
  const limit = now.getTime() + MAX_CLOCK_SKEW_MS;
  const at = now.toISOString();
  const settle = (d: string) => (Date.parse(d) > limit ? at : d);
  const { deregisteringSince, ...rest } = record;
  const out: TargetRecord = {
    ...rest,
    firstSeen: settle(record.firstSeen),
    lastSeen: settle(record.lastSeen),
  };
  if (deregisteringSince !== undefined && Date.parse(deregisteringSince) <= limit)
    out.deregisteringSince = deregisteringSince;
  return out;
}

/** Two spellings of one ALB's name: case, a trailing dot and the `dualstack.` prefix aside. */
function sameAlbName(a: string, b: string): boolean {
  const norm = (name: string) =>
    name
      .trim()
      .toLowerCase()
      .replace(/\.$/, "")
      .replace(/^dualstack\./, "");
  return norm(a) === norm(b);
}

function headerDiffers(state: State, config: PlanConfig): boolean {
  return state.version !== STATE_VERSION || state.albDnsName !== config.albDnsName;
}

function recordsDiffer(
  before: Readonly<Record<string, TargetRecord>>,
  after: Readonly<Record<string, TargetRecord>>,
): boolean {
  const keys = Object.keys(before);
  if (keys.length !== Object.keys(after).length) return true;
  return keys.some(
    (ip) =>
      after[ip]?.misses !== before[ip]!.misses ||
      after[ip]?.deregisteringSince !== before[ip]!.deregisteringSince,
  );
}
