/**
 * Real Terraform against moto, for the deploy tests: start moto on loopback, lay out a working directory
 * with the test-only patches this machine forces, run terraform with a temporary CLI config pointing at the
 * provider mirror, read back what was deployed and run the deployed code against it.
 *
 * Test-only patches (nothing else is changed):
 * - PATCH provider-version: the module's `version = ">= 6.19.0"` is relaxed to the mirror's version (5.100.0
 *   here; there is no registry and no provider 6.x on this machine);
 * - PATCH runtime: the `runtime` default nodejs24.x becomes nodejs22.x (5.100.0 predates nodejs24.x);
 * - PATCH endpoints: the AWS provider is pointed at moto with fake credentials (a provider override file);
 * - PATCH nlb-arn (MOTO GAP nlb-arn): moto 5.2.1 gives every load balancer, network ones too, an ARN with
 *   `loadbalancer/app/`; the nlb_arn validation of the module copy also accepts that form.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DeployTools } from "./tools.js";

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";
/** Every AWS service the module and the complete example use. */
const SERVICES = [
  "cloudwatch",
  "cloudwatchlogs",
  "ec2",
  "elbv2",
  "events",
  "iam",
  "lambda",
  "s3",
  "sts",
] as const;

/** Shared by every run on this machine, outside find's depth 4 (so it is never taken for the mirror). */
export const PLUGIN_CACHE = join(tmpdir(), "alb-static-ip", "terraform", "plugin-cache");

/** A moto server for one test file. */
export interface Moto {
  readonly endpoint: string;
  /** The server's log file (one line per request). */
  readonly log: string;
  stop(): void;
}

/**
 * Starts test/deploy/moto_server.py on 127.0.0.1 (a free port). Its log (werkzeug writes a line per request)
 * goes to a file, never to a pipe: terraform runs through spawnSync, which blocks this process's event loop, so
 * a piped log is not drained, fills the 64 KiB pipe buffer after a few hundred requests and then blocks every
 * moto thread on its next write. That was the "destroy stalls against moto" of the complete example.
 */
export async function startMoto(): Promise<Moto> {
  const script = fileURLToPath(new URL("./moto_server.py", import.meta.url));
  const logDir = join(tmpdir(), "alb-static-ip", "moto");
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `moto-${process.pid}-${Date.now()}.log`);
  const logFd = openSync(logPath, "w");
  const child: ChildProcess = spawn("python3", [script], { stdio: ["pipe", "pipe", logFd] });
  closeSync(logFd);
  const logTail = (): string => {
    try {
      return `${readFileSync(logPath, "utf8").slice(-4000)} (log: ${logPath})`;
    } catch {
      return `(no log at ${logPath})`;
    }
  };
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`moto did not start in 20 s: ${logTail()}`)), 20_000);
    child.stdout?.on("data", (d: Buffer) => {
      const match = /PORT (\d+)/.exec(d.toString());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => reject(new Error(`moto exited (${code}): ${logTail()}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log: logPath,
    stop: () => {
      child.stdin?.end();
      child.kill();
    },
  };
}

/** The provider settings that point hashicorp/aws at moto (PATCH endpoints). */
export function motoProviderOverride(endpoint: string): string {
  const endpoints = SERVICES.map((s) => `    ${s} = "${endpoint}"`).join("\n");
  return `# Test-only (PATCH endpoints): the AWS provider talks to moto on loopback with fake credentials.
provider "aws" {
  region                      = "${REGION}"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true

  endpoints {
${endpoints}
  }
}
`;
}

/** Applies PATCH provider-version and PATCH runtime to a copy of the module in `dir`. */
export function patchModuleCopy(dir: string, awsVersion: string): void {
  const versions = join(dir, "versions.tf");
  const text = readFileSync(versions, "utf8");
  const patched = text.replace(/version = ">= 6\.19\.0"/, `version = ">= ${awsVersion}"`);
  if (patched === text) throw new Error("PATCH provider-version found no aws >= 6.19.0 constraint");
  writeFileSync(versions, patched);
  const variables = join(dir, "variables.tf");
  const vars = readFileSync(variables, "utf8");
  const runtime = vars
    .replace('default     = "nodejs24.x"', 'default     = "nodejs22.x"')
    .replace("^nodejs(2[4-9]|", "^nodejs(2[2-9]|");
  if (runtime === vars) throw new Error("PATCH runtime found no nodejs24.x default");
  const nlb = runtime.replace("loadbalancer\\\\/net\\\\/", "loadbalancer\\\\/(net|app)\\\\/");
  if (nlb === runtime) throw new Error("PATCH nlb-arn found no loadbalancer/net/ pattern");
  writeFileSync(variables, nlb);
}

/** A fresh temp directory for one test file. */
export function workspace(label: string): string {
  mkdirSync(join(tmpdir(), "alb-static-ip"), { recursive: true });
  return mkdtempSync(join(tmpdir(), "alb-static-ip", `deploy-${label}-`));
}

/** Copies `from` to `to` recursively. */
export function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/** The result of one terraform command. */
export interface TfResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs terraform in `dir` with a CLI config that installs only from the mirror and shares the plugin cache. */
export function terraformRunner(tools: DeployTools, base: string) {
  mkdirSync(PLUGIN_CACHE, { recursive: true });
  const config = join(base, "terraform.tfrc");
  writeFileSync(
    config,
    `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(tools.mirror)}\n  }\n}\nplugin_cache_dir = ${JSON.stringify(PLUGIN_CACHE)}\n`,
  );
  return (dir: string, args: readonly string[], timeoutMs = 300_000): TfResult => {
    const started = Date.now();
    const result = spawnSync("terraform", [...args], {
      cwd: dir,
      encoding: "utf8",
      timeout: timeoutMs,
      // terraform handles SIGTERM by finishing its current operation: a hung run must really end.
      killSignal: "SIGKILL",
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? base,
        TF_CLI_CONFIG_FILE: config,
        TF_IN_AUTOMATION: "1",
        TF_INPUT: "0",
        CHECKPOINT_DISABLE: "1",
        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "1",
      },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: Date.now() - started };
  };
}

/** A moto-accepted (unchecked) SigV4 Authorization header, so moto routes a plain request to `service`. */
export function fakeAuth(service: string): Record<string, string> {
  return {
    Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
}

/** What Lambda's API says about the deployed function. */
export interface DeployedFunction {
  readonly handler: string;
  readonly runtime: string;
  readonly environment: Record<string, string>;
  readonly timeout: number;
  readonly reservedConcurrency: number | undefined;
  /** The execution role's ARN (its path included). */
  readonly role: string;
  /** TracingConfig.Mode. */
  readonly tracingMode: string | undefined;
  readonly tags: Record<string, string>;
  /** Directory the deployed zip was extracted to. */
  readonly codeDir: string;
  readonly files: readonly string[];
}

/** Reads the function back from moto's Lambda API and extracts its code (moto's stored bytes). */
export async function readDeployedFunction(
  moto: Moto,
  name: string,
  into: string,
): Promise<DeployedFunction> {
  const response = await fetch(`${moto.endpoint}/2015-03-31/functions/${name}`, {
    headers: fakeAuth("lambda"),
  });
  if (!response.ok) throw new Error(`GetFunction ${name}: ${response.status} ${await response.text()}`);
  const fn = (await response.json()) as {
    Configuration: {
      Handler: string;
      Runtime: string;
      Timeout: number;
      Role: string;
      TracingConfig?: { Mode?: string };
      Environment?: { Variables?: Record<string, string> };
    };
    Concurrency?: { ReservedConcurrentExecutions?: number };
    Tags?: Record<string, string>;
  };
  // moto gap: GetFunction's Code.Location names an S3 host nothing serves; moto_server.py serves the bytes.
  const code = await fetch(`${moto.endpoint}/_test/lambda-code/${ACCOUNT}/${REGION}/${name}`);
  if (!code.ok) throw new Error(`code of ${name}: ${code.status} ${await code.text()}`);
  const zip = join(into, `${name}.zip`);
  writeFileSync(zip, Buffer.from(await code.arrayBuffer()));
  const dir = join(into, `${name}-code`);
  const extracted = spawnSync("python3", ["-m", "zipfile", "-e", zip, dir], { encoding: "utf8" });
  if (extracted.status !== 0) throw new Error(`unzip ${zip}: ${extracted.stderr}`);
  const listed = spawnSync("python3", ["-m", "zipfile", "-l", zip], { encoding: "utf8" });
  const files = listed.stdout
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((f) => f !== "")
    .sort();
  return {
    handler: fn.Configuration.Handler,
    runtime: fn.Configuration.Runtime,
    timeout: fn.Configuration.Timeout,
    environment: fn.Configuration.Environment?.Variables ?? {},
    reservedConcurrency: fn.Concurrency?.ReservedConcurrentExecutions,
    role: fn.Configuration.Role,
    tracingMode: fn.Configuration.TracingConfig?.Mode,
    tags: fn.Tags ?? {},
    codeDir: dir,
    files,
  };
}

/** One planned change from `terraform show -json <plan>`. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

/** The changes (not no-op, not read) of a saved plan. */
export function plannedChanges(showJson: string): PlannedChange[] {
  const plan = JSON.parse(showJson) as {
    resource_changes?: {
      address: string;
      type: string;
      change: {
        actions: string[];
        before: Record<string, unknown> | null;
        after: Record<string, unknown> | null;
      };
    }[];
  };
  return (plan.resource_changes ?? [])
    .filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"))
    .map((c) => ({
      address: c.address,
      type: c.type,
      actions: c.change.actions,
      before: c.change.before,
      after: c.change.after,
    }));
}

/**
 * MOTO GAP logging_config: moto does not echo a Lambda function's logging_config, so the second plan wants
 * to set it again. That update, with nothing else differing, is the only change tolerated.
 */
export function isLoggingConfigEcho(change: PlannedChange): boolean {
  if (change.type !== "aws_lambda_function" || change.actions.join() !== "update") return false;
  const before = { ...(change.before ?? {}) };
  const after = { ...(change.after ?? {}) };
  delete before.logging_config;
  delete after.logging_config;
  // Computed-on-apply attributes appear as absent in `after` of an update; compare what both have.
  const keys = Object.keys(after).filter((k) => k in before);
  return keys.every((k) => JSON.stringify(before[k]) === JSON.stringify(after[k]));
}
