/**
 * ALLOWED_TARGET_CIDRS in the construct and the generated module: always set, from the variable, the ALB's
 * subnets or (the weaker bound) the target group VPC, reported in `allowed_target_cidrs_source`; `/0` only with
 * the explicit opt-out.
 */
import { describe, expect, it } from "vitest";
import { renderModule } from "../../modules/build/module.js";
import { INPUTS } from "../../modules/inputs/index.js";
import { envOf, one, synth } from "./synth.js";

const ALB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef";

describe("ALLOWED_TARGET_CIDRS in the construct", () => {
  it("looks up the ALB, then one aws_subnet per subnet id, and passes both families of their blocks", () => {
    // Act
    const s = synth({ albArn: ALB_ARN });

    // Assess
    expect(one(s, "aws_lb", true).arn).toBe(ALB_ARN);
    const subnet = one(s, "aws_subnet", true);
    expect(String(subnet.for_each)).toMatch(/toset\(data\.aws_lb\.[A-Za-z0-9_]+\[0\]\.subnets\)/);
    expect(String(subnet.id)).toMatch(/^\$\{each\.value\}$/);
    const local = s.text;
    expect(local).toMatch(/compact\(\[val\.cidr_block, val\.ipv6_cidr_block\]\)/);
    expect(envOf(s).ALLOWED_TARGET_CIDRS).toMatch(/^\$\{join\(",", local\./);
  });

  it("falls back to the target group VPC's IPv4 and IPv6 blocks when it knows neither the ALB nor a list", () => {
    const s = synth();
    expect(one(s, "aws_vpc", true).id).toMatch(/vpc-0123456789abcdef0/);
    const local = s.text;
    expect(local).toMatch(/cidr_block_associations\[\*\]\.cidr_block/);
    expect(local).toMatch(/ipv6_cidr_block/);
  });

  it("refuses a literal /0 block at synth unless allowAnyTargetCidr is true, and plans it in the module", () => {
    // Terraform rejects a precondition that refers to nothing, so a literal list is checked in TypeScript.
    expect(() => synth({ allowedTargetCidrs: ["0.0.0.0/0"] })).toThrow(/allowAnyTargetCidr: true/);
    expect(() => synth({ allowedTargetCidrs: ["0.0.0.0/0"], allowAnyTargetCidr: true })).not.toThrow();
    const text = Object.values(renderModule().files).join("\n");
    expect(text).toMatch(/endswith\(val, "\/0"\)/);
    expect(text).toMatch(/allow_any_target_cidr = true/);
  });

  it("passes the explicit opt-out to the function", () => {
    expect(envOf(synth({ allowAnyTargetCidr: true })).ALLOW_ANY_TARGET_CIDR).toBe("true");
  });
});

describe("ALLOWED_TARGET_CIDRS in the generated module", () => {
  const module = renderModule();
  const text = Object.values(module.files).join("\n");

  it("reports where the list came from in the allowed_target_cidrs_source output", () => {
    const output = module.outputs.find((o) => o.name === "allowed_target_cidrs_source");
    expect(output?.description).toMatch(/"variable", "alb_subnets", "vpc" \(the weaker bound/);
    expect(module.files["outputs.tf"]).toContain("var.create ? local.allowed_target_cidrs_source : null");
    expect(module.files["main.tf"]).toContain(
      [
        "  allowed_target_cidrs_source = (",
        '    var.allow_any_target_cidr ? "any" :',
        '    local.allowed_target_cidrs_given ? "variable" :',
        '    local.alb_given ? "alb_subnets" :',
        '    "vpc"',
        "  )",
      ].join("\n"),
    );
    expect(module.files["main.tf"]).toContain(
      "alb_given = ((var.alb_arn != null) || (var.alb_name != null))",
    );
  });

  it("always sets ALLOWED_TARGET_CIDRS on the function, from local.allowed_target_cidrs", () => {
    expect(module.files["main.tf"]).toMatch(
      /ALLOWED_TARGET_CIDRS += join\(",", local\.allowed_target_cidrs\)/,
    );
    expect(module.files["main.tf"]).toMatch(
      /ALLOW_ANY_TARGET_CIDR += tostring\(var\.allow_any_target_cidr\)/,
    );
  });

  it("reads the ALB, its subnets and the VPC only when the list needs them (count / for_each)", () => {
    expect(text).toMatch(/data "aws_lb" "alb" \{\n {2}count = /);
    expect(text).toMatch(/data "aws_subnet" "alb" \{\n {2}for_each = /);
    expect(text).toMatch(/data "aws_vpc" "target" \{\n {2}count = /);
  });

  it("validates the variable at plan time: CIDR syntax, host bits, at most 64 blocks", () => {
    const validation = INPUTS.allowedTargetCidrs.validation?.[0]?.condition ?? "";
    expect(validation).toContain("can(cidrhost(c, 0))");
    expect(validation).toContain("length(var.allowed_target_cidrs) <= 64");
    expect(INPUTS.allowAnyTargetCidr.default).toBe(false);
  });
});
