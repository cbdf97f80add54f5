/**
 * `npm run build:module [-- --out <dir>] [--bundle <dir>]`: writes the plain Terraform module synthesized
 * from the AlbStaticIp construct (default: modules/terraform/alb-static-ip, with the bundle from dist/lambda).
 * Deterministic: the same sources and bundle give byte-identical files.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_LAMBDA_DIR } from "../modules/alb-static-ip.js";
import { ensureBundle } from "../modules/build/bundle.js";
import { buildModule, MODULE_DIR, ROOT_README, rootReadmeWithTables } from "../modules/build/module.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: MODULE_DIR },
    bundle: { type: "string", default: DEFAULT_LAMBDA_DIR },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(
    "Usage: npm run build:module [-- --out <dir>] [--bundle <dir with index.mjs and index.mjs.map>]",
  );
  process.exit(0);
}

try {
  const outDir = resolve(values.out);
  // On a fresh clone the bundle does not exist yet: build it (offline, esbuild) first.
  const bundleDir = ensureBundle(resolve(values.bundle));
  const written = buildModule(outDir, bundleDir);
  console.log(`Terraform module written to ${outDir}: ${written.join(", ")}`);
  if (outDir === resolve(MODULE_DIR)) {
    writeFileSync(ROOT_README, rootReadmeWithTables());
    console.log("docs/terraform-module.md: the module's inputs and outputs tables updated");
  }
} catch (error) {
  console.error(`build:module failed: ${(error as Error).message}`);
  process.exit(1);
}
