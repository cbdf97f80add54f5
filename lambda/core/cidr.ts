/**
 * CIDR blocks of both IP families for the pure core: parsing, containment, canonical text.
 * No I/O and no dependency on `node:net`; addresses are parsed by `ip.ts` into bigints, so IPv4
 * (32 bits) and IPv6 (128 bits) share one containment rule. An address only ever matches a block
 * of its own family: `::ffff:10.0.0.1` is an IPv6 address and is not inside `10.0.0.0/8`.
 */
import { FAMILY_BITS, formatIp, type IpFamily, parseIp } from "./ip.js";

export type { IpFamily, ParsedIp } from "./ip.js";
export { formatIp, parseIp } from "./ip.js";

/** A parsed CIDR block: network address with the host bits zero, and prefix length. */
export interface Cidr {
  readonly family: IpFamily;
  /** The network address as an unsigned integer (32 or 128 bits). */
  readonly network: bigint;
  readonly prefix: number;
  /** Canonical text: `10.0.0.0/16`, `2001:db8::/32` (RFC 5952 lower case, longest zero run compressed). */
  readonly text: string;
}

const BITS = FAMILY_BITS;

/** Why a text is not a CIDR block, phrased for the user, or the block. */
export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; problem: string };

function mask(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/**
 * Parses `address/prefix` (IPv4 or IPv6). The prefix is required (write `/32` or `/128` for one
 * address) and the host bits must be zero, so a typo such as `10.0.1.0/16` is caught instead of
 * silently widened or narrowed.
 *
 * @example
 * parseCidr("10.0.0.0/16"); // { ok: true, cidr: { family: "ipv4", prefix: 16, text: "10.0.0.0/16", … } }
 * parseCidr("10.0.1.0/16"); // { ok: false, problem: "host bits are set; the block is 10.0.0.0/16" }
 */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf("/");
  if (slash < 0) {
    const ip = parseIp(text);
    if (ip === undefined)
      return { ok: false, problem: "not a CIDR block; write address/prefix, e.g. 10.0.1.0/24" };
    return { ok: false, problem: `no /prefix length; for this one address write ${text}/${BITS[ip.family]}` };
  }
  const ip = parseIp(text.slice(0, slash));
  if (ip === undefined) return { ok: false, problem: "the part before / is not an IPv4 or IPv6 address" };
  const prefixText = text.slice(slash + 1);
  const bits = BITS[ip.family];
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, problem: `the prefix length must be a whole number from 0 to ${bits}` };
  }
  const prefix = Number(prefixText);
  const network = ip.value & mask(ip.family, prefix);
  const canonical = `${formatIp({ family: ip.family, value: network })}/${prefix}`;
  if (network !== ip.value) return { ok: false, problem: `host bits are set; the block is ${canonical}` };
  return { ok: true, cidr: { family: ip.family, network, prefix, text: canonical } };
}

/**
 * True when the address `ip` (text) lies inside `cidr`. False for text that is not an address and
 * for an address of the other family.
 *
 * @example
 * const parsed = parseCidr("10.0.0.0/16");
 * if (parsed.ok) cidrContains(parsed.cidr, "10.0.200.7"); // true
 */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const parsed = parseIp(ip);
  if (parsed === undefined || parsed.family !== cidr.family) return false;
  return (parsed.value & mask(cidr.family, cidr.prefix)) === cidr.network;
}

/** True for `0.0.0.0/0` and `::/0`: blocks that allow every address of their family. */
export function isAnyAddress(cidr: Cidr): boolean {
  return cidr.prefix === 0;
}
