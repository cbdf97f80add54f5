/**
 * Shared harness of the reliability tests: the bundled handler in fresh processes against the local AWS world,
 * with a watch on the one promise that matters most — no live ALB IP is ever deregistered.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { stateKey } from "../../lambda/config/index.js";
import type { RunSummary } from "../../lambda/reconcile.js";
import { type FunctionContainer, startFunction } from "../../sim/lambda-runtime.js";
import type { World } from "../../sim/world.js";

/** The schedule's event, as EventBridge sends it. */
export const SCHEDULED_EVENT = { source: "aws.events", "detail-type": "Scheduled Event" };

/**
 * Environment of the containers under test: short AWS and DNS timeouts so hung calls cost well under a second,
 * INVOCATIONS_BEFORE_DEREGISTRATION 1 so every faulted run has deregistration work to get wrong.
 */
export const FAST_ENV: Readonly<Record<string, string>> = Object.freeze({
  LOG_LEVEL: "INFO",
  AWS_REQUEST_TIMEOUT_MS: "300",
  AWS_MAX_ATTEMPTS: "3",
  DNS_TIMEOUT_MS: "250",
  INVOCATIONS_BEFORE_DEREGISTRATION: "1",
});

/** One invocation as the harness saw it. */
export interface Run {
  ok: boolean;
  summary: RunSummary | undefined;
  error: { name?: string; message: string; code?: string } | undefined;
  logs: string[];
  /** ALB IPs that were active targets before this run and are not after it (must stay empty). */
  liveLost: string[];
  /** IPs in this run's `deregistered` that were in the ALB's DNS set when the run started. */
  liveDeregistered: string[];
}

/** Non-draining targets on the port of the world's target group `group` (default the first), sorted. */
export function activeTargets(world: World, group = 0): string[] {
  const tg = world.state().targetGroups[group];
  return (tg?.targets ?? [])
    .filter((t) => t.port === tg?.port && t.state !== "draining")
    .map((t) => t.ip)
    .sort();
}

/** All targets (any port, any state) of target group `group` as `ip:port:state`, sorted. */
export function allTargets(world: World, group = 0): string[] {
  return (world.state().targetGroups[group]?.targets ?? []).map((t) => `${t.ip}:${t.port}:${t.state}`).sort();
}

/** The world's ALB IPs (IPv4; `ipv6` for the dualstack ALB's IPv6 ones), sorted. */
export function albIps(world: World, family: "ipv4" | "ipv6" = "ipv4"): string[] {
  const alb = world.state().alb;
  return [...(family === "ipv6" ? alb.ipv6 : alb.ips)].sort();
}

/** Starts a container of the bundled handler for `world` with FAST_ENV and `extra`. */
export function startContainer(world: World, extra: Record<string, string> = {}): Promise<FunctionContainer> {
  return startFunction({ env: { ...world.env(), ...FAST_ENV, ...extra }, timeoutMs: 20_000 });
}

/** Invokes `fn` once and checks, against the world, that no live IP was lost. */
export async function invokeWatched(
  world: World,
  fn: FunctionContainer,
  event: unknown = SCHEDULED_EVENT,
): Promise<Run> {
  const groups = world.info.targetGroups;
  const aliveOf = () => new Set([...albIps(world), ...albIps(world, "ipv6")]);
  const aliveBefore = aliveOf();
  const activeBefore = groups.map((_, i) => activeTargets(world, i));
  const out = await fn.invoke<RunSummary>(event);
  const aliveAfter = aliveOf();
  // Every target group: an IP alive before and after the run, active before, must still be active.
  const liveLost = groups.flatMap((_, i) => {
    const activeAfter = new Set(activeTargets(world, i));
    return activeBefore[i]!.filter((ip) => aliveBefore.has(ip) && aliveAfter.has(ip) && !activeAfter.has(ip));
  });
  const summary = out.result ?? undefined;
  const liveDeregistered = (summary?.targetGroups ?? [])
    .flatMap((p) => p.deregistered)
    .filter((ip) => aliveBefore.has(ip));
  return { ok: out.ok, summary, error: out.error, logs: out.logs, liveLost, liveDeregistered };
}

/**
 * Runs clean invocations until the active targets equal `expected` (default: the ALB IPs; at most `max`);
 * returns how many it took.
 */
export async function converge(
  world: World,
  fn: FunctionContainer,
  max = 4,
  expected?: readonly string[],
): Promise<{ runs: number; converged: boolean; lost: string[] }> {
  const lost: string[] = [];
  for (let runs = 1; runs <= max; runs += 1) {
    const run = await invokeWatched(world, fn);
    lost.push(...run.liveLost, ...run.liveDeregistered);
    if (run.ok && sameList(activeTargets(world), expected ?? albIps(world)))
      return { runs, converged: true, lost };
  }
  return { runs: max, converged: false, lost };
}

/** Same elements in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Parsed JSON log lines (non-JSON lines are skipped). */
export function logRecords(logs: readonly string[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of logs) {
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === "object" && !Array.isArray(value))
        out.push(value as Record<string, unknown>);
    } catch {
      // not a structured line
    }
  }
  return out;
}

/** The state object as the world holds it (no S3 call, so injected S3 faults do not affect the observer). */
export function storedState(world: World, key: string): { body: string; etag: string } | undefined {
  const object = world.state().s3.buckets[world.info.bucket]?.[key];
  return object ? { body: object.body, etag: object.etag } : undefined;
}

/** S3 access to the world's state object, through the real SDK (the way another writer would do it). */
export interface StateObject {
  readonly key: string;
  read(): Promise<{ body: string; etag: string } | undefined>;
  write(body: string): Promise<string>;
  remove(): Promise<void>;
  close(): void;
}

/** The state object of the function configured by `world.env()`, for its target group `group` (default the first). */
export function stateObject(world: World, group = 0): StateObject {
  const client = new S3Client({
    endpoint: world.info.endpoints.s3,
    region: world.info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const key = stateKey(
    { stateKeyPrefix: "alb-static-ip/" },
    {
      targetGroupArn: world.info.targetGroups[group]!.arn,
      port: world.info.targetGroups[group]!.port,
    },
  );
  const Bucket = world.info.bucket;
  return {
    key,
    async read() {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        return { body: (await out.Body?.transformToString("utf-8")) ?? "", etag: out.ETag ?? "" };
      } catch (error) {
        if ((error as { name?: string }).name === "NoSuchKey") return undefined;
        throw error;
      }
    },
    async write(body) {
      const out = await client.send(
        new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: "application/json" }),
      );
      return out.ETag ?? "";
    },
    async remove() {
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    close() {
      client.destroy();
    },
  };
}

/** Replace `count` of the current ALB IPs by as many new ones; returns what was removed and added. */
export function churnAlb(world: World, count: number): { removed: string[]; added: string[] } {
  const before = world.state().alb.ips;
  const removed = before.slice(0, count);
  const kept = before.slice(count);
  world.scaleAlb(before.length + count); // adds `count` new IPs
  const grown = world.state().alb.ips;
  const added = grown.filter((ip) => !before.includes(ip));
  world.setAlbIps([...kept, ...added]);
  return { removed: [...removed].sort(), added: [...added].sort() };
}

/** Remove `count` of the current ALB IPs; returns them. */
export function removeAlbIps(world: World, count: number): { removed: string[] } {
  const before = world.state().alb.ips;
  world.setAlbIps(before.slice(count));
  return { removed: [...before.slice(0, count)].sort() };
}

/** Add `count` new IPs to the ALB; returns them. */
export function addAlbIps(world: World, count: number): { added: string[] } {
  const before = world.state().alb.ips;
  const grown = world.scaleAlb(before.length + count);
  return { added: grown.filter((ip) => !before.includes(ip)).sort() };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
