/**
 * The module's deployment package (modules/build/zip.ts): the same files give the same bytes, and standard
 * tools read it back.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { zipFiles } from "../../modules/build/zip.js";

describe("the module's deployment package", () => {
  it("is the same bytes for the same files in any order, and a zip that standard tools read back", () => {
    // Prepare
    const files = [
      { name: "index.mjs", data: Buffer.from("export const handler = async () => 1;\n") },
      { name: "index.mjs.map", data: Buffer.from("{}") },
    ];

    // Act
    const a = zipFiles(files);
    const b = zipFiles([...files].reverse());
    const path = join(mkdtempSync(join(tmpdir(), "zip-")), "lambda.zip");
    writeFileSync(path, a);
    const listed = spawnSync(
      "python3",
      [
        "-c",
        `import zipfile,sys;z=zipfile.ZipFile(sys.argv[1]);print(z.testzip(), sorted(z.namelist()), z.read("index.mjs").decode())`,
        path,
      ],
      { encoding: "utf8" },
    );

    // Assess
    expect(a.equals(b)).toBe(true);
    expect(listed.stdout).toContain("None ['index.mjs', 'index.mjs.map'] export const handler");
  });
});
