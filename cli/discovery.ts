/**
 * Discovery as the function does it: the function's own wiring (lambda/discovery/run.ts), with the CLI's read-only
 * guard on the clients the EC2 adapter creates. The answer is reconcile()'s `discover` dependency.
 */
import { createEc2Adapter } from "../lambda/aws/ec2.js";
import type { Config } from "../lambda/config/index.js";
import { createDiscovery, type Discover } from "../lambda/discovery/run.js";
import type { ClientSettings } from "./aws/clients.js";
import { guardReadOnly } from "./aws/read-only.js";

export type { Discover } from "../lambda/discovery/run.js";

/**
 * The function's discovery for `config`, for one command (one run: one DNS query budget, one ENI lookup).
 *
 * @example
 * const observation = await createDiscover(config, clients.settings, warn)("ipv4", Date.now() + 30_000, 1);
 */
export function createDiscover(
  config: Readonly<Config>,
  settings: ClientSettings,
  warn: (message: string) => void = () => {},
): Discover {
  return createDiscovery(config, {
    ec2: (alb) =>
      createEc2Adapter({
        ...alb,
        stsRegion: config.region ?? settings.region,
        maxAttempts: settings.maxAttempts,
        connectionTimeoutMs: settings.connectionTimeoutMs,
        requestTimeoutMs: settings.requestTimeoutMs,
        onClient: (client) => guardReadOnly(client),
      }),
    logger: { warn: (message) => warn(message) },
  }).forRun();
}
