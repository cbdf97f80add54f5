/** The EventBridge schedule that invokes the function, and the permission that lets it. */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import type { BuildContext } from "./context.js";
import { attrOf } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";

/** Declares the schedule rule, its target (the function) and the invoke permission; returns the rule. */
export function declareSchedule(ctx: BuildContext, fn: LambdaFunction): CloudwatchEventRule {
  const { scope, props, name, named } = ctx;
  const rule = named(
    new CloudwatchEventRule(scope, "schedule", {
      count: ctx.count(),
      name,
      description: `Runs the ${name} function (alb-static-ip) on a schedule.`,
      scheduleExpression: props.scheduleExpression ?? DEFAULTS.scheduleExpression,
      state: "ENABLED",
      tags: ctx.tagsFor(props.scheduleTags),
    }),
    "schedule",
    "Runs the function every schedule_expression; the alarms take their period from it.",
  );
  named(
    new CloudwatchEventTarget(scope, "schedule_target", {
      count: ctx.count(),
      rule: attrOf(rule, "name"),
      targetId: "alb-static-ip",
      arn: attrOf(fn, "arn"),
    }),
    "schedule",
  );
  named(
    new LambdaPermission(scope, "schedule_permission", {
      count: ctx.count(),
      statementId: "AllowScheduleRule",
      action: "lambda:InvokeFunction",
      functionName: attrOf(fn, "function_name"),
      principal: "events.amazonaws.com",
      sourceArn: attrOf(rule, "arn"),
    }),
    "schedule",
    "Only this rule may invoke the function through this permission (source_arn).",
  );

  return rule;
}
