/**
 * ENI discovery: the observation it makes of a lookup (exact, failed, VPC derivation, foreign interfaces), and
 * the EC2 adapter with the real SDK against the local world's EC2, whose VPC also holds another ALB (a name
 * that starts with ours), an NLB and other services.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEc2Adapter,
  type Ec2Adapter,
  type InterfaceLookup,
  type NetworkInterfaceView,
} from "../../lambda/aws/ec2.js";
import { createEniDiscovery } from "../../lambda/discovery/eni.js";
import { AwsCallError } from "../../lambda/errors.js";
import { startWorld, type World } from "../../sim/world.js";

const OURS = "ELB app/demo-alb/1234567890abcdef";
const VPC = "vpc-0a1b2c3d4e5f60718";
const eni = (id: string, ips: string[], patch: Partial<NetworkInterfaceView> = {}): NetworkInterfaceView =>
  ({
    id,
    vpcId: VPC,
    description: OURS,
    privateIpv4: ips,
    ipv6: [],
    ...patch,
  }) as NetworkInterfaceView;

function fake(
  answers: Array<InterfaceLookup | Error>,
): Ec2Adapter & { queries: Array<{ description: string; vpcId?: string | undefined }> } {
  const queries: Array<{ description: string; vpcId?: string | undefined }> = [];
  return {
    queries,
    calls: 0,
    async describeInterfaces(query) {
      queries.push({ ...query });
      const next = answers.shift();
      if (next === undefined) throw new Error("no more answers");
      if (next instanceof Error) throw next;
      return next;
    },
  };
}
const lookup = (interfaces: NetworkInterfaceView[], pages = 1): InterfaceLookup => ({
  interfaces,
  pages,
  durationMs: 1,
});

describe("ENI discovery", () => {
  it("answers both families from one lookup: IPv4 and the canonical IPv6 of a dualstack ALB's interfaces", async () => {
    // Prepare
    const ec2 = fake([
      lookup([
        eni("eni-1", ["10.0.1.7"], { ipv6: ["2600:1f18:04a3:6a01:0000:0000:0000:0007"] }),
        eni("eni-2", ["10.0.2.5"], { ipv6: ["2600:1f18:4a3:6a02::5"] }),
      ]),
    ]);
    const d = createEniDiscovery(ec2, { description: OURS, vpcId: VPC });

    // Act
    const both = await d.discoverFamilies();

    // Assess
    expect(ec2.queries).toHaveLength(1);
    expect(both.ipv4).toMatchObject({ ips: ["10.0.1.7", "10.0.2.5"], exact: true, failed: false });
    expect(both.ipv6).toMatchObject({
      ips: ["2600:1f18:4a3:6a01::7", "2600:1f18:4a3:6a02::5"],
      exact: true,
      failed: false,
    });
  });

  it("fails the ipv6 observation, never empties it, when the interfaces have no IPv6 (ALB not dualstack)", async () => {
    // Act
    const both = await createEniDiscovery(fake([lookup([eni("eni-1", ["10.0.1.7"])])]), {
      description: OURS,
      vpcId: VPC,
    }).discoverFamilies();

    // Assess
    expect(both.ipv4.failed).toBe(false);
    expect(both.ipv6).toMatchObject({ failed: true, ips: [], failure: { code: "alb_not_dualstack" } });
  });

  it("observes every private IPv4 of the ALB's interfaces, sorted, exactly", async () => {
    const d = createEniDiscovery(
      fake([lookup([eni("eni-1", ["10.0.3.9", "10.0.1.7"]), eni("eni-2", ["10.0.2.5"])])]),
      { description: OURS },
    );
    const o = await d.discover();
    expect(o).toMatchObject({
      ips: ["10.0.1.7", "10.0.2.5", "10.0.3.9"],
      complete: true,
      failed: false,
      exact: true,
      source: "eni",
      answers: 2,
    });
    expect([...d.knownInterfaceIds]).toEqual(["eni-1", "eni-2"]);
  });

  it("derives the VPC once from the first successful lookup and filters by it afterwards", async () => {
    const adapter = fake([
      new Error("boom"),
      lookup([eni("eni-1", ["10.0.1.7"])]),
      lookup([eni("eni-1", ["10.0.1.7"])]),
    ]);
    const d = createEniDiscovery(adapter, { description: OURS });
    await d.discover();
    await d.discover();
    await d.discover();
    expect(adapter.queries).toEqual([
      { description: OURS, vpcId: undefined },
      { description: OURS, vpcId: undefined },
      { description: OURS, vpcId: VPC },
    ]);
    expect(d.vpcId).toBe(VPC);
  });

  it("uses ALB_VPC_ID from the start when given", async () => {
    const adapter = fake([lookup([eni("eni-1", ["10.0.1.7"])])]);
    await createEniDiscovery(adapter, { description: OURS, vpcId: VPC }).discover();
    expect(adapter.queries[0]?.vpcId).toBe(VPC);
  });

  it.each([
    [
      "the call fails",
      new AwsCallError("describe_network_interfaces_error", "DescribeNetworkInterfaces", "Rate exceeded"),
      "describe_network_interfaces_error",
    ],
    [
      "the role cannot be assumed",
      new AwsCallError("assume_role_error", "AssumeRole", "denied"),
      "assume_role_error",
    ],
    ["no interface is found", lookup([]), "eni_none_found"],
    [
      "the interfaces are in two VPCs",
      lookup([eni("eni-1", ["10.0.1.7"]), eni("eni-2", ["10.1.1.7"], { vpcId: "vpc-11111111" })]),
      "eni_vpc_ambiguous",
    ],
  ])("makes a failed observation (no miss counted) when %s", async (_what, answer, code) => {
    const d = createEniDiscovery(fake([answer]), { description: OURS });
    const o = await d.discover();
    expect(o).toMatchObject({ ips: [], failed: true, complete: false, exact: false, failure: { code } });
    expect(d.lastSuccessStartedAt).toBeUndefined();
  });

  it("drops interfaces of another description or VPC that a lookup returned, and counts no misses from it", async () => {
    const d = createEniDiscovery(
      fake([
        lookup([
          eni("eni-1", ["10.0.1.7"]),
          eni("eni-9", ["10.0.9.9"], { description: "ELB app/demo-alb-2/fedcba9876543210" }),
          eni("eni-8", ["10.0.8.8"], { vpcId: "vpc-22222222" }),
        ]),
      ]),
      { description: OURS, vpcId: VPC },
    );
    const o = await d.discover();
    expect(o.ips).toEqual(["10.0.1.7"]);
    expect(o).toMatchObject({ complete: false, exact: false, failed: false });
    expect(o.notes.map((n) => n.code)).toEqual(["eni_foreign_interface"]);
  });
});

describe("EC2 adapter against the local world", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      albIpCount: 5,
      ipsPerInterface: 2,
      backgroundInterfaces: 1200,
      ec2Paging: "scan",
    });
  });
  afterAll(async () => world.stop());

  const adapter = () =>
    createEc2Adapter({
      region: "us-east-1",
      maxAttempts: 1,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 5000,
    });

  it("returns exactly the ALB's interfaces, over every page, and none of the other ALB's, the NLB's or other services'", async () => {
    process.env.AWS_ENDPOINT_URL_EC2 = world.info.endpoints.ec2;
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
    const ec2 = adapter();
    const found = await ec2.describeInterfaces({ description: OURS, vpcId: VPC });
    const expected = world.state().alb.interfaces;
    expect(found.pages).toBe(2);
    expect(found.interfaces.map((i) => i.id).sort()).toEqual(expected.map((i) => i.id).sort());
    expect(found.interfaces.flatMap((i) => i.privateIpv4).sort()).toEqual([...world.state().alb.ips].sort());
    expect(found.interfaces.every((i) => i.description === OURS && i.vpcId === VPC)).toBe(true);
    expect(ec2.calls).toBe(2);
  });

  it("finds nothing in another VPC", async () => {
    const found = await adapter().describeInterfaces({ description: OURS, vpcId: "vpc-11111111" });
    expect(found.interfaces).toEqual([]);
  });

  it("throws a coded error, never a partial list, when a later page fails", async () => {
    world.setFaults({ "ec2:DescribeNetworkInterfaces:nextPage": { error: "RequestLimitExceeded" } });
    try {
      const error = await adapter()
        .describeInterfaces({ description: OURS })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AwsCallError);
      expect((error as AwsCallError).code).toBe("describe_network_interfaces_error");
      expect((error as AwsCallError).message).toContain("page 2");
    } finally {
      world.setFaults({});
    }
  });
});
