// A one-container Lambda emulator: imports the bundled handler once (cold start, with the environment the parent
// gave), then runs invocations sent over IPC with a Lambda-like context. Log lines written to stdout during an
// invocation (stdout and stderr) are captured and returned with its result, like CloudWatch Logs for that request.
import { pathToFileURL } from "node:url";

const captured = [];
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    captured.push(String(chunk));
    if (process.env.LAMBDA_ECHO_LOGS === "1") return write(chunk, ...rest);
    const cb = rest.find((r) => typeof r === "function");
    if (cb) cb();
    return true;
  };
}

function drainLogs() {
  const text = captured.splice(0).join("");
  return text.split("\n").filter((l) => l.length > 0);
}

let handler;
const started = performance.now();
try {
  const mod = await import(pathToFileURL(process.argv[2]).href);
  handler = mod.handler;
  if (typeof handler !== "function") throw new Error(`${process.argv[2]} does not export a handler function`);
  process.send({
    type: "ready",
    initMs: performance.now() - started,
    nodeVersion: process.version,
    logs: drainLogs(),
  });
} catch (error) {
  process.send({
    type: "init-error",
    name: error?.name,
    message: String(error?.message ?? error),
    logs: drainLogs(),
  });
  process.exit(1);
}

let sequence = 0;
process.on("message", async (msg) => {
  if (msg.type !== "invoke") return;
  sequence += 1;
  const deadline = Date.now() + msg.timeoutMs;
  const context = {
    functionName: "alb-static-ip",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:alb-static-ip",
    memoryLimitInMB: "256",
    awsRequestId: `local-${process.pid}-${sequence}`,
    logGroupName: "/aws/lambda/alb-static-ip",
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  const t0 = performance.now();
  try {
    const result = await handler(msg.event, context);
    process.send({
      type: "result",
      id: msg.id,
      ok: true,
      result,
      durationMs: performance.now() - t0,
      logs: drainLogs(),
    });
  } catch (error) {
    process.send({
      type: "result",
      id: msg.id,
      ok: false,
      error: { name: error?.name, message: String(error?.message ?? error), code: error?.code },
      durationMs: performance.now() - t0,
      logs: drainLogs(),
    });
  }
});
