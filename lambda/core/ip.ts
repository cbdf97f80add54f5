/**
 * IP address helpers of both families for the pure core: parsing, canonical text, family,
 * numeric comparison, sorting. No I/O and no dependency on `node:net`, so the core stays portable
 * and trivially testable; addresses are held as bigints so IPv4 (32 bits) and IPv6 (128 bits)
 * share one code path.
 *
 * Canonical text is what the core compares, stores and sends: the dotted quad for IPv4 (no
 * leading zeros), RFC 5952 for IPv6 (lower case, no leading zeros, the longest run of two or more
 * zero groups compressed), so `2001:db8::1` and `2001:0DB8:0:0:0:0:0:1` are one target. An
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is an IPv6 address, never the IPv4 one.
 */

/** The two IP families, named as ELBv2 names a target group's IP address type. */
export type IpFamily = "ipv4" | "ipv6";

/** The two families, IPv4 first (the order the core sorts them in). */
export const IP_FAMILIES: readonly IpFamily[] = Object.freeze(["ipv4", "ipv6"]);

/** A parsed address. */
export interface ParsedIp {
  readonly family: IpFamily;
  /** The address as an unsigned integer (32 or 128 bits). */
  readonly value: bigint;
}

/** Address bits per family. */
export const FAMILY_BITS: Readonly<Record<IpFamily, number>> = Object.freeze({ ipv4: 32, ipv6: 128 });

/** The DNS record type that holds addresses of a family. */
export const RECORD_TYPE: Readonly<Record<IpFamily, "A" | "AAAA">> = Object.freeze({
  ipv4: "A",
  ipv6: "AAAA",
});

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * True when `value` is an IPv4 address in canonical dotted-quad form (four decimal octets
 * 0–255, no leading zeros, no whitespace).
 *
 * @example
 * isIPv4("10.0.1.25"); // true
 * isIPv4("10.0.1.025"); // false (leading zero)
 */
export function isIPv4(value: string): boolean {
  return DOTTED_QUAD.test(value);
}

/**
 * The address as an unsigned 32-bit number. The caller must pass a valid address (see {@link isIPv4}).
 *
 * @example
 * ipv4ToNumber("10.0.0.1"); // 167772161
 */
export function ipv4ToNumber(ip: string): number {
  let n = 0;
  for (const octet of ip.split(".")) n = n * 256 + Number(octet);
  return n;
}

function ipv4Value(text: string): bigint {
  return BigInt(ipv4ToNumber(text));
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
    const v = ipv4ToNumber(quad);
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
 * form, either case, including a trailing dotted quad; no zone index, no brackets). Undefined for
 * anything else.
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

/**
 * The canonical text of an address of either family, or undefined when `text` is not an address.
 *
 * @example
 * canonicalIp("2001:0DB8:0:0:0:0:0:1"); // "2001:db8::1"
 * canonicalIp("10.0.0.1"); // "10.0.0.1"
 */
export function canonicalIp(text: string): string | undefined {
  const parsed = parseIp(text);
  return parsed === undefined ? undefined : formatIp(parsed);
}

/**
 * The family of an address, or undefined when `text` is not an address.
 *
 * @example
 * ipFamily("2001:db8::1"); // "ipv6"
 */
export function ipFamily(text: string): IpFamily | undefined {
  return parseIp(text)?.family;
}

/**
 * True when `text` is an address of `family` in canonical text (what the core stores and sends).
 *
 * @example
 * isCanonicalIp("2001:db8::1", "ipv6"); // true
 * isCanonicalIp("2001:DB8::1", "ipv6"); // false (not lower case)
 */
export function isCanonicalIp(text: string, family: IpFamily): boolean {
  const parsed = parseIp(text);
  return parsed !== undefined && parsed.family === family && formatIp(parsed) === text;
}

/**
 * Comparator of both families: IPv4 before IPv6, numeric within a family (`10.0.0.9` before
 * `10.0.0.10`, `2001:db8::9` before `2001:db8::10`). Strings that are not addresses sort after
 * every address, in plain string order, so the order stays total. Two texts of one address
 * compare equal.
 *
 * @example
 * ["2001:db8::1", "10.0.0.10", "10.0.0.9"].sort(compareIp); // ["10.0.0.9", "10.0.0.10", "2001:db8::1"]
 */
export function compareIp(a: string, b: string): number {
  const pa = parseIp(a);
  const pb = parseIp(b);
  if (pa !== undefined && pb !== undefined) {
    if (pa.family !== pb.family) return pa.family === "ipv4" ? -1 : 1;
    return pa.value < pb.value ? -1 : pa.value > pb.value ? 1 : 0;
  }
  if ((pa === undefined) !== (pb === undefined)) return pa !== undefined ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The IPv4-only comparator of earlier releases: {@link compareIp}, which orders IPv4 the same way. */
export const compareIPv4: (a: string, b: string) => number = compareIp;

/**
 * A new array of the addresses in canonical text, de-duplicated (two texts of one address are one)
 * and in {@link compareIp} order. Strings that are not addresses are kept as they are, last.
 *
 * @example
 * sortedUniqueIps(["2001:0db8::1", "10.0.0.9", "2001:db8::1"]); // ["10.0.0.9", "2001:db8::1"]
 */
export function sortedUniqueIps(ips: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const ip of ips) out.add(canonicalIp(ip) ?? ip);
  return [...out].sort(compareIp);
}

/** The IPv4-era name of {@link sortedUniqueIps}. */
export const sortedUniqueIPv4: (ips: Iterable<string>) => string[] = sortedUniqueIps;
