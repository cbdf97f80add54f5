/**
 * EC2 adapter for ENI discovery: one paginated DescribeNetworkInterfaces, filtered by the interface
 * description (and the VPC, and the requester, when asked), with who made each interface, and the optional assumed-role credentials for an ALB in another
 * account (STS AssumeRole with an external id). It translates; it decides nothing. Every failure, also a page
 * failing after earlier pages succeeded, becomes an AwsCallError with a stable code: a partial list is never
 * returned.
 */
import {
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandOutput,
  EC2Client,
  type Filter,
} from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsCallError } from "../errors.js";
import { awsErrorName } from "./clients.js";

/** Interfaces per page: the API's maximum (5–1000). */
export const ENI_PAGE_SIZE = 1000;
/**
 * Pages one lookup may read before it gives up: 1,000 pages of 1,000 interfaces. A filtered lookup may take as
 * many pages as the region has interfaces ÷ 1,000 (EC2 may scan a page's worth of the account's interfaces and
 * return the matches, possibly none, with a NextToken), and the VPC filter is unknown to the first lookup without
 * ALB_VPC_ID, so the cap must exceed any real region: a million interfaces is 200 times the default regional quota
 * of 5,000 (docs/how-it-works.md, "ENI discovery"). The run's deadline (`deadline`) bounds a lookup first; the cap only stops a
 * NextToken that never ends.
 */
export const MAX_ENI_PAGES = 1000;
/** Lifetime asked for the assumed role's session (STS minimum), refreshed a minute before it ends. */
export const ROLE_SESSION_SECONDS = 900;
const REFRESH_BEFORE_MS = 60_000;

/** One network interface as the lookup reports it. */
export interface NetworkInterfaceView {
  id: string;
  vpcId: string | undefined;
  description: string;
  /** Every private IPv4 address of the interface, primary first. */
  privateIpv4: string[];
  /** Every IPv6 address of the interface (a dualstack ALB's nodes have one), as EC2 wrote it. */
  ipv6: string[];
  /** `RequesterManaged`: an AWS service created and manages it (only the service can make it true). */
  requesterManaged: boolean | undefined;
  /** `RequesterId`: the principal or service that created it (`amazon-elb` for a load balancer's nodes). */
  requesterId: string | undefined;
  /** `Attachment.InstanceOwnerId`, when the interface is attached. */
  attachmentOwnerId: string | undefined;
}

/** What one lookup found. */
export interface InterfaceLookup {
  interfaces: NetworkInterfaceView[];
  /** DescribeNetworkInterfaces calls (pages) made. */
  pages: number;
  durationMs: number;
}

export interface InterfaceLookupQuery {
  /** Exact description, `ELB app/<name>/<id>`. */
  description: string;
  /** Narrows the lookup to this VPC when given. */
  vpcId?: string | undefined;
  /** Only interfaces requester-managed by this requester (filters `requester-managed` = true, `requester-id`). */
  requesterId?: string | undefined;
  /** Epoch ms: no page is requested after it (the lookup then fails, so the run can still report and save). */
  deadline?: number | undefined;
}

export interface Ec2Adapter {
  /** All pages or an AwsCallError (`describe_network_interfaces_error`, `assume_role_error`). */
  describeInterfaces(query: InterfaceLookupQuery): Promise<InterfaceLookup>;
  /** API calls made so far (EC2 pages and STS calls). */
  readonly calls: number;
}

export interface Ec2AdapterOptions {
  region: string;
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** ALB_ROLE_ARN; the lookups use this role's credentials. */
  roleArn?: string | undefined;
  /** ALB_ROLE_EXTERNAL_ID */
  externalId?: string | undefined;
  /** The function's own region, for the STS endpoint (default `region`). */
  stsRegion?: string | undefined;
  /** Called with each SDK client the adapter creates (the operator CLI adds its read-only guard). */
  onClient?: ((client: EC2Client | STSClient) => void) | undefined;
}

interface Counter {
  calls: number;
}

/** Credentials of `roleArn`, assumed with the function's own; cached until a minute before they expire. */
function assumedRoleCredentials(sts: STSClient, options: Ec2AdapterOptions, counter: Counter) {
  let cached:
    | { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }
    | undefined;
  return async () => {
    if (cached !== undefined && cached.expiration.getTime() - REFRESH_BEFORE_MS > Date.now()) return cached;
    counter.calls += 1;
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: "alb-static-ip",
          DurationSeconds: ROLE_SESSION_SECONDS,
          ...(options.externalId === undefined ? {} : { ExternalId: options.externalId }),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new Error("AssumeRole returned no credentials");
      }
      cached = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
      return cached;
    } catch (error) {
      throw new AwsCallError(
        "assume_role_error",
        "AssumeRole",
        `Assuming ALB_ROLE_ARN ${options.roleArn} failed (${awsErrorName(error)}: ${(error as Error).message}). ` +
          "Nothing was deregistered. Check that the role trusts this function's role (and the external id, if it requires one), " +
          'and that this function\'s role may sts:AssumeRole on it (docs/how-it-works.md, "ENI discovery and interface events").',
        { cause: error },
      );
    }
  };
}

/**
 * Creates the adapter. With `roleArn`, every lookup runs with that role's credentials.
 *
 * @example
 * const ec2 = createEc2Adapter({ region: "us-east-1", maxAttempts: 3, connectionTimeoutMs: 1000, requestTimeoutMs: 5000 });
 * const { interfaces } = await ec2.describeInterfaces({ description: "ELB app/web/0123456789abcdef", vpcId: "vpc-0a1b2c3d" });
 */
export function createEc2Adapter(options: Ec2AdapterOptions): Ec2Adapter {
  const counter: Counter = { calls: 0 };
  const common = {
    maxAttempts: options.maxAttempts,
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
  const hooked = <C extends EC2Client | STSClient>(client: C): C => {
    options.onClient?.(client);
    return client;
  };
  const credentials =
    options.roleArn === undefined
      ? undefined
      : assumedRoleCredentials(
          hooked(new STSClient({ ...common, region: options.stsRegion ?? options.region })),
          options,
          counter,
        );
  const ec2 = hooked(
    new EC2Client({ ...common, region: options.region, ...(credentials ? { credentials } : {}) }),
  );

  return {
    get calls() {
      return counter.calls;
    },
    async describeInterfaces(query) {
      const started = Date.now();
      const filters: Filter[] = [{ Name: "description", Values: [query.description] }];
      if (query.vpcId !== undefined) filters.push({ Name: "vpc-id", Values: [query.vpcId] });
      if (query.requesterId !== undefined) {
        filters.push(
          { Name: "requester-managed", Values: ["true"] },
          { Name: "requester-id", Values: [query.requesterId] },
        );
      }
      const interfaces: NetworkInterfaceView[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        if (pages >= MAX_ENI_PAGES) {
          throw new AwsCallError(
            "describe_network_interfaces_error",
            "DescribeNetworkInterfaces",
            `DescribeNetworkInterfaces for "${query.description}" still had more pages after ${pages} pages (${interfaces.length} interfaces): ` +
              "EC2 keeps answering with a NextToken. The lookup counts as failed and nothing was deregistered; set ALB_VPC_ID to narrow the lookup.",
          );
        }
        if (query.deadline !== undefined && Date.now() >= query.deadline) {
          throw new AwsCallError(
            "describe_network_interfaces_error",
            "DescribeNetworkInterfaces",
            `DescribeNetworkInterfaces for "${query.description}" reached the run's discovery deadline after ${pages} page(s) (${interfaces.length} interfaces) with more to read. ` +
              "The lookup counts as failed and nothing was deregistered. Raise the function's timeout, or set ALB_VPC_ID to narrow the lookup.",
          );
        }
        pages += 1;
        counter.calls += 1;
        let out: DescribeNetworkInterfacesCommandOutput;
        try {
          out = await ec2.send(
            new DescribeNetworkInterfacesCommand({
              Filters: filters,
              MaxResults: ENI_PAGE_SIZE,
              ...(token === undefined ? {} : { NextToken: token }),
            }),
          );
        } catch (error) {
          // The role's credentials could not be had: that error says so already.
          if (error instanceof AwsCallError) throw error;
          throw new AwsCallError(
            "describe_network_interfaces_error",
            "DescribeNetworkInterfaces",
            `DescribeNetworkInterfaces failed on page ${pages} (${awsErrorName(error)}: ${(error as Error).message}); ` +
              "the lookup counts as failed and nothing was deregistered. If this is AccessDenied, the role needs " +
              'ec2:DescribeNetworkInterfaces on * (docs/how-it-works.md, "ENI discovery").',
            { cause: error },
          );
        }
        for (const eni of out.NetworkInterfaces ?? []) {
          const addresses = eni.PrivateIpAddresses ?? [];
          const primary = addresses.filter((a) => a.Primary).map((a) => a.PrivateIpAddress);
          const secondary = addresses.filter((a) => !a.Primary).map((a) => a.PrivateIpAddress);
          const ips = [...primary, ...secondary, eni.PrivateIpAddress].filter(
            (ip): ip is string => typeof ip === "string" && ip !== "",
          );
          interfaces.push({
            id: eni.NetworkInterfaceId ?? "",
            vpcId: eni.VpcId,
            description: eni.Description ?? "",
            privateIpv4: [...new Set(ips)],
            ipv6: (eni.Ipv6Addresses ?? [])
              .map((a) => a.Ipv6Address)
              .filter((ip): ip is string => typeof ip === "string" && ip !== ""),
            requesterManaged: eni.RequesterManaged,
            requesterId: eni.RequesterId,
            attachmentOwnerId: eni.Attachment?.InstanceOwnerId,
          });
        }
        token = out.NextToken === "" ? undefined : out.NextToken;
      } while (token !== undefined);
      return { interfaces, pages, durationMs: Date.now() - started };
    },
  };
}
