/**
 * The only reader of the environment. `loadConfig(env)` validates every variable once, at cold
 * start, and returns a frozen typed object or throws one ConfigError listing every problem.
 * SKELETON: the interface is the contract; the implementation is being written.
 */
import { ConfigError } from "./errors.js";

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
export type DiscoveryMode = "dns";

export interface DnsServer {
  host: string;
  port: number;
}

export interface Config {
  /** ALB_DNS_NAME, lower-cased, no trailing dot. */
  albDnsName: string;
  /** ALB_LISTENER: the ALB listener port = the target port in the NLB target group. */
  albListenerPort: number;
  /** S3_BUCKET */
  s3Bucket: string;
  /** NLB_TG_ARN */
  targetGroupArn: string;
  /** MAX_LOOKUP_PER_INVOCATION (default 500): hard cap on DNS queries per run. */
  maxLookupPerInvocation: number;
  /** INVOCATIONS_BEFORE_DEREGISTRATION (default 3). */
  invocationsBeforeDeregistration: number;
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
}

/** Validates `env` and returns the frozen config, or throws a ConfigError listing every problem. */
export function loadConfig(_env: Readonly<Record<string, string | undefined>>): Readonly<Config> {
  throw new ConfigError([{ variable: "*", value: undefined, expected: "an implementation" }]);
}

/** `STATE_KEY_PREFIX` + `<target group name>-<target group id>/<port>.json`. */
export function stateKey(config: Pick<Config, "stateKeyPrefix" | "targetGroupArn" | "albListenerPort">): string {
  const [, name, id] = /targetgroup\/([^/]+)\/([0-9a-f]+)$/.exec(config.targetGroupArn) ?? [];
  return `${config.stateKeyPrefix}${name}-${id}/${config.albListenerPort}.json`;
}
