// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform templates, not JavaScript ones.
import { parse } from "@cdktf/hcl2json";
import { describe, expect, it } from "vitest";
import { attribute, block, renderFile, renderString, templateParts } from "../../modules/build/hcl.js";
import { LINE_WIDTH, layoutExpression } from "../../modules/build/layout.js";

describe("HCL renderer", () => {
  it.each([
    ["${var.x}", "var.x"],
    ["${var.a == null ? [] : [var.a]}", "var.a == null ? [] : [var.a]"],
    // terraform fmt writes one-line object constructors with spaces inside the braces.
    ['${merge({"A" = "1"}, var.b)}', 'merge({ "A" = "1" }, var.b)'],
    ['${x ? {"A" = "}"} : {}}', 'x ? { "A" = "}" } : {}'],
    ["plain", '"plain"'],
    [
      "arn:${data.aws_partition.current.partition}:s3:::${local.b}/*",
      '"arn:${data.aws_partition.current.partition}:s3:::${local.b}/*"',
    ],
    ['say "hi" \\ now', '"say \\"hi\\" \\\\ now"'],
    ["$${not.an.expression}", '"$${not.an.expression}"'],
    ['${a} and ${"}"}', '"${a} and ${"}"}"'],
  ])("renders the CDKTF string %j as %s", (input, expected) => {
    // Act
    const rendered = renderString(input);

    // Assess
    expect(rendered).toBe(expected);
  });

  it("keeps a quoted brace inside an expression from ending it", () => {
    // Act
    const parts = templateParts('x${format("%s}", var.a)}y');

    // Assess
    expect(parts).toEqual([{ literal: "x" }, { expression: 'format("%s}", var.a)' }, { literal: "y" }]);
  });

  it("rejects an expression without its closing brace", () => {
    // Act / Assess
    expect(() => templateParts("${var.a")).toThrow(/no closing/);
  });

  it("aligns runs of one-line attributes, leaves a multi-line attribute unpadded (as terraform fmt does) and separates blocks by blank lines", () => {
    // Prepare
    const file = [
      block(
        "resource",
        ["aws_x", "this"],
        [
          attribute("count", "${var.create ? 1 : 0}"),
          attribute("name", "n"),
          attribute("tags", { a: "b", "c:d": "${var.e}" }),
          block("health_check", [], [attribute("protocol", "TCP")]),
        ],
      ),
    ];

    // Act
    const hcl = renderFile(file);

    // Assess
    expect(hcl).toBe(
      [
        'resource "aws_x" "this" {',
        "  count = var.create ? 1 : 0",
        '  name  = "n"',
        "  tags = {",
        '    a     = "b"',
        '    "c:d" = var.e',
        "  }",
        "",
        "  health_check {",
        '    protocol = "TCP"',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("produces HCL that hcl2json reads back to the same values", async () => {
    // Prepare
    const file = [
      block(
        "resource",
        ["aws_x", "this"],
        [
          attribute("list", ["a", "${var.b}", 3, true]),
          attribute("template", "arn:${var.p}:x/${var.q}*"),
          attribute("literal", 'quote " and $${dollar}'),
          attribute("map", { K: "${var.v}" }),
        ],
      ),
    ];

    // Act
    const parsed = (await parse("main.tf", renderFile(file))) as {
      resource: { aws_x: { this: Record<string, unknown>[] } };
    };

    // Assess
    expect(parsed.resource.aws_x.this[0]).toEqual({
      list: ["a", "${var.b}", 3, true],
      template: "arn:${var.p}:x/${var.q}*",
      literal: 'quote " and $${dollar}',
      map: { K: "${var.v}" },
    });
  });
});

describe("HCL layout of long expressions", () => {
  /** `expression` laid out as the value of `name = ` at the top level of a block (indent 1). */
  const laidOut = (name: string, expression: string): string =>
    `  ${name} = ${layoutExpression(expression, 1, name.length + 5)}`;

  it("leaves an expression that fits on its line as it is", () => {
    // Act / Assess
    expect(layoutExpression("merge(var.tags, var.function_tags)", 1, 10)).toBe(
      "merge(var.tags, var.function_tags)",
    );
  });

  it("gives a long call one argument per line, each with a trailing comma", () => {
    // Prepare
    const args = Array.from({ length: 4 }, (_, i) => `local.a_rather_long_name_for_the_argument_${i}`);

    // Act
    const text = laidOut("variables", `merge(${args.join(", ")})`);

    // Assess
    expect(text).toBe(["  variables = merge(", ...args.map((a) => `    ${a},`), "  )"].join("\n"));
  });

  it("writes a long conditional as a parenthesised chain, one condition per line", () => {
    // Prepare
    const expression =
      '!var.create ? [] : length(var.allowed_target_cidrs) >= 1 ? var.allowed_target_cidrs : var.allow_any_target_cidr ? ["0.0.0.0/0", "::/0"] : (local.alb_given ? local.alb_subnet_cidrs : local.vpc_cidrs)';

    // Act
    const text = laidOut("allowed", expression);

    // Assess
    expect(text).toBe(
      [
        "  allowed = (",
        "    !var.create ? [] :",
        "    length(var.allowed_target_cidrs) >= 1 ? var.allowed_target_cidrs :",
        '    var.allow_any_target_cidr ? ["0.0.0.0/0", "::/0"] :',
        "    local.alb_given ? local.alb_subnet_cidrs :",
        "    local.vpc_cidrs",
        "  )",
      ].join("\n"),
    );
  });

  it("writes three or more operands of && on lines of their own, and hugs the one object of a call", () => {
    // Act
    const checks = laidOut(
      "condition",
      "var.deregistration_delay_seconds >= 0 && var.deregistration_delay_seconds <= 3600 && floor(var.deregistration_delay_seconds) == var.deregistration_delay_seconds",
    );
    const body = laidOut(
      "body",
      'jsonencode({ "title" = "ALB IPs found vs healthy targets", "region" = data.aws_region.current.id, "period" = 60 })',
    );

    // Assess
    expect(checks).toBe(
      [
        "  condition = (",
        "    var.deregistration_delay_seconds >= 0 &&",
        "    var.deregistration_delay_seconds <= 3600 &&",
        "    floor(var.deregistration_delay_seconds) == var.deregistration_delay_seconds",
        "  )",
      ].join("\n"),
    );
    expect(body).toBe(
      [
        "  body = jsonencode({",
        '    "title"  = "ALB IPs found vs healthy targets"',
        '    "region" = data.aws_region.current.id',
        '    "period" = 60',
        "  })",
      ].join("\n"),
    );
  });

  it("keeps the short arguments of a call on its lines and breaks only the long one", () => {
    // Act
    const text = laidOut(
      "condition",
      'var.x == null || can(regex(join("", ["^arn:(aws|aws-cn|aws-us-gov):", "elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:", "loadbalancer\\\\/net\\\\/[A-Za-z0-9-]{1,32}$"]), var.x))',
    );

    // Assess
    expect(text.split("\n")[0]).toBe('  condition = var.x == null || can(regex(join("", [');
    expect(text.split("\n").at(-1)).toBe("  ]), var.x))");
  });

  it("starts a long for expression on a line of its own and never splits a string literal", () => {
    // Prepare
    const message = "a".repeat(LINE_WIDTH);

    // Act
    const text = laidOut(
      "names",
      `{ for k, l in local.listeners : k => { name = k == "default" ? var.name : substr("\${var.name}-\${k}", 0, 32), note = "${message}" } }`,
    );

    // Assess
    expect(text.split("\n").slice(0, 2)).toEqual(["  names = {", "    for k, l in local.listeners : k => {"]);
    expect(text).toContain(`note = "${message}"`);
  });

  it("produces HCL that hcl2json reads back to the same expression, but for its layout", async () => {
    // Prepare
    const expression =
      'merge(local.function_environment, local.listeners_shorthand ? { "ALB_LISTENER" = tostring(var.alb_listener_port), "NLB_TG_ARN" = local.primary_target_group_arn } : { "TARGET_GROUPS" = local.target_groups_env }, (length(var.dns_servers) >= 1) ? { "DNS_SERVERS" = join(",", var.dns_servers) } : {})';

    // Act
    const parsed = (await parse("main.tf", `locals {\n${laidOut("environment", expression)}\n}\n`)) as {
      locals: { environment: string }[];
    };
    const read = parsed.locals[0]?.environment ?? "";

    // Assess
    expect(read).toContain("\n");
    const bare = (s: string) => s.replace(/[\s,()]/g, "");
    expect(bare(read)).toBe(bare(`\${${expression}}`));
  });
});
