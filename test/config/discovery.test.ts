import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lambda/config/index.js";
import { ConfigError } from "../../lambda/errors.js";

const MINIMAL = Object.freeze({
  ALB_DNS_NAME: "internal-my-alb-123.us-east-1.elb.amazonaws.com",
  ALB_LISTENER: "443",
  S3_BUCKET: "my-state-bucket",
  NLB_TG_ARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/0123456789abcdef",
});
const ALB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const ROLE = "arn:aws:iam::210987654321:role/alb-static-ip-eni-read";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...MINIMAL, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("DISCOVERY_MODE and its variables", () => {
  it("defaults to dns with nothing else set", () => {
    const config = loadConfig(MINIMAL);
    expect(config.discoveryMode).toBe("dns");
    expect(config.discovery).toEqual({
      alb: undefined,
      vpcId: undefined,
      roleArn: undefined,
      roleExternalId: undefined,
    });
  });

  it("reads eni mode with the ALB's name, id and interface description from ALB_ARN", () => {
    const config = loadConfig({
      ...MINIMAL,
      DISCOVERY_MODE: "ENI",
      ALB_ARN,
      ALB_VPC_ID: "vpc-0a1b2c3d4e5f60718",
    });
    expect(config.discoveryMode).toBe("eni");
    expect(config.discovery.alb).toMatchObject({
      name: "my-alb",
      id: "50dc6c495c0c9188",
      region: "us-east-1",
      account: "123456789012",
      interfaceDescription: "ELB app/my-alb/50dc6c495c0c9188",
    });
    expect(config.discovery.vpcId).toBe("vpc-0a1b2c3d4e5f60718");
  });

  it("reads the cross-account role and its external id", () => {
    const config = loadConfig({
      ...MINIMAL,
      DISCOVERY_MODE: "eni",
      ALB_ARN,
      ALB_ROLE_ARN: ROLE,
      ALB_ROLE_EXTERNAL_ID: "ext-1234",
    });
    expect(config.discovery).toMatchObject({ roleArn: ROLE, roleExternalId: "ext-1234" });
  });

  it("requires ALB_ARN in eni mode", () => {
    const error = configError({ DISCOVERY_MODE: "eni" });
    expect(error.issues).toEqual([
      expect.objectContaining({ variable: "ALB_ARN", code: "alb_arn_required", value: undefined }),
    ]);
  });

  it.each([
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/0123456789abcdef",
      "target group ARN",
    ],
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef",
      "Network Load Balancer",
    ],
    [
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/0123456789abcdef/0123456789abcdef",
      "listener ARN",
    ],
    ["arn:aws:s3:::my-bucket", "service"],
    ["my-alb", "not an ARN"],
    ["arn:aws:elasticloadbalancing:us-east-1:1234:loadbalancer/app/my-alb/0123456789abcdef", "12 digits"],
    [
      "arn:aws:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef",
      "partition aws-cn",
    ],
    ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/XYZ", "16 lowercase hex"],
  ])("rejects ALB_ARN %s (%s)", (arn, phrase) => {
    const error = configError({ DISCOVERY_MODE: "eni", ALB_ARN: arn });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ variable: "ALB_ARN", code: "alb_arn_invalid" });
    expect(error.issues[0]?.expected).toContain(phrase);
  });

  it.each(["vpc-123", "vpc-0A1B2C3D", "subnet-0a1b2c3d", "vpc-0a1b2c3d4e5f6071"])(
    "rejects ALB_VPC_ID %s",
    (vpc) => {
      const error = configError({ DISCOVERY_MODE: "eni", ALB_ARN, ALB_VPC_ID: vpc });
      expect(error.issues.map((i) => i.code)).toEqual(["alb_vpc_id_invalid"]);
    },
  );

  it.each([
    "arn:aws:iam::123:role/x",
    "arn:aws:iam::123456789012:user/x",
    "arn:aws:sts::123456789012:assumed-role/x/y",
    "arn:aws-cn:iam::123456789012:role/x",
  ])("rejects ALB_ROLE_ARN %s", (role) => {
    const error = configError({ DISCOVERY_MODE: "eni", ALB_ARN, ALB_ROLE_ARN: role });
    expect(error.issues.map((i) => i.code)).toEqual(["alb_role_arn_invalid"]);
  });

  it("accepts a role with a path", () => {
    const config = loadConfig({
      ...MINIMAL,
      DISCOVERY_MODE: "eni",
      ALB_ARN,
      ALB_ROLE_ARN: "arn:aws:iam::210987654321:role/ops/alb-read",
    });
    expect(config.discovery.roleArn).toBe("arn:aws:iam::210987654321:role/ops/alb-read");
  });

  it("rejects an external id STS would reject, and one without a role", () => {
    expect(
      configError({
        DISCOVERY_MODE: "eni",
        ALB_ARN,
        ALB_ROLE_ARN: ROLE,
        ALB_ROLE_EXTERNAL_ID: "has space",
      }).issues.map((i) => i.code),
    ).toEqual(["alb_role_external_id_invalid"]);
    expect(
      configError({ DISCOVERY_MODE: "eni", ALB_ARN, ALB_ROLE_EXTERNAL_ID: "ext-1234" }).issues.map(
        (i) => i.code,
      ),
    ).toEqual(["alb_role_external_id_without_role"]);
  });

  it("rejects the ENI-only variables in dns mode (they would silently do nothing), but accepts ALB_ARN for events", () => {
    expect(loadConfig({ ...MINIMAL, ALB_ARN }).discovery.alb?.name).toBe("my-alb");
    const error = configError({ ALB_VPC_ID: "vpc-0a1b2c3d", ALB_ROLE_ARN: ROLE });
    expect(error.issues.map((i) => [i.variable, i.code])).toEqual([
      ["ALB_VPC_ID", "eni_setting_in_dns_mode"],
      ["ALB_ROLE_ARN", "eni_setting_in_dns_mode"],
    ]);
  });

  it("lists every problem of the new variables together with the others in one ConfigError", () => {
    const error = configError({
      ALB_LISTENER: "http",
      DISCOVERY_MODE: "eni",
      ALB_VPC_ID: "vpc-x",
      ALB_ROLE_ARN: "role",
      ALB_ROLE_EXTERNAL_ID: "x",
    });
    expect(error.issues.map((i) => i.variable)).toEqual([
      "ALB_LISTENER",
      "ALB_ARN",
      "ALB_VPC_ID",
      "ALB_ROLE_ARN",
      "ALB_ROLE_EXTERNAL_ID",
    ]);
    expect(error.message).toContain("ALB_ARN (alb_arn_required): not set");
  });

  it("rejects an unknown mode without also complaining about the mode's variables", () => {
    const error = configError({ DISCOVERY_MODE: "magic" });
    expect(error.issues.map((i) => i.variable)).toEqual(["DISCOVERY_MODE"]);
  });
});
