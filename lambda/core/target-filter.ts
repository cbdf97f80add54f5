/**
 * The target allow-list step (ALLOWED_TARGET_CIDRS): a pure function between discovery and the plan.
 * Every observation passes through it, whatever produced it (DNS or the ENI lookup), so an IP outside every
 * allowed block is never among the IPs the plan registers.
 */
import type { Observation } from "../types.js";
import { type Cidr, cidrContains, parseIp } from "./cidr.js";

/** The stable note code of a run in which observed IPs were outside ALLOWED_TARGET_CIDRS. */
export const OUTSIDE_ALLOWED_CIDRS = "target_outside_allowed_cidrs";

/** What {@link filterAllowed} returns. */
export interface FilteredObservation {
  /** The observation the plan may use: only allowed IPs, the refused ones in its `refused`. */
  observation: Observation;
  /** Observed IPs outside every allowed block, in the observation's order. Never registered. */
  refused: string[];
}

/**
 * Keeps the observed IPs inside at least one block of `allowList` and refuses the others.
 *
 * Refused IPs are no evidence of anything: they leave `ips` for the observation's `refused`, and the plan never
 * registers, owns or resets them. The observation keeps its own verdict (`complete`), because a refusal says
 * nothing about the allowed IPs the answers held: an ALB that gained a subnet the list lacks must not stop a
 * dead, NLB-unhealthy IP from leaving. What a refusal does change is in the plan: in a DNS observation it
 * suspends the healthy-bound deregistration (the answers may be forged), and an observation with no allowed IP
 * that the owned targets share counts no miss (`observation_disjoint`). `allowList` undefined means no allow-list
 * (ALLOWED_TARGET_CIDRS not set): the observation is returned unchanged. Strings that are not IP addresses are
 * left for the plan, which ignores them (`observation_invalid_ip`).
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
  return { observation: { ...observation, ips, refused }, refused };
}
