/**
 * A local AWS world in its own process (`sim/main.ts --json`), so the DNS server answers from the other core
 * and the queries the benchmark times are not slowed by the server sharing their event loop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SimControl } from "../sim/client.js";
import type { WorldInfo } from "../sim/types.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** A world running in a child process. */
export interface SimProcess {
  info: WorldInfo;
  control: SimControl;
  stop(): Promise<void>;
}

/**
 * Start `sim/main.ts --json` with the given CLI flags and wait for its info line (at most 30 s).
 *
 * @example
 * const sim = await startSimProcess(["--latency-dns-ms", "1"]);
 * await sim.control.alb({ count: 28 });
 * await sim.stop();
 */
export async function startSimProcess(flags: readonly string[]): Promise<SimProcess> {
  // One process (node with the tsx loader), so SIGTERM reaches the world directly.
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", `${root}sim/main.ts`, "--json", ...flags],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  // Never leave the world running if the benchmark exits early.
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  const stdout = child.stdout;
  if (!stdout) throw new Error("sim process has no stdout pipe");
  const lines = createInterface({ input: stdout });
  const info = await new Promise<WorldInfo>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("sim/main.ts printed no info line within 30 s")), 30_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as WorldInfo);
      } catch {
        reject(new Error(`sim/main.ts printed ${JSON.stringify(line)} instead of its JSON info line`));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sim/main.ts exited with code ${code} before printing its info line`));
    });
  });
  return {
    info,
    control: new SimControl(info.control),
    async stop() {
      process.off("exit", killOnExit);
      lines.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
