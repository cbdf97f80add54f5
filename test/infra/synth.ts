/**
 * Test helpers: synthesize an AlbStaticIp stack with CDKTF's Testing API and read the JSON.
 */
import { TerraformStack, Testing } from "cdktf";
import { AlbStaticIp, type AlbStaticIpProps } from "../../modules/alb-static-ip.js";

export type Json = Record<string, unknown>;

export interface Synthesized {
  /** The raw JSON string, for Testing.toHaveResourceWithProperties. */
  readonly text: string;
  readonly json: {
    resource: Record<string, Record<string, Json>>;
    data: Record<string, Record<string, Json>>;
  };
  readonly construct: AlbStaticIp;
}

/** Props every test starts from: required inputs and a fixed package (no dependency on dist/). */
export const BASE: AlbStaticIpProps = Object.freeze({
  albDnsName: "internal-my-alb-1234567890.us-east-1.elb.amazonaws.com",
  albListenerPort: 443,
  vpcId: "vpc-0123456789abcdef0",
  lambdaCode: { filename: "lambda.zip", sourceCodeHash: "hash-of-lambda-zip" },
});

export const TG_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/existing-tg/0123456789abcdef";
export const NLB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef";

/** Synthesizes one construct with `BASE` overridden by `props`. */
export function synth(props: Partial<AlbStaticIpProps> = {}): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  const construct = new AlbStaticIp(stack, "alb_static_ip", { ...BASE, ...props });
  const text = Testing.synth(stack);
  const json = JSON.parse(text) as Synthesized["json"];
  json.resource ??= {};
  json.data ??= {};
  return { text, json, construct };
}

/** All instances of a resource type (or data source type with `data: true`). */
export function all(s: Synthesized, type: string, data = false): Json[] {
  return Object.values((data ? s.json.data : s.json.resource)[type] ?? {});
}

/** The single instance of a resource type; fails the test when there is not exactly one. */
export function one(s: Synthesized, type: string, data = false): Json {
  const found = all(s, type, data);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0] as Json;
}

/** The data source `aws_iam_policy_document` of the construct named `name` (its logical id is `alb_static_ip_<name>_<hash>`). */
export function policyDocument(s: Synthesized, name: string): Json {
  const pattern = new RegExp(`^alb_static_ip_${name}_[0-9A-F]{8}$`);
  const entries = Object.entries(s.json.data.aws_iam_policy_document ?? {}).filter(([id]) =>
    pattern.test(id),
  );
  if (entries.length !== 1)
    throw new Error(`expected one policy document named ${name}, found ${entries.length}`);
  return (entries[0] as [string, Json])[1];
}

/** `${aws_x.<id>.attr}` of the single resource of `type`. */
export function refTo(s: Synthesized, type: string, attribute: string): string {
  const id = Object.keys(s.json.resource[type] ?? {})[0];
  return `\${${type}.${id}.${attribute}}`;
}

/** `${data.aws_x.<id>.attr}` of the single data source of `type`. */
export function dataRefTo(s: Synthesized, type: string, attribute: string): string {
  const id = Object.keys(s.json.data[type] ?? {})[0];
  return `\${data.${type}.${id}.${attribute}}`;
}

/** The statements of the function's policy document. */
export function functionStatements(
  s: Synthesized,
): { sid: string; resources?: string[]; [key: string]: unknown }[] {
  return (policyDocument(s, "policy_document") as { statement: { sid: string; resources?: string[] }[] })
    .statement;
}

/** The function's environment variables. */
export function envOf(s: Synthesized): Record<string, string> {
  const fn = one(s, "aws_lambda_function") as { environment: { variables: Record<string, string> } };
  return fn.environment.variables;
}
