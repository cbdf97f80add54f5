/**
 * The only reader of the environment. `loadConfig(env)` validates every variable once, at cold
 * start, and returns a frozen typed object or throws one ConfigError listing every problem.
 * No AWS call, no network, no `process.env` read: the handler passes `process.env` in.
 *
 * This file holds the variable table (name → schema, what is expected) and `loadConfig`; the
 * rooms beside it: `schemas.ts` (number, boolean, enum schemas), `rules.ts` (names, ARNs, buckets,
 * prefixes), `dns-servers.ts` (DNS_SERVERS entries), `target-groups.ts` (TARGET_GROUPS pairs),
 * `allowed-cidrs.ts` (ALLOWED_TARGET_CIDRS), `discovery.ts` (ALB_ARN and the rest of ENI mode),
 * `redact.ts` (showing values safely in errors). `index.ts` is what the rest of the project imports.
 */
// zod/mini: the same validation as classic zod at ~15 KiB instead of ~450 KiB of bundle (cold start).
import * as z from "zod/mini";
import type { Cidr } from "../core/cidr.js";
import { ConfigError, type ConfigIssue } from "../errors.js";
import {
  actReserveMs,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  minimumFunctionTimeoutSeconds,
  worstCaseCallMs,
} from "../timing.js";
import { ALLOWED_CIDRS_EXPECTED, readAllowedTargetCidrs } from "./allowed-cidrs.js";
import { DISCOVERY_EXPECTED, type DiscoveryConfig, readDiscoveryConfig } from "./discovery.js";
import { type DnsServer, dnsServersSchema } from "./dns-servers.js";
import { describeValue } from "./redact.js";
import {
  albDnsNameProblem,
  bucketProblem,
  metricNamespaceProblem,
  REGION_PATTERN,
  stateKeyPrefixProblem,
  targetGroupArnProblem,
} from "./rules.js";
import {
  booleanSchema,
  checked,
  type DiscoveryMode,
  discoveryModeSchema,
  integer,
  LOG_LEVELS,
  type LogLevel,
  logLevelSchema,
  probabilitySchema,
  type Schema,
} from "./schemas.js";
import { readTargetGroups, TARGET_GROUPS_EXPECTED, type TargetGroupPair } from "./target-groups.js";

export interface Config {
  /** ALB_DNS_NAME, lower-cased, no trailing dot. */
  albDnsName: string;
  /**
   * TARGET_GROUPS, or the one pair ALB_LISTENER (the ALB listener port = the target port) + NLB_TG_ARN:
   * the (port, target group) pairs a run reconciles, each with its own state object. 1 to 10, frozen.
   */
  targetGroups: readonly TargetGroupPair[];
  /** S3_BUCKET */
  s3Bucket: string;
  /** MAX_LOOKUP_PER_INVOCATION (default 500): hard cap on DNS queries per run. */
  maxLookupPerInvocation: number;
  /** INVOCATIONS_BEFORE_DEREGISTRATION (default 3): misses before deregistering an IP the NLB reports not healthy. */
  invocationsBeforeDeregistration: number;
  /** HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION (default 15): misses before deregistering an IP the NLB reports healthy. */
  invocationsBeforeDeregistrationHealthy: number;
  /** CW_METRIC_FLAG_IP_COUNT (default true). */
  cwMetricFlagIpCount: boolean;
  /** SAME_VPC (default true); false registers targets with AvailabilityZone "all". */
  sameVpc: boolean;
  /** STATE_KEY_PREFIX (default "alb-static-ip/"). */
  stateKeyPrefix: string;
  /** DNS_SERVERS: replaces the authoritative name server lookup when set. */
  dnsServers: readonly DnsServer[] | undefined;
  /** DNS_TIMEOUT_MS (default 1000): per-query timeout. */
  dnsTimeoutMs: number;
  /** DNS_CONCURRENCY (default 16, at most 32): queries in flight. */
  dnsConcurrency: number;
  /** MISS_PROBABILITY (default 1e-6). */
  missProbability: number;
  /** MAX_DEREGISTRATIONS_PER_RUN (default 10). */
  maxDeregistrationsPerRun: number;
  /** DRY_RUN (default false). */
  dryRun: boolean;
  /** METRIC_NAMESPACE (default "ALBStaticIP"); never AWS/*. */
  metricNamespace: string;
  /** LOG_LEVEL (default INFO). */
  logLevel: LogLevel;
  /** DISCOVERY_MODE (default dns). */
  discoveryMode: DiscoveryMode;
  /** AWS_REGION as set by Lambda; the target group ARN must be in this region when set. */
  region: string | undefined;
  /** AWS_MAX_ATTEMPTS (default 3): attempts per AWS call including the first (the SDK's own variable name). */
  awsMaxAttempts: number;
  /** AWS_REQUEST_TIMEOUT_MS (default 5000): per-attempt timeout of an AWS call, so a hung connection is abandoned. */
  awsRequestTimeoutMs: number;
  /** ALLOWED_TARGET_CIDRS: observed IPs outside these blocks are never registered; undefined when not set. */
  allowedTargetCidrs: readonly Cidr[] | undefined;
  /** ALLOW_ANY_TARGET_CIDR (default false): accept 0.0.0.0/0 or ::/0 in ALLOWED_TARGET_CIDRS. */
  allowAnyTargetCidr: boolean;
  /**
   * CLEANUP_UNSERVED_PORTS (default false): deregister the targets that the state of a port this function no
   * longer serves (on one of its target groups) owns, with the usual caps and health rules.
   */
  cleanupUnservedPorts: boolean;
  /** ALB_ARN, ALB_VPC_ID, ALB_ROLE_ARN, ALB_ROLE_EXTERNAL_ID (config/discovery.ts). */
  discovery: Readonly<DiscoveryConfig>;
}

/** Defaults of the optional variables, keyed by environment variable name (README, "Configuration"). */
export const CONFIG_DEFAULTS = Object.freeze({
  MAX_LOOKUP_PER_INVOCATION: 1000,
  INVOCATIONS_BEFORE_DEREGISTRATION: 3,
  HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION: 15,
  CW_METRIC_FLAG_IP_COUNT: true,
  SAME_VPC: true,
  STATE_KEY_PREFIX: "alb-static-ip/",
  DNS_TIMEOUT_MS: 1000,
  DNS_CONCURRENCY: 16,
  MISS_PROBABILITY: 1e-6,
  MAX_DEREGISTRATIONS_PER_RUN: 10,
  DRY_RUN: false,
  METRIC_NAMESPACE: "ALBStaticIP",
  LOG_LEVEL: "INFO",
  DISCOVERY_MODE: "dns",
  AWS_MAX_ATTEMPTS: 3,
  AWS_REQUEST_TIMEOUT_MS: 5000,
  ALLOW_ANY_TARGET_CIDR: false,
  CLEANUP_UNSERVED_PORTS: false,
} as const);

/** Inclusive ranges of the numeric variables, for Terraform `validation` blocks and docs. */
export const CONFIG_RANGES = Object.freeze({
  ALB_LISTENER: { min: 1, max: 65535 },
  MAX_LOOKUP_PER_INVOCATION: { min: 1, max: 5000 },
  INVOCATIONS_BEFORE_DEREGISTRATION: { min: 1, max: 1000 },
  HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION: { min: 1, max: 10000 },
  DNS_TIMEOUT_MS: { min: 50, max: 30000 },
  DNS_CONCURRENCY: { min: 1, max: 32 },
  MAX_DEREGISTRATIONS_PER_RUN: { min: 1, max: 1000 },
  AWS_MAX_ATTEMPTS: { min: 1, max: 10 },
  AWS_REQUEST_TIMEOUT_MS: { min: 100, max: 60000 },
} as const);

const ALB_NAME_EXAMPLE = "internal-my-alb-123.us-east-1.elb.amazonaws.com";

interface Variable<T> {
  schema: Schema<T>;
  /** What is expected, shown with every problem and when a required variable is missing. */
  expected: string;
}

const range = (name: keyof typeof CONFIG_RANGES, what: string): string =>
  `${what}, a whole number from ${CONFIG_RANGES[name].min} to ${CONFIG_RANGES[name].max}`;
const withDefault = (expected: string, value: unknown): string => `${expected} (default ${String(value)})`;
const BOOLEAN_EXPECTED = "true or false (also True, TRUE, False, FALSE, 1, 0)";

const V = {
  ALB_DNS_NAME: {
    schema: z.pipe(
      checked((s) => albDnsNameProblem(s.toLowerCase().replace(/\.$/, ""))),
      z.transform((s) => s.toLowerCase().replace(/\.$/, "")),
    ),
    expected: `the ALB's DNS name, e.g. ${ALB_NAME_EXAMPLE}`,
  },
  ALB_LISTENER: {
    schema: integer(1, 65535),
    expected: `${range("ALB_LISTENER", "the ALB listener port")}, e.g. 443`,
  },
  S3_BUCKET: {
    schema: checked(bucketProblem),
    expected:
      "an S3 bucket name: 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit",
  },
  NLB_TG_ARN: {
    schema: checked(targetGroupArnProblem),
    expected:
      "the NLB target group ARN, arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>",
  },
  MAX_LOOKUP_PER_INVOCATION: {
    schema: integer(1, 5000),
    expected: withDefault(
      range("MAX_LOOKUP_PER_INVOCATION", "the cap on DNS queries per run"),
      CONFIG_DEFAULTS.MAX_LOOKUP_PER_INVOCATION,
    ),
  },
  INVOCATIONS_BEFORE_DEREGISTRATION: {
    schema: integer(1, 1000),
    expected: withDefault(
      range("INVOCATIONS_BEFORE_DEREGISTRATION", "the consecutive runs an IP must be missing"),
      CONFIG_DEFAULTS.INVOCATIONS_BEFORE_DEREGISTRATION,
    ),
  },
  HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION: {
    schema: integer(1, 10000),
    expected: withDefault(
      range(
        "HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION",
        "the consecutive runs an IP must be missing while the NLB still reports it healthy, at least INVOCATIONS_BEFORE_DEREGISTRATION",
      ),
      CONFIG_DEFAULTS.HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION,
    ),
  },
  CW_METRIC_FLAG_IP_COUNT: {
    schema: booleanSchema,
    expected: withDefault(BOOLEAN_EXPECTED, CONFIG_DEFAULTS.CW_METRIC_FLAG_IP_COUNT),
  },
  SAME_VPC: { schema: booleanSchema, expected: withDefault(BOOLEAN_EXPECTED, CONFIG_DEFAULTS.SAME_VPC) },
  STATE_KEY_PREFIX: {
    schema: checked(stateKeyPrefixProblem),
    expected: withDefault(
      "an S3 key prefix of at most 512 safe characters, ending with / (or empty for the bucket root)",
      CONFIG_DEFAULTS.STATE_KEY_PREFIX,
    ),
  },
  DNS_SERVERS: {
    schema: dnsServersSchema,
    expected:
      "comma-separated host[:port] entries; host an IPv4 address, [IPv6], IPv6 without port or a host name; port 1–65535 (default 53)",
  },
  DNS_TIMEOUT_MS: {
    schema: integer(50, 30000),
    expected: withDefault(
      range("DNS_TIMEOUT_MS", "the per-query timeout in ms"),
      CONFIG_DEFAULTS.DNS_TIMEOUT_MS,
    ),
  },
  DNS_CONCURRENCY: {
    schema: integer(1, 32),
    expected: withDefault(range("DNS_CONCURRENCY", "queries in flight"), CONFIG_DEFAULTS.DNS_CONCURRENCY),
  },
  MISS_PROBABILITY: {
    schema: probabilitySchema,
    expected: withDefault("a number greater than 0 and at most 0.5, e.g. 1e-6", "1e-6"),
  },
  MAX_DEREGISTRATIONS_PER_RUN: {
    schema: integer(1, 1000),
    expected: withDefault(
      range("MAX_DEREGISTRATIONS_PER_RUN", "the cap on deregistrations per run"),
      CONFIG_DEFAULTS.MAX_DEREGISTRATIONS_PER_RUN,
    ),
  },
  DRY_RUN: { schema: booleanSchema, expected: withDefault(BOOLEAN_EXPECTED, CONFIG_DEFAULTS.DRY_RUN) },
  METRIC_NAMESPACE: {
    schema: checked(metricNamespaceProblem),
    expected: withDefault(
      "a CloudWatch namespace of 1–255 letters, digits or . - _ / # :, not starting with AWS/",
      CONFIG_DEFAULTS.METRIC_NAMESPACE,
    ),
  },
  LOG_LEVEL: {
    schema: logLevelSchema,
    expected: withDefault(`one of ${LOG_LEVELS.join(", ")} (any case)`, CONFIG_DEFAULTS.LOG_LEVEL),
  },
  DISCOVERY_MODE: {
    schema: discoveryModeSchema,
    expected: withDefault(
      "dns (sample the ALB's DNS name) or eni (list its network interfaces, needs ALB_ARN)",
      CONFIG_DEFAULTS.DISCOVERY_MODE,
    ),
  },
  AWS_MAX_ATTEMPTS: {
    schema: integer(1, 10),
    expected: withDefault(
      range("AWS_MAX_ATTEMPTS", "attempts per AWS call including the first"),
      CONFIG_DEFAULTS.AWS_MAX_ATTEMPTS,
    ),
  },
  AWS_REQUEST_TIMEOUT_MS: {
    schema: integer(100, 60000),
    expected: withDefault(
      range("AWS_REQUEST_TIMEOUT_MS", "the per-attempt timeout of an AWS call in ms"),
      CONFIG_DEFAULTS.AWS_REQUEST_TIMEOUT_MS,
    ),
  },
  TARGET_GROUPS: {
    schema: z.string(),
    expected: TARGET_GROUPS_EXPECTED,
  },
  CLEANUP_UNSERVED_PORTS: {
    schema: booleanSchema,
    expected: withDefault(
      `${BOOLEAN_EXPECTED}; true deregisters the targets the state of a port no longer served (a changed ALB_LISTENER or TARGET_GROUPS port) owns`,
      CONFIG_DEFAULTS.CLEANUP_UNSERVED_PORTS,
    ),
  },
  AWS_REGION: {
    schema: checked((s) => (REGION_PATTERN.test(s) ? undefined : "not a region name")),
    expected: "an AWS region such as us-east-1, cn-north-1 or us-gov-west-1 (Lambda sets it)",
  },
} satisfies Record<string, Variable<unknown>>;

type VariableName = keyof typeof V;
type Output<N extends VariableName> = z.output<(typeof V)[N]["schema"]>;

// ---------------------------------------------------------------------------------------------
// loadConfig
// ---------------------------------------------------------------------------------------------

/**
 * Validates `env` and returns the frozen config, or throws one ConfigError listing every problem
 * (variable, value as shown by {@link describeValue}, what is expected). Surrounding whitespace
 * is trimmed; an empty value counts as not set, except STATE_KEY_PREFIX where it means "no prefix".
 * Unknown variables are ignored. Makes no AWS call and reads nothing but `env`.
 *
 * @example
 * const config = loadConfig(process.env); // at cold start, in the handler module
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Readonly<Config> {
  const issues: ConfigIssue[] = [];
  const problem = (name: VariableName, detail: string | undefined): void => {
    const expected = V[name].expected;
    issues.push({
      variable: name,
      value: describeValue(name, env[name]),
      expected: detail === undefined ? expected : `${expected} — ${detail}`,
    });
  };

  function read<N extends VariableName>(
    name: N,
    fallback?: { value: Output<N> | undefined },
  ): Output<N> | undefined {
    const value = env[name]?.trim();
    if (value === undefined || value === "") {
      if (fallback !== undefined) return fallback.value;
      problem(name, "this variable is required");
      return undefined;
    }
    const result = (V[name].schema as Schema<Output<N>>).safeParse(value);
    if (result.success) return result.data;
    problem(name, result.error.issues.map((i) => i.message).join("; "));
    return undefined;
  }

  const d = CONFIG_DEFAULTS;
  const albDnsName = read("ALB_DNS_NAME");
  const s3Bucket = read("S3_BUCKET");
  const region = read("AWS_REGION", { value: undefined });
  const regionValid = !issues.some((i) => i.variable === "AWS_REGION");
  const listed = readTargetGroups(regionValid ? env : { ...env, AWS_REGION: undefined });
  for (const p of listed.problems) {
    issues.push({
      variable: p.variable,
      code: p.code,
      value: describeValue(p.variable, env[p.variable]),
      expected: `${V[p.variable].expected} — ${p.detail}`,
    });
  }
  let targetGroups: readonly TargetGroupPair[] | undefined = listed.pairs;
  if ((env.TARGET_GROUPS?.trim() ?? "") === "") {
    // The original pair, unchanged: one entry.
    const albListenerPort = read("ALB_LISTENER");
    const targetGroupArn = read("NLB_TG_ARN");
    const arnRegion = targetGroupArn?.split(":")[3];
    if (region !== undefined && regionValid && arnRegion !== undefined && arnRegion !== region) {
      problem(
        "NLB_TG_ARN",
        `the target group must be in the function's region ${region} (AWS_REGION) but this ARN is in ${arnRegion}; deploy the function in ${arnRegion} or use a target group of ${region}`,
      );
    } else if (albListenerPort !== undefined && targetGroupArn !== undefined) {
      targetGroups = Object.freeze([Object.freeze({ port: albListenerPort, targetGroupArn })]);
    }
  }
  const maxLookupPerInvocation = read("MAX_LOOKUP_PER_INVOCATION", { value: d.MAX_LOOKUP_PER_INVOCATION });
  const invocationsBeforeDeregistration = read("INVOCATIONS_BEFORE_DEREGISTRATION", {
    value: d.INVOCATIONS_BEFORE_DEREGISTRATION,
  });
  const invocationsBeforeDeregistrationHealthy = read("HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION", {
    value: Math.max(d.HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION, invocationsBeforeDeregistration ?? 0),
  });
  if (
    invocationsBeforeDeregistration !== undefined &&
    invocationsBeforeDeregistrationHealthy !== undefined &&
    invocationsBeforeDeregistrationHealthy < invocationsBeforeDeregistration
  ) {
    problem(
      "HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION",
      `it is below INVOCATIONS_BEFORE_DEREGISTRATION (${invocationsBeforeDeregistration}); the healthy bound must be the longer one`,
    );
  }
  const cwMetricFlagIpCount = read("CW_METRIC_FLAG_IP_COUNT", { value: d.CW_METRIC_FLAG_IP_COUNT });
  const sameVpc = read("SAME_VPC", { value: d.SAME_VPC });
  // Unlike the other optional variables, an empty STATE_KEY_PREFIX is a choice: keys at the bucket root.
  const stateKeyPrefix =
    env.STATE_KEY_PREFIX?.trim() === "" ? "" : read("STATE_KEY_PREFIX", { value: d.STATE_KEY_PREFIX });
  const dnsServers = read("DNS_SERVERS", { value: undefined });
  const dnsTimeoutMs = read("DNS_TIMEOUT_MS", { value: d.DNS_TIMEOUT_MS });
  const dnsConcurrency = read("DNS_CONCURRENCY", { value: d.DNS_CONCURRENCY });
  const missProbability = read("MISS_PROBABILITY", { value: d.MISS_PROBABILITY });
  const maxDeregistrationsPerRun = read("MAX_DEREGISTRATIONS_PER_RUN", {
    value: d.MAX_DEREGISTRATIONS_PER_RUN,
  });
  const dryRun = read("DRY_RUN", { value: d.DRY_RUN });
  const metricNamespace = read("METRIC_NAMESPACE", { value: d.METRIC_NAMESPACE });
  const logLevel = read("LOG_LEVEL", { value: d.LOG_LEVEL });
  const discoveryMode = read("DISCOVERY_MODE", { value: d.DISCOVERY_MODE });
  const awsMaxAttempts = read("AWS_MAX_ATTEMPTS", { value: d.AWS_MAX_ATTEMPTS });
  const awsRequestTimeoutMs = read("AWS_REQUEST_TIMEOUT_MS", { value: d.AWS_REQUEST_TIMEOUT_MS });
  if (awsMaxAttempts !== undefined && awsRequestTimeoutMs !== undefined) {
    // A change and the record of it must fit in one invocation (lambda/timing.ts); Lambda stops at 900 s.
    const limits = { maxAttempts: awsMaxAttempts, requestTimeoutMs: awsRequestTimeoutMs };
    const needed = minimumFunctionTimeoutSeconds(limits);
    if (needed > LAMBDA_MAX_TIMEOUT_SECONDS) {
      problem(
        "AWS_REQUEST_TIMEOUT_MS",
        `with AWS_MAX_ATTEMPTS=${awsMaxAttempts} one AWS call may take ${worstCaseCallMs(limits) / 1000} s, and a change and the record of it ${actReserveMs(limits) / 1000} s: a run would need a function timeout of ${needed} s, beyond Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s, so it could never make a change safely. Lower AWS_REQUEST_TIMEOUT_MS or AWS_MAX_ATTEMPTS`,
      );
    }
  }
  const cleanupUnservedPorts = read("CLEANUP_UNSERVED_PORTS", { value: d.CLEANUP_UNSERVED_PORTS });
  const allowed = readAllowedTargetCidrs(env);
  for (const p of allowed.problems) {
    issues.push({
      variable: p.variable,
      code: p.code,
      value: describeValue(p.variable, env[p.variable]),
      expected: `${ALLOWED_CIDRS_EXPECTED[p.variable]} — ${p.detail}`,
    });
  }

  const discovery = readDiscoveryConfig(
    env,
    issues.some((i) => i.variable === "DISCOVERY_MODE") ? undefined : discoveryMode,
  );
  for (const p of discovery.problems) {
    issues.push({
      variable: p.variable,
      code: p.code,
      value: describeValue(p.variable, env[p.variable]),
      expected: `${DISCOVERY_EXPECTED[p.variable]} — ${p.detail}`,
    });
  }

  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({
    albDnsName: albDnsName!,
    targetGroups: targetGroups!,
    s3Bucket: s3Bucket!,
    maxLookupPerInvocation: maxLookupPerInvocation!,
    invocationsBeforeDeregistration: invocationsBeforeDeregistration!,
    invocationsBeforeDeregistrationHealthy: invocationsBeforeDeregistrationHealthy!,
    cwMetricFlagIpCount: cwMetricFlagIpCount!,
    sameVpc: sameVpc!,
    stateKeyPrefix: stateKeyPrefix!,
    dnsServers,
    dnsTimeoutMs: dnsTimeoutMs!,
    dnsConcurrency: dnsConcurrency!,
    missProbability: missProbability!,
    maxDeregistrationsPerRun: maxDeregistrationsPerRun!,
    dryRun: dryRun!,
    metricNamespace: metricNamespace!,
    logLevel: logLevel!,
    discoveryMode: discoveryMode!,
    region,
    awsMaxAttempts: awsMaxAttempts!,
    awsRequestTimeoutMs: awsRequestTimeoutMs!,
    allowedTargetCidrs: allowed.value?.allowedTargetCidrs,
    allowAnyTargetCidr: allowed.value?.allowAnyTargetCidr ?? false,
    cleanupUnservedPorts: cleanupUnservedPorts!,
    discovery: discovery.value!,
  });
}

/**
 * `STATE_KEY_PREFIX` + `<target group name>-<target group id>/<port>.json`: one state object per pair, so two
 * pairs (or two deployments) never share one.
 *
 * @example
 * stateKey({ stateKeyPrefix: "alb-static-ip/" }, { targetGroupArn: "arn:…:targetgroup/web/0123456789abcdef", port: 443 });
 * // "alb-static-ip/web-0123456789abcdef/443.json"
 */
export function stateKey(config: Pick<Config, "stateKeyPrefix">, pair: TargetGroupPair): string {
  const [, name, id] = /targetgroup\/([^/]+)\/([0-9a-f]+)$/.exec(pair.targetGroupArn) ?? [];
  return `${config.stateKeyPrefix}${name}-${id}/${pair.port}.json`;
}
