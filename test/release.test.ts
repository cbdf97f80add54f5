/**
 * One version for the function, the construct and the Terraform module: package.json's, the newest release of
 * CHANGELOG.md, and the `?ref=v…` that every usage example pins.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(root, path), "utf8");
const version = (JSON.parse(read("package.json")) as { version: string }).version;

/** Every file a user reads a module source from. */
function usageFiles(): string[] {
  const examples = readdirSync(join(root, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(root, "examples", d.name))
        .filter((f) => f.endsWith(".md") || f.endsWith(".tf"))
        .map((f) => `examples/${d.name}/${f}`),
    );
  const docs = readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`);
  return ["README.md", "modules/terraform/alb-static-ip/README.md", ...docs, ...examples];
}

describe("the release version", () => {
  it("is a semantic version in package.json and package-lock.json", () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect((JSON.parse(read("package-lock.json")) as { version: string }).version).toBe(version);
  });

  it("is the newest release in CHANGELOG.md, with a date and upgrade notes", () => {
    const changelog = read("CHANGELOG.md");
    const releases = [...changelog.matchAll(/^## (\d+\.\d+\.\d+) - (\d{4}-\d{2}-\d{2})$/gm)];
    expect(releases[0]?.[1], "the first release heading of CHANGELOG.md").toBe(version);
    const section = changelog.slice(releases[0]!.index, releases[1]?.index);
    expect(section).toContain("### Upgrade notes");
  });

  it("is the ref every module usage example pins", () => {
    const refs = usageFiles().flatMap((file) =>
      [...read(file).matchAll(/alb-static-ip\/\/modules\/terraform\/alb-static-ip\?ref=([^"`\s)]+)/g)].map(
        (m) => ({ file, ref: m[1] }),
      ),
    );
    expect(refs.length).toBeGreaterThanOrEqual(3);
    expect(refs.filter((r) => r.ref !== `v${version}`)).toEqual([]);
  });
});
