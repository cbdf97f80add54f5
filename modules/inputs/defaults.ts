/** Defaults of the optional props (shared by the construct and the module variables) and fixed value lists. */
import { CONFIG_DEFAULTS } from "../../lambda/config/index.js";

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
  cleanupUnservedPorts: CONFIG_DEFAULTS.CLEANUP_UNSERVED_PORTS,
  createRole: true,
  createLogGroup: true,
  tracingMode: "PassThrough",
  createIpCountAlarm: true,
  createOutsideAllowedCidrsAlarm: true,
  createUnservedPortsAlarm: true,
  createInterfacesNotElbManagedAlarm: true,
  createDashboard: true,
} as const);

/** CloudWatch Logs accepts only these retention periods (0 = never expire). */
export const LOG_RETENTION_DAYS = Object.freeze([
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const);
