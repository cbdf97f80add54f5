/**
 * Runs the bundled handler the way Lambda does: one process per container, the module imported once with the
 * function's environment (so config validation at cold start is real), then invocations with a context whose
 * getRemainingTimeInMillis() counts down from the function timeout. Like Lambda's log delivery, it sends what the
 * function wrote to stdout to CloudWatch Logs (`PutLogEvents` to `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` when the
 * environment names one, as a world's does) before the invocation returns, so the EMF metrics in those lines are
 * in the world when the caller looks.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PUT_LOG_EVENTS_TARGET } from "./logs-emf.js";
import { RUNTIME_NODE_ENV } from "./runtime-node.js";

export interface InvokeResult<T = unknown> {
  ok: boolean;
  result?: T;
  error?: { name?: string; message: string; code?: string };
  durationMs: number;
  /** Lines the invocation wrote to stdout (the structured log lines). */
  logs: string[];
}

export interface FunctionContainer {
  /** Time the module import took. */
  readonly initMs: number;
  /** The Node.js version the container runs (`process.version` of its process). */
  readonly nodeVersion: string;
  readonly initLogs: string[];
  invoke<T = unknown>(event?: unknown, options?: { timeoutMs?: number }): Promise<InvokeResult<T>>;
  stop(): Promise<void>;
}

export class InitError extends Error {
  readonly logs: string[];
  constructor(message: string, logs: string[]) {
    super(message);
    this.name = "InitError";
    this.logs = logs;
  }
}

const CHILD = fileURLToPath(new URL("./lambda-child.mjs", import.meta.url));
export const DEFAULT_BUNDLE = fileURLToPath(new URL("../dist/lambda/index.mjs", import.meta.url));

interface ChildMessage {
  type: "ready" | "init-error" | "result";
  id?: number;
  initMs?: number;
  nodeVersion?: string;
  name?: string;
  message?: string;
  logs: string[];
  ok?: boolean;
  result?: unknown;
  error?: { name?: string; message: string; code?: string };
  durationMs?: number;
}

/**
 * Starts a container for `bundle` with exactly `env` (plus PATH) as its environment. Rejects with InitError on a
 * failed init. It runs on `execPath`, else on the runtime's Node that the test runner found
 * (`sim/runtime-node.ts`, handed over in ALB_STATIC_IP_RUNTIME_NODE), else on this process's Node.
 */
export async function startFunction(options: {
  env: Record<string, string>;
  bundle?: string;
  timeoutMs?: number;
  execPath?: string;
}): Promise<FunctionContainer> {
  const child: ChildProcess = fork(CHILD, [options.bundle ?? DEFAULT_BUNDLE], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_OPTIONS: "--enable-source-maps",
      // Where the bundle falls back to the toolchain's Node 20, the SDK would warn at every start.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...options.env,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [],
    execPath: options.execPath ?? (process.env[RUNTIME_NODE_ENV] || process.execPath),
  });
  const defaultTimeout = options.timeoutMs ?? 50_000;
  const pending = new Map<number, (m: ChildMessage) => void | Promise<void>>();
  let nextId = 1;

  const first = await new Promise<ChildMessage>((resolve, reject) => {
    child.once("message", (m) => resolve(m as ChildMessage));
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new InitError(`function process exited with code ${code} during init`, [])),
    );
  });
  if (first.type === "init-error") {
    await new Promise((r) => child.once("exit", r));
    throw new InitError(first.message ?? "init failed", first.logs);
  }
  const deliver = logDelivery(options.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS);
  await deliver(first.logs);
  child.removeAllListeners("exit");
  child.on("message", (raw) => {
    const m = raw as ChildMessage;
    if (m.type === "result" && m.id !== undefined) {
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    }
  });
  child.on("exit", () => {
    for (const resolve of pending.values()) {
      resolve({
        type: "result",
        ok: false,
        error: { message: "function process exited" },
        logs: [],
        durationMs: 0,
      });
    }
    pending.clear();
  });

  return {
    initMs: first.initMs ?? 0,
    nodeVersion: first.nodeVersion ?? "unknown",
    initLogs: first.logs,
    invoke<T>(event: unknown = {}, invokeOptions: { timeoutMs?: number } = {}) {
      const id = nextId++;
      const timeoutMs = invokeOptions.timeoutMs ?? defaultTimeout;
      return new Promise<InvokeResult<T>>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({
            ok: false,
            error: { name: "TimeoutError", message: `Task timed out after ${timeoutMs} ms` },
            durationMs: timeoutMs,
            logs: [],
          });
        }, timeoutMs + 1_000);
        pending.set(id, async (m) => {
          clearTimeout(timer);
          await deliver(m.logs);
          resolve({
            ok: m.ok ?? false,
            result: m.result as T,
            error: m.error,
            durationMs: m.durationMs ?? 0,
            logs: m.logs,
          });
        });
        child.send({ type: "invoke", id, event, timeoutMs });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Lambda's log delivery: the lines go to CloudWatch Logs as one `PutLogEvents` (no credentials: the platform's, not
 * the function's role). A failed delivery loses those lines' metrics, as a full log pipeline would, and says so.
 */
function logDelivery(endpoint: string | undefined): (lines: readonly string[]) => Promise<void> {
  if (!endpoint) return async () => {};
  return async (lines) => {
    if (lines.length === 0) return;
    const now = Date.now();
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": PUT_LOG_EVENTS_TARGET,
        },
        body: JSON.stringify({
          logGroupName: "/aws/lambda/alb-static-ip",
          logStreamName: "sim",
          logEvents: lines.map((message) => ({ timestamp: now, message })),
        }),
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      if (!res.ok) process.stderr.write(`log delivery to ${endpoint} answered HTTP ${res.status}\n`);
    } catch (error) {
      process.stderr.write(`log delivery to ${endpoint} failed: ${(error as Error).message}\n`);
    }
  };
}
