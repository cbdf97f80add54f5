/** The function's config (load.ts) and the rules the construct shares with it: what lambda/, cli/ and modules/ import. */

export type { AlbIdentity, DiscoveryConfig } from "./discovery.js";
export { ALB_ARN_PATTERN, ROLE_ARN_PATTERN, VPC_ID_PATTERN } from "./discovery.js";
export type { DnsServer } from "./dns-servers.js";
export { CONFIG_DEFAULTS, CONFIG_RANGES, type Config, loadConfig, stateKey } from "./load.js";
export { describeValue, looksSecret } from "./redact.js";
export {
  BUCKET_IP_FORM,
  BUCKET_NAME_SHAPE,
  BUCKET_PREFIXES,
  BUCKET_SUFFIXES,
  DNS_SERVER_ENTRY_PATTERN,
  PARTITION_REGION_PREFIXES,
  PARTITIONS,
  partitionOf,
  REGION_PATTERN,
  STATE_KEY_PREFIX_BAD_SEGMENT,
  TARGET_GROUP_ARN_PATTERN,
} from "./rules.js";
export type { DiscoveryMode, LogLevel } from "./schemas.js";
export { MAX_TARGET_GROUPS, pairLabel, type TargetGroupPair } from "./target-groups.js";
