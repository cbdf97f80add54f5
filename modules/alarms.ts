/**
 * Alarms on the sync: function errors, no ALB IP (or no datapoint) in the function's own metric, observed IPs
 * refused by ALLOWED_TARGET_CIDRS (a list gone stale when the ALB gained a subnet, or a forged DNS answer), targets
 * left on a port the function no longer serves, and (ENI mode) interfaces that copy the ALB's description.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { Fn, Op, TerraformLocal, Token } from "cdktf";
import { andToggle, type BuildContext, type EachTargetGroup, type PerTargetGroup } from "./context.js";
import { attrOf, countFor, declared, isToken, type Toggle } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";
import { INPUTS } from "./inputs/index.js";
import { scheduleSeconds, scheduleSecondsHcl } from "./inputs/patterns.js";

/** What the alarms part gives the rest of the construct. */
export interface AlarmParts {
  readonly errorsAlarm: CloudwatchMetricAlarm;
  readonly ipCountAlarm: CloudwatchMetricAlarm | undefined;
  readonly outsideAllowedCidrsAlarm: CloudwatchMetricAlarm | undefined;
  /** Name of that alarm per target group (the entry `default` without `listeners`). */
  readonly outsideAllowedCidrsAlarmNames: Record<string, string> | undefined;
  readonly unservedPortsAlarm: CloudwatchMetricAlarm | undefined;
  /** Name of the alarm on TargetsOnUnservedPorts per target group (the entry `default` without `listeners`). */
  readonly unservedPortsAlarmNames: Record<string, string> | undefined;
  /** ENI mode: the alarm on InterfacesNotElbManaged (one, on the primary target group's series). */
  readonly interfacesNotElbManagedAlarm: CloudwatchMetricAlarm | undefined;
}

/** What the alarms watch besides the function: its target groups, the primary one, and the discovery mode. */
export interface AlarmTargets {
  /** Every target group (one alarm each). */
  readonly perTg: PerTargetGroup;
  /** The primary target group only (the entry `default`, else the first): one alarm for what every group reports. */
  readonly primary: PerTargetGroup;
  /** The LoadBalancerName dimension the function publishes ({@link albDimension}). */
  readonly albMetricDimension: string;
  /** discovery_mode = "eni" (modules/discovery.ts). */
  readonly eni: Toggle;
}

/** Declares the alarms on `fn` and on the metrics it publishes for each target group. */
export function declareAlarms(ctx: BuildContext, fn: LambdaFunction, targets: AlarmTargets): AlarmParts {
  const { perTg, albMetricDimension } = targets;
  const { scope, props, name, named } = ctx;
  const tags = ctx.tagsFor(props.alarmTags);
  const metricNamespace = props.metricNamespace ?? DEFAULTS.metricNamespace;
  const publishMetric = props.publishIpCountMetric ?? DEFAULTS.publishIpCountMetric;
  const alarmActions = props.alarmActions ?? [];
  const { period, evaluationPeriods } = alarmWindow(ctx);
  const errorsAlarm = named(
    new CloudwatchMetricAlarm(scope, "errors_alarm", {
      count: ctx.count(),
      alarmName: `${name}-errors`,
      alarmDescription: `The ${name} function failed in every run of the alarm window (up to 3 consecutive runs): the target group is no longer kept in sync. See its log group.`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: attrOf(fn, "function_name") },
      statistic: "Sum",
      period,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions,
      okActions: alarmActions,
      tags,
    }),
    "errors",
    "A failed run (no DNS answer, an AWS call failing after its retries) in every run of the window: the target group is no longer kept in sync. No invocation is no error (missing data is not breaching).",
  );

  // No datapoints without metrics or in a dry run (which publishes none): the alarm would only ever fire.
  const dryRun = props.dryRun ?? DEFAULTS.dryRun;
  const datapoints = ctx.decide(
    "metrics_published",
    andToggle(publishMetric, not(dryRun)),
    "The function publishes its metrics: not with publish_ip_count_metric = false, nor in a dry run.",
  );
  const createIpCountAlarm = ctx.when(
    andToggle(props.createIpCountAlarm ?? DEFAULTS.createIpCountAlarm, datapoints),
    "create_ip_count_alarm",
    "The alarm on LoadBalancerIPCount, per target group: not with metrics off or in a dry run, which publish no datapoint (it would only ever fire).",
  );
  let ipCountAlarm: CloudwatchMetricAlarm | undefined;
  if (declared(createIpCountAlarm)) {
    const { forEach, arnSuffix, nameSuffix } = perTg.each(createIpCountAlarm);
    ipCountAlarm = named(
      new CloudwatchMetricAlarm(scope, "ip_count_alarm", {
        count: forEach === undefined ? countFor(createIpCountAlarm) : undefined,
        forEach,
        alarmName: `${name}${nameSuffix}-ip-count`,
        alarmDescription: `The ${name} function reported no ALB IP (or no datapoint) in every run of the alarm window (up to 3 consecutive runs): DNS discovery fails or the function does not run.`,
        namespace: metricNamespace,
        metricName: "LoadBalancerIPCount",
        dimensions: { LoadBalancerName: albMetricDimension, TargetGroup: arnSuffix },
        statistic: "Minimum",
        period,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        alarmActions,
        okActions: alarmActions,
        tags,
      }),
      "ip_count",
      "No ALB IP, or no datapoint at all, in every run of the window: discovery fails or the function does not run. Missing data is breaching: a silent function must page someone too.",
    );
  }

  // With the explicit opt-out nothing is ever refused; without datapoints the alarm would see nothing.
  const createOutsideAlarm = ctx.when(
    andToggle(
      andToggle(props.createOutsideAllowedCidrsAlarm ?? DEFAULTS.createOutsideAllowedCidrsAlarm, datapoints),
      not(props.allowAnyTargetCidr ?? false),
    ),
    "create_outside_allowed_cidrs_alarm",
    "The alarm on TargetsOutsideAllowedCidrs, per target group: not with the explicit opt-out (nothing is refused), with metrics off or in a dry run.",
  );
  const shared = { albMetricDimension, period, evaluationPeriods };
  const outside = declared(createOutsideAlarm)
    ? countAlarm(ctx, perTg.each(createOutsideAlarm), createOutsideAlarm, shared, {
        id: "outside_allowed_cidrs_alarm",
        hclName: "outside_allowed_cidrs",
        nameSuffix: "-outside-allowed-cidrs",
        metricName: "TargetsOutsideAllowedCidrs",
        description: `The ${name} function refused IPs outside ALLOWED_TARGET_CIDRS: re-apply the module so the list follows the ALB's subnets, or fix allowed_target_cidrs (SECURITY.md).`,
        datapointsToAlarm: 1,
        why: "An IP the function observed outside ALLOWED_TARGET_CIDRS, refused (never registered), in any run of the window. The list taken from the ALB's subnets is fixed at apply time: when the ALB gains a subnet, its new IPs are refused until the module is applied again. Otherwise a DNS answer named a host outside the ALB's subnets (SECURITY.md).",
      })
    : undefined;

  const createUnservedAlarm = ctx.when(
    andToggle(props.createUnservedPortsAlarm ?? DEFAULTS.createUnservedPortsAlarm, datapoints),
    "create_unserved_ports_alarm",
    "The alarm on TargetsOnUnservedPorts, per target group: not with the opt-out, with metrics off or in a dry run.",
  );
  const unserved = declared(createUnservedAlarm)
    ? countAlarm(ctx, perTg.each(createUnservedAlarm), createUnservedAlarm, shared, {
        id: "unserved_ports_alarm",
        hclName: "unserved_ports",
        nameSuffix: "-unserved-ports",
        metricName: "TargetsOnUnservedPorts",
        description: `The ${name} function found targets on a port it no longer serves: set cleanup_unserved_ports = true, or deregister them (docs/operations.md, Lost state).`,
        datapointsToAlarm: evaluationPeriods,
        why: 'Targets on a port of the target group that the function no longer serves (a changed listener port), in every run of the window: a cleanup in progress does not page. They stay until cleanup_unserved_ports = true or someone deregisters them (docs/operations.md, "Lost state").',
      })
    : undefined;

  // Look-alikes exist only for ENI discovery; every target group's series counts the same lookup, so one alarm.
  const createLookalikeAlarm = ctx.when(
    andToggle(
      andToggle(
        props.createInterfacesNotElbManagedAlarm ?? DEFAULTS.createInterfacesNotElbManagedAlarm,
        datapoints,
      ),
      targets.eni,
    ),
    "create_interfaces_not_elb_managed_alarm",
    'The alarm on InterfacesNotElbManaged: with discovery_mode = "eni" only, not with the opt-out, with metrics off or in a dry run.',
  );
  const lookalikes = declared(createLookalikeAlarm)
    ? countAlarm(ctx, targets.primary.each(createLookalikeAlarm), createLookalikeAlarm, shared, {
        id: "interfaces_not_elb_managed_alarm",
        hclName: "interfaces_not_elb_managed",
        nameSuffix: "-interfaces-not-elb-managed",
        metricName: "InterfacesNotElbManaged",
        description: `Security: ${name} found interfaces with the ALB's description not created by ELB. Find their CreateNetworkInterface calls in CloudTrail and delete them (SECURITY.md).`,
        datapointsToAlarm: 1,
        why: "An interface with the ALB's description that ELB did not create (a look-alike, never registered), in any run of the window: someone allowed ec2:CreateNetworkInterface in the ALB's VPC impersonates its nodes (SECURITY.md). One alarm, on the primary target group's series: every target group's series counts the same lookup.",
      })
    : undefined;
  return {
    errorsAlarm,
    ipCountAlarm,
    outsideAllowedCidrsAlarm: outside?.alarm,
    outsideAllowedCidrsAlarmNames: outside?.names,
    unservedPortsAlarm: unserved?.alarm,
    unservedPortsAlarmNames: unserved?.names,
    interfacesNotElbManagedAlarm: lookalikes?.alarm,
  };
}

/** What an alarm on one of the function's counts differs in. */
interface CountAlarmSpec {
  /** Construct id. */
  readonly id: string;
  /** The module's resource name. */
  readonly hclName: string;
  /** Appended to the function's name (and the entry's suffix). */
  readonly nameSuffix: string;
  readonly metricName: string;
  /** What happened and what to do: the alarm's description. */
  readonly description: string;
  /** Periods of the window that must breach: 1 for an event, all of them for a state that should have passed. */
  readonly datapointsToAlarm: number;
  /** The comment above the resource in the module. */
  readonly why: string;
}

/**
 * An alarm on a count the function publishes per target group (Maximum >= 1, missing data not breaching), with
 * the other alarms' window and actions, and its name per target group (`default` without `listeners`).
 */
function countAlarm(
  ctx: BuildContext,
  each: EachTargetGroup,
  toggle: Toggle,
  shared: { albMetricDimension: string; period: number; evaluationPeriods: number },
  spec: CountAlarmSpec,
): { alarm: CloudwatchMetricAlarm; names: Record<string, string> } {
  const { scope, props, name, named } = ctx;
  const alarmActions = props.alarmActions ?? [];
  const { albMetricDimension, period, evaluationPeriods } = shared;
  const { forEach, arnSuffix, nameSuffix } = each;
  const alarm = named(
    new CloudwatchMetricAlarm(scope, spec.id, {
      count: forEach === undefined ? countFor(toggle) : undefined,
      forEach,
      alarmName: `${name}${nameSuffix}${spec.nameSuffix}`,
      alarmDescription: spec.description,
      namespace: props.metricNamespace ?? DEFAULTS.metricNamespace,
      metricName: spec.metricName,
      dimensions: { LoadBalancerName: albMetricDimension, TargetGroup: arnSuffix },
      statistic: "Maximum",
      period,
      evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      alarmActions,
      okActions: alarmActions,
      tags: ctx.tagsFor(props.alarmTags),
    }),
    spec.hclName,
    spec.why,
  );
  const address = `${alarm.terraformResourceType}.${alarm.friendlyUniqueId}`;
  const names =
    forEach === undefined
      ? { default: attrOf(alarm, "alarm_name") }
      : Token.asStringMap(`\${{ for k, a in ${address} : k => a.alarm_name }}`);
  return { alarm, names };
}

/** `!toggle`, folded when literal. */
function not(toggle: Toggle): Toggle {
  return isToken(toggle) ? Op.not(toggle) : !toggle;
}

/**
 * Alarm period and window from the schedule: one period per run interval (so a run that happened is never a
 * missing datapoint), 3 periods, fewer when 3 would exceed CloudWatch's one-day limit.
 */
export function alarmWindow(ctx: BuildContext): { period: number; evaluationPeriods: number } {
  const schedule = ctx.props.scheduleExpression ?? DEFAULTS.scheduleExpression;
  if (!isToken(schedule)) {
    const seconds = scheduleSeconds(schedule);
    return { period: seconds, evaluationPeriods: Math.min(3, Math.max(1, Math.floor(86400 / seconds))) };
  }
  // Module mode: the variable's value is known at plan time; the validation guarantees a rate() form.
  const seconds = ctx.named(
    new TerraformLocal(
      ctx.scope,
      "local_schedule_seconds",
      `\${${scheduleSecondsHcl(INPUTS.scheduleExpression.variable)}}`,
    ),
    "schedule_seconds",
    "The schedule's interval in seconds (schedule_expression is validated to be rate(N unit)): one alarm period per run, so a run that happened is never a missing datapoint.",
  );
  const periods = ctx.named(
    new TerraformLocal(
      ctx.scope,
      "local_alarm_evaluation_periods",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform expression, not a JavaScript template.
      "${min(3, max(1, floor(86400 / local.schedule_seconds)))}",
    ),
    "alarm_evaluation_periods",
    "The alarm window: 3 runs, fewer when 3 periods would pass CloudWatch's one-day limit.",
  );
  return { period: seconds.asNumber, evaluationPeriods: periods.asNumber };
}

/** The LoadBalancerName dimension value the function publishes: the DNS name, lower case, no trailing dot. */
export function albDimension(albDnsName: string): string {
  if (!isToken(albDnsName)) return albDnsName.toLowerCase().replace(/\.$/, "");
  return Fn.lower(Fn.trimsuffix(albDnsName, "."));
}
