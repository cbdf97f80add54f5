/**
 * Upgrading a single-listener deployment in place to several listeners from one function, under real
 * Terraform and moto: apply the last count-based release (test/deploy/fixtures/module-single-listener), then the
 * current module over the same state — the `moved` blocks must carry the target group, listener, alarm and
 * dashboard to the entry "default" with nothing destroyed or replaced — then grow it to 80 + 443 and an ipv6
 * group with `listeners` and run the deployed function: each target group gets the ALB's IPs of its family. Test-only patches and moto
 * gaps: harness.ts and scenario.ts (PATCH …, MOTO GAP …).
 */
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DeleteBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODULE_DIR } from "../../modules/build/module.js";
import {
  copyTree,
  isLoggingConfigEcho,
  type Moto,
  motoProviderOverride,
  type PlannedChange,
  patchModuleCopy,
  plannedChanges,
  REGION,
  startMoto,
  type TfResult,
  terraformRunner,
  workspace,
} from "./harness.js";
import { startDeployedFunction } from "./scenario.js";
import { findDeployTools } from "./tools.js";

const tools = findDeployTools();
if (tools.missing.length > 0)
  console.warn(`SKIPPED test/deploy/upgrade.test.ts: missing ${tools.missing.join("; ")}`);

function ok(result: TfResult, what: string): TfResult {
  expect(result.status, `${what} failed:\n${result.stderr}\n${result.stdout.slice(-3000)}`).toBe(0);
  return result;
}

/** Replaces the module copy in `dir` with the .tf files of `from` (and the current lambda.zip), patched. */
function placeModule(dir: string, from: string): void {
  rmSync(dir, { recursive: true, force: true });
  copyTree(from, dir);
  for (const file of readdirSync(dir))
    if (!file.endsWith(".tf") && file !== "lambda.zip") rmSync(join(dir, file));
  copyFileSync(join(MODULE_DIR, "lambda.zip"), join(dir, "lambda.zip"));
  patchModuleCopy(dir, tools.awsVersions.at(-1) ?? "");
}

/** MOTO GAP logging_config (harness.ts) is the one change a re-plan may show. */
const unexpected = (changes: readonly PlannedChange[]) =>
  changes.filter((c) => !isLoggingConfigEcho(c)).map((c) => `${c.address}: ${c.actions.join("/")}`);

describe.skipIf(tools.missing.length > 0)("a single-listener deployment upgraded in place", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.stop());

  it("moves to for_each with nothing destroyed, then grows to 80 + 443 and IPv6, and the deployed code syncs all three", async () => {
    // Prepare: the last count-based release, applied.
    const base = workspace("upgrade");
    const tf = terraformRunner(tools, base);
    const module = join(base, "alb-static-ip");
    placeModule(module, join(import.meta.dirname, "fixtures", "module-single-listener"));
    const root = join(base, "root");
    copyTree(join(import.meta.dirname, "fixtures", "module-upgrade"), root);
    writeFileSync(join(root, "moto_override.tf"), motoProviderOverride(moto.endpoint));
    ok(tf(root, ["init", "-input=false", "-no-color"]), "terraform init");
    ok(tf(root, ["apply", "-auto-approve", "-no-color", "-parallelism=20"]), "apply of the old release");

    // Act 1: the current module over the same state.
    placeModule(module, MODULE_DIR);
    ok(tf(root, ["plan", "-out=upgrade.plan", "-no-color"]), "plan of the upgrade");
    const shown = ok(tf(root, ["show", "-json", "upgrade.plan"]), "terraform show").stdout;
    const upgrade = plannedChanges(shown);
    const moved = (
      JSON.parse(shown) as { resource_changes?: { address: string; previous_address?: string }[] }
    ).resource_changes?.filter((c) => c.previous_address !== undefined);
    ok(tf(root, ["apply", "-no-color", "upgrade.plan"]), "apply of the upgrade");
    ok(tf(root, ["plan", "-out=again.plan", "-no-color"]), "re-plan");
    const replan = plannedChanges(ok(tf(root, ["show", "-json", "again.plan"]), "terraform show").stdout);

    // Assess 1: moved, nothing destroyed, only the alarms that later releases add created, then nothing left to do.
    expect(upgrade.filter((c) => c.actions.includes("delete")).map((c) => c.address)).toEqual([]);
    expect(
      upgrade
        .filter((c) => c.actions.includes("create"))
        .map((c) => c.address)
        .sort(),
    ).toEqual([
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.outside_allowed_cidrs["default"]',
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.unserved_ports["default"]',
    ]);
    expect(moved?.map((c) => `${c.previous_address} -> ${c.address}`).sort()).toEqual([
      'module.alb_static_ip.aws_cloudwatch_dashboard.this[0] -> module.alb_static_ip.aws_cloudwatch_dashboard.this["default"]',
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.ip_count[0] -> module.alb_static_ip.aws_cloudwatch_metric_alarm.ip_count["default"]',
      'module.alb_static_ip.aws_lb_listener.this[0] -> module.alb_static_ip.aws_lb_listener.this["default"]',
      'module.alb_static_ip.aws_lb_target_group.this[0] -> module.alb_static_ip.aws_lb_target_group.this["default"]',
    ]);
    expect(unexpected(replan), "the re-plan after the upgrade shows changes").toEqual([]);

    // Act 2: grow to 80 + 443 (the shorthand's port 443 stays the entry "default").
    const main = join(root, "main.tf");
    const single = readFileSync(main, "utf8");
    const grown = single.replace(
      /^ {2}alb_listener_port +=.*\n/m,
      '  listeners = {\n    default = { port = 443 }\n    http    = { port = 80 }\n    v6      = { port = 443, ip_address_type = "ipv6", create_listener = false }\n  }\n',
    );
    expect(grown, "the fixture has an alb_listener_port line to replace").not.toBe(single);
    writeFileSync(main, grown);
    ok(tf(root, ["plan", "-out=grow.plan", "-no-color"]), "plan of 80 + 443");
    const grow = plannedChanges(ok(tf(root, ["show", "-json", "grow.plan"]), "terraform show").stdout);
    ok(tf(root, ["apply", "-no-color", "grow.plan"]), "apply of 80 + 443");
    const outputs = JSON.parse(ok(tf(root, ["output", "-json"]), "terraform output").stdout) as Record<
      string,
      { value: unknown }
    >;
    // MOTO GAP bucket-policy conditions (scenario.ts): moto ignores Conditions, so the TLS-only Deny would deny
    // the function too; removed after the last apply, in the test only.
    const s3 = new S3Client({
      region: REGION,
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: String(outputs.state_bucket_name?.value) }));
    s3.destroy();
    const albIps = ["10.9.1.10", "10.9.1.20"];
    const albIpv6 = ["2600:1f18:4a3:6a01::a", "2600:1f18:4a3:6a01::14"];
    const { deployed, container, stop } = await startDeployedFunction(
      moto,
      String(outputs.function_name?.value),
      base,
      [...albIps, ...albIpv6],
    );
    const elbv2 = new ElasticLoadBalancingV2Client({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const registered: Record<string, string[]> = {};
    try {
      const run = await container.invoke<{ ok: boolean }>({});
      expect(run.ok, `the run failed: ${JSON.stringify(run.error)}\n${run.logs.join("\n")}`).toBe(true);
      const pairs = (deployed.environment.TARGET_GROUPS ?? "")
        .split(",")
        .map((p) => p.split("=") as [string, string]);
      for (const [, arn] of pairs) {
        const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
        registered[arn.split("/")[1] ?? arn] = (health.TargetHealthDescriptions ?? [])
          .map((t) => `${t.Target?.Id}:${t.Target?.Port}`)
          .sort();
      }
    } finally {
      await stop();
      elbv2.destroy();
    }
    ok(
      tf(root, ["apply", "-auto-approve", "-no-color", "-var=state_bucket_force_destroy=true"]),
      "apply before destroy",
    );
    ok(
      tf(
        root,
        ["destroy", "-auto-approve", "-no-color", "-parallelism=20", "-var=state_bucket_force_destroy=true"],
        240_000,
      ),
      "destroy",
    );

    // Assess 2: port 80 (target group, listener, alarm, dashboard) and the ipv6 group (no listener of its own)
    // created, nothing destroyed; each target group synced with the ALB's addresses of its family.
    expect(grow.filter((c) => c.actions.includes("delete")).map((c) => c.address)).toEqual([]);
    expect(
      grow
        .filter((c) => c.actions.includes("create"))
        .map((c) => c.address)
        .sort(),
    ).toEqual([
      'module.alb_static_ip.aws_cloudwatch_dashboard.this["http"]',
      'module.alb_static_ip.aws_cloudwatch_dashboard.this["v6"]',
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.ip_count["http"]',
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.ip_count["v6"]',
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.outside_allowed_cidrs["http"]',
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.outside_allowed_cidrs["v6"]',
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.unserved_ports["http"]',
      'module.alb_static_ip.aws_cloudwatch_metric_alarm.unserved_ports["v6"]',
      'module.alb_static_ip.aws_lb_listener.this["http"]',
      'module.alb_static_ip.aws_lb_target_group.this["http"]',
      'module.alb_static_ip.aws_lb_target_group.this["v6"]',
    ]);
    expect(deployed.environment.ALB_LISTENER).toBeUndefined();
    // 443 IPv4 (the entry default, its name kept), 80 IPv4, and 443 IPv6 (from the AAAA records).
    expect(registered).toEqual({
      upgrade: albIps.map((ip) => `${ip}:443`),
      "upgrade-http": albIps.map((ip) => `${ip}:80`),
      "upgrade-v6": albIpv6.map((ip) => `${ip}:443`).sort(),
    });
  }, 900_000);
});
