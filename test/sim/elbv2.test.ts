import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  InvalidTargetException,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
  TooManyTargetsException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWorld, type World } from "../../sim/world.js";
import { elbv2Client, manualClock, rejectionOf } from "./support.js";

const HC = 2_000;
const DEREG = 5_000;
let clock: ReturnType<typeof manualClock>;
let world: World;
let elbv2: ElasticLoadBalancingV2Client;
let arn: string;

async function health(): Promise<Array<[string, number, string]>> {
  const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (out.TargetHealthDescriptions ?? []).map((d) => [
    d.Target?.Id ?? "",
    d.Target?.Port ?? 0,
    d.TargetHealth?.State ?? "",
  ]);
}

beforeAll(async () => {
  clock = manualClock();
  world = await startWorld({
    albIps: ["10.0.1.1", "10.0.1.2", "10.0.1.3"],
    healthCheckDelayMs: HC,
    deregistrationDelayMs: DEREG,
    maxTargetsPerGroup: 5,
    clock: clock.now,
  });
  elbv2 = elbv2Client(world.info);
  arn = world.info.targetGroupArn;
});

afterAll(async () => {
  elbv2.destroy();
  await world.stop();
});

beforeEach(() => world.reset());

describe("ELBv2 with the real SDK client", () => {
  it("register, describe and deregister round-trip through the health states", async () => {
    // Prepare
    const targets = [
      { Id: "10.0.1.1", Port: 443 },
      { Id: "10.0.9.9", Port: 443 },
    ];
    // Act
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: targets }));
    const registered = await health();
    clock.advance(HC);
    const checked = await health();
    await elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "10.0.1.1", Port: 443 }] }),
    );
    const draining = await health();
    clock.advance(DEREG);
    const gone = await health();
    // Assess
    expect(registered).toEqual([
      ["10.0.1.1", 443, "initial"],
      ["10.0.9.9", 443, "initial"],
    ]);
    expect(checked).toEqual([
      ["10.0.1.1", 443, "healthy"],
      ["10.0.9.9", 443, "unhealthy"],
    ]);
    expect(draining).toEqual([
      ["10.0.1.1", 443, "draining"],
      ["10.0.9.9", 443, "unhealthy"],
    ]);
    expect(gone).toEqual([["10.0.9.9", 443, "unhealthy"]]);
  });

  it("reports reasons, descriptions and the health-check port like AWS", async () => {
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "10.0.9.9" }] }));
    clock.advance(HC);
    const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    expect(out.TargetHealthDescriptions).toEqual([
      {
        Target: { Id: "10.0.9.9", Port: 443 },
        HealthCheckPort: "443",
        TargetHealth: {
          State: "unhealthy",
          Reason: "Target.FailedHealthChecks",
          Description: "Health checks failed",
        },
      },
    ]);
  });

  it("a healthy target whose IP leaves the ALB turns unhealthy after the delay", async () => {
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "10.0.1.2" }] }));
    clock.advance(HC);
    world.setAlbIps(["10.0.1.1"]);
    const during = await health();
    clock.advance(HC);
    expect(during).toEqual([["10.0.1.2", 443, "healthy"]]);
    expect(await health()).toEqual([["10.0.1.2", 443, "unhealthy"]]);
  });

  it("describes only the requested targets, unknown ones as unused", async () => {
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "10.0.1.1" }] }));
    const out = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: "10.0.4.4", Port: 443 }] }),
    );
    expect(
      out.TargetHealthDescriptions?.map((d) => [d.Target?.Id, d.TargetHealth?.State, d.TargetHealth?.Reason]),
    ).toEqual([["10.0.4.4", "unused", "Target.NotRegistered"]]);
  });

  it("an IP outside the VPC CIDR fails with ValidationError naming it unless AvailabilityZone is all (as AWS)", async () => {
    // Act
    const error = await rejectionOf(
      elbv2.send(
        new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "192.168.0.10", Port: 443 }] }),
      ),
    );
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: "192.168.0.10", Port: 443, AvailabilityZone: "all" }],
      }),
    );
    const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    // Assess
    expect(error.name).toBe("ValidationError");
    expect(error.message).toBe(
      "The Availability Zone is required for IP address '192.168.0.10' because it is not in the VPC",
    );
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    expect(out.TargetHealthDescriptions?.[0]?.Target).toEqual({
      Id: "192.168.0.10",
      Port: 443,
      AvailabilityZone: "all",
    });
  });

  it("a public IP outside the VPC fails with InvalidTarget even with AvailabilityZone all", async () => {
    const error = await rejectionOf(
      elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: arn,
          Targets: [{ Id: "8.8.8.8", Port: 443, AvailabilityZone: "all" }],
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidTargetException);
  });

  it("an unknown target group fails with TargetGroupNotFound", async () => {
    const unknown = arn.replace(/[0-9a-f]{16}$/, "ffffffffffffffff");
    const error = await rejectionOf(elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: unknown })));
    expect(error).toBeInstanceOf(TargetGroupNotFoundException);
    expect(error.message).toContain(unknown);
  });

  it("a malformed ARN and an empty target list fail with ValidationError", async () => {
    const badArn = await rejectionOf(elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: "tg-1" })));
    const empty = await rejectionOf(
      elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [] })),
    );
    expect(badArn.name).toBe("ValidationError");
    expect(empty.name).toBe("ValidationError");
  });

  it("more targets than the quota fail with TooManyTargets", async () => {
    const targets = ["10.0.2.1", "10.0.2.2", "10.0.2.3", "10.0.2.4", "10.0.2.5", "10.0.2.6"].map((Id) => ({
      Id,
    }));
    const error = await rejectionOf(
      elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: targets })),
    );
    expect(error).toBeInstanceOf(TooManyTargetsException);
    expect(await health()).toEqual([]);
  });

  it("deregister without Port succeeds but leaves a target on another port registered", async () => {
    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "10.0.1.1", Port: 8443 }] }),
    );
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "10.0.1.1" }] }));
    expect(await health()).toEqual([["10.0.1.1", 8443, "initial"]]);
  });

  it("describes the target group by ARN and by name; an unknown name is TargetGroupNotFound", async () => {
    const byArn = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    const byName = await elbv2.send(new DescribeTargetGroupsCommand({ Names: ["alb-static-ip-demo"] }));
    const error = await rejectionOf(elbv2.send(new DescribeTargetGroupsCommand({ Names: ["nope"] })));
    expect(byArn.TargetGroups?.[0]).toMatchObject({
      TargetGroupArn: arn,
      TargetGroupName: "alb-static-ip-demo",
      Protocol: "TCP",
      Port: 443,
      TargetType: "ip",
    });
    expect(byName.TargetGroups?.map((g) => g.TargetGroupArn)).toEqual([arn]);
    expect(error).toBeInstanceOf(TargetGroupNotFoundException);
  });
});

describe("ELBv2 in real time", () => {
  it("a target becomes healthy once the short health-check delay has passed", async () => {
    // Prepare
    const live = await startWorld({
      albIps: ["10.0.3.3"],
      healthCheckDelayMs: 50,
      deregistrationDelayMs: 100,
    });
    const client = elbv2Client(live.info);
    try {
      // Act
      await client.send(
        new RegisterTargetsCommand({
          TargetGroupArn: live.info.targetGroupArn,
          Targets: [{ Id: "10.0.3.3" }],
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 120));
      const out = await client.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: live.info.targetGroupArn }),
      );
      // Assess
      expect(out.TargetHealthDescriptions?.[0]?.TargetHealth?.State).toBe("healthy");
    } finally {
      client.destroy();
      await live.stop();
    }
  });
});
