import { describe, expect, it } from "vitest";
import { compareIPv4, ipv4ToNumber, isIPv4, sortedUniqueIPv4 } from "../../lambda/core/ip.js";

describe("isIPv4", () => {
  it.each(["0.0.0.0", "10.0.1.25", "255.255.255.255", "100.64.0.1"])("accepts %s", (ip) => {
    expect(isIPv4(ip)).toBe(true);
  });

  it.each([
    "",
    "10.0.0",
    "10.0.0.1.2",
    "256.0.0.1",
    "10.0.0.01",
    " 10.0.0.1",
    "10.0.0.1 ",
    "::1",
    "a.b.c.d",
    "1e1.0.0.1",
  ])("rejects %j", (value) => {
    expect(isIPv4(value)).toBe(false);
  });
});

describe("ordering", () => {
  it("converts to the unsigned 32-bit value", () => {
    expect(ipv4ToNumber("255.255.255.255")).toBe(2 ** 32 - 1);
    expect(ipv4ToNumber("10.0.0.1")).toBe(167772161);
  });

  it("sorts numerically, not as strings, and de-duplicates", () => {
    // Act
    const sorted = sortedUniqueIPv4(["10.0.0.100", "10.0.0.9", "9.255.255.255", "10.0.0.10", "10.0.0.9"]);

    // Assess
    expect(sorted).toEqual(["9.255.255.255", "10.0.0.9", "10.0.0.10", "10.0.0.100"]);
  });

  it("puts values that are not addresses after every address, in a total order", () => {
    // Act
    const sorted = ["zz", "10.0.0.1", "aa", "1.1.1.1"].sort(compareIPv4);

    // Assess
    expect(sorted).toEqual(["1.1.1.1", "10.0.0.1", "aa", "zz"]);
  });
});
