/**
 * Where discovery asks, and for which name. By default, like the original: the authoritative name
 * servers of the ALB's zone, resolved to addresses and queried directly on port 53. A caching
 * resolver would repeat one ≤ 8-address answer for the TTL and hide every other IP, so asking the
 * authoritative servers is what makes discovery complete. A custom name (a CNAME to the ALB) is
 * followed to the ALB's own name first, and the zone is found by walking up the labels until a
 * name has NS records (so `dualstack.` names and any depth work). Host names in DNS_SERVERS are
 * resolved with a timeout. Results are cached per container (a cold-start cost).
 */
import { lookup, Resolver } from "node:dns/promises";
import net from "node:net";
import { DiscoveryError } from "../errors.js";
import type { DnsServerAddress } from "./dns-client.js";

/** The lookups the bootstrap needs; inject one pointed at a test server. */
export interface BootstrapResolver {
  resolveNs(name: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
  /** CNAME targets of `name`; rejects with ENODATA when it has none. Absent: no CNAME is followed. */
  resolveCname?(name: string): Promise<string[]>;
  /** IPv4 addresses of a host name the way the system finds them (hosts file, then DNS). Default: resolve4. */
  lookup4?(host: string): Promise<string[]>;
}

/** Lookup errors that mean "no such record", as opposed to a lookup that failed. */
const ABSENT = new Set(["ENODATA", "ENOTFOUND"]);
/** Most CNAME hops followed from ALB_DNS_NAME to the ALB's own name. */
const MAX_CNAME_HOPS = 8;

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
 * A bootstrap resolver using the system's (VPC) resolvers, with an explicit timeout and tries.
 *
 * @example
 * const ns = await systemBootstrapResolver().resolveNs("us-east-1.elb.amazonaws.com");
 */
export function systemBootstrapResolver(
  options: { timeoutMs?: number; tries?: number } = {},
): BootstrapResolver {
  const timeoutMs = options.timeoutMs ?? BOOTSTRAP_TIMEOUT_MS;
  const resolver = new Resolver({ timeout: timeoutMs, tries: options.tries ?? BOOTSTRAP_TRIES });
  return {
    // getaddrinfo has no timeout of its own: bound it, like every other lookup here.
    lookup4: (host) => {
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error(`lookup ${host} timed out`), { code: "ETIMEOUT" })),
          timeoutMs * (options.tries ?? BOOTSTRAP_TRIES),
        );
      });
      const found = lookup(host, { family: 4, all: true }).then((list) => list.map((a) => a.address));
      return Promise.race([found, budget]).finally(() => clearTimeout(timer));
    },
    resolveNs: (name) => resolver.resolveNs(name),
    resolve4: (name) => resolver.resolve4(name),
    resolveCname: (name) => resolver.resolveCname(name),
  };
}

function isAbsent(error: unknown): boolean {
  return ABSENT.has((error as NodeJS.ErrnoException | undefined)?.code ?? "");
}

/**
 * Follow CNAMEs from `name` to the name that has the addresses (the ALB's own name), at most
 * {@link MAX_CNAME_HOPS} hops.
 *
 * @example
 * await canonicalName("app.example.com", resolver); // "internal-x-1.us-east-1.elb.amazonaws.com"
 */
export async function canonicalName(name: string, resolver: BootstrapResolver): Promise<string> {
  let current = normalizeName(name);
  if (!resolver.resolveCname) return current;
  for (let hop = 0; hop < MAX_CNAME_HOPS; hop++) {
    let targets: string[];
    try {
      targets = await resolver.resolveCname(current);
    } catch (error) {
      if (isAbsent(error)) return current;
      throw new DiscoveryError(
        `CNAME lookup of ${JSON.stringify(current)} (from ALB_DNS_NAME ${JSON.stringify(name)}) failed: ${describe(error)}; check the name and the function's DNS access, or set DNS_SERVERS`,
        { cause: error },
      );
    }
    const next = targets[0];
    if (next === undefined) return current;
    current = normalizeName(next);
  }
  throw new DiscoveryError(
    `ALB_DNS_NAME ${JSON.stringify(name)} is a chain of more than ${MAX_CNAME_HOPS} CNAMEs; set ALB_DNS_NAME to the ALB's own DNS name`,
  );
}

/**
 * The zone that holds `name` and its NS names: the first of `name`, its parent, … (never a
 * top-level domain) that has NS records.
 *
 * @example
 * await findZone("dualstack.internal-x-1.us-east-1.elb.amazonaws.com", resolver);
 * // { zone: "us-east-1.elb.amazonaws.com", nameServers: ["ns-1.awsdns-01.org", ...] }
 */
export async function findZone(
  name: string,
  resolver: BootstrapResolver,
): Promise<{ zone: string; nameServers: string[] }> {
  const labels = normalizeName(name).split(".");
  for (let i = 0; i < labels.length - 1; i++) {
    const zone = labels.slice(i).join(".");
    try {
      const nameServers = await resolver.resolveNs(zone);
      if (nameServers.length > 0) return { zone, nameServers };
    } catch (error) {
      if (isAbsent(error)) continue;
      throw new DiscoveryError(
        `NS lookup for zone ${JSON.stringify(zone)} (from ALB name ${JSON.stringify(name)}) failed: ` +
          `${describe(error)}; check the name and the function's DNS access, or set DNS_SERVERS to the servers to query`,
        { cause: error },
      );
    }
  }
  throw new DiscoveryError(
    `No zone with NS records found above ${JSON.stringify(name)}; check ALB_DNS_NAME, or set DNS_SERVERS to the servers to query`,
  );
}

function normalizeName(name: string): string {
  return name.trim().replace(/\.+$/, "").toLowerCase();
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
  const key = `${normalizeName(albDnsName)}|${port}`;
  const cached = cache.get(key);
  if (cached && cached.expiresAt > now()) return cached.servers.map((s) => ({ ...s }));

  const resolver =
    options.resolver ??
    systemBootstrapResolver(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  const { zone, nameServers: names } = await findZone(albDnsName, resolver);

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

/** Forget cached server lists and discovery targets (tests; a new ALB zone). */
export function clearNameServerCache(): void {
  cache.clear();
  targetCache.clear();
}

/** What discovery queries: the name, and the servers to ask. */
export interface DiscoveryTarget {
  name: string;
  servers: DnsServerAddress[];
}

const targetCache = new Map<string, { target: DiscoveryTarget; expiresAt: number }>();

/**
 * The name to query and the servers to ask. With `configured` (DNS_SERVERS) those servers are
 * asked for ALB_DNS_NAME as given, host names among them resolved first; otherwise the name is
 * followed through CNAMEs to the ALB's own name and its zone's authoritative servers are asked.
 * Cached per container like {@link resolveDnsServers}.
 *
 * @example
 * const { name, servers } = await resolveDiscoveryTarget("app.example.com", undefined, { timeoutMs: 1000 });
 */
export async function resolveDiscoveryTarget(
  albDnsName: string,
  configured: readonly DnsServerAddress[] | undefined,
  options: ResolveDnsServersOptions = {},
): Promise<DiscoveryTarget> {
  const ttl = options.cacheTtlMs ?? NAME_SERVER_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const key = `${normalizeName(albDnsName)}|${(configured ?? []).map((s) => `${s.host}:${s.port}`).join(",")}`;
  const cached = targetCache.get(key);
  if (cached && cached.expiresAt > now()) return structuredClone(cached.target);
  const resolver =
    options.resolver ??
    systemBootstrapResolver(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });

  let target: DiscoveryTarget;
  if (configured !== undefined) {
    const lists = await Promise.all(configured.map((server) => addressesOf(server, resolver)));
    target = { name: normalizeName(albDnsName), servers: lists.flat() };
  } else {
    const name = await canonicalName(albDnsName, resolver);
    target = { name, servers: await resolveDnsServers(name, { ...options, resolver, cacheTtlMs: 0 }) };
  }
  if (ttl > 0) targetCache.set(key, { target, expiresAt: now() + ttl });
  return structuredClone(target);
}

/** A DNS_SERVERS entry as addresses: an IP as it is, a host name resolved (IPv4). */
async function addressesOf(
  server: DnsServerAddress,
  resolver: BootstrapResolver,
): Promise<DnsServerAddress[]> {
  if (net.isIP(server.host) !== 0) return [{ ...server }];
  let ips: string[];
  try {
    ips = await (resolver.lookup4 ?? resolver.resolve4)(server.host);
  } catch (error) {
    throw new DiscoveryError(
      `DNS_SERVERS host ${JSON.stringify(server.host)} did not resolve: ${describe(error)}; write its IP address in DNS_SERVERS, or fix the name`,
      { cause: error },
    );
  }
  if (ips.length === 0) {
    throw new DiscoveryError(
      `DNS_SERVERS host ${JSON.stringify(server.host)} has no IPv4 address; write its IP address in DNS_SERVERS`,
    );
  }
  return [...new Set(ips)].sort().map((host) => ({ host, port: server.port }));
}
