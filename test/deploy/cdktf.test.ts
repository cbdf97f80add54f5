/**
 * The CDKTF path under real Terraform and moto: `main.ts` synthesized (cdktf.out JSON configuration) with
 * example inputs, applied with the same provider, the deployed function run, re-planned and destroyed.
 * Test-only patches (on the synthesized JSON): PATCH provider-version and PATCH runtime as in harness.ts,
 * PATCH endpoints through a provider override file.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fakeAuth,
  type Moto,
  motoProviderOverride,
  startMoto,
  terraformRunner,
  workspace,
} from "./harness.js";
import { runScenario } from "./scenario.js";
import { findDeployTools } from "./tools.js";

const tools = findDeployTools();
if (tools.missing.length > 0)
  console.warn(`SKIPPED test/deploy/cdktf.test.ts: missing ${tools.missing.join("; ")}`);

const ROOT = join(import.meta.dirname, "..", "..");

/** Creates a VPC in moto (EC2 query API) and returns its id. */
async function createVpc(moto: Moto): Promise<string> {
  const response = await fetch(moto.endpoint, {
    method: "POST",
    headers: { ...fakeAuth("ec2"), "Content-Type": "application/x-www-form-urlencoded" },
    body: "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.7.0.0%2F16",
  });
  const match = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(await response.text());
  if (!match?.[1]) throw new Error("CreateVpc on moto returned no vpcId");
  return match[1];
}

describe.skipIf(tools.missing.length > 0)("the CDKTF app (main.ts) under real Terraform and moto", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.stop());

  it("synthesizes, applies, runs the deployed code, re-plans empty and destroys clean", async () => {
    // Prepare
    const base = workspace("cdktf");
    const vpcId = await createVpc(moto);
    const outdir = join(base, "cdktf.out");
    const synth = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), join(ROOT, "main.ts")],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 120_000,
        env: {
          ...process.env,
          CHECKPOINT_DISABLE: "1",
          CDKTF_OUTDIR: outdir,
          AWS_REGION: "us-east-1",
          ALB_STATIC_IP_ALB_DNS_NAME: "internal-cdktf-alb-1234567890.us-east-1.elb.amazonaws.com",
          ALB_STATIC_IP_LISTENER_PORT: "443",
          ALB_STATIC_IP_VPC_ID: vpcId,
          ALB_STATIC_IP_NAME: "cdktf-static-ip",
        },
      },
    );
    expect(synth.status, synth.stderr).toBe(0);
    const dir = join(outdir, "stacks", "alb-static-ip");
    const configPath = join(dir, "cdk.tf.json");
    const config = JSON.parse(readFileSync(configPath, "utf8")) as {
      terraform: { required_providers: { aws: { version: string } } };
      resource: { aws_lambda_function: Record<string, { runtime: string }> };
    };
    // PATCH provider-version: the bindings pin the provider they were generated from (6.25.0).
    config.terraform.required_providers.aws.version = `>= ${tools.awsVersions.at(-1) ?? ""}`;
    // PATCH runtime: 5.100.0 predates nodejs24.x.
    const functions = Object.values(config.resource.aws_lambda_function);
    expect(functions.map((f) => f.runtime)).toEqual(["nodejs24.x"]);
    for (const f of functions) f.runtime = "nodejs22.x";
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    writeFileSync(join(dir, "moto_override.tf"), motoProviderOverride(moto.endpoint));
    const tf = terraformRunner(tools, base);

    // Act
    const report = await runScenario({
      tf,
      moto,
      dir,
      scratch: base,
      outputNames: { fn: "function_name", targetGroupArn: "target_group_arn", bucket: "state_bucket_name" },
      albIps: ["10.7.1.11", "10.7.2.22"],
      emptyBucketBeforeDestroy: true,
    });

    // Assess
    console.log(`deploy cdktf: ${JSON.stringify(report)}`);
    expect(report.resourcesApplied).toBeGreaterThanOrEqual(19);
  }, 600_000);
});
