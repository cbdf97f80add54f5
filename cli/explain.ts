/**
 * Words for the codes operators see: the NLB's target health reason codes (DescribeTargetHealth) and the
 * function's plan notes (lambda/core/plan.ts), shown by `doctor`, `plan` and `status`.
 */

/** ELBv2 TargetHealth reason codes, explained. */
export const HEALTH_REASONS: Readonly<Record<string, string>> = {
  "Elb.RegistrationInProgress": "the target is being registered; health checks start soon",
  "Elb.InitialHealthChecking": "the first health checks are running",
  "Elb.InternalError": "the NLB failed internally; AWS usually recovers by itself",
  "Target.ResponseCodeMismatch":
    "the HTTP health check got a status outside the matcher (the ALB's listener rules answered it)",
  "Target.Timeout":
    "health checks timed out: the ALB's security groups or network ACLs drop the NLB's checks, or nothing listens on the port",
  "Target.FailedHealthChecks":
    "health checks fail: the ALB's security groups do not admit the NLB's nodes, or the ALB has no listener on the health-check port",
  "Target.NotRegistered": "the target is not registered in the target group",
  "Target.NotInUse":
    "no traffic reaches it: its availability zone is not enabled on the NLB (cross-zone off), or no NLB listener forwards to the target group",
  "Target.DeregistrationInProgress": "the target is draining after a deregistration",
  "Target.InvalidState": "the target is stopped or terminated",
  "Target.IpUnusable":
    "the IP address cannot be used as a target (it belongs to a load balancer that is not allowed, or is not routable)",
  "Target.HealthCheckDisabled": "health checks are disabled on the target group",
};

/** The function's plan notes (and `status`'s hold reasons), explained. */
export const NOTE_TEXT: Readonly<Record<string, string>> = {
  state_adopted:
    "no usable state: registered targets that discovery saw were adopted; nothing is deregistered this run",
  state_foreign: "the stored state belongs to another target group or port; it is ignored",
  state_migrated: "the original Lambda's IP list was converted; its IPs are owned",
  state_alb_renamed:
    "the state was written following another ALB_DNS_NAME: ownership is kept (target group and port), the name updated",
  state_timestamp_future:
    "dates more than 5 minutes in the future (a skewed clock or a hand edit): such a claim is expired, the dates replaced",
  targets_unserved_port:
    "targets on a port of the target group this function no longer serves (ALB_LISTENER changed?): CLEANUP_UNSERVED_PORTS=true removes the ones that port's state owns",
  observation_failed: "discovery failed: no miss counted, nothing deregistered",
  observation_incomplete: "discovery was incomplete: no miss counted, nothing deregistered",
  observation_disjoint: "discovery shared no IP with the owned targets: registered, but no miss counted",
  observation_invalid_ip: "answers that are not IP addresses were ignored",
  observation_other_family: "addresses of the other IP family were ignored",
  target_outside_allowed_cidrs:
    "observed IPs outside ALLOWED_TARGET_CIDRS were refused (never registered): re-apply the module so the list follows the ALB's subnets, or the answers were forged",
  target_draining_reregistered: "draining IPs that are back in discovery are registered again",
  target_missing:
    "owned IPs missing from this complete observation: deregistered after INVOCATIONS_BEFORE_DEREGISTRATION misses",
  owned_target_gone: "owned IPs that reached the miss limit are no longer registered: dropped from the state",
  deregistration_unconfirmed:
    "due for deregistration, but the NLB still reports them healthy: kept until unhealthy or HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION misses",
  deregistration_would_empty: "deregistering would leave no target on the port: nothing deregistered",
  deregistration_capped: "more IPs were due than MAX_DEREGISTRATIONS_PER_RUN: the rest wait for the next run",
  target_unowned:
    "registered, but not in the state and not discovered: never deregistered by the function (remove by hand if stale)",
  deregistration_in_progress: "another run claimed them for deregistration less than 2 minutes ago",
  deregistration_due:
    "due: the next complete run deregisters it (unless that would empty the group or exceed MAX_DEREGISTRATIONS_PER_RUN)",
  claim_expired:
    "a run claimed it for deregistration over 2 minutes ago and did not finish: the next run takes the claim over",
  owned_not_registered:
    "owned but not registered on the port: the next run registers it again if discovery sees it",
  draining: "draining after a deregistration",
  target_group_type_assumed_ipv4: "the target group's type could not be read: treated as ipv4",
  state_conflict: "another run changed the state meanwhile",
};

/** A health reason in words, or the reason itself when unknown. */
export function explainHealth(reason: string | undefined, description?: string): string {
  if (reason === undefined) return description ?? "";
  return HEALTH_REASONS[reason] ?? description ?? reason;
}
