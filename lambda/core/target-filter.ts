/**
 * The target allow-list step (ALLOWED_TARGET_CIDRS): a pure function between discovery and the plan.
 * Every observation passes through it, whatever produced it (DNS today, ENI mode later), so an IP
 * outside every allowed block is never handed to the plan and can never be registered.
 */
import type { Observation } from "../types.js";
import { type Cidr, cidrContains, parseIp } from "./cidr.js";

/** The stable note code of a run in which observed IPs were outside ALLOWED_TARGET_CIDRS. */
export const OUTSIDE_ALLOWED_CIDRS = "target_outside_allowed_cidrs";

/** What {@link filterAllowed} returns. */
export interface FilteredObservation {
  /** The observation the plan may use: only allowed IPs; not complete when anything was refused. */
  observation: Observation;
  /** Observed IPs outside every allowed block, in the observation's order. Never registered. */
  refused: string[];
}

/**
 * Keeps the observed IPs inside at least one block of `allowList` and refuses the others.
 *
 * Refused IPs are no evidence of anything: an observation that held any refused IP is returned as
 * not complete, so the plan counts no misses from it (the answers that carried foreign IPs may have
 * displaced true ones) and deregisters nothing; the allowed IPs in it are still registered. An
 * observation of only refused IPs therefore changes nothing. `allowList` undefined means no
 * allow-list (ALLOWED_TARGET_CIDRS not set): the observation is returned unchanged. Strings that
 * are not IP addresses are left for the plan, which ignores them (`observation_invalid_ip`).
 *
 * @example
 * const { observation, refused } = filterAllowed(discovered, config.allowedTargetCidrs);
 * const p = plan(observation, registered, previous, planConfig, now);
 */
export function filterAllowed(
  observation: Observation,
  allowList: readonly Cidr[] | undefined,
): FilteredObservation {
  if (allowList === undefined) return { observation, refused: [] };
  const refused: string[] = [];
  const ips: string[] = [];
  for (const ip of observation.ips) {
    const isAddress = parseIp(ip) !== undefined;
    if (isAddress && !allowList.some((cidr) => cidrContains(cidr, ip))) refused.push(ip);
    else ips.push(ip);
  }
  if (refused.length === 0) return { observation, refused };
  return { observation: { ...observation, ips, complete: false }, refused };
}
