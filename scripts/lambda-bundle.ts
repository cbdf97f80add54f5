/**
 * The one definition of how the Lambda is bundled, and of "build it when it is missing or stale", shared by
 * `npm run build`, `npm start`, `npm run bench`, `npm run synth` and `npm run build:module`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/** dist/lambda/index.mjs */
export const LAMBDA_BUNDLE = join(root, "dist", "lambda", "index.mjs");

/** dist/cli/alb-static-ip.mjs: the operator CLI (package.json `bin`), built by scripts/build.ts. */
export const CLI_BUNDLE = join(root, "dist", "cli", "alb-static-ip.mjs");

/**
 * esbuild settings for the deployed runtime (nodejs24.x): ESM, minified, names kept (error classes set `name`
 * from their constructor), and a `require` for the CommonJS dependencies that call it at run time.
 */
export const ESBUILD_LAMBDA_OPTIONS: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  minify: true,
  keepNames: true,
  legalComments: "none",
  mainFields: ["module", "main"],
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: "warning",
};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs scripts/build.ts when the bundle is missing or older than any file under lambda/; returns its path. */
export function ensureLambdaBundle(log: (line: string) => void = console.error): string {
  const stale =
    !existsSync(LAMBDA_BUNDLE) || statSync(LAMBDA_BUNDLE).mtimeMs < newestMtime(join(root, "lambda"));
  if (!stale) return LAMBDA_BUNDLE;
  log("Building the Lambda bundle (npm run build)…");
  const built = spawnSync(
    process.execPath,
    [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "scripts/build.ts")],
    { cwd: root, stdio: "inherit" },
  );
  if (built.status !== 0 || !existsSync(LAMBDA_BUNDLE)) {
    throw new Error(
      `Building the Lambda bundle failed (exit ${built.status}). Run "npm run build" and fix what it reports.`,
    );
  }
  return LAMBDA_BUNDLE;
}
