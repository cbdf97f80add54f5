/**
 * Find every IP of an ALB name, with evidence.
 *
 * A DNS answer for an ALB holds at most 8 addresses, a subset of the N current ones. We keep
 * `concurrency` queries in flight (spread round-robin across the servers from a random first
 * server, each query taking a token from the run's bucket, `rate.ts`: a burst, then a polite
 * long-run rate), feed every answer to the
 * pure evidence rules (`evidence.ts`: the stop rule, short answers, contradictions, caches) and
 * stop when they are satisfied. At the query cap or the deadline the observation is incomplete
 * (queries still in flight at the deadline are cancelled); with no answer at all it is failed.
 * DNS errors are counted by kind, never thrown. `queries` counts every query sent.
 */
import { type IpFamily, RECORD_TYPE, sortedUniqueIps } from "../core/ip.js";
import { DiscoveryError } from "../errors.js";
import type { DnsErrorKind, Observation } from "../types.js";
import { createDnsClient, type DnsClient, type DnsServerAddress, type QueryResult } from "./dns-client.js";
import { createEvidence } from "./evidence.js";
import { createTokenBucket, QUERY_RATE_PER_SECOND, type TokenBucket } from "./rate.js";

/** Most queries in flight. */
export const MAX_CONCURRENCY = 32;
/** The highest long-run query rate a discovery's own bucket may have, whatever the caller asks (`rate.ts`). */
export const MAX_QUERIES_PER_SECOND = QUERY_RATE_PER_SECOND;
/** Route 53 puts at most this many A (or AAAA) records in one answer for an ALB. */
export const ANSWER_LIMIT = 8;

/** Options of {@link discoverAlbIps}. */
export interface DiscoverOptions {
  /** The ALB DNS name. */
  name: string;
  /** Which addresses: `ipv4` (A records, the default) or `ipv6` (AAAA records of a dualstack ALB). */
  family?: IpFamily | undefined;
  /** Servers to ask (authoritative ones, see `resolveDnsServers`, or `DNS_SERVERS`). */
  servers: readonly DnsServerAddress[];
  /** Budget per query attempt in ms. */
  timeoutMs: number;
  /** Queries in flight, 1..32. */
  concurrency: number;
  /** Hard cap on queries sent; reaching it without confidence gives `complete: false`. */
  maxQueries: number;
  /** Stop once P(some IP of the set was never seen) is below this, e.g. 1e-6. In (0, 1). */
  missProbability: number;
  /**
   * The bucket every query takes a token from; pass the run's to share the burst and the rate between its A and
   * AAAA discoveries. Default: a fresh full bucket (`rate.ts`).
   */
  queryBucket?: TokenBucket | undefined;
  /** Long-run rate of the fresh bucket when no `queryBucket` is given; default and maximum {@link MAX_QUERIES_PER_SECOND}. */
  maxQueriesPerSecond?: number;
  /** Epoch ms at which discovery stops: no new query, those in flight cancelled (the observation is then incomplete). */
  deadline?: number;
  /** Random numbers in [0, 1) for the first server of the run. Default `Math.random`. */
  random?: () => number;
  /** Attempts per query (only timeouts are retried). Default 1: another server is the better retry. */
  tries?: number;
  /**
   * How many IPs the last discovery of this name saw (the container remembers it). Only the pace changes: with
   * 8 or more, the first wave is the answers such a set needs (up to `concurrency`) instead of a two-query
   * probe. The evidence and the stop rule never see it.
   */
  expectedIps?: number | undefined;
}

/** Queries of the first wave when nothing is known: two answers settle an ALB of fewer than 8 IPs. */
export const PROBE_QUERIES = 2;

/** Sort addresses numerically (IPv4 before IPv6) and drop duplicates: core/ip's sortedUniqueIps. */
export const sortIps: (ips: Iterable<string>) => string[] = sortedUniqueIps;

function validate(options: DiscoverOptions): void {
  const problems: string[] = [];
  if (typeof options.name !== "string" || options.name.trim() === "") {
    problems.push(`name ${JSON.stringify(options.name)} must be a DNS name`);
  }
  if (
    !Number.isInteger(options.concurrency) ||
    options.concurrency < 1 ||
    options.concurrency > MAX_CONCURRENCY
  ) {
    problems.push(`concurrency ${options.concurrency} must be an integer in 1..${MAX_CONCURRENCY}`);
  }
  if (!Number.isInteger(options.maxQueries) || options.maxQueries < 1) {
    problems.push(`maxQueries ${options.maxQueries} must be an integer >= 1`);
  }
  if (!(options.missProbability > 0 && options.missProbability < 1)) {
    problems.push(`missProbability ${options.missProbability} must be in (0, 1), e.g. 1e-6`);
  }
  if (!(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
    problems.push(`timeoutMs ${options.timeoutMs} must be a positive number of milliseconds`);
  }
  const rate = options.maxQueriesPerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    problems.push(
      `maxQueriesPerSecond ${rate} must be a positive number (at most ${MAX_QUERIES_PER_SECOND} is used)`,
    );
  }
  if (options.deadline !== undefined && !Number.isFinite(options.deadline)) {
    problems.push(`deadline ${options.deadline} must be epoch milliseconds`);
  }
  if (problems.length > 0) throw new RangeError(`discoverAlbIps: ${problems.join("; ")}`);
  if (options.servers.length === 0) {
    throw new DiscoveryError(
      `No DNS servers to query for ${JSON.stringify(options.name)}; set DNS_SERVERS or let the name servers be discovered`,
    );
  }
}

/**
 * Full-size answers that the stop rule needs, in expectation, to prove a set of `n` IPs when every IP is seen
 * equally often: the smallest q with (n+1)·(1 − m/(n+1))^q < missProbability (`evidence.ts`, with p̂ = m/(n+1)).
 * A pace, not a rule: discovery uses it to size its waves, the evidence decides when to stop.
 *
 * @example
 * expectedAnswers(28, 8, 1e-6); // 53
 */
export function expectedAnswers(n: number, answerLimit: number, missProbability: number): number {
  if (!(n >= answerLimit)) return PROBE_QUERIES;
  const q = Math.log(missProbability / (n + 1)) / Math.log(1 - answerLimit / (n + 1));
  return Math.max(PROBE_QUERIES, Math.ceil(q));
}

/**
 * The bucket a discovery takes its query tokens from: the caller's, or a fresh full one whose rate is
 * `maxQueriesPerSecond` capped at {@link MAX_QUERIES_PER_SECOND}.
 *
 * @example
 * queryBucketOf({ maxQueriesPerSecond: 100_000 }, Date.now()).ratePerSecond; // 250: the cap
 */
export function queryBucketOf(
  options: Pick<DiscoverOptions, "queryBucket" | "maxQueriesPerSecond">,
  now: number,
): TokenBucket {
  return (
    options.queryBucket ??
    createTokenBucket(now, {
      ratePerSecond: Math.min(options.maxQueriesPerSecond ?? MAX_QUERIES_PER_SECOND, MAX_QUERIES_PER_SECOND),
    })
  );
}

/**
 * Round-robin over servers from a random first one (so no single server decides every run),
 * skipping the ones whose last query failed while others remain.
 */
function createServerPicker(
  clients: readonly DnsClient[],
  random: () => number,
): {
  next(): number;
  mark(index: number, ok: boolean): void;
} {
  const down = new Array<boolean>(clients.length).fill(false);
  let cursor = Math.floor(random() * clients.length) % clients.length;
  return {
    next() {
      if (down.every(Boolean)) down.fill(false);
      for (let step = 0; step < clients.length; step++) {
        const index = (cursor + step) % clients.length;
        if (!down[index]) {
          cursor = index + 1;
          return index;
        }
      }
      return 0;
    },
    mark(index, ok) {
      down[index] = !ok;
    },
  };
}

/**
 * Query `options.servers` for the A (or, with `family: "ipv6"`, AAAA) records of `options.name` until every IP is found with the
 * requested confidence, the cap or deadline is reached, or the servers keep failing.
 *
 * @example
 * const observation = await discoverAlbIps({
 *   name: "internal-x-1.us-east-1.elb.amazonaws.com",
 *   servers: [{ host: "127.0.0.1", port: 5353 }],
 *   timeoutMs: 500, concurrency: 16, maxQueries: 500, missProbability: 1e-6,
 * });
 * // { ips: [...], complete: true, failed: false, queries: 43, ... }
 */
export async function discoverAlbIps(options: DiscoverOptions): Promise<Observation> {
  validate(options);
  const started = performance.now();
  const bucket = queryBucketOf(options, Date.now());
  const clientOptions = { timeoutMs: options.timeoutMs, tries: options.tries ?? 1 };
  const clients = options.servers.map((server) => createDnsClient(server, clientOptions));
  // Every server's socket opens now, beside the first query, not in front of each server's first query.
  for (const client of clients) client.open();
  const picker = createServerPicker(clients, options.random ?? Math.random);
  const evidence = createEvidence({
    missProbability: options.missProbability,
    answerLimit: ANSWER_LIMIT,
    servers: clients.length,
  });
  const recordType = RECORD_TYPE[options.family ?? "ipv4"];
  // A dead or refusing DNS: stop after two waves (the probe, then a full window) without an
  // answer, and not before every server was tried twice.
  const failureCutoff = Math.max(options.concurrency + 1, 2 * clients.length);

  const errors: Record<DnsErrorKind, number> = {
    servfail: 0,
    nxdomain: 0,
    timeout: 0,
    refused: 0,
    empty: 0,
    other: 0,
  };
  let sent = 0;
  let answers = 0;
  let consecutiveFailures = 0;
  let stopped = false;
  /** Workers waiting for a result, a rate-limit slot, or the stop. */
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    const woken = [...waiters];
    waiters.clear();
    for (const wake of woken) wake();
  };
  let signalStopped: () => void = () => {};
  const stoppedEarly = new Promise<void>((resolve) => {
    signalStopped = resolve;
  });

  const finish = () => {
    if (stopped) return;
    stopped = true;
    signalStopped();
    wakeAll();
  };

  const record = (result: QueryResult, server: number) => {
    picker.mark(server, result.ok);
    if (!result.ok) {
      errors[result.kind] += 1;
      consecutiveFailures += 1;
      if (consecutiveFailures >= failureCutoff) finish();
      return;
    }
    consecutiveFailures = 0;
    answers += 1;
    evidence.add({ server, ips: result.ips, authoritative: result.authoritative });
    if (evidence.verdict().done) finish();
  };

  /** Resolves after `ms`, or earlier on any result or the stop. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  /** Resolves on the next result or the stop. */
  const nextResult = () => new Promise<void>((resolve) => waiters.add(resolve));
  let inFlight = 0;
  let results = 0;
  /** Before any result: the probe, or for a remembered set of 8 IPs or more, the answers it is expected to need. */
  const firstWave = expectedAnswers(options.expectedIps ?? 0, ANSWER_LIMIT, options.missProbability);
  /**
   * The queries in flight may be all we need: the first wave before any result (most ALBs have
   * fewer than 8 IPs, so two answers often suffice), or as many as the answers still needed if
   * no new IP shows up. Never true with nothing in flight, so discovery cannot stall.
   */
  const inFlightSuffices = () =>
    inFlight > 0 && inFlight >= (results === 0 ? firstWave : evidence.answersNeeded());

  /** Sends queries one after another until discovery stops or the cap is reached. */
  const worker = async () => {
    while (!stopped && sent < options.maxQueries) {
      if (options.deadline !== undefined && Date.now() >= options.deadline) return;
      if (inFlightSuffices()) {
        await nextResult();
        continue;
      }
      const now = Date.now();
      if (!bucket.take(now)) {
        const wait = bucket.delayMs(now);
        if (options.deadline !== undefined && now + wait > options.deadline) return;
        await pause(wait);
        continue;
      }
      sent += 1;
      inFlight += 1;
      const server = picker.next();
      const result = await clients[server]!.query(options.name, recordType);
      inFlight -= 1;
      results += 1;
      if (!stopped) record(result, server);
      wakeAll();
    }
  };

  // At the deadline, stop: queries in flight are cancelled (closing the clients), not awaited.
  const deadlineTimer =
    options.deadline === undefined
      ? undefined
      : setTimeout(finish, Math.max(0, options.deadline - Date.now()));
  const workers = Promise.all(Array.from({ length: options.concurrency }, worker));
  try {
    await Promise.race([workers, stoppedEarly]);
  } finally {
    clearTimeout(deadlineTimer);
    finish();
    for (const client of clients) client.close();
  }

  const failed = answers === 0;
  const verdict = evidence.verdict();
  return {
    ips: sortIps(evidence.seen),
    queries: sent,
    answers,
    errors,
    complete: verdict.complete && !failed,
    failed,
    missBound: verdict.missBound,
    notes: verdict.notes,
    durationMs: Math.round(performance.now() - started),
  };
}
