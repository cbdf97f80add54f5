/**
 * The alarms of AlbStaticIp (modules/alarms.ts): their window follows the schedule, which must therefore be a
 * rate() whose interval the alarms can know.
 */
import { describe, expect, it } from "vitest";
import { propProblems } from "../../modules/alb-static-ip.js";
import { all, BASE, synth } from "./synth.js";

describe("AlbStaticIp alarms", () => {
  it.each([
    ["rate(1 minute)", 60, 3],
    ["rate(5 minutes)", 300, 3],
    ["rate(12 hours)", 43200, 2],
    ["rate(1 day)", 86400, 1],
  ])("with %s use a %i s period over %i periods", (scheduleExpression, period, periods) => {
    // Act
    const alarms = all(synth({ scheduleExpression }), "aws_cloudwatch_metric_alarm");

    // Assess
    expect(alarms.map((a) => [a.period, a.evaluation_periods, a.datapoints_to_alarm])).toEqual([
      [period, periods, periods],
      [period, periods, periods],
    ]);
  });

  it("rejects a cron schedule, whose interval the alarms cannot know", () => {
    // Act / Assess
    expect(propProblems({ ...BASE, scheduleExpression: "cron(0/5 * * * ? *)" }).join()).toMatch(
      /scheduleExpression/,
    );
  });
});
