/**
 * IPv4 helpers: parsing, CIDR membership and the ranges AWS accepts as IP targets.
 */
import net from "node:net";

/** A parsed CIDR block. */
export interface Cidr {
  /** The text as given, e.g. `10.0.0.0/16`. */
  readonly text: string;
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

/** Convert a dotted quad to an unsigned 32-bit integer; throws on anything else. */
export function ipToInt(ip: string): number {
  if (!net.isIPv4(ip)) {
    throw new TypeError(`${JSON.stringify(ip)} is not an IPv4 address; use dotted quads like "10.0.1.5"`);
  }
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0) >>> 0;
}

/** Convert an unsigned 32-bit integer to a dotted quad. */
export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}

/** True when `value` is a dotted-quad IPv4 address. */
export function isIpv4(value: string): boolean {
  return net.isIPv4(value);
}

/**
 * Parse `a.b.c.d/n`; throws a TypeError naming the bad value otherwise.
 *
 * @example
 * parseCidr("10.0.0.0/16").size; // 65536
 */
export function parseCidr(text: string): Cidr {
  const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(text.trim());
  const prefix = match ? Number(match[2]) : Number.NaN;
  if (!match || !isIpv4(match[1] ?? "") || prefix < 8 || prefix > 28) {
    throw new TypeError(
      `${JSON.stringify(text)} is not a usable IPv4 CIDR; use a block like "10.0.0.0/16" (/8 to /28)`,
    );
  }
  const size = 2 ** (32 - prefix);
  const base = (ipToInt(match[1] ?? "") - (ipToInt(match[1] ?? "") % size)) >>> 0;
  return { text: `${intToIp(base)}/${prefix}`, base, prefix, size };
}

/** True when `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  if (!isIpv4(ip)) return false;
  const value = ipToInt(ip);
  return value >= cidr.base && value < cidr.base + cidr.size;
}

const TARGETABLE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map(parseCidrUnchecked);

function parseCidrUnchecked(text: string): Cidr {
  const [ip = "", prefix = "0"] = text.split("/");
  const size = 2 ** (32 - Number(prefix));
  return { text, base: ipToInt(ip), prefix: Number(prefix), size };
}

/** RFC 1918 or RFC 6598 (100.64.0.0/10): the ranges ELBv2 accepts for IP targets outside the VPC. */
export function isTargetableOutsideVpc(ip: string): boolean {
  return TARGETABLE.some((cidr) => cidrContains(cidr, ip));
}

/** Sort IPv4 addresses numerically. */
export function sortIps(ips: Iterable<string>): string[] {
  return [...ips].sort((a, b) => ipToInt(a) - ipToInt(b));
}

/** True when `value` is an IPv6 address (any text form). */
export function isIpv6(value: string): boolean {
  return net.isIPv6(value);
}

/**
 * The canonical (RFC 5952: lower case, longest zero run compressed) text of an IPv6 address, as AWS
 * shows a registered IPv6 target whatever form it was registered in. WHATWG URL serialises IPv6
 * hosts exactly so.
 */
export function canonicalIpv6(ip: string): string {
  if (!net.isIPv6(ip)) throw new TypeError(`${JSON.stringify(ip)} is not an IPv6 address`);
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** An IPv6 CIDR block (the VPC's /56). */
export interface Cidr6 {
  readonly text: string;
  readonly base: bigint;
  readonly prefix: number;
}

function ipv6Value(ip: string): bigint {
  const full = canonicalIpv6(ip);
  const [head = "", tail = ""] = full.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = full.includes("::") ? (tail === "" ? [] : tail.split(":")) : [];
  const groups = full.includes("::")
    ? [...left, ...new Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function ipv6Text(value: bigint): string {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((value >> s) & 0xffffn).toString(16));
  return canonicalIpv6(groups.join(":"));
}

/** Parse an IPv6 `address/prefix` (/44 to /64); throws a TypeError naming the bad value otherwise. */
export function parseCidr6(text: string): Cidr6 {
  const [address = "", prefixText = ""] = text.trim().split("/");
  const prefix = Number(prefixText);
  if (!net.isIPv6(address) || !/^[0-9]{2}$/.test(prefixText) || prefix < 44 || prefix > 64) {
    throw new TypeError(
      `${JSON.stringify(text)} is not a usable IPv6 CIDR; use a block like "2600:1f18:4a3:6a00::/56" (/44 to /64)`,
    );
  }
  const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  const base = ipv6Value(address) & mask;
  return { text: `${ipv6Text(base)}/${prefix}`, base, prefix };
}

/** True when the IPv6 address `ip` lies inside `cidr`. */
export function cidr6Contains(cidr: Cidr6, ip: string): boolean {
  if (!net.isIPv6(ip)) return false;
  const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - cidr.prefix)) - 1n);
  return (ipv6Value(ip) & mask) === cidr.base;
}

/**
 * The IPv6 address a dualstack ALB node with IPv4 `ipv4` has in the VPC's IPv6 block: the IPv4
 * address's third octet picks the /64 subnet, and the host part is derived from the whole IPv4
 * address (deterministic, so the two families scale together).
 *
 * @example
 * pairedIpv6(parseCidr6("2600:1f18:4a3:6a00::/56"), "10.0.1.5"); // "2600:1f18:4a3:6a01:0:a00:0:105"
 */
export function pairedIpv6(cidr: Cidr6, ipv4: string): string {
  const v = BigInt(ipToInt(ipv4));
  const subnet = (v >> 8n) & 0xffn;
  const host = (((v >> 16n) & 0xffffn) << 32n) | (v & 0xffffn);
  return ipv6Text(cidr.base | (subnet << 64n) | host);
}
