/**
 * Bad input end to end through the bundle: malformed invocation events (the function may be invoked by hand or
 * wired to the wrong source) are ignored or rejected clearly, never a crash loop; hostile environment values fail
 * the init with a ConfigError naming the variable, before any AWS or DNS request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../lambda/reconcile.js";
import { type FunctionContainer, InitError } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";
import { activeTargets, albIps, churnAlb, invokeWatched, logRecords, startContainer } from "./harness.js";

let world: World;
let fn: FunctionContainer;

beforeAll(async () => {
  world = await startWorld({ albIpCount: 5, healthCheckDelayMs: 20, deregistrationDelayMs: 50, seed: 9 });
  fn = await startContainer(world);
});
afterAll(async () => {
  await fn.stop();
  await world.stop();
});

const hugeObject = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`key${i}`, "x".repeat(40)]));

const sqsEvent = {
  Records: [
    {
      messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
      body: "hello",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:my-queue",
      awsRegion: "us-east-1",
    },
  ],
};

const s3Event = {
  Records: [
    {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      eventName: "ObjectCreated:Put",
      s3: { bucket: { name: "alb-static-ip-demo-state" }, object: { key: "x.json" } },
    },
  ],
};

/** Event, and what the handler should do with it: a normal run that says what it ignored, or a dry run. */
const BAD_EVENTS: ReadonlyArray<[name: string, event: unknown, ignored: RegExp, dryRun: boolean]> = [
  ["a string", "run please", /event of type string/, false],
  ["a number", 42, /event of type number/, false],
  ["an array", [1, 2, 3], /event of type array/, false],
  ["null", null, /^$/, false],
  ["a huge object (20,000 keys)", hugeObject, /unknown event fields key0, key1/, false],
  ['{ dryRun: "yes" }', { dryRun: "yes" }, /dryRun must be true or false.*running as a dry run/, true],
  ["{ dryRun: 1 }", { dryRun: 1 }, /dryRun must be true or false/, true],
  ["an SQS event", sqsEvent, /unknown event fields Records/, false],
  ["an S3 event", s3Event, /unknown event fields Records/, false],
];

describe("malformed invocation events", () => {
  it.each(BAD_EVENTS)(
    "%s: ignored with a clear warning, nothing live lost, and the next scheduled run works",
    async (_name, event, ignored, dryRun) => {
      // Prepare: work to do, so a wrongly-applied dry run or a half-done run would show
      churnAlb(world, 1);
      const putsBefore = world.state().requests["s3:PutObject"] ?? 0;

      // Act
      const run = await invokeWatched(world, fn, event);
      const putsAfter = world.state().requests["s3:PutObject"] ?? 0;
      const activeAfterRun = activeTargets(world);
      const next = await invokeWatched(world, fn);

      // Assess: the odd event is answered, not crashed on
      expect(run.ok, JSON.stringify(run.error)).toBe(true);
      const summary = run.summary as RunSummary;
      expect(summary.dryRun).toBe(dryRun);
      const warning = logRecords(run.logs).find((l) => l.message === "Ignored part of the invocation event");
      if (ignored.source === "^$") expect(warning).toBeUndefined();
      else expect(String(warning?.ignored)).toMatch(ignored);
      // Assess: a dry run writes nothing; no log line echoes a huge event
      if (dryRun) {
        expect(putsAfter).toBe(putsBefore);
        // The summary names what the run would register; none of it was registered.
        expect(summary.targetGroups[0]!.registered.filter((ip) => activeAfterRun.includes(ip))).toEqual([]);
      }
      expect(Math.max(...run.logs.map((l) => l.length))).toBeLessThan(16_000);
      expect([...run.liveLost, ...run.liveDeregistered, ...next.liveLost, ...next.liveDeregistered]).toEqual(
        [],
      );
      // Assess: no crash loop: the next scheduled run works and the target group is in sync
      expect(next.ok, JSON.stringify(next.error)).toBe(true);
      expect(activeTargets(world).filter((ip) => albIps(world).includes(ip))).toEqual(albIps(world));
    },
  );
});

/** Hostile values, end to end; the config unit tests cover 84 more. */
const HOSTILE_ENV: ReadonlyArray<[label: string, variable: string, value: string]> = [
  ["port 0", "ALB_LISTENER", "0"],
  ["port 65536", "ALB_LISTENER", "65536"],
  ["an S3 ARN", "NLB_TG_ARN", "arn:aws:s3:::alb-static-ip-demo-state"],
  [
    "another partition and region",
    "NLB_TG_ARN",
    "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/x/0123456789abcdef",
  ],
  [
    "another region",
    "NLB_TG_ARN",
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/0123456789abcdef",
  ],
  ["threshold 0", "INVOCATIONS_BEFORE_DEREGISTRATION", "0"],
  ["threshold -1", "INVOCATIONS_BEFORE_DEREGISTRATION", "-1"],
  ["a control character", "S3_BUCKET", "state\u0007bucket"],
  ["a 10,000-character name", "ALB_DNS_NAME", `${"a".repeat(10_000)}.elb.amazonaws.com`],
  ["a reserved namespace", "METRIC_NAMESPACE", "AWS/ApplicationELB"],
  ["timeout 0", "AWS_REQUEST_TIMEOUT_MS", "0"],
  ["port 0", "DNS_SERVERS", "127.0.0.1:0"],
];

describe("hostile environment values, through the bundle", () => {
  let quiet: World;
  beforeAll(async () => {
    // A world of its own that no working container ever talks to: any request at all is a failure.
    quiet = await startWorld({ albIpCount: 3 });
  });
  afterAll(async () => {
    await quiet.stop();
  });

  it.concurrent.each(HOSTILE_ENV)(
    "%s in %s fails the init naming the variable, with no AWS or DNS request",
    async (_label, variable, value) => {
      // Act
      const error = await startContainer(quiet, { [variable]: value }).then(
        async (container) => {
          await container.stop();
          return undefined;
        },
        (e: unknown) => e,
      );

      // Assess
      expect(error).toBeInstanceOf(InitError);
      expect((error as Error).message).toContain(variable);
      expect((error as Error).message.length).toBeLessThan(4_000);
      expect(Object.values(quiet.state().requests).reduce((a, b) => a + b, 0)).toBe(0);
    },
  );
});
