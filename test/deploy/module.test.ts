/**
 * Real Terraform (hashicorp/aws from the local mirror) applies the committed module with its defaults to
 * moto, the deployed code runs against what it created, a second plan is empty and destroy leaves nothing.
 * Skips, with one line, where terraform, the mirror or moto is missing. Test-only patches and moto gaps are
 * named in harness.ts and scenario.ts (PATCH …, MOTO GAP …); anything else fails.
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
const ALB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef";
if (tools.missing.length > 0)
  console.warn(`SKIPPED test/deploy/module.test.ts: missing ${tools.missing.join("; ")}`);

describe.skipIf(tools.missing.length > 0)("the Terraform module under real Terraform and moto", () => {
  let moto: Moto;
  let base: string;
  beforeAll(async () => {
    moto = await startMoto();
    base = workspace("module");
  });
  afterAll(() => moto?.stop());

  it("is formatted as terraform fmt writes it, module and examples", () => {
    // Prepare
    const tf = terraformRunner(tools, workspace("fmt"));

    // Act
    const result = tf(join(MODULE_DIR, "..", "..", ".."), [
      "fmt",
      "-check",
      "-recursive",
      "-diff",
      "-no-color",
      "modules/terraform",
      "examples",
    ]);

    // Assess
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  /** Plans the precondition fixture with `vars` (one initialised copy, shared: plans keep no state). */
  let fixtureRoot: string | undefined;
  const planFixture = (vars: readonly string[]) => {
    const dir = workspace("preconditions");
    const tf = terraformRunner(tools, dir);
    if (fixtureRoot === undefined) {
      const module = join(dir, "alb-static-ip");
      copyTree(MODULE_DIR, module);
      patchModuleCopy(module, tools.awsVersions.at(-1) ?? "");
      fixtureRoot = join(dir, "root");
      copyTree(join(import.meta.dirname, "fixtures", "module-preconditions"), fixtureRoot);
      writeFileSync(join(fixtureRoot, "moto_override.tf"), motoProviderOverride(moto.endpoint));
      expect(tf(fixtureRoot, ["init", "-input=false", "-no-color"]).status).toBe(0);
    }
    return tf(fixtureRoot, ["plan", "-input=false", "-no-color", ...vars]);
  };

  it.each([
    [["-var=create_state_bucket=false"], "state_bucket_name is required when create_state_bucket is false."],
    [["-var=create_target_group=false"], "target_group_arn is required when create_target_group is false."],
    [
      [
        "-var=target_group_arn=arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef",
      ],
      "target_group_arn is set but create_target_group is true",
    ],
    [["-var=create_role=false"], "role_arn is required when create_role is false."],
    [["-var=role_arn=arn:aws:iam::123456789012:role/given"], "role_arn is set but create_role is true"],
    [["-var=create_log_group=false"], "log_group_name is required when create_log_group is false."],
    [
      ["-var=event_driven=true", `-var=alb_arn=${ALB_ARN}`],
      'event_driven = true needs discovery_mode = "eni": a DNS run cannot see a new interface yet',
    ],
    [["-var=timeout=40"], "timeout must be at least 41 s to make a change and record it"],
    [
      ["-var=timeout=22", "-var=aws_request_timeout_ms=2000"],
      "timeout must be at least 23 s to make a change and record it",
    ],
    [
      ["-var=timeout=900", "-var=aws_max_attempts=10", "-var=aws_request_timeout_ms=60000"],
      "timeout must be at least 1239 s",
    ],
  ])(
    "plan with %j stops at the precondition that says what is wrong",
    (vars, message) => {
      // Act
      const result = planFixture(vars);

      // Assess
      expect(result.status).not.toBe(0);
      const text = result.stderr.replace(/\s*│\s*/g, " ").replace(/\s+/g, " ");
      expect(text).toContain(message);
      expect(text).not.toContain("Invalid template interpolation value");
      expect(text).not.toContain("Invalid function argument");
    },
    120_000,
  );

  it("plans the interface event rule with event_driven = true in eni mode", () => {
    // Act
    const result = planFixture([
      "-var=event_driven=true",
      "-var=discovery_mode=eni",
      `-var=alb_arn=${ALB_ARN}`,
    ]);

    // Assess
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("aws_cloudwatch_event_rule.interface_events[0] will be created");
    expect(result.stdout).toContain(
      "aws_cloudwatch_metric_alarm.interfaces_not_elb_managed[0] will be created",
    );
  }, 120_000);

  it("plans a function timeout that holds a change and its record, and CLEANUP_UNSERVED_PORTS only when asked", () => {
    // Prepare: a given bucket and target group, so that the function's environment is known at plan time.
    const given = [
      "-var=create_state_bucket=false",
      "-var=state_bucket_name=given-state-bucket",
      "-var=create_target_group=false",
      "-var=target_group_arn=arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef",
    ];

    // Act
    const shorter = planFixture([...given, "-var=timeout=23", "-var=aws_request_timeout_ms=2000"]);
    const cleanup = planFixture([...given, "-var=cleanup_unserved_ports=true"]);

    // Assess
    expect(shorter.stderr).toBe("");
    expect(shorter.status).toBe(0);
    expect(shorter.stdout).toMatch(/timeout +=? 23\b/);
    expect(shorter.stdout).toMatch(/"AWS_REQUEST_TIMEOUT_MS" += "2000"/);
    expect(shorter.stdout).not.toContain("CLEANUP_UNSERVED_PORTS");
    expect(cleanup.stderr).toBe("");
    expect(cleanup.status).toBe(0);
    expect(cleanup.stdout).toMatch(/"CLEANUP_UNSERVED_PORTS" += "true"/);
  }, 240_000);

  it("creates nothing and looks nothing up with create = false (the master switch)", () => {
    // Act
    const result = planFixture(["-var=create=false"]);

    // Assess
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("No changes.");
    // Only the caller's own partition, region and account are read (as every module does); nothing else.
    const reads = [...result.stdout.matchAll(/data\.(aws_[a-z_]+)\.[a-z_]+: Reading/g)].map((m) => m[1]);
    expect(
      reads.filter((r) => !["aws_partition", "aws_region", "aws_caller_identity"].includes(r ?? "")),
    ).toEqual([]);
  }, 120_000);

  it("uses a given role and log group: neither is created, the function and its policy point at them", () => {
    // Act
    const result = planFixture([
      "-var=create_role=false",
      "-var=role_arn=arn:aws:iam::123456789012:role/platform/given",
      "-var=create_log_group=false",
      "-var=log_group_name=/platform/alb-static-ip",
    ]);

    // Assess
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain("aws_iam_role.this");
    expect(result.stdout).not.toContain("aws_iam_role_policy.this");
    expect(result.stdout).not.toContain("aws_cloudwatch_log_group.this");
    expect(result.stdout).toContain(
      'role                           = "arn:aws:iam::123456789012:role/platform/given"',
    );
    expect(result.stdout).toContain('log_group  = "/platform/alb-static-ip"');
  }, 120_000);

  it("applies with its defaults, the deployed code syncs the target group, re-plans empty, destroys clean", async () => {
    // Prepare
    const tf = terraformRunner(tools, base);
    const module = join(base, "alb-static-ip");
    copyTree(MODULE_DIR, module);
    patchModuleCopy(module, tools.awsVersions.at(-1) ?? "");
    const root = join(base, "root");
    copyTree(join(import.meta.dirname, "fixtures", "module-defaults"), root);
    writeFileSync(join(root, "moto_override.tf"), motoProviderOverride(moto.endpoint));

    // Act
    const report = await runScenario({
      tf,
      moto,
      dir: root,
      scratch: base,
      outputNames: { fn: "function_name", targetGroupArn: "target_group_arn", bucket: "state_bucket_name" },
      albIps: ["10.0.1.10", "10.0.2.20", "10.0.3.30"],
      // The documented way to delete the state bucket with its state (docs/operations.md, "Operations notes").
      beforeDestroy: [
        "-var=state_bucket_force_destroy=true",
        "-target=module.alb_static_ip.aws_s3_bucket.state",
      ],
      destroyArgs: ["-var=state_bucket_force_destroy=true"],
    });

    // Assess
    console.log(`deploy module: ${JSON.stringify(report)}`);
    expect(report.resourcesApplied).toBeGreaterThanOrEqual(19);
  }, 600_000);
});
