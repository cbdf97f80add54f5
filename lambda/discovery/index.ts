export {
  ANSWER_LIMIT,
  answersNeeded,
  type DiscoverOptions,
  discoverAlbIps,
  MAX_CONCURRENCY,
  MAX_QUERIES_PER_SECOND,
  missProbability,
  sortIps,
} from "./discover.js";
export {
  createDnsClient,
  type DnsClient,
  type DnsClientOptions,
  type DnsServerAddress,
  errorKind,
  type QueryResult,
} from "./dns-client.js";
export {
  type BootstrapResolver,
  clearNameServerCache,
  type ResolveDnsServersOptions,
  resolveDnsServers,
  systemBootstrapResolver,
  zoneOf,
} from "./servers.js";
