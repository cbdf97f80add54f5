/**
 * HTTP plumbing shared by the simulated services: loopback listeners, request bodies (gzip and
 * aws-chunked decoding) and cancellable delays.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { SimApiError } from "./api-error.js";

/** Largest request body any simulated API accepts. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A request handler; it may leave the response open (a `hang` fault). */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** An HTTP server bound to 127.0.0.1 on a free port. */
export interface LoopbackServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Stop accepting, drop every open connection (also hung requests). */
  close(): Promise<void>;
}

/**
 * Start `handler` on 127.0.0.1, port 0. Handler errors become a 500 with the message.
 *
 * @example
 * const server = await listenLoopback(async (_req, res) => { res.end("ok"); });
 * await fetch(server.url);
 * await server.close();
 */
export async function listenLoopback(handler: Handler): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`simulator bug: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A fresh AWS-style request id. */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * Read the whole request body; gunzip `content-encoding: gzip` and strip `aws-chunked` framing.
 * Throws a SimApiError (400/413) for bodies that are too large or malformed.
 */
export async function readBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      throw new SimApiError(
        "EntityTooLarge",
        `Request body exceeds ${limit} bytes; send a smaller body`,
        413,
      );
    }
    chunks.push(buffer);
  }
  let body: Buffer = Buffer.concat(chunks);
  const encodings = headerValue(req, "content-encoding")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== "");
  const sha = headerValue(req, "x-amz-content-sha256");
  if (encodings.includes("aws-chunked") || sha.startsWith("STREAMING-")) {
    body = decodeAwsChunked(body);
  }
  if (encodings.includes("gzip")) {
    try {
      body = gunzipSync(body);
    } catch (error) {
      throw new SimApiError(
        "InvalidRequest",
        `Body declared content-encoding gzip but is not gzip (${(error as Error).message})`,
      );
    }
  }
  return body;
}

/**
 * Decode the `aws-chunked` content encoding (SigV4 streaming, signed or unsigned, with optional
 * trailers): `<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0…\r\n[trailers]\r\n`.
 */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf("\r\n", offset);
    if (lineEnd < 0) throw malformedChunk(offset);
    const header = raw.subarray(offset, lineEnd).toString("latin1");
    const size = Number.parseInt(header.split(";")[0] ?? "", 16);
    if (!Number.isFinite(size) || size < 0) throw malformedChunk(offset);
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (start + size > raw.length) throw malformedChunk(offset);
    parts.push(raw.subarray(start, start + size));
    offset = start + size + 2;
  }
}

function malformedChunk(offset: number): SimApiError {
  return new SimApiError(
    "IncompleteBody",
    `Malformed aws-chunked body at byte ${offset}; each chunk must be "<hex size>\\r\\n<data>\\r\\n"`,
  );
}

/** A header as one string (first value of repeated headers), "" when absent. */
export function headerValue(req: http.IncomingMessage, name: string): string {
  const value = req.headers[name.toLowerCase()];
  if (Array.isArray(value)) return value[0] ?? "";
  return value ?? "";
}

/**
 * Timers that can all be cancelled at shutdown, so a pending latency does not keep the
 * process alive after the world stopped.
 */
export class Delays {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  /** Resolve after `ms` (immediately for 0); never resolves once {@link Delays.cancelAll} ran. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return this.stopped ? new Promise(() => {}) : Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Drop every pending timer; the sleepers never wake (their connections are being closed). */
  cancelAll(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
