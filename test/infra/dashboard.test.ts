/**
 * The dashboard shows what the function publishes: every widget metric in the function's namespace has a
 * name and a dimension set that buildMetricData (lambda/aws/metrics.ts) actually emits.
 */
import { describe, expect, it } from "vitest";
import { buildMetricData, METRIC_NAMES } from "../../lambda/aws/metrics.js";
import { dashboardBody } from "../../modules/dashboard.js";
import { one, synth } from "./synth.js";

const ALB = "internal-my-alb-1234567890.us-east-1.elb.amazonaws.com";
const TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef";
const NS = "ALBStaticIP";

/** name + sorted "Dim=Value" list of every datum of a failed and of a good run. */
function published(): Set<string> {
  const runs = [
    { ipCount: 3, registered: 1, deregistered: 0, queries: 20, discoveryComplete: true, onUnservedPorts: 0 },
    {
      ipCount: undefined,
      registered: 0,
      deregistered: 0,
      queries: 5,
      discoveryComplete: false,
      errorCode: "x_error",
    },
    // ENI mode also publishes the look-alike count.
    {
      ipCount: 3,
      registered: 0,
      deregistered: 0,
      queries: 1,
      discoveryComplete: true,
      interfacesNotElbManaged: 1,
    },
  ];
  const keys = new Set<string>();
  for (const run of runs) {
    for (const d of buildMetricData(run, { albDnsName: ALB, targetGroupArn: TG_ARN })) {
      const dims = d.dimensions.map((x) => `${x.name}=${x.value}`).sort();
      keys.add(`${d.name} ${dims.join(",")}`);
    }
  }
  return keys;
}

describe("the CloudWatch dashboard", () => {
  const body = dashboardBody({
    namespace: NS,
    loadBalancer: ALB,
    targetGroup: "targetgroup/tg/0123456789abcdef",
    functionName: "alb-static-ip",
    region: "us-east-1",
    period: 60,
  });

  it("graphs only metric names and dimension sets that the function publishes", () => {
    // Prepare
    const keys = published();

    // Act
    const lines = body.widgets.flatMap((w) => w.properties.metrics).filter((m) => m[0] === NS);
    const shown = lines.map((m) => {
      const parts = m.filter((x): x is string => typeof x === "string");
      const dims: string[] = [];
      for (let i = 2; i + 1 < parts.length; i += 2) dims.push(`${parts[i]}=${parts[i + 1]}`);
      return `${parts[1]} ${dims.sort().join(",")}`;
    });

    // Assess
    expect(shown.length).toBeGreaterThanOrEqual(5);
    for (const key of shown) expect(keys, `the function does not publish ${key}`).toContain(key);
  });

  it("covers IP count, registrations, deregistrations, DNS queries, completeness, run errors and duration", () => {
    // Act
    const text = JSON.stringify(body);

    // Assess
    for (const name of Object.values(METRIC_NAMES)) expect(text).toContain(name);
    expect(text).toContain('"Duration"');
    expect(text).toContain("HealthyHostCount");
  });

  it("is created by default and not with createDashboard: false", () => {
    // Act / Assess
    expect(one(synth(), "aws_cloudwatch_dashboard").dashboard_name).toBe("alb-static-ip");
    expect(synth({ createDashboard: false }).json.resource.aws_cloudwatch_dashboard).toBeUndefined();
  });
});
