/**
 * Splits the remaining Lambda time so that the function is never killed between a change and its record.
 *
 * No change (the claim, each DeregisterTargets or RegisterTargets call) starts after the act deadline. The last
 * one may start just before it and take the longest an AWS call can take; the record of what was done (an
 * ETag-conditional PutObject) then follows and may take as long again. So the act deadline is the end of the
 * invocation minus {@link actReserveMs}: two worst-case calls and the local work around them. Each call is held
 * to its worst case by the adapters (`lambda/aws/clients.ts`, `withinBudget`), whatever the SDK's own retry
 * sleeps would be, so the arithmetic here is the whole story. Discovery ends a little before the act deadline
 * (queries still in flight are cancelled). When the invocation is too short for that, the run refuses to act
 * and says what to set ({@link minimumFunctionTimeoutSeconds}).
 *
 * Pure arithmetic of the config: `AWS_MAX_ATTEMPTS` and `AWS_REQUEST_TIMEOUT_MS`.
 */

/** The backoff before one retry that a call's budget allows: the SDK's standard mode sleeps up to 1 s before the
 * first retry of a throttled call and 2 s before the second (less for other errors). */
export const RETRY_BACKOFF_CAP_MS = 2_000;
/** Local work around the last change and its record (planning, the settled state, logging), on a slow CPU. */
export const LOCAL_WORK_MS = 1_000;
/** Between the end of discovery and the act deadline: the plan and the start of the first change. */
export const PLAN_MARGIN_MS = 500;
/** The least time before the act deadline for the reads and discovery; with less, a run does not act. */
export const MIN_DISCOVERY_WINDOW_MS = 2_000;
/** Lambda's longest function timeout, in seconds. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** How long one AWS call may take: the client settings of the config. */
export interface CallLimits {
  /** AWS_MAX_ATTEMPTS: attempts per call, the first included. */
  maxAttempts: number;
  /** AWS_REQUEST_TIMEOUT_MS: the time limit of one attempt. */
  requestTimeoutMs: number;
}

/**
 * The call limits of a config (AWS_MAX_ATTEMPTS, AWS_REQUEST_TIMEOUT_MS).
 *
 * @example
 * runDeadlines(Date.now(), context.getRemainingTimeInMillis(), callLimitsOf(config));
 */
export function callLimitsOf(config: { awsMaxAttempts: number; awsRequestTimeoutMs: number }): CallLimits {
  return { maxAttempts: config.awsMaxAttempts, requestTimeoutMs: config.awsRequestTimeoutMs };
}

/**
 * The longest one AWS call may take: every attempt runs into its timeout, and every retry waits the longest
 * backoff first. The adapters abort a call at this budget.
 *
 * @example
 * worstCaseCallMs({ maxAttempts: 3, requestTimeoutMs: 5000 }); // 19000 = 3 × 5000 + 2 × 2000
 */
export function worstCaseCallMs(limits: CallLimits): number {
  return limits.maxAttempts * limits.requestTimeoutMs + (limits.maxAttempts - 1) * RETRY_BACKOFF_CAP_MS;
}

/**
 * Time kept after the act deadline: the last change (started just before it) and the record of it, each a
 * worst-case call, and the local work around them.
 *
 * @example
 * actReserveMs({ maxAttempts: 3, requestTimeoutMs: 5000 }); // 39000
 */
export function actReserveMs(limits: CallLimits): number {
  return 2 * worstCaseCallMs(limits) + LOCAL_WORK_MS;
}

/**
 * The shortest function timeout, in whole seconds, with which a run can make one change safely: the act reserve
 * and the least window for the reads and discovery. (An event-triggered run first waits a few seconds for the
 * interface to settle; the module's default of 50 s leaves room for that with the default settings.)
 *
 * @example
 * minimumFunctionTimeoutSeconds({ maxAttempts: 3, requestTimeoutMs: 5000 }); // 41
 */
export function minimumFunctionTimeoutSeconds(limits: CallLimits): number {
  return Math.ceil((actReserveMs(limits) + MIN_DISCOVERY_WINDOW_MS) / 1000);
}

/** The deadlines of one run (epoch ms). */
export interface RunDeadlines {
  /** No new DNS query after this; those in flight are cancelled. */
  discoveryDeadline: number;
  /** No change starts after this. When `canAct` is false it has passed already: the run changes nothing. */
  actDeadline: number;
  /** False when the remaining time cannot hold the act reserve and a discovery window. */
  canAct: boolean;
  /** What the run needs to act: {@link actReserveMs} + {@link MIN_DISCOVERY_WINDOW_MS}. */
  requiredMs: number;
}

/**
 * Deadlines for a run starting at `now` with `remainingMs` of Lambda time left. When the time is too short
 * to act safely, the act deadline is already past (any change is refused as out of time) and discovery gets
 * half of the time, for a dry run or to report what the run would have done.
 *
 * @example
 * runDeadlines(0, 50_000, { maxAttempts: 3, requestTimeoutMs: 5000 });
 * // { actDeadline: 11000, discoveryDeadline: 10500, canAct: true, requiredMs: 41000 }
 */
export function runDeadlines(now: number, remainingMs: number, limits: CallLimits): RunDeadlines {
  const remaining = Math.max(0, remainingMs);
  const reserve = actReserveMs(limits);
  const requiredMs = reserve + MIN_DISCOVERY_WINDOW_MS;
  if (remaining < requiredMs) {
    return { discoveryDeadline: now + remaining / 2, actDeadline: now - 1, canAct: false, requiredMs };
  }
  const actDeadline = now + remaining - reserve;
  return { discoveryDeadline: actDeadline - PLAN_MARGIN_MS, actDeadline, canAct: true, requiredMs };
}
