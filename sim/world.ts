/**
 * The local AWS world in one process, on loopback only: DNS (UDP+TCP), ELBv2, S3 and CloudWatch
 * endpoints that the unmodified AWS SDK v3 clients reach through `AWS_ENDPOINT_URL_*`, plus the
 * control API. Tests start it in-process; `sim/main.ts` runs it as a CLI.
 */

import { AlbIps } from "./alb.js";
import { SimInputError } from "./api-error.js";
import { cloudwatchHandler } from "./cloudwatch.js";
import type { MetricDatumRecord } from "./cloudwatch-model.js";
import { controlHandler } from "./control.js";
import { type DnsServer, startDnsServer } from "./dns.js";
import { checkDnsBehaviour, type DnsBehaviour } from "./dns-answers.js";
import type { ForeignInjection } from "./dns-foreign.js";
import { ec2Handler } from "./ec2.js";
import { ec2NetworkActions } from "./ec2-network.js";
import { elbv2Handler } from "./elbv2.js";
import { Elbv2Model, type TargetGroupSpec } from "./elbv2-model.js";
import { elbv2Network } from "./elbv2-network.js";
import { type CloudTrailEvent, EniModel } from "./enis.js";
import { FaultEngine, type FaultSet, parseFaultSet } from "./faults.js";
import { getMetricStatistics, startFunctionApis } from "./function-apis.js";
import { Delays, listenLoopback } from "./http.js";
import { intToIp, pairedIpv6, parseCidr, parseCidr6 } from "./ip.js";
import { type NetworkChange, NetworkModel } from "./network.js";
import { deriveSeed, seededRandom } from "./random.js";
import { s3Handler } from "./s3.js";
import { S3Store } from "./s3-store.js";
import type { ServiceContext } from "./service.js";
import { StsModel, stsHandler } from "./sts.js";
import type { ObjectState, WorldInfo, WorldOptions, WorldState, WorldTargetGroup } from "./types.js";

export type { WorldInfo, WorldOptions, WorldState, WorldTargetGroup } from "./types.js";

/** A running world. */
export interface World {
  readonly info: WorldInfo;
  /** Snapshot: ALB IPs, targets with health, S3 objects, metrics, request counts, faults. */
  state(): WorldState;
  /** Replace the ALB's IPv4 IPs (DNS answers and target health follow; a dualstack ALB's IPv6 ones too). Returns the new list. */
  setAlbIps(ips: string[]): string[];
  /** Scale the ALB to `count` IPs (keeps existing ones; scaling in drops the newest). */
  scaleAlb(count: number): string[];
  /** How DNS server `index` answers (`sim/dns-answers.ts`); `null` is back to uniform; cleared by reset. */
  setDnsBehaviour(index: number, behaviour: DnsBehaviour | null): void;
  /** Every server's answer model at once, by index (missing entries: uniform). */
  setDnsBehaviours(behaviours: ReadonlyArray<DnsBehaviour | null>): void;
  /** Every target reports `unhealthy` (Target.FailedHealthChecks) for `ms`; 0 ends the outage. */
  setHealthOutage(ms: number): void;
  /** Forge DNS answers with foreign IPs (`sim/dns-foreign.ts`), or stop with `null`; cleared by reset. */
  injectForeign(spec: ForeignInjection | null): void;
  /** Replace the fault set (validated; `{}` clears). Returns the set now in force. */
  setFaults(faults: FaultSet): FaultSet;
  /** Receive the CloudTrail event of every interface ELB creates or deletes (EventBridge shape); returns the unsubscribe. */
  onCloudTrailEvent(listener: (event: CloudTrailEvent) => void): () => void;
  /** Emit a Create/DeleteNetworkInterface event of another load balancer's interface (must be ignored). */
  emitForeignInterfaceEvent(name: "CreateNetworkInterface" | "DeleteNetworkInterface"): void;
  /**
   * The requests received, oldest first (at most the last 10,000): `api` as in `state().requests` (`dns` for a
   * DNS query), `at` in `performance.now()` ms of the world's process. For ordering: with injected latency L, a
   * request received at `at` is answered no earlier than `at + L`. Cleared by reset.
   */
  requestLog(): RequestLogEntry[];
  /**
   * A user-made interface with the ALB's description and `ip` (default: a free VPC address), not requester-managed
   * (`sim/enis.ts`); cleared by reset.
   */
  addLookalikeInterface(ip?: string): { id: string; ip: string };
  /** EC2 accepts these DescribeNetworkInterfaces filters and disregards them (`[]`: none); cleared by reset. */
  setEc2IgnoredFilters(names: string[]): void;
  /** Apply DNS changes that are due on the world's clock (with `dnsFollowDelayMs` and a virtual clock). */
  refreshDns(): void;
  /** The load balancers, listeners, subnets, security groups and deployed function (`sim/network.ts`). */
  readonly network: NetworkModel;
  /** Change the network's wiring (`POST /network`); undone by reset. */
  changeNetwork(change: NetworkChange): void;
  /** Back to the initial world: initial ALB IPs, empty target group and bucket, no metrics/faults/counts. */
  reset(): void;
  /** Close every server and drop open connections (hung requests too). */
  stop(): Promise<void>;
  /** The Lambda environment for this world (endpoints, credentials, ALB/TG/bucket, DNS_SERVERS). */
  env(): Record<string, string>;
}

/** One entry of {@link World.requestLog}. */
export interface RequestLogEntry {
  api: string;
  at: number;
}

/** Entries {@link World.requestLog} keeps. */
const REQUEST_LOG_LIMIT = 10_000;

/** The ALB listener port, also the target group's port. */
export const LISTENER_PORT = 443;
const TG_NAME = "alb-static-ip-demo";
const TG_ID = "0123456789abcdef";
const BUCKET = "alb-static-ip-demo-state";
const VPC_ID = "vpc-0a1b2c3d4e5f60718";
const ALB_RESOURCE = "app/demo-alb/1234567890abcdef";
/** The role the ALB's account creates for the function (with `crossAccount`). */
export const ALB_ROLE_NAME = "alb-static-ip-eni-read";

/**
 * Start the world on free loopback ports.
 *
 * @example
 * const world = await startWorld({ healthCheckDelayMs: 50 });
 * const elbv2 = new ElasticLoadBalancingV2Client({ endpoint: world.info.endpoints.elbv2, region: "us-east-1" });
 * await world.stop();
 */
export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const clock = options.clock ?? Date.now;
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "123456789012";
  const seed = options.seed ?? 1;
  const baseLatency = { dns: options.latency?.dns ?? 0, aws: options.latency?.aws ?? 0 };
  const vpcCidr = parseCidr(options.vpcCidr ?? "10.0.0.0/16");
  checkDelay("healthCheckDelayMs", options.healthCheckDelayMs);
  checkDelay("deregistrationDelayMs", options.deregistrationDelayMs);
  const albDnsName = `internal-demo-alb-1234567890.${region}.elb.amazonaws.com`;
  const albIpAddressType = options.albIpAddressType ?? "ipv4";
  if (albIpAddressType !== "ipv4" && albIpAddressType !== "dualstack") {
    throw new SimInputError(
      `albIpAddressType must be "ipv4" or "dualstack" (got ${JSON.stringify(albIpAddressType)})`,
    );
  }
  const vpcIpv6Cidr = parseCidr6(options.vpcIpv6Cidr ?? "2600:1f18:4a3:6a00::/56");
  const groups = targetGroupsOf(options.targetGroups, region, accountId);
  const targetGroupArn = groups[0]!.arn;
  const albAccountId = options.crossAccount?.accountId ?? accountId;
  const albArn = `arn:aws:elasticloadbalancing:${region}:${albAccountId}:loadbalancer/${ALB_RESOURCE}`;
  const albRoleArn =
    options.crossAccount === undefined ? undefined : `arn:aws:iam::${albAccountId}:role/${ALB_ROLE_NAME}`;
  const dnsFollowDelayMs = options.dnsFollowDelayMs ?? 0;
  checkDelay("dnsFollowDelayMs", options.dnsFollowDelayMs);

  const freshAlb = (): AlbIps => {
    const alb = new AlbIps(
      vpcCidr,
      deriveSeed(seed, "alb"),
      albIpAddressType === "dualstack" ? vpcIpv6Cidr : undefined,
    );
    if (options.albIps) alb.set(options.albIps);
    else alb.scale(options.albIpCount ?? 3);
    return alb;
  };
  const freshFaults = () => new FaultEngine(seededRandom(deriveSeed(seed, "faults")), clock, baseLatency);

  let alb = freshAlb();
  let faults = freshFaults();
  const delays = new Delays();
  const counts = new Map<string, number>();
  const requestLog: RequestLogEntry[] = [];
  const logRequest = (api: string) => {
    requestLog.push({ api, at: performance.now() });
    if (requestLog.length > REQUEST_LOG_LIMIT) requestLog.splice(0, requestLog.length - REQUEST_LOG_LIMIT);
  };
  const metrics: MetricDatumRecord[] = [];
  const model = new Elbv2Model({
    clock,
    healthCheckDelayMs: options.healthCheckDelayMs ?? 2000,
    deregistrationDelayMs: options.deregistrationDelayMs ?? 5000,
    isLive: (ip) => alb.has(ip),
    probe: (arn, ip, port) => network.probe(arn, ip, port),
    ...(options.maxTargetsPerGroup === undefined ? {} : { maxTargets: options.maxTargetsPerGroup }),
  });
  for (const group of groups) {
    const spec: TargetGroupSpec = {
      arn: group.arn,
      name: group.name,
      port: group.port,
      protocol: "TCP",
      vpcId: VPC_ID,
      vpcCidr,
      vpcIpv6Cidr,
      ipAddressType: group.ipAddressType,
      loadBalancerArns: [
        `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/net/alb-static-ip-nlb/fedcba9876543210`,
      ],
    };
    model.addGroup(spec);
  }
  const networkOptions = {
    region,
    accountId,
    vpcId: VPC_ID,
    vpcCidr,
    albArn,
    albDnsName,
    albIpAddressType,
    targetGroups: groups,
    functionEnvironment: {} as Record<string, string>,
  };
  const network = new NetworkModel(networkOptions);
  const store = new S3Store(clock);
  store.createBucket(BUCKET);
  const freshEnis = () =>
    new EniModel({
      region,
      accountId: albAccountId,
      vpcId: VPC_ID,
      vpcCidr,
      albResource: ALB_RESOURCE,
      ipsPerInterface: options.ipsPerInterface,
      backgroundInterfaces: options.backgroundInterfaces,
      // A dualstack ALB's nodes: each interface also has the node's IPv6 address (the AAAA records' ones).
      ipv6Of: albIpAddressType === "dualstack" ? (ip) => pairedIpv6(vpcIpv6Cidr, ip) : undefined,
      clock,
      seed: deriveSeed(seed, "enis"),
    });
  let enis = freshEnis();
  let ec2IgnoredFilters: ReadonlySet<string> = new Set();
  const eventListeners = new Set<(event: CloudTrailEvent) => void>();
  const subscribeEvents = () =>
    enis.onEvent((event) => {
      for (const listener of eventListeners) listener(event);
    });
  subscribeEvents();
  const sts = new StsModel(clock);
  if (albRoleArn !== undefined)
    sts.addRole({ arn: albRoleArn, externalId: options.crossAccount?.externalId });

  const ctx: ServiceContext = {
    get faults() {
      return faults;
    },
    delays,
    count: (api) => {
      counts.set(api, (counts.get(api) ?? 0) + 1);
      logRequest(api);
    },
  };

  const serverCount = options.dnsServers ?? 1;
  if (!(Number.isInteger(serverCount) && serverCount >= 1 && serverCount <= 8)) {
    throw new SimInputError(`dnsServers must be a whole number from 1 to 8 (got ${serverCount})`);
  }
  const servers: DnsServer[] = await Promise.all(
    Array.from({ length: serverCount }, (_, i) =>
      startDnsServer({
        latencyMs: baseLatency.dns,
        random: seededRandom(deriveSeed(seed, i === 0 ? "dns" : `dns-${i}`)),
        now: clock,
        onQuery: () => logRequest("dns"),
      }),
    ),
  );
  const dns = servers[0]!;
  const eachDns = (fn: (server: DnsServer) => void) => {
    for (const server of servers) fn(server);
  };
  eachDns((server) =>
    server.setNameServers(`${region}.elb.amazonaws.com`, [
      { name: "ns-sim-1.elb.amazonaws.com", ip: "127.0.0.1" },
    ]),
  );
  // When each current ALB IP's interface appeared: DNS names it `dnsFollowDelayMs` later.
  const appearedAt = new Map<string, number>();
  let dnsIps: string[] = [];
  const refreshDns = () => {
    const now = clock();
    const visible = alb.list().filter((ip) => (appearedAt.get(ip) ?? now) + dnsFollowDelayMs <= now);
    if (visible.join(",") === dnsIps.join(",")) return;
    dnsIps = visible;
    // A dualstack node's AAAA record follows with its A record.
    const all = alb.list();
    const ipv6 = alb.listIpv6().filter((_, i) => visible.includes(all[i] ?? ""));
    // ELB answers the `dualstack.` name of every ALB too, with the same records.
    eachDns((server) => {
      server.setRecord(albDnsName, [...visible, ...ipv6]);
      server.setRecord(`dualstack.${albDnsName}`, [...visible, ...ipv6]);
    });
  };
  const applyAlb = (initial = false): string[] => {
    const ips = alb.list();
    const now = clock();
    for (const ip of [...appearedAt.keys()]) if (!ips.includes(ip)) appearedAt.delete(ip);
    // The ALB's first nodes have been in DNS for long; later ones follow after the delay.
    for (const ip of ips) if (!appearedAt.has(ip)) appearedAt.set(ip, initial ? now - dnsFollowDelayMs : now);
    enis.sync(ips, { silent: initial });
    refreshDns();
    if (dnsFollowDelayMs > 0 && !initial) {
      void delays.sleep(dnsFollowDelayMs).then(refreshDns);
    }
    model.albChanged();
    return ips;
  };
  applyAlb(true);

  let world: World | undefined;
  const [elbv2, s3, cloudwatch, control, ec2, stsServer] = await Promise.all([
    listenLoopback(elbv2Handler(ctx, model, elbv2Network(network))),
    listenLoopback(s3Handler(ctx, store)),
    listenLoopback(
      cloudwatchHandler(ctx, { record: (data) => metrics.push(...data) }, clock, {
        GetMetricStatistics: (input) => getMetricStatistics(network, metrics, input, clock()),
      }),
    ),
    listenLoopback(controlHandler(() => world as World)),
    listenLoopback(
      ec2Handler(
        ctx,
        { list: (account) => enis.list(account) },
        {
          paging: options.ec2Paging ?? "filter-first",
          accountOf: (key) => sts.accountOf(key) ?? accountId,
          actions: ec2NetworkActions(network, accountId),
          ignoredFilters: () => ec2IgnoredFilters,
        },
      ),
    ),
    listenLoopback(stsHandler(ctx, sts)),
  ]);
  const functionApis = await startFunctionApis(ctx, network);

  const info: WorldInfo = {
    dns: `${dns.host}:${dns.port}`,
    dnsServers: servers.map((server) => `${server.host}:${server.port}`),
    endpoints: {
      elbv2: elbv2.url,
      s3: s3.url,
      cloudwatch: cloudwatch.url,
      ec2: ec2.url,
      sts: stsServer.url,
      ...functionApis.endpoints,
    },
    control: control.url,
    albDnsName,
    targetGroupArn,
    bucket: BUCKET,
    region,
    listenerPort: groups[0]!.port,
    targetGroups: groups.map(({ arn, port, ipAddressType }) => ({ arn, port, ipAddressType })),
    albIpAddressType,
    albArn,
    albVpcId: VPC_ID,
    ...(albRoleArn === undefined ? {} : { albRoleArn }),
  };

  // The deployed function's environment: the world's, less what Lambda itself sets or the sim adds.
  networkOptions.functionEnvironment = Object.fromEntries(
    Object.entries(worldEnv(info)).filter(([k]) => !/^AWS_/.test(k)),
  );
  network.reset();

  let stopped: Promise<void> | undefined;
  world = {
    info,
    network,
    changeNetwork: (change) => network.change(change),
    state: () => ({
      alb: {
        dnsName: albDnsName,
        ips: alb.list(),
        ipv6: alb.listIpv6(),
        dnsIps: [...dnsIps],
        interfaces: enis.albList().map((eni) => ({ id: eni.id, privateIps: [...eni.privateIps] })),
      },
      targetGroups: model.groupSpecs().map((spec) => ({
        arn: spec.arn,
        name: spec.name,
        port: spec.port,
        ipAddressType: spec.ipAddressType ?? "ipv4",
        vpcCidr: spec.vpcCidr.text,
        targets: model.describeHealth(spec.arn).map((t) => ({
          ip: t.ip,
          port: t.port,
          availabilityZone: t.availabilityZone ?? null,
          state: t.state,
          reason: t.reason ?? null,
        })),
      })),
      s3: { buckets: bucketsState(store) },
      metrics: structuredClone(metrics),
      requests: requestCounts(
        counts,
        servers.reduce((n, server) => n + server.stats().queries, 0),
      ),
      dns: {
        servers: servers.map((server) => ({
          address: `${server.host}:${server.port}`,
          behaviour: server.behaviour(),
        })),
      },
      faults: faults.current(),
    }),
    setAlbIps: (ips) => {
      if (!Array.isArray(ips))
        throw new SimInputError(`setAlbIps takes an array of IPv4 strings, got ${JSON.stringify(ips)}`);
      alb.set(ips);
      return applyAlb();
    },
    scaleAlb: (count) => {
      alb.scale(count);
      return applyAlb();
    },
    setDnsBehaviour: (index, behaviour) => {
      const server = servers[index];
      if (server === undefined) {
        throw new SimInputError(
          `DNS server ${index} does not exist; this world has ${servers.length} (0..${servers.length - 1})`,
        );
      }
      try {
        server.setBehaviour(behaviour === null ? null : checkDnsBehaviour(behaviour));
      } catch (error) {
        throw new SimInputError((error as Error).message);
      }
    },
    setDnsBehaviours: (behaviours) => {
      if (behaviours.length > servers.length) {
        throw new SimInputError(`${behaviours.length} DNS behaviours for ${servers.length} server(s)`);
      }
      const checked = servers.map((_, i) => {
        const b = behaviours[i] ?? null;
        try {
          return b === null ? null : checkDnsBehaviour(b);
        } catch (error) {
          throw new SimInputError(`server ${i}: ${(error as Error).message}`);
        }
      });
      servers.forEach((server, i) => {
        server.setBehaviour(checked[i] ?? null);
      });
    },
    setHealthOutage: (ms) => {
      if (!(Number.isFinite(ms) && ms >= 0))
        throw new SimInputError(`outageMs must be a number >= 0 (got ${ms})`);
      model.setHealthOutage(ms);
    },
    injectForeign: (spec) => {
      try {
        eachDns((server) => server.injectForeign(spec));
      } catch (error) {
        throw new SimInputError((error as Error).message);
      }
    },
    setFaults: (input) => {
      const parsed = parseFaultSet(input);
      faults.replace(parsed);
      eachDns((server) => {
        server.setFault(parsed.dns ?? null);
        server.setLatency(faults.dnsLatency());
      });
      return faults.current();
    },
    onCloudTrailEvent: (listener) => {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    emitForeignInterfaceEvent: (name) => enis.emitForeign(name),
    requestLog: () => requestLog.map((entry) => ({ ...entry })),
    addLookalikeInterface: (ip) => {
      let address = ip;
      if (address === undefined) {
        // The lower half of the VPC, as the ALB's nodes (the other services' interfaces use the upper half).
        const used = new Set([...alb.list(), ...enis.list(albAccountId).flatMap((e) => e.privateIps)]);
        for (let offset = 100; address === undefined || used.has(address); offset += 1)
          address = intToIp((vpcCidr.base + offset) >>> 0);
      }
      try {
        return { id: enis.addLookalike(address).id, ip: address };
      } catch (error) {
        throw new SimInputError((error as Error).message);
      }
    },
    setEc2IgnoredFilters: (names) => {
      if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
        throw new SimInputError(`ignoreFilters takes an array of filter names, got ${JSON.stringify(names)}`);
      }
      ec2IgnoredFilters = new Set(names);
    },
    refreshDns,
    reset: () => {
      alb = freshAlb();
      enis = freshEnis();
      ec2IgnoredFilters = new Set();
      subscribeEvents();
      appearedAt.clear();
      faults = freshFaults();
      model.clearTargets();
      store.clear();
      store.createBucket(BUCKET);
      metrics.length = 0;
      counts.clear();
      requestLog.length = 0;
      model.setHealthOutage(0);
      network.reset();
      eachDns((server) => {
        server.setFault(null);
        server.injectForeign(null);
        server.setBehaviour(null);
        server.setLatency(baseLatency.dns);
        server.resetStats();
      });
      applyAlb(true);
    },
    stop: () => {
      stopped ??= (async () => {
        delays.cancelAll();
        await Promise.all([
          elbv2.close(),
          s3.close(),
          cloudwatch.close(),
          control.close(),
          ec2.close(),
          stsServer.close(),
          functionApis.close(),
          ...servers.map((server) => server.close()),
        ]);
      })();
      return stopped;
    },
    env: () => worldEnv(info),
  };
  return world;
}

/**
 * The Lambda environment for a world: endpoints, dummy credentials, and the function's config.
 *
 * @example
 * spawn("node", ["dist/lambda/index.mjs"], { env: { ...process.env, ...worldEnv(world.info) } });
 */
export function worldEnv(info: WorldInfo): Record<string, string> {
  const groups = info.targetGroups ?? [];
  const pairs: Record<string, string> =
    groups.length > 1
      ? { TARGET_GROUPS: groups.map((g) => `${g.port}=${g.arn}`).join(",") }
      : { ALB_LISTENER: String(info.listenerPort), NLB_TG_ARN: info.targetGroupArn };
  return {
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: info.endpoints.elbv2,
    AWS_ENDPOINT_URL_S3: info.endpoints.s3,
    AWS_ENDPOINT_URL_CLOUDWATCH: info.endpoints.cloudwatch,
    // Where the container runtime delivers the function's log lines (CloudWatch Logs extracts EMF metrics).
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: info.endpoints.cloudwatch,
    ...(info.endpoints.ec2 === undefined ? {} : { AWS_ENDPOINT_URL_EC2: info.endpoints.ec2 }),
    ...(info.endpoints.sts === undefined ? {} : { AWS_ENDPOINT_URL_STS: info.endpoints.sts }),
    ...(info.endpoints.lambda === undefined ? {} : { AWS_ENDPOINT_URL_LAMBDA: info.endpoints.lambda }),
    ...(info.endpoints.events === undefined ? {} : { AWS_ENDPOINT_URL_EVENTBRIDGE: info.endpoints.events }),
    ...(info.endpoints.iam === undefined ? {} : { AWS_ENDPOINT_URL_IAM: info.endpoints.iam }),
    AWS_REGION: info.region,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ALB_DNS_NAME: info.albDnsName,
    ...pairs,
    S3_BUCKET: info.bucket,
    DNS_SERVERS: (info.dnsServers ?? [info.dns]).join(","),
  };
}

/**
 * The target groups of a world: the first keeps the historical name and id (so state keys of one-group
 * worlds are unchanged), the others are named after port and family.
 */
function targetGroupsOf(
  specs: WorldOptions["targetGroups"],
  region: string,
  accountId: string,
): Array<WorldTargetGroup & { name: string }> {
  const list = specs ?? [{ port: LISTENER_PORT, ipAddressType: "ipv4" as const }];
  if (!Array.isArray(list) || list.length === 0 || list.length > 10) {
    throw new SimInputError("targetGroups must list 1 to 10 target groups");
  }
  return list.map((spec, i) => {
    const family = spec.ipAddressType ?? "ipv4";
    if (!(Number.isInteger(spec.port) && spec.port >= 1 && spec.port <= 65535)) {
      throw new SimInputError(`targetGroups[${i}].port must be a port from 1 to 65535 (got ${spec.port})`);
    }
    if (family !== "ipv4" && family !== "ipv6") {
      throw new SimInputError(`targetGroups[${i}].ipAddressType must be "ipv4" or "ipv6"`);
    }
    const name = i === 0 ? TG_NAME : `${TG_NAME}-${spec.port}${family === "ipv6" ? "-v6" : ""}`;
    const id = i === 0 ? TG_ID : `${TG_ID.slice(0, 14)}${i.toString(16).padStart(2, "0")}`;
    return {
      arn: `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${name}/${id}`,
      name,
      port: spec.port,
      ipAddressType: family,
    };
  });
}

function checkDelay(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
    throw new SimInputError(`${name} must be a non-negative number of milliseconds (got ${value})`);
  }
}

const STANDARD_APIS = [
  "elbv2:DescribeTargetGroups",
  "elbv2:DescribeTargetHealth",
  "elbv2:RegisterTargets",
  "elbv2:DeregisterTargets",
  "s3:GetObject",
  "s3:PutObject",
  "s3:HeadObject",
  "cloudwatch:PutMetricData",
];

function requestCounts(counts: ReadonlyMap<string, number>, dnsQueries: number): Record<string, number> {
  const result: Record<string, number> = {};
  for (const api of STANDARD_APIS) result[api] = 0;
  for (const [api, n] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) result[api] = n;
  result.dns = dnsQueries;
  return result;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function bucketsState(store: S3Store): Record<string, Record<string, ObjectState>> {
  const buckets: Record<string, Record<string, ObjectState>> = {};
  for (const [name, objects] of store.entries()) {
    const entries: Record<string, ObjectState> = {};
    for (const [key, object] of objects) {
      const text = asText(object.body);
      entries[key] = {
        etag: object.etag,
        size: object.body.length,
        contentType: object.contentType,
        lastModified: object.lastModified.toISOString(),
        body: text ?? object.body.toString("base64"),
        encoding: text === undefined ? "base64" : "utf8",
      };
    }
    buckets[name] = entries;
  }
  return buckets;
}

function asText(body: Buffer): string | undefined {
  try {
    const text = utf8.decode(body);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: binary detection on purpose
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}
