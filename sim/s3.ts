/**
 * The S3 REST API, path-style (`/bucket/key`), any credentials accepted: CreateBucket,
 * ListObjectsV2, HeadBucket, GetObject, HeadObject, PutObject (with If-Match / If-None-Match),
 * DeleteObject. Errors are S3 XML `<Error>` documents (no body for HEAD).
 */
import { createHash } from "node:crypto";
import type http from "node:http";
import { SimApiError } from "./api-error.js";
import { type Handler, headerValue, newRequestId, readBody } from "./http.js";
import type { S3Object, S3Store } from "./s3-store.js";
import { admit, type ServiceContext } from "./service.js";
import { document, leaf, node } from "./xml.js";

/** XML namespace of S3 answers. */
export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const UNSUPPORTED_SUBRESOURCES = [
  "uploads",
  "uploadId",
  "tagging",
  "acl",
  "versioning",
  "versions",
  "policy",
  "cors",
  "lifecycle",
  "location",
  "delete",
  "partNumber",
  "retention",
  "legal-hold",
  "attributes",
  "select",
  "restore",
  "encryption",
  "website",
  "logging",
  "notification",
];

interface S3Request {
  req: http.IncomingMessage;
  bucket: string;
  key: string;
  query: URLSearchParams;
  body: Buffer;
}

type Operation = {
  api: string;
  run: (request: S3Request, res: http.ServerResponse, requestId: string) => void;
};

/**
 * The HTTP handler of the S3 endpoint.
 *
 * @example
 * const server = await listenLoopback(s3Handler(ctx, new S3Store(Date.now)));
 */
export function s3Handler(ctx: ServiceContext, store: S3Store): Handler {
  return async (req, res) => {
    const requestId = newRequestId();
    const head = req.method === "HEAD";
    let request: S3Request;
    let operation: Operation;
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const [bucketPart = "", ...keyParts] = url.pathname.slice(1).split("/");
      request = {
        req,
        bucket: decodeURIComponent(bucketPart),
        key: keyParts.map(decodeURIComponent).join("/"),
        query: url.searchParams,
        body: await readBody(req),
      };
      operation = route(request, store);
    } catch (error) {
      if (error instanceof SimApiError) return sendError(res, error, requestId, head, "");
      throw error;
    }
    const verdict = await admit(ctx, operation.api);
    if (verdict.kind === "hang") return;
    try {
      if (verdict.kind === "error") throw verdict.error;
      operation.run(request, res, requestId);
    } catch (error) {
      if (error instanceof SimApiError)
        return sendError(res, error, requestId, head, `/${request.bucket}/${request.key}`);
      throw error;
    }
  };
}

function route(request: S3Request, store: S3Store): Operation {
  const method = request.req.method ?? "GET";
  const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => request.query.has(name));
  if (request.bucket === "" || unsupported !== undefined || method === "POST") {
    return notImplemented(
      `${method} ${unsupported ? `?${unsupported}` : request.bucket === "" ? "/" : "(POST)"}`,
    );
  }
  if (request.key === "") {
    if (method === "PUT")
      return { api: "s3:CreateBucket", run: (r, res, id) => createBucket(store, r, res, id) };
    if (method === "GET")
      return { api: "s3:ListObjectsV2", run: (r, res, id) => listObjects(store, r, res, id) };
    if (method === "HEAD")
      return { api: "s3:HeadBucket", run: (r, res, id) => headBucket(store, r, res, id) };
    return notImplemented(`${method} on a bucket`);
  }
  if (method === "GET")
    return { api: "s3:GetObject", run: (r, res, id) => getObject(store, r, res, id, false) };
  if (method === "HEAD")
    return { api: "s3:HeadObject", run: (r, res, id) => getObject(store, r, res, id, true) };
  if (method === "PUT") {
    if (headerValue(request.req, "x-amz-copy-source") !== "") return notImplemented("CopyObject");
    return { api: "s3:PutObject", run: (r, res, id) => putObject(store, r, res, id) };
  }
  if (method === "DELETE")
    return { api: "s3:DeleteObject", run: (r, res, id) => deleteObject(store, r, res, id) };
  return notImplemented(method);
}

function notImplemented(what: string): Operation {
  return {
    api: "s3:Unsupported",
    run: () => {
      throw new SimApiError(
        "NotImplemented",
        `The simulator does not implement ${what}; supported: CreateBucket, ListObjectsV2, HeadBucket, GetObject, HeadObject, PutObject, DeleteObject`,
        501,
      );
    },
  };
}

function createBucket(store: S3Store, request: S3Request, res: http.ServerResponse, requestId: string): void {
  store.createBucket(request.bucket);
  res.writeHead(200, { ...baseHeaders(requestId), location: `/${request.bucket}`, "content-length": 0 });
  res.end();
}

function headBucket(store: S3Store, request: S3Request, res: http.ServerResponse, requestId: string): void {
  if (!store.hasBucket(request.bucket)) {
    throw new SimApiError("NoSuchBucket", "The specified bucket does not exist", 404, {
      BucketName: request.bucket,
    });
  }
  res.writeHead(200, { ...baseHeaders(requestId), "x-amz-bucket-region": "us-east-1", "content-length": 0 });
  res.end();
}

function getObject(
  store: S3Store,
  request: S3Request,
  res: http.ServerResponse,
  requestId: string,
  head: boolean,
): void {
  const result = store.get(request.bucket, request.key, {
    ifMatch: headerValue(request.req, "if-match"),
    ifNoneMatch: headerValue(request.req, "if-none-match"),
  });
  if (result === "not-modified") {
    const object = store.get(request.bucket, request.key, { ifMatch: "", ifNoneMatch: "" }) as S3Object;
    res.writeHead(304, {
      ...baseHeaders(requestId),
      etag: object.etag,
      "last-modified": object.lastModified.toUTCString(),
    });
    res.end();
    return;
  }
  res.writeHead(200, {
    ...baseHeaders(requestId),
    ...objectHeaders(result),
    "content-length": result.body.length,
    "accept-ranges": "bytes",
  });
  res.end(head ? undefined : result.body);
}

function putObject(store: S3Store, request: S3Request, res: http.ServerResponse, requestId: string): void {
  const contentMd5 = headerValue(request.req, "content-md5");
  if (contentMd5 !== "" && createHash("md5").update(request.body).digest("base64") !== contentMd5) {
    throw new SimApiError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400);
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.req.headers)) {
    if (name.startsWith("x-amz-meta-") && typeof value === "string") metadata[name.slice(11)] = value;
  }
  const object = store.put(
    request.bucket,
    request.key,
    request.body,
    headerValue(request.req, "content-type") || "binary/octet-stream",
    metadata,
    { ifMatch: headerValue(request.req, "if-match"), ifNoneMatch: headerValue(request.req, "if-none-match") },
  );
  res.writeHead(200, { ...baseHeaders(requestId), etag: object.etag, "content-length": 0 });
  res.end();
}

function deleteObject(store: S3Store, request: S3Request, res: http.ServerResponse, requestId: string): void {
  store.delete(request.bucket, request.key);
  res.writeHead(204, baseHeaders(requestId));
  res.end();
}

function listObjects(store: S3Store, request: S3Request, res: http.ServerResponse, requestId: string): void {
  const prefix = request.query.get("prefix") ?? "";
  const token = request.query.get("continuation-token");
  const startAfter = token
    ? Buffer.from(token, "base64url").toString("utf8")
    : (request.query.get("start-after") ?? "");
  const maxKeysText = request.query.get("max-keys") ?? "1000";
  const maxKeys = Number(maxKeysText);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) {
    throw new SimApiError(
      "InvalidArgument",
      `max-keys must be a non-negative integer (got ${JSON.stringify(maxKeysText)})`,
    );
  }
  const { objects, truncated } = store.list(request.bucket, prefix, startAfter, Math.min(maxKeys, 1000));
  const last = objects.at(-1)?.[0];
  const body = document(
    "ListBucketResult",
    S3_XMLNS,
    leaf("Name", request.bucket),
    leaf("Prefix", prefix),
    leaf("KeyCount", objects.length),
    leaf("MaxKeys", maxKeys),
    leaf("IsTruncated", truncated),
    leaf("ContinuationToken", token),
    truncated && last !== undefined
      ? leaf("NextContinuationToken", Buffer.from(last).toString("base64url"))
      : "",
    ...objects.map(([key, object]) =>
      node(
        "Contents",
        leaf("Key", key),
        leaf("LastModified", object.lastModified.toISOString()),
        leaf("ETag", object.etag),
        leaf("Size", object.body.length),
        leaf("StorageClass", "STANDARD"),
      ),
    ),
  );
  res.writeHead(200, {
    ...baseHeaders(requestId),
    "content-type": "application/xml",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

function objectHeaders(object: S3Object): Record<string, string> {
  const headers: Record<string, string> = {
    etag: object.etag,
    "content-type": object.contentType,
    "last-modified": object.lastModified.toUTCString(),
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

function baseHeaders(requestId: string): Record<string, string> {
  return {
    "x-amz-request-id": requestId,
    "x-amz-id-2": Buffer.from(requestId).toString("base64"),
    server: "AmazonS3",
  };
}

/** Write an S3 `<Error>` document (headers only for HEAD requests, like S3). */
function sendError(
  res: http.ServerResponse,
  error: SimApiError,
  requestId: string,
  head: boolean,
  resource: string,
): void {
  const body = document(
    "Error",
    undefined,
    leaf("Code", error.code),
    leaf("Message", error.message),
    ...Object.entries(error.details).map(([name, value]) => leaf(name, value)),
    leaf("Resource", resource === "" ? undefined : resource),
    leaf("RequestId", requestId),
    leaf("HostId", Buffer.from(requestId).toString("base64")),
  );
  res.writeHead(error.status, {
    ...baseHeaders(requestId),
    "content-type": "application/xml",
    "content-length": head ? 0 : Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}
