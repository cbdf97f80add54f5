/**
 * The function's metrics are CloudWatch embedded metric format (EMF) lines on stdout. Checked against the sim's
 * CloudWatch Logs extraction (sim/logs-emf.ts, written from the EMF specification, not from our writer): every
 * datapoint the run means to publish comes out of the lines, with its exact dimensions, and nothing else does.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildEmfDocuments,
  buildMetricData,
  createMetricsPublisher,
  type RunMetrics,
  type TargetGroupMetrics,
} from "../../lambda/aws/metrics.js";
import { extractEmf } from "../../sim/logs-emf.js";

const ALB = "internal-my-alb-1234567890.us-east-1.elb.amazonaws.com";
const NS = "ALBStaticIP";
const AT = new Date("2026-12-02T10:00:00Z");

const count = fc.integer({ min: 0, max: 500 });
const runMetrics: fc.Arbitrary<RunMetrics> = fc.record({
  ipCount: fc.option(count, { nil: undefined }),
  registered: count,
  deregistered: count,
  queries: count,
  discoveryComplete: fc.boolean(),
  outsideAllowedCidrs: fc.option(count, { nil: undefined }),
  onUnservedPorts: fc.option(count, { nil: undefined }),
  interfacesNotElbManaged: fc.option(count, { nil: undefined }),
  errorCode: fc.option(fc.constantFrom("register_targets_error", "state_write_error"), { nil: undefined }),
});
/** Up to 4 pairs over 2 target groups: two ports of one group share a series. */
const entries: fc.Arbitrary<TargetGroupMetrics[]> = fc.array(
  fc.record({
    targetGroupArn: fc.constantFrom(
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0123456789abcdef",
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/0123456789abcd01",
    ),
    metrics: runMetrics,
  }),
  { minLength: 1, maxLength: 4 },
);

/** "Name Dim=Value,Dim=Value value" of a datapoint, sortable. */
const key = (name: string, dims: ReadonlyArray<{ name: string; value: string }>, value: number) =>
  `${name} ${dims.map((d) => `${d.name}=${d.value}`).join(",")} ${value}`;

function published(list: readonly TargetGroupMetrics[]): { lines: string[]; writes: number } {
  const writes: string[] = [];
  createMetricsPublisher({ namespace: NS, albDnsName: ALB, write: (t) => writes.push(t) }).publish(list, AT);
  return {
    lines: writes
      .join("")
      .split("\n")
      .filter((l) => l !== ""),
    writes: writes.length,
  };
}

describe("metrics as embedded metric format lines", () => {
  it("yield, through CloudWatch Logs' extraction, exactly the datapoints of the run, with their dimensions", () => {
    fc.assert(
      fc.property(entries, (list) => {
        // Act
        const { lines, writes } = published(list);
        const extracted = lines.flatMap((l) => extractEmf(l));

        // Assess: one write per run, every line an EMF document in our namespace at the run's start
        expect(writes).toBe(1);
        const lbSource = list.find((e) => e.metrics.ipCount !== undefined);
        const expected = list.flatMap((e) =>
          buildMetricData(e.metrics, {
            albDnsName: ALB,
            targetGroupArn: e.targetGroupArn,
            loadBalancerSeries: e === lbSource,
          }).map((p) => key(p.name, p.dimensions, p.value)),
        );
        expect(extracted.map((m) => key(m.metricName, m.dimensions, m.value ?? Number.NaN)).sort()).toEqual(
          expected.sort(),
        );
        for (const m of extracted) {
          expect(m).toMatchObject({ namespace: NS, unit: "Count", timestamp: AT.toISOString() });
        }
      }),
    );
  });

  it("publish one LoadBalancerIPCount series per ALB, from the first pair that found IPs", () => {
    // Act
    const { lines } = published([
      {
        targetGroupArn: "arn:aws:elasticloadbalancing:::targetgroup/a/1",
        metrics: metrics({ ipCount: undefined }),
      },
      { targetGroupArn: "arn:aws:elasticloadbalancing:::targetgroup/b/2", metrics: metrics({ ipCount: 4 }) },
      { targetGroupArn: "arn:aws:elasticloadbalancing:::targetgroup/c/3", metrics: metrics({ ipCount: 9 }) },
    ]);
    const lbOnly = lines
      .flatMap((l) => extractEmf(l))
      .filter((m) => m.metricName === "LoadBalancerIPCount" && m.dimensions.length === 1);

    // Assess
    expect(lbOnly.map((m) => [m.dimensions[0], m.value])).toEqual([
      [{ name: "LoadBalancerName", value: ALB }, 4],
    ]);
  });

  it("keep every document within the specification's limits (100 metrics, 30 dimensions, 100 values)", () => {
    fc.assert(
      fc.property(entries, (list) => {
        const points = list.flatMap((e) =>
          buildMetricData(e.metrics, { albDnsName: ALB, targetGroupArn: e.targetGroupArn }),
        );
        for (const doc of buildEmfDocuments(points, NS, AT)) {
          for (const directive of doc._aws.CloudWatchMetrics) {
            expect(directive.Metrics.length).toBeLessThanOrEqual(100);
            for (const set of directive.Dimensions) expect(set.length).toBeLessThanOrEqual(30);
            for (const m of directive.Metrics) {
              const value = doc[m.Name];
              expect(Array.isArray(value) ? value.length : 1).toBeLessThanOrEqual(100);
            }
          }
        }
      }),
    );
  });

  it("write nothing for a run without pairs", () => {
    expect(published([]).writes).toBe(0);
  });
});

function metrics(over: Partial<RunMetrics>): RunMetrics {
  return { ipCount: 3, registered: 0, deregistered: 0, queries: 1, discoveryComplete: true, ...over };
}
