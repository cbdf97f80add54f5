/**
 * The module's variables under real Terraform: a plan of variables.tf alone (no provider, about a second)
 * must reject what the function would reject at cold start, accept what AWS accepts, and take the default
 * for a null (issue 15, defects 6, 7 and 8). Skips, with one line, without terraform.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODULE_DIR } from "../../modules/build/module.js";
import { terraformRunner, workspace } from "./harness.js";
import { findDeployTools } from "./tools.js";

const tools = findDeployTools();
if (tools.terraform === undefined)
  console.warn("SKIPPED test/deploy/validations.test.ts: terraform not on PATH");

const REQUIRED = ["-var=alb_dns_name=internal-a-1.us-east-1.elb.amazonaws.com", "-var=alb_listener_port=443"];

describe.skipIf(tools.terraform === undefined)("the module's variables, planned by Terraform", () => {
  const dir = workspace("variables");
  copyFileSync(join(MODULE_DIR, "variables.tf"), join(dir, "variables.tf"));
  writeFileSync(
    join(dir, "outputs.tf"),
    'output "memory_size" {\n  value = var.memory_size\n}\n\noutput "dns_servers" {\n  value = var.dns_servers\n}\n',
  );
  const tf = terraformRunner({ ...tools, mirror: tools.mirror ?? dir }, dir);
  const plan = (vars: readonly string[]) =>
    tf(dir, ["plan", "-input=false", "-no-color", "-refresh=false", ...REQUIRED, ...vars], 60_000);

  it.each([
    ["schedule_expression", "rate(1 minutes)"],
    ["schedule_expression", "rate(5 minute)"],
    ["schedule_expression", "cron(not a cron)"],
    ["state_key_prefix", "a//"],
    ["state_key_prefix", "./"],
    ["state_key_prefix", "a/../"],
    ["dns_servers", '["not a server!"]'],
    ["dns_servers", '["10.0.0.2:99999999"]'],
    ["state_bucket_name", "my..bucket"],
    ["state_bucket_name", "192.168.1.1"],
    ["state_bucket_name", "xn--bucket"],
    ["state_bucket_name", "my-bucket-s3alias"],
    [
      "target_group_arn",
      "arn:aws:elasticloadbalancing:cn-north-1:123456789012:targetgroup/tg/0123456789abcdef",
    ],
    ["nlb_arn", "arn:aws-cn:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/0123456789abcdef"],
    ["alb_role_external_id", "x"],
    ["alb_role_external_id", "has space"],
  ])("rejects %s = %s at plan time", (variable, value) => {
    // Act
    const result = plan([`-var=${variable}=${value}`]);

    // Assess
    expect(result.status, result.stdout).not.toBe(0);
    expect(result.stderr).toContain("Invalid value for variable");
    expect(result.stderr).toContain(variable);
  });

  it.each([
    [
      "target_group_arn",
      "arn:aws-iso-e:elasticloadbalancing:eu-isoe-west-1:123456789012:targetgroup/tg/0123456789abcdef",
    ],
    [
      "target_group_arn",
      "arn:aws-iso-f:elasticloadbalancing:us-isof-south-1:123456789012:targetgroup/tg/0123456789abcdef",
    ],
    [
      "nlb_arn",
      "arn:aws-eusc:elasticloadbalancing:eusc-de-east-1:123456789012:loadbalancer/net/n/0123456789abcdef",
    ],
    ["schedule_expression", "rate(5 minutes)"],
    ["dns_servers", '["10.0.0.2", "10.0.0.3:5353", "[fd00::53]:53", "ns1.example.com"]'],
    // examples/cross-account-alb's default; RE2 (Terraform's regex) allows no repetition count above 1000.
    ["alb_role_external_id", "alb-static-ip-cross-account"],
  ])("accepts %s = %s", (variable, value) => {
    // Act
    const result = plan([`-var=${variable}=${value}`]);

    // Assess
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("bounds alb_role_external_id at 1224 characters, as STS does (no regex repetition count past RE2's 1000)", () => {
    // Act
    const longest = plan([`-var=alb_role_external_id=${"e".repeat(1224)}`]);
    const tooLong = plan([`-var=alb_role_external_id=${"e".repeat(1225)}`]);

    // Assess
    expect(longest.stderr).toBe("");
    expect(longest.status).toBe(0);
    expect(tooLong.status).not.toBe(0);
    expect(tooLong.stderr).toContain("alb_role_external_id must be 2-1224 characters");
  });

  it("takes the default for a null from a wrapper module (nullable = false), and keeps a null reserved concurrency", () => {
    // Prepare
    const wrapper = workspace("wrapper");
    const inner = join(wrapper, "inner");
    mkdirSync(inner);
    copyFileSync(join(MODULE_DIR, "variables.tf"), join(inner, "variables.tf"));
    writeFileSync(
      join(inner, "outputs.tf"),
      'output "memory_size" {\n  value = var.memory_size\n}\n\noutput "dns_servers" {\n  value = var.dns_servers\n}\n\noutput "reserved" {\n  value = var.reserved_concurrent_executions == null ? "unreserved" : "reserved"\n}\n',
    );
    writeFileSync(
      join(wrapper, "main.tf"),
      `module "m" {
  source                         = "./inner"
  alb_dns_name                   = "internal-a-1.us-east-1.elb.amazonaws.com"
  alb_listener_port              = 443
  memory_size                    = null
  dns_servers                    = null
  reserved_concurrent_executions = null
}

output "all" {
  value = module.m
}
`,
    );
    const run = terraformRunner({ ...tools, mirror: tools.mirror ?? wrapper }, wrapper);
    expect(run(wrapper, ["init", "-input=false", "-no-color"]).status).toBe(0);

    // Act
    const result = run(wrapper, ["plan", "-input=false", "-no-color"], 60_000);

    // Assess
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("memory_size = 256");
    expect(result.stdout).toMatch(/dns_servers = \[\]/);
    expect(result.stdout).toContain('reserved    = "unreserved"');
  });
});
