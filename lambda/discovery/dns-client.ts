/**
 * One A (or AAAA) query against one DNS server, with an explicit time budget. A thin adapter that speaks
 * DNS itself (RFC 1035 over UDP, TCP when the answer is truncated) with `dns-packet` for the
 * wire format: no resolver library in between, so nothing can cache an answer (c-ares, behind
 * `node:dns`, has a query cache of its own), and the header bits a caching resolver gives away
 * (the AA flag, the TTL counting down) reach discovery. Errors are returned as a
 * {@link DnsErrorKind}, never thrown.
 */
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket from "dns-packet";
import { canonicalIp } from "../core/ip.js";
import type { DnsErrorKind } from "../types.js";

/** The address record types discovery asks for: A for IPv4, AAAA for IPv6. */
export type AddressRecordType = "A" | "AAAA";

/** Where to send queries. Structurally the same as `DnsServer` in `lambda/config/dns-servers.ts`. */
export interface DnsServerAddress {
  host: string;
  port: number;
}

/** The outcome of one query: the addresses, or why there are none. */
export type QueryResult =
  | {
      ok: true;
      ips: string[];
      /** Smallest TTL of the address records, in seconds. */
      ttl: number;
      /** The AA flag: the answer comes from a server authoritative for the name, not from a cache. */
      authoritative: boolean;
    }
  | {
      ok: false;
      kind: DnsErrorKind;
      /** c-ares style code, e.g. `ESERVFAIL`, `ETIMEOUT` for our own budget, `ECANCELLED` after close(). */
      code: string;
    };

/** Queries one server. Safe for concurrent use. */
export interface DnsClient {
  readonly server: DnsServerAddress;
  /** Resolve the A records of `name`; never rejects. */
  queryA(name: string): Promise<QueryResult>;
  /** Resolve the A or AAAA records of `name` (addresses in canonical text); never rejects. */
  query(name: string, type: AddressRecordType): Promise<QueryResult>;
  /** Open the socket now (queries open it when needed otherwise); a failure surfaces at the next query. */
  open(): void;
  /** Cancel queries in flight (they resolve as `other`/`ECANCELLED`) and close the socket. */
  close(): void;
}

/** Options of {@link createDnsClient}. */
export interface DnsClientOptions {
  /** Budget per attempt in ms. */
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

/** DNS response codes (RFC 1035 §4.1.1) as the c-ares style codes we report. */
const CODE_BY_RCODE: Readonly<Record<number, string>> = {
  1: "EFORMERR",
  2: "ESERVFAIL",
  3: "ENOTFOUND",
  4: "ENOTIMP",
  5: "EREFUSED",
};

/** Largest TCP answer accepted (a DNS message is at most 65535 bytes). */
const MAX_TCP_MESSAGE = 65_535;

/**
 * Map a c-ares style error code to the kind we count.
 *
 * @example
 * errorKind("ESERVFAIL"); // "servfail"
 * errorKind("ECONNREFUSED"); // "other"
 */
export function errorKind(code: string | undefined): DnsErrorKind {
  return (code !== undefined && KIND_BY_CODE[code]) || "other";
}

/** `host:port` for logs (`[v6]:port` for IPv6). */
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

const failure = (code: string): QueryResult => ({ ok: false, kind: errorKind(code), code });

function normalize(name: string): string {
  return name.replace(/\.+$/, "").toLowerCase();
}

/**
 * What a decoded response says, or `undefined` when it does not answer our question (another id,
 * another name: ignored, as a resolver would, so a stray or forged datagram cannot end the query).
 */
function interpret(
  response: dnsPacket.DecodedPacket,
  name: string,
  type: AddressRecordType,
): QueryResult | "truncated" | undefined {
  const question = response.questions?.[0];
  if (
    response.type !== "response" ||
    !question ||
    normalize(question.name) !== normalize(name) ||
    (question.type !== undefined && question.type !== type)
  ) {
    return undefined;
  }
  if (response.flag_tc) return "truncated";
  const rcode = (response.flags ?? 0) & 0xf;
  if (rcode !== 0) return failure(CODE_BY_RCODE[rcode] ?? `ERCODE${rcode}`);
  const valid = type === "A" ? net.isIPv4 : net.isIPv6;
  const records = (response.answers ?? []).filter(
    (a): a is dnsPacket.StringAnswer => a.type === type && typeof a.data === "string" && valid(a.data),
  );
  if (records.length === 0) return failure("ENODATA");
  return {
    ok: true,
    // Canonical text, so one IPv6 address written two ways is one IP for the evidence and the plan (dns-packet
    // writes an A record's four bytes as a dotted quad, canonical already: no parsing for the common case).
    ips: [...new Set(records.map((a) => (type === "A" ? a.data : (canonicalIp(a.data) ?? a.data))))],
    ttl: Math.min(...records.map((a) => a.ttl ?? 0)),
    authoritative: response.flag_aa === true,
  };
}

/**
 * Create a client for one server: one UDP socket, connected to the server so only its datagrams
 * arrive, answers matched to queries by a random 16-bit id and the question name.
 *
 * @example
 * const client = createDnsClient({ host: "127.0.0.1", port: 5353 }, { timeoutMs: 500 });
 * const result = await client.queryA("internal-x-1.us-east-1.elb.amazonaws.com");
 * if (result.ok) console.log(result.ips, result.authoritative); else console.log(result.kind);
 * client.close();
 */
export function createDnsClient(server: DnsServerAddress, options: DnsClientOptions): DnsClient {
  validate(server, options);
  const tries = options.tries ?? 1;
  const timeoutMs = options.timeoutMs;
  const family = net.isIPv6(server.host) ? "udp6" : "udp4";
  /** Pending UDP queries by id; each settles exactly once. */
  const pending = new Map<
    number,
    { name: string; type: AddressRecordType; settle: (r: QueryResult | "truncated") => void }
  >();
  const cancels = new Set<() => void>();
  let socket: Promise<dgram.Socket> | undefined;
  let closed = false;

  function failAll(code: string): void {
    for (const entry of [...pending.values()]) entry.settle(failure(code));
  }

  function openSocket(): Promise<dgram.Socket> {
    socket ??= new Promise<dgram.Socket>((resolve, reject) => {
      const s = dgram.createSocket(family);
      s.on("message", (message) => {
        let response: dnsPacket.DecodedPacket;
        try {
          response = dnsPacket.decode(message);
        } catch {
          return; // Not DNS: ignore, the query times out if nothing better arrives.
        }
        const entry = pending.get(response.id ?? -1);
        if (!entry) return;
        const result = interpret(response, entry.name, entry.type);
        if (result !== undefined) entry.settle(result);
      });
      s.on("error", (error: NodeJS.ErrnoException) => {
        // ICMP port unreachable surfaces as ECONNREFUSED on a connected socket: every query fails now.
        failAll(error.code ?? "ECONNREFUSED");
      });
      s.once("connect", () => resolve(s));
      s.connect(server.port, server.host);
      s.once("error", reject);
    });
    return socket;
  }

  function newId(): number {
    for (;;) {
      const id = randomInt(0, 65536);
      if (!pending.has(id)) return id;
    }
  }

  /** One attempt over TCP (after a truncated UDP answer). */
  function overTcp(name: string, type: AddressRecordType, remainingMs: number): Promise<QueryResult> {
    return new Promise((resolve) => {
      const id = newId();
      const conn = net.connect({ host: server.host, port: server.port });
      let buffered = Buffer.alloc(0);
      let done = false;
      const finish = (result: QueryResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        cancels.delete(cancel);
        conn.destroy();
        resolve(result);
      };
      const cancel = () => finish(failure("ECANCELLED"));
      cancels.add(cancel);
      const timer = setTimeout(() => finish(failure("ETIMEOUT")), Math.max(1, remainingMs));
      conn.on("error", (error: NodeJS.ErrnoException) => finish(failure(error.code ?? "ECONNREFUSED")));
      conn.on("connect", () => {
        conn.write(
          dnsPacket.streamEncode({
            type: "query",
            id,
            flags: dnsPacket.RECURSION_DESIRED,
            questions: [{ type, name }],
          }),
        );
      });
      conn.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 2) return;
        const length = buffered.readUInt16BE(0);
        if (length > MAX_TCP_MESSAGE) return finish(failure("EBADRESP"));
        if (buffered.length < 2 + length) return;
        try {
          const response = dnsPacket.decode(buffered.subarray(2, 2 + length));
          const result = response.id === id ? interpret(response, name, type) : undefined;
          finish(result === undefined || result === "truncated" ? failure("EBADRESP") : result);
        } catch {
          finish(failure("EBADRESP"));
        }
      });
      conn.on("close", () => finish(failure("ECONNRESET")));
    });
  }

  async function attempt(name: string, type: AddressRecordType): Promise<QueryResult> {
    const started = Date.now();
    let s: dgram.Socket;
    try {
      s = await openSocket();
    } catch (error) {
      return failure((error as NodeJS.ErrnoException).code ?? "ECONNREFUSED");
    }
    if (closed) return failure("ECANCELLED");
    const id = newId();
    const udp = await new Promise<QueryResult | "truncated">((resolve) => {
      let done = false;
      const settle = (result: QueryResult | "truncated") => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        pending.delete(id);
        cancels.delete(cancel);
        resolve(result);
      };
      const cancel = () => settle(failure("ECANCELLED"));
      const timer = setTimeout(() => settle(failure("ETIMEOUT")), timeoutMs);
      pending.set(id, { name, type, settle });
      cancels.add(cancel);
      const message = dnsPacket.encode({
        type: "query",
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name }],
      });
      s.send(message, (error) => {
        if (error) settle(failure((error as NodeJS.ErrnoException).code ?? "EOTHER"));
      });
    });
    if (udp !== "truncated") return udp;
    return overTcp(name, type, timeoutMs - (Date.now() - started));
  }

  async function query(name: string, type: AddressRecordType): Promise<QueryResult> {
    let result: QueryResult = failure("ECANCELLED");
    for (let i = 0; i < tries && !closed; i++) {
      result = await attempt(name, type);
      if (result.ok || result.kind !== "timeout") return result;
    }
    return result;
  }

  return {
    server: { host: server.host, port: server.port },
    queryA: (name) => query(name, "A"),
    query,
    open() {
      if (!closed) openSocket().catch(() => {});
    },
    close() {
      if (closed) return;
      closed = true;
      for (const cancel of [...cancels]) cancel();
      void socket?.then(
        (s) => s.close(),
        () => {},
      );
    },
  };
}
