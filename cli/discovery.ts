/**
 * Discovery as the function does it (lambda/handler.ts wires the same functions): DNS mode samples the ALB's
 * name at its authoritative servers (or DNS_SERVERS); ENI mode lists its interfaces, with the CLI's read-only
 * guard on the clients the EC2 adapter creates. The answer is reconcile()'s `discover` dependency.
 */
import { createEc2Adapter } from "../lambda/aws/ec2.js";
import type { Config } from "../lambda/config.js";
import type { IpFamily } from "../lambda/core/ip.js";
import { createEniDiscovery } from "../lambda/discovery/eni.js";
import { createTokenBucket, discoverAlbIps, resolveDiscoveryTarget } from "../lambda/discovery/index.js";
import type { Observation } from "../lambda/types.js";
import type { ClientSettings } from "./aws/clients.js";
import { guardReadOnly } from "./aws/read-only.js";

/** `discover(family, deadline, concurrent)`, as reconcile() takes it. */
export type Discover = (family: IpFamily, deadline: number, concurrent: number) => Promise<Observation>;

/**
 * The function's discovery for `config`.
 *
 * @example
 * const observation = await createDiscover(config, clients.settings)("ipv4", Date.now() + 30_000, 1);
 */
export function createDiscover(config: Readonly<Config>, settings: ClientSettings): Discover {
  const alb = config.discovery.alb;
  if (config.discoveryMode === "eni" && alb !== undefined) {
    const eni = createEniDiscovery(
      createEc2Adapter({
        region: alb.region,
        stsRegion: config.region ?? settings.region,
        maxAttempts: settings.maxAttempts,
        connectionTimeoutMs: settings.connectionTimeoutMs,
        requestTimeoutMs: settings.requestTimeoutMs,
        roleArn: config.discovery.roleArn,
        externalId: config.discovery.roleExternalId,
        onClient: (client) => guardReadOnly(client),
      }),
      { description: alb.interfaceDescription, vpcId: config.discovery.vpcId },
    );
    let lookup: ReturnType<typeof eni.discoverFamilies> | undefined;
    return async (family) => {
      lookup ??= eni.discoverFamilies();
      return (await lookup)[family];
    };
  }
  // One query budget for the command, as the function has one per run (lambda/discovery/rate.ts).
  const queryBucket = createTokenBucket(Date.now());
  return async (family, deadline, concurrent) => {
    const target = await resolveDiscoveryTarget(config.albDnsName, config.dnsServers, {
      timeoutMs: config.dnsTimeoutMs,
    });
    return discoverAlbIps({
      name: target.name,
      family,
      servers: target.servers,
      timeoutMs: config.dnsTimeoutMs,
      concurrency: Math.max(1, Math.ceil(config.dnsConcurrency / concurrent)),
      queryBucket,
      maxQueries: config.maxLookupPerInvocation,
      missProbability: config.missProbability,
      deadline,
    });
  };
}
