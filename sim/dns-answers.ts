/**
 * Answer models of the sim's DNS server: what one server puts in an A (or AAAA) answer for the ALB's name.
 * `sim/dns.ts` runs one model per record type (the A and AAAA caches are separate, as a resolver's are)
 * and keeps only the addresses of the asked family, so every behaviour below applies to AAAA as to A.
 * Real answers need not be independent uniform samples from a truthful server, so the local world
 * can serve every way they are not:
 *
 * - `uniform`: a uniformly random ≤ 8 subset of the current IPs, TTL 60, authoritative (AA) — Route 53;
 * - `caching`: a recursive resolver's cache: one sample repeated verbatim until its TTL runs out, the TTL
 *   counting down, AA clear — the VPC resolver in DNS_SERVERS;
 * - `stale`: an authoritative server that serves an old, fixed list;
 * - `short`: a partial server whose answers (with a probability) hold only `size` of the current IPs;
 * - `azBalanced`: answers spread as evenly as possible over AZ groups of the given sizes (the current list
 *   split in order), so the IPs of a large AZ appear far less often than those of a small one;
 * - `fixed`: this server's own answer set, whatever the ALB has.
 *
 * Pure apart from the injected random numbers and clock; `sim/dns.ts` applies the result.
 */
import net from "node:net";

/** One server's answer model. */
export type DnsBehaviour =
  | { model: "uniform" }
  | { model: "caching"; ttlSeconds?: number }
  | { model: "stale"; ips: string[] }
  | { model: "short"; size: number; probability?: number }
  | { model: "azBalanced"; groups: number[] }
  | { model: "fixed"; ips: string[] };

/** What the model answers. */
export interface ModelAnswer {
  ips: string[];
  ttl: number;
  /** The AA flag. */
  authoritative: boolean;
}

/** A model bound to one server: `answer` may keep state (the cache). */
export interface AnswerModel {
  readonly behaviour: DnsBehaviour;
  answer(name: string, current: readonly string[], now: number): ModelAnswer;
}

const MODELS = ["uniform", "caching", "stale", "short", "azBalanced", "fixed"] as const;

function ipList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 1000) {
    throw new RangeError(
      `${what}: ips must be a list of 1 to 1000 IPv4 or IPv6 addresses, got ${JSON.stringify(value)}`,
    );
  }
  const bad = value.filter((ip) => typeof ip !== "string" || net.isIP(ip) === 0);
  if (bad.length > 0) throw new TypeError(`${what}: not IP addresses: ${JSON.stringify(bad.slice(0, 5))}`);
  return [...new Set(value as string[])];
}

/**
 * Validates a behaviour from the control API or a test; throws a RangeError/TypeError naming the field.
 *
 * @example
 * checkDnsBehaviour({ model: "short", size: 3 }); // { model: "short", size: 3, probability: 1 }
 */
export function checkDnsBehaviour(input: unknown): DnsBehaviour {
  const b = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const what = `DNS behaviour ${JSON.stringify(input)}`;
  switch (b.model) {
    case "uniform":
      return { model: "uniform" };
    case "caching": {
      const ttl = b.ttlSeconds ?? 60;
      if (!(typeof ttl === "number" && Number.isInteger(ttl) && ttl >= 1 && ttl <= 86_400)) {
        throw new RangeError(`${what}: ttlSeconds must be a whole number of seconds from 1 to 86400`);
      }
      return { model: "caching", ttlSeconds: ttl };
    }
    case "stale":
    case "fixed":
      return { model: b.model, ips: ipList(b.ips, what) };
    case "short": {
      const size = b.size;
      const probability = b.probability ?? 1;
      if (!(typeof size === "number" && Number.isInteger(size) && size >= 1 && size <= 7)) {
        throw new RangeError(`${what}: size must be a whole number from 1 to 7 (an answer shorter than 8)`);
      }
      if (!(typeof probability === "number" && probability >= 0 && probability <= 1)) {
        throw new RangeError(`${what}: probability must be a number from 0 to 1`);
      }
      return { model: "short", size, probability };
    }
    case "azBalanced": {
      const groups = b.groups;
      if (
        !Array.isArray(groups) ||
        groups.length === 0 ||
        groups.length > 8 ||
        !groups.every((g) => typeof g === "number" && Number.isInteger(g) && g >= 0)
      ) {
        throw new RangeError(`${what}: groups must be 1 to 8 whole numbers >= 0, the AZ sizes`);
      }
      return { model: "azBalanced", groups: [...groups] as number[] };
    }
    default:
      throw new RangeError(`${what}: model must be one of ${MODELS.join(", ")}`);
  }
}

/** A uniformly random subset of `pool` of size min(count, N), by partial Fisher–Yates. */
export function sampleOf(pool: readonly string[], count: number, random: () => number): string[] {
  const copy = [...pool];
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    const tmp = copy[i]!;
    copy[i] = copy[j]!;
    copy[j] = tmp;
  }
  return copy.slice(0, n);
}

/** `current` split in order into groups of `sizes` (the last non-empty group takes any remainder). */
export function azGroups(current: readonly string[], sizes: readonly number[]): string[][] {
  const groups: string[][] = [];
  let at = 0;
  sizes.forEach((size, i) => {
    const end = i === sizes.length - 1 ? current.length : Math.min(current.length, at + size);
    groups.push(current.slice(at, end));
    at = end;
  });
  return groups.filter((g) => g.length > 0);
}

/**
 * An answer of min(limit, N) IPs spread over `groups` as evenly as possible: each group gets
 * ⌊limit/G⌋ slots, the extra slots go to random groups, a group smaller than its share gives all
 * it has and the rest go to groups with IPs left.
 */
export function azBalancedAnswer(groups: readonly string[][], limit: number, random: () => number): string[] {
  const total = groups.reduce((n, g) => n + g.length, 0);
  let slots = Math.min(limit, total);
  const share = groups.map(() => 0);
  const order = sampleOf(
    groups.map((_, i) => String(i)),
    groups.length,
    random,
  ).map(Number);
  while (slots > 0) {
    let given = false;
    for (const g of order) {
      if (slots === 0) break;
      if (share[g]! < groups[g]!.length) {
        share[g]! += 1;
        slots -= 1;
        given = true;
      }
    }
    if (!given) break;
  }
  return groups.flatMap((group, g) => sampleOf(group, share[g]!, random));
}

/**
 * Binds a behaviour to one server.
 *
 * @example
 * const model = createAnswerModel({ model: "caching", ttlSeconds: 60 }, Math.random, { limit: 8, ttl: 60 });
 * model.answer("alb.example", ips, Date.now()); // the same IPs until 60 s later, AA clear
 */
export function createAnswerModel(
  behaviour: DnsBehaviour,
  random: () => number,
  options: { limit: number; ttl: number },
): AnswerModel {
  const cache = new Map<string, { ips: string[]; at: number }>();
  const { limit, ttl } = options;
  const authoritative = (ips: string[]): ModelAnswer => ({ ips, ttl, authoritative: true });
  return {
    behaviour,
    answer(name, current, now) {
      switch (behaviour.model) {
        case "uniform":
          return authoritative(sampleOf(current, limit, random));
        case "caching": {
          const lifetime = (behaviour.ttlSeconds ?? 60) * 1000;
          let entry = cache.get(name);
          if (entry === undefined || now - entry.at >= lifetime) {
            entry = { ips: sampleOf(current, limit, random), at: now };
            cache.set(name, entry);
          }
          const left = Math.max(0, Math.floor((lifetime - (now - entry.at)) / 1000));
          return { ips: [...entry.ips], ttl: left, authoritative: false };
        }
        case "stale":
        case "fixed":
          return authoritative(sampleOf(behaviour.ips, limit, random));
        case "short": {
          const hit = (behaviour.probability ?? 1) >= 1 || random() < (behaviour.probability ?? 1);
          return authoritative(sampleOf(current, hit ? Math.min(behaviour.size, limit) : limit, random));
        }
        case "azBalanced":
          return authoritative(azBalancedAnswer(azGroups(current, behaviour.groups), limit, random));
      }
    },
  };
}
