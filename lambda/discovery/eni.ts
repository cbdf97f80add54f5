/**
 * ENI discovery (DISCOVERY_MODE=eni): the ALB's nodes are network interfaces described `ELB app/<name>/<id>`;
 * one paginated DescribeNetworkInterfaces filtered by that description and the VPC lists their private IPv4
 * addresses exactly. The observation is `exact` when the lookup succeeded, and `failed` when it did not (an
 * error on any page, throttling, no interface at all, interfaces in several VPCs): a failed observation counts
 * no miss and deregisters nothing.
 *
 * A description is not an identity: anyone allowed ec2:CreateNetworkInterface in the VPC can copy it. Only
 * interfaces ELB itself created count ({@link isElbManaged}): the lookup asks EC2 for them (`requester-managed`,
 * `requester-id` filters) and every returned interface is checked again here. Any other interface with the
 * description is a look-alike: never observed, no evidence of anything, reported. With the filters EC2 never
 * returns one, so the container also looks without them, at its first lookup and then every
 * {@link LOOKALIKE_AUDIT_INTERVAL_MS}, concurrently and only to report: what it finds is reported by every run
 * until the next such look.
 *
 * Without ALB_VPC_ID the VPC is derived once per container: the first lookup filters by the description alone
 * (unique to the ALB within its account and region) and takes the one VPC its interfaces are in; later lookups
 * filter by both. That needs no permission beyond ec2:DescribeNetworkInterfaces.
 *
 * The object also remembers, for the container, when the last successful lookup started and which interface
 * ids it saw: the handler uses both to coalesce event-triggered runs and to attribute DeleteNetworkInterface
 * events (docs/how-it-works.md, "ENI discovery and interface events").
 */
import type { Ec2Adapter, NetworkInterfaceView } from "../aws/ec2.js";
import { canonicalIp, type IpFamily, sortedUniqueIps } from "../core/ip.js";
import { AlbStaticIpError } from "../errors.js";
import type { Observation } from "../types.js";

/** `RequesterId` (and `Attachment.InstanceOwnerId`) of the interfaces ELB creates for an ALB's nodes. */
export const ELB_REQUESTER_ID = "amazon-elb";
/** The note (and log code) of an interface with the ALB's description that ELB did not create. */
export const NOT_ELB_MANAGED = "interface_not_elb_managed";
/**
 * How often a container looks for look-alikes with a lookup without the requester filters (and at its first
 * lookup): one more DescribeNetworkInterfaces call (per page) every 15 scheduled runs, not every run.
 */
export const LOOKALIKE_AUDIT_INTERVAL_MS = 15 * 60_000;

/**
 * True for an interface ELB itself created: `RequesterManaged` true, `RequesterId` `amazon-elb`, and, when it is
 * attached, `Attachment.InstanceOwnerId` `amazon-elb`. A user can copy a description, never these fields.
 *
 * @example
 * isElbManaged({ requesterManaged: true, requesterId: "amazon-elb", attachmentOwnerId: "amazon-elb" }); // true
 * isElbManaged({ requesterManaged: false, requesterId: "AIDAEXAMPLE", attachmentOwnerId: "123456789012" }); // false
 */
export function isElbManaged(
  eni: Pick<NetworkInterfaceView, "requesterManaged" | "requesterId" | "attachmentOwnerId">,
): boolean {
  return (
    eni.requesterManaged === true &&
    eni.requesterId === ELB_REQUESTER_ID &&
    (eni.attachmentOwnerId === undefined || eni.attachmentOwnerId === ELB_REQUESTER_ID)
  );
}

/** A look-alike as the observation reports it. */
type Lookalike = NonNullable<Observation["lookalikes"]>[number];

function lookalikeOf(eni: NetworkInterfaceView): Lookalike {
  return {
    id: eni.id,
    ips: [...eni.privateIpv4, ...eni.ipv6.map((ip) => canonicalIp(ip) ?? ip)],
    requesterId: eni.requesterId,
  };
}

function lookalikeNote(
  description: string,
  lookalikes: readonly Lookalike[],
): { code: string; message: string } {
  const named = lookalikes.map((l) => `${l.id} (${l.ips.join(", ") || "no IP"})`).join(", ");
  return {
    code: NOT_ELB_MANAGED,
    message:
      `${lookalikes.length} interface(s) described "${description}" were not created by ELB (RequesterManaged, RequesterId or Attachment.InstanceOwnerId is not amazon-elb): ${named}. ` +
      "Never registered, and no evidence for or against any target. Someone allowed ec2:CreateNetworkInterface in the ALB's VPC made it: " +
      'find its CreateNetworkInterface call in CloudTrail and delete it (SECURITY.md, "ENI mode").',
  };
}

export interface EniDiscoveryOptions {
  /** `ELB app/<name>/<id>` */
  description: string;
  /** ALB_VPC_ID; undefined: derived from the first successful lookup. */
  vpcId?: string | undefined;
  /** Epoch ms clock (tests). */
  now?: () => number;
}

/** Per lookup. */
export interface LookupOptions {
  /** Epoch ms: no page is requested after it (the run's discovery deadline). */
  deadline?: number | undefined;
}

export interface EniDiscovery {
  /** One lookup of the IPv4 addresses; never throws for AWS failures (they become a failed observation with `failure`). */
  discover(options?: LookupOptions): Promise<Observation>;
  /**
   * One lookup, as an observation per family: the interfaces' private IPv4 addresses, and their IPv6 addresses
   * (canonical text). Interfaces with no IPv6 address make the ipv6 observation a failed one (`alb_not_dualstack`).
   */
  discoverFamilies(options?: LookupOptions): Promise<Record<IpFamily, Observation>>;
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
  /** When the last look without the requester filters started, and the look-alikes it found. */
  let lastAuditAt: number | undefined;
  let audited: readonly NetworkInterfaceView[] = [];
  const matchesAlb = (eni: NetworkInterfaceView) =>
    eni.description === options.description && (vpcId === undefined || eni.vpcId === vpcId);

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
    async discover(lookupOptions) {
      return (await this.discoverFamilies(lookupOptions)).ipv4;
    },
    async discoverFamilies(lookupOptions = {}) {
      const started = now();
      const query = { description: options.description, vpcId, deadline: lookupOptions.deadline };
      // Without the requester filters, only to report look-alikes; its failure changes nothing.
      const audit =
        lastAuditAt === undefined || started - lastAuditAt >= LOOKALIKE_AUDIT_INTERVAL_MS
          ? ec2.describeInterfaces(query).then(
              (found) => found.interfaces,
              () => undefined,
            )
          : undefined;
      const [lookup, auditedNow] = await Promise.all([
        ec2.describeInterfaces({ ...query, requesterId: ELB_REQUESTER_ID }).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        ),
        audit,
      ]);
      if (auditedNow !== undefined) {
        lastAuditAt = started;
        audited = auditedNow.filter((eni) => !isElbManaged(eni));
      }
      const durationMs = now() - started;
      const found = "result" in lookup ? lookup.result.interfaces : [];
      const pages = "result" in lookup ? lookup.result.pages : 0;
      // EC2 filtered by description, VPC and requester; check all three again, so that an interface of anything
      // else — another service's, or a look-alike an API that ignores a filter returned — never becomes a target.
      const ours = found.filter((eni) => matchesAlb(eni) && isElbManaged(eni));
      const returnedLookalikes = found.filter((eni) => matchesAlb(eni) && !isElbManaged(eni));
      const foreign = found.length - ours.length - returnedLookalikes.length;
      const lookalikes = [
        ...new Map(
          [...audited.filter(matchesAlb), ...returnedLookalikes].map((eni) => [eni.id, lookalikeOf(eni)]),
        ).values(),
      ].sort((a, b) => a.id.localeCompare(b.id));
      const reported = lookalikes.length > 0 ? [lookalikeNote(options.description, lookalikes)] : [];
      const report = (observation: Observation) => withLookalikes(observation, reported, lookalikes);
      if ("error" in lookup) {
        const { error } = lookup;
        const code = error instanceof AlbStaticIpError ? error.code : "describe_network_interfaces_error";
        return both(report(failed(code, (error as Error).message, 0, durationMs)));
      }
      if (ours.length === 0) {
        return both(
          report(
            failed(
              "eni_none_found",
              `No network interface that ELB created is described "${options.description}"${vpcId === undefined ? "" : ` in ${vpcId}`}; ` +
                `nothing was deregistered${lookalikes.length > 0 ? ` (${lookalikes.length} interface(s) with that description not created by ELB were ignored)` : ""}. ` +
                "Check ALB_ARN (name and id), ALB_VPC_ID, and that ALB_ROLE_ARN is a role of the ALB's account.",
              pages,
              durationMs,
            ),
          ),
        );
      }
      const vpcs = new Set(ours.map((eni) => eni.vpcId));
      if (vpcs.size > 1 || vpcs.has(undefined)) {
        return both(
          report(
            failed(
              "eni_vpc_ambiguous",
              `The interfaces described "${options.description}" are in ${vpcs.size} VPCs (${[...vpcs].join(", ")}); an ALB is in one. ` +
                "Nothing was deregistered. Set ALB_VPC_ID to the ALB's VPC.",
              pages,
              durationMs,
            ),
          ),
        );
      }
      vpcId ??= [...vpcs][0];
      lastSuccessStartedAt = started;
      known = new Set(ours.map((eni) => eni.id));
      // A look-alike is no evidence of anything: it neither makes the lookup inexact nor takes part in it.
      const notes = [
        ...(foreign > 0
          ? [
              {
                code: "eni_foreign_interface",
                message: `the lookup returned ${foreign} interface(s) of another description or VPC; they were ignored and this run counts no misses`,
              },
            ]
          : []),
        ...reported,
      ];
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
        lookalikes,
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
            : report(
                failed(
                  "alb_not_dualstack",
                  `None of the ${ours.length} interfaces described "${options.description}" has an IPv6 address: the ALB is not dualstack, so an ipv6 target group cannot be kept in sync. ` +
                    'Nothing was registered or deregistered. Set the ALB\'s IP address type to dualstack (Terraform: aws_lb ip_address_type = "dualstack"), or pair the port with an ipv4 target group.',
                  pages,
                  durationMs,
                ),
              ),
      };
    },
  };
}

function withLookalikes(
  observation: Observation,
  reported: Observation["notes"],
  lookalikes: readonly Lookalike[],
): Observation {
  return { ...observation, notes: [...observation.notes, ...reported], lookalikes };
}
