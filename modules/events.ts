/**
 * The interface event rule: ELB's CloudTrail `CreateNetworkInterface` (matched by this ALB's interface
 * description, `ELB app/<name>/<id>`) and `DeleteNetworkInterface` (which names only the interface id, so the
 * function attributes it) calls, delivered by EventBridge to the function, with its own lambda permission. The
 * pattern is the function's own (lambda/core/events.ts). Needs a CloudTrail trail recording management events
 * in the region; without one no event arrives and the schedule still runs (README, "Events").
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { Fn } from "cdktf";
import { albIdentity } from "../lambda/config/discovery.js";
import { interfaceEventPattern } from "../lambda/core/events.js";
import type { BuildContext } from "./context.js";
import { attrOf, countFor, isToken, optionalAttrOf, type Toggle } from "./expr.js";

const PLACEHOLDER = "__ALB_INTERFACE_DESCRIPTION__";

/** The rule's event pattern as a JSON string (a Terraform expression when the ARN is one). */
export function eventPatternFor(albArn: string): string {
  if (!isToken(albArn))
    return JSON.stringify(interfaceEventPattern(albIdentity(albArn).interfaceDescription));
  // "ELB " + the ARN's resource after "loadbalancer/": app/<name>/<id>.
  const description = Fn.format("ELB %s", [Fn.join("/", Fn.slice(Fn.split("/", albArn), 1, 4))]);
  return JSON.stringify(interfaceEventPattern(PLACEHOLDER)).replace(
    `"${PLACEHOLDER}"`,
    Fn.jsonencode(description),
  );
}

/**
 * Declares the rule, its target and the permission when `events` holds (discovery.ts decides it); returns the
 * rule's ARN (null when none).
 */
export function declareInterfaceEvents(
  ctx: BuildContext,
  fn: LambdaFunction,
  events: Toggle,
): string | undefined {
  const { scope, props, name, named } = ctx;
  const toggle = ctx.when(events);
  if (toggle === false || props.albArn === undefined) return undefined;
  const count = countFor(toggle);
  const rule = named(
    new CloudwatchEventRule(scope, "interface_events", {
      count,
      name: `${name}-alb-interfaces`,
      description: `Runs the ${name} function (alb-static-ip) when ELB creates or deletes one of the ALB's network interfaces.`,
      eventPattern: eventPatternFor(props.albArn),
      state: "ENABLED",
      tags: ctx.tagsFor(props.scheduleTags),
    }),
    "interface_events",
  );
  named(
    new CloudwatchEventTarget(scope, "interface_events_target", {
      count,
      rule: attrOf(rule, "name"),
      targetId: "alb-static-ip",
      arn: attrOf(fn, "arn"),
    }),
    "interface_events",
  );
  named(
    new LambdaPermission(scope, "interface_events_permission", {
      count,
      statementId: "AllowInterfaceEventRule",
      action: "lambda:InvokeFunction",
      functionName: attrOf(fn, "function_name"),
      principal: "events.amazonaws.com",
      sourceArn: attrOf(rule, "arn"),
    }),
    "interface_events",
  );
  return optionalAttrOf(rule, "arn");
}
