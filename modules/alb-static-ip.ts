/**
 * AlbStaticIp: everything the scheduled function needs to keep an NLB IP-type target group in sync with
 * an ALB's private IPs — the target group (and optionally the NLB listener), a hardened state bucket, a
 * least-privilege role, the log group, the function, its schedule and its alarms.
 *
 * This file only wires the parts together (the top of modules/; modules/README.md has the layers). Below it,
 * one file per resource role:
 * - target-group.ts — the target group and the NLB listener (a CDKTF app without `listeners`);
 * - listeners.ts — one target group and NLB listener per `listeners` entry (the module, or an app using the map);
 * - allowed-cidrs.ts — ALLOWED_TARGET_CIDRS from the ALB's subnets (or the variable, or the VPC);
 * - state-bucket.ts — the state bucket;
 * - iam.ts — the role and its policy (the statements, as data, in policies.ts);
 * - function.ts — the log group, the deployment package and the function;
 * - schedule.ts — the EventBridge schedule;
 * - discovery.ts — what DISCOVERY_MODE decides: environment, checks and IAM statements (ENI mode, cross-account);
 * - events.ts — the rule that runs the function on the ALB's interface events;
 * - alarms.ts — the alarms;
 * - dashboard.ts — the CloudWatch dashboard.
 * At the bottom: props.ts (the props), prop-checks.ts (their synth-time check), inputs/ (the module variable of
 * every prop), expr.ts and context.ts (the expression helpers and the build context every role file gets).
 *
 * Every value may also be a Terraform expression (a token): that is how `npm run build:module` turns this
 * construct into the plain Terraform module, with `count` toggles and plan-time preconditions instead of
 * synth-time checks.
 */

import type { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity/index.js";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition/index.js";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region/index.js";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener/index.js";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group/index.js";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { Fn, Op, Token } from "cdktf";
import { Construct } from "constructs";
import { albDimension, declareAlarms } from "./alarms.js";
import { declareAllowedCidrs } from "./allowed-cidrs.js";
import { buildContext } from "./context.js";
import { declareDashboard } from "./dashboard.js";
import {
  declareDiscoveryPreconditions,
  discoveryDecisions,
  discoveryEnvironment,
  discoveryStatements,
} from "./discovery.js";
import { declareInterfaceEvents } from "./events.js";
import { type Countable, isToken, optionalAttrOf } from "./expr.js";
import { declareFunction, declareLogGroup } from "./function.js";
import { declareRole } from "./iam.js";
import { DEFAULTS } from "./inputs/defaults.js";
import {
  DEFAULT_LISTENER_KEY,
  declareListeners,
  everyTargetGroup,
  singleTargetGroup,
  usesListeners,
} from "./listeners.js";
import { propProblems } from "./prop-checks.js";
import type { AlbStaticIpProps } from "./props.js";
import { declareSchedule } from "./schedule.js";
import { declareStateBucket } from "./state-bucket.js";
import { declareTargetGroup } from "./target-group.js";

export { lambdaCodeFromDirectory } from "./function.js";
export { propProblems } from "./prop-checks.js";
export {
  type AlbStaticIpProps,
  DEFAULT_LAMBDA_DIR,
  FIXED,
  type HealthCheckProtocol,
  type LambdaCode,
  type ListenerProps,
} from "./props.js";

export class AlbStaticIp extends Construct {
  // In the module, every attribute is null when `create` is false (outputs.tf passes them on).
  /** ARN of the target group kept in sync (created or given); with `listeners`, the entry `default` or the first. */
  readonly targetGroupArn: string;
  /** Target group ARN per `listeners` entry (`default` for the shorthand). */
  readonly targetGroupArns: Record<string, string>;
  /** Listener ARN per `listeners` entry that has one; undefined without `listeners`. */
  readonly listenerArns: Record<string, string> | undefined;
  /** Name of that target group (from its ARN). */
  readonly targetGroupName: string;
  /** ARN suffix of that target group (`targetgroup/<name>/<id>`, the CloudWatch dimension). */
  readonly targetGroupArnSuffix: string;
  /** ARN of the created NLB listener; null/undefined when none. */
  readonly listenerArn: string | undefined;
  /** Name of the state bucket (created or given). */
  readonly stateBucketName: string;
  /** ARN of the state bucket (created or given). */
  readonly stateBucketArn: string;
  readonly functionName: string;
  readonly functionArn: string;
  /** ARN of the function's role (created or given). */
  readonly roleArn: string;
  /** Name of the created role; undefined (null in Terraform) when a role is given. */
  readonly roleName: string | undefined;
  /** The least-privilege policy the function needs (JSON), for a role managed elsewhere (`createRole: false`). */
  readonly rolePolicyJson: string;
  readonly logGroupName: string;
  readonly logGroupArn: string;
  readonly scheduleRuleArn: string;
  readonly scheduleRuleName: string;
  readonly errorsAlarmArn: string;
  readonly errorsAlarmName: string;
  /** ALLOWED_TARGET_CIDRS came from: `variable`, `alb_subnets`, `vpc` (the weaker bound) or `any` (opted out). */
  readonly allowedTargetCidrsSource: string;
  /** ARN of the IP-count alarm; undefined (null in Terraform) when not created. */
  readonly ipCountAlarmArn: string | undefined;
  /** Name of the IP-count alarm; undefined (null in Terraform) when not created. */
  readonly ipCountAlarmName: string | undefined;
  /** Name of the alarm on TargetsOutsideAllowedCidrs per target group (`default` without `listeners`); undefined when not declared. */
  readonly outsideAllowedCidrsAlarmNames: Record<string, string> | undefined;
  /** Name of the alarm on TargetsOnUnservedPorts per target group (`default` without `listeners`); undefined when not declared. */
  readonly unservedPortsAlarmNames: Record<string, string> | undefined;
  /** Name of the alarm on InterfacesNotElbManaged (ENI mode); undefined (null in Terraform) when not created. */
  readonly interfacesNotElbManagedAlarmName: string | undefined;
  /** Name of the dashboard; undefined (null in Terraform) when not created. */
  readonly dashboardName: string | undefined;
  /** ARN of the interface event rule (events.ts); undefined (null in Terraform) when not created. */
  readonly interfaceEventRuleArn: string | undefined;

  /** The resources, for escape hatches and tests; optional ones are undefined when not declared. */
  readonly resources: {
    readonly targetGroup?: LbTargetGroup;
    readonly listener?: LbListener;
    readonly bucket?: S3Bucket;
    readonly role?: IamRole;
    readonly function: LambdaFunction;
    readonly logGroup?: CloudwatchLogGroup;
    readonly errorsAlarm: CloudwatchMetricAlarm;
    readonly ipCountAlarm?: CloudwatchMetricAlarm;
    readonly outsideAllowedCidrsAlarm?: CloudwatchMetricAlarm;
    readonly unservedPortsAlarm?: CloudwatchMetricAlarm;
    readonly interfacesNotElbManagedAlarm?: CloudwatchMetricAlarm;
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
    const region = ctx.named(new DataAwsRegion(this, "region"), "current");
    // The target groups: one (count-based, a CDKTF app without `listeners`) or one per entry (for_each).
    const many = usesListeners(ctx) ? declareListeners(ctx) : undefined;
    const one = many === undefined ? declareTargetGroup(ctx) : undefined;
    const primaryArn = many?.primaryTargetGroupArn ?? one?.targetGroupArn ?? "";
    const targetGroupArns = many === undefined ? [primaryArn] : Token.asList(Fn.values(many.targetGroupArns));
    const perTg = many === undefined ? singleTargetGroup(primaryArn) : everyTargetGroup(many);
    const allowedCidrs = declareAllowedCidrs(ctx, primaryArn, many?.anyCreated);
    const state = declareStateBucket(ctx, partition);
    const logGroup = declareLogGroup(ctx, () => ({
      partition: partition.partition,
      region: region.id,
      accountId: ctx.named(new DataAwsCallerIdentity(this, "caller_identity"), "current").accountId,
    }));
    const discovery = discoveryDecisions(ctx);
    declareDiscoveryPreconditions(ctx, discovery);
    const role = declareRole(ctx, {
      targetGroupArns,
      bucketArn: state.bucketArn,
      logGroupArn: logGroup.logGroupArn,
      optionalStatements: discoveryStatements(ctx, discovery),
    });
    const fn = declareFunction(ctx, {
      targets: many === undefined ? { targetGroupArn: primaryArn } : { listeners: many },
      stateBucketName: state.stateBucketName,
      logGroup,
      roleArn: role.roleArn,
      rolePolicy: role.rolePolicy,
      allowedCidrs,
      discoveryEnvironment: discoveryEnvironment(ctx),
    });
    const rule = declareSchedule(ctx, fn);
    this.interfaceEventRuleArn = declareInterfaceEvents(ctx, fn, discovery.events);
    const albMetricDimension = ctx.expression(
      "alb_metric_dimension",
      albDimension(props.albDnsName),
      "The LoadBalancerName dimension of the function's metrics: the ALB's DNS name, lower case, no trailing dot.",
    );
    const alarms = declareAlarms(ctx, fn, {
      perTg,
      primary: many === undefined ? perTg : singleTargetGroup(primaryArn),
      albMetricDimension,
      eni: discovery.eni,
    });
    const { errorsAlarm, ipCountAlarm, outsideAllowedCidrsAlarm } = alarms;
    const dashboard = declareDashboard(
      ctx,
      fn,
      { loadBalancer: albMetricDimension, region: region.id, period: 60 },
      perTg,
    );

    // Values the module may have decided as "" (nothing given, nothing created) are null outside.
    // (cdktf's operators drop a literal "" or 0, hence a length >= 1.)
    const given = (value: string) => Op.gte(Fn.lengthOf(value), 1);
    const orNull = (value: string): string =>
      isToken(ctx.create) ? Token.asString(Fn.conditional(given(value), value, Token.nullValue())) : value;
    // A per-entry resource (for_each) answers for the entry "default", as the count-based releases did.
    const attr = (element: Countable, attribute: string): string =>
      element.forEach === undefined
        ? optionalAttrOf(element, attribute)
        : Token.asString(
            `\${try(${element.terraformResourceType}.${element.friendlyUniqueId}["${DEFAULT_LISTENER_KEY}"].${attribute}, null)}`,
          );
    this.targetGroupArn = orNull(primaryArn);
    this.targetGroupArns = many === undefined ? { default: primaryArn } : many.targetGroupArns;
    this.listenerArns = many?.listenerArns;
    this.targetGroupName = orNull(Fn.element(Fn.split("/", primaryArn), 1));
    this.targetGroupArnSuffix = orNull(Fn.element(Fn.split(":", primaryArn), 5));
    this.allowedTargetCidrsSource = isToken(ctx.create)
      ? Token.asString(Fn.conditional(ctx.create, allowedCidrs.source, Token.nullValue()))
      : allowedCidrs.source;
    this.listenerArn =
      many === undefined
        ? one?.listenerArn
        : Token.asString(`\${try(${Token.asString(many.listenerArns)}["default"], null)}`);
    this.stateBucketName = orNull(state.stateBucketName);
    this.stateBucketArn = isToken(ctx.create)
      ? Token.asString(Fn.conditional(given(state.stateBucketName), state.bucketArn, Token.nullValue()))
      : state.bucketArn;
    this.functionName = attr(fn, "function_name");
    this.functionArn = attr(fn, "arn");
    this.roleArn = orNull(role.roleArn);
    this.roleName = role.roleName;
    this.rolePolicyJson = role.policyJson;
    this.logGroupName = orNull(logGroup.logGroupName);
    this.logGroupArn = isToken(ctx.create)
      ? Token.asString(Fn.conditional(ctx.create, logGroup.logGroupArn, Token.nullValue()))
      : logGroup.logGroupArn;
    this.scheduleRuleArn = attr(rule, "arn");
    this.scheduleRuleName = attr(rule, "name");
    this.errorsAlarmArn = attr(errorsAlarm, "arn");
    this.errorsAlarmName = attr(errorsAlarm, "alarm_name");
    this.ipCountAlarmArn = ipCountAlarm === undefined ? undefined : attr(ipCountAlarm, "arn");
    this.ipCountAlarmName = ipCountAlarm === undefined ? undefined : attr(ipCountAlarm, "alarm_name");
    this.outsideAllowedCidrsAlarmNames = alarms.outsideAllowedCidrsAlarmNames;
    this.unservedPortsAlarmNames = alarms.unservedPortsAlarmNames;
    this.interfacesNotElbManagedAlarmName =
      alarms.interfacesNotElbManagedAlarm === undefined
        ? undefined
        : attr(alarms.interfacesNotElbManagedAlarm, "alarm_name");
    this.dashboardName = dashboard === undefined ? undefined : attr(dashboard, "dashboard_name");
    this.resources = {
      targetGroup: many?.targetGroup ?? one?.targetGroup,
      listener: many?.listener ?? one?.listener,
      bucket: state.bucket,
      role: role.role,
      function: fn,
      logGroup: logGroup.logGroup,
      errorsAlarm,
      ipCountAlarm,
      outsideAllowedCidrsAlarm,
      unservedPortsAlarm: alarms.unservedPortsAlarm,
      interfacesNotElbManagedAlarm: alarms.interfacesNotElbManagedAlarm,
      dashboard,
    };
  }
}
