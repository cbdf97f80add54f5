// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform templates, not JavaScript ones.
import { parse } from "@cdktf/hcl2json";
import { describe, expect, it } from "vitest";
import { attribute, block, renderFile, renderString, templateParts } from "../../modules/build/hcl.js";

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
