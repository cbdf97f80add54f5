/**
 * The committed module (modules/terraform/alb-static-ip) must be exactly what `npm run build:module`
 * produces from the current sources and bundle: rebuild into a temp dir and compare byte for byte.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_LAMBDA_DIR } from "../../modules/alb-static-ip.js";
import { buildModule, MODULE_DIR, ROOT_README, rootReadmeWithTables } from "../../modules/build/module.js";

const STALE =
  "modules/terraform/alb-static-ip is stale: run `npm run build && npm run build:module` and commit the result.";

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

const tmp = mkdtempSync(join(tmpdir(), "alb-static-ip-module-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the committed Terraform module", () => {
  it("is what build:module produces from the current sources and bundle", () => {
    // Prepare
    expect(
      existsSync(join(DEFAULT_LAMBDA_DIR, "index.mjs")),
      "dist/lambda/index.mjs is missing: run `npm run build`",
    ).toBe(true);

    // Act
    const written = buildModule(tmp);

    // Assess
    expect(listFiles(MODULE_DIR), STALE).toEqual(written);
    const differing = written.filter(
      (f) => !readFileSync(join(tmp, f)).equals(readFileSync(join(MODULE_DIR, f))),
    );
    expect(differing, `${STALE} Files that differ: ${differing.join(", ")}`).toEqual([]);
  });

  it("refuses to build without a bundle and says how to make one", () => {
    // Act / Assess
    expect(() => buildModule(join(tmp, "out"), join(tmp, "no-bundle-here"))).toThrow(/npm run build/);
  });

  it("has its inputs and outputs tables in docs/terraform-module.md, as build:module writes them", () => {
    // Prepare
    const readme = readFileSync(ROOT_README, "utf8");

    // Act
    const fresh = rootReadmeWithTables(readme);

    // Assess
    expect(
      readme === fresh,
      "docs/terraform-module.md's module tables are stale: run `npm run build:module`",
    ).toBe(true);
  });
});
