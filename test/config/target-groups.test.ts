/** TARGET_GROUPS: several (port, target group) pairs for one function, validated at cold start. */
import { describe, expect, it } from "vitest";
import { loadConfig, MAX_TARGET_GROUPS, pairLabel, stateKey } from "../../lambda/config/index.js";
import { ConfigError } from "../../lambda/errors.js";

const arn = (name: string, id = "0123456789abcdef", region = "us-east-1") =>
  `arn:aws:elasticloadbalancing:${region}:123456789012:targetgroup/${name}/${id}`;
const WEB80 = arn("web-80");
const WEB443 = arn("web-443", "fedcba9876543210");
const WEB443V6 = arn("web-443-v6", "00112233aabbccdd");

const BASE = Object.freeze({
  ALB_DNS_NAME: "internal-my-alb-123.us-east-1.elb.amazonaws.com",
  S3_BUCKET: "my-state-bucket",
  AWS_REGION: "us-east-1",
});

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe("TARGET_GROUPS", () => {
  it("reads PORT=ARN pairs in order, trimmed, frozen", () => {
    // Act
    const config = loadConfig({ ...BASE, TARGET_GROUPS: ` 80=${WEB80} , 443=${WEB443},443=${WEB443V6} ` });

    // Assess
    expect(config.targetGroups).toEqual([
      { port: 80, targetGroupArn: WEB80 },
      { port: 443, targetGroupArn: WEB443 },
      { port: 443, targetGroupArn: WEB443V6 },
    ]);
    expect(Object.isFrozen(config.targetGroups)).toBe(true);
    expect(Object.isFrozen(config.targetGroups[0])).toBe(true);
  });

  it("keeps the original ALB_LISTENER + NLB_TG_ARN pair working unchanged, as one entry", () => {
    const config = loadConfig({ ...BASE, ALB_LISTENER: "443", NLB_TG_ARN: WEB443 });
    expect(config.targetGroups).toEqual([{ port: 443, targetGroupArn: WEB443 }]);
    expect(stateKey(config, config.targetGroups[0]!)).toBe("alb-static-ip/web-443-fedcba9876543210/443.json");
  });

  it("gives every pair its own state key, also one target group on two ports", () => {
    const config = loadConfig({ ...BASE, TARGET_GROUPS: `80=${WEB80},8080=${WEB80},443=${WEB443}` });
    const keys = config.targetGroups.map((p) => stateKey(config, p));
    expect(new Set(keys).size).toBe(3);
    expect(keys[1]).toBe("alb-static-ip/web-80-0123456789abcdef/8080.json");
    expect(config.targetGroups.map(pairLabel)).toEqual([
      "80=targetgroup/web-80/0123456789abcdef",
      "8080=targetgroup/web-80/0123456789abcdef",
      "443=targetgroup/web-443/fedcba9876543210",
    ]);
  });

  it.each([
    ["ALB_LISTENER", { ALB_LISTENER: "443" }],
    ["NLB_TG_ARN", { NLB_TG_ARN: WEB443 }],
  ])("may not be combined with %s", (other, extra) => {
    const error = configError({ TARGET_GROUPS: `443=${WEB443}`, ...extra });
    expect(error.issues.map((i) => i.code)).toEqual(["target_groups_combined"]);
    expect(error.message).toContain(`${other} is set as well`);
  });

  it("requires ALB_LISTENER and NLB_TG_ARN when TARGET_GROUPS is not set", () => {
    const error = configError({});
    expect(error.issues.map((i) => i.variable)).toEqual(["ALB_LISTENER", "NLB_TG_ARN"]);
  });

  it.each([
    [
      "a port of 0",
      `0=${WEB80}`,
      "target_groups_port_invalid",
      /entry 1: port "0" is not a whole number from 1 to 65535/,
    ],
    ["a port of 65536", `65536=${WEB80}`, "target_groups_port_invalid", /port "65536"/],
    ["a port that is not a number", `http=${WEB80}`, "target_groups_port_invalid", /port "http"/],
    ["an entry without =", WEB80, "target_groups_entry_invalid", /entry 1 .* has no =/],
    ["an empty entry", `80=${WEB80},,443=${WEB443}`, "target_groups_entry_invalid", /entry 2 is empty/],
    [
      "a load balancer ARN",
      "80=arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/x/0123456789abcdef",
      "target_groups_arn_invalid",
      /load balancer ARN/,
    ],
    [
      "an ARN of another region",
      `80=${arn("web", "0123456789abcdef", "eu-west-1")}`,
      "target_groups_region",
      /function's region us-east-1 .* is in eu-west-1/,
    ],
    [
      "a duplicate pair",
      `443=${WEB443},80=${WEB80},443=${WEB443}`,
      "target_groups_duplicate",
      /443=arn:.*web-443.* is listed twice/,
    ],
  ])("refuses %s", (_name, value, code, message) => {
    const error = configError({ TARGET_GROUPS: value });
    expect(error.issues.map((i) => i.code)).toEqual([code]);
    expect(error.message).toMatch(message);
  });

  it(`refuses more than ${MAX_TARGET_GROUPS} pairs`, () => {
    const value = Array.from({ length: MAX_TARGET_GROUPS + 1 }, (_, i) => `${8000 + i}=${WEB80}`).join(",");
    const error = configError({ TARGET_GROUPS: value });
    expect(error.issues.map((i) => i.code)).toEqual(["target_groups_too_many"]);
    expect(error.message).toContain(`11 entries, at most ${MAX_TARGET_GROUPS}`);
  });

  it("accepts exactly the maximum", () => {
    const value = Array.from({ length: MAX_TARGET_GROUPS }, (_, i) => `${8000 + i}=${WEB80}`).join(",");
    expect(loadConfig({ ...BASE, TARGET_GROUPS: value }).targetGroups).toHaveLength(MAX_TARGET_GROUPS);
  });

  it("lists every problem of every entry, and the other variables' problems, in one ConfigError", () => {
    // Act
    const error = configError({
      TARGET_GROUPS: `0=${WEB80},443=not-an-arn,80=${arn("x", "0123456789abcdef", "eu-west-1")},nothing`,
      S3_BUCKET: "Bad_Bucket",
    });

    // Assess
    expect(error.issues.map((i) => i.code ?? i.variable).sort()).toEqual(
      [
        "S3_BUCKET",
        "target_groups_arn_invalid",
        "target_groups_entry_invalid",
        "target_groups_port_invalid",
        "target_groups_region",
      ].sort(),
    );
    expect(error.message).toMatch(/entry 4 "nothing" has no =/);
    expect(error.message).toMatch(/entry 2: this is not an ARN/);
  });
});
