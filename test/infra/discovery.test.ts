/**
 * DISCOVERY_MODE in the infrastructure: the function's environment, least privilege per mode (the IAM
 * statements exactly), the interface event rule (the function's own pattern, its own permission), the synth-time
 * checks of literal props, and the plan-time decisions of the generated module.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { interfaceEventPattern } from "../../lambda/core/events.js";
import { type RenderedModule, renderModule } from "../../modules/build/module.js";
import { all, envOf, functionStatements, type Json, one, refTo, synth } from "./synth.js";

const ALB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const ROLE = "arn:aws:iam::210987654321:role/alb-static-ip-eni-read";
const ALLOWED = ["10.0.0.0/16"];

const sids = (s: ReturnType<typeof synth>) => functionStatements(s).map((st) => st.sid);

describe("discovery_mode = dns (the default)", () => {
  it("grants no ec2 and no sts action and creates no event rule", () => {
    const s = synth({ albArn: ALB_ARN, allowedTargetCidrs: ALLOWED });
    expect(
      functionStatements(s)
        .flatMap((st) => st.actions as string[])
        .filter((a) => /^(ec2|sts):/.test(a)),
    ).toEqual([]);
    expect(all(s, "aws_cloudwatch_event_rule")).toHaveLength(1);
    expect(all(s, "aws_lambda_permission")).toHaveLength(1);
    // ALB_ARN still reaches the function (it attributes interface events in any mode).
    expect(envOf(s)).toMatchObject({ DISCOVERY_MODE: "dns", ALB_ARN });
  });

  it("refuses eventDriven: true in dns mode: a DNS run cannot see a new interface yet, each deletion costs a run", () => {
    // Act / Assess
    expect(() => synth({ albArn: ALB_ARN, allowedTargetCidrs: ALLOWED, eventDriven: true })).toThrow(
      /eventDriven is true with discoveryMode "dns".*cannot see a new interface yet.*use discoveryMode "eni", or leave eventDriven unset/,
    );
    expect(() => synth({ albArn: ALB_ARN, allowedTargetCidrs: ALLOWED, eventDriven: false })).not.toThrow();
  });
});

describe('discovery_mode = "eni"', () => {
  it("without a role: ec2:DescribeNetworkInterfaces on * (no resource-level permissions), nothing else new", () => {
    const s = synth({
      discoveryMode: "eni",
      albArn: ALB_ARN,
      albVpcId: "vpc-0a1b2c3d",
      allowedTargetCidrs: ALLOWED,
    });
    const added = functionStatements(s).filter((st) => st.sid === "DescribeAlbInterfaces");
    expect(added).toEqual([
      {
        sid: "DescribeAlbInterfaces",
        effect: "Allow",
        actions: ["ec2:DescribeNetworkInterfaces"],
        resources: ["*"],
      },
    ]);
    expect(sids(s)).not.toContain("AssumeAlbAccountRole");
    expect(envOf(s)).toMatchObject({ DISCOVERY_MODE: "eni", ALB_ARN, ALB_VPC_ID: "vpc-0a1b2c3d" });
    expect(envOf(s)).not.toHaveProperty("ALB_ROLE_ARN");
  });

  it("with alb_role_arn: sts:AssumeRole on exactly that role, and no ec2 action", () => {
    const s = synth({
      discoveryMode: "eni",
      albArn: ALB_ARN,
      albRoleArn: ROLE,
      albRoleExternalId: "alb-static-ip-7f3a",
      allowedTargetCidrs: ALLOWED,
    });
    const added = functionStatements(s).filter((st) =>
      ["DescribeAlbInterfaces", "AssumeAlbAccountRole"].includes(st.sid),
    );
    expect(added).toEqual([
      { sid: "AssumeAlbAccountRole", effect: "Allow", actions: ["sts:AssumeRole"], resources: [ROLE] },
    ]);
    expect(envOf(s)).toMatchObject({ ALB_ROLE_ARN: ROLE, ALB_ROLE_EXTERNAL_ID: "alb-static-ip-7f3a" });
  });

  it("creates the interface event rule by default: exactly this ALB's interfaces, with its own permission", () => {
    const s = synth({ discoveryMode: "eni", albArn: ALB_ARN, allowedTargetCidrs: ALLOWED });
    const rules = all(s, "aws_cloudwatch_event_rule");
    const events = rules.find((r) => r.event_pattern !== undefined) as Json;
    expect(JSON.parse(events.event_pattern as string)).toEqual(
      interfaceEventPattern("ELB app/my-alb/50dc6c495c0c9188"),
    );
    const permissions = all(s, "aws_lambda_permission");
    expect(permissions).toHaveLength(2);
    const ruleId = Object.entries(s.json.resource.aws_cloudwatch_event_rule ?? {}).find(
      ([, r]) => r.event_pattern !== undefined,
    )?.[0];
    expect(permissions.map((p) => p.source_arn)).toContain(`\${aws_cloudwatch_event_rule.${ruleId}.arn}`);
    expect(permissions.every((p) => p.principal === "events.amazonaws.com")).toBe(true);
    expect(all(s, "aws_cloudwatch_event_target").map((t) => t.arn)).toEqual([
      refTo(s, "aws_lambda_function", "arn"),
      refTo(s, "aws_lambda_function", "arn"),
    ]);
    expect(s.construct.interfaceEventRuleArn).toBeDefined();
  });

  it("leaves the event rule out with eventDriven: false (polling only)", () => {
    const s = synth({
      discoveryMode: "eni",
      albArn: ALB_ARN,
      allowedTargetCidrs: ALLOWED,
      eventDriven: false,
    });
    expect(all(s, "aws_cloudwatch_event_rule")).toHaveLength(1);
    expect(one(s, "aws_lambda_permission").statement_id).toBe("AllowScheduleRule");
  });

  it.each([
    [{ discoveryMode: "eni" }, "pass albArn"],
    [
      {
        discoveryMode: "eni",
        albArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/0123456789abcdef",
      },
      "albArn",
    ],
    [{ discoveryMode: "eni", albArn: ALB_ARN, albVpcId: "vpc-x" }, "albVpcId"],
    [{ discoveryMode: "eni", albArn: ALB_ARN, albRoleArn: "arn:aws:iam::1:role/x" }, "albRoleArn"],
    [{ albVpcId: "vpc-0a1b2c3d" }, 'only used with discoveryMode "eni"'],
    [{ discoveryMode: "eni", albArn: ALB_ARN, albRoleExternalId: "ext-1" }, "only used with albRoleArn"],
    [{ eventDriven: true }, "eventDriven is true: pass albArn"],
    [{ discoveryMode: "route53" }, 'expected "dns" or "eni"'],
  ])("refuses %j at synth time, saying what to pass", (props, phrase) => {
    expect(() => synth({ allowedTargetCidrs: ALLOWED, ...props })).toThrow(phrase);
  });
});

describe("plan-time checks with literal props", () => {
  it.each([
    {},
    { discoveryMode: "eni", albArn: ALB_ARN },
    { discoveryMode: "eni", albArn: ALB_ARN, eventDriven: true },
  ])("adds no precondition Terraform would reject for %j (a folded literal, never `undefined`)", (props) => {
    const s = synth({ allowedTargetCidrs: ALLOWED, ...props });
    const fn = one(s, "aws_lambda_function") as {
      lifecycle?: { precondition?: Array<{ condition: string }> };
    };
    for (const p of fn.lifecycle?.precondition ?? []) {
      expect(p.condition).not.toMatch(/undefined|\$\{\(?(true|false)\b/);
    }
  });
});

describe("the generated module", () => {
  let m: RenderedModule;
  beforeAll(() => {
    m = renderModule();
  });

  it("declares the discovery variables, with discovery_mode accepting dns and eni", () => {
    const variables = m.files["variables.tf"] ?? "";
    for (const name of ["alb_vpc_id", "alb_role_arn", "alb_role_external_id", "event_driven"]) {
      expect(variables).toContain(`variable "${name}"`);
    }
    expect(variables).toContain('contains(["dns", "eni"], var.discovery_mode)');
  });

  it("grants ec2:DescribeNetworkInterfaces only in eni mode without a role, sts:AssumeRole only on the role", () => {
    const iam = m.files["iam.tf"] ?? "";
    expect(iam).toContain(
      'for_each = toset((local.eni_discovery && !(var.alb_role_arn != null)) ? ["*"] : [])',
    );
    expect(iam).toContain(
      "for_each = toset((local.eni_discovery && (var.alb_role_arn != null)) ? [var.alb_role_arn] : [])",
    );
    expect(m.files["main.tf"]).toContain('eni_discovery = (var.discovery_mode == "eni")');
    expect(iam).toContain("data.aws_iam_policy_document.describe_interfaces[0].json");
    expect(iam).toContain("data.aws_iam_policy_document.assume_alb_role[0].json");
  });

  it("creates the event rule when event_driven (default: eni mode) and alb_arn is set, matching the ALB's description", () => {
    const main = m.files["main.tf"] ?? "";
    expect(main).toContain('resource "aws_cloudwatch_event_rule" "interface_events"');
    expect(main).toContain("count       = local.create_interface_events ? 1 : 0");
    expect(main.replace(/\s+/g, " ")).toContain(
      "create_interface_events = ( var.create && ( (((var.event_driven == null) && local.eni_discovery) || (var.event_driven == true)) && (var.alb_arn != null) ) )",
    );
    expect(main).toContain(
      '    (var.alb_arn == null) ? null :\n    format("ELB %s", join("/", slice(split("/", var.alb_arn), 1, 4)))',
    );
    expect(main).toContain('"requestParameters" = { "description" = [local.alb_interface_description] }');
    expect(main).toContain('resource "aws_lambda_permission" "interface_events"');
  });

  it("checks at plan time that eni mode has alb_arn", () => {
    expect(m.files["main.tf"]).toContain('discovery_mode = \\"eni\\" needs alb_arn');
  });

  it("checks at plan time that event_driven = true comes with eni mode, and says why", () => {
    // Act
    const main = m.files["main.tf"] ?? "";

    // Assess
    expect(main).toContain("condition     = ((var.event_driven != true) || local.eni_discovery)");
    expect(main).toContain(
      'error_message = "event_driven = true needs discovery_mode = \\"eni\\": a DNS run cannot see a new interface yet',
    );
  });
});
