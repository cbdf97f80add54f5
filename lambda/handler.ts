/**
 * Lambda entry point: wiring only. Config is validated at module load, so a bad environment fails the init
 * with the ConfigError text before any AWS call; everything else happens in `reconcile()`.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { createClients, DEFAULT_CLIENT_OPTIONS } from "./aws/clients.js";
import { createTargetGroupAdapter, createTargetGroupTypes } from "./aws/elbv2.js";
import { createMetricsPublisher } from "./aws/metrics.js";
import { createStateStore } from "./aws/state-store.js";
import { loadConfig, pairLabel, stateKey } from "./config.js";
import { toPlanSettings } from "./core/plan.js";
import { discoverAlbIps, MAX_QUERIES_PER_SECOND, resolveDiscoveryTarget } from "./discovery/index.js";
import { AlbStaticIpError } from "./errors.js";
import { type RunRequestContext, runRequest } from "./middleware/run-request.js";
import { type RunLogger, type RunSummary, reconcile } from "./reconcile.js";
import { runDeadlines } from "./timing.js";

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: "alb-static-ip", logLevel: config.logLevel });
const clients = createClients({
  ...DEFAULT_CLIENT_OPTIONS,
  region: config.region,
  maxAttempts: config.awsMaxAttempts,
  requestTimeoutMs: config.awsRequestTimeoutMs,
});

if (config.allowedTargetCidrs === undefined && !config.allowAnyTargetCidr) {
  logger.warn(
    "ALLOWED_TARGET_CIDRS is not set: every IP a DNS answer names can be registered; set it to the ALB's subnets (SECURITY.md)",
    { code: "target_cidrs_unrestricted" },
  );
}

/** Powertools' Logger behind the small interface reconcile() needs. */
const runLogger: RunLogger = {
  debug: (message, extra) => logger.debug(message, { ...extra }),
  info: (message, extra) => logger.info(message, { ...extra }),
  warn: (message, extra) => logger.warn(message, { ...extra }),
  error: (message, extra) => logger.error(message, { ...extra }),
};

/** The target groups' IP address types, read once per container (README, "Several listeners and IPv6"). */
const targetGroupTypes = createTargetGroupTypes(clients.elbv2);

/** The run failed; the message is the run's error, so the Lambda Errors metric and alarm see it. */
export class RunFailedError extends AlbStaticIpError {}

async function run(_event: unknown, context: Context & RunRequestContext): Promise<RunSummary> {
  const request = context.runRequest ?? { trigger: "manual", dryRun: false };
  if (request.ignored) logger.warn("Ignored part of the invocation event", { ignored: request.ignored });
  const dryRun = config.dryRun || request.dryRun;
  const deadlines = runDeadlines(Date.now(), context.getRemainingTimeInMillis());

  const summary = await reconcile(
    {
      // Two families at once share the DNS budget: together never more than DNS_CONCURRENCY in flight
      // (rounded up) and MAX_QUERIES_PER_SECOND.
      discover: async (family, deadline, concurrent) => {
        const target = await resolveDiscoveryTarget(config.albDnsName, config.dnsServers, {
          timeoutMs: config.dnsTimeoutMs,
        });
        return discoverAlbIps({
          name: target.name,
          family,
          servers: target.servers,
          timeoutMs: config.dnsTimeoutMs,
          concurrency: Math.max(1, Math.ceil(config.dnsConcurrency / concurrent)),
          maxQueriesPerSecond: Math.floor(MAX_QUERIES_PER_SECOND / concurrent),
          maxQueries: config.maxLookupPerInvocation,
          missProbability: config.missProbability,
          deadline,
        });
      },
      targetGroupTypes,
      pairs: config.targetGroups.map((pair) => ({
        ...pair,
        label: pairLabel(pair),
        targets: createTargetGroupAdapter(clients.elbv2, pair.targetGroupArn),
        store: createStateStore(clients.s3, {
          bucket: config.s3Bucket,
          key: stateKey(config, pair),
          expect: { targetGroupArn: pair.targetGroupArn, port: pair.port, albDnsName: config.albDnsName },
        }),
      })),
      metrics: config.cwMetricFlagIpCount
        ? createMetricsPublisher(clients.cloudwatch, {
            namespace: config.metricNamespace,
            albDnsName: config.albDnsName,
          })
        : undefined,
      logger: runLogger,
      now: () => new Date(),
    },
    {
      planConfig: toPlanSettings(config),
      allowedTargetCidrs: config.allowedTargetCidrs,
      dryRun,
      ...deadlines,
    },
  );

  const line = { ...summary, trigger: request.trigger };
  if (summary.ok) logger.info("alb-static-ip run", line);
  else logger.error("alb-static-ip run failed", line);
  if (!summary.ok && summary.error) {
    throw new RunFailedError(summary.error.code, summary.error.message);
  }
  return summary;
}

export const handler = middy(run).use(injectLambdaContext(logger)).use(runRequest());
