/**
 * The inputs of AlbStaticIp, once: their defaults (shared by the construct and the Terraform module) and,
 * for the module build, the Terraform variable of each prop (name, type, description, default and the
 * `validation` blocks that reject at plan time what the Lambda would reject at cold start).
 * The mapped type makes the compiler insist that every prop has a variable.
 */
import {
  BUCKET_IP_FORM,
  BUCKET_NAME_SHAPE,
  BUCKET_PREFIXES,
  BUCKET_SUFFIXES,
  CONFIG_DEFAULTS,
  CONFIG_RANGES,
  DNS_SERVER_ENTRY_PATTERN,
  PARTITION_REGION_PREFIXES,
  PARTITIONS,
  STATE_KEY_PREFIX_BAD_SEGMENT,
  TARGET_GROUP_ARN_PATTERN,
} from "../lambda/config.js";
import type { AlbStaticIpProps } from "./alb-static-ip.js";
import { DISCOVERY_INPUTS } from "./discovery.js";

/** Defaults of the optional props (and of the module variables). */
export const DEFAULTS = Object.freeze({
  name: "alb-static-ip",
  createTargetGroup: true,
  healthCheckProtocol: "TCP",
  healthCheckPath: "/",
  deregistrationDelaySeconds: 300,
  createStateBucket: true,
  stateBucketForceDestroy: false,
  stateNoncurrentVersionExpirationDays: 30,
  runtime: "nodejs24.x",
  memorySize: 256,
  reservedConcurrentExecutions: 1,
  timeout: 50,
  scheduleExpression: "rate(1 minute)",
  logRetentionInDays: 30,
  maxLookupPerInvocation: CONFIG_DEFAULTS.MAX_LOOKUP_PER_INVOCATION,
  invocationsBeforeDeregistration: CONFIG_DEFAULTS.INVOCATIONS_BEFORE_DEREGISTRATION,
  healthyInvocationsBeforeDeregistration: CONFIG_DEFAULTS.HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION,
  publishIpCountMetric: CONFIG_DEFAULTS.CW_METRIC_FLAG_IP_COUNT,
  sameVpc: CONFIG_DEFAULTS.SAME_VPC,
  stateKeyPrefix: CONFIG_DEFAULTS.STATE_KEY_PREFIX,
  dnsTimeoutMs: CONFIG_DEFAULTS.DNS_TIMEOUT_MS,
  dnsConcurrency: CONFIG_DEFAULTS.DNS_CONCURRENCY,
  missProbability: CONFIG_DEFAULTS.MISS_PROBABILITY,
  maxDeregistrationsPerRun: CONFIG_DEFAULTS.MAX_DEREGISTRATIONS_PER_RUN,
  dryRun: CONFIG_DEFAULTS.DRY_RUN,
  metricNamespace: CONFIG_DEFAULTS.METRIC_NAMESPACE,
  logLevel: CONFIG_DEFAULTS.LOG_LEVEL,
  discoveryMode: CONFIG_DEFAULTS.DISCOVERY_MODE,
  awsMaxAttempts: CONFIG_DEFAULTS.AWS_MAX_ATTEMPTS,
  awsRequestTimeoutMs: CONFIG_DEFAULTS.AWS_REQUEST_TIMEOUT_MS,
  createIpCountAlarm: true,
  createDashboard: true,
} as const);

/** CloudWatch Logs accepts only these retention periods (0 = never expire). */
export const LOG_RETENTION_DAYS = Object.freeze([
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const);

/** Allowed `name`: lower-case letters, digits and hyphens, 1–32 characters (target group and bucket rules). */
export const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** Shape of an ALB DNS name (the Lambda checks it again, more strictly). */
export const ALB_DNS_NAME_PATTERN = /^[A-Za-z0-9.-]+\.elb\.[a-z0-9.-]+\.?$/;
/** Shape of an NLB ARN. */
export const NLB_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer\\/net\\/[A-Za-z0-9-]{1,32}\\/[0-9a-f]{16}$`,
);
/** Shape of an ALB ARN. */
export const ALB_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer\\/app\\/[A-Za-z0-9-]{1,32}\\/[0-9a-f]{16}$`,
);
/** Shape of a VPC id. */
export const VPC_ID_PATTERN = /^vpc-[0-9a-f]{8,17}$/;
/** Shape of a KMS key ARN. */
export const KMS_KEY_ARN_PATTERN = /^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key\/[A-Za-z0-9-]+$/;
/** Shape of S3 bucket names (general purpose buckets); the finer rules are in `bucketNameValidation`. */
export const BUCKET_NAME_PATTERN = BUCKET_NAME_SHAPE;
/** STATE_KEY_PREFIX: safe key characters, ending with `/`, or empty. */
export const STATE_KEY_PREFIX_PATTERN = /^$|^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,510}\/$/;
/** Runtimes the bundle (esbuild target node24) runs on. */
export const RUNTIME_PATTERN = /^nodejs(2[4-9]|[3-9][0-9])\.x$/;
/**
 * Schedules the alarms can be derived from: `rate(1 minute)`, `rate(5 minutes)`, … up to one day, with the
 * unit singular exactly for 1 (as EventBridge requires). No cron: its interval is not known to the alarms.
 */
export const SCHEDULE_PATTERN =
  /^rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]{1,3}) minutes|([2-9]|1[0-9]|2[0-4]) hours)\)$/;

/** Seconds between runs of a schedule that matches SCHEDULE_PATTERN. */
export function scheduleSeconds(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!match) throw new Error(`${JSON.stringify(expression)} is not rate(N unit)`);
  return Number(match[1]) * { minute: 60, hour: 3600, day: 86400 }[match[2] as "minute" | "hour" | "day"];
}

/** The same as an HCL expression on `var.<variable>`. */
export function scheduleSecondsHcl(variable: string): string {
  return `tonumber(regex("^rate\\\\(([0-9]+) ", var.${variable})[0]) * lookup({ minute = 60, hour = 3600, day = 86400 }, trimsuffix(regex(" ([a-z]+)\\\\)$", var.${variable})[0], "s"), 60)`;
}

/** HCL: the partition of the region in expression `region`, by PARTITION_REGION_PREFIXES (as the function decides). */
function partitionOfRegionHcl(region: string): string {
  return PARTITION_REGION_PREFIXES.reduceRight(
    (rest, [partition, prefix]) =>
      `(startswith(${region}, ${hclString(prefix)}) ? ${hclString(partition)} : ${rest})`,
    hclString("aws"),
  );
}

/** A validation: the ARN's partition is the one of its region. */
function partitionMatchesRegion(variable: string): { condition: string; errorMessage: string } {
  const field = (i: number) => `split(":", var.${variable})[${i}]`;
  return {
    condition: `var.${variable} == null || try(${field(1)} == ${partitionOfRegionHcl(field(3))}, false)`,
    errorMessage: `${variable}: the partition (2nd field) must be the one of the region (4th field), e.g. aws-cn for cn-north-1.`,
  };
}

/** The S3 rules beyond the shape, shared with the function (lambda/config.ts). */
function bucketNameValidation(variable: string): { condition: string; errorMessage: string }[] {
  const v = `var.${variable}`;
  const list = (xs: readonly string[]) => `[${xs.map(hclString).join(", ")}]`;
  return [
    {
      // Terraform's || does not short-circuit: a conditional keeps null away from strcontains.
      condition: `${v} == null ? true : (!strcontains(${v}, "..") && !can(regex(${hclString(BUCKET_IP_FORM.source)}, ${v})))`,
      errorMessage: `${variable} must not contain two adjacent dots or look like an IP address.`,
    },
    {
      condition: `${v} == null ? true : (!anytrue([for p in ${list(BUCKET_PREFIXES)} : startswith(${v}, p)]) && !anytrue([for s in ${list(BUCKET_SUFFIXES)} : endswith(${v}, s)]))`,
      errorMessage: `${variable} must not start with ${BUCKET_PREFIXES.join(", ")} or end with ${BUCKET_SUFFIXES.join(", ")} (reserved by S3).`,
    },
  ];
}

/** Terraform variable type of a prop, which also says how the module build passes the variable in. */
export type InputKind = "string" | "number" | "bool" | "list(string)" | "map(string)";

export interface InputSpec {
  /** The Terraform variable name (snake_case). */
  readonly variable: string;
  readonly kind: InputKind;
  readonly description: string;
  /** `undefined` = required variable; `null` = optional, unset. */
  readonly default:
    | string
    | number
    | boolean
    | null
    | readonly string[]
    | Readonly<Record<string, string>>
    | undefined;
  readonly validation?: readonly { readonly condition: string; readonly errorMessage: string }[];
  /** Accept null although the default is not null (null then means something, e.g. "unreserved"). */
  readonly nullable?: boolean;
}

/** Props that are not module variables: the module build supplies them itself. */
export type InternalProp = "lambdaCode" | "moduleNames";

/** HCL string literal for `value` (for use inside validation expressions). */
export function hclString(value: string): string {
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\$\{/g, "$${")
    .replace(/%\{/g, "%%{");
  return `"${escaped}"`;
}

function matches(variable: string, pattern: RegExp, what: string, nullable = false): InputSpec["validation"] {
  const test = `can(regex(${hclString(pattern.source)}, var.${variable}))`;
  return [
    {
      condition: nullable ? `var.${variable} == null || ${test}` : test,
      errorMessage: `${variable} must be ${what}.`,
    },
  ];
}

function integerIn(variable: string, min: number, max: number, what: string): InputSpec["validation"] {
  return [
    {
      condition: `var.${variable} >= ${min} && var.${variable} <= ${max} && floor(var.${variable}) == var.${variable}`,
      errorMessage: `${variable} must be a whole number from ${min} to ${max} (${what}).`,
    },
  ];
}

function oneOf(variable: string, values: readonly (string | number)[]): InputSpec["validation"] {
  const list = values.map((v) => (typeof v === "string" ? hclString(v) : String(v))).join(", ");
  return [
    {
      condition: `contains([${list}], var.${variable})`,
      errorMessage: `${variable} must be one of ${values.join(", ")}.`,
    },
  ];
}

const R = CONFIG_RANGES;

/** Every prop's Terraform variable, in the order the module's variables.tf lists them. */
export const INPUTS: { readonly [K in Exclude<keyof AlbStaticIpProps, InternalProp>]-?: InputSpec } = {
  name: {
    variable: "name",
    kind: "string",
    description:
      "Name of the function, log group, schedule rule, alarms and (when created) target group, and prefix of the role and bucket names. Unique per region and account (the role name gets a unique suffix, so the same name works in several regions). Changing the port or VPC of the created target group replaces it under the same name: see the README (Operations notes).",
    default: DEFAULTS.name,
    validation: matches(
      "name",
      NAME_PATTERN,
      "1-32 lower-case letters, digits or hyphens, not starting or ending with a hyphen",
    ),
  },
  albDnsName: {
    variable: "alb_dns_name",
    kind: "string",
    description:
      "DNS name of the internal Application Load Balancer, e.g. internal-my-alb-123.us-east-1.elb.amazonaws.com (ALB_DNS_NAME).",
    default: undefined,
    validation: matches(
      "alb_dns_name",
      ALB_DNS_NAME_PATTERN,
      "the ALB's DNS name, e.g. internal-my-alb-123.us-east-1.elb.amazonaws.com",
    ),
  },
  albListenerPort: {
    variable: "alb_listener_port",
    kind: "number",
    description:
      "ALB listener port: the port of the targets in the NLB target group and of the NLB listener (ALB_LISTENER).",
    default: undefined,
    validation: integerIn("alb_listener_port", R.ALB_LISTENER.min, R.ALB_LISTENER.max, "a TCP port"),
  },
  vpcId: {
    variable: "vpc_id",
    kind: "string",
    description: "VPC of the NLB. Required when create_target_group is true.",
    default: null,
    validation: matches("vpc_id", VPC_ID_PATTERN, "a VPC id such as vpc-0123456789abcdef0", true),
  },
  createTargetGroup: {
    variable: "create_target_group",
    kind: "bool",
    description:
      "Create the IP-type TCP target group. Set to false to use an existing one (target_group_arn).",
    default: DEFAULTS.createTargetGroup,
  },
  targetGroupArn: {
    variable: "target_group_arn",
    kind: "string",
    description:
      "ARN of an existing IP-type target group to keep in sync. Required when create_target_group is false.",
    default: null,
    validation: matches(
      "target_group_arn",
      TARGET_GROUP_ARN_PATTERN,
      "a target group ARN, arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex digits>",
      true,
    )?.concat([partitionMatchesRegion("target_group_arn")]),
  },
  healthCheckProtocol: {
    variable: "health_check_protocol",
    kind: "string",
    description:
      "Health check of the created target group: TCP (default; a TCP connect to each ALB IP, independent of listener rules) or HTTP/HTTPS (a request through the ALB's rules).",
    default: DEFAULTS.healthCheckProtocol,
    validation: oneOf("health_check_protocol", ["TCP", "HTTP", "HTTPS"]),
  },
  healthCheckPath: {
    variable: "health_check_path",
    kind: "string",
    description: "Path requested by HTTP/HTTPS health checks; ignored for TCP.",
    default: DEFAULTS.healthCheckPath,
    validation: [
      {
        condition: 'startswith(var.health_check_path, "/")',
        errorMessage: "health_check_path must start with /.",
      },
    ],
  },
  deregistrationDelaySeconds: {
    variable: "deregistration_delay_seconds",
    kind: "number",
    description:
      "Seconds a deregistered ALB IP stays draining in the created target group, so connections to a retiring ALB node can finish (the ALB idle timeout must stay below the NLB's 350 s).",
    default: DEFAULTS.deregistrationDelaySeconds,
    validation: integerIn("deregistration_delay_seconds", 0, 3600, "seconds"),
  },
  createListener: {
    variable: "create_listener",
    kind: "bool",
    description:
      "Create a TCP listener on nlb_arn (port alb_listener_port) that forwards to the target group. null (default): create it exactly when nlb_arn is set, as the CDKTF construct does.",
    default: null,
  },

  nlbArn: {
    variable: "nlb_arn",
    kind: "string",
    description: "ARN of the existing Network Load Balancer. Required when create_listener is true.",
    default: null,
    validation: matches(
      "nlb_arn",
      NLB_ARN_PATTERN,
      "a Network Load Balancer ARN (…:loadbalancer/net/<name>/<id>)",
      true,
    )?.concat([partitionMatchesRegion("nlb_arn")]),
  },
  createStateBucket: {
    variable: "create_state_bucket",
    kind: "bool",
    description:
      "Create the hardened S3 bucket for the function's state. Set to false to use an existing bucket (state_bucket_name).",
    default: DEFAULTS.createStateBucket,
  },
  stateBucketName: {
    variable: "state_bucket_name",
    kind: "string",
    description:
      'Name of the state bucket: the name of the created bucket (null: a unique name starting with "<name>-"), or the existing bucket when create_state_bucket is false.',
    default: null,
    validation: matches(
      "state_bucket_name",
      BUCKET_NAME_PATTERN,
      "a valid S3 bucket name (3-63 lower-case letters, digits, . or -)",
      true,
    )?.concat(bucketNameValidation("state_bucket_name")),
  },
  stateBucketKmsKeyArn: {
    variable: "state_bucket_kms_key_arn",
    kind: "string",
    description:
      "KMS key ARN for the created bucket's default encryption (SSE-KMS with a bucket key) and the role's kms:Decrypt/GenerateDataKey on it. Null: SSE-S3 (AES256).",
    default: null,
    validation: matches("state_bucket_kms_key_arn", KMS_KEY_ARN_PATTERN, "a KMS key ARN", true),
  },
  stateBucketForceDestroy: {
    variable: "state_bucket_force_destroy",
    kind: "bool",
    description:
      "Allow terraform destroy to delete the created bucket with its objects and versions. False (default): once the function has written its state, destroy fails with BucketNotEmpty; apply with true first (or empty the bucket), then destroy.",
    default: DEFAULTS.stateBucketForceDestroy,
  },
  stateNoncurrentVersionExpirationDays: {
    variable: "state_noncurrent_version_expiration_days",
    kind: "number",
    description: "Days a replaced state object version is kept in the created bucket before it expires.",
    default: DEFAULTS.stateNoncurrentVersionExpirationDays,
    validation: integerIn("state_noncurrent_version_expiration_days", 1, 36500, "days"),
  },
  runtime: {
    variable: "runtime",
    kind: "string",
    description: "Lambda runtime; the bundle targets Node.js 24.",
    default: DEFAULTS.runtime,
    validation: matches("runtime", RUNTIME_PATTERN, "nodejs24.x or a later nodejsNN.x runtime"),
  },
  memorySize: {
    variable: "memory_size",
    kind: "number",
    description: "Lambda memory in MB (also scales CPU).",
    default: DEFAULTS.memorySize,
    validation: integerIn("memory_size", 128, 10240, "MB"),
  },
  reservedConcurrentExecutions: {
    variable: "reserved_concurrent_executions",
    kind: "number",
    description:
      "Reserved concurrency of the function. 1 (default) keeps runs from overlapping. null: unreserved, for accounts whose concurrency quota (e.g. 10 in new accounts) leaves nothing to reserve; overlapping runs are then still safe, because every state write is conditional (If-Match / If-None-Match) and a run that loses re-reads and re-plans.",
    default: DEFAULTS.reservedConcurrentExecutions,
    nullable: true,
    validation: [
      {
        condition:
          "var.reserved_concurrent_executions == null || (try(var.reserved_concurrent_executions >= 1, false) && try(floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions, false))",
        errorMessage:
          "reserved_concurrent_executions must be null (unreserved) or a whole number of at least 1.",
      },
    ],
  },
  timeout: {
    variable: "timeout",
    kind: "number",
    description:
      "Lambda timeout in seconds. Keep it below the schedule interval so runs do not overlap; a run normally takes under 2 s.",
    default: DEFAULTS.timeout,
    validation: integerIn("timeout", 3, 900, "seconds"),
  },
  scheduleExpression: {
    variable: "schedule_expression",
    kind: "string",
    description:
      "EventBridge schedule of the function: rate(1 minute), rate(N minutes) or rate(N hours) up to a day. The alarm periods follow it; keep timeout below the interval.",
    default: DEFAULTS.scheduleExpression,
    validation: matches(
      "schedule_expression",
      SCHEDULE_PATTERN,
      "rate(1 minute), rate(N minutes) or rate(N hours) (N >= 2, at most a day; no cron: the alarms need the interval)",
    ),
  },
  logRetentionInDays: {
    variable: "log_retention_in_days",
    kind: "number",
    description: "Retention of the function's log group in days (0 = never expire).",
    default: DEFAULTS.logRetentionInDays,
    validation: oneOf("log_retention_in_days", LOG_RETENTION_DAYS),
  },
  logGroupKmsKeyArn: {
    variable: "log_group_kms_key_arn",
    kind: "string",
    description:
      "KMS key ARN to encrypt the log group with (the key policy must allow CloudWatch Logs). Null: service-managed encryption.",
    default: null,
    validation: matches("log_group_kms_key_arn", KMS_KEY_ARN_PATTERN, "a KMS key ARN", true),
  },
  maxLookupPerInvocation: {
    variable: "max_lookup_per_invocation",
    kind: "number",
    description: "Hard cap on DNS queries per run (MAX_LOOKUP_PER_INVOCATION).",
    default: DEFAULTS.maxLookupPerInvocation,
    validation: integerIn(
      "max_lookup_per_invocation",
      R.MAX_LOOKUP_PER_INVOCATION.min,
      R.MAX_LOOKUP_PER_INVOCATION.max,
      "queries",
    ),
  },
  invocationsBeforeDeregistration: {
    variable: "invocations_before_deregistration",
    kind: "number",
    description:
      "Consecutive complete observations an IP must be missing from before it is deregistered (INVOCATIONS_BEFORE_DEREGISTRATION).",
    default: DEFAULTS.invocationsBeforeDeregistration,
    validation: integerIn(
      "invocations_before_deregistration",
      R.INVOCATIONS_BEFORE_DEREGISTRATION.min,
      R.INVOCATIONS_BEFORE_DEREGISTRATION.max,
      "runs",
    ),
  },
  healthyInvocationsBeforeDeregistration: {
    variable: "healthy_invocations_before_deregistration",
    kind: "number",
    description:
      "Consecutive complete observations an IP must be missing from before it is deregistered while the NLB still reports it healthy (HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION); at least invocations_before_deregistration.",
    default: DEFAULTS.healthyInvocationsBeforeDeregistration,
    validation: integerIn(
      "healthy_invocations_before_deregistration",
      R.HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION.min,
      R.HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION.max,
      "runs",
    ),
  },
  publishIpCountMetric: {
    variable: "publish_ip_count_metric",
    kind: "bool",
    description: "Publish LoadBalancerIPCount and the run metrics to CloudWatch (CW_METRIC_FLAG_IP_COUNT).",
    default: DEFAULTS.publishIpCountMetric,
  },
  sameVpc: {
    variable: "same_vpc",
    kind: "bool",
    description:
      'The ALB is in the NLB\'s VPC (SAME_VPC). False registers targets with AvailabilityZone "all" (peered VPC).',
    default: DEFAULTS.sameVpc,
  },
  stateKeyPrefix: {
    variable: "state_key_prefix",
    kind: "string",
    description:
      "Key prefix of the state object in the bucket (STATE_KEY_PREFIX); the role may read and write only below it.",
    default: DEFAULTS.stateKeyPrefix,
    validation: matches(
      "state_key_prefix",
      STATE_KEY_PREFIX_PATTERN,
      "empty or safe key characters ending with /",
    )?.concat([
      {
        condition: `!can(regex(${hclString(STATE_KEY_PREFIX_BAD_SEGMENT.source)}, var.state_key_prefix))`,
        errorMessage: "state_key_prefix must not have empty, . or .. segments (a//, ./, a/../).",
      },
    ]),
  },
  dnsServers: {
    variable: "dns_servers",
    kind: "list(string)",
    description:
      "DNS servers (host or host:port) to query instead of the ALB zone's authoritative name servers (DNS_SERVERS). Empty: authoritative servers.",
    default: [],
    validation: [
      {
        condition: "length(var.dns_servers) <= 16",
        errorMessage: "dns_servers takes at most 16 entries.",
      },
      {
        condition: `alltrue([for s in var.dns_servers : can(regex(${hclString(DNS_SERVER_ENTRY_PATTERN.source)}, s))])`,
        errorMessage:
          "dns_servers entries must be host[:port] (IPv4 address or host name), [IPv6]:port or an IPv6 address.",
      },
    ],
  },
  dnsTimeoutMs: {
    variable: "dns_timeout_ms",
    kind: "number",
    description: "Timeout of one DNS query in milliseconds (DNS_TIMEOUT_MS).",
    default: DEFAULTS.dnsTimeoutMs,
    validation: integerIn("dns_timeout_ms", R.DNS_TIMEOUT_MS.min, R.DNS_TIMEOUT_MS.max, "milliseconds"),
  },
  dnsConcurrency: {
    variable: "dns_concurrency",
    kind: "number",
    description: "DNS queries in flight (DNS_CONCURRENCY).",
    default: DEFAULTS.dnsConcurrency,
    validation: integerIn("dns_concurrency", R.DNS_CONCURRENCY.min, R.DNS_CONCURRENCY.max, "queries"),
  },
  missProbability: {
    variable: "miss_probability",
    kind: "number",
    description:
      "Discovery stops when the estimated chance that an ALB IP was missed drops below this (MISS_PROBABILITY).",
    default: DEFAULTS.missProbability,
    validation: [
      {
        condition: "var.miss_probability > 0 && var.miss_probability <= 0.5",
        errorMessage: "miss_probability must be greater than 0 and at most 0.5, e.g. 1e-6.",
      },
    ],
  },
  maxDeregistrationsPerRun: {
    variable: "max_deregistrations_per_run",
    kind: "number",
    description: "Cap on targets deregistered in one run (MAX_DEREGISTRATIONS_PER_RUN).",
    default: DEFAULTS.maxDeregistrationsPerRun,
    validation: integerIn(
      "max_deregistrations_per_run",
      R.MAX_DEREGISTRATIONS_PER_RUN.min,
      R.MAX_DEREGISTRATIONS_PER_RUN.max,
      "targets",
    ),
  },
  dryRun: {
    variable: "dry_run",
    kind: "bool",
    description: "Log the planned changes without registering, deregistering or writing state (DRY_RUN).",
    default: DEFAULTS.dryRun,
  },
  metricNamespace: {
    variable: "metric_namespace",
    kind: "string",
    description:
      "CloudWatch namespace of the function's metrics (METRIC_NAMESPACE); the role may publish only to it.",
    default: DEFAULTS.metricNamespace,
    validation: [
      {
        condition: `can(regex(${hclString("^[A-Za-z0-9._/#:-]{1,255}$")}, var.metric_namespace)) && !startswith(lower(var.metric_namespace), "aws/")`,
        errorMessage:
          "metric_namespace must be 1-255 letters, digits or . - _ / # : and must not start with AWS/ (reserved by CloudWatch).",
      },
    ],
  },
  logLevel: {
    variable: "log_level",
    kind: "string",
    description: "Log level of the function (LOG_LEVEL).",
    default: DEFAULTS.logLevel,
    validation: oneOf("log_level", ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]),
  },
  discoveryMode: {
    variable: "discovery_mode",
    kind: "string",
    description:
      'How the function finds the ALB\'s IPs (DISCOVERY_MODE): "dns" samples its DNS name; "eni" lists its network interfaces (exact; needs alb_arn and ec2:DescribeNetworkInterfaces, or alb_role_arn).',
    default: DEFAULTS.discoveryMode,
    validation: oneOf("discovery_mode", ["dns", "eni"]),
  },
  awsMaxAttempts: {
    variable: "aws_max_attempts",
    kind: "number",
    description: "Attempts per AWS API call, the first included (AWS_MAX_ATTEMPTS).",
    default: DEFAULTS.awsMaxAttempts,
    validation: integerIn("aws_max_attempts", R.AWS_MAX_ATTEMPTS.min, R.AWS_MAX_ATTEMPTS.max, "attempts"),
  },
  awsRequestTimeoutMs: {
    variable: "aws_request_timeout_ms",
    kind: "number",
    description:
      "Timeout of one attempt of an AWS API call in milliseconds, so a hung connection is abandoned (AWS_REQUEST_TIMEOUT_MS).",
    default: DEFAULTS.awsRequestTimeoutMs,
    validation: integerIn(
      "aws_request_timeout_ms",
      R.AWS_REQUEST_TIMEOUT_MS.min,
      R.AWS_REQUEST_TIMEOUT_MS.max,
      "milliseconds",
    ),
  },
  albArn: {
    variable: "alb_arn",
    kind: "string",
    description:
      "ARN of the ALB (ALB_ARN). Its subnets' CIDR blocks (IPv4 and IPv6) become ALLOWED_TARGET_CIDRS, the bound on what a DNS answer can register, unless allowed_target_cidrs is set. Null: alb_name, else the weaker bound of the target group VPC's blocks. Required with discovery_mode = \"eni\" and for event_driven. For an ALB in another account the subnet look-up cannot see it: set allowed_target_cidrs.",
    default: null,
    validation: matches(
      "alb_arn",
      ALB_ARN_PATTERN,
      "an Application Load Balancer ARN (…:loadbalancer/app/<name>/<id>)",
      true,
    ),
  },
  albName: {
    variable: "alb_name",
    kind: "string",
    description: "Name of the ALB, instead of alb_arn, to look up its subnets.",
    default: null,
    validation: matches("alb_name", NAME_PATTERN, "an ALB name of 1-32 letters, digits or hyphens", true),
  },
  allowedTargetCidrs: {
    variable: "allowed_target_cidrs",
    kind: "list(string)",
    description:
      "CIDR blocks a DNS answer may get registered (ALLOWED_TARGET_CIDRS); IPs outside them are refused and reported. Empty: the ALB's subnets (alb_arn or alb_name), else the target group VPC's blocks. See the allowed_target_cidrs_source output.",
    default: [],
    validation: [
      {
        condition:
          'length(var.allowed_target_cidrs) <= 64 && alltrue([for c in var.allowed_target_cidrs : can(cidrhost(c, 0)) && (strcontains(c, ":") || cidrhost(c, 0) == split("/", c)[0])])',
        errorMessage:
          "allowed_target_cidrs must hold at most 64 CIDR blocks with the host bits zero, e.g. 10.0.1.0/24.",
      },
    ],
  },
  allowAnyTargetCidr: {
    variable: "allow_any_target_cidr",
    kind: "bool",
    description:
      "Explicit opt-out (ALLOW_ANY_TARGET_CIDR): accept 0.0.0.0/0 or ::/0, so any IP a DNS answer names can be registered. Read SECURITY.md first.",
    default: false,
  },
  createIpCountAlarm: {
    variable: "create_ip_count_alarm",
    kind: "bool",
    description:
      "Create the alarm on LoadBalancerIPCount < 1 for 3 minutes (missing data counts as breaching). Only with publish_ip_count_metric and without dry_run (both mean no datapoints).",
    default: DEFAULTS.createIpCountAlarm,
  },
  createDashboard: {
    variable: "create_dashboard",
    kind: "bool",
    description:
      "Create a CloudWatch dashboard named like the function: ALB IPs found against healthy targets, registrations and deregistrations, DNS queries, discovery completeness, run errors and duration.",
    default: DEFAULTS.createDashboard,
  },
  alarmActions: {
    variable: "alarm_actions",
    kind: "list(string)",
    description: "ARNs (e.g. SNS topics) notified when an alarm fires and when it recovers.",
    default: [],
    validation: [
      {
        condition: 'alltrue([for arn in var.alarm_actions : startswith(arn, "arn:")])',
        errorMessage: "alarm_actions must hold ARNs, e.g. arn:aws:sns:us-east-1:123456789012:alerts.",
      },
    ],
  },
  tags: {
    variable: "tags",
    kind: "map(string)",
    description: "Tags added to every resource that supports them.",
    default: {},
  },
  ...DISCOVERY_INPUTS,
};
