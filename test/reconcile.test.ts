import { describe, expect, it } from "vitest";
import { type RunSummary, runCovers } from "../lambda/reconcile.js";
import { emptyPairSummary } from "../lambda/reconcile-pair.js";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/static-ip/0123456789abcdef";

function summary(overrides: Partial<RunSummary> = {}, pairNotes: string[] = []): RunSummary {
  const pair = {
    ...emptyPairSummary({
      label: `443=targetgroup/static-ip/0123456789abcdef`,
      planConfig: {
        albDnsName: "alb.example",
        targetGroupArn: ARN,
        port: 443,
        family: "ipv4",
        invocationsBeforeDeregistration: 3,
        invocationsBeforeDeregistrationHealthy: 15,
        maxDeregistrationsPerRun: 10,
        sameVpc: true,
      },
    }),
    notes: pairNotes,
  };
  return {
    ok: true,
    dryRun: false,
    albDnsName: "alb.example",
    discovery: {
      ipv4: {
        queries: 1,
        answers: 1,
        errors: { servfail: 0, nxdomain: 0, timeout: 0, refused: 0, empty: 0, other: 0 },
        complete: true,
        failed: false,
        missBound: 0,
        notes: [],
        durationMs: 1,
        ipCount: 3,
      },
    },
    targetGroups: [pair],
    failedTargetGroups: [],
    notes: [],
    apiCalls: { elbv2: 0, s3: 0, dnsQueries: 0 },
    durationMs: 1,
    ...overrides,
  };
}

describe("runCovers: which runs handle the interface events older than their start", () => {
  it("a successful run with complete observations covers", () => {
    expect(runCovers(summary())).toBe(true);
  });

  it.each<[string, RunSummary]>([
    ["a dry run (it changed nothing)", summary({ dryRun: true })],
    ["a run whose pair lost a state conflict to another run", summary({}, ["state_conflict"])],
    ["a failed run", summary({ ok: false })],
    [
      "a run with an incomplete observation",
      summary({ discovery: { ipv4: { ...summary().discovery.ipv4!, complete: false } } }),
    ],
    ["a run that observed nothing", summary({ discovery: {} })],
  ])("%s does not cover", (_name, s) => {
    expect(runCovers(s)).toBe(false);
  });
});
