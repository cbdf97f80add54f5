// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform templates, not JavaScript ones.
/**
 * The generated Terraform module: read back with @cdktf/hcl2json, it must hold exactly what CDKTF
 * synthesizes for the same stack, declare what a hand-kept module declares, and nothing CDKTF-specific.
 */
import { parse } from "@cdktf/hcl2json";
import { Testing } from "cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { REQUIREMENTS, type RenderedModule, renderModule } from "../../modules/build/module.js";
import { INPUTS, type InputSpec } from "../../modules/inputs/index.js";

type Json = Record<string, unknown>;

let module: RenderedModule;
let hcl: Record<string, Json>;
let merged: Json;
let cdktf: Json;

beforeAll(async () => {
  module = renderModule();
  hcl = {};
  merged = {};
  for (const [path, text] of Object.entries(module.files)) {
    if (!path.endsWith(".tf")) continue;
    const parsed = (await parse(path, text)) as Json;
    hcl[path] = parsed;
    for (const [kind, value] of Object.entries(parsed)) {
      merged[kind] = mergeDeep(merged[kind], value);
    }
  }
  cdktf = JSON.parse(Testing.synth(module.stack)) as Json;
});

function mergeDeep(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isObject(a) && isObject(b)) {
    const out: Json = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeDeep(out[k], v) : v;
    return out;
  }
  return b ?? a;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * An expression without what its layout adds (build/layout.ts): line breaks and indentation, trailing commas and
 * the parentheses around a broken conditional or && chain; outside string literals, white space, commas and
 * parentheses are dropped (on both sides, so only a change of content can tell the two apart).
 */
function withoutLayout(value: string): string {
  let out = "";
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i] as string;
    if (quoted && c === "\\") {
      out += value.slice(i, i + 2);
      i += 1;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && /[\s,()]/.test(c)) continue;
    out += c;
  }
  return out;
}

/**
 * One shape for both sides: blocks (arrays of one object) unwrapped, null values and CDKTF metadata dropped,
 * the two spots where HCL and JSON spell a reference differently (depends_on, dynamic iterator) aligned, and
 * expressions compared without their layout.
 */
function normalize(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v, key));
    if (key === "depends_on" || key === "iterator")
      return items.map((i) => String(i).replace(/^\$\{(.*)\}$/, "$1"));
    return items.length === 1 && isObject(items[0]) ? items[0] : items;
  }
  if (isObject(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "//" || v === null || v === undefined) continue;
      out[k] = normalize(v, k);
    }
    return out;
  }
  if (typeof value === "string" && key === "iterator") return value.replace(/^\$\{(.*)\}$/, "$1");
  // The HCL has terraform fmt's `{ "K" = v }` and `[for k, v in x : e]` where CDKTF writes `{"K" = v}` and
  // `[ for k, v in x: e]`, and long expressions laid out over lines.
  if (typeof value === "string") return withoutLayout(value);
  return value;
}

describe("the generated module, read back from HCL", () => {
  it.each(["resource", "data", "locals", "output"])(
    "holds exactly the %s blocks CDKTF synthesizes",
    (kind) => {
      // Act
      const fromHcl = normalize(
        kind === "locals" ? Object.assign({}, ...(merged.locals as Json[])) : merged[kind],
      );
      const fromCdktf = normalize(cdktf[kind]);

      // Assess
      expect(fromHcl).toEqual(fromCdktf);
    },
  );

  it("declares every prop as a variable with its description, type and default, in order", () => {
    // Act
    const variables = merged.variable as Record<string, Json[]>;

    // Assess
    const order = [...(module.files["variables.tf"] ?? "").matchAll(/^variable "([^"]+)"/gm)].map(
      (m) => m[1],
    );
    expect(order).toEqual(Object.values(INPUTS).map((s) => s.variable));
    expect(Object.keys(variables).sort()).toEqual([...order].sort());
    for (const spec of Object.values(INPUTS) as InputSpec[]) {
      const declared = variables[spec.variable]?.[0] ?? {};
      expect(declared.description, spec.variable).toBe(spec.description);
      expect(declared.type, spec.variable).toBe(`\${${spec.kind}}`);
      if (spec.default === undefined) expect(declared, spec.variable).not.toHaveProperty("default");
      else expect(declared.default, spec.variable).toEqual(spec.default);
      expect(normalize(declared.validation ?? []), spec.variable).toEqual(
        normalize(
          (spec.validation ?? []).map((v) => ({
            condition: `\${${v.condition}}`,
            error_message: v.errorMessage,
          })),
        ),
      );
    }
  });

  it("gives every output a description", () => {
    // Act
    const outputs = merged.output as Record<string, Json[]>;

    // Assess
    expect(Object.keys(outputs).sort()).toEqual(module.outputs.map((o) => o.name).sort());
    for (const [name, [output]] of Object.entries(outputs)) expect(output?.description, name).toMatch(/\S/);
  });

  it("has no provider, backend or cloud block and no CDKTF leftovers", () => {
    // Act
    const text = Object.values(module.files).join("\n");
    const terraform = (merged.terraform as Json[])[0] ?? {};

    // Assess
    expect(merged).not.toHaveProperty("provider");
    expect(terraform).not.toHaveProperty("backend");
    expect(terraform).not.toHaveProperty("cloud");
    expect(text).not.toMatch(/TfToken|cdktf\.out|"\/\/"|\/work\/|uniqueId/);
  });

  it("declares Terraform and provider lower bounds that fit the bindings it was generated from", () => {
    // Act
    const terraform = (merged.terraform as Json[])[0] ?? {};
    const providers = ((terraform.required_providers as Json[])[0] ?? {}) as Record<string, Json>;

    // Assess
    expect(terraform.required_version).toBe(">= 1.5.0");
    expect(providers.aws).toEqual({ source: "hashicorp/aws", version: REQUIREMENTS.providers.aws.version });
    // No archive provider: the module ships its zip, so a saved plan applies in a fresh job.
    expect(Object.keys(providers)).toEqual(["aws"]);
    // The bindings are generated from hashicorp/aws 6.25.0: the lower bound must not be above it.
    expect(REQUIREMENTS.providers.aws.version).toMatch(/^>= 6\.(1[9]|2[0-5])\.0$/);
  });

  it("deploys the committed lambda.zip through path.module, with no data source writing files at plan time", () => {
    // Act
    const fn = ((merged.resource as Json).aws_lambda_function as Record<string, Json[]>).this?.[0];

    // Assess
    expect((merged.data as Json).archive_file).toBeUndefined();
    expect(fn).toMatchObject({
      filename: "${path.module}/lambda.zip",
      source_code_hash: '${filebase64sha256("${path.module}/lambda.zip")}',
    });
  });

  it.each([
    ["aws_lb_target_group", "this", "for_each", "${local.target_groups_created}"],
    ["aws_lb_listener", "this", "for_each", "${local.listeners_created}"],
    ["aws_s3_bucket", "state", "count", "${local.create_state_bucket ? 1 : 0}"],
    ["aws_s3_bucket_policy", "state", "count", "${local.create_state_bucket ? 1 : 0}"],
    ["aws_iam_role", "this", "count", "${local.create_role ? 1 : 0}"],
    ["aws_cloudwatch_log_group", "this", "count", "${local.create_log_group ? 1 : 0}"],
    ["aws_lambda_function", "this", "count", "${var.create ? 1 : 0}"],
    ["aws_cloudwatch_event_rule", "schedule", "count", "${var.create ? 1 : 0}"],
    [
      "aws_cloudwatch_metric_alarm",
      "ip_count",
      "for_each",
      "${local.create_ip_count_alarm ? local.target_group_arns : {}}",
    ],
  ])("creates %s.%s only when its toggle says so (%s)", (type, name, meta, value) => {
    // Act
    const resource = ((merged.resource as Json)[type] as Record<string, Json[]>)[name]?.[0];

    // Assess
    expect(resource?.[meta]).toBe(value);
  });

  it.each([
    ["create_state_bucket", "(var.create && var.create_state_bucket)"],
    ["create_role", "(var.create && var.create_role)"],
    ["create_log_group", "(var.create && var.create_log_group)"],
    ["create_ip_count_alarm", "(var.create && (var.create_ip_count_alarm && local.metrics_published))"],
    [
      "create_outside_allowed_cidrs_alarm",
      "(var.create && ((var.create_outside_allowed_cidrs_alarm && local.metrics_published) && !var.allow_any_target_cidr))",
    ],
    ["create_dashboard", "(var.create && var.create_dashboard)"],
  ])("decides %s once, under the master switch, in a commented local", (name, definition) => {
    // Act
    const locals = Object.assign({}, ...(merged.locals as Json[])) as Record<string, string>;
    const main = module.files["main.tf"] ?? "";

    // Assess
    expect(withoutLayout(locals[name] ?? "")).toBe(withoutLayout(`\${${definition}}`));
    expect(main).toMatch(new RegExp(`  # [^\\n]*\\n(  # [^\\n]*\\n)*  ${name} = `));
  });

  it("creates the target groups and listeners of the entries that ask for them, the shorthand as entry default", () => {
    // Act
    const locals = Object.assign({}, ...(merged.locals as Json[])) as Record<string, string>;

    // Assess
    expect(locals.target_groups_created).toBe(
      "${{ for k, l in local.listeners : k => l if var.create && l.create_target_group }}",
    );
    expect(locals.listeners_created).toBe(
      "${{ for k, l in local.listeners : k => l if var.create && l.create_listener }}",
    );
    expect(withoutLayout(locals.listeners ?? "")).toContain(
      withoutLayout(
        "local.listeners_shorthand ? tomap({ default = { port = var.alb_listener_port, create_target_group = var.create_target_group",
      ),
    );
  });

  it("moves the count-based resources of earlier releases to the entry default (no destroy on upgrade)", () => {
    // Act
    const moved = module.files["moved.tf"] ?? "";

    // Assess
    for (const address of [
      "aws_lb_target_group.this",
      "aws_lb_listener.this",
      "aws_cloudwatch_metric_alarm.ip_count",
      "aws_cloudwatch_dashboard.this",
    ]) {
      expect(moved).toContain(`from = ${address}[0]\n  to   = ${address}["default"]`);
    }
  });

  it("checks at plan time what the toggles require (preconditions)", () => {
    // Act
    const text = Object.values(module.files).join("\n");

    // Assess
    for (const message of [
      "target_group_arn is required when create_target_group is false.",
      "state_bucket_name is required when create_state_bucket is false.",
      "nlb_arn is required when create_listener is true",
      "vpc_id is required when create_target_group is true",
      "alb_listener_port is required unless listeners is set.",
      "listeners replaces alb_listener_port and target_group_arn",
      "Two listeners entries create an NLB listener on the same port",
    ]) {
      expect(text).toContain(message);
    }
  });

  it("renders the same files twice (deterministic)", () => {
    // Act
    const again = renderModule();

    // Assess
    expect(again.files).toEqual(module.files);
  });
});

describe("the module's variable validations", () => {
  /** The RE2 pattern inside `can(regex("…", var.x))`, as a JavaScript RegExp (same syntax for these). */
  function patternOf(variable: string): RegExp {
    const spec = (Object.values(INPUTS) as InputSpec[]).find((s) => s.variable === variable);
    const condition = spec?.validation?.[0]?.condition ?? "";
    // The pattern is one string literal, or a long one cut into `join("", ["…", "…"])`.
    const literal = '"(?:[^"\\\\]|\\\\.)*"';
    const argument = new RegExp(`regex\\((join\\("", \\[(?:${literal}(?:, )?)+\\]\\)|${literal})`).exec(
      condition,
    )?.[1];
    if (argument === undefined) throw new Error(`no regex in the validation of ${variable}`);
    const literals = argument.startsWith("join") ? argument.slice(10) : argument;
    const parts = [...literals.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(
      (m) => JSON.parse(`"${m[1]}"`) as string,
    );
    return new RegExp(parts.join(""));
  }

  it.each([
    ["name", ["alb-static-ip", "a", "edge-443"], ["Bad_Name", "-x", "x-", "a".repeat(33)]],
    [
      "alb_dns_name",
      ["internal-a-1.us-east-1.elb.amazonaws.com", "x.elb.amazonaws.com."],
      ["example.com", ""],
    ],
    ["vpc_id", ["vpc-0123456789abcdef0", "vpc-12345678"], ["vpc-XYZ", "subnet-12345678"]],
    [
      "target_group_arn",
      [
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef",
        // Partitions beyond aws, aws-cn and aws-us-gov (ISO and the European sovereign cloud).
        "arn:aws-iso-e:elasticloadbalancing:eu-isoe-west-1:123456789012:targetgroup/tg/0123456789abcdef",
        "arn:aws-iso-f:elasticloadbalancing:us-isof-south-1:123456789012:targetgroup/tg/0123456789abcdef",
        "arn:aws-eusc:elasticloadbalancing:eusc-de-east-1:123456789012:targetgroup/tg/0123456789abcdef",
      ],
      ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/n/0123456789abcdef", "tg"],
    ],
    [
      "nlb_arn",
      [
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef",
        "arn:aws-eusc:elasticloadbalancing:eusc-de-east-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef",
      ],
      ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef"],
    ],
    ["state_bucket_name", ["my-bucket", "a.b-c"], ["My_Bucket", "ab"]],
    ["runtime", ["nodejs24.x", "nodejs26.x"], ["nodejs22.x", "python3.13"]],
    [
      "schedule_expression",
      ["rate(1 minute)", "rate(5 minutes)", "rate(2 hours)", "rate(1 day)"],
      // EventBridge's grammatical number (1 minute, N minutes), and no cron (the alarms need the interval).
      ["every minute", "rate(0 minutes)", "rate(1 minutes)", "rate(5 minute)", "cron(not a cron)"],
    ],
    ["state_key_prefix", ["alb-static-ip/", "", "a/b/"], ["no-slash", "/lead"]],
    ["metric_namespace", ["ALBStaticIP", "Edge/Static_IP"], ["has space"]],
  ])("%s accepts good values and rejects bad ones", (variable, good, bad) => {
    // Prepare
    const pattern = patternOf(variable);

    // Act / Assess
    for (const value of good)
      expect(pattern.test(value), `${variable} should accept ${JSON.stringify(value)}`).toBe(true);
    for (const value of bad)
      expect(pattern.test(value), `${variable} should reject ${JSON.stringify(value)}`).toBe(false);
  });

  it("accepts every default it declares (checked for the regex validations)", () => {
    // Act
    const failing = (Object.values(INPUTS) as InputSpec[])
      .filter((s) => typeof s.default === "string" && s.validation?.[0]?.condition.includes("regex("))
      .filter((s) => !patternOf(s.variable).test(s.default as string))
      .map((s) => s.variable);

    // Assess
    expect(failing).toEqual([]);
  });

  it("bounds every number variable (ports, counts, sizes)", () => {
    // Act
    const unbounded = (Object.values(INPUTS) as InputSpec[])
      .filter(
        (s) =>
          s.kind === "number" &&
          !(s.validation ?? []).some((v) => /[<>]=?/.test(v.condition) || v.condition.includes("contains(")),
      )
      .map((s) => s.variable);

    // Assess
    expect(unbounded).toEqual([]);
  });
});

describe("the module README", () => {
  it("lists every input and output between the terraform-docs markers", () => {
    // Act
    const readme = module.files["README.md"] ?? "";
    const docs = readme.slice(
      readme.indexOf("<!-- BEGIN_TF_DOCS -->"),
      readme.indexOf("<!-- END_TF_DOCS -->"),
    );

    // Assess
    expect(docs.length).toBeGreaterThan(100);
    for (const spec of Object.values(INPUTS) as InputSpec[]) expect(docs).toContain(`| ${spec.variable} |`);
    for (const output of module.outputs) expect(docs).toContain(`| ${output.name} |`);
  });

  it("has a usage block that passes every required variable and only known ones", async () => {
    // Prepare
    const readme = module.files["README.md"] ?? "";
    const usage = /```hcl\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";

    // Act
    const parsed = (await parse("usage.tf", usage)) as { module: Record<string, Json[]> };
    const args = Object.keys(parsed.module.alb_static_ip?.[0] ?? {}).filter((k) => k !== "source");
    const variables = (Object.values(INPUTS) as InputSpec[]).map((s) => s.variable);
    const required = (Object.values(INPUTS) as InputSpec[])
      .filter((s) => s.default === undefined)
      .map((s) => s.variable);

    // Assess
    expect(args.filter((a) => !variables.includes(a))).toEqual([]);
    expect(required.filter((r) => !args.includes(r))).toEqual([]);
  });
});
