/**
 * AlbStaticIp: everything the scheduled function needs to keep an NLB IP-type target group in sync with
 * an ALB's private IPs — the target group (and optionally the NLB listener), a hardened state bucket, a
 * least-privilege role, the log group, the function, its schedule and its alarms.
 *
 * This file only wires the parts together; each resource role has its own file:
 * - props.ts — the props, FIXED settings and the synth-time prop check;
 * - target-group.ts — the target group and the NLB listener;
 * - allowed-cidrs.ts — ALLOWED_TARGET_CIDRS from the ALB's subnets (or the variable, or the VPC);
 * - state-bucket.ts — the state bucket;
 * - iam.ts — the role and its policy (statements in policies.ts);
 * - function.ts — the log group, the deployment package and the function;
 * - schedule.ts — the EventBridge schedule;
 * - discovery.ts — DISCOVERY_MODE's inputs, environment, checks and IAM statements (ENI mode, cross-account);
 * - events.ts — the rule that runs the function on the ALB's interface events;
 * - alarms.ts — the alarms;
 * - dashboard.ts — the CloudWatch dashboard.
 *
 * Every value may also be a Terraform expression (a token): that is how `npm run build:module` turns this
 * construct into the plain Terraform module, with `count` toggles and plan-time preconditions instead of
 * synth-time checks.
 */

import type { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition/index.js";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region/index.js";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener/index.js";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group/index.js";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { albDimension, declareAlarms } from "./alarms.js";
import { declareAllowedCidrs } from "./allowed-cidrs.js";
import { buildContext } from "./context.js";
import { declareDashboard } from "./dashboard.js";
import {
  declareDiscoveryPolicy,
  declareDiscoveryPreconditions,
  discoveryDecisions,
  discoveryEnvironment,
} from "./discovery.js";
import { declareInterfaceEvents } from "./events.js";
import { optionalAttrOf } from "./expr.js";
import { declareFunction, declareLogGroup } from "./function.js";
import { declareRole } from "./iam.js";
import { DEFAULTS } from "./inputs.js";
import { type AlbStaticIpProps, propProblems } from "./props.js";
import { declareSchedule } from "./schedule.js";
import { declareStateBucket } from "./state-bucket.js";
import { declareTargetGroup } from "./target-group.js";

export { lambdaCodeFromDirectory } from "./function.js";
export {
  type AlbStaticIpProps,
  DEFAULT_LAMBDA_DIR,
  FIXED,
  type HealthCheckProtocol,
  type LambdaCode,
  propProblems,
} from "./props.js";

export class AlbStaticIp extends Construct {
  /** ARN of the target group kept in sync (created or given). */
  readonly targetGroupArn: string;
  /** ARN of the created NLB listener; null/undefined when none. */
  readonly listenerArn: string | undefined;
  /** Name of the state bucket (created or given). */
  readonly stateBucketName: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly logGroupName: string;
  readonly scheduleRuleArn: string;
  readonly errorsAlarmArn: string;
  /** ALLOWED_TARGET_CIDRS came from: `variable`, `alb_subnets`, `vpc` (the weaker bound) or `any` (opted out). */
  readonly allowedTargetCidrsSource: string;
  /** ARN of the IP-count alarm; undefined (null in Terraform) when not created. */
  readonly ipCountAlarmArn: string | undefined;
  /** Name of the dashboard; undefined (null in Terraform) when not created. */
  readonly dashboardName: string | undefined;
  /** ARN of the interface event rule (events.ts); undefined (null in Terraform) when not created. */
  readonly interfaceEventRuleArn: string | undefined;

  /** The resources, for escape hatches and tests. */
  readonly resources: {
    readonly targetGroup?: LbTargetGroup;
    readonly listener?: LbListener;
    readonly bucket?: S3Bucket;
    readonly role: IamRole;
    readonly function: LambdaFunction;
    readonly logGroup: CloudwatchLogGroup;
    readonly errorsAlarm: CloudwatchMetricAlarm;
    readonly ipCountAlarm?: CloudwatchMetricAlarm;
    readonly dashboard?: CloudwatchDashboard;
  };

  constructor(scope: Construct, id: string, props: AlbStaticIpProps) {
    super(scope, id);
    const problems = propProblems(props);
    if (problems.length > 0) {
      throw new Error(
        `AlbStaticIp "${id}": ${problems.length} invalid prop(s):\n  - ${problems.join("\n  - ")}`,
      );
    }
    const ctx = buildContext(this, props, props.name ?? DEFAULTS.name);
    // Declaration order is the order of the generated module's blocks: keep it.
    const partition = ctx.named(new DataAwsPartition(this, "partition"), "current");
    const tg = declareTargetGroup(ctx);
    const allowedCidrs = declareAllowedCidrs(ctx, tg.targetGroupArn);
    const state = declareStateBucket(ctx, partition);
    const logGroup = declareLogGroup(ctx);
    const discovery = discoveryDecisions(ctx);
    declareDiscoveryPreconditions(ctx, discovery);
    const discoveryPolicy = declareDiscoveryPolicy(ctx, discovery);
    const { role, rolePolicy } = declareRole(ctx, {
      targetGroupArn: tg.targetGroupArn,
      bucketArn: state.bucketArn,
      logGroupArn: logGroup.arn,
      extraStatements: discoveryPolicy.statements,
      extraSourcePolicyDocuments: discoveryPolicy.sourcePolicyDocuments,
    });
    const fn = declareFunction(ctx, {
      targetGroupArn: tg.targetGroupArn,
      stateBucketName: state.stateBucketName,
      logGroup,
      role,
      rolePolicy,
      allowedCidrs,
      discoveryEnvironment: discoveryEnvironment(ctx),
    });
    const rule = declareSchedule(ctx, fn);
    this.interfaceEventRuleArn = declareInterfaceEvents(ctx, fn, discovery);
    const { errorsAlarm, ipCountAlarm } = declareAlarms(ctx, fn, tg.targetGroupArn);
    const region = ctx.named(new DataAwsRegion(this, "region"), "current");
    const dashboard = declareDashboard(ctx, fn, {
      loadBalancer: albDimension(props.albDnsName),
      targetGroup: Fn.element(Fn.split(":", tg.targetGroupArn), 5),
      region: region.id,
      period: 60,
    });

    this.targetGroupArn = tg.targetGroupArn;
    this.allowedTargetCidrsSource = allowedCidrs.source;
    this.listenerArn = tg.listenerArn;
    this.stateBucketName = state.stateBucketName;
    this.functionName = fn.functionName;
    this.functionArn = fn.arn;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.logGroupName = logGroup.name;
    this.scheduleRuleArn = rule.arn;
    this.errorsAlarmArn = errorsAlarm.arn;
    this.ipCountAlarmArn = ipCountAlarm === undefined ? undefined : optionalAttrOf(ipCountAlarm, "arn");
    this.dashboardName = dashboard === undefined ? undefined : optionalAttrOf(dashboard, "dashboard_name");
    this.resources = {
      targetGroup: tg.targetGroup,
      listener: tg.listener,
      bucket: state.bucket,
      role,
      function: fn,
      logGroup,
      errorsAlarm,
      ipCountAlarm,
      dashboard,
    };
  }
}
