/**
 * The original algorithm (AWS sample `populate_NLB_TG_with_ALB.py`, Python 3 version), rewritten as a small
 * TypeScript reference so the benchmarks can run it through the same local AWS world with the real SDK v3 clients.
 *
 * Faithful to the original in what it costs and decides:
 * - DescribeTargetHealth first (all targets, any port, any state);
 * - up to MAX_LOOKUP_PER_INVOCATION sequential A lookups, each with a fresh resolver, stopping early only when an
 *   answer holds fewer than 8 addresses; a DNS error fails the run (dnspython raises, nothing catches it);
 * - PutMetricData into `AWS/ApplicationELB` (errors printed and ignored);
 * - two GetObject (active list, pending-deregistration counters), then two PutObject on every run;
 * - RegisterTargets for IPs new against the target group or the previous list, then DeregisterTargets once per
 *   IP whose pending counter reached INVOCATIONS_BEFORE_DEREGISTRATION, with the growing list (as the original
 *   loop does), counters advancing on every run whether or not the lookup found every IP.
 * Left out: the NS lookup of the regional zone (1 NS + 1 A per name server through the VPC resolver each run);
 * the world's DNS_SERVERS stand in for the authoritative servers it finds. That slightly favours the baseline.
 */
import { Resolver } from "node:dns/promises";
import { type CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** The original's default (CloudFormation template). */
export const BASELINE_MAX_LOOKUP = 50;
/** dnspython's default per-server timeout, in ms. */
export const BASELINE_DNS_TIMEOUT_MS = 2000;

/** The original's environment, parsed the way the Python does (`int(...)`, `.lower() == "true"`). */
export interface BaselineConfig {
  albDnsName: string;
  albListener: number;
  s3Bucket: string;
  nlbTgArn: string;
  maxLookupPerInvocation: number;
  invocationsBeforeDeregistration: number;
  cwMetricFlagIpCount: boolean;
  /** `host:port` strings (the authoritative servers the original would look up). */
  dnsServers: string[];
}

/** What one baseline run did, in the shape the benchmarks compare. */
export interface BaselineSummary {
  ok: boolean;
  ips: string[];
  queries: number;
  registered: string[];
  deregistered: string[];
  apiCalls: { elbv2: number; s3: number; cloudwatch: number };
  s3Writes: number;
  durationMs: number;
  error?: string;
}

/** The SDK clients the baseline uses. */
export interface BaselineClients {
  elbv2: ElasticLoadBalancingV2Client;
  s3: S3Client;
  cloudwatch: CloudWatchClient;
}

/**
 * Read the original's environment variables; throws naming the missing variable.
 *
 * @example
 * const config = baselineConfig({ ...world.env(), MAX_LOOKUP_PER_INVOCATION: "50" });
 */
export function baselineConfig(env: Record<string, string | undefined>): BaselineConfig {
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === "") {
      throw new Error(`baseline: environment variable ${name} is missing; pass a world's env()`);
    }
    return value;
  };
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined) return fallback;
    const value = Number.parseInt(raw, 10);
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(
        `baseline: ${name}=${JSON.stringify(raw)} must be a positive integer (the original exits)`,
      );
    }
    return value;
  };
  return {
    albDnsName: need("ALB_DNS_NAME"),
    albListener: Number.parseInt(need("ALB_LISTENER"), 10),
    s3Bucket: need("S3_BUCKET"),
    nlbTgArn: need("NLB_TG_ARN"),
    maxLookupPerInvocation: int("MAX_LOOKUP_PER_INVOCATION", BASELINE_MAX_LOOKUP),
    invocationsBeforeDeregistration: int("INVOCATIONS_BEFORE_DEREGISTRATION", 3),
    cwMetricFlagIpCount: (env.CW_METRIC_FLAG_IP_COUNT ?? "True").toLowerCase() === "true",
    dnsServers: need("DNS_SERVERS")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  };
}

/**
 * The original DNS loop: up to `maxLookups` sequential A queries, a fresh resolver each time, stop early only on an
 * answer with fewer than 8 addresses. Throws on the first failed query, like dnspython's `query()`.
 * `shared` reuses one resolver (set up by the caller) instead of a fresh one per lookup: the same answers for
 * less CPU, which the completeness benchmark uses for its untimed invocations.
 *
 * @example
 * const { ips, queries } = await baselineLookup(name, ["127.0.0.1:5353"], 50);
 */
export async function baselineLookup(
  name: string,
  servers: readonly string[],
  maxLookups: number = BASELINE_MAX_LOOKUP,
  timeoutMs: number = BASELINE_DNS_TIMEOUT_MS,
  shared?: Resolver,
): Promise<{ ips: string[]; queries: number }> {
  const seen = new Set<string>();
  let queries = 0;
  for (let i = 1; i <= maxLookups; i++) {
    const resolver = shared ?? new Resolver({ timeout: timeoutMs, tries: 1 });
    if (!shared) resolver.setServers([...servers]);
    queries += 1;
    const answer = await resolver.resolve4(name);
    for (const ip of answer) seen.add(ip);
    if (answer.length < 8) break;
  }
  return { ips: [...seen], queries };
}

type Json = Record<string, unknown>;

/**
 * One run of the original handler against `clients`. Never throws: a failed run has `ok: false` and `error`.
 *
 * @example
 * const summary = await runBaseline(baselineConfig(process.env), clients);
 */
export async function runBaseline(
  config: BaselineConfig,
  clients: BaselineClients,
): Promise<BaselineSummary> {
  const started = performance.now();
  const apiCalls = { elbv2: 0, s3: 0, cloudwatch: 0 };
  const summary: BaselineSummary = {
    ok: true,
    ips: [],
    queries: 0,
    registered: [],
    deregistered: [],
    apiCalls,
    s3Writes: 0,
    durationMs: 0,
  };
  const activeKey = `${config.albDnsName}-active-registered-IPs/Active IP list of ${config.albDnsName}.json`;
  const pendingKey = `${config.albDnsName}-pending-deregisteration-IPs/Pending deregisteration IP list of ${config.albDnsName}.json`;
  const targets = (ips: readonly string[]) => ips.map((ip) => ({ Id: ip, Port: config.albListener }));
  const swallow = async (call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
    } catch {
      // the original prints the message and carries on
    }
  };

  try {
    // describe_target_health
    let registered: string[] = [];
    try {
      apiCalls.elbv2 += 1;
      const out = await clients.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: config.nlbTgArn }),
      );
      registered = (out.TargetHealthDescriptions ?? []).flatMap((d) => (d.Target?.Id ? [d.Target.Id] : []));
    } catch {
      registered = [];
    }

    // the DNS loop
    let lookup: { ips: string[]; queries: number };
    try {
      lookup = await baselineLookup(config.albDnsName, config.dnsServers, config.maxLookupPerInvocation);
    } catch (error) {
      throw new Error(`DNS lookup failed: ${(error as Error).message}`);
    }
    summary.ips = lookup.ips;
    summary.queries = lookup.queries;
    if (lookup.ips.length === 0)
      throw new Error("The number of IPs in DNS for the ALB is showing up as zero");

    const newActive = new Set(lookup.ips);
    const activeDict = {
      LoadBalancerName: config.albDnsName,
      TimeStamp: new Date().toISOString(),
      IPList: [...newActive],
      IPCount: newActive.size,
    };
    if (config.cwMetricFlagIpCount) {
      apiCalls.cloudwatch += 1;
      await swallow(() =>
        clients.cloudwatch.send(
          new PutMetricDataCommand({
            Namespace: "AWS/ApplicationELB",
            MetricData: [
              {
                MetricName: "LoadBalancerIPCount",
                Dimensions: [{ Name: "LoadBalancerName", Value: config.albDnsName }],
                Value: activeDict.IPCount,
                Unit: "Count",
              },
            ],
          }),
        ),
      );
    }

    const download = async (key: string): Promise<Json> => {
      apiCalls.s3 += 1;
      try {
        const out = await clients.s3.send(new GetObjectCommand({ Bucket: config.s3Bucket, Key: key }));
        const text = (await out.Body?.transformToString()) ?? "";
        // The original uploads json.dumps(...) through json.dump, so the object is a JSON string of JSON.
        const inner = JSON.parse(text) as unknown;
        const parsed = (typeof inner === "string" ? JSON.parse(inner) : inner) as unknown;
        return parsed && typeof parsed === "object" ? (parsed as Json) : {};
      } catch {
        return {};
      }
    };
    const oldActive = await download(activeKey);
    const oldPending = (await download(pendingKey)) as Record<string, number>;
    const hasOldActive = Object.keys(oldActive).length > 0;
    const registeredSet = new Set(registered);

    // registration: new IPs against the target group, and against the previous list
    const toRegister = new Set([...newActive].filter((ip) => !registeredSet.has(ip)));
    const oldActiveSet = new Set(
      hasOldActive && Array.isArray(oldActive.IPList) ? (oldActive.IPList as string[]) : [],
    );
    if (hasOldActive) for (const ip of newActive) if (!oldActiveSet.has(ip)) toRegister.add(ip);

    // pending deregistration counters
    let newPending: Record<string, number> = {};
    if (hasOldActive) {
      const missing = new Set([
        ...[...oldActiveSet].filter((ip) => !newActive.has(ip)),
        ...registered.filter((ip) => !newActive.has(ip)),
      ]);
      if (Object.keys(oldPending).length > 0) {
        for (const ip of missing) oldPending[ip] = (oldPending[ip] ?? 0) + 1;
        for (const ip of Object.keys(oldPending)) if (!missing.has(ip)) delete oldPending[ip];
        newPending = oldPending;
      } else {
        for (const ip of missing) newPending[ip] = 1;
      }
    }

    const upload = async (key: string, body: unknown) => {
      apiCalls.s3 += 1;
      summary.s3Writes += 1;
      await swallow(() =>
        clients.s3.send(
          new PutObjectCommand({
            Bucket: config.s3Bucket,
            Key: key,
            Body: JSON.stringify(JSON.stringify(body)),
          }),
        ),
      );
    };
    await upload(activeKey, activeDict);
    await upload(pendingKey, newPending);

    if (toRegister.size > 0) {
      apiCalls.elbv2 += 1;
      const list = [...toRegister];
      await swallow(async () => {
        await clients.elbv2.send(
          new RegisterTargetsCommand({ TargetGroupArn: config.nlbTgArn, Targets: targets(list) }),
        );
        summary.registered = list;
      });
    }

    // The original calls DeregisterTargets inside the loop with the list built so far.
    const deregistration: string[] = [];
    for (const [ip, count] of Object.entries(newPending)) {
      if (count < config.invocationsBeforeDeregistration) continue;
      deregistration.push(ip);
      apiCalls.elbv2 += 1;
      const list = [...deregistration];
      await swallow(async () => {
        await clients.elbv2.send(
          new DeregisterTargetsCommand({ TargetGroupArn: config.nlbTgArn, Targets: targets(list) }),
        );
      });
    }
    summary.deregistered = deregistration;
  } catch (error) {
    summary.ok = false;
    summary.error = (error as Error).message;
  }
  summary.durationMs = performance.now() - started;
  return summary;
}
