/**
 * What every simulated AWS service shares: request counting and fault/latency admission.
 */
import type { FaultEngine, Verdict } from "./faults.js";
import type { Delays } from "./http.js";

/** The world-wide services a simulated API handler needs. */
export interface ServiceContext {
  readonly faults: FaultEngine;
  readonly delays: Delays;
  /** Count one request of `api` (e.g. `s3:GetObject`). */
  count(api: string): void;
}

/**
 * Count the call, decide its fault (`targetGroupArn`: the group an ELBv2 call is about), and wait out its latency. The caller answers `error`
 * verdicts in its protocol's error shape and leaves the response open on `hang`.
 */
export async function admit(ctx: ServiceContext, api: string, targetGroupArn?: string): Promise<Verdict> {
  ctx.count(api);
  const verdict = ctx.faults.decide(api, targetGroupArn);
  await ctx.delays.sleep(verdict.latencyMs);
  return verdict;
}
