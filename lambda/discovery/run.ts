/**
 * The function's discovery, wired once for the handler (lambda/handler.ts) and the operator CLI (cli/), so that
 * `alb-static-ip plan` discovers exactly as a run does. Pure wiring, no decision of its own:
 * - DNS mode: per family, the ALB's name and its servers (the zone's authoritative ones, or DNS_SERVERS:
 *   servers.ts), then {@link discoverAlbIps} with the run's deadline, one query budget per run shared by both
 *   families (rate.ts), the concurrency split between families run at once, and the size of the container's last
 *   discovery of that family (the first wave's size, never a verdict);
 * - ENI mode: the container's lookup ({@link createEniDiscovery}, which keeps the derived VPC and the interface
 *   ids it saw), one lookup per run for both families, and its look-alikes reported as a warning.
 * The caller supplies what differs between a Lambda container and a terminal: how the EC2 adapter is made (the
 * handler loads it from its own chunk; the CLI guards its clients read-only) and where warnings go.
 */
import type { Ec2Adapter, Ec2AdapterOptions } from "../aws/ec2.js";
import type { Config } from "../config/index.js";
import type { IpFamily } from "../core/ip.js";
import type { Observation } from "../types.js";
import { discoverAlbIps } from "./discover.js";
import { createEniDiscovery, type EniDiscovery, NOT_ELB_MANAGED } from "./eni.js";
import { createTokenBucket } from "./rate.js";
import { resolveDiscoveryTarget } from "./servers.js";

/** `discover(family, deadline, concurrent)`: reconcile()'s `discover` dependency for one run. */
export type Discover = (family: IpFamily, deadline: number, concurrent: number) => Promise<Observation>;

/** What the config decides about the EC2 adapter (the ALB's region and account); the caller adds its client settings. */
export type AlbEc2Options = Pick<Ec2AdapterOptions, "region" | "roleArn" | "externalId">;

/** The settings discovery reads. */
export type DiscoverySettings = Pick<
  Config,
  | "albDnsName"
  | "discoveryMode"
  | "discovery"
  | "dnsServers"
  | "dnsTimeoutMs"
  | "dnsConcurrency"
  | "maxLookupPerInvocation"
  | "missProbability"
>;

export interface DiscoveryDependencies {
  /** ENI mode: makes the EC2 adapter of the ALB's account and region (called once, when the discovery is wired). */
  ec2(options: AlbEc2Options): Ec2Adapter;
  /** Where the warning about look-alike interfaces goes (a security event). */
  logger: { warn(message: string, extra: Record<string, unknown>): void };
}

/** The discovery of one container (the handler's) or one command (the CLI's). */
export interface ConfiguredDiscovery {
  /** ENI mode: the container's lookup (its VPC, the interface ids it saw, when it last succeeded); else undefined. */
  readonly eni: EniDiscovery | undefined;
  /** The `discover` dependency of one run, with the run's own DNS query budget and ENI lookup. */
  forRun(): Discover;
}

/**
 * Wires the discovery `settings` ask for.
 *
 * @example
 * const discovery = createDiscovery(config, { ec2: (o) => createEc2Adapter({ ...o, ...clientSettings }), logger });
 * const observation = await discovery.forRun()("ipv4", deadlines.discoveryDeadline, 1);
 */
export function createDiscovery(
  settings: Readonly<DiscoverySettings>,
  dependencies: DiscoveryDependencies,
): ConfiguredDiscovery {
  const alb = settings.discovery.alb;
  const eni: EniDiscovery | undefined =
    settings.discoveryMode === "eni" && alb !== undefined
      ? createEniDiscovery(
          dependencies.ec2({
            region: alb.region,
            roleArn: settings.discovery.roleArn,
            externalId: settings.discovery.roleExternalId,
          }),
          { description: alb.interfaceDescription, vpcId: settings.discovery.vpcId },
        )
      : undefined;
  /** IPs the last DNS discovery of each family saw: sizes the next first wave (never a verdict). */
  const lastDnsIpCount: Partial<Record<IpFamily, number>> = {};

  /** ENI mode: a warning naming every interface that copies the ALB's description (a security event). */
  const warnOfLookalikes = (observed: Record<IpFamily, Observation>): Record<IpFamily, Observation> => {
    const lookalikes = observed.ipv4.lookalikes ?? [];
    if (lookalikes.length > 0) {
      dependencies.logger.warn(
        "Interfaces copy the ALB's description but were not created by ELB: never registered. Find their CreateNetworkInterface calls in CloudTrail and delete them (SECURITY.md)",
        { code: NOT_ELB_MANAGED, interfaces: lookalikes },
      );
    }
    return observed;
  };

  return {
    eni,
    forRun() {
      let eniLookup: Promise<Record<IpFamily, Observation>> | undefined;
      // The run's DNS query budget (rate.ts): a burst, then a polite long-run rate, for both families.
      const dnsQueryBucket = createTokenBucket(Date.now());
      // Two families at once share the DNS budget: together never more than DNS_CONCURRENCY in flight (rounded
      // up), and one token bucket of queries. ENI mode: one lookup per run answers both families.
      return async (family, deadline, concurrent) => {
        if (eni !== undefined) {
          eniLookup ??= eni.discoverFamilies({ deadline }).then(warnOfLookalikes);
          return (await eniLookup)[family];
        }
        const target = await resolveDiscoveryTarget(settings.albDnsName, settings.dnsServers, {
          timeoutMs: settings.dnsTimeoutMs,
        });
        const observation = await discoverAlbIps({
          name: target.name,
          family,
          servers: target.servers,
          timeoutMs: settings.dnsTimeoutMs,
          concurrency: Math.max(1, Math.ceil(settings.dnsConcurrency / concurrent)),
          queryBucket: dnsQueryBucket,
          expectedIps: lastDnsIpCount[family],
          maxQueries: settings.maxLookupPerInvocation,
          missProbability: settings.missProbability,
          deadline,
        });
        if (!observation.failed) lastDnsIpCount[family] = observation.ips.length;
        return observation;
      };
    },
  };
}
