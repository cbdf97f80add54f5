/**
 * Bundles the Lambda with esbuild into dist/lambda/index.mjs (ESM, minified, source map) for the deployed
 * runtime (nodejs24.x). The AWS SDK is bundled in, so the function runs exactly the versions the lock file pins
 * and tests exercise, not whatever the runtime happens to ship.
 */
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { ESBUILD_LAMBDA_OPTIONS, LAMBDA_BUNDLE } from "./lambda-bundle.js";

await build({
  ...ESBUILD_LAMBDA_OPTIONS,
  entryPoints: [fileURLToPath(new URL("../lambda/index.ts", import.meta.url))],
  outfile: LAMBDA_BUNDLE,
  sourcemap: true,
  sourcesContent: false,
});

const raw = statSync(LAMBDA_BUNDLE).size;
const gz = gzipSync(readFileSync(LAMBDA_BUNDLE)).length;
console.log(`dist/lambda/index.mjs: ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip`);
