/**
 * Lambda entry point: wiring only. Config is validated at module load, so a bad environment fails the init
 * with the ConfigError text before any AWS call; everything else happens in `reconcile()`.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { createClients, DEFAULT_CLIENT_OPTIONS } from "./aws/clients.js";
import type { Ec2Adapter, Ec2AdapterOptions } from "./aws/ec2.js";
import { createTargetGroupAdapter, createTargetGroupTypes } from "./aws/elbv2.js";
import { createMetricsPublisher } from "./aws/metrics.js";
import { createStateStore } from "./aws/state-store.js";
import { loadConfig, pairLabel, stateKey } from "./config/index.js";
import { decideEvent } from "./core/events.js";
import { toPlanSettings } from "./core/plan.js";
import { createDiscovery } from "./discovery/run.js";
import { AlbStaticIpError } from "./errors.js";
import { type RunRequestContext, runRequest } from "./middleware/run-request.js";
import { type RunLogger, type RunSummary, reconcile, runCovers } from "./reconcile.js";
import { callLimitsOf, minimumFunctionTimeoutSeconds, runDeadlines, worstCaseCallMs } from "./timing.js";

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: "alb-static-ip", logLevel: config.logLevel });
const clients = createClients({
  ...DEFAULT_CLIENT_OPTIONS,
  region: config.region,
  maxAttempts: config.awsMaxAttempts,
  requestTimeoutMs: config.awsRequestTimeoutMs,
});

/** How long one AWS call may take (lambda/timing.ts); the state and target group adapters abort a call there. */
const callLimits = callLimitsOf(config);
const callBudgetMs = worstCaseCallMs(callLimits);
/** The run note when the invocation is too short to make a change safely (the run changes nothing). */
const TIMEOUT_TOO_SHORT = "function_timeout_too_short";

if (config.allowedTargetCidrs === undefined && !config.allowAnyTargetCidr) {
  logger.warn(
    config.discoveryMode === "eni"
      ? "ALLOWED_TARGET_CIDRS is not set: every IP the interface lookup returns can be registered; set it to the ALB's subnets (SECURITY.md)"
      : "ALLOWED_TARGET_CIDRS is not set: every IP a DNS answer names can be registered; set it to the ALB's subnets (SECURITY.md)",
    { code: "target_cidrs_unrestricted" },
  );
}

/**
 * The EC2 adapter from its own chunk (scripts/build.ts splits dynamic imports): the EC2 client is most of the
 * package, and a DNS-mode container never loads it. In ENI mode the load starts at init, beside the rest.
 */
function lazyEc2Adapter(options: Ec2AdapterOptions): Ec2Adapter {
  let adapter: Promise<Ec2Adapter> | undefined;
  let loaded: Ec2Adapter | undefined;
  const load = () => {
    adapter ??= import("./aws/ec2.js").then((m) => {
      loaded = m.createEc2Adapter(options);
      return loaded;
    });
    return adapter;
  };
  // Started now; a failure to load surfaces (and is retried) at the first lookup.
  load().catch(() => {
    adapter = undefined;
  });
  return {
    get calls() {
      return loaded?.calls ?? 0;
    },
    describeInterfaces: async (query) => (await load()).describeInterfaces(query),
  };
}

/**
 * The container's discovery (lambda/discovery/run.ts, the CLI's too): in ENI mode its lookup keeps the derived VPC
 * and the interface ids of the last lookup, and the EC2 adapter comes from its own chunk.
 */
const discovery = createDiscovery(config, {
  ec2: (alb) =>
    lazyEc2Adapter({
      ...alb,
      stsRegion: config.region,
      maxAttempts: config.awsMaxAttempts,
      connectionTimeoutMs: DEFAULT_CLIENT_OPTIONS.connectionTimeoutMs,
      requestTimeoutMs: config.awsRequestTimeoutMs,
    }),
  logger,
});
const eni = discovery.eni;

/** Start of the last run of this container that could have acted on every change it saw (event coalescing). */
let lastCoveringRunStartedAt: number | undefined;

/** Powertools' Logger behind the small interface reconcile() needs. */
const runLogger: RunLogger = {
  debug: (message, extra) => logger.debug(message, { ...extra }),
  info: (message, extra) => logger.info(message, { ...extra }),
  warn: (message, extra) => logger.warn(message, { ...extra }),
  error: (message, extra) => logger.error(message, { ...extra }),
};

/** The target groups' IP address types, read once per container (docs/how-it-works.md, "Several listeners and IPv6"). */
const targetGroupTypes = createTargetGroupTypes(clients.elbv2);

/** The run failed; the message is the run's error, so the Lambda Errors metric and alarm see it. */
export class RunFailedError extends AlbStaticIpError {}

/** What an event-triggered invocation returns when it does not run. */
export interface SkippedRun {
  skipped: "event_ignored" | "event_covered";
  reason: string;
  trigger: "event";
}

async function run(
  _event: unknown,
  context: Context & RunRequestContext,
): Promise<(RunSummary & { trigger: string }) | SkippedRun> {
  const request = context.runRequest ?? { trigger: "manual", dryRun: false };
  if (request.ignored) logger.warn("Ignored part of the invocation event", { ignored: request.ignored });
  if (request.trigger === "event") {
    const decision =
      request.interfaceEvent === undefined
        ? { kind: "ignore" as const, reason: request.rejected ?? "not an interface event" }
        : decideEvent(request.interfaceEvent, {
            discoveryMode: config.discoveryMode,
            interfaceDescription: config.discovery.alb?.interfaceDescription,
            knownInterfaceIds: eni?.knownInterfaceIds ?? new Set(),
            knowsInterfaces: eni?.lastSuccessStartedAt !== undefined,
            lastCoveringRunStartedAt,
            now: Date.now(),
          });
    const event = request.interfaceEvent;
    const about =
      event === undefined
        ? {}
        : { eventName: event.name, interfaceId: event.interfaceId, eventId: event.eventId };
    if (decision.kind === "ignore") {
      logger.warn("Ignored an aws.ec2 event: no run", {
        code: "event_ignored",
        reason: decision.reason,
        ...about,
      });
      return { skipped: "event_ignored", reason: decision.reason, trigger: "event" };
    }
    if (decision.kind === "covered") {
      logger.info("Interface event already covered by a recent run: no run", {
        code: "event_covered",
        reason: decision.reason,
        ...about,
      });
      return { skipped: "event_covered", reason: decision.reason, trigger: "event" };
    }
    if (decision.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.waitMs));
  }
  const dryRun = config.dryRun || request.dryRun;
  const runStartedAt = Date.now();
  const remainingMs = context.getRemainingTimeInMillis();
  const deadlines = runDeadlines(runStartedAt, remainingMs, callLimits);
  if (!deadlines.canAct && !dryRun) {
    logger.warn(
      `This run has ${Math.floor(remainingMs / 1000)} s left and a change needs ${Math.ceil(deadlines.requiredMs / 1000)} s (the change and the record of it, each up to AWS_MAX_ATTEMPTS × AWS_REQUEST_TIMEOUT_MS plus backoff, and time to discover): it changes nothing. Set the function timeout to at least ${minimumFunctionTimeoutSeconds(callLimits)} s (module input timeout; an event-triggered run waits a few seconds first), or lower AWS_REQUEST_TIMEOUT_MS / AWS_MAX_ATTEMPTS.`,
      { code: TIMEOUT_TOO_SHORT, remainingMs, requiredMs: deadlines.requiredMs },
    );
  }

  const summary = await reconcile(
    {
      discover: discovery.forRun(),
      targetGroupTypes,
      pairs: config.targetGroups.map((pair) => ({
        ...pair,
        label: pairLabel(pair),
        targets: createTargetGroupAdapter(clients.elbv2, pair.targetGroupArn, { callBudgetMs }),
        store: createStateStore(clients.s3, {
          callBudgetMs,
          bucket: config.s3Bucket,
          key: stateKey(config, pair),
          expect: { targetGroupArn: pair.targetGroupArn, port: pair.port, albDnsName: config.albDnsName },
        }),
        // A port of the same target group that no pair serves any more: its state, to report and clean up.
        stateStoreFor: (port: number) =>
          createStateStore(clients.s3, {
            callBudgetMs,
            bucket: config.s3Bucket,
            key: stateKey(config, { targetGroupArn: pair.targetGroupArn, port }),
            expect: { targetGroupArn: pair.targetGroupArn, port, albDnsName: config.albDnsName },
          }),
      })),
      metrics: config.cwMetricFlagIpCount
        ? createMetricsPublisher({ namespace: config.metricNamespace, albDnsName: config.albDnsName })
        : undefined,
      logger: runLogger,
      now: () => new Date(),
    },
    {
      planConfig: toPlanSettings(config),
      allowedTargetCidrs: config.allowedTargetCidrs,
      cleanupUnservedPorts: config.cleanupUnservedPorts,
      dryRun,
      discoveryDeadline: deadlines.discoveryDeadline,
      actDeadline: deadlines.actDeadline,
    },
  );
  if (!deadlines.canAct && !dryRun) summary.notes.push(TIMEOUT_TOO_SHORT);

  // A run covers an event only when it could have acted on it (not dry, no conflict, complete): reconcile.ts.
  if (runCovers(summary)) lastCoveringRunStartedAt = runStartedAt;
  const line = {
    ...summary,
    trigger: request.trigger,
    ...(request.interfaceEvent === undefined
      ? {}
      : { event: { name: request.interfaceEvent.name, interfaceId: request.interfaceEvent.interfaceId } }),
  };
  if (summary.ok) logger.info("alb-static-ip run", line);
  else logger.error("alb-static-ip run failed", line);
  if (!summary.ok && summary.error) {
    throw new RunFailedError(summary.error.code, summary.error.message);
  }
  return line;
}

export const handler = middy(run).use(injectLambdaContext(logger)).use(runRequest());
