/**
 * The generated module reads like a hand-kept one (terraform-aws-modules): lines a reviewer can read, every
 * decision named once as a commented local, the non-obvious resources, statements and preconditions explained
 * above them. These limits are checked on what `npm run build:module` writes, so a change that breaks them fails.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type RenderedModule, renderModule } from "../../modules/build/module.js";

/** The longest line allowed outside a variable's description (terraform-aws-lambda's main.tf: 287). */
const MAX_LINE = 200;

let module: RenderedModule;
let tf: Record<string, string>;

beforeAll(() => {
  module = renderModule();
  tf = Object.fromEntries(Object.entries(module.files).filter(([path]) => path.endsWith(".tf")));
});

/** The code of `text` with string literals blanked (so `&&` in a message is not taken for a decision). */
function code(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

/** Every parenthesised sub-expression of `text` (string literals blanked). */
function parenthesised(text: string): string[] {
  const found: string[] = [];
  const open: number[] = [];
  const source = code(text);
  for (let i = 0; i < source.length; i += 1) {
    if (source[i] === "(") open.push(i);
    if (source[i] === ")") {
      const start = open.pop();
      if (start !== undefined) found.push(source.slice(start, i + 1).replace(/\s+/g, " "));
    }
  }
  return found;
}

/** The local of `main.tf` named `name`, with the comment lines above it. */
function localWithComment(name: string): { comment: string[]; found: boolean } {
  const lines = (tf["main.tf"] ?? "").split("\n");
  const at = lines.findIndex((l) => l.startsWith(`  ${name} = `) || l.startsWith(`  ${name} `));
  const comment: string[] = [];
  for (let i = at - 1; i >= 0 && (lines[i] ?? "").startsWith("  #"); i -= 1) comment.unshift(lines[i] ?? "");
  return { comment, found: at >= 0 };
}

/**
 * The `#` lines right above the block that the first line of `file` containing `marker` opens, or (a policy
 * statement's `sid`) sits in.
 */
function commentAbove(file: string, marker: string): string {
  const lines = (tf[file] ?? "").split("\n");
  const sid = /^sid: (.*)$/.exec(marker)?.[1];
  let at = lines.findIndex((l) =>
    sid === undefined ? l.includes(marker) : /^\s+sid +=/.test(l) && l.endsWith(sid),
  );
  if (sid !== undefined) {
    while (at > 0 && !/^\s*(statement \{|dynamic "statement" \{)/.test(lines[at] ?? "")) at -= 1;
  }
  const comment: string[] = [];
  for (let i = at - 1; i >= 0 && /^\s*#/.test(lines[i] ?? ""); i -= 1) comment.unshift(lines[i] ?? "");
  return comment.map((l) => l.replace(/^\s*# ?/, "")).join(" ");
}

describe("the generated module's layout", () => {
  it(`has no line over ${MAX_LINE} characters outside the variables' descriptions`, () => {
    // Act
    const long = Object.entries(tf).flatMap(([path, text]) =>
      text
        .split("\n")
        .map((line, i) => ({ path, line: i + 1, length: line.length, text: line }))
        .filter((l) => l.length > MAX_LINE && !/^ {2}description = "/.test(l.text)),
    );

    // Assess
    expect(long.map((l) => `${l.path}:${l.line} (${l.length})`)).toEqual([]);
  });

  it("writes the dashboard body as an HCL object under jsonencode, one widget property per line", () => {
    // Act
    const dashboard = tf["dashboard.tf"] ?? "";

    // Assess
    expect(dashboard).toContain("dashboard_body = jsonencode({\n");
    expect(dashboard.split("\n").length).toBeGreaterThan(60);
    expect(dashboard).toMatch(/\n +"title" += "ALB IPs found vs healthy targets"\n/);
  });

  it("writes the interface event pattern as an HCL object under jsonencode", () => {
    // Act / Assess
    expect(tf["main.tf"]).toContain("event_pattern = jsonencode({\n");
  });
});

describe("the generated module's decisions", () => {
  it("names every decision that Terraform makes more than once: no compound condition appears twice", () => {
    // Prepare: conditions (&&, ||, a comparison with a string) outside variables.tf, whose validations each
    // check one variable; a condition on `each` (one instance of a for_each) cannot be a local.
    const conditions = Object.entries(tf)
      .filter(([path]) => path !== "variables.tf")
      .flatMap(([, text]) => parenthesised(text))
      .filter((e) => /&&|\|\||== ""/.test(e) && !/\beach\./.test(e));

    // Act
    const repeated = [...new Set(conditions)].filter((c) => conditions.filter((x) => x === c).length > 1);

    // Assess
    expect(repeated).toEqual([]);
  });

  it("applies the master switch once per decision, in the locals of main.tf", () => {
    // Act: the locals block is one paragraph (comment and definition) per local.
    const main = tf["main.tf"] ?? "";
    const locals = main.slice(0, main.indexOf("\n}\n")).split("\n\n");
    const everywhere = Object.values(tf).join("\n").split("var.create &&").length - 1;
    const inLocals = locals.map((l) => l.split("var.create &&").length - 1);

    // Assess
    expect(everywhere).toBeGreaterThan(5);
    expect(inLocals.reduce((a, b) => a + b, 0)).toBe(everywhere);
    expect(inLocals.filter((n) => n > 1)).toEqual([]);
  });

  it("counts and iterates resources on named decisions only (a local, var.create), never an inline condition", () => {
    // Act
    const inline = Object.entries(tf).flatMap(([path, text]) =>
      [...text.matchAll(/^ {2}(count|for_each) += (.*)$/gm)]
        .map((m) => ({ path, meta: m[1], value: m[2] ?? "" }))
        .filter((m) => /==|!=|>=|<=|\bvar\.(?!create\b)/.test(code(m.value)))
        .map((m) => `${m.path}: ${m.meta} = ${m.value}`),
    );

    // Assess
    expect(inline).toEqual([]);
  });

  it("explains every local in a comment above it", () => {
    // Act
    const main = tf["main.tf"] ?? "";
    const names = [...main.slice(0, main.indexOf("\n}\n")).matchAll(/^ {2}(\w+) += /gm)].map(
      (m) => m[1] ?? "",
    );
    const bare = names.filter((n) => localWithComment(n).comment.length === 0);

    // Assess
    expect(names.length).toBeGreaterThan(20);
    expect(bare).toEqual([]);
  });
});

describe("the generated module's comments", () => {
  it.each([
    ["main.tf", 'resource "aws_lb_target_group" "this"', /create_before_destroy[\s\S]*start empty/],
    ["main.tf", 'resource "aws_lambda_function_event_invoke_config"', /No retries/],
    ["main.tf", 'data "aws_lb" "alb"', /subnets/],
    ["iam.tf", 'sid: "ReadTargetHealth"', /no resource-level permissions/],
    ["iam.tf", 'sid: "MissingStateIsNotFound"', /404 NoSuchKey, not 403 AccessDenied/],
    ["iam.tf", 'sid: "ReadWriteStateObject"', /state_key_prefix/],
    ["iam.tf", 'resource "aws_iam_role" "this"', /account-wide/],
    ["s3.tf", 'resource "aws_s3_bucket" "state"', /If-Match/],
    ["alarms.tf", 'resource "aws_cloudwatch_metric_alarm" "ip_count"', /Missing data is breaching/],
  ])("%s explains %s", (file, marker, why) => {
    // Act
    const above = commentAbove(file, marker);

    // Assess
    expect(above).toMatch(why);
  });

  it("explains the non-obvious preconditions", () => {
    // Act / Assess
    expect(tf["main.tf"]).toMatch(/# [^\n]*\n\s+precondition \{\n\s+condition += length\(distinct\(/);
  });
});
