/**
 * Types shared by the core, the adapters and the handler. Type-only: no runtime code.
 */

/** Why a single DNS query did not yield addresses. */
export type DnsErrorKind = "servfail" | "nxdomain" | "timeout" | "refused" | "empty" | "other";

/** What one discovery run saw. `ips` is sorted (numeric IPv4 order) and de-duplicated. */
export interface Observation {
  ips: string[];
  /** Queries sent. */
  queries: number;
  /** Queries that returned at least one address. */
  answers: number;
  errors: Record<DnsErrorKind, number>;
  /**
   * The answers prove the whole set: P(some IP was never seen) < MISS_PROBABILITY, or two agreeing short
   * answers held every IP seen; and nothing contradicts that (see `notes`).
   */
  complete: boolean;
  /** No query succeeded. */
  failed: boolean;
  /** Bound on P(some IP of the set was never seen) from the full-size answers; 1 when unknown. */
  missBound: number;
  /** Why the answers do not prove the whole set, beyond the cap or the deadline (stable codes). */
  notes: ReadonlyArray<{ code: string; message: string }>;
  durationMs: number;
  /** Where the observation came from (default `dns`). */
  source?: "dns" | "eni" | undefined;
  /**
   * Membership is exact (an ENI lookup that succeeded): an owned IP it lacks is gone, no health corroboration is
   * needed before deregistering it after INVOCATIONS_BEFORE_DEREGISTRATION such lookups.
   */
  exact?: boolean | undefined;
  /** Why a failed observation failed, with a stable code and what to do (ENI mode). */
  failure?: { code: string; message: string } | undefined;
  /**
   * Observed IPs that ALLOWED_TARGET_CIDRS refused, removed from `ips` (set by the allow-list step only). They are
   * no evidence of anything: never registered or owned, an owned one's record is left as it is; in a DNS
   * observation they also suspend the healthy-bound deregistration for the run (lambda/core/plan.ts).
   */
  refused?: string[] | undefined;
  /**
   * ENI mode: interfaces with the ALB's description that ELB did not create (look-alikes). Never observed, no
   * evidence of anything; reported (note `interface_not_elb_managed`, a warning, a metric). Undefined in DNS mode.
   */
  lookalikes?: ReadonlyArray<{ id: string; ips: string[]; requesterId?: string | undefined }> | undefined;
}

/** ELBv2 target health states (TargetHealthStateEnum). */
export type TargetHealthState =
  | "initial"
  | "healthy"
  | "unhealthy"
  | "unhealthy.draining"
  | "unused"
  | "draining"
  | "unavailable";

/** A target as DescribeTargetHealth reports it. */
export interface RegisteredTarget {
  ip: string;
  port: number;
  /** `"all"` for targets outside the VPC; undefined when the target is in the VPC. */
  availabilityZone?: string | undefined;
  state: TargetHealthState;
}

/** A target to register or deregister. */
export interface TargetRef {
  ip: string;
  port: number;
  /** `"all"` when SAME_VPC is false (the ALB is in another VPC). */
  availabilityZone?: "all" | undefined;
}

/** Per-IP bookkeeping kept in the state object. */
export interface TargetRecord {
  /** ISO-8601 time the IP was first seen (or adopted). */
  firstSeen: string;
  /** ISO-8601 time the IP was last seen, refreshed only when the state is written anyway. */
  lastSeen: string;
  /** Consecutive complete observations without this IP. */
  misses: number;
  /**
   * ISO-8601 time a run claimed this IP for deregistration (written before the DeregisterTargets call, so an
   * overlapping run leaves it alone). A claim older than the claim TTL is taken over by the next run.
   */
  deregisteringSince?: string | undefined;
}

/** The state object stored in S3 (schema version 1). Keys of `targets` are the owned IPs. */
export interface State {
  version: 1;
  albDnsName: string;
  targetGroupArn: string;
  port: number;
  targets: Record<string, TargetRecord>;
}
