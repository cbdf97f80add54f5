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
