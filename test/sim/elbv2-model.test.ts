import { beforeEach, describe, expect, it } from "vitest";
import { SimApiError } from "../../sim/api-error.js";
import { Elbv2Model, type TargetGroupSpec } from "../../sim/elbv2-model.js";
import { parseCidr } from "../../sim/ip.js";
import { manualClock } from "./support.js";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef";
const SPEC: TargetGroupSpec = {
  arn: ARN,
  name: "tg",
  port: 443,
  protocol: "TCP",
  vpcId: "vpc-1",
  vpcCidr: parseCidr("10.0.0.0/16"),
  loadBalancerArns: [],
};
const HC = 100;
const DEREG = 500;

let clock: ReturnType<typeof manualClock>;
let alb: Set<string>;
let model: Elbv2Model;

function states(): Record<string, string> {
  return Object.fromEntries(model.describeHealth(ARN).map((t) => [`${t.ip}:${t.port}`, t.state]));
}

function errorOf(fn: () => unknown): SimApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SimApiError) return error;
    throw error;
  }
  throw new Error("expected a SimApiError");
}

beforeEach(() => {
  clock = manualClock();
  alb = new Set(["10.0.1.1", "10.0.1.2"]);
  model = new Elbv2Model({
    clock: clock.now,
    healthCheckDelayMs: HC,
    deregistrationDelayMs: DEREG,
    isLive: (ip) => alb.has(ip),
    maxTargets: 3,
  });
  model.addGroup(SPEC);
});

describe("target health state machine", () => {
  it("an ALB IP goes initial then healthy after the health-check delay", () => {
    // Prepare
    model.register(ARN, [{ id: "10.0.1.1", port: 443 }]);
    // Act
    const before = states();
    clock.advance(HC);
    const after = states();
    // Assess
    expect(before).toEqual({ "10.0.1.1:443": "initial" });
    expect(after).toEqual({ "10.0.1.1:443": "healthy" });
  });

  it("an IP that is not the ALB's goes unhealthy with Target.FailedHealthChecks", () => {
    model.register(ARN, [{ id: "10.0.9.9" }]);
    clock.advance(HC);
    const [view] = model.describeHealth(ARN);
    expect(view).toMatchObject({ state: "unhealthy", reason: "Target.FailedHealthChecks" });
  });

  it("a healthy target whose IP leaves the ALB stays healthy for one delay, then turns unhealthy", () => {
    // Prepare
    model.register(ARN, [{ id: "10.0.1.1" }]);
    clock.advance(HC);
    // Act
    alb.delete("10.0.1.1");
    model.albChanged();
    clock.advance(HC - 1);
    const during = states()["10.0.1.1:443"];
    clock.advance(1);
    const after = states()["10.0.1.1:443"];
    // Assess
    expect(during).toBe("healthy");
    expect(after).toBe("unhealthy");
  });

  it("an unhealthy target whose IP joins the ALB becomes healthy after the delay", () => {
    model.register(ARN, [{ id: "10.0.1.3" }]);
    clock.advance(HC);
    alb.add("10.0.1.3");
    model.albChanged();
    const during = states()["10.0.1.3:443"];
    clock.advance(HC);
    expect(during).toBe("unhealthy");
    expect(states()["10.0.1.3:443"]).toBe("healthy");
  });

  it("a deregistered target drains, then disappears after the deregistration delay", () => {
    model.register(ARN, [{ id: "10.0.1.1" }]);
    clock.advance(HC);
    model.deregister(ARN, [{ id: "10.0.1.1", port: 443 }]);
    const [draining] = model.describeHealth(ARN);
    clock.advance(DEREG);
    expect(draining).toMatchObject({ state: "draining", reason: "Target.DeregistrationInProgress" });
    expect(model.describeHealth(ARN)).toEqual([]);
  });

  it("re-registering a draining target starts again at initial", () => {
    model.register(ARN, [{ id: "10.0.1.1" }]);
    clock.advance(HC);
    model.deregister(ARN, [{ id: "10.0.1.1" }]);
    clock.advance(10);
    model.register(ARN, [{ id: "10.0.1.1" }]);
    expect(states()).toEqual({ "10.0.1.1:443": "initial" });
    clock.advance(HC);
    expect(states()).toEqual({ "10.0.1.1:443": "healthy" });
  });

  it("registering an already registered target changes nothing", () => {
    model.register(ARN, [{ id: "10.0.1.1" }]);
    clock.advance(HC);
    model.register(ARN, [{ id: "10.0.1.1", port: 443 }]);
    expect(states()).toEqual({ "10.0.1.1:443": "healthy" });
  });
});

describe("register and deregister semantics", () => {
  it("register without Port uses the target group port", () => {
    model.register(ARN, [{ id: "10.0.1.1" }]);
    expect(model.describeHealth(ARN)[0]?.port).toBe(443);
  });

  it("deregister without Port leaves a target registered on another port alone", () => {
    model.register(ARN, [{ id: "10.0.1.1", port: 8443 }]);
    model.deregister(ARN, [{ id: "10.0.1.1" }]);
    expect(states()).toEqual({ "10.0.1.1:8443": "initial" });
  });

  it("deregistering an unknown target succeeds and changes nothing", () => {
    model.register(ARN, [{ id: "10.0.1.1" }]);
    model.deregister(ARN, [{ id: "10.0.7.7", port: 443 }]);
    expect(states()).toEqual({ "10.0.1.1:443": "initial" });
  });

  it("an IP outside the VPC CIDR needs AvailabilityZone all", () => {
    const error = errorOf(() => model.register(ARN, [{ id: "192.168.5.5" }]));
    model.register(ARN, [{ id: "192.168.5.5", availabilityZone: "all" }]);
    expect(error.code).toBe("ValidationError");
    expect(error.message).toContain("192.168.5.5");
    expect(model.describeHealth(ARN)[0]).toMatchObject({ ip: "192.168.5.5", availabilityZone: "all" });
  });

  it("a public IP is rejected even with AvailabilityZone all", () => {
    const error = errorOf(() => model.register(ARN, [{ id: "8.8.8.8", availabilityZone: "all" }]));
    expect(error.code).toBe("InvalidTarget");
  });

  it("one invalid target fails the whole call and registers nothing", () => {
    errorOf(() => model.register(ARN, [{ id: "10.0.1.1" }, { id: "not-an-ip" }]));
    expect(model.describeHealth(ARN)).toEqual([]);
  });

  it.each([
    [{ id: "10.0.1" }, "ValidationError"],
    [{ id: "10.0.1.1", port: 0 }, "ValidationError"],
    [{ id: "10.0.1.1", port: 70000 }, "ValidationError"],
  ])("rejects %j with %s", (target, code) => {
    expect(errorOf(() => model.register(ARN, [target])).code).toBe(code);
  });

  it("more targets than the quota fail with TooManyTargets and change nothing", () => {
    model.register(ARN, [{ id: "10.0.1.1" }, { id: "10.0.1.2" }]);
    const error = errorOf(() => model.register(ARN, [{ id: "10.0.1.3" }, { id: "10.0.1.4" }]));
    expect(error.code).toBe("TooManyTargets");
    expect(Object.keys(states())).toEqual(["10.0.1.1:443", "10.0.1.2:443"]);
  });

  it("draining targets do not count against the quota", () => {
    model.register(ARN, [{ id: "10.0.1.1" }, { id: "10.0.1.2" }, { id: "10.0.1.3" }]);
    model.deregister(ARN, [{ id: "10.0.1.3" }]);
    model.register(ARN, [{ id: "10.0.1.4" }]);
    expect(Object.keys(states())).toHaveLength(4);
  });

  it("an unknown target group is TargetGroupNotFound, a malformed ARN is ValidationError", () => {
    expect(errorOf(() => model.describeHealth(ARN.replace("0123", "ffff"))).code).toBe("TargetGroupNotFound");
    expect(errorOf(() => model.describeHealth("arn:nope")).code).toBe("ValidationError");
  });

  it("describing a target that is not registered reports unused / Target.NotRegistered", () => {
    model.register(ARN, [{ id: "10.0.1.1" }]);
    const views = model.describeHealth(ARN, [{ id: "10.0.1.1" }, { id: "10.0.1.9", port: 443 }]);
    expect(views.map((v) => [v.ip, v.state, v.reason])).toEqual([
      ["10.0.1.1", "initial", "Elb.RegistrationInProgress"],
      ["10.0.1.9", "unused", "Target.NotRegistered"],
    ]);
  });
});
