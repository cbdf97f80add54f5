/**
 * Metrics adapter: one PutMetricData call per run (for every target group of the run) in our own namespace (the original wrote into the reserved
 * `AWS/ApplicationELB`). `LoadBalancerIPCount` with dimension `LoadBalancerName` keeps its name so dashboards
 * carry over; the other series add the `TargetGroup` dimension.
 */
import {
  type CloudWatchClient,
  type Dimension,
  type MetricDatum,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { AwsCallError } from "../errors.js";
import { awsErrorName } from "./clients.js";

/** The metric names the function publishes, one source of truth for the construct's alarms and dashboard. */
export const METRIC_NAMES = Object.freeze({
  ipCount: "LoadBalancerIPCount",
  registered: "TargetsRegistered",
  deregistered: "TargetsDeregistered",
  queries: "DnsQueries",
  discoveryComplete: "DiscoveryComplete",
  outsideAllowedCidrs: "TargetsOutsideAllowedCidrs",
  onUnservedPorts: "TargetsOnUnservedPorts",
  interfacesNotElbManaged: "InterfacesNotElbManaged",
  runErrors: "RunErrors",
} as const);

/** Dimension names: every series has both, except the ALB-only LoadBalancerIPCount and RunErrors (TargetGroup, Reason). */
export const METRIC_DIMENSIONS = Object.freeze({
  loadBalancer: "LoadBalancerName",
  targetGroup: "TargetGroup",
  reason: "Reason",
} as const);

export interface RunMetrics {
  /** ALB IPs found; omitted when discovery failed (no answer at all). */
  ipCount: number | undefined;
  registered: number;
  deregistered: number;
  queries: number;
  discoveryComplete: boolean;
  /** Observed IPs refused by ALLOWED_TARGET_CIDRS (never registered); 0 when none or no allow-list. */
  outsideAllowedCidrs?: number | undefined;
  /**
   * Targets on ports of the target group that the function does not serve (a changed ALB_LISTENER left them);
   * published by one pair per target group, omitted on the others.
   */
  onUnservedPorts?: number | undefined;
  /** ENI mode: interfaces with the ALB's description that ELB did not create (never registered); undefined in DNS mode. */
  interfacesNotElbManaged?: number | undefined;
  /** Stable error code when the run failed, e.g. `register_targets_error`. */
  errorCode?: string | undefined;
}

/** One target group's metrics of a run. */
export interface TargetGroupMetrics {
  targetGroupArn: string;
  metrics: RunMetrics;
}

export interface MetricsPublisher {
  /**
   * One PutMetricData call with every target group's series. The ALB-only LoadBalancerIPCount comes from the
   * first entry that has an IP count (the handler puts IPv4 pairs first), so one ALB has one such series.
   */
  publish(entries: readonly TargetGroupMetrics[], at: Date): Promise<void>;
  readonly calls: number;
}

/** `targetgroup/<name>/<id>`, the form AWS/NetworkELB uses for its TargetGroup dimension. */
export function targetGroupDimension(targetGroupArn: string): string {
  const index = targetGroupArn.indexOf("targetgroup/");
  return index >= 0 ? targetGroupArn.slice(index) : targetGroupArn;
}

/** Builds the datapoints for one run (pure; exported for tests and the README). */
export function buildMetricData(
  metrics: RunMetrics,
  names: { albDnsName: string; targetGroupArn: string; loadBalancerSeries?: boolean | undefined },
  at: Date,
): MetricDatum[] {
  const lb: Dimension = { Name: METRIC_DIMENSIONS.loadBalancer, Value: names.albDnsName };
  const tg: Dimension = {
    Name: METRIC_DIMENSIONS.targetGroup,
    Value: targetGroupDimension(names.targetGroupArn),
  };
  const datum = (MetricName: string, Value: number, Dimensions = [lb, tg]): MetricDatum => ({
    MetricName,
    Value,
    Unit: "Count",
    Timestamp: at,
    Dimensions,
  });
  const data: MetricDatum[] = [];
  if (metrics.ipCount !== undefined) {
    if (names.loadBalancerSeries !== false) data.push(datum(METRIC_NAMES.ipCount, metrics.ipCount, [lb]));
    data.push(datum(METRIC_NAMES.ipCount, metrics.ipCount));
  }
  data.push(
    datum(METRIC_NAMES.registered, metrics.registered),
    datum(METRIC_NAMES.deregistered, metrics.deregistered),
    datum(METRIC_NAMES.queries, metrics.queries),
    datum(METRIC_NAMES.discoveryComplete, metrics.discoveryComplete ? 1 : 0),
    datum(METRIC_NAMES.outsideAllowedCidrs, metrics.outsideAllowedCidrs ?? 0),
  );
  if (metrics.onUnservedPorts !== undefined)
    data.push(datum(METRIC_NAMES.onUnservedPorts, metrics.onUnservedPorts));
  if (metrics.interfacesNotElbManaged !== undefined) {
    data.push(datum(METRIC_NAMES.interfacesNotElbManaged, metrics.interfacesNotElbManaged));
  }
  if (metrics.errorCode) {
    data.push(
      datum(METRIC_NAMES.runErrors, 1, [tg, { Name: METRIC_DIMENSIONS.reason, Value: metrics.errorCode }]),
    );
  }
  return data;
}

/** Creates the publisher. */
export function createMetricsPublisher(
  client: CloudWatchClient,
  options: { namespace: string; albDnsName: string },
): MetricsPublisher {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async publish(entries, at) {
      if (entries.length === 0) return;
      const lbSource = entries.find((e) => e.metrics.ipCount !== undefined);
      const data = entries.flatMap((e) =>
        buildMetricData(
          e.metrics,
          {
            albDnsName: options.albDnsName,
            targetGroupArn: e.targetGroupArn,
            loadBalancerSeries: e === lbSource,
          },
          at,
        ),
      );
      calls += 1;
      try {
        await client.send(new PutMetricDataCommand({ Namespace: options.namespace, MetricData: data }));
      } catch (error) {
        throw new AwsCallError(
          "put_metric_data_error",
          "PutMetricData",
          `PutMetricData to namespace ${options.namespace} failed with ${awsErrorName(error)}: ${(error as Error).message}. ` +
            "Check the role's cloudwatch:PutMetricData permission and its cloudwatch:namespace condition (METRIC_NAMESPACE).",
          { cause: error },
        );
      }
    },
  };
}
