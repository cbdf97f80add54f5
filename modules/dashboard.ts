/**
 * The CloudWatch dashboard: one look at the sync — ALB IPs found against healthy targets, registrations and
 * deregistrations, DNS queries, discovery completeness, run errors and duration. Metric names and dimensions
 * come from the function (lambda/aws/metrics.ts), so the widgets show exactly what it publishes.
 */
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { Fn } from "cdktf";
import { METRIC_DIMENSIONS, METRIC_NAMES } from "../lambda/aws/metrics.js";
import type { BuildContext, PerTargetGroup } from "./context.js";
import { attrOf, countFor, declared } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";

/** What the widgets refer to (literals or Terraform expressions). */
export interface DashboardInputs {
  readonly namespace: string;
  /** The LoadBalancerName dimension value (lower-case DNS name, no trailing dot). */
  readonly loadBalancer: string;
  /** The TargetGroup dimension value, `targetgroup/<name>/<id>`. */
  readonly targetGroup: string;
  readonly functionName: string;
  readonly region: string;
  /** Period of the graphs in seconds. */
  readonly period: number;
}

/** One metric line: [namespace, name, dimension, value, …, options]. */
export type MetricLine = readonly (string | { readonly [key: string]: string | number })[];

/** A dashboard widget, as CloudWatch's dashboard body describes it. */
export interface Widget {
  readonly type: "metric";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: "timeSeries";
    readonly stat: string;
    readonly period: number;
    readonly metrics: readonly MetricLine[];
  };
}

/** The dashboard body (before jsonencode). */
export function dashboardBody(inputs: DashboardInputs): { widgets: Widget[] } {
  const { namespace: ns, loadBalancer, targetGroup, region, period } = inputs;
  const lb = METRIC_DIMENSIONS.loadBalancer;
  const tg = METRIC_DIMENSIONS.targetGroup;
  const both = [lb, loadBalancer, tg, targetGroup];
  const widget = (i: number, title: string, stat: string, metrics: MetricLine[]): Widget => ({
    type: "metric",
    x: (i % 2) * 12,
    y: Math.floor(i / 2) * 6,
    width: 12,
    height: 6,
    properties: { title, region, view: "timeSeries", stat, period, metrics },
  });
  return {
    widgets: [
      widget(0, "ALB IPs found vs healthy targets", "Minimum", [
        [ns, METRIC_NAMES.ipCount, ...both, { label: "ALB IPs found" }],
        [
          {
            expression: `SEARCH('{AWS/NetworkELB,LoadBalancer,TargetGroup} MetricName="HealthyHostCount" TargetGroup="${targetGroup}"', 'Minimum', ${period})`,
            label: "healthy targets",
            id: "healthy",
          },
        ],
      ]),
      widget(1, "Registrations and deregistrations, and targets on ports no longer served", "Sum", [
        [ns, METRIC_NAMES.registered, ...both],
        [ns, METRIC_NAMES.deregistered, ...both],
        [ns, METRIC_NAMES.onUnservedPorts, ...both],
      ]),
      widget(
        2,
        "DNS queries per run, answers outside ALLOWED_TARGET_CIDRS, look-alike interfaces (ENI mode)",
        "Sum",
        [
          [ns, METRIC_NAMES.queries, ...both],
          [ns, METRIC_NAMES.outsideAllowedCidrs, ...both],
          [ns, METRIC_NAMES.interfacesNotElbManaged, ...both],
        ],
      ),
      widget(3, "Discovery complete (1 = every IP found with the configured confidence)", "Minimum", [
        [ns, METRIC_NAMES.discoveryComplete, ...both],
      ]),
      widget(4, "Run errors (by reason) and function errors", "Sum", [
        [
          {
            expression: `SEARCH('{${ns},${tg},${METRIC_DIMENSIONS.reason}} MetricName="${METRIC_NAMES.runErrors}" ${tg}="${targetGroup}"', 'Sum', ${period})`,
            label: "",
            id: "reasons",
          },
        ],
        ["AWS/Lambda", "Errors", "FunctionName", inputs.functionName],
      ]),
      widget(5, "Run duration (ms)", "Maximum", [
        ["AWS/Lambda", "Duration", "FunctionName", inputs.functionName, { stat: "Maximum" }],
        ["AWS/Lambda", "Duration", "FunctionName", inputs.functionName, { stat: "Average" }],
      ]),
    ],
  };
}

/** Declares the dashboard (default on) and returns it, or undefined when it is not declared. */
export function declareDashboard(
  ctx: BuildContext,
  fn: LambdaFunction,
  inputs: Omit<DashboardInputs, "functionName" | "namespace" | "targetGroup">,
  perTg: PerTargetGroup,
): CloudwatchDashboard | undefined {
  const create = ctx.when(
    ctx.props.createDashboard ?? DEFAULTS.createDashboard,
    "create_dashboard",
    "The CloudWatch dashboard, one per target group.",
  );
  if (!declared(create)) return undefined;
  const { forEach, arnSuffix, nameSuffix } = perTg.each(create);
  const body = dashboardBody({
    ...inputs,
    targetGroup: arnSuffix,
    namespace: ctx.props.metricNamespace ?? DEFAULTS.metricNamespace,
    functionName: attrOf(fn, "function_name"),
  });
  return ctx.named(
    new CloudwatchDashboard(ctx.scope, "dashboard", {
      count: forEach === undefined ? countFor(create) : undefined,
      forEach,
      dashboardName: `${ctx.name}${nameSuffix}`,
      dashboardBody: Fn.jsonencode(escapeQuotes(body)),
    }),
    "this",
    "One look at the sync of a target group: ALB IPs found against healthy targets, registrations, DNS queries and refused answers, completeness, errors and duration (docs/operations.md, Metrics).",
  );
}

/**
 * CDKTF writes string literals inside an expression (`jsonencode({...})`) without escaping their double quotes;
 * the SEARCH expressions have some, so they are escaped here for Terraform's parser.
 */
function escapeQuotes<T>(value: T): T {
  if (typeof value === "string") return value.replace(/"/g, '\\"') as T;
  if (Array.isArray(value)) return value.map((v) => escapeQuotes(v)) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeQuotes(v)])) as T;
  }
  return value;
}
