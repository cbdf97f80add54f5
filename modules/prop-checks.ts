/**
 * The synth-time check of the literal props (`propProblems`): every problem at once, each with the prop, the
 * value and what is expected. Token props (every prop of the generated module) are checked by Terraform instead:
 * variable validations (inputs/) and plan-time preconditions (the resource files).
 */
import {
  ALB_ARN_PATTERN,
  ROLE_ARN_PATTERN as ALB_ROLE_ARN_PATTERN,
  CONFIG_DEFAULTS,
  MAX_TARGET_GROUPS,
  TARGET_GROUP_ARN_PATTERN,
  VPC_ID_PATTERN,
} from "../lambda/config/index.js";
import { minimumFunctionTimeoutSeconds } from "../lambda/timing.js";
import { isToken } from "./expr.js";
import { DEFAULTS, LOG_RETENTION_DAYS } from "./inputs/defaults.js";
import {
  ALB_DNS_NAME_PATTERN,
  ALB_ROLE_EXTERNAL_ID_PATTERN,
  BUCKET_NAME_PATTERN,
  LISTENER_KEY_PATTERN,
  LOG_GROUP_NAME_PATTERN,
  NAME_PATTERN,
  NLB_ARN_PATTERN,
  POLICY_ARN_PATTERN,
  ROLE_ARN_PATTERN,
  ROLE_PATH_PATTERN,
  RUNTIME_PATTERN,
  SCHEDULE_PATTERN,
} from "./inputs/patterns.js";
import type { AlbStaticIpProps, DiscoveryProps } from "./props.js";

/**
 * Lists what is wrong with the literal (non-token) props: every problem at once, each with the prop, the
 * value and what is expected. Token values are checked by Terraform (variable validations, preconditions).
 */
export function propProblems(props: AlbStaticIpProps): string[] {
  const problems: string[] = [];
  const literal = (v: unknown): boolean => v !== undefined && !isToken(v);
  const check = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };
  const p = props;
  if (literal(p.name))
    check(
      NAME_PATTERN.test(p.name ?? ""),
      `name ${JSON.stringify(p.name)}: use 1-32 lower-case letters, digits or hyphens`,
    );
  if (literal(p.albDnsName))
    check(
      ALB_DNS_NAME_PATTERN.test(p.albDnsName),
      `albDnsName ${JSON.stringify(p.albDnsName)}: expected the ALB's DNS name, e.g. internal-my-alb-123.us-east-1.elb.amazonaws.com`,
    );
  if (p.albListenerPort === undefined && p.listeners === undefined)
    check(false, "albListenerPort or listeners is required: the ALB listener port(s) to keep in sync");
  if (p.albListenerPort !== undefined && p.listeners !== undefined && !isToken(p.listeners))
    check(
      false,
      "pass albListenerPort or listeners, not both (the shorthand is the listeners entry `default`)",
    );
  for (const [key, l] of Object.entries(
    p.listeners !== undefined && !isToken(p.listeners) ? p.listeners : {},
  )) {
    check(
      LISTENER_KEY_PATTERN.test(key),
      `listeners key ${JSON.stringify(key)}: use 1-16 lower-case letters, digits or hyphens (it names the resources)`,
    );
    check(
      Number.isInteger(l.port) && l.port >= 1 && l.port <= 65535,
      `listeners.${key}.port ${l.port}: expected a whole number from 1 to 65535`,
    );
    if (l.targetGroupArn !== undefined)
      check(
        TARGET_GROUP_ARN_PATTERN.test(l.targetGroupArn),
        `listeners.${key}.targetGroupArn ${JSON.stringify(l.targetGroupArn)}: expected a target group ARN`,
      );
  }
  if (p.listeners !== undefined && !isToken(p.listeners))
    check(
      Object.keys(p.listeners).length >= 1 && Object.keys(p.listeners).length <= MAX_TARGET_GROUPS,
      `listeners: expected 1 to ${MAX_TARGET_GROUPS} entries (TARGET_GROUPS)`,
    );
  if (literal(p.albListenerPort))
    check(
      Number.isInteger(p.albListenerPort) &&
        (p.albListenerPort ?? 0) >= 1 &&
        (p.albListenerPort ?? 0) <= 65535,
      `albListenerPort ${p.albListenerPort}: expected a whole number from 1 to 65535`,
    );
  if (literal(p.targetGroupArn))
    check(
      TARGET_GROUP_ARN_PATTERN.test(p.targetGroupArn ?? ""),
      `targetGroupArn ${JSON.stringify(p.targetGroupArn)}: expected arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>`,
    );
  if (literal(p.nlbArn))
    check(
      NLB_ARN_PATTERN.test(p.nlbArn ?? ""),
      `nlbArn ${JSON.stringify(p.nlbArn)}: expected a Network Load Balancer ARN (…:loadbalancer/net/<name>/<id>)`,
    );
  if (literal(p.stateBucketName))
    check(
      BUCKET_NAME_PATTERN.test(p.stateBucketName ?? ""),
      `stateBucketName ${JSON.stringify(p.stateBucketName)}: expected a valid S3 bucket name`,
    );
  if (literal(p.runtime))
    check(
      RUNTIME_PATTERN.test(p.runtime ?? ""),
      `runtime ${JSON.stringify(p.runtime)}: expected nodejs24.x or later`,
    );
  if (literal(p.scheduleExpression))
    check(
      SCHEDULE_PATTERN.test(p.scheduleExpression ?? ""),
      `scheduleExpression ${JSON.stringify(p.scheduleExpression)}: expected rate(N unit) or cron(...)`,
    );
  if (literal(p.logRetentionInDays))
    check(
      (LOG_RETENTION_DAYS as readonly number[]).includes(p.logRetentionInDays ?? -1),
      `logRetentionInDays ${p.logRetentionInDays}: expected one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  if (literal(p.metricNamespace))
    check(
      !/^aws\//i.test(p.metricNamespace ?? ""),
      `metricNamespace ${JSON.stringify(p.metricNamespace)}: namespaces starting with AWS/ are reserved by CloudWatch`,
    );
  if (literal(p.timeout) && literal(p.memorySize)) {
    check((p.timeout ?? 0) >= 3 && (p.timeout ?? 0) <= 900, `timeout ${p.timeout}: expected 3-900 seconds`);
  }
  const timeout = p.timeout ?? DEFAULTS.timeout;
  const maxAttempts = p.awsMaxAttempts ?? DEFAULTS.awsMaxAttempts;
  const requestTimeoutMs = p.awsRequestTimeoutMs ?? DEFAULTS.awsRequestTimeoutMs;
  if (!isToken(timeout) && !isToken(maxAttempts) && !isToken(requestTimeoutMs)) {
    // The module checks the same at plan time (function.ts); the function refuses to act with less.
    const minimum = minimumFunctionTimeoutSeconds({ maxAttempts, requestTimeoutMs });
    check(
      timeout >= minimum,
      `timeout ${timeout}: a run needs at least ${minimum} s to make a change and record it with awsMaxAttempts ${maxAttempts} and awsRequestTimeoutMs ${requestTimeoutMs} (docs/operations.md, Operations notes, "Function timeout"); raise timeout, or lower awsRequestTimeoutMs or awsMaxAttempts`,
    );
  }
  if (p.create === false)
    check(
      false,
      "create is false: to create nothing in a CDKTF app, leave AlbStaticIp out (create is the Terraform module's master switch)",
    );
  if (literal(p.roleArn))
    check(
      ROLE_ARN_PATTERN.test(p.roleArn ?? ""),
      `roleArn ${JSON.stringify(p.roleArn)}: expected an IAM role ARN, e.g. arn:aws:iam::123456789012:role/my-role`,
    );
  if (literal(p.rolePermissionsBoundary))
    check(
      POLICY_ARN_PATTERN.test(p.rolePermissionsBoundary ?? ""),
      `rolePermissionsBoundary ${JSON.stringify(p.rolePermissionsBoundary)}: expected an IAM policy ARN, e.g. arn:aws:iam::123456789012:policy/boundary`,
    );
  if (literal(p.rolePath))
    check(
      ROLE_PATH_PATTERN.test(p.rolePath ?? ""),
      `rolePath ${JSON.stringify(p.rolePath)}: expected / or a path such as /service-roles/`,
    );
  if (literal(p.tracingMode))
    check(
      p.tracingMode === "Active" || p.tracingMode === "PassThrough",
      `tracingMode ${JSON.stringify(p.tracingMode)}: expected Active or PassThrough`,
    );
  if (literal(p.logGroupName))
    check(
      LOG_GROUP_NAME_PATTERN.test(p.logGroupName ?? ""),
      `logGroupName ${JSON.stringify(p.logGroupName)}: expected a log group name of 1-512 characters [A-Za-z0-9_/.#-]`,
    );
  const createRole = p.createRole ?? DEFAULTS.createRole;
  if (createRole === false)
    check(p.roleArn !== undefined, "createRole is false: pass roleArn, the existing role for the function");
  if (createRole === true && literal(p.roleArn))
    check(false, "roleArn is set but createRole is true, so it would be ignored: pass createRole: false");
  const createLogGroup = p.createLogGroup ?? DEFAULTS.createLogGroup;
  if (createLogGroup === false)
    check(
      p.logGroupName !== undefined,
      "createLogGroup is false: pass logGroupName, the existing log group for the function",
    );
  const createTg = p.createTargetGroup ?? DEFAULTS.createTargetGroup;
  if (createTg === false)
    check(
      p.targetGroupArn !== undefined,
      "createTargetGroup is false: pass targetGroupArn, the existing target group to keep in sync",
    );
  if (createTg === true && p.targetGroupArn !== undefined && !isToken(p.targetGroupArn))
    check(
      false,
      "targetGroupArn is set but createTargetGroup is true, so it would be ignored: pass createTargetGroup: false to keep that target group in sync",
    );
  if (createTg === true)
    check(
      p.vpcId !== undefined,
      "vpcId is required to create the target group (or pass createTargetGroup: false and targetGroupArn)",
    );
  const createListener = p.createListener ?? p.nlbArn !== undefined;
  if (createListener === true)
    check(p.nlbArn !== undefined, "createListener is true: pass nlbArn, the NLB to add the TCP listener to");
  const createBucket = p.createStateBucket ?? DEFAULTS.createStateBucket;
  if (createBucket === false)
    check(
      p.stateBucketName !== undefined,
      "createStateBucket is false: pass stateBucketName, the existing bucket for the state",
    );
  problems.push(...discoveryPropProblems(p));
  return problems;
}

/** Problems of literal props (synth time), each with the prop, the value and what is expected. */
function discoveryPropProblems(
  props: DiscoveryProps & { discoveryMode?: string; albArn?: string },
): string[] {
  const problems: string[] = [];
  const literal = (v: unknown): v is string => typeof v === "string" && !isToken(v);
  const mode = props.discoveryMode ?? CONFIG_DEFAULTS.DISCOVERY_MODE;
  if (literal(mode) && !["dns", "eni"].includes(mode.toLowerCase())) {
    problems.push(`discoveryMode ${JSON.stringify(mode)}: expected "dns" or "eni"`);
  }
  const eni = literal(mode) && mode.toLowerCase() === "eni";
  if (eni && props.albArn === undefined) {
    problems.push('discoveryMode is "eni": pass albArn, the ALB whose network interfaces the function lists');
  }
  if (literal(props.albArn) && !ALB_ARN_PATTERN.test(props.albArn)) {
    problems.push(
      `albArn ${JSON.stringify(props.albArn)}: expected arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>`,
    );
  }
  if (literal(props.albVpcId) && !VPC_ID_PATTERN.test(props.albVpcId)) {
    problems.push(
      `albVpcId ${JSON.stringify(props.albVpcId)}: expected a VPC id, vpc- and 8 or 17 hex digits`,
    );
  }
  if (literal(props.albRoleArn) && !ALB_ROLE_ARN_PATTERN.test(props.albRoleArn)) {
    problems.push(
      `albRoleArn ${JSON.stringify(props.albRoleArn)}: expected arn:<partition>:iam::<account>:role/<name>`,
    );
  }
  if (literal(props.albRoleExternalId) && !ALB_ROLE_EXTERNAL_ID_PATTERN.test(props.albRoleExternalId)) {
    problems.push("albRoleExternalId: expected 2-1224 characters of letters, digits and _+=,.@:/-");
  }
  if (literal(mode) && !eni) {
    if (props.albVpcId !== undefined) problems.push('albVpcId is only used with discoveryMode "eni"');
    if (props.albRoleArn !== undefined) problems.push('albRoleArn is only used with discoveryMode "eni"');
  }
  if (props.albRoleExternalId !== undefined && props.albRoleArn === undefined) {
    problems.push("albRoleExternalId is only used with albRoleArn; pass that too");
  }
  if (props.eventDriven === true && props.albArn === undefined) {
    problems.push("eventDriven is true: pass albArn, so the event rule can match this ALB's interfaces");
  }
  if (props.eventDriven === true && literal(mode) && !eni) {
    problems.push(
      `eventDriven is true with discoveryMode ${JSON.stringify(mode)}: a DNS run cannot see a new interface yet, and every ELB interface deletion in the region would cost a run; use discoveryMode "eni", or leave eventDriven unset`,
    );
  }
  return problems;
}
