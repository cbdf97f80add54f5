import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SimInputError } from "../../sim/api-error.js";
import { parseFaultSet } from "../../sim/faults.js";
import { startWorld, type World } from "../../sim/world.js";
import {
  answerIps,
  cloudwatchClient,
  elbv2Client,
  queryA,
  rcodeOf,
  rejectionOf,
  s3Client,
} from "./support.js";

let world: World;

beforeAll(async () => {
  world = await startWorld({ seed: 7 });
});

afterAll(async () => {
  await world.stop();
});

beforeEach(() => world.reset());

function describeHealth() {
  const client = elbv2Client(world.info);
  return client
    .send(new DescribeTargetHealthCommand({ TargetGroupArn: world.info.targetGroupArn }))
    .finally(() => client.destroy());
}

describe("injected API faults surface as the SDK's errors", () => {
  it("Throttling on ELBv2 is a 400 Throttling error, for the next N calls only", async () => {
    // Prepare
    world.setFaults({ "elbv2:DescribeTargetHealth": { error: "Throttling", remaining: 1 } });
    // Act
    const error = await rejectionOf(describeHealth());
    const next = await describeHealth();
    // Assess
    expect(error.name).toBe("Throttling");
    expect(error.message).toBe("Rate exceeded");
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(next.TargetHealthDescriptions).toEqual([]);
    expect(world.state().faults["elbv2:DescribeTargetHealth"]?.remaining).toBe(0);
    expect(world.state().requests["elbv2:DescribeTargetHealth"]).toBe(2);
  });

  it("skip lets the first N calls pass before the fault applies", async () => {
    // Prepare
    world.setFaults({ "elbv2:DescribeTargetHealth": { error: "Throttling", skip: 1, remaining: 1 } });
    // Act
    const first = await describeHealth();
    const error = await rejectionOf(describeHealth());
    const third = await describeHealth();
    // Assess
    expect(first.TargetHealthDescriptions).toEqual([]);
    expect(error.name).toBe("Throttling");
    expect(third.TargetHealthDescriptions).toEqual([]);
    expect(world.state().faults["elbv2:DescribeTargetHealth"]).toMatchObject({ skip: 0, remaining: 0 });
  });

  it("AccessDenied on S3 is a 403 AccessDenied error and writes nothing", async () => {
    world.setFaults({ "s3:PutObject": { error: "AccessDenied" } });
    const s3 = s3Client(world.info);
    const error = await rejectionOf(
      s3.send(new PutObjectCommand({ Bucket: world.info.bucket, Key: "k", Body: "v" })),
    );
    s3.destroy();
    expect(error.name).toBe("AccessDenied");
    expect(error.$metadata).toMatchObject({ httpStatusCode: 403 });
    expect(world.state().s3.buckets[world.info.bucket]).toEqual({});
  });

  it("ServiceUnavailable on CloudWatch is a 503 server fault", async () => {
    world.setFaults({ "cloudwatch:PutMetricData": { error: "ServiceUnavailable" } });
    const cw = cloudwatchClient(world.info);
    const error = await rejectionOf(
      cw.send(new PutMetricDataCommand({ Namespace: "N", MetricData: [{ MetricName: "m", Value: 1 }] })),
    );
    cw.destroy();
    expect(error.name).toBe("ServiceUnavailable");
    expect(error.$fault).toBe("server");
    expect(error.$metadata).toMatchObject({ httpStatusCode: 503 });
  });

  it("an explicit status overrides the default one", async () => {
    world.setFaults({ "elbv2:RegisterTargets": { error: "InternalFailure", status: 502, message: "boom" } });
    const client = elbv2Client(world.info);
    const error = await rejectionOf(
      client.send(
        new RegisterTargetsCommand({
          TargetGroupArn: world.info.targetGroupArn,
          Targets: [{ Id: "10.0.0.10" }],
        }),
      ),
    );
    client.destroy();
    expect(error).toMatchObject({ name: "InternalFailure", message: "boom", $fault: "server" });
    expect(error.$metadata).toMatchObject({ httpStatusCode: 502 });
  });

  it("hang never answers, so the client's request timeout fires", async () => {
    // Prepare
    world.setFaults({ "s3:GetObject": { hang: true } });
    const s3 = s3Client(world.info, 300);
    // Act
    const error = await rejectionOf(s3.send(new GetObjectCommand({ Bucket: world.info.bucket, Key: "k" })));
    s3.destroy();
    // Assess
    expect(error.name).toBe("TimeoutError");
  });

  it("probability 0 never faults", async () => {
    world.setFaults({ "elbv2:DescribeTargetHealth": { error: "Throttling", probability: 0 } });
    await describeHealth();
    await describeHealth();
    expect(world.state().requests["elbv2:DescribeTargetHealth"]).toBe(2);
  });

  it("a latency-only fault delays but still answers", async () => {
    world.setFaults({ "elbv2:DescribeTargetHealth": { latencyMs: 20 }, latency: { aws: 5 } });
    const out = await describeHealth();
    expect(out.TargetHealthDescriptions).toEqual([]);
  });

  it("the ELBv2 token bucket throttles once the burst is spent", async () => {
    world.setFaults({ elbv2Throttle: { burst: 2, refillPerSecond: 0 } });
    await describeHealth();
    await describeHealth();
    const error = await rejectionOf(describeHealth());
    expect(error.name).toBe("Throttling");
  });

  it("reset clears every fault", async () => {
    world.setFaults({ "elbv2:DescribeTargetHealth": { error: "Throttling" } });
    world.reset();
    await describeHealth();
    expect(world.state().faults).toEqual({});
  });
});

describe("DNS faults", () => {
  it("a servfail fault makes the ALB name answer SERVFAIL until cleared", async () => {
    // Prepare
    world.setFaults({ dns: { mode: "servfail" } });
    // Act
    const faulted = await queryA(world.info.dns, world.info.albDnsName);
    world.setFaults({});
    const healthy = await queryA(world.info.dns, world.info.albDnsName);
    // Assess
    expect(rcodeOf(faulted)).toBe("SERVFAIL");
    expect(answerIps(healthy).sort()).toEqual(world.state().alb.ips.sort());
    expect(world.state().requests.dns).toBe(2);
  });
});

describe("fault set validation", () => {
  it("rejects an unknown API name and lists the valid keys", () => {
    expect(() => parseFaultSet({ "elbv2:RegisterTarget": { error: "Throttling" } })).toThrow(SimInputError);
    expect(() => parseFaultSet({ "elbv2:RegisterTarget": { error: "Throttling" } })).toThrow(
      /elbv2:RegisterTargets/,
    );
  });

  it.each([
    [{ "s3:GetObject": {} }],
    [{ "s3:GetObject": { error: "Throttling", probability: 2 } }],
    [{ "s3:GetObject": { error: "Throttling", status: 200 } }],
    [{ dns: { mode: "gone" } }],
    [{ latency: { aws: -1 } }],
  ])("rejects %j", (input) => {
    expect(() => parseFaultSet(input)).toThrow(SimInputError);
  });

  it("accepts the documented example", () => {
    const input = {
      latency: { dns: 1, aws: 15 },
      dns: { mode: "timeout", probability: 0.1 },
      elbv2Throttle: { burst: 40, refillPerSecond: 10 },
      "elbv2:RegisterTargets": { error: "Throttling", probability: 0.5, remaining: 3 },
      "s3:GetObject": { hang: true, remaining: 1 },
    };
    expect(parseFaultSet(input)).toEqual(input);
  });
});
