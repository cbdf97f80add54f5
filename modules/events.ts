/**
 * The interface event rule: ELB's CloudTrail `CreateNetworkInterface` (matched by this ALB's interface
 * description, `ELB app/<name>/<id>`) and `DeleteNetworkInterface` (which names only the interface id, so the
 * function attributes it) calls, delivered by EventBridge to the function, with its own lambda permission. The
 * pattern is the function's own (lambda/core/events.ts). Needs a CloudTrail trail recording management events
 * in the region; without one no event arrives and the schedule still runs (docs/how-it-works.md, "ENI discovery and interface events").
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { Fn, Token } from "cdktf";
import { albIdentity } from "../lambda/config/discovery.js";
import { interfaceEventPattern } from "../lambda/core/events.js";
import type { BuildContext } from "./context.js";
import { attrOf, countFor, isNull, isToken, optionalAttrOf, type Toggle } from "./expr.js";

/**
 * The rule's event pattern as JSON: a string for a literal ARN, `jsonencode({ … })` when the ARN is a Terraform
 * expression (the provider normalises the pattern's JSON, so both plan the same).
 */
export function eventPatternFor(ctx: BuildContext, albArn: string): string {
  if (!isToken(albArn))
    return JSON.stringify(interfaceEventPattern(albIdentity(albArn).interfaceDescription));
  // A local is evaluated whatever is created: null without an ALB ARN (the rule then does not exist).
  const description = ctx.expression(
    "alb_interface_description",
    Token.asString(
      Fn.conditional(
        isNull(albArn),
        Token.nullValue(),
        Fn.format("ELB %s", [Fn.join("/", Fn.slice(Fn.split("/", albArn), 1, 4))]),
      ),
    ),
    "How ELB describes the ALB's network interfaces: \"ELB \" and the ARN's resource after loadbalancer/, app/<name>/<id>.",
  );
  return Fn.jsonencode(interfaceEventPattern(description));
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
  const toggle = ctx.when(
    events,
    "create_interface_events",
    'The interface event rule: event_driven (unset: discovery_mode = "eni"), for the ALB of alb_arn.',
  );
  if (toggle === false || props.albArn === undefined) return undefined;
  const count = countFor(toggle);
  const rule = named(
    new CloudwatchEventRule(scope, "interface_events", {
      count,
      name: `${name}-alb-interfaces`,
      description: `Runs the ${name} function (alb-static-ip) when ELB creates or deletes one of the ALB's network interfaces.`,
      eventPattern: eventPatternFor(ctx, props.albArn),
      state: "ENABLED",
      tags: ctx.tagsFor(props.scheduleTags),
    }),
    "interface_events",
    "ELB's CreateNetworkInterface for this ALB (matched by the interface description) and every DeleteNetworkInterface by ELB (it names only the interface id; the function attributes it), as CloudTrail records them: a run within seconds of a scale-out. Needs a trail with management events in this region; the schedule stays the backstop.",
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
    "Only the interface event rule may invoke the function through this permission (source_arn).",
  );
  return optionalAttrOf(rule, "arn");
}
