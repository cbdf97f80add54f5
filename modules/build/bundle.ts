/**
 * Makes sure the Lambda bundle exists before a synth or module build, so both work on a fresh clone:
 * when `dist/lambda/index.mjs` is missing, runs the project's own build (`scripts/build.ts`, esbuild,
 * offline) once.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_LAMBDA_DIR } from "../alb-static-ip.js";

const REPO_ROOT = join(import.meta.dirname, "..", "..");

/** Builds the bundle into `dir` (the default one only) when it is missing; returns `dir`. */
export function ensureBundle(dir: string = DEFAULT_LAMBDA_DIR): string {
  if (existsSync(join(dir, "index.mjs"))) return dir;
  if (resolve(dir) !== resolve(DEFAULT_LAMBDA_DIR)) {
    throw new Error(`No Lambda bundle in ${dir}: expected ${join(dir, "index.mjs")}.`);
  }
  console.error("dist/lambda/index.mjs is missing: running the build (scripts/build.ts) first…");
  const result = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts", "build.ts")], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  if (result.status !== 0 || !existsSync(join(dir, "index.mjs"))) {
    throw new Error(
      `Building the Lambda bundle failed (exit ${result.status}). Run "npm run build" and fix what it reports.`,
    );
  }
  return dir;
}
