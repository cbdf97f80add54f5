/**
 * `plan`, `status`, exit codes and the read-only guarantee of the built CLI, against the local AWS world with the
 * bundled handler making the real runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { guardReadOnly, isReadOperation } from "../../cli/aws/read-only.js";
import { FINDING_CODES } from "../../cli/doctor/findings.js";
import type { RunSummary } from "../../lambda/reconcile.js";
import { LAMBDA_BUNDLE } from "../../scripts/lambda-bundle.js";
import { type FunctionContainer, startFunction } from "../../sim/lambda-runtime.js";
import { startWorld, type World } from "../../sim/world.js";
import { runCli } from "./support.js";

let world: World;
let fn: FunctionContainer | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function functionRun(extra: Record<string, string> = {}): Promise<RunSummary> {
  fn ??= await startFunction({ env: { ...world.env(), INVOCATIONS_BEFORE_DEREGISTRATION: "3", ...extra } });
  const out = await fn.invoke<RunSummary>({});
  if (!out.ok || out.result === undefined) throw new Error(JSON.stringify(out.error));
  return out.result;
}

beforeAll(async () => {
  world = await startWorld({ albIpCount: 6, healthCheckDelayMs: 50, deregistrationDelayMs: 100 });
});
afterEach(async () => {
  await fn?.stop();
  fn = undefined;
  world.reset();
});
afterAll(async () => {
  await world.stop();
});

const env = (): Record<string, string> => ({ ...world.env(), INVOCATIONS_BEFORE_DEREGISTRATION: "3" });

describe("plan", () => {
  it("prints the function's run summary naming what the next run would register and deregister", async () => {
    // Prepare: 6 IPs owned, 3 leave the ALB and miss two complete runs
    await functionRun();
    const before = world.state().alb.ips;
    world.scaleAlb(3);
    await sleep(120);
    await functionRun();
    await functionRun();
    world.setAlbIps([...world.state().alb.ips, "10.0.77.7"]);

    // Act
    const run = await runCli(["plan", "--json"], env());

    // Assess: the shape of the function's own summary, the planned changes named
    const summary = JSON.parse(run.stdout) as RunSummary;
    const real = await functionRun({ DRY_RUN: "true" });
    // The handler adds only how it was invoked (`trigger`) to reconcile()'s summary.
    expect(Object.keys(summary).sort()).toEqual(
      Object.keys(real)
        .filter((k) => k !== "trigger")
        .sort(),
    );
    expect(Object.keys(summary.targetGroups[0]!).sort()).toEqual(Object.keys(real.targetGroups[0]!).sort());
    expect(summary.dryRun).toBe(true);
    expect(summary.targetGroups[0]?.registered).toEqual(["10.0.77.7"]);
    expect(summary.targetGroups[0]?.deregistered.sort()).toEqual(
      before.filter((ip) => !world.state().alb.ips.includes(ip)).sort(),
    );
    expect(run.code).toBe(0);
  });

  it("shows the plan as a table, holds with their reasons", async () => {
    await functionRun();
    const text = await runCli(["plan", "--quiet"], env());
    expect(text.stdout).toMatch(/dry run: nothing was changed/);
    expect(text.stdout).toMatch(/register\s+0/);
    expect(text.stderr).toBe("");
  });
});

describe("status", () => {
  it("decodes each state against the NLB: owned, misses, health, why held, last complete run", async () => {
    // Prepare: a run, then one IP leaves the ALB (a miss)
    await functionRun();
    const [gone, ...kept] = world.state().alb.ips;
    world.setAlbIps(kept);
    await functionRun();

    // Act
    const run = await runCli(["status", "--json"], env());

    // Assess
    const report = JSON.parse(run.stdout) as {
      targetGroups: Array<{
        targetGroupArn: string;
        port: number;
        lastCompleteRun?: string;
        targets: Array<{
          ip: string;
          owned: boolean;
          misses: number;
          health?: { state: string; reason?: string };
          held: Array<{ code: string }>;
        }>;
      }>;
    };
    const pair = report.targetGroups[0]!;
    expect(pair.targetGroupArn).toBe(world.info.targetGroupArn);
    expect(pair.port).toBe(443);
    // A one-minute metric period: the newest complete run's minute.
    expect(Date.parse(pair.lastCompleteRun ?? "")).toBeGreaterThan(Date.now() - 120_000);
    const missing = pair.targets.find((t) => t.ip === gone);
    expect(missing).toMatchObject({ owned: true, misses: 1, held: [{ code: "target_missing" }] });
    for (const ip of kept)
      expect(pair.targets.find((t) => t.ip === ip)).toMatchObject({ owned: true, misses: 0, held: [] });
    expect(run.code).toBe(0);
  });

  it("names an unowned target and why it stays", async () => {
    await functionRun();
    const elbv2 = new ElasticLoadBalancingV2Client({
      endpoint: world.info.endpoints.elbv2,
      region: "us-east-1",
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
    });
    const { RegisterTargetsCommand } = await import("@aws-sdk/client-elastic-load-balancing-v2");
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: world.info.targetGroupArn,
        Targets: [{ Id: "10.0.0.250", Port: 443 }],
      }),
    );
    const run = await runCli(["status", "--json"], env());
    const report = JSON.parse(run.stdout) as {
      targetGroups: Array<{
        targets: Array<{ ip: string; owned: boolean; held: Array<{ code: string; message: string }> }>;
      }>;
    };
    const stranger = report.targetGroups[0]?.targets.find((t) => t.ip === "10.0.0.250");
    expect(stranger?.owned).toBe(false);
    expect(stranger?.held[0]?.code).toBe("target_unowned");
    const table = await runCli(["status"], env());
    expect(table.stdout).toMatch(/10\.0\.0\.250\s+no\s+0/);
  });
});

describe("read-only, structurally", () => {
  it("sends only reads across doctor, plan and status (every request the sim received is recorded)", async () => {
    // Prepare: real state and metrics from the function
    await functionRun();
    world.setAlbIps(world.state().alb.ips.slice(1));
    await functionRun();
    await fn?.stop();
    fn = undefined;
    const before = world.state().requests;

    // Act
    for (const command of ["doctor", "plan", "status"]) {
      const run = await runCli([command, "--json", "--function-name", "alb-static-ip"], world.env());
      expect(run.code, `${command}: ${run.stderr}`).toBe(0);
    }

    // Assess
    const after = world.state().requests;
    const sent = Object.entries(after)
      .filter(([api, n]) => api !== "dns" && n > (before[api] ?? 0))
      .map(([api]) => api);
    expect(sent.length).toBeGreaterThan(10);
    for (const api of sent) expect(isReadOperation(api.split(":")[1] ?? ""), api).toBe(true);
    for (const write of [
      "elbv2:RegisterTargets",
      "elbv2:DeregisterTargets",
      "s3:PutObject",
      "cloudwatch:PutMetricData",
    ]) {
      expect(after[write] ?? 0, write).toBe(before[write] ?? 0);
    }
  });

  it("refuses a write in the client before anything is sent", async () => {
    const client = guardReadOnly(
      new ElasticLoadBalancingV2Client({
        endpoint: world.info.endpoints.elbv2,
        region: "us-east-1",
        credentials: { accessKeyId: "t", secretAccessKey: "t" },
      }),
    );
    const before = world.state().requests["elbv2:DeregisterTargets"] ?? 0;
    await expect(
      client.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: world.info.targetGroupArn,
          Targets: [{ Id: "10.0.0.1", Port: 443 }],
        }),
      ),
    ).rejects.toThrow(/refused to send DeregisterTargets/);
    expect(world.state().requests["elbv2:DeregisterTargets"] ?? 0).toBe(before);
  });

  it.each([
    ["DescribeTargetHealth", true],
    ["GetObject", true],
    ["ListRuleNamesByTarget", true],
    ["HeadBucket", true],
    ["SimulatePrincipalPolicy", true],
    ["RegisterTargets", false],
    ["PutObject", false],
    ["PutMetricData", false],
    ["Getaway", false],
    ["DeleteObject", false],
  ] as const)("classifies %s as read: %s", (operation, read) => {
    expect(isReadOperation(operation)).toBe(read);
  });

  it("lists every doctor finding code in the README", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const code of Object.keys(FINDING_CODES)) expect(readme, code).toContain(`| \`${code}\` |`);
  });

  it("keeps the CLI out of the Lambda bundle", () => {
    const dir = join(LAMBDA_BUNDLE, "..");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".mjs"))) {
      expect(readFileSync(join(dir, file), "utf8"), file).not.toMatch(/refused to send|alb-static-ip doctor/);
    }
  });
});

describe("exit codes and output", () => {
  it("exits 2 on a usage error, naming it", async () => {
    const run = await runCli(["plan", "--frobnicate"], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/usage error: .*--frobnicate/);
    expect(run.stdout).toBe("");
  });

  it("exits 2 on a credential failure, saying so", async () => {
    const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...noCredentials } = env();
    const run = await runCli(["status"], noCredentials);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/credential failure: No usable AWS credentials/);
  });

  it("exits 2 when --function-name names no function, and when plan's config is invalid", async () => {
    const missing = await runCli(["doctor", "--function-name", "nope"], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Function nope does not exist in us-east-1/);
    const bad = await runCli(["plan", "--env", "S3_BUCKET=Bad_Bucket"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/S3_BUCKET: got "Bad_Bucket"/);
  });

  it("prints --help per command, and plain text (no colour) when stdout is not a terminal", async () => {
    for (const command of ["doctor", "plan", "status"]) {
      const help = await runCli([command, "--help"], {});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: alb-static-ip ${command}`));
    }
    const text = await runCli(["doctor"], env());
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for colour codes
    expect(text.stdout).not.toMatch(/\u001b\[/);
    expect(text.stdout).toMatch(/SEVERITY\s+CODE\s+MESSAGE/);
  });
});
