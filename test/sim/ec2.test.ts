/**
 * The local world's EC2 and STS, with the real SDK clients: DescribeNetworkInterfaces filters (AND across filters,
 * OR across values, wildcards), pagination in both paging models, EC2's errors, the interfaces following the ALB,
 * the CloudTrail events, and AssumeRole with and without the external id.
 */
import { DescribeNetworkInterfacesCommand, EC2Client, type NetworkInterface } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudTrailEvent } from "../../sim/enis.js";
import { startWorld, type World } from "../../sim/world.js";

let world: World;
let ec2: EC2Client;
const OURS = "ELB app/demo-alb/1234567890abcdef";

beforeAll(async () => {
  world = await startWorld({
    albIpCount: 4,
    backgroundInterfaces: 30,
    crossAccount: { accountId: "210987654321", externalId: "ext-42" },
  });
});
afterAll(async () => {
  ec2?.destroy();
  await world.stop();
});

async function assumed(maxAttempts = 1): Promise<EC2Client> {
  const sts = new STSClient({
    endpoint: world.info.endpoints.sts,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: world.info.albRoleArn,
      RoleSessionName: "test",
      ExternalId: "ext-42",
      DurationSeconds: 900,
    }),
  );
  sts.destroy();
  const c = out.Credentials!;
  return new EC2Client({
    endpoint: world.info.endpoints.ec2,
    region: "us-east-1",
    maxAttempts,
    credentials: {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    },
  });
}

async function all(
  client: EC2Client,
  filters: Array<{ Name: string; Values: string[] }>,
  max?: number,
): Promise<{ enis: NetworkInterface[]; pages: number }> {
  const enis: NetworkInterface[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await client.send(
      new DescribeNetworkInterfacesCommand({ Filters: filters, MaxResults: max, NextToken: token }),
    );
    pages += 1;
    enis.push(...(out.NetworkInterfaces ?? []));
    token = out.NextToken;
  } while (token);
  return { enis, pages };
}

describe("EC2 DescribeNetworkInterfaces", () => {
  it("shows the ALB account's interfaces only to the assumed role, filtered exactly", async () => {
    ec2 = await assumed();
    const own = new EC2Client({
      endpoint: world.info.endpoints.ec2,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    expect((await all(own, [{ Name: "description", Values: [OURS] }])).enis).toEqual([]);
    own.destroy();
    const { enis } = await all(ec2, [
      { Name: "description", Values: [OURS] },
      { Name: "vpc-id", Values: [world.info.albVpcId] },
    ]);
    expect(enis.flatMap((e) => e.PrivateIpAddresses?.map((a) => a.PrivateIpAddress) ?? []).sort()).toEqual(
      [...world.state().alb.ips].sort(),
    );
    expect(enis.every((e) => e.PrivateIpAddresses?.[0]?.Primary === true && e.Description === OURS)).toBe(
      true,
    );
  });

  it("applies wildcards (so a prefix filter would take another ALB's interfaces) and ORs values", async () => {
    const prefix = await all(ec2, [{ Name: "description", Values: ["ELB app/demo-alb*"] }]);
    expect(prefix.enis.some((e) => e.Description?.startsWith("ELB app/demo-alb-2/"))).toBe(true);
    const either = await all(ec2, [{ Name: "description", Values: [OURS, "RDSNetworkInterface"] }]);
    expect(either.enis).toHaveLength(5);
  });

  it("pages filter-first by default: MaxResults 5 over 4 matches is one page", async () => {
    expect((await all(ec2, [{ Name: "description", Values: [OURS] }], 5)).pages).toBe(1);
  });

  it.each([
    [{ Filters: [{ Name: "colour", Values: ["x"] }] }, "InvalidParameterValue"],
    [{ MaxResults: 3 }, "InvalidParameterValue"],
    [{ NextToken: "not-a-token!" }, "InvalidNextToken"],
    [{ NetworkInterfaceIds: ["eni-0000000000000dead"] }, "InvalidNetworkInterfaceID.NotFound"],
  ])("answers %j with %s in EC2's error shape", async (input, code) => {
    const error = await ec2.send(new DescribeNetworkInterfacesCommand(input)).catch((e: unknown) => e);
    expect((error as { name?: string }).name).toBe(code);
  });

  it("answers injected throttling as RequestLimitExceeded (503), which the SDK retries", async () => {
    world.setFaults({ "ec2:DescribeNetworkInterfaces": { error: "RequestLimitExceeded", remaining: 1 } });
    const retried = await assumed(2);
    const out = await retried.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "description", Values: [OURS] }] }),
    );
    expect(out.NetworkInterfaces).toHaveLength(4);
    retried.destroy();
    world.setFaults({});
  });
});

describe("interfaces follow the ALB, with CloudTrail events", () => {
  it("creates an interface per new IP and deletes the empty ones, emitting ELB's events", async () => {
    const events: CloudTrailEvent[] = [];
    const off = world.onCloudTrailEvent((e) => events.push(e));
    world.scaleAlb(6);
    world.scaleAlb(5);
    off();
    expect(events.map((e) => e.detail.eventName)).toEqual([
      "CreateNetworkInterface",
      "CreateNetworkInterface",
      "DeleteNetworkInterface",
    ]);
    expect(
      events.every(
        (e) => e.source === "aws.ec2" && e.detail.sourceIPAddress === "elasticloadbalancing.amazonaws.com",
      ),
    ).toBe(true);
    expect(world.state().alb.interfaces).toHaveLength(5);
    world.reset();
  });
});

describe("STS AssumeRole", () => {
  it("refuses a wrong external id and an unknown role with AccessDenied", async () => {
    const sts = new STSClient({
      endpoint: world.info.endpoints.sts,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    for (const input of [
      { RoleArn: world.info.albRoleArn, RoleSessionName: "test", ExternalId: "wrong" },
      { RoleArn: "arn:aws:iam::210987654321:role/other", RoleSessionName: "test", ExternalId: "ext-42" },
    ]) {
      const error = await sts.send(new AssumeRoleCommand(input)).catch((e: unknown) => e);
      expect((error as { name?: string }).name).toBe("AccessDenied");
    }
    sts.destroy();
  });
});

describe("who made an interface: requester fields, and look-alikes", () => {
  const requester = [
    { Name: "requester-managed", Values: ["true"] },
    { Name: "requester-id", Values: ["amazon-elb"] },
  ];

  it("shows ELB's interfaces requester-managed by amazon-elb, attached with instance owner amazon-elb", async () => {
    // Act
    const { enis } = await all(await assumed(), [{ Name: "description", Values: [OURS] }]);

    // Assess
    expect(enis).toHaveLength(4);
    for (const e of enis) {
      expect(e).toMatchObject({
        RequesterManaged: true,
        RequesterId: "amazon-elb",
        Attachment: { InstanceOwnerId: "amazon-elb" },
      });
    }
  });

  it("adds a user-made look-alike (the ALB's description, not requester-managed) that the requester filters leave out", async () => {
    // Prepare
    const client = await assumed();
    const response = await fetch(`${world.info.control}/enis/lookalike`, { method: "POST", body: "{}" });
    const lookalike = (await response.json()) as { id: string; ip: string };

    // Act
    const described = await all(client, [{ Name: "description", Values: [OURS] }]);
    const filtered = await all(client, [{ Name: "description", Values: [OURS] }, ...requester]);
    const byOwner = await all(client, [
      { Name: "description", Values: [OURS] },
      { Name: "attachment.instance-owner-id", Values: ["amazon-elb"] },
    ]);

    // Assess
    const fake = described.enis.find((e) => e.NetworkInterfaceId === lookalike.id);
    expect(fake).toMatchObject({
      Description: OURS,
      RequesterManaged: false,
      RequesterId: "AIDAEXAMPLELOOKALIKE1",
      Attachment: { InstanceOwnerId: world.info.albArn.split(":")[4] },
      PrivateIpAddress: lookalike.ip,
    });
    expect(world.state().alb.ips).not.toContain(lookalike.ip);
    expect(filtered.enis.map((e) => e.NetworkInterfaceId)).not.toContain(lookalike.id);
    expect(filtered.enis).toHaveLength(4);
    expect(byOwner.enis).toHaveLength(4);
    world.reset();
  });

  it("returns the look-alike despite the requester filters when told to ignore them (an emulator's or proxy's gap), until reset", async () => {
    // Prepare
    const client = await assumed();
    const { id } = world.addLookalikeInterface();
    const set = await fetch(`${world.info.control}/ec2`, {
      method: "POST",
      body: JSON.stringify({ ignoreFilters: ["requester-managed", "requester-id"] }),
    });
    expect(set.status).toBe(200);

    // Act
    const ignoring = await all(client, [{ Name: "description", Values: [OURS] }, ...requester]);
    world.reset();
    const afterReset = await all(client, [{ Name: "description", Values: [OURS] }]);

    // Assess
    expect(ignoring.enis.map((e) => e.NetworkInterfaceId)).toContain(id);
    expect(afterReset.enis.map((e) => e.NetworkInterfaceId)).not.toContain(id);
  });

  it("refuses a look-alike on an ALB node's address", async () => {
    const taken = world.state().alb.ips[0]!;
    expect(() => world.addLookalikeInterface(taken)).toThrow(/ALB node's address/);
  });
});

describe("a dualstack ALB's interfaces", () => {
  it("carry the nodes' IPv6 addresses, the AAAA records' ones, and follow scaling", async () => {
    // Prepare
    const dual = await startWorld({ albIpCount: 3, albIpAddressType: "dualstack", ipsPerInterface: 2 });
    const client = new EC2Client({
      endpoint: dual.info.endpoints.ec2,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const initial = [...dual.state().alb.ipv6].sort();

      // Act
      const first = await all(client, [{ Name: "description", Values: [OURS] }]);
      dual.scaleAlb(5);
      const scaled = await all(client, [{ Name: "description", Values: [OURS] }]);

      // Assess
      const ipv6 = (enis: NetworkInterface[]) =>
        enis.flatMap((e) => e.Ipv6Addresses?.map((a) => a.Ipv6Address ?? "") ?? []).sort();
      expect(initial).toHaveLength(3);
      expect(ipv6(first.enis)).toEqual(initial);
      expect(ipv6(scaled.enis)).toEqual([...dual.state().alb.ipv6].sort());
      expect(ipv6(scaled.enis)).toHaveLength(5);
    } finally {
      client.destroy();
      await dual.stop();
    }
  });
});
