/**
 * The props of AlbStaticIp, the settings that are not props (FIXED), and the synth-time check of the
 * literal props (`propProblems`). Token props are checked by Terraform instead (variable validations and
 * preconditions, see inputs.ts).
 */
import { fileURLToPath } from "node:url";
import type { IResolvable } from "cdktf";
import { MAX_TARGET_GROUPS, TARGET_GROUP_ARN_PATTERN } from "../lambda/config.js";
import { type DiscoveryProps, discoveryPropProblems } from "./discovery.js";
import { isToken, type Toggle } from "./expr.js";
import {
  ALB_DNS_NAME_PATTERN,
  BUCKET_NAME_PATTERN,
  DEFAULTS,
  LISTENER_KEY_PATTERN,
  LOG_GROUP_NAME_PATTERN,
  LOG_RETENTION_DAYS,
  NAME_PATTERN,
  NLB_ARN_PATTERN,
  POLICY_ARN_PATTERN,
  ROLE_ARN_PATTERN,
  ROLE_PATH_PATTERN,
  RUNTIME_PATTERN,
  SCHEDULE_PATTERN,
} from "./inputs.js";
import type { ListenerProps } from "./listeners.js";

/** The deployment package: a zip path Terraform can read at plan time and its base64 SHA-256. */
export interface LambdaCode {
  readonly filename: string;
  readonly sourceCodeHash: string;
}

/** The health check protocol of the created target group. */
export type HealthCheckProtocol = "TCP" | "HTTP" | "HTTPS";

export interface AlbStaticIpProps extends DiscoveryProps {
  /** DNS name of the internal ALB (ALB_DNS_NAME), e.g. `internal-my-alb-123.us-east-1.elb.amazonaws.com`. */
  readonly albDnsName: string;
  /**
   * ALB listener port (ALB_LISTENER): target port in the target group and port of the NLB listener. The
   * one-listener shorthand; required unless `listeners` is given.
   */
  readonly albListenerPort?: number;
  /**
   * Several listeners (TARGET_GROUPS), keyed by a short name: one target group (created or given) and an
   * optional NLB listener each. Instead of `albListenerPort`; the key `default` is the shorthand's entry.
   */
  readonly listeners?: Record<string, ListenerProps>;
  /** VPC of the NLB; required when the target group is created. */
  readonly vpcId?: string;
  /** Name of the function, role, log group, rule, alarms, created target group and bucket prefix. Default `alb-static-ip`. */
  readonly name?: string;
  /**
   * The master switch of the Terraform module (`create`, default true): false creates nothing, as in
   * terraform-aws-modules. In a CDKTF app, leave AlbStaticIp out instead; a literal false is rejected.
   */
  readonly create?: Toggle;

  /** Create the IP-type TCP target group (default true); false uses `targetGroupArn`. */
  readonly createTargetGroup?: Toggle;
  /** An existing IP-type target group (when `createTargetGroup` is false). */
  readonly targetGroupArn?: string;
  /** Health check of the created target group (default TCP: a connect to each ALB IP, no listener rules involved). */
  readonly healthCheckProtocol?: HealthCheckProtocol;
  /** Path of HTTP/HTTPS health checks (default `/`). */
  readonly healthCheckPath?: string;
  /** Draining time of a deregistered ALB IP in the created target group (default 300 s). */
  readonly deregistrationDelaySeconds?: number;

  /** Create the NLB TCP listener forwarding to the target group (default: true when `nlbArn` is given). */
  readonly createListener?: Toggle;
  /** The existing NLB to add the listener to. */
  readonly nlbArn?: string;

  /** Create the hardened state bucket (default true); false uses the existing `stateBucketName`. */
  readonly createStateBucket?: Toggle;
  /** Name of the created bucket (default: generated with prefix `<name>-`) or of the existing bucket. */
  readonly stateBucketName?: string;
  /** KMS key for SSE-KMS on the created bucket (default: SSE-S3, AES256); the role gets Decrypt/GenerateDataKey on it. */
  readonly stateBucketKmsKeyArn?: string;
  /** Let `terraform destroy` delete a non-empty created bucket (default false). */
  readonly stateBucketForceDestroy?: boolean | IResolvable;
  /** Days a replaced state version is kept (default 30). */
  readonly stateNoncurrentVersionExpirationDays?: number;

  /** Lambda runtime (default `nodejs24.x`). */
  readonly runtime?: string;
  /** Memory in MB (default 256). */
  readonly memorySize?: number;
  /**
   * Reserved concurrency (default 1: runs never overlap). `null` leaves the function unreserved, for accounts
   * whose concurrency quota is too small to reserve any; the state object's conditional writes (If-Match)
   * then keep overlapping runs from overwriting each other.
   */
  readonly reservedConcurrentExecutions?: number | null;
  /** Timeout in seconds (default 50: below the 1-minute schedule; a run normally takes under 2 s). */
  readonly timeout?: number;
  /** Schedule (default `rate(1 minute)`). */
  readonly scheduleExpression?: string;
  /** Log retention in days (default 30). */
  readonly logRetentionInDays?: number;
  /** KMS key for the log group (default: service-managed encryption). */
  readonly logGroupKmsKeyArn?: string;
  /** The deployment package (default: `dist/lambda` zipped as a CDKTF asset; run `npm run build` first). */
  readonly lambdaCode?: LambdaCode;

  /** MAX_LOOKUP_PER_INVOCATION (default 500). */
  readonly maxLookupPerInvocation?: number;
  /** INVOCATIONS_BEFORE_DEREGISTRATION (default 3). */
  readonly invocationsBeforeDeregistration?: number;
  /** HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION (default 15): the bound while the NLB still reports an IP healthy. */
  readonly healthyInvocationsBeforeDeregistration?: number;
  /** CW_METRIC_FLAG_IP_COUNT (default true). */
  readonly publishIpCountMetric?: boolean | IResolvable;
  /** SAME_VPC (default true). */
  readonly sameVpc?: boolean | IResolvable;
  /** STATE_KEY_PREFIX (default `alb-static-ip/`). */
  readonly stateKeyPrefix?: string;
  /** DNS_SERVERS (default: none, the ALB zone's authoritative servers). */
  readonly dnsServers?: string[];
  /** DNS_TIMEOUT_MS (default 1000). */
  readonly dnsTimeoutMs?: number;
  /** DNS_CONCURRENCY (default 16). */
  readonly dnsConcurrency?: number;
  /** MISS_PROBABILITY (default 1e-6). */
  readonly missProbability?: number;
  /** MAX_DEREGISTRATIONS_PER_RUN (default 10). */
  readonly maxDeregistrationsPerRun?: number;
  /** DRY_RUN (default false). */
  readonly dryRun?: boolean | IResolvable;
  /** METRIC_NAMESPACE (default `ALBStaticIP`). */
  readonly metricNamespace?: string;
  /** LOG_LEVEL (default INFO). */
  readonly logLevel?: string;
  /** DISCOVERY_MODE (default dns): `dns`, or `eni` (needs `albArn`; see discovery.ts). */
  readonly discoveryMode?: string;
  /** AWS_MAX_ATTEMPTS (default 3): attempts per AWS call. */
  readonly awsMaxAttempts?: number;
  /** AWS_REQUEST_TIMEOUT_MS (default 5000): per-attempt timeout of an AWS call. */
  readonly awsRequestTimeoutMs?: number;

  /**
   * ARN of the ALB: its subnets' CIDR blocks become ALLOWED_TARGET_CIDRS (unless `allowedTargetCidrs` is set); also
   * ALB_ARN, which ENI discovery and the interface events need.
   */
  readonly albArn?: string;
  /** Name of the ALB, instead of `albArn`. */
  readonly albName?: string;
  /** ALLOWED_TARGET_CIDRS (default: the ALB's subnets, else the target group VPC's blocks). */
  readonly allowedTargetCidrs?: string[];
  /** ALLOW_ANY_TARGET_CIDR (default false): explicit opt-out of the bound (SECURITY.md). */
  readonly allowAnyTargetCidr?: boolean | IResolvable;

  /** Create the function's role (default true); false uses `roleArn`, which must grant what SECURITY.md lists. */
  readonly createRole?: Toggle;
  /** An existing role for the function (when `createRole` is false). */
  readonly roleArn?: string;
  /** Path of the created role (default `/`). */
  readonly rolePath?: string;
  /** ARN of the permissions boundary of the created role (default none). */
  readonly rolePermissionsBoundary?: string;

  /** Create the log group (default true); false uses the existing `logGroupName`. */
  readonly createLogGroup?: Toggle;
  /** An existing log group for the function's logs (when `createLogGroup` is false). */
  readonly logGroupName?: string;
  /** KMS key that encrypts the function's environment variables at rest (default: the Lambda service key). */
  readonly kmsKeyArn?: string;
  /** X-Ray tracing mode of the function, `PassThrough` (default, Lambda's own) or `Active` (adds the X-Ray write actions). */
  readonly tracingMode?: string;

  /** Alarm on LoadBalancerIPCount < 1 for 3 minutes (default true; only with `publishIpCountMetric` and without `dryRun`). */
  readonly createIpCountAlarm?: Toggle;
  /** Create the CloudWatch dashboard of the sync (default true). */
  readonly createDashboard?: Toggle;
  /** Alarm and OK actions, e.g. SNS topic ARNs (default none). */
  readonly alarmActions?: string[];
  /** Tags for every taggable resource. */
  readonly tags?: Record<string, string>;
  /** Extra tags of the target group (merged over `tags`). */
  readonly targetGroupTags?: Record<string, string>;
  /** Extra tags of the NLB listener. */
  readonly listenerTags?: Record<string, string>;
  /** Extra tags of the state bucket. */
  readonly stateBucketTags?: Record<string, string>;
  /** Extra tags of the role. */
  readonly roleTags?: Record<string, string>;
  /** Extra tags of the log group. */
  readonly logGroupTags?: Record<string, string>;
  /** Extra tags of the function. */
  readonly functionTags?: Record<string, string>;
  /** Extra tags of the schedule rule. */
  readonly scheduleTags?: Record<string, string>;
  /** Extra tags of the alarms. */
  readonly alarmTags?: Record<string, string>;

  /**
   * Give the resources the short, fixed names of a hand-kept module (`aws_lambda_function.this`).
   * Used by the module build; with it, only one AlbStaticIp fits in a stack.
   */
  readonly moduleNames?: boolean;
}

/** Where `npm run build` puts the bundle. */
export const DEFAULT_LAMBDA_DIR = fileURLToPath(new URL("../dist/lambda/", import.meta.url));

/** Settings that are not props: they follow from the design. */
export const FIXED = Object.freeze({
  handler: "index.handler",
  architecture: "arm64",
  maximumRetryAttempts: 0,
  maximumEventAgeInSeconds: 60,
  healthCheckIntervalSeconds: 10,
  healthCheckThreshold: 3,
} as const);

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
