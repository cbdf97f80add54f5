/** The target groups' IP address types (lambda/aws/elbv2.ts) with the real SDK client against the local world. */
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTargetGroupTypes, describeTargetGroupTypes } from "../../lambda/aws/elbv2.js";
import { startWorld, type World } from "../../sim/world.js";

let world: World;
let client: ElasticLoadBalancingV2Client;

beforeAll(async () => {
  world = await startWorld({ targetGroups: [{ port: 80 }, { port: 443, ipAddressType: "ipv6" }] });
  client = new ElasticLoadBalancingV2Client({
    endpoint: world.info.endpoints.elbv2,
    region: world.info.region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await world.stop();
});

const V4 = () => world.info.targetGroups[0]!.arn;
const V6 = () => world.info.targetGroups[1]!.arn;
const missing = () => V4().replace("0123456789abcdef", "fedcba9876543210");

describe("describeTargetGroupTypes", () => {
  it("reads every group's IP address type and target type in one call", async () => {
    const { types, calls } = await describeTargetGroupTypes(client, [V4(), V6()]);
    expect(calls).toBe(1);
    expect(types.get(V4())).toEqual({ ipAddressType: "ipv4", targetType: "ip" });
    expect(types.get(V6())).toEqual({ ipAddressType: "ipv6", targetType: "ip" });
  });

  it("asks each ARN alone when one is unknown, so the others are still answered", async () => {
    const { types, calls } = await describeTargetGroupTypes(client, [V4(), missing(), V6()]);
    expect(calls).toBe(4);
    expect(types.get(V6())).toEqual({ ipAddressType: "ipv6", targetType: "ip" });
    const error = types.get(missing());
    expect(error).toBeInstanceOf(Error);
    expect((error as Error & { code: string }).code).toBe("describe_target_groups_error");
    expect((error as Error).message).toMatch(
      /TargetGroupNotFound.*elasticloadbalancing:DescribeTargetGroups/,
    );
  });

  it("names a denied call describe_target_groups_denied", async () => {
    world.setFaults({ "elbv2:DescribeTargetGroups": { error: "AccessDenied", status: 403 } });
    const { types } = await describeTargetGroupTypes(client, [V4()]);
    world.setFaults({});
    expect((types.get(V4()) as Error & { code: string }).code).toBe("describe_target_groups_denied");
  });
});

describe("createTargetGroupTypes", () => {
  it("keeps answers for the container's life and asks again after a failure", async () => {
    // Prepare
    const types = createTargetGroupTypes(client);
    world.setFaults({
      "elbv2:DescribeTargetGroups": { error: "InternalFailure", status: 500, remaining: 1 },
    });

    // Act
    const failed = await types([V4(), V6()]);
    const first = await types([V4(), V6()]);
    const cached = await types([V4(), V6()]);

    // Assess
    expect(failed.types.get(V4())).toBeInstanceOf(Error);
    expect(first.calls).toBe(1);
    expect(cached.calls).toBe(0);
    expect(cached.types.get(V6())).toEqual({ ipAddressType: "ipv6", targetType: "ip" });
  });
});
