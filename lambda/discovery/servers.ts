/**
 * Default DNS server discovery, like the original: the authoritative name servers of the ALB's
 * zone (the NS records of the name minus its first label), resolved to addresses, queried
 * directly on port 53. A caching resolver would repeat one ≤ 8-address answer for the TTL and
 * hide every other IP, so asking the authoritative servers is what makes discovery complete.
 * The result is cached per container (a cold-start cost).
 */
import { Resolver } from "node:dns/promises";
import net from "node:net";
import { DiscoveryError } from "../errors.js";
import type { DnsServerAddress } from "./dns-client.js";

/** The two lookups the bootstrap needs; inject one pointed at a test server. */
export interface BootstrapResolver {
  resolveNs(name: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
}

/** Options of {@link resolveDnsServers}. */
export interface ResolveDnsServersOptions {
  /** Resolver for the NS and A lookups. Default: {@link systemBootstrapResolver} with `timeoutMs`. */
  resolver?: BootstrapResolver;
  /** Budget per bootstrap lookup try when no `resolver` is given. Default 2000. */
  timeoutMs?: number;
  /** Port to query the found servers on. Default 53. */
  port?: number;
  /** How long a found list stays cached in this container. Default 1 h; 0 disables the cache. */
  cacheTtlMs?: number;
  /** Clock, injectable for tests. Default `Date.now`. */
  now?: () => number;
}

/** Default cache lifetime of a discovered server list. */
export const NAME_SERVER_CACHE_TTL_MS = 60 * 60 * 1000;
/** Budget per bootstrap lookup when using the system resolver. */
const BOOTSTRAP_TIMEOUT_MS = 2000;
const BOOTSTRAP_TRIES = 2;

const cache = new Map<string, { servers: DnsServerAddress[]; expiresAt: number }>();

/**
 * The zone to ask for NS records: the name minus its first label.
 *
 * @example
 * zoneOf("internal-x-1.us-east-1.elb.amazonaws.com"); // "us-east-1.elb.amazonaws.com"
 */
export function zoneOf(albDnsName: string): string {
  const name = albDnsName.trim().replace(/\.+$/, "").toLowerCase();
  const dot = name.indexOf(".");
  const zone = dot < 0 ? "" : name.slice(dot + 1);
  if (zone === "" || !zone.includes(".")) {
    throw new DiscoveryError(
      `Cannot derive a DNS zone from ALB name ${JSON.stringify(albDnsName)}: expected a name like ` +
        `"internal-x-1.us-east-1.elb.amazonaws.com" with at least three labels; set DNS_SERVERS to query given servers`,
    );
  }
  return zone;
}

/**
 * A bootstrap resolver using the system's (VPC) resolvers, with an explicit timeout and tries.
 *
 * @example
 * const ns = await systemBootstrapResolver().resolveNs("us-east-1.elb.amazonaws.com");
 */
export function systemBootstrapResolver(
  options: { timeoutMs?: number; tries?: number } = {},
): BootstrapResolver {
  const resolver = new Resolver({
    timeout: options.timeoutMs ?? BOOTSTRAP_TIMEOUT_MS,
    tries: options.tries ?? BOOTSTRAP_TRIES,
  });
  return {
    resolveNs: (name) => resolver.resolveNs(name),
    resolve4: (name) => resolver.resolve4(name),
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code} (${error.message})` : error.message;
  }
  return String(error);
}

/**
 * Find the authoritative name servers of the ALB's zone and return their addresses, sorted and
 * de-duplicated. Name servers whose address lookup fails are skipped; when none is left, or
 * the NS lookup itself fails, throws a `DiscoveryError` that suggests `DNS_SERVERS`.
 *
 * @example
 * const servers = await resolveDnsServers("internal-x-1.us-east-1.elb.amazonaws.com");
 * // [{ host: "205.251.192.1", port: 53 }, ...]
 */
export async function resolveDnsServers(
  albDnsName: string,
  options: ResolveDnsServersOptions = {},
): Promise<DnsServerAddress[]> {
  const port = options.port ?? 53;
  const ttl = options.cacheTtlMs ?? NAME_SERVER_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const zone = zoneOf(albDnsName);
  const key = `${zone}|${port}`;
  const cached = cache.get(key);
  if (cached && cached.expiresAt > now()) return cached.servers.map((s) => ({ ...s }));

  const resolver =
    options.resolver ??
    systemBootstrapResolver(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  let names: string[];
  try {
    names = await resolver.resolveNs(zone);
  } catch (error) {
    throw new DiscoveryError(
      `NS lookup for zone ${JSON.stringify(zone)} (from ALB name ${JSON.stringify(albDnsName)}) failed: ` +
        `${describe(error)}; check the name and the function's DNS access, or set DNS_SERVERS to the servers to query`,
      { cause: error },
    );
  }
  if (names.length === 0) {
    throw new DiscoveryError(
      `Zone ${JSON.stringify(zone)} has no NS records; set DNS_SERVERS to the servers to query`,
    );
  }

  const lookups = await Promise.allSettled(names.map((name) => resolver.resolve4(name)));
  const hosts = new Set<string>();
  const problems: string[] = [];
  lookups.forEach((lookup, i) => {
    if (lookup.status === "fulfilled") {
      for (const ip of lookup.value) if (net.isIPv4(ip)) hosts.add(ip);
    } else {
      problems.push(`${names[i]}: ${describe(lookup.reason)}`);
    }
  });
  if (hosts.size === 0) {
    throw new DiscoveryError(
      `None of the ${names.length} name servers of zone ${JSON.stringify(zone)} (${names.join(", ")}) resolved ` +
        `to an IPv4 address${problems.length > 0 ? ` (${problems.join("; ")})` : ""}; set DNS_SERVERS to the servers to query`,
    );
  }

  const servers = [...hosts].sort().map((host) => ({ host, port }));
  if (ttl > 0) cache.set(key, { servers, expiresAt: now() + ttl });
  return servers.map((s) => ({ ...s }));
}

/** Forget cached server lists (tests; a new ALB zone). */
export function clearNameServerCache(): void {
  cache.clear();
}
