/**
 * The network interfaces of the simulated account(s): the ALB's (description `ELB app/<name>/<id>`, one per
 * group of ALB IPs, created and deleted as the ALB scales; requester-managed by `amazon-elb`, attached with
 * instance owner `amazon-elb`, and with the nodes' IPv6 addresses when the ALB is dualstack), another ALB's in
 * the same VPC (a name that starts with ours, so a prefix or wildcard filter shows), an NLB's, other services'
 * (Lambda, RDS, instances), optionally thousands of background interfaces, and look-alikes: interfaces a user
 * created with the ALB's description and an IP of its subnets (`addLookalike`), not requester-managed. Every
 * create/delete of an interface made by ELB emits a CloudTrail-shaped event ("AWS API Call via CloudTrail", as
 * EventBridge delivers it).
 */
import { type Cidr, intToIp } from "./ip.js";
import { type Random, seededRandom } from "./random.js";

/** One interface as DescribeNetworkInterfaces shows it. */
export interface NetworkInterface {
  id: string;
  ownerId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  description: string;
  /** Who created it: `amazon-elb` for ELB's, a service or an IAM principal id; undefined when EC2 shows none. */
  requesterId: string | undefined;
  /** Created and managed by an AWS service (only such a service can make it true). */
  requesterManaged: boolean;
  /** `Attachment.InstanceOwnerId`: `amazon-elb` for ELB's nodes, the account for a user's instance; undefined when detached. */
  attachmentOwnerId: string | undefined;
  interfaceType: string;
  /** Private IPv4 addresses, primary first. */
  privateIps: string[];
  /** IPv6 addresses (a dualstack ALB's nodes have one per IPv4 address). */
  ipv6: string[];
}

/** The IAM principal id that creates look-alike interfaces (a user of the ALB's account). */
export const LOOKALIKE_REQUESTER_ID = "AIDAEXAMPLELOOKALIKE1";

/** An EventBridge event of a CloudTrail management event (what the function's rule receives). */
export type CloudTrailEvent = Record<string, unknown> & { detail: Record<string, unknown> };

export interface EniModelOptions {
  region: string;
  /** The account the ALB (and its interfaces) is in. */
  accountId: string;
  vpcId: string;
  vpcCidr: Cidr;
  /** `app/<name>/<id>` of the ALB. */
  albResource: string;
  /** Private IPs per ALB interface (1 = primary only; 2 = a primary and a secondary). Default 1. */
  ipsPerInterface?: number;
  /** Interfaces of other services in the same VPC, beyond the fixed few. Default 0. */
  backgroundInterfaces?: number;
  /** The IPv6 address of an ALB node's IPv4 address (dualstack ALB); undefined: IPv4 only. */
  ipv6Of?: ((ipv4: string) => string | undefined) | undefined;
  clock: () => number;
  seed: number;
}

const AZS = ["a", "b", "c"];

/** FNV-1a of the id: the page order. */
function pageKey(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The interface model. */
export class EniModel {
  private readonly albInterfaces = new Map<string, NetworkInterface>();
  private readonly others: NetworkInterface[] = [];
  private readonly lookalikes: NetworkInterface[] = [];
  private readonly listeners = new Set<(event: CloudTrailEvent) => void>();
  private readonly random: Random;
  private sequence = 0;
  readonly albDescription: string;

  constructor(private readonly options: EniModelOptions) {
    this.random = seededRandom(options.seed);
    this.albDescription = `ELB ${options.albResource}`;
    const [, albName] = options.albResource.split("/");
    const used = new Set<number>();
    const freeIp = (): string => {
      for (;;) {
        // The upper half of the VPC: the ALB's own IPs come from anywhere, so keep these apart.
        const offset =
          Math.floor(options.vpcCidr.size / 2) + Math.floor(this.random() * (options.vpcCidr.size / 2 - 1));
        if (used.has(offset)) continue;
        used.add(offset);
        return intToIp((options.vpcCidr.base + offset) >>> 0);
      }
    };
    const other = (description: string, requesterId: string | undefined, interfaceType = "interface") => {
      this.others.push(
        this.make(description, [freeIp()], {
          requesterId,
          // Only a service's interfaces are requester-managed; a user's carries the user's id, unmanaged.
          requesterManaged: requesterId !== undefined,
          attachmentOwnerId: requesterId === "amazon-elb" ? "amazon-elb" : undefined,
          interfaceType,
        }),
      );
    };
    // Another ALB whose name starts with ours, in the same VPC: a prefix filter would take its nodes.
    for (let i = 0; i < 2; i++) other(`ELB app/${albName}-2/fedcba9876543210`, "amazon-elb");
    // The NLB in front, a Lambda function, a database, an instance, a VPC endpoint.
    for (let i = 0; i < 2; i++)
      other("ELB net/alb-static-ip-nlb/fedcba9876543210", "amazon-elb", "network_load_balancer");
    other("AWS Lambda VPC ENI-alb-static-ip-4f1b2c3d", "123456789012:lambda", "lambda");
    other("RDSNetworkInterface", "amazon-rds");
    other("", undefined);
    other("VPC Endpoint Interface vpce-0a1b2c3d4e5f60718", "amazon-vpce", "vpc_endpoint");
    for (let i = 0; i < (options.backgroundInterfaces ?? 0); i++) other(`background service ${i}`, undefined);
  }

  /**
   * Every interface of `accountId`, in the order pages are cut in: a fixed hash of the id, so the ALB's
   * interfaces are spread over the pages of a big account (and a lookup that stopped after page 1 would miss some).
   */
  list(accountId: string): NetworkInterface[] {
    if (accountId !== this.options.accountId) return [];
    return [...this.albInterfaces.values(), ...this.others, ...this.lookalikes].sort(
      (a, b) => pageKey(a.id) - pageKey(b.id),
    );
  }

  /**
   * A look-alike: what anyone allowed ec2:CreateNetworkInterface in the VPC can make — the ALB's description,
   * `ip` in one of its subnets, attached to an instance of the account; created by a user, so not
   * requester-managed. Throws when an ALB interface holds `ip`. Returns the interface.
   */
  addLookalike(ip: string): NetworkInterface {
    if ([...this.albInterfaces.values()].some((eni) => eni.privateIps.includes(ip))) {
      throw new Error(`${ip} is an ALB node's address; a look-alike needs a free one`);
    }
    const eni = this.make(this.albDescription, [ip], {
      requesterId: LOOKALIKE_REQUESTER_ID,
      requesterManaged: false,
      attachmentOwnerId: this.options.accountId,
    });
    this.lookalikes.push(eni);
    return eni;
  }

  /** The ALB's interfaces. */
  albList(): NetworkInterface[] {
    return [...this.albInterfaces.values()];
  }

  /** Receive every ELB interface event (returns the unsubscribe). */
  onEvent(listener: (event: CloudTrailEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Follow the ALB's IPs: interfaces whose IPs are all gone are deleted, an IP that left an interface is
   * unassigned, new IPs get new interfaces (`ipsPerInterface` each). Emits Create/Delete events.
   */
  sync(ips: readonly string[], options: { silent?: boolean } = {}): void {
    const emit = (name: "CreateNetworkInterface" | "DeleteNetworkInterface", eni: NetworkInterface) => {
      if (options.silent !== true) this.emit(name, eni);
    };
    const wanted = new Set(ips);
    for (const eni of [...this.albInterfaces.values()]) {
      eni.privateIps = eni.privateIps.filter((ip) => wanted.has(ip));
      eni.ipv6 = this.ipv6Of(eni.privateIps);
      if (eni.privateIps.length === 0) {
        this.albInterfaces.delete(eni.id);
        emit("DeleteNetworkInterface", eni);
      }
    }
    const have = new Set([...this.albInterfaces.values()].flatMap((eni) => eni.privateIps));
    const fresh = ips.filter((ip) => !have.has(ip));
    const per = Math.max(1, this.options.ipsPerInterface ?? 1);
    for (let i = 0; i < fresh.length; i += per) {
      const eni = this.make(this.albDescription, fresh.slice(i, i + per), {
        requesterId: "amazon-elb",
        requesterManaged: true,
        attachmentOwnerId: "amazon-elb",
      });
      this.albInterfaces.set(eni.id, eni);
      emit("CreateNetworkInterface", eni);
    }
  }

  /** Emit an event for an interface of another load balancer (the function must ignore it). */
  emitForeign(name: "CreateNetworkInterface" | "DeleteNetworkInterface"): void {
    const eni = this.others[0];
    if (eni !== undefined) this.emit(name, eni);
  }

  /** Drop every ALB interface and look-alike (reset); no events. */
  clear(): void {
    this.albInterfaces.clear();
    this.lookalikes.length = 0;
  }

  private ipv6Of(privateIps: readonly string[]): string[] {
    const of = this.options.ipv6Of;
    return of === undefined ? [] : privateIps.map(of).filter((ip): ip is string => ip !== undefined);
  }

  private make(
    description: string,
    privateIps: string[],
    who: {
      requesterId: string | undefined;
      requesterManaged: boolean;
      attachmentOwnerId: string | undefined;
      interfaceType?: string;
    },
  ): NetworkInterface {
    this.sequence += 1;
    const az = AZS[this.sequence % AZS.length] ?? "a";
    return {
      id: `eni-${this.sequence.toString(16).padStart(17, "0")}`,
      ownerId: this.options.accountId,
      vpcId: this.options.vpcId,
      subnetId: `subnet-0000000000000000${az === "a" ? 1 : az === "b" ? 2 : 3}`,
      availabilityZone: `${this.options.region}${az}`,
      description,
      requesterId: who.requesterId,
      requesterManaged: who.requesterManaged,
      attachmentOwnerId: who.attachmentOwnerId,
      interfaceType: who.interfaceType ?? "interface",
      privateIps,
      ipv6:
        who.requesterId === "amazon-elb" && description === this.albDescription
          ? this.ipv6Of(privateIps)
          : [],
    };
  }

  private emit(name: "CreateNetworkInterface" | "DeleteNetworkInterface", eni: NetworkInterface): void {
    if (this.listeners.size === 0) return;
    const event = cloudTrailEvent(name, eni, this.options, this.clock());
    for (const listener of this.listeners) listener(structuredClone(event));
  }

  private clock(): number {
    return this.options.clock();
  }
}

/** The EventBridge "AWS API Call via CloudTrail" event of ELB's call on `eni` at `at`. */
export function cloudTrailEvent(
  name: "CreateNetworkInterface" | "DeleteNetworkInterface",
  eni: NetworkInterface,
  where: { region: string; accountId: string },
  at: number,
): CloudTrailEvent {
  // CloudTrail times are whole seconds.
  const time = new Date(Math.floor(at / 1000) * 1000).toISOString().replace(".000Z", "Z");
  const id = `${eni.id}-${name}-${at}`;
  const requestParameters =
    name === "CreateNetworkInterface"
      ? {
          subnetId: eni.subnetId,
          description: eni.description,
          groupSet: { items: [{ groupId: "sg-0a1b2c3d4e5f60718" }] },
          privateIpAddressesSet: {},
          ipv6AddressCount: eni.ipv6.length,
        }
      : { networkInterfaceId: eni.id };
  const responseElements =
    name === "CreateNetworkInterface"
      ? {
          requestId: id,
          networkInterface: {
            networkInterfaceId: eni.id,
            subnetId: eni.subnetId,
            vpcId: eni.vpcId,
            availabilityZone: eni.availabilityZone,
            description: eni.description,
            ownerId: eni.ownerId,
            requesterId: eni.requesterId,
            requesterManaged: eni.requesterManaged,
            status: "pending",
            privateIpAddress: eni.privateIps[0],
            privateIpAddressesSet: {
              item: eni.privateIps.map((ip, i) => ({ privateIpAddress: ip, primary: i === 0 })),
            },
            ipv6AddressesSet: { item: eni.ipv6.map((ip) => ({ ipv6Address: ip })) },
            interfaceType: eni.interfaceType,
          },
        }
      : { requestId: id, _return: true };
  return {
    version: "0",
    id,
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.ec2",
    account: where.accountId,
    time,
    region: where.region,
    resources: [],
    detail: {
      eventVersion: "1.10",
      userIdentity: {
        type: "AWSService",
        invokedBy: "elasticloadbalancing.amazonaws.com",
      },
      eventTime: time,
      eventSource: "ec2.amazonaws.com",
      eventName: name,
      awsRegion: where.region,
      sourceIPAddress: "elasticloadbalancing.amazonaws.com",
      userAgent: "elasticloadbalancing.amazonaws.com",
      requestParameters,
      responseElements,
      requestID: id,
      eventID: id,
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: where.accountId,
      eventCategory: "Management",
    },
  };
}
