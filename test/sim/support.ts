/**
 * Shared helpers of the sim tests: real SDK clients pointed at a world, a manual clock, and a
 * one-shot DNS query.
 */
import dgram from "node:dgram";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
import dnsPacket, { type DecodedPacket } from "dns-packet";
import type { WorldInfo } from "../../sim/types.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Client options that fail fast: one attempt, short timeouts that throw. */
export function fastFail(requestTimeout = 5_000) {
  return {
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout, throwOnRequestTimeout: true },
  };
}

/** The real ELBv2 client against the world. */
export function elbv2Client(info: WorldInfo, requestTimeout?: number): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client({
    endpoint: info.endpoints.elbv2,
    region: info.region,
    credentials,
    ...fastFail(requestTimeout),
  });
}

/** The real S3 client against the world (path style, checksums only when required). */
export function s3Client(info: WorldInfo, requestTimeout?: number): S3Client {
  return new S3Client({
    endpoint: info.endpoints.s3,
    region: info.region,
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...fastFail(requestTimeout),
  });
}

/** The real CloudWatch client against the world. */
export function cloudwatchClient(info: WorldInfo, extra: { requestMinCompressionSizeBytes?: number } = {}) {
  return new CloudWatchClient({
    endpoint: info.endpoints.cloudwatch,
    region: info.region,
    credentials,
    ...fastFail(),
    ...extra,
  });
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2030, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Sends raw bytes over UDP; resolves with the decoded answer, or `null` after `waitMs` without one. */
export function udpExchange(
  host: string,
  port: number,
  message: Buffer,
  waitMs = 1_000,
): Promise<DecodedPacket | null> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, waitMs);
    socket.once("message", (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(dnsPacket.decode(reply));
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.send(message, port, host);
  });
}

/** One A query over UDP to `host:port`; resolves with the decoded answer, or null after `waitMs`. */
export function queryA(dns: string, name: string, waitMs = 1_000): Promise<DecodedPacket | null> {
  const [host = "127.0.0.1", port = "53"] = dns.split(":");
  const query = dnsPacket.encode({
    type: "query",
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: "A", name, class: "IN" }],
  });
  return udpExchange(host, Number(port), query, waitMs);
}

/** The A-record addresses of a DNS answer. */
export function answerIps(packet: DecodedPacket | null): string[] {
  return (packet?.answers ?? []).flatMap((a) => (a.type === "A" ? [a.data] : []));
}

/** The response code of a DNS answer (dns-packet decodes it, its types omit it). */
export function rcodeOf(packet: DecodedPacket | null): string | undefined {
  return (packet as (DecodedPacket & { rcode?: string }) | null)?.rcode;
}

/** Catch the rejection of `promise` (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
