/**
 * Synthesizes AlbStaticIp in "module mode" — every prop a Terraform variable, every toggle a `count` —
 * and renders it as a plain Terraform module: files by role (versions, variables, main, iam, s3, alarms,
 * outputs), no provider or backend blocks, and the function code as a committed deterministic `lambda.zip`
 * (read through `path.module`: no archive provider, no file written at plan time, so a saved plan applies in
 * a fresh job). The output depends only on the sources and the bundle, so a rebuild is byte-identical.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  App,
  Fn,
  ref,
  TerraformDataSource,
  type TerraformElement,
  TerraformLocal,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Token,
} from "cdktf";
import { resolve } from "cdktf/lib/_tokens.js";
import { AlbStaticIp, type AlbStaticIpProps, DEFAULT_LAMBDA_DIR } from "../alb-static-ip.js";
import { commentOf, preconditionComments } from "../comments.js";
import { INPUTS } from "../inputs/index.js";
import { hclString, type InputSpec, LISTENERS_TYPE } from "../inputs/spec.js";
import { STATEMENT_COMMENTS } from "../policies.js";
import {
  attribute,
  block,
  bodyFromFragment,
  type Entry,
  type NestedComments,
  renderFile,
  renderValue,
  type Value,
} from "./hcl.js";
import { moduleOutputs, type OutputSpec } from "./outputs.js";
import { renderReadme, tfDocs, withTfDocs } from "./readme.js";
import { zipFiles } from "./zip.js";

/** Version constraints of the module (lower bounds, as community modules declare them). */
export const REQUIREMENTS = Object.freeze({
  terraform: ">= 1.5.0",
  providers: {
    // nodejs24.x is accepted from 6.19.0 (hashicorp/terraform-provider-aws#44986); bindings: 6.25.0.
    aws: { source: "hashicorp/aws", version: ">= 6.19.0" },
  },
});

/** The bundle files the module ships, zipped, in `lambda.zip`, besides the chunks ({@link bundleFiles}). */
export const BUNDLE_FILES = Object.freeze(["index.mjs", "index.mjs.map"]);

/** A chunk of the split bundle (scripts/build.ts): loaded by index.mjs, e.g. the EC2 client in ENI mode. */
const CHUNK_FILE = /^chunk-[A-Z0-9]+\.mjs(\.map)?$/;

/** Every file of the bundle in `bundleDir`: index.mjs, its map, and the chunks, sorted. */
export function bundleFiles(bundleDir: string): string[] {
  return [
    ...BUNDLE_FILES,
    ...readdirSync(bundleDir)
      .filter((f) => CHUNK_FILE.test(f))
      .sort(),
  ];
}

/** The deployment package inside the module. */
export const LAMBDA_ZIP = "lambda.zip";

/** Directory of the committed module. */
export const MODULE_DIR = join(import.meta.dirname, "..", "terraform", "alb-static-ip");
/** The repository's module reference (docs/terraform-module.md): it holds the module's tables too. */
export const ROOT_README = join(import.meta.dirname, "..", "..", "docs", "terraform-module.md");

/** The module reference's text with the module's tables brought up to date. */
export function rootReadmeWithTables(readme: string = readFileSync(ROOT_README, "utf8")): string {
  return withTfDocs(readme, renderModule().rootReadmeDocs);
}

/**
 * The `moved` blocks of the upgrade from the count-based releases (one target group, listener, IP-count alarm
 * and dashboard at `[0]`) to `for_each` over `listeners`, where the one-listener shorthand is the entry
 * "default": an existing deployment plans no destroy (test/deploy/upgrade.test.ts).
 */
export const MOVED: readonly (readonly [from: string, to: string])[] = [
  "aws_lb_target_group.this",
  "aws_lb_listener.this",
  "aws_cloudwatch_metric_alarm.ip_count",
  "aws_cloudwatch_dashboard.this",
].map((address) => [`${address}[0]`, `${address}["default"]`] as const);

/** A rendered module: its text files by path, and the stack they came from (for tests). */
export interface RenderedModule {
  readonly files: Readonly<Record<string, string>>;
  readonly stack: TerraformStack;
  readonly variables: readonly InputSpec[];
  readonly outputs: readonly OutputSpec[];
  /** The terraform-docs tables for docs/terraform-module.md (level-2 headings, with the markers). */
  readonly rootReadmeDocs: string;
}

/** Which file a block goes to. */
function fileOf(kind: "resource" | "data", type: string, name: string): string {
  if (type.startsWith("aws_s3_") || (type === "aws_iam_policy_document" && name.startsWith("state_bucket"))) {
    return "s3.tf";
  }
  if (type.startsWith("aws_iam_")) return "iam.tf";
  if (type === "aws_cloudwatch_metric_alarm") return "alarms.tf";
  if (type === "aws_cloudwatch_dashboard") return "dashboard.tf";
  const mainData = [
    "aws_partition",
    "aws_region",
    "aws_caller_identity",
    "aws_lb",
    "aws_subnet",
    "aws_lb_target_group",
    "aws_vpc",
  ];
  return kind === "data" && !mainData.includes(type) ? "iam.tf" : "main.tf";
}

/** The Terraform value of a variable for the construct, by the variable's type. */
function tokenOf(spec: InputSpec, variable: TerraformVariable): unknown {
  switch (spec.kind) {
    case "string":
      return variable.stringValue;
    case "number":
      return variable.numberValue;
    case "bool":
      return variable.booleanValue;
    case "list(string)":
      return variable.listValue;
    case LISTENERS_TYPE:
      return variable.value;
    case "map(string)":
      return Token.asStringMap(variable.value);
  }
}

/** Renders the module's text files (everything but the bundle). */
export function renderModule(): RenderedModule {
  // Nothing is synthesized to disk; CDKTF still wants an output directory.
  const app = new App({ outdir: join(tmpdir(), "alb-static-ip-module-synth"), skipValidation: true });
  const stack = new TerraformStack(app, "module");

  const props: Record<string, unknown> = {};
  const variables: InputSpec[] = [];
  for (const [prop, spec] of Object.entries(INPUTS) as [string, InputSpec][]) {
    const variable = new TerraformVariable(stack, spec.variable, {
      description: spec.description,
      type: spec.kind,
      // CDKTF cannot synthesize a null default to JSON; variables.tf is rendered from the spec anyway.
      default: spec.default === null ? undefined : spec.default,
      validation: spec.validation?.map((v) => ({
        condition: `\${${v.condition}}`,
        errorMessage: v.errorMessage,
      })),
    });
    props[prop] = tokenOf(spec, variable);
    variables.push(spec);
  }

  const pathModule = Token.asString(ref("path.module"));
  const zipPath = `${pathModule}/${LAMBDA_ZIP}`;

  // Every prop is a variable token here; the construct treats tokens as plan-time values.
  const construct = new AlbStaticIp(stack, "alb_static_ip", {
    ...(props as unknown as AlbStaticIpProps),
    moduleNames: true,
    lambdaCode: { filename: zipPath, sourceCodeHash: Fn.filebase64sha256(zipPath) },
  });

  const outputs = moduleOutputs(construct);
  for (const output of outputs) {
    new TerraformOutput(stack, `output_${output.name}`, {
      value: output.value,
      description: output.description,
    }).overrideLogicalId(output.name);
  }

  const files: Record<string, Entry[]> = {
    "versions.tf": [versionsBlock()],
    "variables.tf": variables.map(variableBlock),
    "main.tf": [],
    "iam.tf": [],
    "s3.tf": [],
    "alarms.tf": [],
    "dashboard.tf": [],
    "moved.tf": MOVED.map(([from, to]) =>
      block("moved", [], [attribute("from", from, true), attribute("to", to, true)]),
    ),
    "outputs.tf": outputs.map((o) =>
      block(
        "output",
        [o.name],
        [
          attribute("description", hclLiteral(o.description), true),
          attribute("value", resolve(stack, o.value ?? null) as Value),
        ],
      ),
    ),
  };
  const locals: Entry[] = [];
  const preconditions = preconditionComments(stack);
  const nested: NestedComments = {
    precondition: (message) => preconditions.get(message),
    statement: (sid) => STATEMENT_COMMENTS[sid],
  };
  for (const element of stack.node.findAll() as TerraformElement[]) {
    if (element instanceof TerraformLocal) {
      const fragment = resolve(stack, element.toHclTerraform()) as {
        locals: Record<string, { value: Value }>;
      };
      for (const [name, local] of Object.entries(fragment.locals))
        locals.push(attribute(name, local.value, false, commentOf(element)));
    } else if (element instanceof TerraformResource || element instanceof TerraformDataSource) {
      const kind = element instanceof TerraformResource ? "resource" : "data";
      const fragment = resolve(stack, element.toHclTerraform()) as Record<
        string,
        Record<string, Record<string, Record<string, unknown>>>
      >;
      const byType = fragment[kind] ?? {};
      for (const [type, byName] of Object.entries(byType)) {
        for (const [name, attributes] of Object.entries(byName)) {
          files[fileOf(kind, type, name)]?.push(
            block(kind, [type, name], bodyFromFragment(attributes, nested), commentOf(element)),
          );
        }
      }
    }
  }
  if (locals.length > 0) files["main.tf"]?.unshift(block("locals", [], locals));

  const rendered: Record<string, string> = {};
  for (const [path, blocks] of Object.entries(files)) {
    if (blocks.length > 0) rendered[path] = renderFile(blocks);
  }
  const docsInputs = { variables, outputs, files: rendered, requirements: REQUIREMENTS };
  rendered["README.md"] = renderReadme(docsInputs);
  return { files: rendered, stack, variables, outputs, rootReadmeDocs: tfDocs(docsInputs, 2) };
}

/** `terraform { required_version, required_providers }`. */
function versionsBlock(): Entry {
  const providers = Object.entries(REQUIREMENTS.providers).map(([name, p]) =>
    attribute(
      name,
      `{\n      source  = ${hclString(p.source)}\n      version = ${hclString(p.version)}\n    }`,
      true,
    ),
  );
  return block(
    "terraform",
    [],
    [
      attribute("required_version", hclLiteral(REQUIREMENTS.terraform), true),
      block("required_providers", [], providers),
    ],
  );
}

/** `variable "x" { description, type, default, nullable, validation }` in the community modules' order. */
function variableBlock(spec: InputSpec): Entry {
  const body: Entry[] = [
    attribute("description", hclLiteral(spec.description), true),
    attribute("type", spec.kind, true),
  ];
  if (spec.default !== undefined) body.push(attribute("default", literalValue(spec.default), true));
  // A null from a wrapper module means "the default", not a null value the resources would choke on.
  if (spec.default !== null && spec.nullable !== true) body.push(attribute("nullable", "false", true));
  for (const v of spec.validation ?? []) {
    body.push(
      block(
        "validation",
        [],
        [
          attribute("condition", v.condition, true),
          attribute("error_message", hclLiteral(v.errorMessage), true),
        ],
      ),
    );
  }
  return block("variable", [spec.variable], body);
}

/** A literal (never interpolated) HCL value for a variable default. */
export function literalValue(value: InputSpec["default"]): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return hclLiteral(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => hclLiteral(v)).join(", ")}]`;
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return renderValue(Object.fromEntries(entries.map(([k, v]) => [k, v.replace(/\$\{/g, "$${")])), 1);
}

function hclLiteral(value: string): string {
  return hclString(value);
}

/** The deterministic deployment package of the bundle in `bundleDir`. */
export function lambdaZip(bundleDir: string = DEFAULT_LAMBDA_DIR): Buffer {
  return zipFiles(
    bundleFiles(bundleDir).map((name) => ({ name, data: readFileSync(join(bundleDir, name)) })),
  );
}

/**
 * Writes the module into `outDir`: the rendered files plus the bundle copied from `bundleDir`.
 * Generated files from an earlier build are removed first; nothing else in `outDir` is touched.
 * Returns the written paths, relative to `outDir`, sorted.
 */
export function buildModule(outDir: string, bundleDir: string = DEFAULT_LAMBDA_DIR): string[] {
  const missing = BUNDLE_FILES.filter((f) => !existsSync(join(bundleDir, f)));
  if (missing.length > 0) {
    throw new Error(
      `The Lambda bundle is missing in ${bundleDir} (${missing.join(", ")}). Run "npm run build" first, then "npm run build:module".`,
    );
  }
  const { files } = renderModule();
  mkdirSync(outDir, { recursive: true });
  for (const entry of readdirSync(outDir)) {
    if (entry.endsWith(".tf") || entry === "README.md" || entry === "lambda" || entry === LAMBDA_ZIP) {
      rmSync(join(outDir, entry), { recursive: true, force: true });
    }
  }
  const written: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    writeFileSync(join(outDir, path), text);
    written.push(path);
  }
  writeFileSync(join(outDir, LAMBDA_ZIP), lambdaZip(bundleDir));
  written.push(LAMBDA_ZIP);
  return written.sort();
}
