/**
 * Bundles the Lambda with esbuild into dist/lambda/index.mjs (ESM, minified, source map) for the deployed
 * runtime (nodejs24.x). The AWS SDK is bundled in, so the function runs exactly the versions the lock file pins
 * and tests exercise, not whatever the runtime happens to ship.
 */

import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outfile = `${root}dist/lambda/index.mjs`;

await build({
  entryPoints: [`${root}lambda/index.ts`],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  minify: true,
  // Error classes set `name` from their constructor; keep it readable in logs.
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: "none",
  mainFields: ["module", "main"],
  // Some CommonJS dependencies call require() at run time; give the ESM bundle one.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: "warning",
});

const raw = statSync(outfile).size;
const gz = gzipSync(readFileSync(outfile)).length;
console.log(`dist/lambda/index.mjs: ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip`);
