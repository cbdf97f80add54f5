/**
 * examples/complete (VPC, internal ALB, NLB with Elastic IPs, the module) under real Terraform and moto:
 * apply, run the deployed function against its target group, re-plan, destroy. Test-only patches and moto
 * gaps: harness.ts and scenario.ts (PATCH …, MOTO GAP …).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODULE_DIR } from "../../modules/build/module.js";
import {
  copyTree,
  type Moto,
  motoProviderOverride,
  patchModuleCopy,
  startMoto,
  terraformRunner,
  workspace,
} from "./harness.js";
import { runScenario } from "./scenario.js";
import { findDeployTools } from "./tools.js";

const tools = findDeployTools();
if (tools.missing.length > 0)
  console.warn(`SKIPPED test/deploy/complete.test.ts: missing ${tools.missing.join("; ")}`);

describe.skipIf(tools.missing.length > 0)("examples/complete under real Terraform and moto", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.stop());

  it("applies the VPC, ALB, NLB and module, the deployed code syncs the target group, re-plans empty, destroys clean", async () => {
    // Prepare
    const base = workspace("complete");
    const tf = terraformRunner(tools, base);
    const module = join(base, "modules", "terraform", "alb-static-ip");
    copyTree(MODULE_DIR, module);
    patchModuleCopy(module, tools.awsVersions.at(-1) ?? "");
    const root = join(base, "examples", "complete");
    copyTree(join(MODULE_DIR, "..", "..", "..", "examples", "complete"), root);
    const versions = join(root, "versions.tf");
    // PATCH provider-version, for the example's own constraint as well.
    const { readFileSync } = await import("node:fs");
    writeFileSync(
      versions,
      readFileSync(versions, "utf8").replace('">= 6.19.0"', `">= ${tools.awsVersions.at(-1) ?? ""}"`),
    );
    writeFileSync(join(root, "moto_override.tf"), motoProviderOverride(moto.endpoint));

    // Act
    const report = await runScenario({
      tf,
      moto,
      dir: root,
      scratch: base,
      outputNames: { fn: "function_name", targetGroupArn: "target_group_arn", bucket: "state_bucket_name" },
      // Private subnets of the example's VPC (10.42.10.0/24 and 10.42.11.0/24).
      albIps: ["10.42.10.15", "10.42.11.27"],
      beforeDestroy: [
        "-var=state_bucket_force_destroy=true",
        "-target=module.alb_static_ip.aws_s3_bucket.state",
      ],
      destroyArgs: ["-var=state_bucket_force_destroy=true"],
    });

    // Assess
    console.log(`deploy complete: ${JSON.stringify(report)}`);
    expect(report.resourcesApplied).toBeGreaterThanOrEqual(30);
  }, 600_000);
});
