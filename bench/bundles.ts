/**
 * The bundles the benchmarks run: our Lambda bundle (rebuilt by `npm run build` when missing or older than
 * lambda/), the baseline handler, and two SDK-only bundles for the cold start comparison, all made with the
 * same esbuild settings as scripts/build.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";
import { DEFAULT_BUNDLE } from "../sim/lambda-runtime.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Where the benchmark bundles go (ignored by git with the rest of dist/). */
export const BENCH_DIST = join(root, "dist", "bench");
export const LAMBDA_BUNDLE = DEFAULT_BUNDLE;
export const BASELINE_BUNDLE = join(BENCH_DIST, "baseline.mjs");
/** The three SDK clients imported, nothing else. */
export const SDK_IMPORT_BUNDLE = join(BENCH_DIST, "sdk-import.mjs");
/** The three SDK clients imported and constructed with our options (our handler constructs them at import). */
export const SDK_CLIENTS_BUNDLE = join(BENCH_DIST, "sdk-clients.mjs");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Same settings as scripts/build.ts, so sizes and import times compare like for like. */
const ESBUILD_COMMON: BuildOptions = {
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

const SDK_IMPORT_SOURCE = `
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
export { CloudWatchClient, ElasticLoadBalancingV2Client, S3Client };
`;

const SDK_CLIENTS_SOURCE = `
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
const common = { maxAttempts: 3, retryMode: "standard",
  requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true } };
export const clients = {
  elbv2: new ElasticLoadBalancingV2Client(common),
  s3: new S3Client({ ...common, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" }),
  cloudwatch: new CloudWatchClient(common),
};
`;

/** Run `npm run build` when dist/lambda/index.mjs is missing or older than any file under lambda/. */
export function ensureLambdaBundle(log: (line: string) => void): void {
  const stale =
    !existsSync(LAMBDA_BUNDLE) || statSync(LAMBDA_BUNDLE).mtimeMs < newestMtime(join(root, "lambda"));
  if (!stale) return;
  log("Building the Lambda bundle (npm run build)…");
  const built = spawnSync(
    process.execPath,
    [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "scripts/build.ts")],
    { stdio: "inherit" },
  );
  if (built.status !== 0) {
    throw new Error(
      `npm run build failed with exit code ${built.status}; fix the build, then rerun npm run bench`,
    );
  }
}

/** Build the baseline handler and the two SDK-only bundles into dist/bench/. */
export async function buildBenchBundles(): Promise<void> {
  await build({
    ...ESBUILD_COMMON,
    entryPoints: [join(root, "bench/baseline-handler.ts")],
    outfile: BASELINE_BUNDLE,
  });
  await build({
    ...ESBUILD_COMMON,
    stdin: { contents: SDK_IMPORT_SOURCE, resolveDir: root, loader: "js", sourcefile: "sdk-import.js" },
    outfile: SDK_IMPORT_BUNDLE,
  });
  await build({
    ...ESBUILD_COMMON,
    stdin: { contents: SDK_CLIENTS_SOURCE, resolveDir: root, loader: "js", sourcefile: "sdk-clients.js" },
    outfile: SDK_CLIENTS_BUNDLE,
  });
}
