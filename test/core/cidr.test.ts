import { BlockList, isIPv6 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidrContains, formatIp, isAnyAddress, parseCidr, parseIp } from "../../lambda/core/cidr.js";

/** An independent oracle: Node's own BlockList (libuv/inet_pton), which the core does not use. */
function nodeContains(network: string, prefix: number, family: "ipv4" | "ipv6", ip: string): boolean {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list.check(ip, family);
}

const v4 = fc.ipV4();
const v6 = fc.ipV6();

/** A block of `family` containing or not containing `ip`, built from its bits. */
function blockOf(ip: string, prefix: number): string {
  const parsed = parseIp(ip);
  if (!parsed) throw new Error(`not an IP: ${ip}`);
  const bits = parsed.family === "ipv4" ? 32n : 128n;
  const mask = ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
  return `${formatIp({ family: parsed.family, value: parsed.value & mask })}/${prefix}`;
}

describe("parseIp", () => {
  it.each([
    ["10.0.1.5", "ipv4", "10.0.1.5"],
    ["::", "ipv6", "::"],
    ["::1", "ipv6", "::1"],
    ["2001:DB8:0:0:0:0:0:1", "ipv6", "2001:db8::1"],
    ["2001:db8:0:1:0:0:0:0", "ipv6", "2001:db8:0:1::"],
    ["::ffff:10.0.0.1", "ipv6", "::ffff:a00:1"],
    ["1:2:3:4:5:6:1.2.3.4", "ipv6", "1:2:3:4:5:6:102:304"],
  ])("reads %s as %s %s", (text, family, canonical) => {
    const parsed = parseIp(text);
    expect(parsed?.family).toBe(family);
    expect(parsed && formatIp(parsed)).toBe(canonical);
  });

  it.each([
    "",
    "10.0.0",
    "10.0.0.01",
    "1:2:3:4:5:6:7",
    "1::2::3",
    "12345::",
    "fe80::1%eth0",
    ":::",
    "1:",
    "[::1]",
  ])("refuses %j", (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it("agrees with node:net on every IPv6 text fast-check generates, and formats round-trip", () => {
    fc.assert(
      fc.property(v6, (text) => {
        const parsed = parseIp(text);
        expect(parsed?.family).toBe("ipv6");
        expect(isIPv6(text)).toBe(true);
        expect(parseIp(formatIp(parsed!))).toEqual(parsed);
      }),
    );
  });

  it("accepts no string that node:net rejects as an IPv6 address", () => {
    const alphabet = fc.constantFrom(..."0123456789abcdefABCDEF:.".split(""));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 45 }), (text) => {
        const parsed = parseIp(text);
        if (parsed?.family === "ipv6") expect(isIPv6(text), text).toBe(true);
        if (text.includes(":") && isIPv6(text)) expect(parsed?.family, text).toBe("ipv6");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/16", "10.0.0.0/16"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["10.0.1.5/32", "10.0.1.5/32"],
    ["2001:DB8::/32", "2001:db8::/32"],
    ["::/0", "::/0"],
  ])("reads %s as %s", (text, canonical) => {
    const parsed = parseCidr(text);
    expect(parsed.ok && parsed.cidr.text).toBe(canonical);
  });

  it.each([
    ["10.0.0.1", /write 10\.0\.0\.1\/32/],
    ["2001:db8::1", /write 2001:db8::1\/128/],
    ["10.0.1.0/16", /host bits are set; the block is 10\.0\.0\.0\/16/],
    ["10.0.0.0/33", /0 to 32/],
    ["2001:db8::/129", /0 to 128/],
    ["10.0.0.0/", /0 to 32/],
    ["10.0.0.0/+8", /0 to 32/],
    ["10.0.0/8", /not an IPv4 or IPv6 address/],
    ["vpc-123/16", /not an IPv4 or IPv6 address/],
  ])("refuses %s and says why", (text, why) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.problem).toMatch(why);
  });

  it("marks only /0 blocks as allowing any address", () => {
    const any = ["0.0.0.0/0", "::/0"].map((t) => parseCidr(t));
    const narrow = ["0.0.0.0/1", "::/1", "10.0.0.0/8"].map((t) => parseCidr(t));
    expect(any.every((p) => p.ok && isAnyAddress(p.cidr))).toBe(true);
    expect(narrow.every((p) => p.ok && !isAnyAddress(p.cidr))).toBe(true);
  });
});

describe("cidrContains", () => {
  it.each([
    ["10.0.0.0/16", "10.0.255.255", true],
    ["10.0.0.0/16", "10.1.0.0", false],
    ["10.0.1.0/24", "10.0.2.1", false],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    // No cross-family matches, not even through IPv4-mapped IPv6 addresses.
    ["10.0.0.0/8", "::ffff:10.0.0.1", false],
    ["::/0", "10.0.0.1", false],
    ["0.0.0.0/0", "::1", false],
    ["10.0.0.0/8", "not-an-ip", false],
  ])("%s contains %s: %s", (block, ip, expected) => {
    const parsed = parseCidr(block);
    expect(parsed.ok && cidrContains(parsed.cidr, ip)).toBe(expected);
  });

  it("agrees with node:net's BlockList for IPv4 addresses and blocks", () => {
    fc.assert(
      fc.property(v4, v4, fc.integer({ min: 0, max: 32 }), (ip, base, prefix) => {
        const block = blockOf(base, prefix);
        const parsed = parseCidr(block);
        expect(parsed.ok).toBe(true);
        const [network = ""] = block.split("/");
        expect(parsed.ok && cidrContains(parsed.cidr, ip)).toBe(nodeContains(network, prefix, "ipv4", ip));
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with node:net's BlockList for IPv6 addresses and blocks", () => {
    fc.assert(
      fc.property(v6, v6, fc.integer({ min: 0, max: 128 }), (ip, base, prefix) => {
        const block = blockOf(base, prefix);
        const parsed = parseCidr(block);
        expect(parsed.ok).toBe(true);
        const [network = ""] = block.split("/");
        expect(parsed.ok && cidrContains(parsed.cidr, ip)).toBe(nodeContains(network, prefix, "ipv6", ip));
      }),
      { numRuns: 2000 },
    );
  });

  it("contains every address of a block built around it, at every prefix length", () => {
    fc.assert(
      fc.property(fc.oneof(v4, v6), fc.nat(128), (ip, n) => {
        const prefix = n % ((parseIp(ip)?.family === "ipv4" ? 32 : 128) + 1);
        const parsed = parseCidr(blockOf(ip, prefix));
        expect(parsed.ok && cidrContains(parsed.cidr, ip)).toBe(true);
      }),
    );
  });
});
