/**
 * The deploy scenario shared by the module, complete-example and CDKTF tests: init, validate, apply, run the
 * deployed function twice, re-plan, destroy, and check that nothing is left.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  ListObjectVersionsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { expect } from "vitest";
import { startDnsServer } from "../../sim/dns.js";
import { startFunction } from "../../sim/lambda-runtime.js";
import {
  type DeployedFunction,
  isLoggingConfigEcho,
  type Moto,
  type PlannedChange,
  plannedChanges,
  REGION,
  readDeployedFunction,
  type TfResult,
} from "./harness.js";

type Terraform = (dir: string, args: readonly string[], timeoutMs?: number) => TfResult;

/** What one scenario measured, for the report. */
export interface ScenarioReport {
  readonly resourcesApplied: number;
  readonly applyMs: number;
  readonly planMs: number;
  readonly destroyMs: number;
  readonly registered: readonly string[];
  /** The function as Lambda's API described it after apply. */
  readonly deployed: Pick<DeployedFunction, "role" | "tracingMode" | "tags" | "reservedConcurrency">;
}

const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

function ok(result: TfResult, what: string): TfResult {
  expect(result.status, `${what} failed:\n${result.stderr}\n${result.stdout.slice(-3000)}`).toBe(0);
  return result;
}

/** `terraform output -json` as plain values. */
function outputs(tf: Terraform, dir: string): Record<string, unknown> {
  const raw = JSON.parse(ok(tf(dir, ["output", "-json"]), "terraform output").stdout) as Record<
    string,
    { value: unknown }
  >;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.value]));
}

/** What moto holds, by kind (test/deploy/inventory.py); with `roleArn`, in that role's account. */
export function inventory(moto: Moto, roleArn?: string): Record<string, string[]> {
  const script = new URL("./inventory.py", import.meta.url).pathname;
  const args = roleArn === undefined ? [script, moto.endpoint] : [script, moto.endpoint, roleArn];
  const result = spawnSync("python3", args, { encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) throw new Error(`inventory failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, string[]>;
}

/** The scenario's inputs. */
export interface ScenarioOptions {
  readonly tf: Terraform;
  readonly moto: Moto;
  readonly dir: string;
  readonly scratch: string;
  /** Output names of the function, target group ARN and state bucket in this root. */
  readonly outputNames: { fn: string; targetGroupArn: string; bucket: string };
  /** IPs the sim DNS server answers for the ALB name (inside the target group's VPC). */
  readonly albIps: readonly string[];
  /** Arguments of an apply before destroy (the documented way to delete the state bucket with its state). */
  readonly beforeDestroy?: readonly string[];
  /** Delete every object version first (docs/operations.md's other way to destroy the state bucket). */
  readonly emptyBucketBeforeDestroy?: boolean;
  /** Extra arguments of destroy (the same -var values). */
  readonly destroyArgs?: readonly string[];
  /** Checks the log lines of the deployed function's first run (it succeeded). */
  readonly checkFirstRun?: (logs: readonly string[]) => void;
}

/** Runs the whole scenario; fails the test on anything but the named moto gaps. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const { tf, moto, dir } = options;
  const before = inventory(moto);
  ok(tf(dir, ["init", "-input=false", "-no-color"]), "terraform init");
  ok(tf(dir, ["validate", "-no-color"]), "terraform validate");
  const apply = ok(tf(dir, ["apply", "-auto-approve", "-no-color", "-parallelism=20"]), "terraform apply");
  const added = /Resources: (\d+) added/.exec(apply.stdout);
  const resourcesApplied = Number(added?.[1] ?? 0);
  const out = outputs(tf, dir);
  const functionName = String(out[options.outputNames.fn]);
  const targetGroupArn = String(out[options.outputNames.targetGroupArn]);
  const bucket = String(out[options.outputNames.bucket]);

  const s3 = new S3Client({
    region: REGION,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
  const elbv2 = new ElasticLoadBalancingV2Client({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: CREDENTIALS,
  });
  // MOTO GAP bucket-policy conditions: moto ignores Conditions, so the TLS-only Deny would deny every
  // request. Removed after apply and not put back: the second plan may (only) want to create it again.
  const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
  expect(policy).toContain("aws:SecureTransport");
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));

  const { deployed, container, stop } = await startDeployedFunction(
    moto,
    functionName,
    options.scratch,
    options.albIps,
  );
  let registered: string[] = [];
  try {
    const first = await container.invoke<{ ok: boolean }>({});
    expect(first.ok, `first run failed: ${JSON.stringify(first.error)}\n${first.logs.join("\n")}`).toBe(true);
    options.checkFirstRun?.(first.logs);
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    registered = (health.TargetHealthDescriptions ?? []).map((t) => t.Target?.Id ?? "").sort();
    expect(registered).toEqual([...options.albIps].sort());
    const versions = async () =>
      (await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions?.map((v) => v.VersionId) ??
      [];
    const afterFirst = await versions();
    expect(afterFirst.length, "the first run writes its state").toBeGreaterThanOrEqual(1);

    const second = await container.invoke<{ ok: boolean; register?: unknown[] }>({});
    expect(second.ok, `second run failed: ${JSON.stringify(second.error)}`).toBe(true);
    expect(await versions(), "steady state writes no new state version").toEqual(afterFirst);
    const again = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    expect((again.TargetHealthDescriptions ?? []).map((t) => t.Target?.Id ?? "").sort()).toEqual(registered);
  } finally {
    await stop();
  }

  ok(tf(dir, ["plan", "-out=second.plan", "-no-color", "-parallelism=20"]), "second terraform plan");
  const planStarted = Date.now();
  const changes = plannedChanges(ok(tf(dir, ["show", "-json", "second.plan"]), "terraform show").stdout);
  const planMs = Date.now() - planStarted;
  const unexpected = changes.filter(
    (c) => !isLoggingConfigEcho(c) && !isRemovedBucketPolicy(c) && !isSubnetMappingEcho(c),
  );
  expect(
    unexpected.map((c) => `${c.address}: ${c.actions.join("/")} (${differingKeys(c).join(", ")})`),
    "second plan shows changes",
  ).toEqual([]);

  if (options.emptyBucketBeforeDestroy === true) {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key ?? "",
      VersionId: v.VersionId,
    }));
    if (objects.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
  }
  if (options.beforeDestroy !== undefined) {
    ok(tf(dir, ["apply", "-auto-approve", "-no-color", ...options.beforeDestroy]), "apply before destroy");
  }
  const destroy = ok(
    tf(
      dir,
      ["destroy", "-auto-approve", "-no-color", "-parallelism=20", ...(options.destroyArgs ?? [])],
      240_000,
    ),
    "terraform destroy",
  );
  expect(inventory(moto), "destroy leaves nothing").toEqual(before);
  s3.destroy();
  elbv2.destroy();
  const { role, tracingMode, tags, reservedConcurrency } = deployed;
  return {
    resourcesApplied,
    applyMs: apply.ms,
    planMs,
    destroyMs: destroy.ms,
    registered,
    deployed: { role, tracingMode, tags, reservedConcurrency },
  };
}

/** The deployed function, started in a fresh Node process as Lambda would run it (see startDeployedFunction). */
export interface DeployedContainer {
  readonly deployed: DeployedFunction;
  readonly container: Awaited<ReturnType<typeof startFunction>>;
  /** Stops the container and the DNS server. */
  stop(): Promise<void>;
}

/**
 * Reads `functionName` back from moto (environment, handler, code) and starts its code with that environment,
 * a sim DNS server answering the ALB's name with `records` (A and AAAA), and moto as AWS.
 */
export async function startDeployedFunction(
  moto: Moto,
  functionName: string,
  scratch: string,
  records: readonly string[],
): Promise<DeployedContainer> {
  const deployed = await readDeployedFunction(moto, functionName, scratch);
  const [file, exportName] = splitHandler(deployed.handler);
  expect(deployed.files).toContain(`${file}.mjs`);
  expect(exportName, "sim/lambda-child.mjs calls the module's `handler` export").toBe("handler");
  const dns = await startDnsServer();
  dns.setRecord(deployed.environment.ALB_DNS_NAME ?? "", [...records]);
  const env: Record<string, string> = {
    ...deployed.environment,
    // Test-only: the deployed function would ask the ALB zone's name servers; here it asks the sim DNS
    // server, and reaches AWS (moto) through the SDK's endpoint variable, with fake credentials.
    DNS_SERVERS: `127.0.0.1:${dns.port}`,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_LAMBDA_FUNCTION_NAME: functionName,
  };
  const container = await startFunction({
    env,
    bundle: join(deployed.codeDir, `${file}.mjs`),
    timeoutMs: deployed.timeout * 1000,
  });
  return {
    deployed,
    container,
    stop: async () => {
      await container.stop();
      await dns.close();
    },
  };
}

/** MOTO GAP bucket-policy conditions (see above): the policy the test removed, planned again. */
function isRemovedBucketPolicy(change: PlannedChange): boolean {
  return change.type === "aws_s3_bucket_policy" && change.actions.join() === "create";
}

/**
 * MOTO GAP nlb-subnet-mapping: moto answers a network load balancer's subnet_mapping with allocation_id ""
 * (the Elastic IP of each subnet is not echoed), so the second plan wants to set it again. Tolerated only when
 * subnet_mapping is the one differing attribute and the subnets are the same.
 */
function isSubnetMappingEcho(change: PlannedChange): boolean {
  if (change.type !== "aws_lb" || change.actions.join() !== "update") return false;
  if (differingKeys(change).join() !== "subnet_mapping") return false;
  type Mapping = { subnet_id?: string | null; allocation_id?: string | null };
  const mappings = (side: Record<string, unknown> | null) => (side?.subnet_mapping ?? []) as Mapping[];
  const subnets = (side: Record<string, unknown> | null) =>
    mappings(side)
      .map((m) => m.subnet_id ?? "")
      .filter((id) => id !== "")
      .sort();
  // moto answers every mapping with allocation_id "", so the plan re-adds the EIP allocations.
  const motoForgotAllocations = mappings(change.before).every((m) => (m.allocation_id ?? "") === "");
  return (
    motoForgotAllocations && JSON.stringify(subnets(change.before)) === JSON.stringify(subnets(change.after))
  );
}

/** Top-level attributes whose planned value differs (for the failure message). */
function differingKeys(change: PlannedChange): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  return Object.keys(after)
    .filter((k) => k in before && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}

/** `index.handler` → ["index", "handler"]. */
function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf(".");
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}
