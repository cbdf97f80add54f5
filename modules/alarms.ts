/**
 * Alarms on the sync: function errors, and no ALB IP (or no datapoint) in the function's own metric.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { Fn, Op, TerraformLocal } from "cdktf";
import { andToggle, type BuildContext, type PerTargetGroup } from "./context.js";
import { attrOf, countFor, declared, isToken } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";
import { INPUTS } from "./inputs/index.js";
import { scheduleSeconds, scheduleSecondsHcl } from "./inputs/patterns.js";

/** What the alarms part gives the rest of the construct. */
export interface AlarmParts {
  readonly errorsAlarm: CloudwatchMetricAlarm;
  readonly ipCountAlarm: CloudwatchMetricAlarm | undefined;
}

/**
 * Declares the alarms on `fn` and on the IP count it publishes for each target group (`albMetricDimension`: the
 * LoadBalancerName dimension, {@link albDimension}).
 */
export function declareAlarms(
  ctx: BuildContext,
  fn: LambdaFunction,
  perTg: PerTargetGroup,
  albMetricDimension: string,
): AlarmParts {
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
  const createIpCountAlarm = ctx.when(
    andToggle(
      andToggle(props.createIpCountAlarm ?? DEFAULTS.createIpCountAlarm, publishMetric),
      isToken(dryRun) ? Op.not(dryRun) : !dryRun,
    ),
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
  return { errorsAlarm, ipCountAlarm };
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
