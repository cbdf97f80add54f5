/**
 * Splits the remaining Lambda time: discovery may use what is left after a reserve for applying and saving
 * (queries still in flight at the discovery deadline are cancelled). No change (the claim, each Deregister or
 * RegisterTargets call) starts after the act deadline; the record of the changes already made is written after
 * them within the last reserve, so the function is not killed between a change and its record.
 */

/** Time kept for reading, applying and saving after discovery (each AWS call is bounded by the client timeouts). */
export const APPLY_RESERVE_MS = 20_000;
/** No change is started with less than this left. */
export const ACT_RESERVE_MS = 8_000;

/** Deadlines (epoch ms) for a run starting at `now` with `remainingMs` of Lambda time left. */
export function runDeadlines(
  now: number,
  remainingMs: number,
): { discoveryDeadline: number; actDeadline: number } {
  const remaining = Math.max(0, remainingMs);
  return {
    discoveryDeadline: now + Math.max(remaining / 2, remaining - APPLY_RESERVE_MS),
    actDeadline: now + Math.max(remaining * 0.8, remaining - ACT_RESERVE_MS),
  };
}
