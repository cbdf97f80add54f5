/**
 * The ELBv2 API over the awsQuery protocol (form-encoded POST, XML answers in the 2015-12-01
 * namespace, `<ErrorResponse>` errors): DescribeTargetGroups, DescribeTargetHealth,
 * RegisterTargets, DeregisterTargets.
 */
import type http from "node:http";
import { SimApiError } from "./api-error.js";
import type { Elbv2Model, TargetGroupSpec, TargetInput, TargetView } from "./elbv2-model.js";
import type { Elbv2Network } from "./elbv2-network.js";
import { type Handler, newRequestId, readBody } from "./http.js";
import { memberStructs, memberValues, parseIntParam, queryParams, requireParam } from "./query.js";
import { admit, type ServiceContext } from "./service.js";
import { document, escapeXml, leaf, memberList, node } from "./xml.js";

/** XML namespace of every ELBv2 answer. */
export const ELBV2_XMLNS = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const VERSION = "2015-12-01";
const MAX_REQUEST_BYTES = 1024 * 1024;

type ActionHandler = (params: URLSearchParams, model: Elbv2Model) => string;

const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeTargetGroups: (params, model) => {
    const groups = model.describeGroups(
      memberValues(params, "TargetGroupArns"),
      memberValues(params, "Names"),
    );
    return memberList("TargetGroups", groups.map(renderGroup));
  },
  DescribeTargetHealth: (params, model) => {
    const arn = requireParam(params, "TargetGroupArn");
    const views = model.describeHealth(arn, targetInputs(params, false));
    return memberList("TargetHealthDescriptions", views.map(renderHealth));
  },
  RegisterTargets: (params, model) => {
    model.register(requireParam(params, "TargetGroupArn"), targetInputs(params, true));
    return "";
  },
  DeregisterTargets: (params, model) => {
    model.deregister(requireParam(params, "TargetGroupArn"), targetInputs(params, true));
    return "";
  },
};

/**
 * The HTTP handler of the ELBv2 endpoint.
 *
 * @example
 * const server = await listenLoopback(elbv2Handler(ctx, model));
 */
export function elbv2Handler(ctx: ServiceContext, model: Elbv2Model, network?: Elbv2Network): Handler {
  return async (req, res) => {
    const requestId = newRequestId();
    let params: URLSearchParams;
    try {
      const body = await readBody(req, MAX_REQUEST_BYTES);
      params = queryParams(new URL(req.url ?? "/", "http://localhost").search, body);
    } catch (error) {
      if (error instanceof SimApiError) return sendError(res, error, requestId);
      throw error;
    }
    const action = params.get("Action") ?? "";
    const verdict = await admit(
      ctx,
      `elbv2:${action === "" ? "MissingAction" : action}`,
      params.get("TargetGroupArn") ?? undefined,
    );
    if (verdict.kind === "hang") return;
    if (verdict.kind === "error") return sendError(res, verdict.error, requestId);
    try {
      const result = dispatch(action, params, model, network);
      const body = document(
        `${action}Response`,
        ELBV2_XMLNS,
        node(`${action}Result`, result),
        node("ResponseMetadata", leaf("RequestId", requestId)),
      );
      send(res, 200, body, requestId);
    } catch (error) {
      if (error instanceof SimApiError) return sendError(res, error, requestId);
      throw error;
    }
  };
}

function dispatch(
  action: string,
  params: URLSearchParams,
  model: Elbv2Model,
  network: Elbv2Network | undefined,
): string {
  if (action === "") {
    throw new SimApiError("MissingAction", "The request must contain the parameter Action");
  }
  const version = params.get("Version");
  if (version !== null && version !== VERSION) {
    throw new SimApiError(
      "InvalidAction",
      `Could not find operation ${action} for version ${version}; use ${VERSION}`,
    );
  }
  // The network (sim/elbv2-network.ts) adds the load balancer reads and its view of the target groups.
  if (action === "DescribeTargetGroups" && network !== undefined) {
    const groups = model.describeGroups(
      memberValues(params, "TargetGroupArns"),
      memberValues(params, "Names"),
    );
    return memberList("TargetGroups", groups.map(network.renderGroup));
  }
  const extra = network?.actions[action];
  if (extra !== undefined) return extra(params);
  const handler = ACTIONS[action];
  if (!handler) {
    throw new SimApiError(
      "InvalidAction",
      `The action ${action} is not valid for this web service (the simulator supports ${[...Object.keys(ACTIONS), ...Object.keys(network?.actions ?? {})].join(", ")})`,
    );
  }
  return handler(params, model);
}

function targetInputs(params: URLSearchParams, required: boolean): TargetInput[] {
  const structs = memberStructs(params, "Targets");
  if (required && structs.length === 0) {
    throw new SimApiError(
      "ValidationError",
      "1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null",
    );
  }
  return structs.map((struct, index) => {
    const id = struct.Id;
    if (id === undefined || id === "") {
      throw new SimApiError("ValidationError", `Target ${index + 1} has no Id; every target needs an Id`);
    }
    return {
      id,
      port: parseIntParam(struct.Port, `targets.${index + 1}.member.port`),
      availabilityZone: struct.AvailabilityZone,
    };
  });
}

function renderGroup(spec: TargetGroupSpec): string {
  return [
    leaf("TargetGroupArn", spec.arn),
    leaf("TargetGroupName", spec.name),
    leaf("Protocol", spec.protocol),
    leaf("Port", spec.port),
    leaf("VpcId", spec.vpcId),
    leaf("HealthCheckProtocol", "TCP"),
    leaf("HealthCheckPort", "traffic-port"),
    leaf("HealthCheckEnabled", true),
    leaf("HealthCheckIntervalSeconds", 30),
    leaf("HealthCheckTimeoutSeconds", 10),
    leaf("HealthyThresholdCount", 5),
    leaf("UnhealthyThresholdCount", 2),
    memberList("LoadBalancerArns", spec.loadBalancerArns.map(escapeXml)),
    leaf("TargetType", "ip"),
    leaf("IpAddressType", spec.ipAddressType ?? "ipv4"),
  ].join("");
}

function renderHealth(view: TargetView): string {
  return [
    node(
      "Target",
      leaf("Id", view.ip),
      leaf("Port", view.port),
      leaf("AvailabilityZone", view.availabilityZone),
    ),
    leaf("HealthCheckPort", view.port),
    node(
      "TargetHealth",
      leaf("State", view.state),
      leaf("Reason", view.reason),
      leaf("Description", view.description),
    ),
  ].join("");
}

function send(res: http.ServerResponse, status: number, body: string, requestId: string): void {
  res.writeHead(status, {
    "content-type": "text/xml",
    "content-length": Buffer.byteLength(body),
    "x-amzn-requestid": requestId,
  });
  res.end(body);
}

/** Write an awsQuery `<ErrorResponse>` with the error's HTTP status. */
function sendError(res: http.ServerResponse, error: SimApiError, requestId: string): void {
  const body = document(
    "ErrorResponse",
    ELBV2_XMLNS,
    node("Error", leaf("Type", error.faultType), leaf("Code", error.code), leaf("Message", error.message)),
    leaf("RequestId", requestId),
  );
  send(res, error.status, body, requestId);
}
