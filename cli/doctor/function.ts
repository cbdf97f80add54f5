/**
 * Doctor's checks of the deployed function (with --function-name: schedule rule, recent errors, a route out of
 * its VPC in DNS mode, its role's permissions by IAM policy simulation) and of the state bucket and objects.
 */
import type { Config } from "../../lambda/config/index.js";
import { stateKey } from "../../lambda/config/index.js";
import { readState } from "../aws/adapters.js";
import {
  describeRouteTables,
  type FunctionView,
  headBucket,
  metricSeries,
  scheduleRules,
  simulateRole,
} from "../aws/network.js";
import type { CliContext } from "../context.js";
import { type Finding, finding, runCheck } from "./findings.js";

/**
 * The function checks; without --function-name one info finding says how to run them.
 *
 * @example
 * findings.push(...(await checkFunction(ctx, config)));
 */
export async function checkFunction(ctx: CliContext, config: Readonly<Config>): Promise<Finding[]> {
  const fn = ctx.fn;
  if (fn === undefined) {
    return [
      finding(
        "function_not_checked",
        "The deployed function was not checked (schedule, recent errors, VPC route, role permissions): run doctor with --function-name NAME (the module's output function_name).",
      ),
    ];
  }
  ctx.out.progress(`checking function ${fn.name}: schedule, errors, network, permissions`);
  return [
    ...(await runCheck(`the schedule of ${fn.name} (events:ListRuleNamesByTarget, events:DescribeRule)`, () =>
      checkSchedule(ctx, fn),
    )),
    ...(await runCheck(`the recent errors of ${fn.name} (cloudwatch:GetMetricStatistics)`, () =>
      checkErrors(ctx, fn),
    )),
    ...(await runCheck(`the route out of ${fn.name}'s VPC (ec2:DescribeRouteTables)`, () =>
      checkRoute(ctx, config, fn),
    )),
    ...(await runCheck(`the permissions of ${fn.roleArn ?? "the role"} (iam:SimulatePrincipalPolicy)`, () =>
      checkPermissions(ctx, config, fn),
    )),
  ];
}

async function checkSchedule(ctx: CliContext, fn: FunctionView): Promise<Finding[]> {
  const rules = await scheduleRules(ctx.clients, fn.arn);
  const schedules = rules.filter((r) => r.schedule !== undefined);
  if (schedules.length === 0) {
    return [
      finding(
        "function_schedule_missing",
        `No EventBridge schedule rule targets ${fn.arn} (rules targeting it: ${rules.map((r) => r.name).join(", ") || "none"}): the function never runs on its own. Create a rate(1 minute) rule with the function as target (the module does).`,
        fn.arn,
      ),
    ];
  }
  if (schedules.every((r) => r.state !== "ENABLED")) {
    return [
      finding(
        "function_schedule_disabled",
        `The schedule rule(s) of ${fn.name} are disabled (${schedules.map((r) => `${r.name} ${r.schedule} ${r.state}`).join(", ")}): the target group is no longer kept in sync. Enable the rule (aws events enable-rule --name ${schedules[0]?.name}).`,
        fn.arn,
      ),
    ];
  }
  return [];
}

async function checkErrors(ctx: CliContext, fn: FunctionView): Promise<Finding[]> {
  const series = await metricSeries(
    ctx.clients,
    { namespace: "AWS/Lambda", name: "Errors", dimensions: { FunctionName: fn.name }, statistic: "Sum" },
    60,
  );
  const failed = series.filter((d) => d.value > 0);
  if (failed.length === 0) return [];
  const total = failed.reduce((n, d) => n + d.value, 0);
  return [
    finding(
      "function_recent_errors",
      `${fn.name} failed ${total} time(s) in the last hour (newest at ${failed[0]?.at.toISOString()}). Its log line "alb-static-ip run failed" carries the error code and what to do; "alb-static-ip plan" shows what the next run would do and why.`,
      fn.arn,
    ),
  ];
}

async function checkRoute(ctx: CliContext, config: Readonly<Config>, fn: FunctionView): Promise<Finding[]> {
  if (fn.vpc === undefined) return [];
  const tables = await describeRouteTables(ctx.clients, fn.vpc.vpcId);
  const main = tables.find((t) => t.main);
  const stuck = fn.vpc.subnetIds.filter((subnet) => {
    const table = tables.find((t) => t.subnetIds.includes(subnet)) ?? main;
    // Lambda's interfaces get no public IP: an internet gateway route does not take them out.
    return !(table?.routes ?? []).some(
      (r) => r.destination === "0.0.0.0/0" && /^(nat-|tgw-|eni-|pcx-|i-)/.test(r.target),
    );
  });
  if (stuck.length === 0) return [];
  // What the function itself uses (its own variables, whatever --env overrode for this run).
  const mode = (fn.environment.DISCOVERY_MODE ?? config.discoveryMode).trim().toLowerCase() || "dns";
  const dnsPublic = mode === "dns" && (fn.environment.DNS_SERVERS ?? "").trim() === "";
  return [
    {
      ...finding(
        "function_no_route_out",
        `${fn.name} runs in VPC ${fn.vpc.vpcId}, and its subnet(s) ${stuck.join(", ")} have no 0.0.0.0/0 route to a NAT gateway or transit gateway (a Lambda function gets no public IP, so an internet gateway route does not count). ${dnsPublic ? "In DNS mode it asks the ALB zone's public name servers: every run times out. Add a NAT gateway route, or set DNS_SERVERS to a resolver the subnets reach." : "DNS_SERVERS or ENI mode keeps discovery inside the VPC, but ELBv2, S3 and CloudWatch then need VPC endpoints."}`,
        fn.arn,
      ),
      ...(dnsPublic ? {} : { severity: "warning" as const }),
    },
  ];
}

/**
 * The calls the function makes, on which resources (what the module's role grants), and the log writes Lambda makes
 * with its role: without them the logs and the EMF metrics in them are lost without an error anywhere.
 */
function neededPermissions(
  config: Readonly<Config>,
  fn: Pick<FunctionView, "arn" | "logGroup">,
): Array<{ action: string; resources: string[] }> {
  const arns = config.targetGroups.map((p) => p.targetGroupArn);
  const partition = arns[0]?.split(":")[1] ?? "aws";
  const objects = config.targetGroups.map(
    (p) => `arn:${partition}:s3:::${config.s3Bucket}/${stateKey(config, p)}`,
  );
  return [
    { action: "elasticloadbalancing:DescribeTargetHealth", resources: ["*"] },
    { action: "elasticloadbalancing:DescribeTargetGroups", resources: ["*"] },
    { action: "elasticloadbalancing:RegisterTargets", resources: arns },
    { action: "elasticloadbalancing:DeregisterTargets", resources: arns },
    { action: "s3:GetObject", resources: objects },
    { action: "s3:PutObject", resources: objects },
    ...logWrites(fn),
    ...(config.discoveryMode === "eni"
      ? [{ action: "ec2:DescribeNetworkInterfaces", resources: ["*"] }]
      : []),
    ...(config.discovery.roleArn !== undefined
      ? [{ action: "sts:AssumeRole", resources: [config.discovery.roleArn] }]
      : []),
  ];
}

/** logs:CreateLogStream and logs:PutLogEvents on the function's log group, when its ARN gives region and account. */
function logWrites(
  fn: Pick<FunctionView, "arn" | "logGroup">,
): Array<{ action: string; resources: string[] }> {
  const [, partition, , region, account] = fn.arn.split(":");
  if (!partition || !region || !account) return [];
  const streams = `arn:${partition}:logs:${region}:${account}:log-group:${fn.logGroup}:log-stream:*`;
  return [
    { action: "logs:CreateLogStream", resources: [streams] },
    { action: "logs:PutLogEvents", resources: [streams] },
  ];
}

async function checkPermissions(
  ctx: CliContext,
  config: Readonly<Config>,
  fn: FunctionView,
): Promise<Finding[]> {
  if (fn.roleArn === undefined) return [];
  const results = await simulateRole(ctx.clients, fn.roleArn, neededPermissions(config, fn));
  const denied = results.filter((r) => r.decision !== "allowed");
  if (denied.length === 0) return [];
  return [
    finding(
      "role_permission_missing",
      `The function's role ${fn.roleArn} may not make ${denied.length} call(s) the function needs (IAM policy simulation, without resource policies or permission boundaries of other accounts): ${denied.map((d) => `${d.action} on ${d.resource} (${d.decision})`).join("; ")}. Grant them as SECURITY.md lists (the module's role does).`,
      fn.roleArn,
    ),
  ];
}

/**
 * The state bucket exists, and each state object is usable.
 *
 * @example
 * findings.push(...(await checkState(ctx, config)));
 */
export async function checkState(ctx: CliContext, config: Readonly<Config>): Promise<Finding[]> {
  return runCheck(
    `the state bucket ${config.s3Bucket} (s3:ListBucket / HeadBucket, s3:GetObject)`,
    async () => {
      try {
        await headBucket(ctx.clients, config.s3Bucket);
      } catch (error) {
        const name = (error as Error).name;
        if (name === "NotFound" || name === "NoSuchBucket") {
          return [
            finding(
              "state_bucket_missing",
              `S3_BUCKET ${config.s3Bucket} does not exist in this account (HeadBucket: ${name}): every run fails reading its state. Create the bucket (the module does) or fix S3_BUCKET.`,
            ),
          ];
        }
        throw error;
      }
      const out: Finding[] = [];
      for (const pair of config.targetGroups) {
        const key = stateKey(config, pair);
        const loaded = await readState(ctx.clients, {
          bucket: config.s3Bucket,
          key,
          expect: { targetGroupArn: pair.targetGroupArn, port: pair.port, albDnsName: config.albDnsName },
        }).load();
        if (loaded.problem !== undefined) {
          out.push({
            ...finding(
              "state_unusable",
              `State object s3://${config.s3Bucket}/${key} is not usable (${loaded.problem.code}): ${loaded.problem.reason}.`,
            ),
            ...(loaded.problem.code === "state_newer" ? { severity: "error" as const } : {}),
          });
        }
      }
      return out;
    },
  );
}
