/**
 * Run the world in a child process (`sim/main.ts --json`), for benchmarks and tests that want the
 * simulator off their own event loop. The child is bounded: it is killed if it does not print its
 * info line in time, and `stop()` escalates to SIGKILL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SimControl } from "./client.js";
import type { WorldInfo } from "./types.js";

/** A world running in a child process. */
export interface WorldProcess {
  readonly info: WorldInfo;
  readonly control: SimControl;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Spawn `sim/main.ts --json` with extra CLI flags and wait for its info line.
 *
 * @example
 * const sim = await spawnWorld(["--alb-ips", "40", "--latency-aws-ms", "15"]);
 * await sim.control.alb({ count: 60 });
 * await sim.stop();
 */
export async function spawnWorld(
  flags: readonly string[] = [],
  startTimeoutMs = 20_000,
): Promise<WorldProcess> {
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", main, "--json", ...flags], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const info = await new Promise<WorldInfo>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`sim did not print its info line within ${startTimeoutMs} ms; stderr: ${stderr}`));
    }, startTimeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.slice(0, newline)) as WorldInfo);
      } catch (error) {
        child.kill("SIGKILL");
        reject(
          new Error(
            `sim printed a line that is not JSON (${(error as Error).message}): ${stdout.slice(0, 200)}`,
          ),
        );
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sim exited with code ${code} before printing its info line; stderr: ${stderr}`));
    });
  });
  return {
    info,
    control: new SimControl(info.control),
    pid: child.pid ?? -1,
    stop: (graceMs = 5_000) => stopChild(child, exited, graceMs),
  };
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  graceMs: number,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
