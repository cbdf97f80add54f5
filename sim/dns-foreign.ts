/**
 * Forged answers for the sim's DNS server: one answer-mutation hook that replaces part or all of
 * an A answer with injected "foreign" IPs (a VPC host outside the ALB's subnets, a peered private
 * range), as an on-path attacker spoofing UDP answers would. It only rewrites the final answer
 * list, so it composes with every other DNS behaviour (faults, answer models).
 */
import net from "node:net";

/** How answers are forged. */
export interface ForeignInjection {
  /** The foreign addresses to inject (1–64, distinct; IPv4 ones forge A answers, IPv6 ones AAAA answers). */
  ips: string[];
  /** Chance that one answer is forged, 0..1. Default 1. */
  probability?: number;
  /** `mix`: about half of a forged answer's records (at least one) become foreign; `replace`: all. Default `mix`. */
  mode?: "mix" | "replace";
}

/** Validates an injection; throws a TypeError/RangeError naming the bad field. */
export function checkForeignInjection(spec: ForeignInjection): Required<ForeignInjection> {
  if (!Array.isArray(spec.ips) || spec.ips.length === 0 || spec.ips.length > 64) {
    throw new RangeError(
      `injectForeign: ips must be 1 to 64 IPv4 or IPv6 addresses, got ${JSON.stringify(spec.ips)}`,
    );
  }
  const bad = spec.ips.filter((ip) => typeof ip !== "string" || net.isIP(ip) === 0);
  if (bad.length > 0) throw new TypeError(`injectForeign: not IP addresses: ${JSON.stringify(bad)}`);
  const probability = spec.probability ?? 1;
  if (!(probability >= 0 && probability <= 1)) {
    throw new RangeError(`injectForeign: probability ${probability} is outside 0..1`);
  }
  const mode = spec.mode ?? "mix";
  if (mode !== "mix" && mode !== "replace") {
    throw new RangeError(`injectForeign: mode must be "mix" or "replace", got ${JSON.stringify(mode)}`);
  }
  return { ips: [...new Set(spec.ips)], probability, mode };
}

/**
 * The answer after forging: `answer` unchanged when the dice say no; else, in `mix` mode, with about half
 * its records replaced by foreign IPs, and in `replace` mode foreign IPs only (distinct, never more
 * records than the answer had, at least one).
 *
 * @example
 * forgeAnswer(["10.0.1.5", "10.0.2.6"], { ips: ["172.31.0.9"], probability: 1, mode: "mix" }, Math.random);
 * // ["172.31.0.9", "10.0.2.6"]
 */
export function forgeAnswer(
  answer: readonly string[],
  spec: Required<ForeignInjection>,
  random: () => number,
): string[] {
  if (spec.probability < 1 && random() >= spec.probability) return [...answer];
  const size = Math.max(1, answer.length);
  const forged = spec.mode === "replace" ? size : Math.max(1, Math.floor(size / 2));
  const pool = [...spec.ips];
  const picked: string[] = [];
  while (picked.length < forged && pool.length > 0) {
    picked.push(...pool.splice(Math.floor(random() * pool.length), 1));
  }
  if (spec.mode === "replace") return picked;
  const kept = answer.filter((ip) => !picked.includes(ip)).slice(0, size - picked.length);
  return [...picked, ...kept];
}
