/**
 * CloudWatch PutMetricData input, validated the way CloudWatch validates it, from either wire
 * form (AWS JSON 1.0 objects or awsQuery `MetricData.member.N.*` parameters).
 */
import { SimApiError } from "./api-error.js";
import { memberStructs, memberValues } from "./query.js";

/** One stored datapoint, as `GET /state` shows it. */
export interface MetricDatumRecord {
  namespace: string;
  metricName: string;
  dimensions: Array<{ name: string; value: string }>;
  value?: number;
  values?: number[];
  counts?: number[];
  statisticValues?: { sampleCount: number; sum: number; minimum: number; maximum: number };
  unit?: string;
  storageResolution?: number;
  /** ISO-8601; the time the call was received when the datum had none. */
  timestamp: string;
  /** Which wire protocol delivered it: PutMetricData (JSON or awsQuery), or an EMF log line. */
  protocol: "json" | "query" | "emf";
}

const UNITS = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
]);

/** A datum before validation, in a protocol-neutral shape. */
interface RawDatum {
  MetricName?: unknown;
  Dimensions?: unknown;
  Timestamp?: unknown;
  Value?: unknown;
  Values?: unknown;
  Counts?: unknown;
  StatisticValues?: unknown;
  Unit?: unknown;
  StorageResolution?: unknown;
}

/** Parse and validate an AWS JSON 1.0 PutMetricData body. */
export function parseJsonPutMetricData(body: unknown, now: number): MetricDatumRecord[] {
  if (typeof body !== "object" || body === null) {
    throw new SimApiError("SerializationException", "PutMetricData body must be a JSON object");
  }
  const input = body as { Namespace?: unknown; MetricData?: unknown };
  const data = Array.isArray(input.MetricData) ? (input.MetricData as RawDatum[]) : [];
  return validate(input.Namespace, data, now, "json");
}

/** Parse and validate awsQuery PutMetricData parameters. */
export function parseQueryPutMetricData(params: URLSearchParams, now: number): MetricDatumRecord[] {
  const structs = memberStructs(params, "MetricData");
  const data = structs.map((fields): RawDatum => {
    const sub = new URLSearchParams(Object.entries(fields));
    const dims = memberStructs(sub, "Dimensions");
    const stats = fields["StatisticValues.SampleCount"];
    return {
      MetricName: fields.MetricName,
      Dimensions: dims,
      Timestamp: fields.Timestamp,
      Value: numberOrText(fields.Value),
      Values:
        fields["Values.member.1"] === undefined ? undefined : memberValues(sub, "Values").map(numberOrText),
      Counts:
        fields["Counts.member.1"] === undefined ? undefined : memberValues(sub, "Counts").map(numberOrText),
      StatisticValues:
        stats === undefined
          ? undefined
          : {
              SampleCount: numberOrText(stats),
              Sum: numberOrText(fields["StatisticValues.Sum"]),
              Minimum: numberOrText(fields["StatisticValues.Minimum"]),
              Maximum: numberOrText(fields["StatisticValues.Maximum"]),
            },
      Unit: fields.Unit,
      StorageResolution: numberOrText(fields.StorageResolution),
    };
  });
  return validate(params.get("Namespace") ?? undefined, data, now, "query");
}

function numberOrText(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return value.trim() !== "" && Number.isFinite(n) ? n : value;
}

function validate(
  namespace: unknown,
  data: RawDatum[],
  now: number,
  protocol: "json" | "query",
): MetricDatumRecord[] {
  if (typeof namespace !== "string" || namespace === "") {
    throw new SimApiError("MissingParameter", "The parameter Namespace is required.");
  }
  if (namespace.startsWith("AWS/") || !/^[^:].{0,254}$/.test(namespace)) {
    throw new SimApiError(
      "InvalidParameterValue",
      `The value ${namespace} for parameter Namespace is invalid: namespaces starting with "AWS/" are reserved for AWS services`,
    );
  }
  if (data.length === 0) throw new SimApiError("MissingParameter", "The parameter MetricData is required.");
  if (data.length > 1000) {
    throw new SimApiError(
      "InvalidParameterValue",
      `The collection MetricData must not have more than 1000 members (got ${data.length})`,
    );
  }
  return data.map((datum, index) => validateDatum(namespace, datum, index + 1, now, protocol));
}

function validateDatum(
  namespace: string,
  datum: RawDatum,
  n: number,
  now: number,
  protocol: "json" | "query",
): MetricDatumRecord {
  const where = `MetricData.member.${n}`;
  if (typeof datum.MetricName !== "string" || datum.MetricName === "") {
    throw new SimApiError("MissingParameter", `The parameter ${where}.MetricName is required.`);
  }
  const record: MetricDatumRecord = {
    namespace,
    metricName: datum.MetricName,
    dimensions: dimensionsOf(datum.Dimensions, where),
    timestamp: timestampOf(datum.Timestamp, where, now),
    protocol,
  };
  if (datum.Value !== undefined) record.value = finite(datum.Value, `${where}.Value`);
  if (datum.Values !== undefined) record.values = numbers(datum.Values, `${where}.Values`);
  if (datum.Counts !== undefined) record.counts = numbers(datum.Counts, `${where}.Counts`);
  if (datum.StatisticValues !== undefined) {
    const s = datum.StatisticValues as Record<string, unknown>;
    record.statisticValues = {
      sampleCount: finite(s.SampleCount, `${where}.StatisticValues.SampleCount`),
      sum: finite(s.Sum, `${where}.StatisticValues.Sum`),
      minimum: finite(s.Minimum, `${where}.StatisticValues.Minimum`),
      maximum: finite(s.Maximum, `${where}.StatisticValues.Maximum`),
    };
  }
  const given = [record.value, record.values, record.statisticValues].filter((v) => v !== undefined).length;
  if (given > 1) {
    throw new SimApiError(
      "InvalidParameterCombination",
      `The parameters ${where}.Value, ${where}.Values and ${where}.StatisticValues are mutually exclusive`,
    );
  }
  if (datum.Unit !== undefined) {
    if (typeof datum.Unit !== "string" || !UNITS.has(datum.Unit)) {
      throw new SimApiError(
        "InvalidParameterValue",
        `The value ${String(datum.Unit)} for parameter ${where}.Unit is invalid; use one of ${[...UNITS].join(", ")}`,
      );
    }
    record.unit = datum.Unit;
  }
  if (datum.StorageResolution !== undefined) {
    const resolution = finite(datum.StorageResolution, `${where}.StorageResolution`);
    if (resolution !== 1 && resolution !== 60) {
      throw new SimApiError(
        "InvalidParameterValue",
        `${where}.StorageResolution must be 1 or 60 (got ${resolution})`,
      );
    }
    record.storageResolution = resolution;
  }
  return record;
}

function dimensionsOf(value: unknown, where: string): Array<{ name: string; value: string }> {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new SimApiError("InvalidParameterValue", `${where}.Dimensions must be a list`);
  if (value.length > 30) {
    throw new SimApiError(
      "InvalidParameterValue",
      `${where}.Dimensions must not have more than 30 members (got ${value.length})`,
    );
  }
  return value.map((dim: { Name?: unknown; Value?: unknown }, i) => {
    if (
      typeof dim?.Name !== "string" ||
      dim.Name === "" ||
      typeof dim.Value !== "string" ||
      dim.Value === ""
    ) {
      throw new SimApiError(
        "InvalidParameterValue",
        `${where}.Dimensions.member.${i + 1} needs a non-empty Name and Value (got ${JSON.stringify(dim)})`,
      );
    }
    return { name: dim.Name, value: dim.Value };
  });
}

function timestampOf(value: unknown, where: string, now: number): string {
  if (value === undefined) return new Date(now).toISOString();
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(String(value));
  if (Number.isNaN(date.getTime())) {
    throw new SimApiError(
      "InvalidParameterValue",
      `The value ${String(value)} for parameter ${where}.Timestamp is invalid`,
    );
  }
  return date.toISOString();
}

function finite(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new SimApiError(
      "InvalidParameterValue",
      `The value ${String(value)} for parameter ${where} is not a finite number`,
    );
  }
  return value;
}

function numbers(value: unknown, where: string): number[] {
  if (!Array.isArray(value))
    throw new SimApiError("InvalidParameterValue", `${where} must be a list of numbers`);
  return value.map((v, i) => finite(v, `${where}.member.${i + 1}`));
}
