/**
 * One A query against one DNS server, with an explicit time budget. Thin adapter over
 * `node:dns` `Resolver` (c-ares): UDP with automatic TCP fallback when the answer is truncated,
 * no cache. Errors are returned as a {@link DnsErrorKind}, never thrown.
 */
import { Resolver } from "node:dns/promises";
import net from "node:net";
import type { DnsErrorKind } from "../types.js";

/** Where to send queries. Structurally the same as `DnsServer` in `lambda/config.ts`. */
export interface DnsServerAddress {
  host: string;
  port: number;
}

/** The outcome of one query: the addresses, or why there are none. */
export type QueryResult =
  | { ok: true; ips: string[] }
  | {
      ok: false;
      kind: DnsErrorKind /** c-ares code, e.g. `ESERVFAIL`, or `ETIMEOUT` for our own budget. */;
      code: string;
    };

/** Queries one server. Safe for concurrent use. */
export interface DnsClient {
  readonly server: DnsServerAddress;
  /** Resolve the A records of `name`; never rejects. */
  queryA(name: string): Promise<QueryResult>;
  /** Cancel queries in flight (they resolve as `other`/`ECANCELLED`) and drop idle resolvers. */
  close(): void;
}

/** Options of {@link createDnsClient}. */
export interface DnsClientOptions {
  /** Budget per attempt in ms; enforced by us, since c-ares may wait longer than asked. */
  timeoutMs: number;
  /** Attempts per query; only timeouts are retried. Default 1. */
  tries?: number;
}

const KIND_BY_CODE: Readonly<Record<string, DnsErrorKind>> = {
  ESERVFAIL: "servfail",
  ENOTFOUND: "nxdomain",
  ETIMEOUT: "timeout",
  EREFUSED: "refused",
  ENODATA: "empty",
};

/**
 * Map a c-ares error code to the kind we count.
 *
 * @example
 * errorKind("ESERVFAIL"); // "servfail"
 * errorKind("ECONNREFUSED"); // "other"
 */
export function errorKind(code: string | undefined): DnsErrorKind {
  return (code !== undefined && KIND_BY_CODE[code]) || "other";
}

/** `host:port` as c-ares' `setServers` expects it (`[v6]:port` for IPv6). */
export function formatServer(server: DnsServerAddress): string {
  return net.isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function validate(server: DnsServerAddress, options: DnsClientOptions): void {
  if (net.isIP(server.host) === 0) {
    throw new TypeError(
      `DNS server host ${JSON.stringify(server.host)} is not an IP address; resolve the name first or pass an IP`,
    );
  }
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) {
    throw new RangeError(`DNS server port ${server.port} is not an integer in 1..65535`);
  }
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new RangeError(`DNS timeoutMs ${options.timeoutMs} must be a positive number of milliseconds`);
  }
  const tries = options.tries ?? 1;
  if (!Number.isInteger(tries) || tries < 1 || tries > 10) {
    throw new RangeError(`DNS tries ${tries} must be an integer in 1..10`);
  }
}

/**
 * Create a client for one server. Internally keeps a small pool of c-ares resolvers, one per
 * query in flight, so a timed-out query can be cancelled without touching the others.
 *
 * @example
 * const client = createDnsClient({ host: "127.0.0.1", port: 5353 }, { timeoutMs: 500 });
 * const result = await client.queryA("internal-x-1.us-east-1.elb.amazonaws.com");
 * if (result.ok) console.log(result.ips); else console.log(result.kind);
 * client.close();
 */
export function createDnsClient(server: DnsServerAddress, options: DnsClientOptions): DnsClient {
  validate(server, options);
  const tries = options.tries ?? 1;
  const timeoutMs = options.timeoutMs;
  const address = formatServer(server);
  const idle: Resolver[] = [];
  const busy = new Set<Resolver>();
  let closed = false;

  function acquire(): Resolver {
    const reused = idle.pop();
    if (reused) return reused;
    // c-ares' own timeout is only a backstop: our timer below fires first and cancels.
    const resolver = new Resolver({ timeout: Math.ceil(timeoutMs), tries: 1 });
    resolver.setServers([address]);
    return resolver;
  }

  async function attempt(name: string): Promise<QueryResult> {
    const resolver = acquire();
    busy.add(resolver);
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<QueryResult>((resolve) => {
      timer = setTimeout(() => {
        resolver.cancel();
        resolve({ ok: false, kind: "timeout", code: "ETIMEOUT" });
      }, timeoutMs);
    });
    const query = resolver.resolve4(name).then(
      (ips): QueryResult =>
        ips.length > 0 ? { ok: true, ips } : { ok: false, kind: "empty", code: "ENODATA" },
      (error: NodeJS.ErrnoException): QueryResult => ({
        ok: false,
        kind: errorKind(error.code),
        code: error.code ?? "UNKNOWN",
      }),
    );
    try {
      return await Promise.race([query, budget]);
    } finally {
      clearTimeout(timer);
      busy.delete(resolver);
      // After a cancel the resolver is clean again; reuse it unless we are closing.
      if (!closed) idle.push(resolver);
    }
  }

  return {
    server: { host: server.host, port: server.port },
    async queryA(name) {
      if (closed) return { ok: false, kind: "other", code: "ECANCELLED" };
      let result: QueryResult = { ok: false, kind: "other", code: "UNKNOWN" };
      for (let i = 0; i < tries; i++) {
        result = await attempt(name);
        if (result.ok || result.kind !== "timeout" || closed) return result;
      }
      return result;
    },
    close() {
      closed = true;
      for (const resolver of busy) resolver.cancel();
      idle.length = 0;
    },
  };
}
