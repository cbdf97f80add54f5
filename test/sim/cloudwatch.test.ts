import { InvalidParameterValueException, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWorld, type World } from "../../sim/world.js";
import { cloudwatchClient, rejectionOf } from "./support.js";

let world: World;

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  await world.stop();
});

beforeEach(() => world.reset());

function postQuery(params: Record<string, string>): Promise<Response> {
  return fetch(world.info.endpoints.cloudwatch, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: new URLSearchParams({ Action: "PutMetricData", Version: "2010-08-01", ...params }).toString(),
  });
}

describe("CloudWatch PutMetricData with the real SDK client (AWS JSON 1.0)", () => {
  it("keeps namespace, name, dimensions, value, unit and timestamp readable from /state", async () => {
    // Prepare
    const cw = cloudwatchClient(world.info);
    // Act
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "ALBStaticIP",
        MetricData: [
          {
            MetricName: "LoadBalancerIPCount",
            Dimensions: [
              { Name: "LoadBalancerName", Value: "demo-alb" },
              { Name: "TargetGroup", Value: "alb-static-ip-demo" },
            ],
            Value: 12,
            Unit: "Count",
            Timestamp: new Date("2030-01-01T00:00:00Z"),
          },
          { MetricName: "Registered", Value: 3 },
        ],
      }),
    );
    cw.destroy();
    // Assess
    const [first, second] = world.state().metrics;
    expect(first).toEqual({
      namespace: "ALBStaticIP",
      metricName: "LoadBalancerIPCount",
      dimensions: [
        { name: "LoadBalancerName", value: "demo-alb" },
        { name: "TargetGroup", value: "alb-static-ip-demo" },
      ],
      value: 12,
      unit: "Count",
      timestamp: "2030-01-01T00:00:00.000Z",
      protocol: "json",
    });
    expect(second).toMatchObject({ metricName: "Registered", value: 3, dimensions: [] });
    expect(world.state().requests["cloudwatch:PutMetricData"]).toBe(1);
  });

  it("rejects the reserved AWS/ namespace with InvalidParameterValue", async () => {
    const cw = cloudwatchClient(world.info);
    const error = await rejectionOf(
      cw.send(
        new PutMetricDataCommand({
          Namespace: "AWS/ApplicationELB",
          MetricData: [{ MetricName: "X", Value: 1 }],
        }),
      ),
    );
    cw.destroy();
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toContain("AWS/ApplicationELB");
    expect(world.state().metrics).toEqual([]);
  });

  it("accepts gzip-compressed request bodies", async () => {
    const cw = cloudwatchClient(world.info, { requestMinCompressionSizeBytes: 0 });
    const data = Array.from({ length: 50 }, (_, i) => ({ MetricName: `m${i}`, Value: i }));
    await cw.send(new PutMetricDataCommand({ Namespace: "ALBStaticIP", MetricData: data }));
    cw.destroy();
    expect(world.state().metrics.map((m) => m.value)).toEqual(data.map((d) => d.Value));
  });
});

describe("CloudWatch PutMetricData over the query protocol", () => {
  it("stores datapoints sent as form parameters and answers XML", async () => {
    // Act
    const response = await postQuery({
      Namespace: "Legacy",
      "MetricData.member.1.MetricName": "LoadBalancerIPCount",
      "MetricData.member.1.Dimensions.member.1.Name": "LoadBalancerName",
      "MetricData.member.1.Dimensions.member.1.Value": "demo",
      "MetricData.member.1.Value": "4",
      "MetricData.member.1.Unit": "Count",
      "MetricData.member.1.Timestamp": "2030-01-01T00:00:00Z",
      "MetricData.member.2.MetricName": "Latency",
      "MetricData.member.2.Values.member.1": "1.5",
      "MetricData.member.2.Values.member.2": "2.5",
      "MetricData.member.2.Counts.member.1": "3",
      "MetricData.member.2.Counts.member.2": "1",
    });
    const text = await response.text();
    // Assess
    expect(response.status).toBe(200);
    expect(text).toContain("<PutMetricDataResponse");
    expect(world.state().metrics).toEqual([
      {
        namespace: "Legacy",
        metricName: "LoadBalancerIPCount",
        dimensions: [{ name: "LoadBalancerName", value: "demo" }],
        value: 4,
        unit: "Count",
        timestamp: "2030-01-01T00:00:00.000Z",
        protocol: "query",
      },
      expect.objectContaining({
        metricName: "Latency",
        values: [1.5, 2.5],
        counts: [3, 1],
        protocol: "query",
      }),
    ]);
  });

  it("answers the AWS/ namespace with an ErrorResponse 400 InvalidParameterValue", async () => {
    const response = await postQuery({
      Namespace: "AWS/EC2",
      "MetricData.member.1.MetricName": "X",
      "MetricData.member.1.Value": "1",
    });
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).toContain("<Code>InvalidParameterValue</Code>");
    expect(text).toContain("<Type>Sender</Type>");
  });

  it.each([
    [
      { Namespace: "N", "MetricData.member.1.MetricName": "X", "MetricData.member.1.Unit": "Parsecs" },
      "InvalidParameterValue",
    ],
    [{ "MetricData.member.1.MetricName": "X" }, "MissingParameter"],
    [
      {
        Namespace: "N",
        "MetricData.member.1.MetricName": "X",
        "MetricData.member.1.Value": "1",
        "MetricData.member.1.Values.member.1": "2",
      },
      "InvalidParameterCombination",
    ],
  ])("rejects %j with %s", async (params, code) => {
    const response = await postQuery(params);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain(`<Code>${code}</Code>`);
  });
});

describe("CloudWatch Logs' extraction of embedded metric format lines (the container runtime's log delivery)", () => {
  const emf = (members: Record<string, unknown>, dims: string[][] = [["TargetGroup"]]) =>
    JSON.stringify({
      _aws: {
        Timestamp: 1_790_000_000_000,
        CloudWatchMetrics: [
          { Namespace: "ALBStaticIP", Dimensions: dims, Metrics: [{ Name: "M", Unit: "Count" }] },
        ],
      },
      ...members,
    });
  const deliver = (messages: string[]) =>
    fetch(world.info.endpoints.cloudwatch, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Logs_20140328.PutLogEvents" },
      body: JSON.stringify({
        logGroupName: "/aws/lambda/f",
        logStreamName: "s",
        logEvents: messages.map((message) => ({ timestamp: 0, message })),
      }),
    });

  it("records the datapoints of valid documents only, and counts no API call of the function", async () => {
    // Act
    const response = await deliver([
      "a plain log line",
      emf({ TargetGroup: "targetgroup/tg/1", M: 3 }),
      emf({ TargetGroup: "targetgroup/tg/1", M: [1, 2] }),
      emf({ M: 1 }), // the dimension names no member
      emf({ TargetGroup: 7, M: 1 }), // a dimension value must be a string
      emf({ TargetGroup: "targetgroup/tg/1", M: "1" }), // a metric value must be a number
      emf({ TargetGroup: "targetgroup/tg/1", M: 1 }).replace("1790000000000", '"now"'), // Timestamp in ms
    ]);

    // Assess
    expect(response.status).toBe(200);
    const state = world.state();
    expect(state.metrics.map((m) => [m.metricName, m.value, m.dimensions, m.protocol])).toEqual([
      ["M", 3, [{ name: "TargetGroup", value: "targetgroup/tg/1" }], "emf"],
      ["M", 1, [{ name: "TargetGroup", value: "targetgroup/tg/1" }], "emf"],
      ["M", 2, [{ name: "TargetGroup", value: "targetgroup/tg/1" }], "emf"],
    ]);
    expect(state.metrics[0]?.timestamp).toBe(new Date(1_790_000_000_000).toISOString());
    expect(state.requests["cloudwatch:PutMetricData"]).toBe(0);
  });
});
