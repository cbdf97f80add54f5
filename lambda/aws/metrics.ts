/**
 * Metrics: CloudWatch embedded metric format (EMF). Each run writes its series as JSON lines to stdout; Lambda sends
 * stdout to the function's log group and CloudWatch Logs turns every EMF line into datapoints. No API call on the
 * run's path, no `cloudwatch:PutMetricData` permission, and nothing to fail: a run's metrics cannot be throttled
 * away. Our own namespace (the original wrote into the reserved `AWS/ApplicationELB`); `LoadBalancerIPCount` with
 * dimension `LoadBalancerName` keeps its name so dashboards carry over; the other series add `TargetGroup`.
 *
 * Written by hand rather than with Powertools Metrics: that library adds a `service` dimension to every series,
 * which would change the identity of every series the module's alarms and dashboard (and users' own) watch.
 */
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
   * Writes every target group's series of one run. The ALB-only LoadBalancerIPCount comes from the first entry
   * that has an IP count (the handler puts IPv4 pairs first), so one ALB has one such series.
   */
  publish(entries: readonly TargetGroupMetrics[], at: Date): void;
}

/** `targetgroup/<name>/<id>`, the form AWS/NetworkELB uses for its TargetGroup dimension. */
export function targetGroupDimension(targetGroupArn: string): string {
  const index = targetGroupArn.indexOf("targetgroup/");
  return index >= 0 ? targetGroupArn.slice(index) : targetGroupArn;
}

/** One datapoint: a metric name, its value (unit Count) and its dimensions, in the order CloudWatch shows them. */
export interface MetricPoint {
  name: string;
  value: number;
  dimensions: ReadonlyArray<{ name: string; value: string }>;
}

/** Builds the datapoints for one run (pure; exported for tests and the dashboard test). */
export function buildMetricData(
  metrics: RunMetrics,
  names: { albDnsName: string; targetGroupArn: string; loadBalancerSeries?: boolean | undefined },
): MetricPoint[] {
  const lb = { name: METRIC_DIMENSIONS.loadBalancer, value: names.albDnsName };
  const tg = { name: METRIC_DIMENSIONS.targetGroup, value: targetGroupDimension(names.targetGroupArn) };
  const point = (
    name: string,
    value: number,
    dimensions: MetricPoint["dimensions"] = [lb, tg],
  ): MetricPoint => ({
    name,
    value,
    dimensions,
  });
  const data: MetricPoint[] = [];
  if (metrics.ipCount !== undefined) {
    if (names.loadBalancerSeries !== false) data.push(point(METRIC_NAMES.ipCount, metrics.ipCount, [lb]));
    data.push(point(METRIC_NAMES.ipCount, metrics.ipCount));
  }
  data.push(
    point(METRIC_NAMES.registered, metrics.registered),
    point(METRIC_NAMES.deregistered, metrics.deregistered),
    point(METRIC_NAMES.queries, metrics.queries),
    point(METRIC_NAMES.discoveryComplete, metrics.discoveryComplete ? 1 : 0),
    point(METRIC_NAMES.outsideAllowedCidrs, metrics.outsideAllowedCidrs ?? 0),
  );
  if (metrics.onUnservedPorts !== undefined)
    data.push(point(METRIC_NAMES.onUnservedPorts, metrics.onUnservedPorts));
  if (metrics.interfacesNotElbManaged !== undefined) {
    data.push(point(METRIC_NAMES.interfacesNotElbManaged, metrics.interfacesNotElbManaged));
  }
  if (metrics.errorCode) {
    data.push(
      point(METRIC_NAMES.runErrors, 1, [tg, { name: METRIC_DIMENSIONS.reason, value: metrics.errorCode }]),
    );
  }
  return data;
}

/** One EMF document: the `_aws` metadata, and the dimension values and metric values as top-level members. */
export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: "Count" }>;
    }>;
  };
  [member: string]: unknown;
}

/**
 * Groups datapoints into EMF documents, one per set of dimension values (an EMF document carries one value per
 * dimension name), in first-seen order. A metric named twice under the same dimension values (two ports of one target
 * group) becomes an array of values: EMF's form for several datapoints of one series.
 *
 * @example
 * buildEmfDocuments(buildMetricData(metrics, names), "ALBStaticIP", new Date()).map((d) => JSON.stringify(d));
 */
export function buildEmfDocuments(
  points: readonly MetricPoint[],
  namespace: string,
  at: Date,
): EmfDocument[] {
  const groups = new Map<string, MetricPoint[]>();
  for (const p of points) {
    const key = JSON.stringify(p.dimensions.map((d) => [d.name, d.value]));
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  return [...groups.values()].map((group) => {
    const dimensions = group[0]?.dimensions ?? [];
    const doc: EmfDocument = {
      _aws: {
        Timestamp: at.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [dimensions.map((d) => d.name)],
            Metrics: [],
          },
        ],
      },
    };
    for (const d of dimensions) doc[d.name] = d.value;
    const directive = doc._aws.CloudWatchMetrics[0];
    for (const p of group) {
      const seen = doc[p.name];
      if (seen === undefined) {
        directive?.Metrics.push({ Name: p.name, Unit: "Count" });
        doc[p.name] = p.value;
      } else {
        doc[p.name] = [...(Array.isArray(seen) ? seen : [seen]), p.value];
      }
    }
    return doc;
  });
}

/**
 * Creates the publisher: each run's documents go to `write` (stdout in Lambda) as one line each, in one write.
 *
 * @example
 * const metrics = createMetricsPublisher({ namespace: "ALBStaticIP", albDnsName });
 */
export function createMetricsPublisher(options: {
  namespace: string;
  albDnsName: string;
  write?: (text: string) => void;
}): MetricsPublisher {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  return {
    publish(entries, at) {
      if (entries.length === 0) return;
      const lbSource = entries.find((e) => e.metrics.ipCount !== undefined);
      const points = entries.flatMap((e) =>
        buildMetricData(e.metrics, {
          albDnsName: options.albDnsName,
          targetGroupArn: e.targetGroupArn,
          loadBalancerSeries: e === lbSource,
        }),
      );
      const docs = buildEmfDocuments(points, options.namespace, at);
      write(docs.map((d) => `${JSON.stringify(d)}\n`).join(""));
    },
  };
}
