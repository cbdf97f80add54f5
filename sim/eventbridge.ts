/**
 * A stand-in for the EventBridge rule that delivers the ALB's interface events to the function: the rule's
 * event pattern (matched as EventBridge does, for the operators the pattern uses: literal lists, `exists`,
 * `prefix`, nested objects and `$or`), a delivery delay (CloudTrail → EventBridge is best effort and takes
 * seconds), and Lambda's asynchronous invocation with reserved concurrency 1: invocations run one at a time,
 * the rest wait in the queue, events older than the maximum event age are dropped.
 */

/** An EventBridge event pattern (JSON). */
export type EventPattern = { [key: string]: unknown };

function matchValue(rule: unknown, value: unknown): boolean {
  if (rule !== null && typeof rule === "object" && !Array.isArray(rule)) {
    const r = rule as Record<string, unknown>;
    if ("exists" in r) return (value !== undefined) === r.exists;
    if ("prefix" in r) return typeof value === "string" && value.startsWith(String(r.prefix));
    if ("anything-but" in r) {
      const but = Array.isArray(r["anything-but"]) ? r["anything-but"] : [r["anything-but"]];
      return value !== undefined && !but.includes(value);
    }
    return false;
  }
  if (Array.isArray(value)) return value.some((v) => matchValue(rule, v));
  return rule === value;
}

/**
 * Whether `event` matches `pattern` (EventBridge semantics for the operators above).
 *
 * @example
 * matchesPattern({ source: ["aws.ec2"] }, { source: "aws.ec2" }); // true
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const e = (event !== null && typeof event === "object" ? event : {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === "$or") return (rule as EventPattern[]).some((alt) => matchesPattern(alt, e));
    const value = e[key];
    if (Array.isArray(rule)) return rule.some((r) => matchValue(r, value));
    if (rule !== null && typeof rule === "object")
      return value !== null && typeof value === "object" && matchesPattern(rule as EventPattern, value);
    return false;
  });
}

export interface EventRuleOptions {
  pattern: EventPattern;
  /** Delay from the API call to the invocation request, in ms (a number or a function drawing one). */
  deliveryDelayMs: number | (() => number);
  /** Invokes the function once; resolves when that invocation ended. */
  invoke(event: unknown): Promise<unknown>;
  /** Events older than this when their turn comes are dropped (the module's maximum event age). Default 60 s. */
  maxEventAgeMs?: number;
  /** Timers (default setTimeout); tests and benches on a virtual clock pass their own. */
  schedule?: (fn: () => void, ms: number) => void;
  now?: () => number;
}

export interface EventRule {
  /** Offer an event as the bus receives it. */
  put(event: unknown): void;
  /** Resolves when nothing is in flight or queued. */
  idle(): Promise<void>;
  readonly stats: {
    matched: number;
    ignored: number;
    invocations: number;
    dropped: number;
    results: unknown[];
  };
}

/**
 * Creates the rule, its target and the one-at-a-time invocation queue.
 *
 * @example
 * const rule = createEventRule({ pattern, deliveryDelayMs: 2000, invoke: (e) => fn.invoke(e) });
 * world.onCloudTrailEvent((e) => rule.put(e));
 */
export function createEventRule(options: EventRuleOptions): EventRule {
  const schedule = options.schedule ?? ((fn, ms) => void setTimeout(fn, ms));
  const now = options.now ?? Date.now;
  const maxAge = options.maxEventAgeMs ?? 60_000;
  const stats = { matched: 0, ignored: 0, invocations: 0, dropped: 0, results: [] as unknown[] };
  const queue: Array<{ event: unknown; at: number }> = [];
  let running = false;
  let pending = 0;
  let waiters: Array<() => void> = [];

  const settle = () => {
    if (!running && queue.length === 0 && pending === 0) {
      for (const w of waiters) w();
      waiters = [];
    }
  };
  const pump = async () => {
    if (running) return;
    running = true;
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (now() - next.at > maxAge) {
        stats.dropped += 1;
        continue;
      }
      stats.invocations += 1;
      stats.results.push(await options.invoke(next.event));
    }
    running = false;
    settle();
  };
  return {
    stats,
    put(event) {
      if (!matchesPattern(options.pattern, event)) {
        stats.ignored += 1;
        return;
      }
      stats.matched += 1;
      pending += 1;
      const at = now();
      const delay =
        typeof options.deliveryDelayMs === "function" ? options.deliveryDelayMs() : options.deliveryDelayMs;
      schedule(() => {
        pending -= 1;
        queue.push({ event, at });
        void pump();
      }, delay);
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
  };
}
