export {
  ANSWER_LIMIT,
  type DiscoverOptions,
  discoverAlbIps,
  MAX_CONCURRENCY,
  MAX_QUERIES_PER_SECOND,
  sortIps,
} from "./discover.js";
export {
  type AddressRecordType,
  createDnsClient,
  type DnsClient,
  type DnsClientOptions,
  type DnsServerAddress,
  errorKind,
  type QueryResult,
} from "./dns-client.js";
export {
  type AnswerRecord,
  createEvidence,
  type Evidence,
  type EvidenceCode,
  type EvidenceNote,
  type EvidenceVerdict,
  repeatChance,
  wholeSetMissBound,
} from "./evidence.js";
export {
  createTokenBucket,
  QUERY_BURST,
  QUERY_RATE_PER_SECOND,
  type TokenBucket,
  type TokenBucketOptions,
} from "./rate.js";
export {
  type BootstrapResolver,
  canonicalName,
  clearNameServerCache,
  type DiscoveryTarget,
  findZone,
  type ResolveDnsServersOptions,
  resolveDiscoveryTarget,
  resolveDnsServers,
  systemBootstrapResolver,
} from "./servers.js";
