import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS, describeValue, loadConfig, looksSecret, stateKey } from "../lambda/config/index.js";
import { ConfigError } from "../lambda/errors.js";

const TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/0123456789abcdef";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

const MINIMAL = Object.freeze({
  ALB_DNS_NAME: "internal-my-alb-123.us-east-1.elb.amazonaws.com",
  ALB_LISTENER: "443",
  S3_BUCKET: "my-state-bucket",
  NLB_TG_ARN: TG_ARN,
});

type Env = Record<string, string | undefined>;

/** Runs loadConfig and returns the ConfigError it throws (fails the test when it does not throw one). */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env).slice(0, 200)}`);
}

describe("loadConfig with valid input", () => {
  it("keeps the healthy bound at least INVOCATIONS_BEFORE_DEREGISTRATION when only that is raised", () => {
    // Act
    const config = loadConfig({ ...MINIMAL, INVOCATIONS_BEFORE_DEREGISTRATION: "40" });

    // Assess
    expect(config.invocationsBeforeDeregistrationHealthy).toBe(40);
  });

  it("rejects a healthy bound below INVOCATIONS_BEFORE_DEREGISTRATION, naming both", () => {
    // Act / Assess
    expect(() =>
      loadConfig({
        ...MINIMAL,
        INVOCATIONS_BEFORE_DEREGISTRATION: "5",
        HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION: "4",
      }),
    ).toThrow(
      /HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION: got "4".*below INVOCATIONS_BEFORE_DEREGISTRATION \(5\)/,
    );
  });

  it("fills the documented defaults for a minimal environment", () => {
    // Prepare
    const env = { ...MINIMAL };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config).toEqual({
      albDnsName: MINIMAL.ALB_DNS_NAME,
      targetGroups: [{ port: 443, targetGroupArn: TG_ARN }],
      s3Bucket: "my-state-bucket",
      maxLookupPerInvocation: 1000,
      invocationsBeforeDeregistration: 3,
      invocationsBeforeDeregistrationHealthy: 15,
      cwMetricFlagIpCount: true,
      sameVpc: true,
      stateKeyPrefix: "alb-static-ip/",
      dnsServers: undefined,
      dnsTimeoutMs: 1000,
      dnsConcurrency: 16,
      missProbability: 1e-6,
      maxDeregistrationsPerRun: 10,
      dryRun: false,
      metricNamespace: "ALBStaticIP",
      logLevel: "INFO",
      discoveryMode: "dns",
      region: undefined,
      awsMaxAttempts: 3,
      awsRequestTimeoutMs: 5000,
      allowedTargetCidrs: undefined,
      allowAnyTargetCidr: false,
      cleanupUnservedPorts: false,
      discovery: { alb: undefined, vpcId: undefined, roleArn: undefined, roleExternalId: undefined },
    });
  });

  it("agrees with CONFIG_DEFAULTS", () => {
    // Act
    const config = loadConfig(MINIMAL);

    // Assess
    expect(config.maxLookupPerInvocation).toBe(CONFIG_DEFAULTS.MAX_LOOKUP_PER_INVOCATION);
    expect(config.stateKeyPrefix).toBe(CONFIG_DEFAULTS.STATE_KEY_PREFIX);
    expect(config.metricNamespace).toBe(CONFIG_DEFAULTS.METRIC_NAMESPACE);
    expect(config.missProbability).toBe(CONFIG_DEFAULTS.MISS_PROBABILITY);
  });

  it("lower-cases the ALB DNS name and removes the trailing dot", () => {
    // Act
    const config = loadConfig({
      ...MINIMAL,
      ALB_DNS_NAME: "Internal-My-ALB-123.US-East-1.elb.amazonaws.com.",
    });

    // Assess
    expect(config.albDnsName).toBe("internal-my-alb-123.us-east-1.elb.amazonaws.com");
  });

  it.each([
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["1", true],
    ["false", false],
    ["False", false],
    ["FALSE", false],
    ["0", false],
  ])("reads the boolean %j as %s", (word, expected) => {
    // Act
    const config = loadConfig({
      ...MINIMAL,
      SAME_VPC: word,
      DRY_RUN: word,
      CW_METRIC_FLAG_IP_COUNT: word,
      CLEANUP_UNSERVED_PORTS: word,
    });

    // Assess
    expect([config.sameVpc, config.dryRun, config.cwMetricFlagIpCount, config.cleanupUnservedPorts]).toEqual([
      expected,
      expected,
      expected,
      expected,
    ]);
  });

  it("treats empty optional variables as unset and trims surrounding whitespace", () => {
    // Act
    const config = loadConfig({
      ...MINIMAL,
      ALB_LISTENER: " 8080\n",
      DNS_TIMEOUT_MS: "",
      DNS_SERVERS: "",
      AWS_REGION: "",
      INVOCATIONS_BEFORE_DEREGISTRATION: "  5 ",
    });

    // Assess
    expect(config.targetGroups[0]?.port).toBe(8080);
    expect(config.dnsTimeoutMs).toBe(1000);
    expect(config.dnsServers).toBeUndefined();
    expect(config.region).toBeUndefined();
    expect(config.invocationsBeforeDeregistration).toBe(5);
  });

  it("accepts the range limits of every numeric variable", () => {
    // Act
    const low = loadConfig({
      ...MINIMAL,
      ALB_LISTENER: "1",
      MAX_LOOKUP_PER_INVOCATION: "1",
      INVOCATIONS_BEFORE_DEREGISTRATION: "1",
      DNS_TIMEOUT_MS: "50",
      DNS_CONCURRENCY: "1",
      MAX_DEREGISTRATIONS_PER_RUN: "1",
    });
    const high = loadConfig({
      ...MINIMAL,
      ALB_LISTENER: "65535",
      MAX_LOOKUP_PER_INVOCATION: "5000",
      INVOCATIONS_BEFORE_DEREGISTRATION: "1000",
      DNS_TIMEOUT_MS: "30000",
      DNS_CONCURRENCY: "32",
      MAX_DEREGISTRATIONS_PER_RUN: "1000",
      MISS_PROBABILITY: "0.5",
    });

    // Assess
    expect([low.targetGroups[0]?.port, low.dnsTimeoutMs, low.dnsConcurrency]).toEqual([1, 50, 1]);
    expect([high.targetGroups[0]?.port, high.maxLookupPerInvocation, high.maxDeregistrationsPerRun]).toEqual([
      65535, 5000, 1000,
    ]);
    expect(high.missProbability).toBe(0.5);
  });

  it.each([
    ["1e-6", 1e-6],
    ["1E-9", 1e-9],
    ["0.001", 0.001],
    [".25", 0.25],
  ])("reads MISS_PROBABILITY %j as %d", (text, expected) => {
    // Act
    const config = loadConfig({ ...MINIMAL, MISS_PROBABILITY: text });

    // Assess
    expect(config.missProbability).toBe(expected);
  });

  it("parses DNS_SERVERS entries of every accepted form, port 53 by default", () => {
    // Act
    const config = loadConfig({
      ...MINIMAL,
      DNS_SERVERS: "127.0.0.1:5353, 10.0.0.2,[::1]:53, fd00::2 ,NS-1.Example.com:1053,localhost",
    });

    // Assess
    expect(config.dnsServers).toEqual([
      { host: "127.0.0.1", port: 5353 },
      { host: "10.0.0.2", port: 53 },
      { host: "::1", port: 53 },
      { host: "fd00::2", port: 53 },
      { host: "ns-1.example.com", port: 1053 },
      { host: "localhost", port: 53 },
    ]);
  });

  it("reads LOG_LEVEL in any case and returns it upper-case", () => {
    // Act
    const config = loadConfig({ ...MINIMAL, LOG_LEVEL: "debug" });

    // Assess
    expect(config.logLevel).toBe("DEBUG");
  });

  it("keeps an explicitly empty STATE_KEY_PREFIX (keys at the bucket root)", () => {
    // Act
    const config = loadConfig({ ...MINIMAL, STATE_KEY_PREFIX: "" });

    // Assess
    expect(config.stateKeyPrefix).toBe("");
    expect(stateKey(config, config.targetGroups[0]!)).toBe("my-tg-0123456789abcdef/443.json");
  });

  it.each([
    ["us-east-1", TG_ARN],
    ["cn-north-1", "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/tg/0123456789abcdef"],
    [
      "us-gov-west-1",
      "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:targetgroup/tg/0123456789abcdef",
    ],
  ])("accepts a target group in the function's region %s", (region, arn) => {
    // Act
    const config = loadConfig({ ...MINIMAL, AWS_REGION: region, NLB_TG_ARN: arn });

    // Assess
    expect(config.region).toBe(region);
    expect(config.targetGroups[0]?.targetGroupArn).toBe(arn);
  });

  it("ignores unknown variables", () => {
    // Act
    const config = loadConfig({ ...MINIMAL, PATH: "/usr/bin", SOMETHING_ELSE: "\u0000garbage" });

    // Assess
    expect(config.targetGroups[0]?.port).toBe(443);
  });

  it("returns a frozen config with a frozen DNS server list", () => {
    // Prepare
    const config = loadConfig({ ...MINIMAL, DNS_SERVERS: "127.0.0.1:5353" });
    const servers = config.dnsServers as { host: string; port: number }[];

    // Act
    const mutations = [
      () => Object.assign(config, { targetGroups: [] }),
      () => servers.push({ host: "10.0.0.1", port: 53 }),
      () => Object.assign(servers[0] ?? {}, { port: 1 }),
    ];

    // Assess
    expect(Object.isFrozen(config)).toBe(true);
    for (const mutate of mutations) expect(mutate).toThrow(TypeError);
    expect(config.targetGroups[0]?.port).toBe(443);
    expect(config.dnsServers).toEqual([{ host: "127.0.0.1", port: 5353 }]);
  });
});

describe("loadConfig with bad input", () => {
  const long = "a".repeat(10_000);
  const cases: [variable: string, value: string][] = [
    // ALB_DNS_NAME
    ["ALB_DNS_NAME", "http://internal-my-alb-123.us-east-1.elb.amazonaws.com/"],
    ["ALB_DNS_NAME", "10.0.0.1"],
    ["ALB_DNS_NAME", "localhost"],
    ["ALB_DNS_NAME", "-bad.example.com"],
    ["ALB_DNS_NAME", `${"a".repeat(64)}.example.com`],
    ["ALB_DNS_NAME", "my alb.example.com"],
    ["ALB_DNS_NAME", "alb.example.com:443"],
    ["ALB_DNS_NAME", "alb.example.com\nX-Injected: 1"],
    ["ALB_DNS_NAME", long],
    // ALB_LISTENER
    ["ALB_LISTENER", "0"],
    ["ALB_LISTENER", "65536"],
    ["ALB_LISTENER", "-1"],
    ["ALB_LISTENER", "80a"],
    ["ALB_LISTENER", "1.5"],
    ["ALB_LISTENER", "1e3"],
    ["ALB_LISTENER", "4 43"],
    ["ALB_LISTENER", "9".repeat(10_000)],
    // S3_BUCKET
    ["S3_BUCKET", "ab"],
    ["S3_BUCKET", "a".repeat(64)],
    ["S3_BUCKET", "My-Bucket"],
    ["S3_BUCKET", "my_bucket"],
    ["S3_BUCKET", "-bucket"],
    ["S3_BUCKET", "my..bucket"],
    ["S3_BUCKET", "192.168.1.1"],
    ["S3_BUCKET", "xn--bucket"],
    ["S3_BUCKET", "sthree-bucket"],
    ["S3_BUCKET", "amzn-s3-demo-bucket"],
    ["S3_BUCKET", "bucket-s3alias"],
    ["S3_BUCKET", "bucket--ol-s3"],
    ["S3_BUCKET", "bucket.mrap"],
    ["S3_BUCKET", "bucket--x-s3"],
    // NLB_TG_ARN: other services, resources, partitions, shapes
    ["NLB_TG_ARN", "arn:aws:s3:::x"],
    [
      "NLB_TG_ARN",
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/0123456789abcdef",
    ],
    [
      "NLB_TG_ARN",
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/nlb/0123456789abcdef/abc",
    ],
    ["NLB_TG_ARN", "arn:aws-cn:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef"],
    ["NLB_TG_ARN", "arn:aws:elasticloadbalancing:cn-north-1:123456789012:targetgroup/tg/0123456789abcdef"],
    ["NLB_TG_ARN", "arn:foo:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef"],
    ["NLB_TG_ARN", "arn:aws:elasticloadbalancing:us-east-1:1234:targetgroup/tg/0123456789abcdef"],
    ["NLB_TG_ARN", "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789ABCDEF"],
    [
      "NLB_TG_ARN",
      `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${"t".repeat(33)}/0123456789abcdef`,
    ],
    ["NLB_TG_ARN", "targetgroup/tg/0123456789abcdef"],
    // Integers with ranges
    ["MAX_LOOKUP_PER_INVOCATION", "0"],
    ["MAX_LOOKUP_PER_INVOCATION", "5001"],
    ["INVOCATIONS_BEFORE_DEREGISTRATION", "0"],
    ["INVOCATIONS_BEFORE_DEREGISTRATION", "-3"],
    ["DNS_TIMEOUT_MS", "49"],
    ["DNS_TIMEOUT_MS", "30001"],
    ["DNS_CONCURRENCY", "33"],
    ["DNS_CONCURRENCY", "0"],
    ["MAX_DEREGISTRATIONS_PER_RUN", "0"],
    ["MAX_DEREGISTRATIONS_PER_RUN", "-1"],
    // Booleans
    ["CW_METRIC_FLAG_IP_COUNT", "yes"],
    ["SAME_VPC", "tRuE"],
    ["DRY_RUN", "2"],
    ["CLEANUP_UNSERVED_PORTS", "yes"],
    ["SAME_VPC", long],
    // MISS_PROBABILITY
    ["MISS_PROBABILITY", "0"],
    ["MISS_PROBABILITY", "1"],
    ["MISS_PROBABILITY", "abc"],
    ["MISS_PROBABILITY", "-1e-6"],
    ["MISS_PROBABILITY", "0.6"],
    // STATE_KEY_PREFIX
    ["STATE_KEY_PREFIX", "/state/"],
    ["STATE_KEY_PREFIX", "state"],
    ["STATE_KEY_PREFIX", "state files/"],
    ["STATE_KEY_PREFIX", "a//b/"],
    ["STATE_KEY_PREFIX", `${"p".repeat(512)}/`],
    // METRIC_NAMESPACE
    ["METRIC_NAMESPACE", "AWS/ApplicationELB"],
    ["METRIC_NAMESPACE", "aws/custom"],
    ["METRIC_NAMESPACE", "My Namespace"],
    ["METRIC_NAMESPACE", "n".repeat(256)],
    // LOG_LEVEL, DISCOVERY_MODE, AWS_REGION
    ["LOG_LEVEL", "VERBOSE"],
    ["DISCOVERY_MODE", "magic"],
    ["DISCOVERY_MODE", "eni-mode"],
    ["AWS_REGION", "us_east_1"],
    ["AWS_REGION", "US-EAST-1"],
    // DNS_SERVERS
    ["DNS_SERVERS", "1.2.3.4:0"],
    ["DNS_SERVERS", ":53"],
    ["DNS_SERVERS", "a b"],
    ["DNS_SERVERS", "1.2.3.4:65536"],
    ["DNS_SERVERS", "1.2.3.256"],
    ["DNS_SERVERS", "[1.2.3.4]:53"],
    ["DNS_SERVERS", "fd00::1:53x"],
    ["DNS_SERVERS", "10.0.0.2,,10.0.0.3"],
    ["DNS_SERVERS", Array.from({ length: 17 }, (_, i) => `10.0.0.${i + 1}`).join(",")],
    ["DNS_SERVERS", "10.0.0.2\u0000"],
  ];

  it.each(cases)("rejects %s=%j with a ConfigError naming the variable", (variable, value) => {
    // Prepare
    const env = { ...MINIMAL, [variable]: value };

    // Act
    const error = configError(env);

    // Assess
    expect(error.issues.map((i) => i.variable)).toEqual([variable]);
    expect(error.message).toContain(`${variable}: got `);
    expect(error.code).toBe("config_invalid");
  });

  it.each(["ALB_DNS_NAME", "ALB_LISTENER", "S3_BUCKET", "NLB_TG_ARN"])(
    "reports %s as missing when unset or blank",
    (variable) => {
      // Prepare
      const unset: Env = { ...MINIMAL, [variable]: undefined };
      const blank: Env = { ...MINIMAL, [variable]: "   " };

      // Act
      const errors = [configError(unset), configError(blank)];

      // Assess
      for (const error of errors) {
        expect(error.issues).toHaveLength(1);
        expect(error.issues[0]?.variable).toBe(variable);
        expect(error.issues[0]?.expected).toContain("required");
      }
      expect(errors[0]?.message).toContain(`${variable}: not set`);
    },
  );

  it("reports every problem of a badly broken environment in one error", () => {
    // Prepare
    const env: Env = {
      ALB_DNS_NAME: "https://my-alb.example.com",
      ALB_LISTENER: "0",
      S3_BUCKET: "Bad_Bucket",
      NLB_TG_ARN: "arn:aws:s3:::x",
      DNS_TIMEOUT_MS: "1.5",
      SAME_VPC: "maybe",
      METRIC_NAMESPACE: "AWS/ApplicationELB",
      DISCOVERY_MODE: "magic",
    };

    // Act
    const error = configError(env);

    // Assess
    expect(error.issues.map((i) => i.variable).sort()).toEqual(
      [
        "ALB_DNS_NAME",
        "ALB_LISTENER",
        "S3_BUCKET",
        "NLB_TG_ARN",
        "DNS_TIMEOUT_MS",
        "SAME_VPC",
        "METRIC_NAMESPACE",
        "DISCOVERY_MODE",
      ].sort(),
    );
    expect(error.message).toContain("(8 problems)");
    for (const issue of error.issues) expect(error.message).toContain(`  - ${issue.variable}: `);
  });
});

describe("ConfigError messages", () => {
  it("hints at the DNS name when given a URL or an IP address", () => {
    // Act
    const url = configError({ ...MINIMAL, ALB_DNS_NAME: "http://my-alb.example.com" });
    const ip = configError({ ...MINIMAL, ALB_DNS_NAME: "10.1.2.3" });

    // Assess
    expect(url.issues[0]?.expected).toContain("internal-my-alb-123.us-east-1.elb.amazonaws.com");
    expect(url.issues[0]?.expected).toContain("URL");
    expect(ip.issues[0]?.expected).toContain("IP address");
  });

  it("names AWS_REGION when the target group is in another region", () => {
    // Act
    const error = configError({
      ...MINIMAL,
      AWS_REGION: "eu-west-1",
      NLB_TG_ARN: TG_ARN,
    });

    // Assess
    expect(error.issues.map((i) => i.variable)).toEqual(["NLB_TG_ARN"]);
    expect(error.issues[0]?.expected).toMatch(/region eu-west-1 \(AWS_REGION\).*this ARN is in us-east-1/);
  });

  it("does not blame the ARN's region when AWS_REGION itself is invalid", () => {
    // Act
    const error = configError({ ...MINIMAL, AWS_REGION: "nowhere" });

    // Assess
    expect(error.issues.map((i) => i.variable)).toEqual(["AWS_REGION"]);
  });

  it.each([
    ["arn:aws:s3:::x", /"s3" service/],
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/0123456789abcdef",
      /load balancer ARN/,
    ],
    [
      "arn:aws-cn:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef",
      /partition aws, but the ARN says aws-cn/,
    ],
  ])("explains why the ARN %s is not a target group ARN", (arn, hint) => {
    // Act
    const error = configError({ ...MINIMAL, NLB_TG_ARN: arn });

    // Assess
    expect(error.issues[0]?.expected).toMatch(hint);
  });

  it("says CloudWatch rejects AWS/ namespaces", () => {
    // Act
    const error = configError({ ...MINIMAL, METRIC_NAMESPACE: "AWS/ApplicationELB" });

    // Assess
    expect(error.issues[0]?.expected).toMatch(/reserved for AWS; CloudWatch rejects/);
  });

  it("names both discovery modes for an unknown one", () => {
    // Act
    const error = configError({ ...MINIMAL, DISCOVERY_MODE: "route53" });

    // Assess
    expect(error.issues[0]?.expected).toContain("dns (sample the ALB's DNS name) or eni");
  });

  it.each([
    ["S3_BUCKET", SECRET_KEY],
    ["ALB_DNS_NAME", "AKIAIOSFODNN7EXAMPLE"],
    ["DNS_SERVERS", "10.0.0.2,ASIAIOSFODNN7EXAMPLE:99999"],
    ["METRIC_NAMESPACE", `key=${SECRET_KEY}`],
  ])("redacts a secret-looking value given in %s", (variable, value) => {
    // Act
    const error = configError({ ...MINIMAL, [variable]: value });

    // Assess
    expect(error.issues[0]?.value).toBe("***");
    expect(error.message).toContain('got "***"');
    expect(error.message).not.toContain(value);
    expect(error.message).not.toContain(value.slice(4, 16));
  });

  it("shortens a 10,000-character value to about 80 characters and gives its length", () => {
    // Act
    const error = configError({ ...MINIMAL, ALB_DNS_NAME: "b".repeat(10_000) });

    // Assess
    const shown = error.issues[0]?.value ?? "";
    expect(shown.length).toBeLessThanOrEqual(100);
    expect(shown).toContain("…");
    expect(shown).toContain("(10000 characters)");
    expect(error.message.length).toBeLessThan(1000);
  });

  it("makes control and bidi characters visible", () => {
    // Act
    const error = configError({ ...MINIMAL, LOG_LEVEL: "INFO\r\nFAKE LOG LINE\u202e\u0007" });

    // Assess
    expect(error.issues[0]?.value).toBe("INFO<U+000D><U+000A>FAKE LOG LINE<U+202E><U+0007>");
    expect(error.message.replaceAll("\n", " ")).not.toMatch(/[\p{Cc}\p{Cf}]/u);
    expect(error.message.split("\n")).toHaveLength(2);
  });

  it("does not redact ordinary values such as a target group ARN with a long name", () => {
    // Prepare
    const arn =
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/MyTargetGrp1/0123456789abcdef";

    // Act
    const error = configError({ ...MINIMAL, AWS_REGION: "us-east-1", NLB_TG_ARN: arn });

    // Assess
    expect(error.issues[0]?.value).not.toBe("***");
    expect(error.issues[0]?.value).toContain("eu-west-1");
  });
});

describe("describeValue and looksSecret", () => {
  it.each([
    ["AWS_SECRET_ACCESS_KEY", "anything", true],
    ["S3_BUCKET", SECRET_KEY, true],
    ["S3_BUCKET", "AKIAIOSFODNN7EXAMPLE", true],
    ["S3_BUCKET", "-----BEGIN RSA PRIVATE KEY-----", true],
    ["S3_BUCKET", "my-state-bucket", false],
    ["S3_BUCKET", "a".repeat(40), false],
    ["NLB_TG_ARN", TG_ARN, false],
  ])("looksSecret(%s, %j) is %s", (variable, value, expected) => {
    // Act
    const secret = looksSecret(variable, value);

    // Assess
    expect(secret).toBe(expected);
  });

  it("keeps undefined and short values as they are", () => {
    // Act
    const shown = [describeValue("ALB_LISTENER", undefined), describeValue("ALB_LISTENER", "80a")];

    // Assess
    expect(shown).toEqual([undefined, "80a"]);
  });
});

describe("stateKey", () => {
  it("derives the key from the prefix, the target group name and id, and the port", () => {
    // Prepare
    const config = loadConfig({ ...MINIMAL, STATE_KEY_PREFIX: "states/prod/" });

    // Act
    const key = stateKey(config, config.targetGroups[0]!);

    // Assess
    expect(key).toBe("states/prod/my-tg-0123456789abcdef/443.json");
  });
});
