import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { AlbStaticIpStack, cdktfJsonContext, main, PLACEHOLDERS, readInputs } from "../../main.js";
import { NLB_ARN, TG_ARN } from "./synth.js";

const ENV = {
  ALB_STATIC_IP_ALB_DNS_NAME: "internal-prod-alb-42.eu-west-1.elb.amazonaws.com",
  ALB_STATIC_IP_LISTENER_PORT: "443",
  ALB_STATIC_IP_VPC_ID: "vpc-0123456789abcdef0",
};

describe("the CDKTF app's inputs", () => {
  it("takes environment variables over cdktf.json context", () => {
    // Act
    const inputs = readInputs(
      ENV,
      { albDnsName: "internal-ctx-1.us-east-1.elb.amazonaws.com", name: "from-context" },
      true,
    );

    // Assess
    expect(inputs.construct).toMatchObject({
      albDnsName: ENV.ALB_STATIC_IP_ALB_DNS_NAME,
      albListenerPort: 443,
      vpcId: ENV.ALB_STATIC_IP_VPC_ID,
      name: "from-context",
      createTargetGroup: true,
      createStateBucket: true,
    });
    expect(inputs.placeholders).toEqual([]);
  });

  it("fills missing inputs with placeholders for an offline synth, and says which", () => {
    // Act
    const inputs = readInputs({}, {}, false);

    // Assess
    expect(inputs.placeholders).toEqual(["albDnsName", "albListenerPort", "vpcId"]);
    expect(inputs.construct.albDnsName).toBe(PLACEHOLDERS.albDnsName);
  });

  it("refuses placeholders when strict, listing every missing input", () => {
    // Act / Assess
    expect(() => readInputs({}, {}, true)).toThrow(
      /ALB_STATIC_IP_ALB_DNS_NAME[\s\S]*ALB_STATIC_IP_LISTENER_PORT[\s\S]*ALB_STATIC_IP_VPC_ID/,
    );
  });

  it("refuses a listener port that is not a port", () => {
    // Act / Assess
    expect(() => readInputs({ ...ENV, ALB_STATIC_IP_LISTENER_PORT: "https" }, {}, false)).toThrow(
      /ALB_STATIC_IP_LISTENER_PORT "https": expected a port from 1 to 65535/,
    );
  });

  it("switches to an existing target group and bucket when they are given", () => {
    // Act
    const inputs = readInputs(
      {
        ALB_STATIC_IP_ALB_DNS_NAME: ENV.ALB_STATIC_IP_ALB_DNS_NAME,
        ALB_STATIC_IP_LISTENER_PORT: "80",
        ALB_STATIC_IP_TARGET_GROUP_ARN: TG_ARN,
        ALB_STATIC_IP_STATE_BUCKET_NAME: "my-state",
        ALB_STATIC_IP_ALARM_ACTIONS:
          "arn:aws:sns:eu-west-1:123456789012:a, arn:aws:sns:eu-west-1:123456789012:b",
      },
      {},
      true,
    );

    // Assess
    expect(inputs.construct).toMatchObject({
      createTargetGroup: false,
      targetGroupArn: TG_ARN,
      vpcId: undefined,
      createStateBucket: false,
      stateBucketName: "my-state",
      alarmActions: ["arn:aws:sns:eu-west-1:123456789012:a", "arn:aws:sns:eu-west-1:123456789012:b"],
    });
  });

  it("configures the S3 backend only when a state bucket is named", () => {
    // Act
    const without = readInputs(ENV, {}, true);
    const withBackend = readInputs(
      { ...ENV, AWS_REGION: "eu-west-1", ALB_STATIC_IP_TFSTATE_BUCKET: "tf-state" },
      {},
      true,
    );

    // Assess
    expect(without.backend).toBeUndefined();
    expect(withBackend.backend).toEqual({
      bucket: "tf-state",
      key: "alb-static-ip/terraform.tfstate",
      region: "eu-west-1",
      lockTable: undefined,
    });
  });

  it("reads its context from the repository's cdktf.json", () => {
    // Act
    const context = cdktfJsonContext();

    // Assess
    expect(context).toHaveProperty("albStaticIp");
  });

  it("refuses to synthesize placeholder inputs when ALB_STATIC_IP_REQUIRE_INPUTS is set", () => {
    // Act / Assess
    expect(() => main({ ALB_STATIC_IP_REQUIRE_INPUTS: "true" })).toThrow(/cannot synthesize the stack/);
  });
});

describe("the CDKTF stack", () => {
  const lambdaCode = { filename: "lambda.zip", sourceCodeHash: "hash" };

  it("uses the AWS provider in the given region, an encrypted S3 backend with native locking, and outputs", () => {
    // Prepare
    const inputs = readInputs(
      {
        ...ENV,
        AWS_REGION: "eu-west-1",
        ALB_STATIC_IP_TFSTATE_BUCKET: "tf-state",
        ALB_STATIC_IP_NLB_ARN: NLB_ARN,
      },
      { tags: { project: "edge" } },
      true,
    );

    // Act
    const json = JSON.parse(
      Testing.synth(new AlbStaticIpStack(Testing.app(), "alb-static-ip", inputs, lambdaCode)),
    );

    // Assess
    expect(json.provider.aws[0]).toMatchObject({
      region: "eu-west-1",
      default_tags: [{ tags: { project: "edge" } }],
    });
    expect(json.terraform.backend.s3).toMatchObject({
      bucket: "tf-state",
      key: "alb-static-ip/terraform.tfstate",
      region: "eu-west-1",
      encrypt: true,
      use_lockfile: true,
    });
    expect(Object.keys(json.output).sort()).toEqual([
      "errors_alarm_arn",
      "function_name",
      "ip_count_alarm_arn",
      "state_bucket_name",
      "target_group_arn",
    ]);
    expect(Object.keys(json.resource.aws_lb_listener ?? {})).toHaveLength(1);
  });

  it("locks with DynamoDB instead when a lock table is given", () => {
    // Prepare
    const inputs = readInputs(
      { ...ENV, ALB_STATIC_IP_TFSTATE_BUCKET: "tf-state", ALB_STATIC_IP_TFSTATE_LOCK_TABLE: "tf-locks" },
      {},
      true,
    );

    // Act
    const json = JSON.parse(
      Testing.synth(new AlbStaticIpStack(Testing.app(), "alb-static-ip", inputs, lambdaCode)),
    );

    // Assess
    expect(json.terraform.backend.s3.dynamodb_table).toBe("tf-locks");
    expect(json.terraform.backend.s3).not.toHaveProperty("use_lockfile");
  });
});
