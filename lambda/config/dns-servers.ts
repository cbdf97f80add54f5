/**
 * DNS_SERVERS: comma-separated `host[:port]` entries (IPv4, [IPv6]:port, bare IPv6, host names).
 */
import { isIPv4, isIPv6 } from "node:net";
// zod/mini: the same validation as classic zod at ~15 KiB instead of ~450 KiB of bundle (cold start).
import * as z from "zod/mini";
import { DNS_SERVER_ENTRY_PATTERN, dnsNameProblem } from "./rules.js";
import type { Schema } from "./schemas.js";

/** One server to query. */
export interface DnsServer {
  host: string;
  port: number;
}

const MAX_DNS_SERVERS = 16;

/** Parses one `host[:port]` entry of DNS_SERVERS. */
function parseDnsServer(entry: string): DnsServer | string {
  if (!DNS_SERVER_ENTRY_PATTERN.test(entry)) return "not host[:port], [IPv6]:port or an IPv6 address";
  let host: string;
  let port = "53";
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1] ?? "";
    port = bracketed[2] ?? port;
    if (!isIPv6(host)) return "the address in [ ] is not an IPv6 address";
  } else if ((entry.match(/:/g) ?? []).length > 1) {
    if (!isIPv6(entry)) return "not an IPv6 address (write [IPv6]:port to give a port)";
    host = entry;
  } else {
    const colon = entry.lastIndexOf(":");
    host = (colon >= 0 ? entry.slice(0, colon) : entry).toLowerCase();
    port = colon >= 0 ? entry.slice(colon + 1) : port;
    if (host === "") return "the host is missing";
    if (/^[0-9.]+$/.test(host) && !isIPv4(host)) return "not a valid IPv4 address";
    if (!isIPv4(host)) {
      const problem = dnsNameProblem(host.replace(/\.$/, ""), 1);
      if (problem) return `the host is neither an IP address nor a host name: ${problem}`;
    }
  }
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return "the port must be a whole number from 1 to 65535";
  }
  return Object.freeze({ host: host.replace(/\.$/, ""), port: Number(port) });
}

export const dnsServersSchema: Schema<readonly DnsServer[]> = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const entries = value.split(",").map((e) => e.trim());
    if (entries.length > MAX_DNS_SERVERS) {
      ctx.issues.push({
        code: "custom",
        message: `${entries.length} entries, at most ${MAX_DNS_SERVERS}`,
        input: value,
      });
      return z.NEVER;
    }
    const parsed = entries.map((entry) => (entry === "" ? "the entry is empty" : parseDnsServer(entry)));
    const problems = parsed.flatMap((p, i) => (typeof p === "string" ? [`entry ${i + 1}: ${p}`] : []));
    if (problems.length > 0) {
      ctx.issues.push({ code: "custom", message: problems.join("; "), input: value });
      return z.NEVER;
    }
    return Object.freeze(parsed.filter((p): p is DnsServer => typeof p !== "string"));
  }),
);
