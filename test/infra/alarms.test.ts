/**
 * The alarms of AlbStaticIp (modules/alarms.ts): their window follows the schedule, which must therefore be a
 * rate() whose interval the alarms can know; and IPs refused by ALLOWED_TARGET_CIDRS page someone by default,
 * because the list the module computed from the ALB's subnets goes stale when the ALB gains a subnet.
 */
import { describe, expect, it } from "vitest";
import { type AlbStaticIpProps, propProblems } from "../../modules/alb-static-ip.js";
import { renderModule } from "../../modules/build/module.js";
import { INPUTS } from "../../modules/inputs/index.js";
import { all, BASE, type Json, refTo, type Synthesized, synth } from "./synth.js";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";

/** The alarms of `s` on TargetsOutsideAllowedCidrs. */
const outsideAlarms = (s: Synthesized): Json[] =>
  all(s, "aws_cloudwatch_metric_alarm").filter((a) => a.metric_name === "TargetsOutsideAllowedCidrs");

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
    expect(alarms.map((a) => [a.metric_name, a.period, a.evaluation_periods, a.datapoints_to_alarm])).toEqual(
      [
        ["Errors", period, periods, periods],
        ["LoadBalancerIPCount", period, periods, periods],
        // One refused IP in the window is enough: it is never registered, and it is either a stale list or forged.
        ["TargetsOutsideAllowedCidrs", period, periods, 1],
      ],
    );
  });

  it("rejects a cron schedule, whose interval the alarms cannot know", () => {
    // Act / Assess
    expect(propProblems({ ...BASE, scheduleExpression: "cron(0/5 * * * ? *)" }).join()).toMatch(
      /scheduleExpression/,
    );
  });
});

describe("the alarm on IPs outside ALLOWED_TARGET_CIDRS", () => {
  it("is created by default, on the function's metric of the target group, with the other alarms' actions", () => {
    // Act
    const s = synth({ alarmActions: [TOPIC] });
    const [alarm, ...others] = outsideAlarms(s);

    // Assess
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      alarm_name: "alb-static-ip-outside-allowed-cidrs",
      namespace: "ALBStaticIP",
      metric_name: "TargetsOutsideAllowedCidrs",
      dimensions: {
        LoadBalancerName: BASE.albDnsName,
        TargetGroup: `\${element(split(":", ${refTo(s, "aws_lb_target_group", "arn").slice(2, -1)}), 5)}`,
      },
      statistic: "Maximum",
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
    expect(String(alarm?.alarm_description)).toMatch(
      /re-apply the module so the list follows the ALB's subnets/,
    );
    expect(s.construct.outsideAllowedCidrsAlarmNames).toBeDefined();
  });

  it.each<[Partial<AlbStaticIpProps>, string]>([
    [{ createOutsideAllowedCidrsAlarm: false }, "opted out"],
    [{ allowAnyTargetCidr: true }, "nothing can be refused"],
    [{ dryRun: true }, "a dry run publishes no metric"],
    [{ publishIpCountMetric: false }, "no metrics"],
  ])("is not created with %j (%s)", (props) => {
    // Act / Assess
    expect(outsideAlarms(synth(props))).toEqual([]);
  });

  it("exists once per listeners entry, named like the entry's other alarm", () => {
    // Act
    const s = synth({
      albListenerPort: undefined,
      listeners: { default: { port: 443 }, http: { port: 80 } },
    });

    // Assess
    const [alarm] = outsideAlarms(s);
    expect(String(alarm?.for_each)).toMatch(/target_group_arns/);
    expect(String(alarm?.alarm_name)).toMatch(/-outside-allowed-cidrs$/);
  });

  it("is a module input (create_outside_allowed_cidrs_alarm, default true) with an output of its names", () => {
    // Act
    const module = renderModule();

    // Assess
    expect(INPUTS.createOutsideAllowedCidrsAlarm).toMatchObject({
      variable: "create_outside_allowed_cidrs_alarm",
      kind: "bool",
      default: true,
    });
    expect(module.files["alarms.tf"]).toContain(
      'resource "aws_cloudwatch_metric_alarm" "outside_allowed_cidrs" {',
    );
    expect(module.files["alarms.tf"]).toContain(
      "for_each            = local.create_outside_allowed_cidrs_alarm ? local.target_group_arns : {}",
    );
    expect(module.outputs.map((o) => o.name)).toContain("outside_allowed_cidrs_alarm_names");
  });
});
