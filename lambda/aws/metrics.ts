/**
 * Metrics adapter: one PutMetricData call per run in our own namespace (the original wrote into the reserved
 * `AWS/ApplicationELB`). `LoadBalancerIPCount` with dimension `LoadBalancerName` keeps its name so dashboards
 * carry over; the other series add the `TargetGroup` dimension.
 */
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { AwsCallError } from "../errors.js";
import { awsErrorName } from "./clients.js";

export interface RunMetrics {
  /** ALB IPs found; omitted when discovery failed (no answer at all). */
  ipCount: number | undefined;
  registered: number;
  deregistered: number;
  queries: number;
  discoveryComplete: boolean;
  /** Observed IPs refused by ALLOWED_TARGET_CIDRS (never registered); 0 when none or no allow-list. */
  outsideAllowedCidrs?: number | undefined;
  /** Stable error code when the run failed, e.g. `register_targets_error`. */
  errorCode?: string | undefined;
}

export interface MetricsPublisher {
  publish(metrics: RunMetrics, at: Date): Promise<void>;
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
  names: { albDnsName: string; targetGroupArn: string },
  at: Date,
): MetricDatum[] {
  const lb = { Name: "LoadBalancerName", Value: names.albDnsName };
  const tg = { Name: "TargetGroup", Value: targetGroupDimension(names.targetGroupArn) };
  const datum = (MetricName: string, Value: number, Dimensions = [lb, tg]): MetricDatum => ({
    MetricName,
    Value,
    Unit: "Count",
    Timestamp: at,
    Dimensions,
  });
  const data: MetricDatum[] = [];
  if (metrics.ipCount !== undefined) {
    data.push(
      datum("LoadBalancerIPCount", metrics.ipCount, [lb]),
      datum("LoadBalancerIPCount", metrics.ipCount),
    );
  }
  data.push(
    datum("TargetsRegistered", metrics.registered),
    datum("TargetsDeregistered", metrics.deregistered),
    datum("DnsQueries", metrics.queries),
    datum("DiscoveryComplete", metrics.discoveryComplete ? 1 : 0),
    datum("TargetsOutsideAllowedCidrs", metrics.outsideAllowedCidrs ?? 0),
  );
  if (metrics.errorCode) {
    data.push(datum("RunErrors", 1, [tg, { Name: "Reason", Value: metrics.errorCode }]));
  }
  return data;
}

/** Creates the publisher. */
export function createMetricsPublisher(
  client: CloudWatchClient,
  options: { namespace: string; albDnsName: string; targetGroupArn: string },
): MetricsPublisher {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async publish(metrics, at) {
      calls += 1;
      try {
        await client.send(
          new PutMetricDataCommand({
            Namespace: options.namespace,
            MetricData: buildMetricData(metrics, options, at),
          }),
        );
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
