/**
 * The users' CI workflow parses, only calls npm scripts that exist, assumes AWS roles through OIDC (no keys),
 * plans on pull requests and applies on main behind an environment approval.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INPUT_SOURCES } from "../../main.js";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}

interface Workflow {
  on: Record<string, { branches?: string[] } | null>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

const ROOT = join(import.meta.dirname, "..", "..");
let text: string;
let workflow: Workflow;
let scripts: Record<string, string>;

beforeAll(() => {
  text = readFileSync(join(ROOT, ".github", "workflows", "terraform.yml"), "utf8");
  workflow = parse(text) as Workflow;
  scripts = (
    JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
});

const steps = (): Step[] => Object.values(workflow.jobs).flatMap((j) => j.steps);
const runs = (): string[] => steps().flatMap((s) => (s.run === undefined ? [] : [s.run]));

describe("the terraform workflow", () => {
  it("runs on pull requests and on pushes to main", () => {
    // Assess
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(workflow.on.push?.branches).toEqual(["main"]);
  });

  it("only calls npm scripts that exist in package.json", () => {
    // Act
    const called = runs().flatMap((r) => [...r.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1] as string));
    const otherNpm = runs().flatMap((r) =>
      [...r.matchAll(/\bnpm (?!run\b)(\S+)/g)].map((m) => m[1] as string),
    );

    // Assess
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((s) => !(s in scripts))).toEqual([]);
    expect([...new Set(otherNpm)].sort()).toEqual(["ci", "test"]);
  });

  it("tests, synthesizes and plans on pull requests", () => {
    // Act
    const plan = workflow.jobs.plan as Job;

    // Assess
    expect(plan.if).toBe("github.event_name == 'pull_request'");
    expect(plan.needs).toBe("test");
    expect(runs().some((r) => r === "npm test")).toBe(true);
    expect(plan.steps.map((s) => s.run ?? "")).toEqual(
      expect.arrayContaining([
        "npm run synth",
        expect.stringMatching(/^terraform -chdir="\$STACK_DIR" plan /),
      ]),
    );
  });

  it("applies only on main, after approval of the production environment", () => {
    // Act
    const apply = workflow.jobs.apply as Job;

    // Assess
    expect(apply.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(apply.environment).toBe("production");
    expect(apply.steps.some((s) => /terraform .* apply /.test(s.run ?? ""))).toBe(true);
    const others = Object.entries(workflow.jobs).filter(([name]) => name !== "apply");
    expect(others.some(([, job]) => job.steps.some((s) => /\bapply\b/.test(s.run ?? "")))).toBe(false);
  });

  it("gets AWS credentials by OIDC role assumption only, and grants id-token only where needed", () => {
    // Act
    const aws = steps().filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"));
    const withIdToken = Object.entries(workflow.jobs)
      .filter(([, job]) => job.permissions?.["id-token"] === "write")
      .map(([name]) => name);

    // Assess
    expect(aws).toHaveLength(2);
    for (const step of aws) {
      expect(step.with?.["role-to-assume"]).toMatch(/^\$\{\{ vars\.AWS_(PLAN|APPLY)_ROLE_ARN \}\}$/);
      expect(Object.keys(step.with ?? {}).filter((k) => /access-key|secret|session-token/.test(k))).toEqual(
        [],
      );
    }
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(withIdToken.sort()).toEqual(["apply", "plan"]);
  });

  it("contains no AWS keys or secrets", () => {
    // Assess
    expect(text).not.toMatch(
      /AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|aws_access_key_id|aws_secret_access_key|AWS_SECRET|secrets\./i,
    );
  });

  it("feeds the app only inputs it reads, and plans the stack the app synthesizes", () => {
    // Act
    const inputs = Object.keys(workflow.env).filter(
      (k) => k.startsWith("ALB_STATIC_IP_") && k !== "ALB_STATIC_IP_REQUIRE_INPUTS",
    );

    // Assess
    expect(inputs.filter((k) => !(Object.values(INPUT_SOURCES) as string[]).includes(k))).toEqual([]);
    expect(workflow.env.ALB_STATIC_IP_REQUIRE_INPUTS).toBe("true");
    expect(workflow.env.STACK_DIR).toBe("cdktf.out/stacks/alb-static-ip");
  });
});
