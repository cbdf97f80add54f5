import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lambda/config/index.js";
import { ConfigError } from "../../lambda/errors.js";

const MINIMAL = Object.freeze({
  ALB_DNS_NAME: "internal-my-alb-123.us-east-1.elb.amazonaws.com",
  ALB_LISTENER: "443",
  S3_BUCKET: "my-state-bucket",
  NLB_TG_ARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/0123456789abcdef",
});

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...MINIMAL, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("ALLOWED_TARGET_CIDRS", () => {
  it("is unrestricted when not set", () => {
    const config = loadConfig(MINIMAL);
    expect(config.allowedTargetCidrs).toBeUndefined();
    expect(config.allowAnyTargetCidr).toBe(false);
  });

  it("reads a comma-separated list of both families, trimmed, de-duplicated, canonical", () => {
    // Act
    const config = loadConfig({
      ...MINIMAL,
      ALLOWED_TARGET_CIDRS: " 10.0.1.0/24, 10.0.2.0/24,2001:DB8:1::/64,10.0.1.0/24 ",
    });

    // Assess
    expect(config.allowedTargetCidrs?.map((c) => c.text)).toEqual([
      "10.0.1.0/24",
      "10.0.2.0/24",
      "2001:db8:1::/64",
    ]);
  });

  it("reports every bad entry in one issue with its code, the value and what to write", () => {
    // Act
    const error = configError({ ALLOWED_TARGET_CIDRS: "10.0.1.0/24,10.0.2.5/24,,vpc-1" });

    // Assess
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      variable: "ALLOWED_TARGET_CIDRS",
      code: "target_cidr_invalid",
      value: "10.0.1.0/24,10.0.2.5/24,,vpc-1",
    });
    expect(error.issues[0]?.expected).toMatch(/entry 2: host bits are set; the block is 10\.0\.2\.0\/24/);
    expect(error.issues[0]?.expected).toMatch(/entry 3: the entry is empty/);
    expect(error.issues[0]?.expected).toMatch(/entry 4: not a CIDR block; write address\/prefix/);
    expect(error.message).toMatch(/ALLOWED_TARGET_CIDRS \(target_cidr_invalid\): got/);
  });

  it.each(["0.0.0.0/0", "10.0.0.0/8,::/0"])("refuses %s unless ALLOW_ANY_TARGET_CIDR is true", (list) => {
    const error = configError({ ALLOWED_TARGET_CIDRS: list });
    expect(error.issues.map((i) => i.code)).toEqual(["target_cidr_any"]);
    expect(error.issues[0]?.expected).toMatch(/ALLOW_ANY_TARGET_CIDR=true/);
    const forced = loadConfig({ ...MINIMAL, ALLOWED_TARGET_CIDRS: list, ALLOW_ANY_TARGET_CIDR: "true" });
    expect(forced.allowAnyTargetCidr).toBe(true);
  });

  it("accepts an IPv6-only list at cold start: whether a target group's family has a block is checked per pair at run time", () => {
    const config = loadConfig({ ...MINIMAL, ALLOWED_TARGET_CIDRS: "2001:db8:1::/64" });
    expect(config.allowedTargetCidrs?.map((c) => c.text)).toEqual(["2001:db8:1::/64"]);
  });

  it("joins the one ConfigError that lists every other problem too", () => {
    const error = configError({
      ALB_LISTENER: "70000",
      ALLOWED_TARGET_CIDRS: "0.0.0.0/0",
      ALLOW_ANY_TARGET_CIDR: "yes",
    });
    expect(error.issues.map((i) => i.variable).sort()).toEqual([
      "ALB_LISTENER",
      "ALLOWED_TARGET_CIDRS",
      "ALLOW_ANY_TARGET_CIDR",
    ]);
    expect(error.issues.find((i) => i.variable === "ALLOW_ANY_TARGET_CIDR")?.code).toBe(
      "allow_any_target_cidr_invalid",
    );
  });

  it("refuses a list longer than 64 blocks", () => {
    const list = Array.from({ length: 65 }, (_, i) => `10.${i}.0.0/16`).join(",");
    expect(configError({ ALLOWED_TARGET_CIDRS: list }).issues[0]?.code).toBe("target_cidr_too_many");
  });
});
