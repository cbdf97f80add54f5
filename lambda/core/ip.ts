/**
 * IPv4 helpers for the pure core: validation, numeric comparison, sorting.
 * No I/O; no dependency on `node:net` so the core stays portable and trivially testable.
 */

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

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

/**
 * Comparator for numeric IPv4 order (`10.0.0.9` before `10.0.0.10`). Strings that are not
 * valid addresses sort after every valid one, in plain string order, so the order stays total.
 *
 * @example
 * ["10.0.0.10", "10.0.0.9"].sort(compareIPv4); // ["10.0.0.9", "10.0.0.10"]
 */
export function compareIPv4(a: string, b: string): number {
  const va = isIPv4(a);
  const vb = isIPv4(b);
  if (va && vb) return ipv4ToNumber(a) - ipv4ToNumber(b);
  if (va !== vb) return va ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A new array with the addresses de-duplicated and in numeric IPv4 order.
 *
 * @example
 * sortedUniqueIPv4(["10.0.0.10", "10.0.0.9", "10.0.0.10"]); // ["10.0.0.9", "10.0.0.10"]
 */
export function sortedUniqueIPv4(ips: Iterable<string>): string[] {
  return [...new Set(ips)].sort(compareIPv4);
}
