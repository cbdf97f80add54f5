/**
 * Makes sure the Lambda bundle exists before a synth or module build, so both work on a fresh clone:
 * when `dist/lambda/index.mjs` is missing or older than lambda/, runs the project's own build
 * (`scripts/build.ts`, esbuild, offline) once.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureLambdaBundle } from "../../scripts/lambda-bundle.js";
import { DEFAULT_LAMBDA_DIR } from "../props.js";

/** Builds the default bundle when it is missing or stale (a custom `dir` must already hold one); returns `dir`. */
export function ensureBundle(dir: string = DEFAULT_LAMBDA_DIR): string {
  if (resolve(dir) === resolve(DEFAULT_LAMBDA_DIR)) {
    ensureLambdaBundle();
    return dir;
  }
  if (!existsSync(join(dir, "index.mjs"))) {
    throw new Error(`No Lambda bundle in ${dir}: expected ${join(dir, "index.mjs")}.`);
  }
  return dir;
}
