/**
 * middy middleware that turns whatever event invoked the function into a small, validated RunRequest.
 * The schedule sends an EventBridge "Scheduled Event"; people invoke by hand with `{}` or `{ "dryRun": true }`.
 * ELB's interface events (`aws.ec2`, CloudTrail via EventBridge) are hints to run now; a malformed or foreign
 * `aws.ec2` event runs nothing. Anything else is ignored (logged) rather than crashing, so a stray event can
 * never cause a crash loop.
 */
import type { MiddlewareObj } from "@middy/core";
import { type InterfaceEvent, parseInterfaceEvent } from "../core/events.js";

export interface RunRequest {
  trigger: "schedule" | "manual" | "event";
  /** A manual `{ "dryRun": true }` plans and logs without writing, whatever DRY_RUN says. */
  dryRun: boolean;
  /** Why parts of the event were ignored, if they were. */
  ignored?: string | undefined;
  /** An ELB interface event (`trigger: "event"`): a hint to run now (core/events.ts decides). */
  interfaceEvent?: InterfaceEvent | undefined;
  /** An `aws.ec2` event that is malformed or not an ELB interface change: no run, a warning. */
  rejected?: string | undefined;
}

export interface RunRequestContext {
  runRequest?: RunRequest;
}

/** Pure: classifies an event. */
export function toRunRequest(event: unknown): RunRequest {
  if (event === null || event === undefined) return { trigger: "manual", dryRun: false };
  if (typeof event !== "object" || Array.isArray(event)) {
    return {
      trigger: "manual",
      dryRun: false,
      ignored: `event of type ${Array.isArray(event) ? "array" : typeof event}`,
    };
  }
  const e = event as Record<string, unknown>;
  if (e.source === "aws.ec2") {
    const parsed = parseInterfaceEvent(e);
    return parsed.ok
      ? { trigger: "event", dryRun: false, interfaceEvent: parsed.event }
      : { trigger: "event", dryRun: false, rejected: parsed.reason };
  }
  if (e.source === "aws.events" || e["detail-type"] === "Scheduled Event")
    return { trigger: "schedule", dryRun: false };
  if ("dryRun" in e && typeof e.dryRun !== "boolean") {
    return {
      trigger: "manual",
      dryRun: true,
      ignored: `dryRun must be true or false, got ${JSON.stringify(e.dryRun)}; running as a dry run`,
    };
  }
  const unknownKeys = Object.keys(e).filter((k) => k !== "dryRun");
  return {
    trigger: "manual",
    dryRun: e.dryRun === true,
    ignored:
      unknownKeys.length > 0 ? `unknown event fields ${unknownKeys.slice(0, 5).join(", ")}` : undefined,
  };
}

/** Attaches `context.runRequest`. */
export function runRequest(): MiddlewareObj<
  unknown,
  unknown,
  Error,
  RunRequestContext & import("aws-lambda").Context
> {
  return {
    before: (request) => {
      request.context.runRequest = toRunRequest(request.event);
    },
  };
}
