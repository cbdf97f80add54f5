/**
 * CloudWatch PutMetricData over both protocols the SDKs use: AWS JSON 1.0 with
 * `X-Amz-Target: GraniteServiceVersion20100801.PutMetricData` (the current
 * `@aws-sdk/client-cloudwatch`, query-compatible errors) and the older awsQuery form protocol.
 * The same endpoint takes CloudWatch Logs' `Logs_20140328.PutLogEvents` from the container runtime (Lambda's log
 * delivery, not the function's role: no fault, latency or request count applies) and records the EMF documents
 * among the events (`sim/logs-emf.ts`).
 */
import type http from "node:http";
import { SimApiError } from "./api-error.js";
import {
  type MetricDatumRecord,
  parseJsonPutMetricData,
  parseQueryPutMetricData,
} from "./cloudwatch-model.js";
import { type Handler, headerValue, newRequestId, readBody } from "./http.js";
import { extractPutLogEvents, PUT_LOG_EVENTS_TARGET } from "./logs-emf.js";
import { queryParams } from "./query.js";
import { admit, type ServiceContext } from "./service.js";
import { document, leaf, node } from "./xml.js";

/** XML namespace of CloudWatch awsQuery answers. */
export const CLOUDWATCH_XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/";
const TARGET_PREFIX = "GraniteServiceVersion20100801.";
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

/** Where accepted datapoints go. */
export interface MetricSink {
  record(data: readonly MetricDatumRecord[]): void;
}

/**
 * The HTTP handler of the CloudWatch endpoint.
 *
 * @example
 * const server = await listenLoopback(cloudwatchHandler(ctx, { record: (d) => all.push(...d) }, Date.now));
 */
export function cloudwatchHandler(
  ctx: ServiceContext,
  sink: MetricSink,
  clock: () => number,
  /** More JSON operations by name (`sim/function-apis.ts`: GetMetricStatistics); each maps the input to the answer. */
  reads: Readonly<Record<string, (input: unknown) => unknown>> = {},
): Handler {
  return async (req, res) => {
    const requestId = newRequestId();
    const target = headerValue(req, "x-amz-target");
    const json = target !== "";
    let body: Buffer;
    try {
      body = await readBody(req, MAX_REQUEST_BYTES);
    } catch (error) {
      if (error instanceof SimApiError) return sendError(res, error, requestId, json);
      throw error;
    }
    if (target === PUT_LOG_EVENTS_TARGET) {
      try {
        sink.record(extractPutLogEvents(parseJson(body)));
        send(res, 200, "{}", "application/x-amz-json-1.1", requestId);
      } catch (error) {
        if (error instanceof SimApiError) return sendError(res, error, requestId, true);
        throw error;
      }
      return;
    }
    const params = json
      ? new URLSearchParams()
      : queryParams(new URL(req.url ?? "/", "http://localhost").search, body);
    const operation = json ? target.slice(TARGET_PREFIX.length) : (params.get("Action") ?? "");
    const verdict = await admit(ctx, `cloudwatch:${operation === "" ? "MissingAction" : operation}`);
    if (verdict.kind === "hang") return;
    try {
      if (verdict.kind === "error") throw verdict.error;
      if (json && !target.startsWith(TARGET_PREFIX)) {
        throw new SimApiError("UnknownOperationException", `Unknown X-Amz-Target ${JSON.stringify(target)}`);
      }
      const read = json ? reads[operation] : undefined;
      if (read !== undefined) {
        send(res, 200, JSON.stringify(read(parseJson(body))), "application/x-amz-json-1.0", requestId);
        return;
      }
      if (operation !== "PutMetricData") {
        throw new SimApiError(
          json ? "UnknownOperationException" : "InvalidAction",
          `The simulator supports only PutMetricData (got ${JSON.stringify(operation)})`,
        );
      }
      const data = json
        ? parseJsonPutMetricData(parseJson(body), clock())
        : parseQueryPutMetricData(params, clock());
      sink.record(data);
      if (json) {
        send(res, 200, "{}", "application/x-amz-json-1.0", requestId);
      } else {
        const xml = document(
          "PutMetricDataResponse",
          CLOUDWATCH_XMLNS,
          node("ResponseMetadata", leaf("RequestId", requestId)),
        );
        send(res, 200, xml, "text/xml", requestId);
      }
    } catch (error) {
      if (error instanceof SimApiError) return sendError(res, error, requestId, json);
      throw error;
    }
  };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8") || "{}");
  } catch (error) {
    throw new SimApiError(
      "SerializationException",
      `Request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string,
  contentType: string,
  requestId: string,
): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": requestId,
  });
  res.end(body);
}

/**
 * JSON: `{"__type": "com.amazonaws.cloudwatch#<Code>Exception", "message": …}` plus the
 * `x-amzn-query-error: <Code>;<Sender|Receiver>` header query-compatible clients read.
 * Query: an awsQuery `<ErrorResponse>`.
 */
function sendError(res: http.ServerResponse, error: SimApiError, requestId: string, json: boolean): void {
  if (json) {
    const body = JSON.stringify({
      __type: `com.amazonaws.cloudwatch#${jsonErrorName(error.code)}`,
      message: error.message,
    });
    res.setHeader("x-amzn-query-error", `${error.code};${error.faultType}`);
    send(res, error.status, body, "application/x-amz-json-1.0", requestId);
    return;
  }
  const body = document(
    "ErrorResponse",
    CLOUDWATCH_XMLNS,
    node("Error", leaf("Type", error.faultType), leaf("Code", error.code), leaf("Message", error.message)),
    leaf("RequestId", requestId),
  );
  send(res, error.status, body, "text/xml", requestId);
}

/** The JSON shape name CloudWatch uses for a query error code (InvalidParameterValue → …Exception). */
function jsonErrorName(code: string): string {
  const shapes: Record<string, string> = {
    InvalidParameterValue: "InvalidParameterValueException",
    InvalidParameterCombination: "InvalidParameterCombinationException",
    MissingParameter: "MissingRequiredParameterException",
    InternalServiceError: "InternalServiceFault",
  };
  return shapes[code] ?? code;
}
