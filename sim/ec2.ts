/**
 * EC2 over the EC2 query protocol (form POST, `Version=2016-11-15`, XML answers, `<Response><Errors>` errors):
 * DescribeNetworkInterfaces with `Filter.N.Name` / `Filter.N.Value.M` (AND across filters, OR across values,
 * `*` and `?` wildcards), `NetworkInterfaceId.N`, `MaxResults` (5–1000) and `NextToken`. The caller's account
 * comes from the access key in the SigV4 `Authorization` header (the STS stand-in hands out keys of the role's
 * account), so a lookup without the cross-account role sees none of the ALB's interfaces.
 *
 * Faults: `ec2:DescribeNetworkInterfaces` affects every call; `ec2:DescribeNetworkInterfaces:nextPage` only
 * calls that carry a NextToken (a page failing in the middle of a pagination). `ignoredFilters` makes it accept
 * and then disregard some filters, as an emulator or a proxy may (moto's or a mock's gaps): what a client
 * re-checks of the answer is then tested.
 */
import type http from "node:http";
import { SimApiError } from "./api-error.js";
import type { NetworkInterface } from "./enis.js";
import { type Handler, headerValue, newRequestId, readBody } from "./http.js";
import { queryParams } from "./query.js";
import { admit, type ServiceContext } from "./service.js";
import { document, leaf, node } from "./xml.js";

export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";
const VERSION = "2016-11-15";
const FILTERS: Readonly<Record<string, (eni: NetworkInterface) => string[]>> = {
  description: (eni) => [eni.description],
  "vpc-id": (eni) => [eni.vpcId],
  "subnet-id": (eni) => [eni.subnetId],
  "network-interface-id": (eni) => [eni.id],
  "requester-id": (eni) => (eni.requesterId === undefined ? [] : [eni.requesterId]),
  "requester-managed": (eni) => [String(eni.requesterManaged)],
  "attachment.instance-owner-id": (eni) =>
    eni.attachmentOwnerId === undefined ? [] : [eni.attachmentOwnerId],
  "ipv6-addresses.ipv6-address": (eni) => eni.ipv6,
  "interface-type": (eni) => [eni.interfaceType],
  "availability-zone": (eni) => [eni.availabilityZone],
  "private-ip-address": (eni) => eni.privateIps,
  "addresses.private-ip-address": (eni) => eni.privateIps,
};

/** How the simulated EC2 pages a filtered list. */
export interface Ec2Options {
  /**
   * `filter-first` (default): filter, then cut pages of MaxResults. `scan`: each page scans MaxResults interfaces
   * of the account and returns those that match (possibly none) with a NextToken while interfaces remain, as EC2
   * documents that filtered Describe calls may do.
   */
  paging?: "filter-first" | "scan";
  /** Access key id → account id. Unknown keys are the function's own account. */
  accountOf(accessKeyId: string): string;
  /** More read actions by name (`sim/ec2-network.ts`); each returns the inner XML of the response. */
  actions?: Readonly<Record<string, (params: URLSearchParams) => string>> | undefined;
  /** Filter names accepted but not applied (an API that ignores them); default none. */
  ignoredFilters?: () => ReadonlySet<string>;
}

interface Filter {
  name: string;
  values: string[];
}

function wildcard(value: string): RegExp {
  const body = value
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

function filtersOf(params: URLSearchParams): Filter[] {
  const filters = new Map<number, Filter>();
  for (const [key, value] of params) {
    const m = /^Filter\.(\d+)\.(Name|Value\.(\d+))$/.exec(key);
    if (!m) continue;
    const n = Number(m[1]);
    const f = filters.get(n) ?? { name: "", values: [] };
    if (m[2] === "Name") f.name = value;
    else f.values.push(value);
    filters.set(n, f);
  }
  return [...filters.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

function matches(eni: NetworkInterface, filters: readonly Filter[], ignored: ReadonlySet<string>): boolean {
  return filters.every((f) => {
    if (ignored.has(f.name)) return true;
    const field = FILTERS[f.name];
    if (field === undefined) return false;
    const have = field(eni);
    return f.values.some((v) => {
      const re = wildcard(v);
      return have.some((h) => re.test(h));
    });
  });
}

function renderInterface(eni: NetworkInterface): string {
  return node(
    "item",
    leaf("networkInterfaceId", eni.id),
    leaf("subnetId", eni.subnetId),
    leaf("vpcId", eni.vpcId),
    leaf("availabilityZone", eni.availabilityZone),
    leaf("description", eni.description),
    leaf("ownerId", eni.ownerId),
    leaf("requesterId", eni.requesterId),
    leaf("requesterManaged", eni.requesterManaged),
    leaf("status", eni.attachmentOwnerId === undefined ? "available" : "in-use"),
    eni.attachmentOwnerId === undefined
      ? ""
      : node(
          "attachment",
          leaf("attachmentId", eni.id.replace(/^eni-/, "eni-attach-")),
          leaf("instanceOwnerId", eni.attachmentOwnerId),
          leaf("deviceIndex", 1),
          leaf("status", "attached"),
        ),
    leaf("privateIpAddress", eni.privateIps[0]),
    node(
      "privateIpAddressesSet",
      ...eni.privateIps.map((ip, i) => node("item", leaf("privateIpAddress", ip), leaf("primary", i === 0))),
    ),
    node("ipv6AddressesSet", ...eni.ipv6.map((ip) => node("item", leaf("ipv6Address", ip)))),
    leaf("sourceDestCheck", true),
    leaf("interfaceType", eni.interfaceType),
  );
}

function describe(
  params: URLSearchParams,
  enis: readonly NetworkInterface[],
  paging: Ec2Options["paging"],
  ignored: ReadonlySet<string>,
) {
  const filters = filtersOf(params);
  for (const f of filters) {
    if (FILTERS[f.name] === undefined) {
      throw new SimApiError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
    }
    if (f.values.length === 0) {
      throw new SimApiError("InvalidParameterValue", `The filter '${f.name}' has no values`);
    }
  }
  const ids = [...params].filter(([k]) => /^NetworkInterfaceId\.\d+$/.test(k)).map(([, v]) => v);
  const maxText = params.get("MaxResults");
  if (maxText !== null && ids.length > 0) {
    throw new SimApiError(
      "InvalidParameterCombination",
      "The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults",
    );
  }
  const max = maxText === null ? undefined : Number(maxText);
  if (max !== undefined && !(Number.isInteger(max) && max >= 5 && max <= 1000)) {
    throw new SimApiError(
      "InvalidParameterValue",
      `Value ( ${maxText} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  const tokenText = params.get("NextToken");
  let offset = 0;
  if (tokenText !== null && tokenText !== "") {
    const decoded = Number(
      Buffer.from(tokenText, "base64url")
        .toString("utf8")
        .replace(/^offset:/, ""),
    );
    if (!Number.isInteger(decoded) || decoded < 0)
      throw new SimApiError("InvalidNextToken", "The token is invalid or expired");
    offset = decoded;
  }
  const byId = ids.length > 0 ? enis.filter((e) => ids.includes(e.id)) : enis;
  if (ids.length > 0 && byId.length < ids.length) {
    const missing = ids.find((id) => !byId.some((e) => e.id === id));
    throw new SimApiError(
      "InvalidNetworkInterfaceID.NotFound",
      `The networkInterface ID '${missing}' does not exist`,
    );
  }
  let items: NetworkInterface[];
  let next: number | undefined;
  if (max === undefined) {
    items = byId.filter((e) => matches(e, filters, ignored));
  } else if (paging === "scan") {
    const scanned = byId.slice(offset, offset + max);
    items = scanned.filter((e) => matches(e, filters, ignored));
    next = offset + max < byId.length ? offset + max : undefined;
  } else {
    const all = byId.filter((e) => matches(e, filters, ignored));
    items = all.slice(offset, offset + max);
    next = offset + max < all.length ? offset + max : undefined;
  }
  return [
    node("networkInterfaceSet", ...items.map(renderInterface)),
    next === undefined ? "" : leaf("nextToken", Buffer.from(`offset:${next}`).toString("base64url")),
  ].join("");
}

/** The access key id in a SigV4 Authorization header, or "". */
export function accessKeyOf(req: http.IncomingMessage): string {
  return /Credential=([^/]+)\//.exec(headerValue(req, "authorization"))?.[1] ?? "";
}

/**
 * The HTTP handler of the EC2 endpoint.
 *
 * @example
 * const server = await listenLoopback(ec2Handler(ctx, enis, { accountOf: () => "123456789012" }));
 */
export function ec2Handler(
  ctx: ServiceContext,
  model: { list(accountId: string): NetworkInterface[] },
  options: Ec2Options,
): Handler {
  return async (req, res) => {
    const requestId = newRequestId();
    let params: URLSearchParams;
    try {
      params = queryParams(
        new URL(req.url ?? "/", "http://localhost").search,
        await readBody(req, 1024 * 1024),
      );
    } catch (error) {
      if (error instanceof SimApiError) return sendError(res, error, requestId);
      throw error;
    }
    const action = params.get("Action") ?? "";
    const verdict = await admit(ctx, `ec2:${action === "" ? "MissingAction" : action}`);
    if (verdict.kind === "hang") return;
    if (verdict.kind === "error") return sendError(res, verdict.error, requestId);
    if (action === "DescribeNetworkInterfaces" && (params.get("NextToken") ?? "") !== "") {
      const page = ctx.faults.decide("ec2:DescribeNetworkInterfaces:nextPage");
      if (page.kind === "hang") return;
      if (page.kind === "error") return sendError(res, page.error, requestId);
    }
    try {
      const extra = options.actions?.[action];
      if (extra !== undefined) {
        send(res, 200, document(`${action}Response`, EC2_XMLNS, leaf("requestId", requestId), extra(params)));
        return;
      }
      if (action !== "DescribeNetworkInterfaces") {
        throw new SimApiError(
          "InvalidAction",
          `The action ${action} is not valid for this web service (the simulator supports DescribeNetworkInterfaces)`,
        );
      }
      const version = params.get("Version");
      if (version !== null && version !== VERSION) {
        throw new SimApiError(
          "InvalidAction",
          `Could not find operation ${action} for version ${version}; use ${VERSION}`,
        );
      }
      const enis = model.list(options.accountOf(accessKeyOf(req)));
      const body = document(
        `${action}Response`,
        EC2_XMLNS,
        leaf("requestId", requestId),
        describe(params, enis, options.paging, options.ignoredFilters?.() ?? new Set()),
      );
      send(res, 200, body);
    } catch (error) {
      if (error instanceof SimApiError) return sendError(res, error, requestId);
      throw error;
    }
  };
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "content-type": "text/xml;charset=UTF-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** EC2's error shape: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
function sendError(res: http.ServerResponse, error: SimApiError, requestId: string): void {
  const body = document(
    "Response",
    undefined,
    node("Errors", node("Error", leaf("Code", error.code), leaf("Message", error.message))),
    leaf("RequestID", requestId),
  );
  send(res, error.status, body);
}
