/**
 * The README is for users: it must document every configuration variable the function reads and every npm
 * script it tells them to run.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../lambda/config/index.js";
import { DISCOVERY_INPUTS } from "../modules/inputs/discovery.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  scripts: Record<string, string>;
};

describe("README", () => {
  const variables = [
    "ALB_DNS_NAME",
    "ALB_LISTENER",
    "S3_BUCKET",
    "NLB_TG_ARN",
    "TARGET_GROUPS",
    "ALLOWED_TARGET_CIDRS",
    "ALB_ARN",
    "ALB_VPC_ID",
    "ALB_ROLE_ARN",
    "ALB_ROLE_EXTERNAL_ID",
    ...Object.keys(CONFIG_DEFAULTS),
  ];

  it.each(variables)("documents %s in the configuration table with its default", (name) => {
    const row = readme.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row, `README has no table row for ${name}`).toBeDefined();
    const fallback = (CONFIG_DEFAULTS as Record<string, unknown>)[name];
    const shown =
      typeof fallback === "number" && fallback < 0.001 ? fallback.toExponential() : String(fallback);
    if (fallback !== undefined) expect(row).toContain(`\`${shown}\``);
  });

  it.each([...Object.values(DISCOVERY_INPUTS).map((i) => i.variable), "discovery_mode", "alb_arn"])(
    "documents the module input %s in the discovery inputs table",
    (name) => {
      expect(readme.split("\n").some((line) => line.startsWith(`| \`${name}\` |`))).toBe(true);
    },
  );

  it("shows the two commands users run on a fresh machine", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm test");
  });

  it("only mentions npm scripts that exist", () => {
    const mentioned = [...readme.matchAll(/npm run (?:-s )?([a-z:]+)/g)].map((m) => m[1]!);
    for (const script of new Set(mentioned)) expect(Object.keys(pkg.scripts)).toContain(script);
  });
});
