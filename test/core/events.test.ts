import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideEvent,
  EVENT_SETTLE_MS,
  type EventContext,
  type InterfaceEvent,
  interfaceEventPattern,
  parseInterfaceEvent,
} from "../../lambda/core/events.js";
import { cloudTrailEvent, type NetworkInterface } from "../../sim/enis.js";
import { matchesPattern } from "../../sim/eventbridge.js";

const OURS = "ELB app/web/0123456789abcdef";
const ENI: NetworkInterface = {
  id: "eni-0000000000000000a",
  ownerId: "123456789012",
  vpcId: "vpc-0a1b2c3d",
  subnetId: "subnet-1",
  availabilityZone: "us-east-1a",
  description: OURS,
  requesterId: "amazon-elb",
  requesterManaged: true,
  attachmentOwnerId: "amazon-elb",
  interfaceType: "interface",
  privateIps: ["10.0.1.5"],
  ipv6: [],
};
const AT = Date.parse("2026-12-02T01:00:00.400Z");
const created = cloudTrailEvent(
  "CreateNetworkInterface",
  ENI,
  { region: "us-east-1", accountId: "123456789012" },
  AT,
);
const deleted = cloudTrailEvent(
  "DeleteNetworkInterface",
  ENI,
  { region: "us-east-1", accountId: "123456789012" },
  AT,
);
const withDetail = (patch: Record<string, unknown>) => ({
  ...created,
  detail: { ...created.detail, ...patch },
});

describe("parseInterfaceEvent", () => {
  it("reads ELB's CreateNetworkInterface: the interface, its description, the whole-second event time", () => {
    expect(parseInterfaceEvent(created)).toEqual({
      ok: true,
      event: {
        name: "CreateNetworkInterface",
        eventTime: Date.parse("2026-12-02T01:00:00Z"),
        interfaceId: ENI.id,
        description: OURS,
        eventId: expect.any(String),
      },
    });
  });

  it("reads DeleteNetworkInterface by the interface id alone", () => {
    expect(parseInterfaceEvent(deleted)).toMatchObject({
      ok: true,
      event: { name: "DeleteNetworkInterface", interfaceId: ENI.id, description: undefined },
    });
  });

  it.each([
    [
      "another detail-type",
      { ...created, "detail-type": "EC2 Instance State-change Notification" },
      "detail-type",
    ],
    ["no detail", { ...created, detail: undefined }, "no detail"],
    ["another service", withDetail({ eventSource: "s3.amazonaws.com" }), "eventSource"],
    ["another call", withDetail({ eventName: "AttachNetworkInterface" }), "eventName"],
    ["a user's call", withDetail({ sourceIPAddress: "203.0.113.7" }), "not an ALB node"],
    ["a failed call", withDetail({ errorCode: "Client.InvalidParameterValue" }), "the call failed"],
    ["no time", withDetail({ eventTime: "yesterday" }), "eventTime"],
    [
      "a delete without id",
      { ...deleted, detail: { ...deleted.detail, requestParameters: {} } },
      "networkInterfaceId",
    ],
  ])("rejects %s with the reason", (_what, event, reason) => {
    const parsed = parseInterfaceEvent(event as Record<string, unknown>);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.reason).toContain(reason);
  });

  it("never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (detail) => {
        const parsed = parseInterfaceEvent({
          source: "aws.ec2",
          "detail-type": "AWS API Call via CloudTrail",
          detail,
        });
        expect(typeof parsed.ok).toBe("boolean");
      }),
    );
  });
});

describe("decideEvent", () => {
  const event = (patch: Partial<InterfaceEvent> = {}): InterfaceEvent => ({
    name: "CreateNetworkInterface",
    eventTime: AT,
    interfaceId: ENI.id,
    description: OURS,
    eventId: "e",
    ...patch,
  });
  const ctx = (patch: Partial<EventContext> = {}): EventContext => ({
    discoveryMode: "eni",
    interfaceDescription: OURS,
    knownInterfaceIds: new Set(),
    knowsInterfaces: false,
    lastCoveringRunStartedAt: undefined,
    now: AT + 1000,
    ...patch,
  });

  it("runs for our created interface, after the change settles", () => {
    expect(decideEvent(event(), ctx())).toEqual({ kind: "run", waitMs: EVENT_SETTLE_MS - 1000 });
    expect(decideEvent(event(), ctx({ now: AT + 60_000 }))).toEqual({ kind: "run", waitMs: 0 });
  });

  it("ignores a created interface of another load balancer, even one whose name starts with ours", () => {
    expect(decideEvent(event({ description: "ELB app/web-2/fedcba9876543210" }), ctx()).kind).toBe("ignore");
    expect(decideEvent(event({ description: "ELB app/web/0123456789abcdef " }), ctx()).kind).toBe("ignore");
  });

  it("ignores created interfaces when ALB_ARN is not set (no way to attribute them)", () => {
    expect(decideEvent(event(), ctx({ interfaceDescription: undefined }))).toMatchObject({
      kind: "ignore",
      reason: expect.stringContaining("ALB_ARN"),
    });
  });

  it("ignores every interface event in DNS mode, naming the fix: a DNS run cannot see a new interface yet", () => {
    // Prepare: events that would run in ENI mode (ours created; a deletion a cold container cannot attribute)
    const dns = ctx({ discoveryMode: "dns" });
    const deleted = event({ name: "DeleteNetworkInterface", description: undefined });

    // Act
    const decisions = [decideEvent(event(), dns), decideEvent(deleted, dns)];

    // Assess
    for (const decision of decisions) {
      expect(decision).toMatchObject({ kind: "ignore" });
      expect(decision.kind === "ignore" && decision.reason).toMatch(/DISCOVERY_MODE=eni/);
      expect(decision.kind === "ignore" && decision.reason).toMatch(/event_driven = false/);
    }
    expect(decideEvent(deleted, ctx()).kind).toBe("run");
  });

  it("attributes a deletion by the interface ids of the last lookup", () => {
    const known = ctx({ knowsInterfaces: true, knownInterfaceIds: new Set([ENI.id]) });
    expect(decideEvent(event({ name: "DeleteNetworkInterface", description: undefined }), known).kind).toBe(
      "run",
    );
    expect(decideEvent(event({ name: "DeleteNetworkInterface", interfaceId: "eni-other" }), known).kind).toBe(
      "ignore",
    );
    // A cold container cannot tell: the event is a hint, the run discovers.
    expect(decideEvent(event({ name: "DeleteNetworkInterface", interfaceId: "eni-other" }), ctx()).kind).toBe(
      "run",
    );
  });

  it("skips an event that a run started after the change settled already covered", () => {
    expect(decideEvent(event(), ctx({ lastCoveringRunStartedAt: AT + EVENT_SETTLE_MS }))).toMatchObject({
      kind: "covered",
    });
    expect(decideEvent(event(), ctx({ lastCoveringRunStartedAt: AT + EVENT_SETTLE_MS - 1 })).kind).toBe(
      "run",
    );
  });

  it("never skips an event newer than the covering run (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 7 }),
        fc.integer({ min: 0, max: 10 ** 7 }),
        (eventAt, runAt) => {
          const d = decideEvent(
            event({ eventTime: eventAt }),
            ctx({ lastCoveringRunStartedAt: runAt, now: Math.max(eventAt, runAt) }),
          );
          if (d.kind === "covered") expect(runAt).toBeGreaterThanOrEqual(eventAt + EVENT_SETTLE_MS);
          if (d.kind === "run") expect(d.waitMs).toBeLessThanOrEqual(EVENT_SETTLE_MS);
        },
      ),
    );
  });
});

describe("interfaceEventPattern", () => {
  const pattern = interfaceEventPattern(OURS);

  it("matches ELB creating our interface and ELB deleting any interface", () => {
    expect(matchesPattern(pattern, created)).toBe(true);
    expect(matchesPattern(pattern, deleted)).toBe(true);
  });

  it("does not match another ALB's new interface, a user's call, a failed call, or other events", () => {
    const other = cloudTrailEvent(
      "CreateNetworkInterface",
      { ...ENI, description: "ELB app/web-2/fedcba9876543210" },
      { region: "us-east-1", accountId: "1" },
      AT,
    );
    expect(matchesPattern(pattern, other)).toBe(false);
    expect(matchesPattern(pattern, withDetail({ sourceIPAddress: "203.0.113.7" }))).toBe(false);
    expect(matchesPattern(pattern, withDetail({ errorCode: "Client.UnauthorizedOperation" }))).toBe(false);
    expect(matchesPattern(pattern, withDetail({ eventName: "AttachNetworkInterface" }))).toBe(false);
    expect(matchesPattern(pattern, { source: "aws.events", "detail-type": "Scheduled Event" })).toBe(false);
  });
});
