/**
 * ENI discovery (DISCOVERY_MODE=eni): the ALB's nodes are network interfaces described `ELB app/<name>/<id>`;
 * one paginated DescribeNetworkInterfaces filtered by that description and the VPC lists their private IPv4
 * addresses exactly. The observation is `exact` when the lookup succeeded, and `failed` when it did not (an
 * error on any page, throttling, no interface at all, interfaces in several VPCs): a failed observation counts
 * no miss and deregisters nothing.
 *
 * Without ALB_VPC_ID the VPC is derived once per container: the first lookup filters by the description alone
 * (unique to the ALB within its account and region) and takes the one VPC its interfaces are in; later lookups
 * filter by both. That needs no permission beyond ec2:DescribeNetworkInterfaces.
 *
 * The object also remembers, for the container, when the last successful lookup started and which interface
 * ids it saw: the handler uses both to coalesce event-triggered runs and to attribute DeleteNetworkInterface
 * events (README, "Events").
 */
import type { Ec2Adapter, NetworkInterfaceView } from "../aws/ec2.js";
import { canonicalIp, type IpFamily, sortedUniqueIps } from "../core/ip.js";
import { AlbStaticIpError } from "../errors.js";
import type { Observation } from "../types.js";

export interface EniDiscoveryOptions {
  /** `ELB app/<name>/<id>` */
  description: string;
  /** ALB_VPC_ID; undefined: derived from the first successful lookup. */
  vpcId?: string | undefined;
  /** Epoch ms clock (tests). */
  now?: () => number;
}

export interface EniDiscovery {
  /** One lookup of the IPv4 addresses; never throws for AWS failures (they become a failed observation with `failure`). */
  discover(): Promise<Observation>;
  /**
   * One lookup, as an observation per family: the interfaces' private IPv4 addresses, and their IPv6 addresses
   * (canonical text). Interfaces with no IPv6 address make the ipv6 observation a failed one (`alb_not_dualstack`).
   */
  discoverFamilies(): Promise<Record<IpFamily, Observation>>;
  /** The VPC filter in use: ALB_VPC_ID, the derived one, or undefined before the first success. */
  readonly vpcId: string | undefined;
  /** Epoch ms at which the last successful lookup started; undefined before the first. */
  readonly lastSuccessStartedAt: number | undefined;
  /** Interface ids seen by the last successful lookup. */
  readonly knownInterfaceIds: ReadonlySet<string>;
}

function emptyErrors(): Observation["errors"] {
  return { servfail: 0, nxdomain: 0, timeout: 0, refused: 0, empty: 0, other: 0 };
}

/** The same observation for both families (a lookup that failed as a whole). */
function both(observation: Observation): Record<IpFamily, Observation> {
  return { ipv4: observation, ipv6: observation };
}

function failed(code: string, message: string, pages: number, durationMs: number): Observation {
  return {
    ips: [],
    queries: pages,
    answers: 0,
    errors: { ...emptyErrors(), other: 1 },
    complete: false,
    failed: true,
    missBound: 1,
    notes: [{ code, message }],
    durationMs,
    source: "eni",
    exact: false,
    failure: { code, message },
  };
}

/**
 * Creates the container's ENI discovery.
 *
 * @example
 * const eni = createEniDiscovery(createEc2Adapter(options), { description: "ELB app/web/0123456789abcdef" });
 * const observation = await eni.discover(); // { ips, exact: true, … } or { failed: true, failure: { code, … } }
 */
export function createEniDiscovery(ec2: Ec2Adapter, options: EniDiscoveryOptions): EniDiscovery {
  const now = options.now ?? Date.now;
  let vpcId = options.vpcId;
  let lastSuccessStartedAt: number | undefined;
  let known: ReadonlySet<string> = new Set();

  return {
    get vpcId() {
      return vpcId;
    },
    get lastSuccessStartedAt() {
      return lastSuccessStartedAt;
    },
    get knownInterfaceIds() {
      return known;
    },
    async discover() {
      return (await this.discoverFamilies()).ipv4;
    },
    async discoverFamilies() {
      const started = now();
      let found: NetworkInterfaceView[];
      let pages: number;
      try {
        const lookup = await ec2.describeInterfaces({ description: options.description, vpcId });
        found = lookup.interfaces;
        pages = lookup.pages;
      } catch (error) {
        const code = error instanceof AlbStaticIpError ? error.code : "describe_network_interfaces_error";
        const failure = failed(code, (error as Error).message, 0, now() - started);
        return { ipv4: failure, ipv6: failure };
      }
      const durationMs = now() - started;
      // The filter is the server's; check it again so that an interface of anything else never becomes a target.
      const ours = found.filter(
        (eni) => eni.description === options.description && (vpcId === undefined || eni.vpcId === vpcId),
      );
      const foreign = found.length - ours.length;
      if (ours.length === 0) {
        return both(
          failed(
            "eni_none_found",
            `No network interface is described "${options.description}"${vpcId === undefined ? "" : ` in ${vpcId}`}; ` +
              "nothing was deregistered. Check ALB_ARN (name and id), ALB_VPC_ID, and that ALB_ROLE_ARN is a role of the ALB's account.",
            pages,
            durationMs,
          ),
        );
      }
      const vpcs = new Set(ours.map((eni) => eni.vpcId));
      if (vpcs.size > 1 || vpcs.has(undefined)) {
        return both(
          failed(
            "eni_vpc_ambiguous",
            `The interfaces described "${options.description}" are in ${vpcs.size} VPCs (${[...vpcs].join(", ")}); an ALB is in one. ` +
              "Nothing was deregistered. Set ALB_VPC_ID to the ALB's VPC.",
            pages,
            durationMs,
          ),
        );
      }
      vpcId ??= [...vpcs][0];
      lastSuccessStartedAt = started;
      known = new Set(ours.map((eni) => eni.id));
      const notes =
        foreign > 0
          ? [
              {
                code: "eni_foreign_interface",
                message: `the lookup returned ${foreign} interface(s) of another description or VPC; they were ignored and this run counts no misses`,
              },
            ]
          : [];
      const observed = (ips: string[]): Observation => ({
        ips,
        queries: pages,
        answers: ours.length,
        errors: emptyErrors(),
        complete: foreign === 0,
        failed: false,
        missBound: 0,
        notes,
        durationMs,
        source: "eni",
        exact: foreign === 0,
      });
      const ipv6 = sortedUniqueIps(
        ours.flatMap((eni) =>
          eni.ipv6.map((ip) => canonicalIp(ip)).filter((ip): ip is string => ip !== undefined),
        ),
      );
      return {
        ipv4: observed(sortedUniqueIps(ours.flatMap((eni) => eni.privateIpv4))),
        // Interfaces without IPv6: the ALB is not dualstack. A failed observation, so nothing is deregistered.
        ipv6:
          ipv6.length > 0
            ? observed(ipv6)
            : failed(
                "alb_not_dualstack",
                `None of the ${ours.length} interfaces described "${options.description}" has an IPv6 address: the ALB is not dualstack, so an ipv6 target group cannot be kept in sync. ` +
                  'Nothing was registered or deregistered. Set the ALB\'s IP address type to dualstack (Terraform: aws_lb ip_address_type = "dualstack"), or pair the port with an ipv4 target group.',
                pages,
                durationMs,
              ),
      };
    },
  };
}
