/**
 * Runs the built CLI (dist/cli/alb-static-ip.mjs, from `npm run build`) as a child process, asynchronously so an
 * in-process local AWS world keeps answering it.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { CLI_BUNDLE } from "../../scripts/lambda-bundle.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `alb-static-ip ...args` with exactly `env` (plus PATH); never rejects. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} is missing: run "npm run build" first`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BUNDLE, ...args],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: "/nonexistent",
          AWS_CONFIG_FILE: "/nonexistent/config",
          AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...env,
        },
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A doctor --json report. */
export interface DoctorJson {
  ok: boolean;
  counts: { error: number; warning: number; info: number };
  findings: Array<{ code: string; severity: string; message: string; resource?: string }>;
}
