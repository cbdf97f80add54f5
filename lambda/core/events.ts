/**
 * Interface events (pure): the CloudTrail "AWS API Call via CloudTrail" events of ELB creating or deleting an
 * ALB network interface, delivered by EventBridge. An event is only a hint to run now; the run still discovers.
 * This module reads the event, decides whether it is about this ALB, and whether a recent run already covers it
 * (coalescing, so that a flood of events does not become a flood of runs). docs/how-it-works.md, "ENI discovery and interface events".
 */

/** The CloudTrail event names that trigger a run. */
export const INTERFACE_EVENT_NAMES = ["CreateNetworkInterface", "DeleteNetworkInterface"] as const;
export type InterfaceEventName = (typeof INTERFACE_EVENT_NAMES)[number];

/** `sourceIPAddress` (and `invokedBy`) of the calls ELB makes. */
export const ELB_SOURCE = "elasticloadbalancing.amazonaws.com";

/**
 * How long after an event's time a lookup is trusted to include its change: CloudTrail times are whole seconds,
 * and DescribeNetworkInterfaces is eventually consistent for a few seconds after a change.
 */
export const EVENT_SETTLE_MS = 4_000;

/** A valid interface event. */
export interface InterfaceEvent {
  name: InterfaceEventName;
  /** `detail.eventTime`, epoch ms. */
  eventTime: number;
  /** The interface created or deleted, when the event names it. */
  interfaceId: string | undefined;
  /** The new interface's description (CreateNetworkInterface only). */
  description: string | undefined;
  /** `detail.eventID`, for the log line. */
  eventId: string | undefined;
}

/** What the event is. */
export type ParsedEvent = { ok: true; event: InterfaceEvent } | { ok: false; reason: string };

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Reads an `aws.ec2` EventBridge event. Anything that is not ELB's successful Create/DeleteNetworkInterface
 * call is not ok, with the reason (logged as a warning; no run).
 *
 * @example
 * parseInterfaceEvent({ source: "aws.ec2", "detail-type": "AWS API Call via CloudTrail", detail: { … } });
 * // { ok: true, event: { name: "CreateNetworkInterface", eventTime: 1796086800000, interfaceId: "eni-…", … } }
 */
export function parseInterfaceEvent(raw: Readonly<Record<string, unknown>>): ParsedEvent {
  if (raw["detail-type"] !== "AWS API Call via CloudTrail") {
    return {
      ok: false,
      reason: `detail-type ${JSON.stringify(raw["detail-type"])} is not "AWS API Call via CloudTrail"`,
    };
  }
  const detail = obj(raw.detail);
  if (detail === undefined) return { ok: false, reason: "the event has no detail object" };
  if (detail.eventSource !== "ec2.amazonaws.com") {
    return {
      ok: false,
      reason: `detail.eventSource ${JSON.stringify(detail.eventSource)} is not ec2.amazonaws.com`,
    };
  }
  const name = detail.eventName;
  if (!INTERFACE_EVENT_NAMES.some((n) => n === name)) {
    return {
      ok: false,
      reason: `detail.eventName ${JSON.stringify(name)} is not ${INTERFACE_EVENT_NAMES.join(" or ")}`,
    };
  }
  if (detail.sourceIPAddress !== ELB_SOURCE) {
    return {
      ok: false,
      reason: `detail.sourceIPAddress ${JSON.stringify(detail.sourceIPAddress)} is not ${ELB_SOURCE}: not an ALB node`,
    };
  }
  if (detail.errorCode !== undefined) {
    return { ok: false, reason: `the call failed (${String(detail.errorCode)}): no interface changed` };
  }
  const time = str(detail.eventTime);
  const eventTime = time === undefined ? Number.NaN : Date.parse(time);
  if (!Number.isFinite(eventTime))
    return { ok: false, reason: `detail.eventTime ${JSON.stringify(detail.eventTime)} is not a time` };
  const request = obj(detail.requestParameters);
  const created = obj(obj(detail.responseElements)?.networkInterface);
  const event: InterfaceEvent = {
    name: name as InterfaceEventName,
    eventTime,
    interfaceId:
      name === "CreateNetworkInterface" ? str(created?.networkInterfaceId) : str(request?.networkInterfaceId),
    description:
      name === "CreateNetworkInterface"
        ? (str(request?.description) ?? str(created?.description))
        : undefined,
    eventId: str(detail.eventID),
  };
  if (event.name === "DeleteNetworkInterface" && event.interfaceId === undefined) {
    return { ok: false, reason: "DeleteNetworkInterface without requestParameters.networkInterfaceId" };
  }
  return { ok: true, event };
}

/** What the container knows when an event arrives. */
export interface EventContext {
  /** DISCOVERY_MODE: in `dns` mode an interface event is ignored at once (a DNS run cannot see it yet). */
  discoveryMode: "dns" | "eni";
  /** `ELB app/<name>/<id>` of ALB_ARN; undefined when ALB_ARN is not set. */
  interfaceDescription: string | undefined;
  /** Interface ids of the last successful ENI lookup of this container (empty in DNS mode or before one). */
  knownInterfaceIds: ReadonlySet<string>;
  /** Whether this container has had a successful ENI lookup (so `knownInterfaceIds` is the ALB's set). */
  knowsInterfaces: boolean;
  /** Epoch ms at which the last run that completed with a complete observation started; undefined: none yet. */
  lastCoveringRunStartedAt: number | undefined;
  /** Epoch ms now. */
  now: number;
  /** Default {@link EVENT_SETTLE_MS}. */
  settleMs?: number;
}

/** The decision for one event. */
export type EventDecision =
  /** Not about this ALB (or not attributable): no run. */
  | { kind: "ignore"; reason: string }
  /** A run that started after the event settled completed: it saw the change, no run. */
  | { kind: "covered"; reason: string }
  /** Run, after waiting `waitMs` for the change to settle. */
  | { kind: "run"; waitMs: number };

/**
 * Decides what to do with a valid interface event.
 *
 * - In DNS mode every event is ignored at once: DNS names a new node only after the interface exists (often
 *   much later), and a deletion matches every interface ELB deletes in the region, so each would cost a wait and
 *   a full discovery for nothing. The reason names the fix (ENI mode, or no event rule).
 * - A created interface of another description is foreign: ignored.
 * - A deleted interface is ours when the last lookup saw it; when this container's lookup knows the ALB's
 *   interfaces and this one is not among them, it is foreign (another load balancer); otherwise (a cold
 *   container) it cannot be attributed and runs, as a hint.
 * - A run that started at least `settleMs` after the event and completed covers it: nothing to do. Otherwise
 *   the run waits until then, so that it (and the events it covers) sees the change.
 *
 * @example
 * decideEvent(event, { discoveryMode: "eni", interfaceDescription: "ELB app/web/0123456789abcdef", knownInterfaceIds: new Set(), knowsInterfaces: false, lastCoveringRunStartedAt: undefined, now: Date.now() });
 * // { kind: "run", waitMs: 1200 }
 */
export function decideEvent(event: InterfaceEvent, ctx: EventContext): EventDecision {
  const settleMs = ctx.settleMs ?? EVENT_SETTLE_MS;
  if (ctx.discoveryMode === "dns") {
    return {
      kind: "ignore",
      reason:
        `${event.name} events are for DISCOVERY_MODE=eni: a DNS run cannot see a new interface before DNS names it, and every ELB interface deletion in the region matches the rule. ` +
        'Set DISCOVERY_MODE=eni (module: discovery_mode = "eni"), or remove the interface event rule (module: event_driven = false); the schedule keeps the target group in sync meanwhile',
    };
  }
  if (event.name === "CreateNetworkInterface") {
    if (ctx.interfaceDescription === undefined) {
      return {
        kind: "ignore",
        reason: "ALB_ARN is not set, so the event cannot be matched to this ALB; set ALB_ARN",
      };
    }
    if (event.description !== ctx.interfaceDescription) {
      return {
        kind: "ignore",
        reason: `the interface ${event.interfaceId ?? "(no id)"} is described ${JSON.stringify(event.description ?? null)}, not "${ctx.interfaceDescription}": another load balancer's`,
      };
    }
  } else if (ctx.knowsInterfaces && !ctx.knownInterfaceIds.has(event.interfaceId ?? "")) {
    return {
      kind: "ignore",
      reason: `the deleted interface ${event.interfaceId} was not one of this ALB's ${ctx.knownInterfaceIds.size} interfaces at the last lookup`,
    };
  }
  const settled = event.eventTime + settleMs;
  if (ctx.lastCoveringRunStartedAt !== undefined && ctx.lastCoveringRunStartedAt >= settled) {
    return {
      kind: "covered",
      reason: `a run that started ${Math.round((ctx.lastCoveringRunStartedAt - event.eventTime) / 1000)} s after the event already saw it`,
    };
  }
  return { kind: "run", waitMs: Math.max(0, Math.min(settleMs, settled - ctx.now)) };
}

/**
 * The EventBridge event pattern of the rule that delivers this ALB's interface events (the module's
 * `aws_cloudwatch_event_rule` and the local world use this one definition). A created interface is matched
 * by its description; a DeleteNetworkInterface event carries only the interface id, so every interface ELB
 * deletes in the account and region matches, and the function attributes it ({@link decideEvent}).
 *
 * @example
 * JSON.stringify(interfaceEventPattern("ELB app/web/0123456789abcdef"));
 */
export function interfaceEventPattern(interfaceDescription: string): Record<string, unknown> {
  return {
    source: ["aws.ec2"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventSource: ["ec2.amazonaws.com"],
      sourceIPAddress: [ELB_SOURCE],
      errorCode: [{ exists: false }],
      $or: [
        { eventName: ["CreateNetworkInterface"], requestParameters: { description: [interfaceDescription] } },
        { eventName: ["DeleteNetworkInterface"] },
      ],
    },
  };
}
