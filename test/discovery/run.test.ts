/**
 * The discovery wiring the handler and the CLI share (lambda/discovery/run.ts): what a run's `discover` asks of DNS
 * or of the EC2 adapter, what a container remembers between runs, and the warning about look-alike interfaces.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Ec2Adapter, InterfaceLookupQuery, NetworkInterfaceView } from "../../lambda/aws/ec2.js";
import { loadConfig } from "../../lambda/config/index.js";
import { PROBE_QUERIES } from "../../lambda/discovery/discover.js";
import { NOT_ELB_MANAGED } from "../../lambda/discovery/eni.js";
import { type AlbEc2Options, createDiscovery } from "../../lambda/discovery/run.js";
import { type DnsServer, startDnsServer } from "../../sim/dns.js";

const NAME = "internal-x-1.us-east-1.elb.amazonaws.com";
const ALB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188";
const DESCRIPTION = "ELB app/my-alb/50dc6c495c0c9188";
const BASE_ENV = {
  ALB_DNS_NAME: NAME,
  S3_BUCKET: "state-bucket",
  ALB_LISTENER: "443",
  NLB_TG_ARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/0123456789abcdef",
  AWS_REGION: "us-east-1",
};

const ips = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`);

/** What a run logged as a warning. */
type Warning = { message: string; extra: Record<string, unknown> };
const recorder = () => {
  const warnings: Warning[] = [];
  return {
    warnings,
    logger: { warn: (message: string, extra: Record<string, unknown>) => warnings.push({ message, extra }) },
  };
};

/** An interface as ELB makes it, or (with `by`) one a user made with the ALB's description. */
const eni = (id: string, ip: string, by?: string): NetworkInterfaceView => ({
  id,
  vpcId: "vpc-0a1b2c3d4e5f60718",
  description: DESCRIPTION,
  privateIpv4: [ip],
  ipv6: [],
  requesterManaged: by === undefined,
  requesterId: by ?? "amazon-elb",
  attachmentOwnerId: by === undefined ? "amazon-elb" : "123456789012",
});

/** An adapter answering every lookup with `interfaces`, recording the queries. */
function fakeEc2(interfaces: NetworkInterfaceView[]): Ec2Adapter & { queries: InterfaceLookupQuery[] } {
  const queries: InterfaceLookupQuery[] = [];
  return {
    queries,
    calls: 0,
    async describeInterfaces(query) {
      queries.push({ ...query });
      return { interfaces, pages: 1, durationMs: 1 };
    },
  };
}

describe("the discovery wiring in DNS mode", () => {
  let server: DnsServer;

  beforeAll(async () => {
    server = await startDnsServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    // Let queries that an earlier test cancelled reach the server first.
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.setLatency(0);
    server.resetStats();
  });

  const config = () => loadConfig({ ...BASE_ENV, DNS_SERVERS: `${server.host}:${server.port}` });

  it("samples the ALB's name at DNS_SERVERS and makes no EC2 adapter", async () => {
    // Prepare
    server.setRecord(NAME, ips(12));
    let adapters = 0;
    const discovery = createDiscovery(config(), {
      ec2: () => {
        adapters += 1;
        return fakeEc2([]);
      },
      ...recorder(),
    });

    // Act
    const observation = await discovery.forRun()("ipv4", Date.now() + 10_000, 1);

    // Assess
    expect(observation).toMatchObject({ ips: ips(12), complete: true, failed: false });
    expect(server.stats().queries).toBe(observation.queries);
    expect(discovery.eni).toBeUndefined();
    expect(adapters).toBe(0);
  });

  it("sizes a later run's first wave by the container's last discovery, and probes in a fresh one", async () => {
    // Prepare: one run of this container saw 28 IPs; then answers take 2 s and the deadline ends each run first.
    server.setRecord(NAME, ips(28));
    const container = createDiscovery(config(), { ec2: () => fakeEc2([]), ...recorder() });
    await container.forRun()("ipv4", Date.now() + 10_000, 1);
    server.setLatency(2_000);

    // Act
    const remembered = await container.forRun()("ipv4", Date.now() + 300, 1);
    const fresh = await createDiscovery(config(), { ec2: () => fakeEc2([]), ...recorder() }).forRun()(
      "ipv4",
      Date.now() + 300,
      1,
    );

    // Assess: 16 = DNS_CONCURRENCY, what 28 remembered IPs ask for at once; a fresh wiring sends the probe.
    expect(remembered).toMatchObject({ queries: 16, answers: 0, failed: true });
    expect(fresh).toMatchObject({ queries: PROBE_QUERIES, answers: 0, failed: true });
  });

  it("splits DNS_CONCURRENCY between the families of one run", async () => {
    // Prepare: the container remembers 28 IPs of each family; answers then take 2 s.
    server.setRecord(NAME, [...ips(28), ...Array.from({ length: 28 }, (_, i) => `2600:1f18::${i + 1}`)]);
    const container = createDiscovery(config(), { ec2: () => fakeEc2([]), ...recorder() });
    const first = container.forRun();
    await Promise.all([first("ipv4", Date.now() + 10_000, 2), first("ipv6", Date.now() + 10_000, 2)]);
    server.setLatency(2_000);

    // Act
    const run = container.forRun();
    const [v4, v6] = await Promise.all([run("ipv4", Date.now() + 300, 2), run("ipv6", Date.now() + 300, 2)]);

    // Assess: together never more than DNS_CONCURRENCY (16) in flight.
    expect([v4.queries, v6.queries]).toEqual([8, 8]);
  });
});

describe("the discovery wiring in ENI mode", () => {
  const config = (extra: Record<string, string> = {}) =>
    loadConfig({ ...BASE_ENV, DISCOVERY_MODE: "eni", ALB_ARN, ...extra });

  it("makes the adapter once for the ALB's region and role, and looks up once per run for both families", async () => {
    // Prepare
    const ec2 = fakeEc2([eni("eni-1", "10.0.1.5"), eni("eni-2", "10.0.2.7")]);
    const made: AlbEc2Options[] = [];
    const roleArn = "arn:aws:iam::210987654321:role/alb-reader";
    const discovery = createDiscovery(config({ ALB_ROLE_ARN: roleArn, ALB_ROLE_EXTERNAL_ID: "ext-1" }), {
      ec2: (options) => {
        made.push(options);
        return ec2;
      },
      ...recorder(),
    });
    const deadline = Date.now() + 10_000;

    // Act
    const run = discovery.forRun();
    const [v4, v6] = await Promise.all([run("ipv4", deadline, 2), run("ipv6", deadline, 2)]);
    const lookupsAfterOneRun = ec2.queries.filter((q) => q.requesterId !== undefined).length;
    await discovery.forRun()("ipv4", deadline, 1);

    // Assess
    expect(made).toEqual([{ region: "us-east-1", roleArn, externalId: "ext-1" }]);
    expect(v4).toMatchObject({ ips: ["10.0.1.5", "10.0.2.7"], exact: true, source: "eni" });
    expect(v6).toMatchObject({ failed: true, source: "eni" });
    expect(lookupsAfterOneRun).toBe(1);
    expect(ec2.queries.filter((q) => q.requesterId !== undefined)).toHaveLength(2);
    expect(ec2.queries.every((q) => q.deadline === deadline && q.description === DESCRIPTION)).toBe(true);
    expect(discovery.eni?.knownInterfaceIds).toEqual(new Set(["eni-1", "eni-2"]));
  });

  it("warns once per run naming the interfaces that copy the ALB's description", async () => {
    // Prepare
    const { warnings, logger } = recorder();
    const forged = eni("eni-9", "10.0.3.9", "AIDAEXAMPLELOOKALIKE1");
    const discovery = createDiscovery(config(), {
      ec2: () => fakeEc2([eni("eni-1", "10.0.1.5"), forged]),
      logger,
    });

    // Act
    const run = discovery.forRun();
    const [v4] = await Promise.all([
      run("ipv4", Date.now() + 10_000, 2),
      run("ipv6", Date.now() + 10_000, 2),
    ]);

    // Assess
    expect(v4?.ips).toEqual(["10.0.1.5"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/not created by ELB.*CloudTrail.*SECURITY\.md/);
    expect(warnings[0]?.extra).toMatchObject({
      code: NOT_ELB_MANAGED,
      interfaces: [expect.objectContaining({ id: "eni-9", ips: ["10.0.3.9"] })],
    });
  });
});
