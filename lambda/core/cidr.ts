/**
 * CIDR blocks of both IP families for the pure core: parsing, containment, canonical text.
 * No I/O and no dependency on `node:net` (like `ip.ts`): addresses are held as bigints, so IPv4
 * (32 bits) and IPv6 (128 bits) share one containment rule. An address only ever matches a block
 * of its own family: `::ffff:10.0.0.1` is an IPv6 address and is not inside `10.0.0.0/8`.
 */
import { isIPv4 } from "./ip.js";

/** The two IP families. */
export type IpFamily = "ipv4" | "ipv6";

/** A parsed CIDR block: network address with the host bits zero, and prefix length. */
export interface Cidr {
  readonly family: IpFamily;
  /** The network address as an unsigned integer (32 or 128 bits). */
  readonly network: bigint;
  readonly prefix: number;
  /** Canonical text: `10.0.0.0/16`, `2001:db8::/32` (RFC 5952 lower case, longest zero run compressed). */
  readonly text: string;
}

/** A parsed address. */
export interface ParsedIp {
  readonly family: IpFamily;
  readonly value: bigint;
}

const BITS: Readonly<Record<IpFamily, number>> = { ipv4: 32, ipv6: 128 };
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function ipv4Value(text: string): bigint {
  let n = 0n;
  for (const octet of text.split(".")) n = (n << 8n) | BigInt(Number(octet));
  return n;
}

/** The 8 groups of an IPv6 address, or undefined when `text` is not one (no zone index, no brackets). */
function ipv6Groups(text: string): number[] | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  let head = text;
  const tail: number[] = [];
  // A trailing dotted quad stands for the last two groups (e.g. ::ffff:10.0.0.1).
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.slice(lastColon + 1).includes(".")) {
    const quad = text.slice(lastColon + 1);
    if (!isIPv4(quad)) return undefined;
    const v = Number(ipv4Value(quad));
    tail.push(Math.floor(v / 65536), v % 65536);
    // Keep the colon before the quad when it belongs to a "::" (e.g. "::1.2.3.4").
    head = text.slice(0, text[lastColon - 1] === ":" ? lastColon + 1 : lastColon);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups = part.split(":");
    if (!groups.every((g) => HEX_GROUP.test(g))) return undefined;
    return groups.map((g) => Number.parseInt(g, 16));
  };
  const left = parse(halves[0] ?? "");
  if (left === undefined) return undefined;
  if (halves.length === 1) {
    const groups = [...left, ...tail];
    return groups.length === 8 ? groups : undefined;
  }
  const right = parse(halves[1] ?? "");
  if (right === undefined) return undefined;
  const present = left.length + right.length + tail.length;
  // "::" stands for at least one zero group.
  if (present > 7) return undefined;
  return [...left, ...new Array<number>(8 - present).fill(0), ...right, ...tail];
}

/**
 * Parses an IPv4 dotted quad (canonical: no leading zeros) or an IPv6 address (any RFC 4291 text
 * form, including a trailing dotted quad; no zone index). Undefined for anything else.
 *
 * @example
 * parseIp("10.0.1.5"); // { family: "ipv4", value: 167772421n }
 * parseIp("2001:db8::1")?.family; // "ipv6"
 */
export function parseIp(text: string): ParsedIp | undefined {
  if (isIPv4(text)) return { family: "ipv4", value: ipv4Value(text) };
  if (!text.includes(":")) return undefined;
  const groups = ipv6Groups(text);
  if (groups === undefined) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return { family: "ipv6", value };
}

/**
 * The canonical text of an address value: dotted quad, or RFC 5952 IPv6 (lower case, no leading
 * zeros, the longest run of two or more zero groups compressed to `::`, the first on a tie).
 *
 * @example
 * formatIp({ family: "ipv6", value: 1n }); // "::1"
 */
export function formatIp(ip: ParsedIp): string {
  if (ip.family === "ipv4") {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 255n)).join(".");
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) =>
    Number((ip.value >> shift) & 0xffffn),
  );
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(":");
  if (best.length < 2) return hex(groups);
  return `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
}

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
