/**
 * ENI discovery: the observation it makes of a lookup (exact, failed, VPC derivation, foreign interfaces), and
 * the EC2 adapter with the real SDK against the local world's EC2, whose VPC also holds another ALB (a name
 * that starts with ours), an NLB and other services.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEc2Adapter,
  type Ec2Adapter,
  type InterfaceLookup,
  MAX_ENI_PAGES,
  type NetworkInterfaceView,
} from "../../lambda/aws/ec2.js";
import { createEniDiscovery, isElbManaged, LOOKALIKE_AUDIT_INTERVAL_MS } from "../../lambda/discovery/eni.js";
import { AwsCallError } from "../../lambda/errors.js";
import { startWorld, type World } from "../../sim/world.js";

const OURS = "ELB app/demo-alb/1234567890abcdef";
const VPC = "vpc-0a1b2c3d4e5f60718";
/** One of the ALB's interfaces as ELB makes them (requester-managed by amazon-elb, attached by amazon-elb). */
const eni = (id: string, ips: string[], patch: Partial<NetworkInterfaceView> = {}): NetworkInterfaceView => ({
  id,
  vpcId: VPC,
  description: OURS,
  privateIpv4: ips,
  ipv6: [],
  requesterManaged: true,
  requesterId: "amazon-elb",
  attachmentOwnerId: "amazon-elb",
  ...patch,
});
/** What anyone allowed ec2:CreateNetworkInterface can make: the ALB's description, created by a user. */
const lookalike = (id: string, ips: string[], patch: Partial<NetworkInterfaceView> = {}) =>
  eni(id, ips, {
    requesterManaged: false,
    requesterId: "AIDAEXAMPLELOOKALIKE1",
    attachmentOwnerId: "123456789012",
    ...patch,
  });

type Query = Parameters<Ec2Adapter["describeInterfaces"]>[0];

/**
 * An adapter answering the lookups (with the requester filters) from `answers` in turn, and the looks for
 * look-alikes (without them) from `audits` in turn (none left: no interface).
 */
function fake(
  answers: Array<InterfaceLookup | Error>,
  audits: Array<InterfaceLookup | Error> = [],
): Ec2Adapter & { queries: Query[]; audits: Query[] } {
  const queries: Query[] = [];
  const auditQueries: Query[] = [];
  return {
    queries,
    audits: auditQueries,
    calls: 0,
    async describeInterfaces(query) {
      const isAudit = query.requesterId === undefined;
      (isAudit ? auditQueries : queries).push({ ...query });
      const next = isAudit ? (audits.shift() ?? lookup([])) : answers.shift();
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
      { description: OURS, vpcId: undefined, requesterId: "amazon-elb" },
      { description: OURS, vpcId: undefined, requesterId: "amazon-elb" },
      { description: OURS, vpcId: VPC, requesterId: "amazon-elb" },
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

describe("ENI discovery: only interfaces ELB created count", () => {
  it("observes none of a returned look-alike: the lookup stays exact, and the look-alike is reported with its id and IP", async () => {
    // Prepare: an EC2 that ignored the requester filters returns a look-alike beside the ALB's interfaces
    const ec2 = fake([lookup([eni("eni-1", ["10.0.1.7"]), lookalike("eni-f", ["10.0.1.66"])])]);

    // Act
    const o = await createEniDiscovery(ec2, { description: OURS, vpcId: VPC }).discover();

    // Assess
    expect(o).toMatchObject({ ips: ["10.0.1.7"], exact: true, complete: true, failed: false, answers: 1 });
    expect(o.lookalikes).toEqual([{ id: "eni-f", ips: ["10.0.1.66"], requesterId: "AIDAEXAMPLELOOKALIKE1" }]);
    const note = o.notes.find((n) => n.code === "interface_not_elb_managed");
    expect(note?.message).toContain("eni-f (10.0.1.66)");
    expect(o.notes.map((n) => n.code)).toEqual(["interface_not_elb_managed"]);
  });

  it("asks EC2 for ELB's interfaces only (requester-managed, requester-id amazon-elb)", async () => {
    const ec2 = fake([lookup([eni("eni-1", ["10.0.1.7"])])]);
    await createEniDiscovery(ec2, { description: OURS, vpcId: VPC }).discover();
    expect(ec2.queries).toEqual([{ description: OURS, vpcId: VPC, requesterId: "amazon-elb" }]);
  });

  it.each([
    ["not requester-managed", { requesterManaged: false }],
    ["requester-managed flag missing", { requesterManaged: undefined }],
    ["requested by another service", { requesterId: "amazon-rds" }],
    ["no requester", { requesterId: undefined }],
    ["attached to an instance of the account", { attachmentOwnerId: "123456789012" }],
  ])("refuses an interface %s, whatever its description", async (_what, patch) => {
    // Prepare
    const fields = eni("eni-x", ["10.0.1.9"], patch);
    const ec2 = fake([lookup([eni("eni-1", ["10.0.1.7"]), fields])]);

    // Act
    const o = await createEniDiscovery(ec2, { description: OURS, vpcId: VPC }).discover();

    // Assess
    expect(isElbManaged(fields)).toBe(false);
    expect(o.ips).toEqual(["10.0.1.7"]);
    expect(o.lookalikes?.map((l) => l.id)).toEqual(["eni-x"]);
  });

  it("accepts ELB's interface with no attachment (Attachment.InstanceOwnerId only where present)", () => {
    expect(isElbManaged(eni("eni-1", ["10.0.1.7"], { attachmentOwnerId: undefined }))).toBe(true);
  });

  it("looks without the requester filters at its first lookup and then every 15 minutes only, and reports the last look's findings every run", async () => {
    // Prepare: EC2 honours the filters, so only the looks without them see the look-alike
    let clock = Date.parse("2026-12-02T10:00:00Z");
    const alb = () => lookup([eni("eni-1", ["10.0.1.7"])]);
    const seen = () => lookup([eni("eni-1", ["10.0.1.7"]), lookalike("eni-f", ["10.0.1.66"])]);
    const ec2 = fake([alb(), alb(), alb(), alb()], [seen(), lookup([eni("eni-1", ["10.0.1.7"])])]);
    const d = createEniDiscovery(ec2, { description: OURS, vpcId: VPC, now: () => clock });

    // Act
    const first = await d.discover();
    clock += LOOKALIKE_AUDIT_INTERVAL_MS - 60_000;
    const second = await d.discover();
    clock += 60_000;
    const third = await d.discover();
    clock += 60_000;
    const fourth = await d.discover();

    // Assess: two looks without the filters in four runs; the look-alike reported until a look no longer finds it
    expect(ec2.audits).toEqual([
      { description: OURS, vpcId: VPC },
      { description: OURS, vpcId: VPC },
    ]);
    expect([first, second].map((o) => o.lookalikes?.map((l) => l.id))).toEqual([["eni-f"], ["eni-f"]]);
    expect([third, fourth].map((o) => o.lookalikes)).toEqual([[], []]);
    for (const o of [first, second, third, fourth])
      expect(o).toMatchObject({ ips: ["10.0.1.7"], exact: true });
  });

  it("ignores a failing look for look-alikes (the run goes on) and looks again at the next run", async () => {
    const ec2 = fake(
      [lookup([eni("eni-1", ["10.0.1.7"])]), lookup([eni("eni-1", ["10.0.1.7"])])],
      [new AwsCallError("describe_network_interfaces_error", "DescribeNetworkInterfaces", "Rate exceeded")],
    );
    const d = createEniDiscovery(ec2, { description: OURS, vpcId: VPC });
    const first = await d.discover();
    await d.discover();
    expect(first).toMatchObject({ ips: ["10.0.1.7"], exact: true, lookalikes: [] });
    expect(ec2.audits).toHaveLength(2);
  });

  it("fails the lookup (eni_none_found) when only look-alikes carry the description, and still reports them", async () => {
    const ec2 = fake([lookup([lookalike("eni-f", ["10.0.1.66"])])]);
    const o = await createEniDiscovery(ec2, { description: OURS, vpcId: VPC }).discover();
    expect(o).toMatchObject({ ips: [], failed: true, failure: { code: "eni_none_found" } });
    expect(o.failure?.message).toContain("not created by ELB");
    expect(o.lookalikes?.map((l) => l.id)).toEqual(["eni-f"]);
  });

  it("property: only ELB-made interfaces of the ALB's description and VPC are observed, and look-alikes change neither exactness nor completeness", async () => {
    const anInterface = fc.record({
      ip: fc.integer({ min: 1, max: 250 }).map((n) => `10.0.1.${n}`),
      ours: fc.boolean(),
      description: fc.constantFrom(OURS, "ELB app/demo-alb-2/fedcba9876543210", ""),
      vpcId: fc.constantFrom(VPC, "vpc-11111111"),
      requesterManaged: fc.constantFrom(true, false, undefined),
      requesterId: fc.constantFrom("amazon-elb", "amazon-rds", "AIDAEXAMPLELOOKALIKE1", undefined),
      attachmentOwnerId: fc.constantFrom("amazon-elb", "123456789012", undefined),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(anInterface, { maxLength: 12 }), async (specs) => {
        // Prepare: the ALB's own interfaces (ELB-made), then anything else with random fields
        const all = specs.map((spec, i) =>
          spec.ours
            ? eni(`eni-${i}`, [spec.ip])
            : eni(`eni-${i}`, [spec.ip], {
                description: spec.description,
                vpcId: spec.vpcId,
                requesterManaged: spec.requesterManaged,
                requesterId: spec.requesterId,
                attachmentOwnerId: spec.attachmentOwnerId,
              }),
        );
        const elbMade = all.filter((e) => e.description === OURS && e.vpcId === VPC && isElbManaged(e));
        const lookalikes = all.filter((e) => e.description === OURS && e.vpcId === VPC && !isElbManaged(e));
        const withoutLookalikes = all.filter((e) => !lookalikes.includes(e));

        // Act
        const o = await createEniDiscovery(fake([lookup(all)]), { description: OURS, vpcId: VPC }).discover();
        const clean = await createEniDiscovery(fake([lookup(withoutLookalikes)]), {
          description: OURS,
          vpcId: VPC,
        }).discover();

        // Assess
        const allowed = new Set(elbMade.flatMap((e) => e.privateIpv4));
        expect(o.ips.every((ip) => allowed.has(ip))).toBe(true);
        expect(o.ips).toEqual(clean.ips);
        expect([o.exact, o.complete, o.failed]).toEqual([clean.exact, clean.complete, clean.failed]);
        expect(o.lookalikes?.map((l) => l.id).sort()).toEqual(lookalikes.map((e) => e.id).sort());
      }),
      { numRuns: 300 },
    );
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

  it("translates who made each interface, and with requesterId asks EC2 for that requester's interfaces only", async () => {
    // Prepare
    const fakeOne = world.addLookalikeInterface();
    try {
      // Act
      const unfiltered = await adapter().describeInterfaces({ description: OURS, vpcId: VPC });
      const filtered = await adapter().describeInterfaces({
        description: OURS,
        vpcId: VPC,
        requesterId: "amazon-elb",
      });

      // Assess
      expect(unfiltered.interfaces.find((i) => i.id === fakeOne.id)).toMatchObject({
        requesterManaged: false,
        requesterId: "AIDAEXAMPLELOOKALIKE1",
        attachmentOwnerId: "123456789012",
        privateIpv4: [fakeOne.ip],
      });
      expect(filtered.interfaces.map((i) => i.id).sort()).toEqual(
        world
          .state()
          .alb.interfaces.map((i) => i.id)
          .sort(),
      );
      expect(
        filtered.interfaces.every(
          (i) =>
            i.requesterManaged === true &&
            i.requesterId === "amazon-elb" &&
            i.attachmentOwnerId === "amazon-elb",
        ),
      ).toBe(true);
    } finally {
      world.reset();
    }
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

describe("EC2 adapter: how far one lookup pages", () => {
  /** An EC2 stand-in whose every page is empty and names a next one (a NextToken that never ends). */
  async function endlessEc2(
    latencyMs = 0,
  ): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
    let requests = 0;
    const server = http.createServer((req, res) => {
      requests += 1;
      req.resume();
      req.on("end", () => {
        setTimeout(() => {
          const body =
            '<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
            `<requestId>r-${requests}</requestId><networkInterfaceSet/><nextToken>page-${requests + 1}</nextToken>` +
            "</DescribeNetworkInterfacesResponse>";
          res.writeHead(200, { "content-type": "text/xml;charset=UTF-8" }).end(body);
        }, latencyMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      requests: () => requests,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  async function lookupAgainst(url: string, deadline?: number): Promise<{ error: unknown }> {
    const saved = process.env.AWS_ENDPOINT_URL_EC2;
    process.env.AWS_ENDPOINT_URL_EC2 = url;
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
    try {
      const ec2 = createEc2Adapter({
        region: "us-east-1",
        maxAttempts: 1,
        connectionTimeoutMs: 1000,
        requestTimeoutMs: 5000,
      });
      const error = await ec2.describeInterfaces({ description: OURS, deadline }).then(
        () => undefined,
        (e: unknown) => e,
      );
      return { error };
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_EC2;
      else process.env.AWS_ENDPOINT_URL_EC2 = saved;
    }
  }

  it(`stops after ${MAX_ENI_PAGES} pages (a million interfaces) with a coded error, never a partial list`, async () => {
    // Prepare
    const ec2 = await endlessEc2();
    try {
      // Act
      const { error } = await lookupAgainst(ec2.url);

      // Assess
      expect(MAX_ENI_PAGES).toBe(1000);
      expect(ec2.requests()).toBe(MAX_ENI_PAGES);
      expect(error).toBeInstanceOf(AwsCallError);
      expect((error as AwsCallError).code).toBe("describe_network_interfaces_error");
      expect((error as AwsCallError).message).toContain(`after ${MAX_ENI_PAGES} pages`);
    } finally {
      await ec2.close();
    }
  }, 60_000);

  it("starts no page after the run's discovery deadline, and says so", async () => {
    // Prepare: 40 ms a page, a deadline 300 ms away
    const ec2 = await endlessEc2(40);
    try {
      // Act
      const { error } = await lookupAgainst(ec2.url, Date.now() + 300);

      // Assess
      expect(ec2.requests()).toBeGreaterThan(1);
      expect(ec2.requests()).toBeLessThan(MAX_ENI_PAGES);
      expect((error as AwsCallError).code).toBe("describe_network_interfaces_error");
      expect((error as AwsCallError).message).toMatch(/deadline/);
      expect((error as AwsCallError).message).toContain(`after ${ec2.requests()} page`);
    } finally {
      await ec2.close();
    }
  });
});
