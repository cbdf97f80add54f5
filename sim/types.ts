/**
 * The public shapes of the local AWS world: start options, the connection info line, and the
 * state snapshot of `GET /state`. Type-only, so a client in another process can import it.
 */
import type { MetricDatumRecord } from "./cloudwatch-model.js";
import type { DnsBehaviour } from "./dns-answers.js";
import type { FaultSet, LatencySpec } from "./faults.js";

export type { MetricDatumRecord } from "./cloudwatch-model.js";
export type { DnsFault, DnsFaultMode } from "./dns.js";
export type { DnsBehaviour } from "./dns-answers.js";
export type { ApiFault, AwsApiName, FaultSet, LatencySpec, ThrottleSpec } from "./faults.js";

/** Options of `startWorld`. */
export interface WorldOptions {
  /** ALB IPs at start (and after reset), random from the VPC CIDR. Default 3. Ignored when `albIps` is set. */
  albIpCount?: number;
  /** Exact ALB IPs at start (and after reset). */
  albIps?: string[];
  /** Default `us-east-1`. */
  region?: string;
  /** Default `123456789012`. */
  accountId?: string;
  /** Time from registration (or an ALB change) until a target is healthy/unhealthy. Default 2000. */
  healthCheckDelayMs?: number;
  /** Time a deregistered target stays `draining`. Default 5000. */
  deregistrationDelayMs?: number;
  /** Latency of every DNS answer / AWS call in ms. Default 0 / 0. */
  latency?: LatencySpec;
  /** Seed for ALB IPs, DNS answer subsets and fault probabilities. Default 1. */
  seed?: number;
  /** VPC of the target group. Default `10.0.0.0/16`. */
  vpcCidr?: string;
  /** Target group quota. Default 1000 (AWS). */
  maxTargetsPerGroup?: number;
  /** Clock for the health state machine and timestamps. Default `Date.now`. */
  clock?: () => number;
  /** Authoritative DNS servers, each on its own port, each with its own answer model. Default 1. */
  dnsServers?: number;
  /** `dualstack`: the ALB's nodes have IPv6 addresses too, served as AAAA records. Default `ipv4`. */
  albIpAddressType?: "ipv4" | "dualstack";
  /** The VPC's IPv6 block. Default `2600:1f18:4a3:6a00::/56`. */
  vpcIpv6Cidr?: string;
  /**
   * The NLB target groups (one per listener and family), in order; the first is `targetGroupArn`. Default one
   * `ipv4` group on port 443. With more than one, `env()` sets TARGET_GROUPS instead of ALB_LISTENER/NLB_TG_ARN.
   */
  targetGroups?: Array<{ port: number; ipAddressType?: "ipv4" | "ipv6" }>;
  /** Time from an ALB node's interface appearing until its IP is in DNS, in ms (on `clock`). Default 0. */
  dnsFollowDelayMs?: number;
  /** Private IPs per ALB network interface (2: a primary and a secondary each). Default 1. */
  ipsPerInterface?: number;
  /** Interfaces of other services in the ALB's VPC, beyond the fixed few (the ENI cost bench uses 5,000). */
  backgroundInterfaces?: number;
  /** How EC2 pages a filtered DescribeNetworkInterfaces (`sim/ec2.ts`). Default `filter-first`. */
  ec2Paging?: "filter-first" | "scan";
  /**
   * The ALB (and its interfaces) is in this other account; its role `alb-static-ip-eni-read` (with this
   * external id, if given) is the only way to see them (`info.albRoleArn`).
   */
  crossAccount?: { accountId: string; externalId?: string };
}

/** One target group of the world. */
export interface WorldTargetGroup {
  arn: string;
  port: number;
  ipAddressType: "ipv4" | "ipv6";
}

/** How to reach the world: exactly the JSON line `npm run sim -- --json` prints. */
export interface WorldInfo {
  /** `127.0.0.1:PORT`, UDP and TCP: the first DNS server. */
  dns: string;
  /** Every DNS server as `127.0.0.1:PORT` (the first is `dns`); the function's DNS_SERVERS lists them all. */
  dnsServers: string[];
  endpoints: {
    elbv2: string;
    s3: string;
    cloudwatch: string;
    ec2: string;
    sts: string;
    /** Lambda, EventBridge and IAM: the deployed function as the operator CLI reads it (`sim/function-apis.ts`). */
    lambda?: string;
    events?: string;
    iam?: string;
  };
  /** Base URL of the control API. */
  control: string;
  albDnsName: string;
  /** The first target group (the only one by default). */
  targetGroupArn: string;
  bucket: string;
  region: string;
  /** The first target group's port. */
  listenerPort: number;
  /** Every target group, in order. */
  targetGroups: WorldTargetGroup[];
  albIpAddressType: "ipv4" | "dualstack";
  /** ARN of the ALB (ALB_ARN for DISCOVERY_MODE=eni). */
  albArn: string;
  /** The VPC of the ALB and the target group (ALB_VPC_ID). */
  albVpcId: string;
  /** With `crossAccount`: the role of the ALB's account to assume (ALB_ROLE_ARN). */
  albRoleArn?: string;
}

/** A target as the control API shows it. */
export interface TargetState {
  ip: string;
  port: number;
  /** As given at registration (`"all"` outside the VPC), else null. */
  availabilityZone: string | null;
  state: "initial" | "healthy" | "unhealthy" | "draining" | "unused";
  reason: string | null;
}

/** A stored S3 object as the control API shows it. */
export interface ObjectState {
  etag: string;
  size: number;
  contentType: string;
  lastModified: string;
  /** The body: UTF-8 text when it is text, else base64 (see `encoding`). */
  body: string;
  encoding: "utf8" | "base64";
}

/** Snapshot of the whole world (`GET /state`). */
export interface WorldState {
  /** `ipv6`: the dualstack ALB's IPv6 addresses (empty for an IPv4-only ALB). */
  alb: {
    dnsName: string;
    ips: string[];
    /** `ipv6`: the dualstack ALB's IPv6 addresses (empty for an IPv4-only ALB). */
    ipv6: string[];
    /** The IPs DNS answers with now (the others' interfaces exist, DNS has not followed yet). */
    dnsIps: string[];
    interfaces: Array<{ id: string; privateIps: string[] }>;
  };
  targetGroups: Array<{
    arn: string;
    name: string;
    port: number;
    ipAddressType: "ipv4" | "ipv6";
    vpcCidr: string;
    targets: TargetState[];
  }>;
  s3: { buckets: Record<string, Record<string, ObjectState>> };
  metrics: MetricDatumRecord[];
  /** Requests per API (`elbv2:RegisterTargets`, `s3:PutObject`, …) and DNS queries (`dns`). */
  requests: Record<string, number>;
  faults: FaultSet;
  /** Each DNS server and its answer model. */
  dns: { servers: Array<{ address: string; behaviour: DnsBehaviour }> };
}

/** Body of `POST /alb`. */
export type AlbRequest = { ips: string[] } | { count: number };
