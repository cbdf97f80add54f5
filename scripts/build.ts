/**
 * Bundles the Lambda with esbuild into dist/lambda/index.mjs (ESM, minified, source map) for the deployed
 * runtime (nodejs24.x). The AWS SDK is bundled in, so the function runs exactly the versions the lock file pins
 * and tests exercise, not whatever the runtime happens to ship. Code splitting puts what only ENI mode loads (the
 * EC2 and STS clients, imported dynamically) in `chunk-*.mjs` files beside it, so DNS mode's cold start does not
 * parse them; the package is the whole directory.
 *
 * Then the operator CLI (cli/main.ts) into dist/cli/alb-static-ip.mjs, a separate bundle for Node 20+; the build
 * fails if any file under cli/ reached the Lambda bundle.
 */
import { chmodSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { CLI_BUNDLE, ESBUILD_LAMBDA_OPTIONS, LAMBDA_BUNDLE } from "./lambda-bundle.js";

const dir = dirname(LAMBDA_BUNDLE);
// No stale chunk of an earlier build may end up in the package.
for (const file of (() => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
})()) {
  if (/\.mjs(\.map)?$/.test(file)) rmSync(join(dir, file));
}

const lambda = await build({
  ...ESBUILD_LAMBDA_OPTIONS,
  metafile: true,
  entryPoints: [fileURLToPath(new URL("../lambda/index.ts", import.meta.url))],
  outdir: dir,
  entryNames: "index",
  chunkNames: "chunk-[hash]",
  outExtension: { ".js": ".mjs" },
  splitting: true,
  sourcemap: true,
  sourcesContent: false,
});

const files = readdirSync(dir).filter((f) => f.endsWith(".mjs"));
const raw = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
const gz = files.reduce((n, f) => n + gzipSync(readFileSync(join(dir, f))).length, 0);
const index = statSync(LAMBDA_BUNDLE).size;
console.log(
  `dist/lambda/: ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzip in ${files.length} files (index.mjs ${(index / 1024).toFixed(1)} KiB)`,
);

// The function must never carry the operator CLI (or the local AWS world).
const leaked = Object.keys(lambda.metafile.inputs).filter((input) => /^(cli|sim)\//.test(input));
if (leaked.length > 0) {
  throw new Error(`The Lambda bundle includes ${leaked.join(", ")}; lambda/ must not import cli/ or sim/.`);
}

await build({
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  keepNames: true,
  legalComments: "none",
  mainFields: ["module", "main"],
  // esbuild keeps cli/main.ts's #! line first; CommonJS dependencies call require at run time.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: "warning",
  entryPoints: [fileURLToPath(new URL("../cli/main.ts", import.meta.url))],
  outfile: CLI_BUNDLE,
});
chmodSync(CLI_BUNDLE, 0o755);
console.log(
  `${CLI_BUNDLE.slice(CLI_BUNDLE.indexOf("dist/"))}: ${(statSync(CLI_BUNDLE).size / 1024).toFixed(1)} KiB`,
);
