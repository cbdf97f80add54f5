/**
 * The CDKTF app: one stack, `alb-static-ip`, with the AWS provider, an optional S3 backend and the
 * AlbStaticIp construct. Inputs come from environment variables (ALB_STATIC_IP_*) or, when unset, from the
 * `context` of cdktf.json.
 *
 *   npm run synth                         # offline; placeholder inputs when none are set (says so)
 *   npx cdktf-cli@0.21.0 deploy           # needs Terraform and AWS credentials; placeholders refused
 *
 * Placeholders are refused when ALB_STATIC_IP_REQUIRE_INPUTS=true or when run by the cdktf CLI (which sets
 * CDKTF_OUTDIR), so a deploy can never create a stack for a made-up ALB.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { App, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { ensureBundle } from "./modules/build/bundle.js";
import { AlbStaticIp, type AlbStaticIpProps } from "./modules/index.js";

/** Where an input comes from: environment variable and cdktf.json context key. */
export const INPUT_SOURCES = Object.freeze({
  albDnsName: "ALB_STATIC_IP_ALB_DNS_NAME",
  albListenerPort: "ALB_STATIC_IP_LISTENER_PORT",
  vpcId: "ALB_STATIC_IP_VPC_ID",
  name: "ALB_STATIC_IP_NAME",
  targetGroupArn: "ALB_STATIC_IP_TARGET_GROUP_ARN",
  nlbArn: "ALB_STATIC_IP_NLB_ARN",
  stateBucketName: "ALB_STATIC_IP_STATE_BUCKET_NAME",
  alarmActions: "ALB_STATIC_IP_ALARM_ACTIONS",
  region: "AWS_REGION",
  backendBucket: "ALB_STATIC_IP_TFSTATE_BUCKET",
  backendKey: "ALB_STATIC_IP_TFSTATE_KEY",
  backendRegion: "ALB_STATIC_IP_TFSTATE_REGION",
  backendLockTable: "ALB_STATIC_IP_TFSTATE_LOCK_TABLE",
} as const);

export type InputName = keyof typeof INPUT_SOURCES;

/** Placeholders for an offline `npm run synth`: obviously fake, rejected by AWS if ever applied. */
export const PLACEHOLDERS = Object.freeze({
  albDnsName: "internal-example-alb-1234567890.us-east-1.elb.amazonaws.com",
  albListenerPort: "443",
  vpcId: "vpc-00000000000000000",
});

export interface BackendSettings {
  readonly bucket: string;
  readonly key: string;
  readonly region: string | undefined;
  readonly lockTable: string | undefined;
}

export interface AppInputs {
  readonly construct: Omit<AlbStaticIpProps, "lambdaCode" | "moduleNames">;
  readonly region: string | undefined;
  readonly backend: BackendSettings | undefined;
  /** Inputs that were missing and replaced by placeholders. */
  readonly placeholders: readonly InputName[];
  readonly tags: Readonly<Record<string, string>> | undefined;
}

/**
 * Reads the app's inputs: environment first, then cdktf.json context. Throws one error listing every
 * missing or malformed input when `strict`; otherwise fills the required ones with placeholders.
 *
 * @example
 * readInputs(process.env, { albListenerPort: 443 }, false)
 */
export function readInputs(
  env: Readonly<Record<string, string | undefined>>,
  context: Readonly<Record<string, unknown>>,
  strict: boolean,
): AppInputs {
  const problems: string[] = [];
  const placeholders: InputName[] = [];
  const read = (input: InputName): string | undefined => {
    const fromEnv = env[INPUT_SOURCES[input]]?.trim();
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
    const fromContext = context[input];
    if (fromContext === undefined || fromContext === null || fromContext === "") return undefined;
    return Array.isArray(fromContext) ? fromContext.join(",") : String(fromContext);
  };
  const required = (input: keyof typeof PLACEHOLDERS): string => {
    const value = read(input);
    if (value !== undefined) return value;
    if (strict) {
      problems.push(`${INPUT_SOURCES[input]} (or context.albStaticIp.${input} in cdktf.json) is required`);
    } else {
      placeholders.push(input);
    }
    return PLACEHOLDERS[input];
  };

  const albDnsName = required("albDnsName");
  const portText = required("albListenerPort");
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(
      `${INPUT_SOURCES.albListenerPort} ${JSON.stringify(portText)}: expected a port from 1 to 65535`,
    );
  }
  const targetGroupArn = read("targetGroupArn");
  const vpcId = targetGroupArn === undefined ? required("vpcId") : read("vpcId");
  const nlbArn = read("nlbArn");
  const stateBucketName = read("stateBucketName");
  const alarmActions = read("alarmActions")
    ?.split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  const backendBucket = read("backendBucket");
  const region = read("region");
  if (problems.length > 0) {
    throw new Error(
      `alb-static-ip: cannot synthesize the stack:\n  - ${problems.join("\n  - ")}\n` +
        "Set the environment variables (or the cdktf.json context keys) and run again.",
    );
  }
  const tags = context.tags;
  return {
    construct: {
      albDnsName,
      albListenerPort: port,
      vpcId,
      name: read("name"),
      createTargetGroup: targetGroupArn === undefined,
      targetGroupArn,
      nlbArn,
      createStateBucket: stateBucketName === undefined,
      stateBucketName,
      alarmActions,
    },
    region,
    backend:
      backendBucket === undefined
        ? undefined
        : {
            bucket: backendBucket,
            key: read("backendKey") ?? "alb-static-ip/terraform.tfstate",
            region: read("backendRegion") ?? region,
            lockTable: read("backendLockTable"),
          },
    placeholders,
    tags: typeof tags === "object" && tags !== null ? (tags as Record<string, string>) : undefined,
  };
}

/** The deployable stack. */
export class AlbStaticIpStack extends TerraformStack {
  readonly albStaticIp: AlbStaticIp;

  constructor(scope: Construct, id: string, inputs: AppInputs, lambdaCode?: AlbStaticIpProps["lambdaCode"]) {
    super(scope, id);
    new AwsProvider(this, "aws", {
      region: inputs.region,
      defaultTags: inputs.tags === undefined ? undefined : [{ tags: { ...inputs.tags } }],
    });
    if (inputs.backend !== undefined) {
      const backend = new S3Backend(this, {
        bucket: inputs.backend.bucket,
        key: inputs.backend.key,
        region: inputs.backend.region,
        encrypt: true,
        dynamodbTable: inputs.backend.lockTable,
      });
      // S3-native state locking (Terraform >= 1.10) unless a DynamoDB lock table is given.
      if (inputs.backend.lockTable === undefined) backend.addOverride("use_lockfile", true);
    }
    this.albStaticIp = new AlbStaticIp(this, "alb_static_ip", { ...inputs.construct, lambdaCode });
    const outputs: [string, string | undefined][] = [
      ["target_group_arn", this.albStaticIp.targetGroupArn],
      ["function_name", this.albStaticIp.functionName],
      ["state_bucket_name", this.albStaticIp.stateBucketName],
      ["errors_alarm_arn", this.albStaticIp.errorsAlarmArn],
      ["ip_count_alarm_arn", this.albStaticIp.ipCountAlarmArn],
    ];
    for (const [name, value] of outputs) {
      if (value !== undefined) new TerraformOutput(this, name, { value });
    }
  }
}

/**
 * The `context` of cdktf.json. The cdktf CLI passes it in CDKTF_CONTEXT_JSON; `npm run synth` runs this file
 * directly, so it is read here.
 */
export function cdktfJsonContext(dir: string = import.meta.dirname): Record<string, unknown> {
  const path = join(dir, "cdktf.json");
  if (!existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

/** Builds the app from the process environment and cdktf.json context (used when run directly). */
export function main(env: Readonly<Record<string, string | undefined>> = process.env): App {
  const app = new App({
    skipValidation: true,
    context: env.CDKTF_CONTEXT_JSON === undefined ? cdktfJsonContext() : undefined,
  });
  const strict =
    ["1", "true"].includes(env.ALB_STATIC_IP_REQUIRE_INPUTS ?? "") || env.CDKTF_OUTDIR !== undefined;
  const context = (app.node.tryGetContext("albStaticIp") ?? {}) as Record<string, unknown>;
  const inputs = readInputs(env, context, strict);
  if (inputs.placeholders.length > 0) {
    console.warn(
      `alb-static-ip: synthesized with PLACEHOLDER inputs for ${inputs.placeholders.map((p) => INPUT_SOURCES[p]).join(", ")}. ` +
        "Fine for a look at the Terraform JSON; set real values before deploying (deploy refuses placeholders).",
    );
  }
  ensureBundle();
  new AlbStaticIpStack(app, "alb-static-ip", inputs);
  app.synth();
  console.log(`alb-static-ip: synthesized to ${app.outdir}/stacks/alb-static-ip`);
  return app;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
