/**
 * The bundles the benchmarks run: our Lambda bundle (rebuilt by `npm run build` when missing or older than
 * lambda/), the baseline handler, and two SDK-only bundles for the cold start comparison, all made with the
 * same esbuild settings as scripts/build.ts.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ESBUILD_LAMBDA_OPTIONS } from "../scripts/lambda-bundle.js";
import { DEFAULT_BUNDLE } from "../sim/lambda-runtime.js";

/** Builds dist/lambda/index.mjs when it is missing or older than lambda/. */
export { ensureLambdaBundle } from "../scripts/lambda-bundle.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Where the benchmark bundles go (ignored by git with the rest of dist/). */
export const BENCH_DIST = join(root, "dist", "bench");
export const LAMBDA_BUNDLE = DEFAULT_BUNDLE;
export const BASELINE_BUNDLE = join(BENCH_DIST, "baseline.mjs");
/** The SDK clients our bundle carries in DNS mode (ELBv2, S3) imported, nothing else. */
export const SDK_IMPORT_BUNDLE = join(BENCH_DIST, "sdk-import.mjs");
/** The same clients imported and constructed with our options (our handler constructs them at import). */
export const SDK_CLIENTS_BUNDLE = join(BENCH_DIST, "sdk-clients.mjs");

const SDK_IMPORT_SOURCE = `
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
export { ElasticLoadBalancingV2Client, S3Client };
`;

const SDK_CLIENTS_SOURCE = `
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
const common = { maxAttempts: 3, retryMode: "standard",
  requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true } };
export const clients = {
  elbv2: new ElasticLoadBalancingV2Client(common),
  s3: new S3Client({ ...common, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" }),
};
`;

/** Build the baseline handler and the two SDK-only bundles into dist/bench/, with the Lambda's esbuild settings so
 * sizes and import times compare like for like. */
export async function buildBenchBundles(): Promise<void> {
  await build({
    ...ESBUILD_LAMBDA_OPTIONS,
    entryPoints: [join(root, "bench/baseline-handler.ts")],
    outfile: BASELINE_BUNDLE,
  });
  await build({
    ...ESBUILD_LAMBDA_OPTIONS,
    stdin: { contents: SDK_IMPORT_SOURCE, resolveDir: root, loader: "js", sourcefile: "sdk-import.js" },
    outfile: SDK_IMPORT_BUNDLE,
  });
  await build({
    ...ESBUILD_LAMBDA_OPTIONS,
    stdin: { contents: SDK_CLIENTS_SOURCE, resolveDir: root, loader: "js", sourcefile: "sdk-clients.js" },
    outfile: SDK_CLIENTS_BUNDLE,
  });
}
