/**
 * AWS_MAX_ATTEMPTS and AWS_REQUEST_TIMEOUT_MS: bounded retries and per-attempt timeouts, so a hung connection
 * cannot eat the Lambda timeout (and the fault matrix can test hung calls in well under a second).
 */
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS, loadConfig } from "../../lambda/config/index.js";
import { ConfigError } from "../../lambda/errors.js";

const MINIMAL = Object.freeze({
  ALB_DNS_NAME: "internal-my-alb-123.us-east-1.elb.amazonaws.com",
  ALB_LISTENER: "443",
  S3_BUCKET: "my-state-bucket",
  NLB_TG_ARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/0123456789abcdef",
});

describe("AWS client settings in the config", () => {
  it("defaults to 3 attempts and a 5 s request timeout", () => {
    // Act
    const config = loadConfig(MINIMAL);

    // Assess
    expect(config.awsMaxAttempts).toBe(CONFIG_DEFAULTS.AWS_MAX_ATTEMPTS);
    expect(config.awsMaxAttempts).toBe(3);
    expect(config.awsRequestTimeoutMs).toBe(5000);
  });

  it("reads both variables", () => {
    // Act
    const config = loadConfig({ ...MINIMAL, AWS_MAX_ATTEMPTS: "1", AWS_REQUEST_TIMEOUT_MS: "250" });

    // Assess
    expect(config.awsMaxAttempts).toBe(1);
    expect(config.awsRequestTimeoutMs).toBe(250);
  });

  it("rejects settings with which a change and its record could not fit in Lambda's longest timeout, saying what to lower", () => {
    // Act: 10 attempts of 60 s: a call may take 618 s, a change and its record 1237 s.
    const act = () => loadConfig({ ...MINIMAL, AWS_MAX_ATTEMPTS: "10", AWS_REQUEST_TIMEOUT_MS: "60000" });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(
      /AWS_REQUEST_TIMEOUT_MS[\s\S]*function timeout of 1239 s, beyond Lambda's 900 s[\s\S]*Lower/,
    );
  });

  it("accepts long settings that still fit in 900 s", () => {
    // Act: 3 attempts of 60 s: a function timeout of 371 s is enough.
    const config = loadConfig({ ...MINIMAL, AWS_MAX_ATTEMPTS: "3", AWS_REQUEST_TIMEOUT_MS: "60000" });

    // Assess
    expect(config.awsRequestTimeoutMs).toBe(60_000);
  });

  it.each([
    ["AWS_MAX_ATTEMPTS", "0"],
    ["AWS_MAX_ATTEMPTS", "11"],
    ["AWS_MAX_ATTEMPTS", "-1"],
    ["AWS_MAX_ATTEMPTS", "three"],
    ["AWS_REQUEST_TIMEOUT_MS", "99"],
    ["AWS_REQUEST_TIMEOUT_MS", "60001"],
    ["AWS_REQUEST_TIMEOUT_MS", "1e3"],
    ["AWS_REQUEST_TIMEOUT_MS", "5000\u0000"],
  ])("rejects %s=%j naming the variable and the range", (variable, value) => {
    // Act
    const act = () => loadConfig({ ...MINIMAL, [variable]: value });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(new RegExp(`${variable}[\\s\\S]*(from \\d+ to \\d+|digits)`));
  });
});
