// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform templates, not JavaScript ones.
/**
 * The examples must work against the module as it is: every argument they pass is a module variable,
 * every required variable is passed, every variable they use is declared, every module output they read
 * exists. The CDKTF example must synthesize.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "@cdktf/hcl2json";
import { Testing } from "cdktf";
import { beforeAll, describe, expect, it } from "vitest";
import { EdgeStack, settingsFromEnv } from "../../examples/cdktf-app/main.js";
import { MODULE_DIR, renderModule } from "../../modules/build/module.js";
import { INPUTS, type InputSpec } from "../../modules/inputs/index.js";

type Json = Record<string, unknown>;
type Blocks = Record<string, Record<string, Json[]>>;

const ROOT = join(import.meta.dirname, "..", "..");
const HCL_EXAMPLES = ["terraform-module", "complete", "cross-account-alb"];
const VARIABLES = (Object.values(INPUTS) as InputSpec[]).map((s) => s.variable);
const REQUIRED = (Object.values(INPUTS) as InputSpec[])
  .filter((s) => s.default === undefined)
  .map((s) => s.variable);
const META_ARGUMENTS = ["source", "version", "providers", "depends_on", "count", "for_each"];

interface Example {
  readonly dir: string;
  readonly text: string;
  readonly module: Record<string, Json[]>;
  readonly variable: Record<string, Json[]>;
  readonly resource: Blocks;
  readonly output: Record<string, Json[]>;
}

const examples: Record<string, Example> = {};
let moduleOutputs: string[] = [];

beforeAll(async () => {
  for (const name of HCL_EXAMPLES) {
    const dir = join(ROOT, "examples", name);
    const merged: Record<string, Record<string, unknown>> = {};
    let text = "";
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".tf"))
      .sort()) {
      const source = readFileSync(join(dir, file), "utf8");
      text += `${source}\n`;
      const parsed = (await parse(file, source)) as Record<string, Record<string, unknown>>;
      for (const [kind, blocks] of Object.entries(parsed)) merged[kind] = { ...merged[kind], ...blocks };
    }
    examples[name] = {
      dir,
      text,
      module: (merged.module ?? {}) as Record<string, Json[]>,
      variable: (merged.variable ?? {}) as Record<string, Json[]>,
      resource: (merged.resource ?? {}) as Blocks,
      output: (merged.output ?? {}) as Record<string, Json[]>,
    };
  }
  moduleOutputs = renderModule().outputs.map((o) => o.name);
});

describe.each(HCL_EXAMPLES)("the %s example", (name) => {
  const calls = (): [string, Json][] =>
    Object.entries(examples[name]?.module ?? {}).map(
      ([label, [block]]) => [label, block ?? {}] as [string, Json],
    );

  it("calls the module in this repository by relative path", () => {
    // Act
    const sources = calls().map(([, block]) => block.source as string);

    // Assess
    expect(sources).toEqual(["../../modules/terraform/alb-static-ip"]);
    expect(resolve(examples[name]?.dir ?? "", sources[0] ?? "")).toBe(MODULE_DIR);
    expect(existsSync(join(MODULE_DIR, "variables.tf"))).toBe(true);
  });

  it("passes only arguments the module declares, and every required one", () => {
    // Act
    const args = calls().flatMap(([, block]) =>
      Object.keys(block).filter((k) => !META_ARGUMENTS.includes(k)),
    );

    // Assess
    expect(args.filter((a) => !VARIABLES.includes(a))).toEqual([]);
    expect(REQUIRED.filter((r) => !args.includes(r))).toEqual([]);
  });

  it("declares every variable it uses, and reads only outputs the module has", () => {
    // Prepare
    const example = examples[name] as Example;

    // Act
    const used = [...new Set([...example.text.matchAll(/\bvar\.([a-z_][a-z0-9_]*)/g)].map((m) => m[1]))];
    const read = [
      ...new Set([...example.text.matchAll(/\bmodule\.alb_static_ip\.([a-z_][a-z0-9_]*)/g)].map((m) => m[1])),
    ];

    // Assess
    expect(used.filter((v) => !((v as string) in example.variable))).toEqual([]);
    expect(read.filter((o) => !moduleOutputs.includes(o as string))).toEqual([]);
  });

  it("documents every variable and output", () => {
    // Prepare
    const example = examples[name] as Example;

    // Act
    const undocumented = [...Object.entries(example.variable), ...Object.entries(example.output)]
      .filter(([, [block]]) => typeof block?.description !== "string" || block.description === "")
      .map(([n]) => n);

    // Assess
    expect(undocumented).toEqual([]);
  });
});

describe("the complete example", () => {
  const resource = (type: string, label: string): Json =>
    examples.complete?.resource[type]?.[label]?.[0] ?? {};

  it("puts an internal ALB behind the NLB with an idle timeout below the NLB's 350 s", () => {
    // Act
    const alb = resource("aws_lb", "alb");

    // Assess
    expect(alb).toMatchObject({ internal: true, load_balancer_type: "application" });
    expect(alb.idle_timeout as number).toBeLessThan(350);
    expect(resource("aws_lb_listener", "alb_http")).toMatchObject({ port: 80, protocol: "HTTP" });
  });

  it("gives the NLB one Elastic IP per AZ in two AZs", () => {
    // Act
    const nlb = resource("aws_lb", "nlb");
    const mappings = nlb.subnet_mapping as Json[];

    // Assess
    expect(nlb).toMatchObject({ internal: false, load_balancer_type: "network" });
    expect(resource("aws_eip", "nlb").count).toBe(2);
    expect(mappings.map((m) => m.allocation_id)).toEqual(["${aws_eip.nlb[0].id}", "${aws_eip.nlb[1].id}"]);
    expect(mappings.map((m) => m.subnet_id)).toEqual([
      "${aws_subnet.public[0].id}",
      "${aws_subnet.public[1].id}",
    ]);
  });

  it("has the module create an NLB listener per ALB port (80 and 443), from one function", () => {
    // Act
    const call = examples.complete?.module.alb_static_ip?.[0] ?? {};

    // Assess
    expect(call).toMatchObject({
      create_listener: true,
      nlb_arn: "${aws_lb.nlb.arn}",
      alb_dns_name: "${aws_lb.alb.dns_name}",
    });
    expect(String(call.listeners)).toContain("aws_lb_listener.alb_http.port");
    expect(String(call.listeners)).toContain("aws_lb_listener.alb_443.port");
    expect(call.alb_listener_port).toBeUndefined();
  });
});

describe("the CDKTF example", () => {
  it("synthesizes a stack with the NLB listener and the function", () => {
    // Prepare
    const settings = settingsFromEnv({
      EXAMPLE_ALB_DNS_NAME: "internal-my-alb-123.eu-west-1.elb.amazonaws.com",
      EXAMPLE_NLB_ARN:
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef",
      EXAMPLE_VPC_ID: "vpc-0123456789abcdef0",
      AWS_REGION: "eu-west-1",
    });

    // Act
    const json = JSON.parse(
      Testing.synth(
        new EdgeStack(Testing.app(), "edge", settings, { filename: "lambda.zip", sourceCodeHash: "h" }),
      ),
    );

    // Assess
    expect(Object.values(json.resource.aws_lb_listener)).toHaveLength(1);
    expect(Object.values(json.resource.aws_lambda_function)).toMatchObject([
      { function_name: "edge-static-ip" },
    ]);
    expect(json.provider.aws[0].region).toBe("eu-west-1");
  });

  it("names every missing setting", () => {
    // Act / Assess
    expect(() => settingsFromEnv({})).toThrow(/EXAMPLE_ALB_DNS_NAME, EXAMPLE_NLB_ARN, EXAMPLE_VPC_ID/);
  });
});
