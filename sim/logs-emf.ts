/**
 * CloudWatch Logs' side of the embedded metric format (EMF): Lambda delivers what a function writes to stdout to
 * its log group, and CloudWatch Logs turns every log event that is a valid EMF document into datapoints. Here the
 * container runtime (`sim/lambda-runtime.ts`) plays Lambda's log delivery and sends each invocation's lines as
 * `Logs_20140328.PutLogEvents` to the world's CloudWatch endpoint, which records what this file extracts.
 *
 * Validated the way the EMF specification says CloudWatch does: a document that breaks a rule is kept as a log
 * event but yields no metric (no error reaches the writer), so a malformed line is a silent metric loss in AWS and
 * a missing datapoint in the tests that look for it.
 */
import type { MetricDatumRecord } from "./cloudwatch-model.js";

/** The `X-Amz-Target` of CloudWatch Logs' PutLogEvents (AWS JSON 1.1), as Lambda's log delivery would send it. */
export const PUT_LOG_EVENTS_TARGET = "Logs_20140328.PutLogEvents";

/** The EMF specification's limits: metrics per directive, dimensions per set. */
const MAX_METRICS = 100;
const MAX_DIMENSIONS = 30;
const MAX_VALUES = 100;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The datapoints one log event yields: none unless it is an EMF document (a JSON object with `_aws`) that follows
 * the specification (an integer `_aws.Timestamp` in milliseconds included).
 *
 * @example
 * extractEmf('{"_aws":{"Timestamp":0,"CloudWatchMetrics":[...]},"TargetGroup":"targetgroup/tg/1","DnsQueries":9}');
 */
export function extractEmf(message: string): MetricDatumRecord[] {
  const trimmed = message.trim();
  if (!trimmed.startsWith("{")) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    return [];
  }
  if (!isRecord(doc) || !isRecord(doc._aws)) return [];
  const { Timestamp, CloudWatchMetrics } = doc._aws;
  if (typeof Timestamp !== "number" || !Number.isInteger(Timestamp) || Timestamp < 0) return [];
  if (!Array.isArray(CloudWatchMetrics)) return [];
  const timestamp = new Date(Timestamp).toISOString();
  const out: MetricDatumRecord[] = [];
  for (const directive of CloudWatchMetrics) {
    if (!isRecord(directive)) return [];
    const { Namespace, Dimensions, Metrics } = directive;
    if (typeof Namespace !== "string" || Namespace === "" || Namespace.startsWith("AWS/")) return [];
    if (!Array.isArray(Dimensions) || !Array.isArray(Metrics) || Metrics.length > MAX_METRICS) return [];
    const sets: Array<Array<{ name: string; value: string }>> = [];
    for (const set of Dimensions) {
      if (!Array.isArray(set) || set.length > MAX_DIMENSIONS) return [];
      const dims: Array<{ name: string; value: string }> = [];
      for (const name of set) {
        const value = typeof name === "string" ? doc[name] : undefined;
        // Every dimension name must name a top-level string member.
        if (typeof name !== "string" || typeof value !== "string") return [];
        dims.push({ name, value });
      }
      sets.push(dims);
    }
    for (const metric of Metrics) {
      if (!isRecord(metric) || typeof metric.Name !== "string") return [];
      const raw = doc[metric.Name];
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0 || values.length > MAX_VALUES) return [];
      if (!values.every((v): v is number => typeof v === "number" && Number.isFinite(v))) return [];
      const unit = typeof metric.Unit === "string" ? metric.Unit : "None";
      // A directive with no dimension set records the metric without dimensions.
      for (const dimensions of sets.length === 0 ? [[]] : sets) {
        for (const value of values) {
          out.push({
            namespace: Namespace,
            metricName: metric.Name,
            dimensions,
            value,
            unit,
            timestamp,
            protocol: "emf",
          });
        }
      }
    }
  }
  return out;
}

/**
 * The datapoints of a `PutLogEvents` request body (`{ logGroupName, logStreamName, logEvents: [{ timestamp,
 * message }] }`): the EMF documents among its events.
 */
export function extractPutLogEvents(body: unknown): MetricDatumRecord[] {
  if (!isRecord(body) || !Array.isArray(body.logEvents)) return [];
  return body.logEvents.flatMap((event) =>
    isRecord(event) && typeof event.message === "string" ? extractEmf(event.message) : [],
  );
}
