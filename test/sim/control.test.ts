import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SimControl, SimControlError } from "../../sim/client.js";
import { cidrContains, parseCidr } from "../../sim/ip.js";
import { startWorld, type World } from "../../sim/world.js";
import { answerIps, cloudwatchClient, elbv2Client, queryA, rejectionOf, s3Client } from "./support.js";

let world: World;
let control: SimControl;

beforeAll(async () => {
  world = await startWorld({ seed: 42 });
  control = new SimControl(world.info.control);
});

afterAll(async () => {
  await world.stop();
});

beforeEach(async () => {
  await control.reset();
});

describe("control API", () => {
  it("starts with three ALB IPs in the VPC CIDR, an empty target group and bucket, zero counts", async () => {
    const state = await control.state();
    const vpc = parseCidr("10.0.0.0/16");
    expect(state.alb.dnsName).toBe(world.info.albDnsName);
    expect(state.alb.ips).toHaveLength(3);
    expect(state.alb.ips.every((ip) => cidrContains(vpc, ip))).toBe(true);
    expect(state.targetGroups).toEqual([
      expect.objectContaining({
        arn: world.info.targetGroupArn,
        port: 443,
        vpcCidr: "10.0.0.0/16",
        targets: [],
      }),
    ]);
    expect(state.s3.buckets).toEqual({ [world.info.bucket]: {} });
    expect(state.metrics).toEqual([]);
    expect(Object.values(state.requests).every((n) => n === 0)).toBe(true);
  });

  it("GET /info is the WorldInfo", async () => {
    expect(await control.info()).toEqual(world.info);
  });

  it("scaling out keeps the existing IPs; scaling in drops the newest", async () => {
    // Prepare
    const initial = (await control.state()).alb.ips;
    // Act
    const out = await control.alb({ count: 10 });
    const back = await control.alb({ count: 2 });
    // Assess
    expect(out).toHaveLength(10);
    expect(new Set(out).size).toBe(10);
    expect(out.slice(0, 3)).toEqual(initial);
    expect(back).toEqual(initial.slice(0, 2));
  });

  it("DNS answers follow the ALB: at most 8 of its IPs, TTL 60", async () => {
    const ips = await control.alb({ count: 20 });
    const answer = await queryA(world.info.dns, world.info.albDnsName);
    const seen = answerIps(answer);
    expect(seen.length).toBe(8);
    expect(seen.every((ip) => ips.includes(ip))).toBe(true);
    expect(answer?.answers?.every((a) => a.type === "A" && a.ttl === 60)).toBe(true);
  });

  it("sets exact ALB IPs and shows them in the state", async () => {
    await control.alb({ ips: ["10.0.5.5", "10.0.6.6"] });
    expect((await control.state()).alb.ips).toEqual(["10.0.5.5", "10.0.6.6"]);
    expect(answerIps(await queryA(world.info.dns, world.info.albDnsName)).sort()).toEqual([
      "10.0.5.5",
      "10.0.6.6",
    ]);
  });

  it.each([
    [{ ips: ["10.0.0.300"] }, /IPv4/],
    [{ ips: ["10.0.0.1", "10.0.0.1"] }, /distinct/],
    [{ count: -1 }, /count/],
    [{}, /ips.*count/],
  ])("rejects POST /alb %j with a 400 that says what is wrong", async (body, message) => {
    const error = await rejectionOf(control.alb(body as { count: number }));
    expect(error).toBeInstanceOf(SimControlError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  it("POST /faults validates and GET /faults returns what is in force", async () => {
    const invalid = await rejectionOf(control.faults({ "elbv2:Nope": { error: "X" } } as never));
    const set = await control.faults({ "s3:GetObject": { error: "SlowDown", remaining: 2 } });
    const state = await control.state();
    expect(invalid).toMatchObject({ status: 400, code: "invalid_request" });
    expect(set).toEqual({ "s3:GetObject": { error: "SlowDown", remaining: 2 } });
    expect(state.faults).toEqual(set);
  });

  it("an unknown route is a 404 naming the routes", async () => {
    const response = await fetch(`${world.info.control}/nope`);
    const body = (await response.json()) as { error: { message: string } };
    expect(response.status).toBe(404);
    expect(body.error.message).toContain("GET /state");
  });

  it("reset brings back the initial world after targets, objects, metrics, faults and scaling", async () => {
    // Prepare
    const initial = await control.state();
    const elbv2 = elbv2Client(world.info);
    const s3 = s3Client(world.info);
    const cw = cloudwatchClient(world.info);
    await control.alb({ count: 7 });
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: world.info.targetGroupArn,
        Targets: [{ Id: "10.0.0.9" }],
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: world.info.bucket, Key: "k", Body: "v" }));
    await cw.send(new PutMetricDataCommand({ Namespace: "N", MetricData: [{ MetricName: "m", Value: 1 }] }));
    await control.faults({ "s3:GetObject": { error: "SlowDown" } });
    await queryA(world.info.dns, world.info.albDnsName);
    for (const client of [elbv2, s3, cw]) client.destroy();
    const dirty = await control.state();
    // Act
    await control.reset();
    // Assess
    expect(dirty.requests).toMatchObject({
      "elbv2:RegisterTargets": 1,
      "s3:PutObject": 1,
      "cloudwatch:PutMetricData": 1,
      dns: 1,
    });
    expect(await control.state()).toEqual(initial);
  });

  it("the same seed gives the same ALB IPs", async () => {
    const other = await startWorld({ seed: 42 });
    const ips = other.state().alb.ips;
    await other.stop();
    expect(ips).toEqual((await control.state()).alb.ips);
  });
});
