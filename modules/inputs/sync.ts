/** Module variables — how the function syncs: the environment variables of lambda/config/load.ts. */
import {
  CONFIG_RANGES,
  DNS_SERVER_ENTRY_PATTERN,
  STATE_KEY_PREFIX_BAD_SEGMENT,
} from "../../lambda/config/index.js";
import { DEFAULTS } from "./defaults.js";
import { STATE_KEY_PREFIX_PATTERN } from "./patterns.js";
import { hclString, type InputGroup, integerIn, matches, oneOf } from "./spec.js";

const R = CONFIG_RANGES;

export const SYNC_INPUTS = {
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
  cleanupUnservedPorts: {
    variable: "cleanup_unserved_ports",
    kind: "bool",
    description:
      "Deregister the targets left on a port of this module's target groups that the function no longer serves, e.g. after alb_listener_port or a listeners port changed (CLEANUP_UNSERVED_PORTS). Only targets the old port's state object owns; each once its IP is healthy on a served port (or the NLB reports it not healthy), never leaving the target group without a target on a served port, within max_deregistrations_per_run, claimed in that state first. Leave it false when another deployment serves that port of the same target group with the same bucket and state_key_prefix. False: such targets are only reported (metric TargetsOnUnservedPorts).",
    default: DEFAULTS.cleanupUnservedPorts,
  },
} as const satisfies InputGroup;
