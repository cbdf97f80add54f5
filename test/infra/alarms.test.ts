/**
 * The alarms of AlbStaticIp (modules/alarms.ts): their window follows the schedule, which must therefore be a
 * rate() whose interval the alarms can know; and IPs refused by ALLOWED_TARGET_CIDRS page someone by default,
 * because the list the module computed from the ALB's subnets goes stale when the ALB gains a subnet; so do targets
 * left on a port the function no longer serves, and (ENI mode) interfaces that impersonate the ALB's nodes.
 */
import { describe, expect, it } from "vitest";
import { type AlbStaticIpProps, propProblems } from "../../modules/alb-static-ip.js";
import { renderModule } from "../../modules/build/module.js";
import { INPUTS } from "../../modules/inputs/index.js";
import { all, BASE, type Json, refTo, type Synthesized, synth } from "./synth.js";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";

/** The alarms of `s` on `metric`. */
const alarmsOn = (s: Synthesized, metric: string): Json[] =>
  all(s, "aws_cloudwatch_metric_alarm").filter((a) => a.metric_name === metric);
/** The alarms of `s` on TargetsOutsideAllowedCidrs. */
const outsideAlarms = (s: Synthesized): Json[] => alarmsOn(s, "TargetsOutsideAllowedCidrs");
const ALB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef";
/** ENI discovery, which alone can see look-alike interfaces. */
const ENI: Partial<AlbStaticIpProps> = { discoveryMode: "eni", albArn: ALB_ARN };

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
        // Targets left on an unserved port page only when they stay: a cleanup in progress takes a run or two.
        ["TargetsOnUnservedPorts", period, periods, periods],
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

describe("the alarm on targets left on a port the function no longer serves", () => {
  it("is created by default per target group, paging when they stay for the whole window, with the other alarms' actions", () => {
    // Act
    const s = synth({ alarmActions: [TOPIC] });
    const [alarm, ...others] = alarmsOn(s, "TargetsOnUnservedPorts");

    // Assess
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      alarm_name: "alb-static-ip-unserved-ports",
      namespace: "ALBStaticIP",
      dimensions: {
        LoadBalancerName: BASE.albDnsName,
        TargetGroup: `\${element(split(":", ${refTo(s, "aws_lb_target_group", "arn").slice(2, -1)}), 5)}`,
      },
      statistic: "Maximum",
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
    expect(String(alarm?.alarm_description)).toMatch(/cleanup_unserved_ports = true.*Lost state/);
    expect(s.construct.unservedPortsAlarmNames).toBeDefined();
  });

  it.each<[Partial<AlbStaticIpProps>, string]>([
    [{ createUnservedPortsAlarm: false }, "opted out"],
    [{ dryRun: true }, "a dry run publishes no metric"],
    [{ publishIpCountMetric: false }, "no metrics"],
  ])("is not created with %j (%s)", (props) => {
    // Act / Assess
    expect(alarmsOn(synth(props), "TargetsOnUnservedPorts")).toEqual([]);
  });

  it("exists once per listeners entry", () => {
    // Act
    const s = synth({
      albListenerPort: undefined,
      listeners: { default: { port: 443 }, http: { port: 80 } },
    });

    // Assess
    const [alarm] = alarmsOn(s, "TargetsOnUnservedPorts");
    expect(String(alarm?.for_each)).toMatch(/target_group_arns/);
    expect(String(alarm?.alarm_name)).toMatch(/-unserved-ports$/);
  });
});

describe("the alarm on interfaces with the ALB's description that ELB did not create", () => {
  it("is created by default in ENI mode: one alarm, on the primary target group's series, with the other alarms' actions", () => {
    // Act
    const s = synth({ ...ENI, alarmActions: [TOPIC] });
    const [alarm, ...others] = alarmsOn(s, "InterfacesNotElbManaged");

    // Assess
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      alarm_name: "alb-static-ip-interfaces-not-elb-managed",
      namespace: "ALBStaticIP",
      dimensions: {
        LoadBalancerName: BASE.albDnsName,
        TargetGroup: `\${element(split(":", ${refTo(s, "aws_lb_target_group", "arn").slice(2, -1)}), 5)}`,
      },
      statistic: "Maximum",
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      datapoints_to_alarm: 1,
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
    expect(String(alarm?.alarm_description)).toMatch(/^Security: .*CloudTrail.*delete them \(SECURITY\.md\)/);
    expect(s.construct.interfacesNotElbManagedAlarmName).toBeDefined();
  });

  it.each<[Partial<AlbStaticIpProps>, string]>([
    [{ albArn: ALB_ARN }, "DNS discovery sees no interface"],
    [{ ...ENI, createInterfacesNotElbManagedAlarm: false }, "opted out"],
    [{ ...ENI, dryRun: true }, "a dry run publishes no metric"],
    [{ ...ENI, publishIpCountMetric: false }, "no metrics"],
  ])("is not created with %j (%s)", (props) => {
    // Act / Assess
    expect(alarmsOn(synth(props), "InterfacesNotElbManaged")).toEqual([]);
  });

  it("is one alarm with several listeners, on the entry default's target group", () => {
    // Act
    const s = synth({
      ...ENI,
      albListenerPort: undefined,
      listeners: { default: { port: 443 }, http: { port: 80 } },
    });

    // Assess
    const alarms = alarmsOn(s, "InterfacesNotElbManaged");
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.for_each).toBeUndefined();
    expect(alarms[0]?.alarm_name).toBe("alb-static-ip-interfaces-not-elb-managed");
  });
});

describe("the module's alarms on the function's security and operations metrics", () => {
  it("are inputs (create_unserved_ports_alarm, create_interfaces_not_elb_managed_alarm; default true) with outputs of their names", () => {
    // Act
    const module = renderModule();

    // Assess
    expect(INPUTS.createUnservedPortsAlarm).toMatchObject({
      variable: "create_unserved_ports_alarm",
      kind: "bool",
      default: true,
    });
    expect(INPUTS.createInterfacesNotElbManagedAlarm).toMatchObject({
      variable: "create_interfaces_not_elb_managed_alarm",
      kind: "bool",
      default: true,
    });
    expect(module.files["alarms.tf"]).toContain(
      "for_each            = local.create_unserved_ports_alarm ? local.target_group_arns : {}",
    );
    expect(module.files["alarms.tf"]).toContain(
      "count               = local.create_interfaces_not_elb_managed_alarm ? 1 : 0",
    );
    expect(module.files["main.tf"]).toMatch(
      /create_interfaces_not_elb_managed_alarm = \([^)]*var\.create_interfaces_not_elb_managed_alarm[^\n]*local\.eni_discovery/,
    );
    expect(module.outputs.map((o) => o.name)).toEqual(
      expect.arrayContaining(["unserved_ports_alarm_names", "interfaces_not_elb_managed_alarm_name"]),
    );
  });
});
