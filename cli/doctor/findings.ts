/**
 * Doctor's findings: a stable snake_case `code`, a `severity`, and a `message` that says what is wrong, the
 * evidence (ids, values) and how to fix it. {@link FINDING_CODES} is the catalogue (README, "Operate it"; docs/operations.md).
 */
import { credentialFailure } from "../aws/clients.js";
import { ReadOnlyViolationError } from "../aws/read-only.js";

export type Severity = "error" | "warning" | "info";

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  /** The resource the finding is about (an ARN, id or `<port>=targetgroup/…` label), when there is one. */
  resource?: string | undefined;
}

/** Every code doctor reports, with its severity and what it means. */
export const FINDING_CODES: Readonly<Record<string, { severity: Severity; meaning: string }>> = {
  nlb_missing_alb_az: {
    severity: "error",
    meaning:
      "an availability zone of the ALB is not enabled on the NLB and cross-zone load balancing is off: its targets are unused",
  },
  alb_security_group_blocks_nlb: {
    severity: "error",
    meaning: "the ALB's security groups do not admit the NLB's nodes on the listener or health-check port",
  },
  alb_listener_missing: { severity: "error", meaning: "the ALB has no listener on the configured port" },
  nlb_listener_missing: { severity: "error", meaning: "no listener of an NLB forwards to the target group" },
  config_invalid: {
    severity: "error",
    meaning: "the function's variables fail validation (the message lists each)",
  },
  alb_not_found: {
    severity: "error",
    meaning: "no ALB of the account and region has ALB_DNS_NAME (or ALB_ARN)",
  },
  target_group_missing: { severity: "error", meaning: "a configured target group does not exist" },
  target_group_not_ip: { severity: "error", meaning: "the target group's target type is not ip" },
  target_group_protocol: { severity: "error", meaning: "the target group's protocol is not TCP or TLS" },
  alb_not_dualstack: {
    severity: "error",
    meaning: "an ipv6 target group follows an ALB that is not dualstack",
  },
  health_check_port_closed: {
    severity: "error",
    meaning: "the health check's port is not a listener port of the ALB",
  },
  health_check_through_rules: {
    severity: "warning",
    meaning: "an HTTP(S) health check runs through the ALB's listener rules",
  },
  health_check_slow: { severity: "info", meaning: "health checks take long to notice a dead IP" },
  alb_idle_timeout_exceeds_nlb: {
    severity: "warning",
    meaning: "the ALB's idle timeout is at or above the NLB's 350 s TCP idle timeout",
  },
  targets_unhealthy: {
    severity: "warning",
    meaning: "targets the NLB reports not healthy, with each reason code explained",
  },
  alb_ips_not_registered: {
    severity: "warning",
    meaning: "ALB IPs not registered in the target group (the next run registers them)",
  },
  targets_not_alb_ips: {
    severity: "warning",
    meaning: "registered targets that are not the ALB's current IPs",
  },
  function_schedule_missing: { severity: "error", meaning: "no EventBridge rule invokes the function" },
  function_schedule_disabled: { severity: "error", meaning: "the function's schedule rule is disabled" },
  function_recent_errors: { severity: "warning", meaning: "the function failed in the last hour" },
  function_no_route_out: {
    severity: "error",
    meaning: "the function is in a VPC whose subnets have no route out (DNS mode asks public name servers)",
  },
  role_permission_missing: {
    severity: "error",
    meaning: "the function's role may not make a call the function needs (IAM policy simulation)",
  },
  state_bucket_missing: { severity: "error", meaning: "S3_BUCKET does not exist" },
  state_unusable: { severity: "warning", meaning: "a state object is corrupt, foreign or of a newer schema" },
  function_not_checked: {
    severity: "info",
    meaning: "the deployed function was not checked (no --function-name)",
  },
  check_skipped: {
    severity: "info",
    meaning:
      "a check could not run (access denied, an API the account or emulator lacks); the message says what was not seen",
  },
};

/** A finding of a catalogued code. */
export function finding(
  code: keyof typeof FINDING_CODES & string,
  message: string,
  resource?: string,
): Finding {
  const known = FINDING_CODES[code];
  return {
    code,
    severity: known?.severity ?? "info",
    message,
    ...(resource === undefined ? {} : { resource }),
  };
}

/**
 * Runs one check; a failure that is not the CLI's own (access denied, an unsupported API, a throttle) becomes
 * an info finding that names what could not be seen. Credential failures and read-only violations propagate.
 *
 * @example
 * findings.push(...(await runCheck("the NLB's listeners", () => checkListeners(ctx))));
 */
export async function runCheck(what: string, check: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await check();
  } catch (error) {
    if (credentialFailure(error) !== undefined || error instanceof ReadOnlyViolationError) throw error;
    const name = (error as { Code?: string }).Code ?? (error as Error).name ?? "Error";
    return [
      finding(
        "check_skipped",
        `Could not check ${what}: ${name}: ${(error as Error).message}. Nothing about it is known; grant the caller read access (or run where the API exists) to see it.`,
      ),
    ];
  }
}
