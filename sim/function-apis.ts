/**
 * The deployed function as the operator CLI reads it (`sim/network.ts` holds it):
 * - Lambda (REST JSON): `GET /2015-03-31/functions/{name}/configuration` (GetFunctionConfiguration), by name or ARN;
 *   an unknown function is 404 `ResourceNotFoundException`;
 * - EventBridge (AWS JSON 1.1, `X-Amz-Target: AWSEvents.*`): ListRuleNamesByTarget, DescribeRule;
 * - IAM (query, `Version=2010-05-08`): SimulatePrincipalPolicy of the function's role, `allowed` for every
 *   action but the role's denied ones (`implicitDeny`);
 * - CloudWatch (AWS JSON 1.0): GetMetricStatistics of `AWS/Lambda` `Errors` for the function (one datapoint a
 *   minute from `recentErrors`), for `sim/cloudwatch.ts` to dispatch.
 * Fault keys: `lambda:GetFunctionConfiguration`, `events:ListRuleNamesByTarget`, `events:DescribeRule`,
 * `iam:SimulatePrincipalPolicy`, `cloudwatch:GetMetricStatistics`.
 */
import type http from "node:http";
import { SimApiError } from "./api-error.js";
import type { MetricDatumRecord } from "./cloudwatch-model.js";
import { type Handler, headerValue, listenLoopback, newRequestId, readBody } from "./http.js";
import type { NetworkModel } from "./network.js";
import { memberValues, queryParams, requireParam } from "./query.js";
import { admit, type ServiceContext } from "./service.js";
import { document, leaf, memberList, node } from "./xml.js";

export const IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";

function sendJson(
  res: http.ServerResponse,
  status: number,
  value: unknown,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": newRequestId(),
    ...headers,
  });
  res.end(body);
}

function functionOf(network: NetworkModel, name: string) {
  const fn = network.fn;
  if (fn === undefined || (name !== fn.name && name !== fn.arn && !name.endsWith(`:function:${fn.name}`)))
    throw new SimApiError("ResourceNotFoundException", `Function not found: ${name}`, 404);
  return fn;
}

/**
 * Lambda's GetFunctionConfiguration.
 *
 * @example
 * await listenLoopback(lambdaHandler(ctx, network));
 */
export function lambdaHandler(ctx: ServiceContext, network: NetworkModel): Handler {
  return async (req, res) => {
    await readBody(req, 1024 * 1024);
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = /^\/2015-03-31\/functions\/([^/]+)\/configuration$/.exec(url.pathname);
    const api = m && req.method === "GET" ? "lambda:GetFunctionConfiguration" : "lambda:Unsupported";
    const error = (e: SimApiError) =>
      sendJson(res, e.status, { Type: "User", Message: e.message }, "application/json", {
        "x-amzn-errortype": e.code,
      });
    const verdict = await admit(ctx, api);
    if (verdict.kind === "hang") return;
    if (verdict.kind === "error") return error(verdict.error);
    try {
      if (m === null || req.method !== "GET")
        throw new SimApiError(
          "UnsupportedOperation",
          `The simulator supports only GetFunctionConfiguration (got ${req.method} ${url.pathname})`,
        );
      const fn = functionOf(network, decodeURIComponent(m[1] ?? ""));
      sendJson(
        res,
        200,
        {
          FunctionName: fn.name,
          FunctionArn: fn.arn,
          Runtime: "nodejs24.x",
          Role: fn.roleArn,
          Handler: "index.handler",
          Timeout: 60,
          MemorySize: 256,
          State: "Active",
          LastUpdateStatus: "Successful",
          Architectures: ["arm64"],
          Environment: { Variables: fn.environment },
          LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${fn.name}` },
          ...(fn.subnetIds.length === 0
            ? {}
            : {
                VpcConfig: {
                  SubnetIds: fn.subnetIds,
                  SecurityGroupIds: fn.securityGroupIds,
                  VpcId: network.alb.vpcId,
                },
              }),
        },
        "application/json",
      );
    } catch (e) {
      if (e instanceof SimApiError) return error(e);
      throw e;
    }
  };
}

/**
 * EventBridge's ListRuleNamesByTarget and DescribeRule for the function's schedule rule.
 *
 * @example
 * await listenLoopback(eventsHandler(ctx, network));
 */
export function eventsHandler(ctx: ServiceContext, network: NetworkModel): Handler {
  return async (req, res) => {
    const body = (await readBody(req, 1024 * 1024)).toString("utf8");
    const operation = headerValue(req, "x-amz-target").replace(/^AWSEvents\./, "");
    const type = "application/x-amz-json-1.1";
    const error = (e: SimApiError) => sendJson(res, e.status, { __type: e.code, message: e.message }, type);
    const verdict = await admit(ctx, `events:${operation || "MissingAction"}`);
    if (verdict.kind === "hang") return;
    if (verdict.kind === "error") return error(verdict.error);
    try {
      const input = JSON.parse(body || "{}") as { TargetArn?: string; Name?: string };
      const rule = network.fn?.scheduleRule;
      if (operation === "ListRuleNamesByTarget") {
        const names = rule !== undefined && input.TargetArn === network.fn?.arn ? [rule.name] : [];
        return sendJson(res, 200, { RuleNames: names }, type);
      }
      if (operation === "DescribeRule") {
        if (rule === undefined || input.Name !== rule.name)
          throw new SimApiError(
            "ResourceNotFoundException",
            `Rule ${input.Name} does not exist on EventBus default.`,
          );
        return sendJson(
          res,
          200,
          {
            Name: rule.name,
            Arn: rule.arn,
            State: rule.state,
            ScheduleExpression: rule.expression,
            EventBusName: "default",
          },
          type,
        );
      }
      throw new SimApiError(
        "UnknownOperationException",
        `The simulator supports ListRuleNamesByTarget and DescribeRule (got ${operation})`,
      );
    } catch (e) {
      if (e instanceof SimApiError) return error(e);
      if (e instanceof SyntaxError) return error(new SimApiError("SerializationException", e.message));
      throw e;
    }
  };
}

/**
 * IAM's SimulatePrincipalPolicy for the function's role.
 *
 * @example
 * await listenLoopback(iamHandler(ctx, network));
 */
export function iamHandler(ctx: ServiceContext, network: NetworkModel): Handler {
  return async (req, res) => {
    const requestId = newRequestId();
    const params = queryParams(
      new URL(req.url ?? "/", "http://localhost").search,
      await readBody(req, 1024 * 1024),
    );
    const action = params.get("Action") ?? "";
    const send = (status: number, xml: string) => {
      res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
      res.end(xml);
    };
    const error = (e: SimApiError) =>
      send(
        e.status,
        document(
          "ErrorResponse",
          IAM_XMLNS,
          node("Error", leaf("Type", e.faultType), leaf("Code", e.code), leaf("Message", e.message)),
          leaf("RequestId", requestId),
        ),
      );
    const verdict = await admit(ctx, `iam:${action || "MissingAction"}`);
    if (verdict.kind === "hang") return;
    if (verdict.kind === "error") return error(verdict.error);
    try {
      if (action !== "SimulatePrincipalPolicy")
        throw new SimApiError(
          "InvalidAction",
          `The simulator supports only SimulatePrincipalPolicy (got ${action})`,
        );
      const source = requireParam(params, "PolicySourceArn");
      const fn = network.fn;
      if (fn === undefined || source !== fn.roleArn)
        throw new SimApiError(
          "NoSuchEntity",
          `The role with name ${source.split("/").pop()} cannot be found.`,
          404,
        );
      const actions = memberValues(params, "ActionNames");
      const resources = memberValues(params, "ResourceArns");
      const results = actions.flatMap((name) =>
        (resources.length === 0 ? ["*"] : resources).map(
          (resource) =>
            leaf("EvalActionName", name) +
            leaf("EvalResourceName", resource) +
            leaf("EvalDecision", fn.deniedActions.includes(name) ? "implicitDeny" : "allowed") +
            node("MatchedStatements") +
            node("MissingContextValues"),
        ),
      );
      send(
        200,
        document(
          "SimulatePrincipalPolicyResponse",
          IAM_XMLNS,
          node(
            "SimulatePrincipalPolicyResult",
            leaf("IsTruncated", false),
            memberList("EvaluationResults", results),
          ),
          node("ResponseMetadata", leaf("RequestId", requestId)),
        ),
      );
    } catch (e) {
      if (e instanceof SimApiError) return error(e);
      throw e;
    }
  };
}

/**
 * CloudWatch GetMetricStatistics (JSON): `AWS/Lambda` `Errors` of the function (one datapoint a minute from
 * `recentErrors`), and every series the world's PutMetricData recorded (exact dimensions, `Period` buckets).
 *
 * @example
 * const answer = getMetricStatistics(network, recorded, input, Date.now());
 */
export function getMetricStatistics(
  network: NetworkModel,
  recorded: readonly MetricDatumRecord[],
  input: unknown,
  now: number,
): unknown {
  const i = (input ?? {}) as {
    Namespace?: string;
    MetricName?: string;
    Dimensions?: Array<{ Name?: string; Value?: string }>;
    StartTime?: number;
    EndTime?: number;
    Period?: number;
  };
  const dims = i.Dimensions ?? [];
  const fn = network.fn;
  const start = (i.StartTime ?? 0) * 1000;
  const end = (i.EndTime ?? now / 1000) * 1000;
  if (fn !== undefined && i.Namespace === "AWS/Lambda" && i.MetricName === "Errors") {
    const ours = dims.some((d) => d.Name === "FunctionName" && d.Value === fn.name);
    const datapoints = (ours ? fn.recentErrors : [])
      .map((sum, k) => ({ Timestamp: Math.floor((now - k * 60_000) / 1000), Sum: sum, Unit: "Count" }))
      .filter((d) => d.Timestamp * 1000 >= start);
    return { Label: "Errors", Datapoints: datapoints };
  }
  const period = (i.Period ?? 60) * 1000;
  const buckets = new Map<number, number[]>();
  for (const m of recorded) {
    const at = Date.parse(m.timestamp);
    const same =
      m.namespace === i.Namespace &&
      m.metricName === i.MetricName &&
      m.dimensions.length === dims.length &&
      dims.every((d) => m.dimensions.some((x) => x.name === d.Name && x.value === d.Value));
    if (!same || at < start || at >= end || m.value === undefined) continue;
    const bucket = Math.floor(at / period) * period;
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), m.value]);
  }
  const datapoints = [...buckets.entries()].map(([at, values]) => ({
    Timestamp: at / 1000,
    SampleCount: values.length,
    Sum: values.reduce((a, b) => a + b, 0),
    Average: values.reduce((a, b) => a + b, 0) / values.length,
    Minimum: Math.min(...values),
    Maximum: Math.max(...values),
    Unit: "Count",
  }));
  return { Label: i.MetricName ?? "", Datapoints: datapoints };
}

/**
 * Starts the Lambda, EventBridge and IAM endpoints of the world on loopback.
 *
 * @example
 * const apis = await startFunctionApis(ctx, network); // apis.endpoints.lambda, …; await apis.close()
 */
export async function startFunctionApis(
  ctx: ServiceContext,
  network: NetworkModel,
): Promise<{ endpoints: { lambda: string; events: string; iam: string }; close(): Promise<void> }> {
  const [lambda, events, iam] = await Promise.all([
    listenLoopback(lambdaHandler(ctx, network)),
    listenLoopback(eventsHandler(ctx, network)),
    listenLoopback(iamHandler(ctx, network)),
  ]);
  return {
    endpoints: { lambda: lambda.url, events: events.url, iam: iam.url },
    close: async () => {
      await Promise.all([lambda.close(), events.close(), iam.close()]);
    },
  };
}
