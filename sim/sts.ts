/**
 * STS AssumeRole over the query protocol (form POST, `Version=2011-06-15`), enough for the SDK: the roles the
 * world knows (each with an optional required external id) hand out temporary credentials of their account;
 * an unknown role or a wrong external id is `AccessDenied`. The issued access key ids map back to the role's
 * account, which the EC2 stand-in uses to decide what the caller sees. Fault key: `sts:AssumeRole`.
 */
import { randomBytes } from "node:crypto";
import type http from "node:http";
import { SimApiError } from "./api-error.js";
import { type Handler, newRequestId, readBody } from "./http.js";
import { queryParams } from "./query.js";
import { admit, type ServiceContext } from "./service.js";
import { document, leaf, node } from "./xml.js";

export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** A role that can be assumed. */
export interface SimRole {
  arn: string;
  /** Required external id, when the trust policy has the condition. */
  externalId?: string | undefined;
}

/** Roles, and the accounts of the keys handed out. */
export class StsModel {
  private readonly roles = new Map<string, SimRole>();
  private readonly keys = new Map<string, string>();
  /** AssumeRole calls that succeeded. */
  issued = 0;

  constructor(private readonly clock: () => number) {}

  addRole(role: SimRole): void {
    this.roles.set(role.arn, role);
  }

  /** The account of an issued access key id, or undefined. */
  accountOf(accessKeyId: string): string | undefined {
    return this.keys.get(accessKeyId);
  }

  assume(roleArn: string, sessionName: string, externalId: string | undefined, durationSeconds: number) {
    const role = this.roles.get(roleArn);
    if (role === undefined || (role.externalId !== undefined && role.externalId !== externalId)) {
      throw new SimApiError(
        "AccessDenied",
        `User: arn:aws:sts::000000000000:assumed-role/caller is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new SimApiError(
        "ValidationError",
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint",
      );
    }
    if (!(Number.isInteger(durationSeconds) && durationSeconds >= 900 && durationSeconds <= 43200)) {
      throw new SimApiError(
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      );
    }
    const account = roleArn.split(":")[4] ?? "";
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    this.keys.set(accessKeyId, account);
    this.issued += 1;
    return {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: randomBytes(48).toString("base64"),
      expiration: new Date(this.clock() + durationSeconds * 1000).toISOString(),
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${roleArn.split("/").at(-1)}/${sessionName}`,
    };
  }
}

/**
 * The HTTP handler of the STS endpoint.
 *
 * @example
 * const server = await listenLoopback(stsHandler(ctx, sts));
 */
export function stsHandler(ctx: ServiceContext, model: StsModel): Handler {
  return async (req, res) => {
    const requestId = newRequestId();
    try {
      const params = queryParams(
        new URL(req.url ?? "/", "http://localhost").search,
        await readBody(req, 64 * 1024),
      );
      const action = params.get("Action") ?? "";
      const verdict = await admit(ctx, `sts:${action === "" ? "MissingAction" : action}`);
      if (verdict.kind === "hang") return;
      if (verdict.kind === "error") return sendError(res, verdict.error, requestId);
      if (action !== "AssumeRole") {
        throw new SimApiError(
          "InvalidAction",
          `The action ${action} is not valid (the simulator supports AssumeRole)`,
        );
      }
      const c = model.assume(
        params.get("RoleArn") ?? "",
        params.get("RoleSessionName") ?? "",
        params.get("ExternalId") ?? undefined,
        Number(params.get("DurationSeconds") ?? "3600"),
      );
      const body = document(
        "AssumeRoleResponse",
        STS_XMLNS,
        node(
          "AssumeRoleResult",
          node(
            "Credentials",
            leaf("AccessKeyId", c.accessKeyId),
            leaf("SecretAccessKey", c.secretAccessKey),
            leaf("SessionToken", c.sessionToken),
            leaf("Expiration", c.expiration),
          ),
          node(
            "AssumedRoleUser",
            leaf("AssumedRoleId", `AROA${requestId.slice(0, 12).toUpperCase()}:alb-static-ip`),
            leaf("Arn", c.assumedRoleArn),
          ),
        ),
        node("ResponseMetadata", leaf("RequestId", requestId)),
      );
      send(res, 200, body);
    } catch (error) {
      if (error instanceof SimApiError) return sendError(res, error, requestId);
      throw error;
    }
  };
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: http.ServerResponse, error: SimApiError, requestId: string): void {
  const body = document(
    "ErrorResponse",
    STS_XMLNS,
    node("Error", leaf("Type", error.faultType), leaf("Code", error.code), leaf("Message", error.message)),
    leaf("RequestId", requestId),
  );
  send(res, error.status, body);
}
