/**
 * A small authoritative DNS server for tests, benchmarks and the local AWS world.
 *
 * It speaks real DNS (RFC 1035) over UDP and TCP (2-byte length prefix) on one port, answers
 * A queries (and AAAA queries, for a name with IPv6 addresses: a dualstack ALB) for configured
 * names with a uniformly random subset of at most 8 of the name's addresses of that family (as
 * Route 53 does for an ALB), TTL 60, AA flag set, and can inject faults
 * (SERVFAIL, NXDOMAIN, REFUSED, dropped queries, empty answers, truncation, flapping sets) and
 * latency. Bound to 127.0.0.1 on a random port unless told otherwise.
 */
import dgram from "node:dgram";
import net from "node:net";
import type { Answer, DecodedPacket, Question } from "dns-packet";
import dnsPacket from "dns-packet";
import {
  type AnswerModel,
  checkDnsBehaviour,
  createAnswerModel,
  type DnsBehaviour,
  sampleOf,
} from "./dns-answers.js";
import { checkForeignInjection, type ForeignInjection, forgeAnswer } from "./dns-foreign.js";

/** What an injected fault does to a query. */
export type DnsFaultMode =
  | "servfail"
  | "nxdomain"
  | "refused"
  /** Drop the query: no answer at all. */
  | "timeout"
  /** NOERROR with no answers. */
  | "empty"
  /** UDP answer with the TC bit and no answers; TCP answers normally. */
  | "truncate"
  /** Alternate: every second answer uses a different, random IP set of the same size. */
  | "flap";

/** A fault applied to incoming queries. */
export interface DnsFault {
  mode: DnsFaultMode;
  /** Chance that a query is faulted, 0..1. Default 1. */
  probability?: number;
  /** Apply to the next N faulted queries only, then clear the fault. Default: until replaced. */
  remaining?: number;
}

/** Options of {@link startDnsServer}. */
export interface DnsServerOptions {
  /** Address to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port for both UDP and TCP. Default 0 (a free random port, the same for both). */
  port?: number;
  /** Delay before each answer, in ms. Default 0. */
  latencyMs?: number;
  /** TTL of the answers, in seconds. Default 60. */
  ttl?: number;
  /** Most A records in one answer. Default 8. */
  maxAnswers?: number;
  /** Injectable random number generator in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Clock of the answer models (a caching resolver's TTL). Default `Date.now`. */
  now?: () => number;
  /** Called for every message received, before it is answered (the world's request log). */
  onQuery?: () => void;
}

/** Counters since start or the last {@link DnsServer.resetStats}. */
export interface DnsServerStats {
  /** Messages received (UDP datagrams and TCP frames), including malformed ones. */
  queries: number;
  udp: number;
  tcp: number;
  /** Queries that an injected fault changed. */
  faulted: number;
}

/** A running DNS server. */
export interface DnsServer {
  readonly host: string;
  /** The same port serves UDP and TCP. */
  readonly port: number;
  /** Set the addresses of a name (case-insensitive, trailing dot ignored): IPv4 ones answer A, IPv6 ones AAAA. */
  setRecord(name: string, ips: readonly string[]): void;
  /** Remove a name; later queries get NXDOMAIN. */
  deleteRecord(name: string): void;
  /** Serve NS records for `zone` (replacing earlier ones) and A records for the name servers' host names. */
  setNameServers(zone: string, ns: Array<{ name: string; ip: string }>): void;
  /** Inject a fault, or clear it with `null`. */
  setFault(fault: DnsFault | null): void;
  /** Delay every answer by `ms` milliseconds. */
  setLatency(ms: number): void;
  /** Forge A (and, with IPv6 foreign IPs, AAAA) answers with foreign IPs (`sim/dns-foreign.ts`), or stop with `null`. */
  injectForeign(spec: ForeignInjection | null): void;
  /** How this server answers for the ALB names (`sim/dns-answers.ts`); `null` is back to uniform. */
  setBehaviour(behaviour: DnsBehaviour | null): void;
  /** The answer model in force. */
  behaviour(): DnsBehaviour;
  stats(): DnsServerStats;
  resetStats(): void;
  /** Stop listening, drop open TCP connections and pending delayed answers. */
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = (typeof RCODE)[keyof typeof RCODE];

/** Largest TCP frame we accept; anything bigger is not a query, so the connection is closed. */
const MAX_TCP_FRAME = 4096;
/** Bind attempts when looking for a port free for both UDP and TCP. */
const BIND_ATTEMPTS = 20;

type Transport = "udp" | "tcp";

interface ActiveFault {
  mode: DnsFaultMode;
  probability: number;
  remaining: number | undefined;
  /** Counts flap-eligible queries, to alternate between the real and the other set. */
  flapCounter: number;
  /** The "other" IP set per name, created on first use. */
  flapSets: Map<string, string[]>;
}

/** Lower-case, no trailing dot: the key used for every name lookup. */
function normalize(name: string): string {
  return name.trim().replace(/\.+$/, "").toLowerCase();
}

function assertIp(ip: string, what: string): void {
  if (net.isIP(ip) !== 0) return;
  throw new TypeError(
    `${what}: ${JSON.stringify(ip)} is not an IP address; pass dotted quads like "10.0.1.5" or IPv6 like "2600:1f18::5"`,
  );
}

function assertIpv4(ip: string, what: string): void {
  if (net.isIPv4(ip)) return;
  throw new TypeError(
    `${what}: ${JSON.stringify(ip)} is not an IPv4 address; pass dotted quads like "10.0.1.5"`,
  );
}

/**
 * Start a DNS server on UDP and TCP.
 *
 * @example
 * const dns = await startDnsServer();
 * dns.setRecord("internal-x-1.us-east-1.elb.amazonaws.com", ["10.0.1.5", "10.0.2.7"]);
 * // query 127.0.0.1:dns.port ...
 * await dns.close();
 */
export async function startDnsServer(options: DnsServerOptions = {}): Promise<DnsServer> {
  const host = options.host ?? "127.0.0.1";
  const ttl = options.ttl ?? 60;
  const maxAnswers = options.maxAnswers ?? 8;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  let latencyMs = options.latencyMs ?? 0;
  if (!Number.isInteger(maxAnswers) || maxAnswers < 1) {
    throw new RangeError(`maxAnswers: got ${maxAnswers}; expected an integer >= 1`);
  }
  if (!Number.isInteger(ttl) || ttl < 0) throw new RangeError(`ttl: got ${ttl}; expected an integer >= 0`);

  const records = new Map<string, string[]>();
  const nsZones = new Map<string, string[]>();
  const nsHosts = new Map<string, string[]>();
  let fault: ActiveFault | null = null;
  let foreign: Required<ForeignInjection> | null = null;
  const uniform = (): AnswerModel =>
    createAnswerModel({ model: "uniform" }, random, { limit: maxAnswers, ttl });
  let model: AnswerModel = uniform();
  /** The AAAA answers' model: the same behaviour, its own state (a resolver caches A and AAAA apart). */
  let model6: AnswerModel = uniform();
  const counters: DnsServerStats = { queries: 0, udp: 0, tcp: 0, faulted: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<net.Socket>();
  let closed = false;

  const { udp, tcp, port } = await bindBoth(host, options.port ?? 0);

  function randomIp(v6: boolean): string {
    const octet = () => Math.floor(random() * 256);
    if (v6) {
      const group = () => (1 + Math.floor(random() * 0xfffe)).toString(16);
      return `fd00:${group()}:${group()}::${group()}`;
    }
    return `10.${octet()}.${octet()}.${1 + Math.floor(random() * 254)}`;
  }

  /** A set of distinct random IPs of the same size as `ips`, disjoint from it, stable per fault. */
  function flapSet(key: string, ips: readonly string[], active: ActiveFault): string[] {
    const existing = active.flapSets.get(key);
    if (existing && existing.length === ips.length) return existing;
    const taken = new Set(ips);
    const other: string[] = [];
    const v6 = ips.some((ip) => net.isIPv6(ip));
    while (other.length < ips.length) {
      const ip = randomIp(v6);
      if (!taken.has(ip)) {
        taken.add(ip);
        other.push(ip);
      }
    }
    active.flapSets.set(key, other);
    return other;
  }

  /** Decide whether the active fault hits this query; consumes `remaining` when it does. */
  function pickFault(transport: Transport): ActiveFault | null {
    const active = fault;
    if (!active) return null;
    if (active.mode === "truncate" && transport === "tcp") return null;
    if (active.probability < 1 && random() >= active.probability) return null;
    if (active.remaining !== undefined) {
      active.remaining -= 1;
      if (active.remaining <= 0 && fault === active) fault = null;
    }
    return active;
  }

  function response(
    query: DecodedPacket,
    rcode: Rcode,
    answers: Answer[],
    extra: number,
    authoritative = true,
  ): Buffer {
    const rd = query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
    const aa = authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0;
    return dnsPacket.encode({
      type: "response",
      id: query.id ?? 0,
      flags: aa | rd | extra | rcode,
      questions: query.questions ?? [],
      answers: rcode === RCODE.NOERROR ? answers : [],
      authorities: [],
      additionals: [],
    });
  }

  /** Build the answer to one decoded query, or `null` to drop it. */
  function answer(query: DecodedPacket, transport: Transport): Buffer | null {
    const questions = query.questions ?? [];
    const question: Question | undefined = questions[0];
    if (query.type === "response" || questions.length !== 1 || !question) {
      return response(query, RCODE.FORMERR, [], 0);
    }
    const hit = pickFault(transport);
    if (hit) counters.faulted += 1;
    switch (hit?.mode) {
      case "timeout":
        return null;
      case "servfail":
        return response(query, RCODE.SERVFAIL, [], 0);
      case "nxdomain":
        return response(query, RCODE.NXDOMAIN, [], 0);
      case "refused":
        return response(query, RCODE.REFUSED, [], 0);
      case "empty":
        return response(query, RCODE.NOERROR, [], 0);
      case "truncate":
        return response(query, RCODE.NOERROR, [], dnsPacket.TRUNCATED_RESPONSE);
      default:
        break;
    }

    const key = normalize(question.name);
    const ips = records.get(key) ?? nsHosts.get(key);
    const nameServers = nsZones.get(key);
    if (!ips && !nameServers) return response(query, RCODE.NXDOMAIN, [], 0);

    const family = question.type === "A" ? 4 : question.type === "AAAA" ? 6 : 0;
    const ofFamily = (ip: string) => net.isIP(ip) === family;
    const addresses = family === 0 ? undefined : ips?.filter(ofFamily);
    if (addresses !== undefined && addresses.length > 0) {
      const type = question.type as "A" | "AAAA";
      let source: readonly string[] = addresses;
      if (hit?.mode === "flap") {
        hit.flapCounter += 1;
        if (hit.flapCounter % 2 === 0) source = flapSet(`${key}/${type}`, addresses, hit);
      }
      const isAlb = records.has(key);
      const answerModel = type === "A" ? model : model6;
      const given = isAlb
        ? answerModel.answer(key, source, now())
        : { ips: sampleOf(source, maxAnswers, random), ttl, authoritative: true };
      // A stale or fixed list may hold both families: an answer holds only the asked one.
      const own = given.ips.filter(ofFamily);
      const foreignOfFamily = foreign === null ? [] : foreign.ips.filter(ofFamily);
      const final =
        foreign !== null && isAlb && foreignOfFamily.length > 0
          ? forgeAnswer(own, { ...foreign, ips: foreignOfFamily }, random)
          : own;
      const answers: Answer[] = final.map((ip) => ({
        type,
        name: question.name,
        class: "IN",
        ttl: given.ttl,
        data: ip,
      }));
      return response(query, RCODE.NOERROR, answers, 0, given.authoritative);
    }
    if (question.type === "NS" && nameServers) {
      const answers: Answer[] = nameServers.map((ns) => ({
        type: "NS",
        name: question.name,
        class: "IN",
        ttl: 172800,
        data: ns,
      }));
      return response(query, RCODE.NOERROR, answers, 0);
    }
    // Known name, other type: NOERROR with no data (NODATA).
    return response(query, RCODE.NOERROR, [], 0);
  }

  /** Decode and answer raw bytes; malformed input gets FORMERR when it has a header, else nothing. */
  function handle(message: Buffer, transport: Transport): Buffer | null {
    counters.queries += 1;
    options.onQuery?.();
    counters[transport] += 1;
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      if (message.length < 12) return null;
      const flags = (message.readUInt16BE(2) & 0x7800) | 0x8000 | RCODE.FORMERR;
      const header = Buffer.alloc(12);
      header.writeUInt16BE(message.readUInt16BE(0), 0);
      header.writeUInt16BE(flags, 2);
      return header;
    }
    try {
      return answer(query, transport);
    } catch {
      // Encoding failed (e.g. a question name dns-packet cannot re-encode): report a server failure.
      return response(query, RCODE.SERVFAIL, [], 0);
    }
  }

  function later(send: () => void): void {
    if (closed) return;
    if (latencyMs <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) send();
    }, latencyMs);
    timers.add(timer);
  }

  udp.on("message", (message, rinfo) => {
    const reply = handle(message, "udp");
    if (!reply) return;
    later(() => {
      udp.send(reply, rinfo.port, rinfo.address, () => {
        // Send errors (client gone) are not our problem; never crash the server.
      });
    });
  });
  udp.on("error", () => {
    // A UDP socket error (e.g. ICMP port unreachable surfaced on some platforms) must not crash tests.
  });

  tcp.on("connection", (socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (length === 0 || length > MAX_TCP_FRAME) {
          socket.destroy();
          return;
        }
        if (buffered.length < 2 + length) return;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const reply = handle(message, "tcp");
        if (!reply) continue;
        later(() => {
          if (socket.destroyed) return;
          const frame = Buffer.alloc(2 + reply.length);
          frame.writeUInt16BE(reply.length, 0);
          reply.copy(frame, 2);
          socket.write(frame);
        });
      }
    });
  });

  return {
    host,
    port,
    setRecord(name, ips) {
      for (const ip of ips) assertIp(ip, `setRecord(${JSON.stringify(name)})`);
      records.set(normalize(name), [...new Set(ips)]);
    },
    deleteRecord(name) {
      records.delete(normalize(name));
    },
    setNameServers(zone, ns) {
      const names: string[] = [];
      const addresses = new Map<string, string[]>();
      for (const server of ns) {
        assertIpv4(server.ip, `setNameServers(${JSON.stringify(zone)}) for ${JSON.stringify(server.name)}`);
        const key = normalize(server.name);
        const known = addresses.get(key);
        if (known) {
          if (!known.includes(server.ip)) known.push(server.ip);
        } else {
          addresses.set(key, [server.ip]);
          names.push(server.name.replace(/\.+$/, ""));
        }
      }
      // A name server's addresses are replaced, like the zone's NS set.
      for (const [key, ips] of addresses) nsHosts.set(key, ips);
      nsZones.set(normalize(zone), names);
    },
    setFault(next) {
      if (next === null) {
        fault = null;
        return;
      }
      const probability = next.probability ?? 1;
      if (!(probability >= 0 && probability <= 1)) {
        throw new RangeError(`setFault: probability ${probability} is outside 0..1`);
      }
      if (next.remaining !== undefined && !(Number.isInteger(next.remaining) && next.remaining >= 0)) {
        throw new RangeError(`setFault: remaining ${next.remaining} must be an integer >= 0`);
      }
      fault =
        next.remaining === 0
          ? null
          : { mode: next.mode, probability, remaining: next.remaining, flapCounter: 0, flapSets: new Map() };
    },
    setLatency(ms) {
      if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`setLatency: ${ms} must be a number >= 0`);
      latencyMs = ms;
    },
    setBehaviour(next) {
      const make = (): AnswerModel =>
        next === null
          ? uniform()
          : createAnswerModel(checkDnsBehaviour(next), random, { limit: maxAnswers, ttl });
      model = make();
      model6 = make();
    },
    behaviour() {
      return model.behaviour;
    },
    injectForeign(spec) {
      foreign = spec === null ? null : checkForeignInjection(spec);
    },
    stats() {
      return { ...counters };
    },
    resetStats() {
      counters.queries = 0;
      counters.udp = 0;
      counters.tcp = 0;
      counters.faulted = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** Bind UDP and TCP to the same port; with port 0, retry until a port is free for both. */
async function bindBoth(
  host: string,
  requestedPort: number,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  const type = net.isIPv6(host) ? "udp6" : "udp4";
  let lastError: unknown;
  const attempts = requestedPort === 0 ? BIND_ATTEMPTS : 1;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const udp = dgram.createSocket(type);
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once("error", reject);
        udp.bind(requestedPort, host, () => {
          udp.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      udp.close();
      lastError = error;
      continue;
    }
    const port = udp.address().port;
    const tcp = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, host, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
      return { udp, tcp, port };
    } catch (error) {
      lastError = error;
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    }
  }
  throw new Error(
    `DNS server could not bind UDP and TCP on ${host}:${requestedPort} after ${attempts} attempt(s): ` +
      `${String(lastError)}; pick another port or use 0 for a random one`,
  );
}
