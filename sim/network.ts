/**
 * The network around the target groups, as the operator CLI's `doctor` reads it: the ALB and the NLB (their
 * subnets and availability zones, security groups, attributes, listeners), the target groups' protocol, target
 * type, health check and attributes, the VPC's subnets, security groups and route tables, and the deployed
 * function (its configuration, schedule rule, role permissions and recent errors).
 *
 * The default world is wired correctly; {@link NetworkModel.change} makes each wiring mistake (`POST /network`).
 * The NLB's health verdict follows the wiring ({@link NetworkModel.probe}): a target in an availability zone the
 * NLB does not serve (cross-zone off) or of a target group no NLB listener forwards to is `unused`
 * (`Target.NotInUse`); a target whose health checks the ALB's security groups drop is `unhealthy`
 * (`Target.FailedHealthChecks`).
 *
 * Layout (VPC `vpcCidr`, secondary block 10.250.0.0/16): the ALB's subnets split the VPC block by zone (first
 * quarter a, second b, upper half c), so every ALB IP is in one of them; the NLB's subnets are
 * 10.250.{0,1,2}.0/24 in a, b, c; the function's subnets 10.250.{10,11}.0/24 (a, b) route 0.0.0.0/0 to a NAT
 * gateway.
 */
import { SimInputError } from "./api-error.js";
import { type Cidr, cidrContains, intToIp, parseCidr } from "./ip.js";

export interface SubnetSpec {
  id: string;
  vpcId: string;
  cidr: string;
  availabilityZone: string;
}

/** One ingress rule: a protocol (`tcp` or `-1` for all), a port range, and its sources. */
export interface IngressRule {
  protocol: "tcp" | "udp" | "-1";
  fromPort: number;
  toPort: number;
  cidrs: string[];
  /** Security group ids the rule admits (a reference to another group). */
  groups: string[];
}

export interface SecurityGroupSpec {
  id: string;
  name: string;
  vpcId: string;
  ingress: IngressRule[];
}

export interface LoadBalancerSpec {
  arn: string;
  name: string;
  type: "application" | "network";
  scheme: "internal" | "internet-facing";
  dnsName: string;
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  ipAddressType: "ipv4" | "dualstack";
  attributes: Record<string, string>;
}

export interface ListenerSpec {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  /** The target group the default action forwards to; undefined: a fixed response. */
  forwardTo: string | undefined;
}

export interface HealthCheckSpec {
  enabled: boolean;
  protocol: "TCP" | "HTTP" | "HTTPS";
  /** `traffic-port` or a port number as text. */
  port: string;
  path: string | undefined;
  matcher: string | undefined;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/** What the network adds to a target group of the ELBv2 model. */
export interface TargetGroupSettings {
  protocol: string;
  targetType: string;
  healthCheck: HealthCheckSpec;
  attributes: Record<string, string>;
}

export interface RouteTableSpec {
  id: string;
  vpcId: string;
  main: boolean;
  subnetIds: string[];
  routes: Array<{ destination: string; target: string }>;
}

/** The deployed function as Lambda, EventBridge, IAM and CloudWatch show it. */
export interface FunctionSpec {
  name: string;
  arn: string;
  roleArn: string;
  environment: Record<string, string>;
  /** Subnets of the function's VPC configuration; empty: not in a VPC. */
  subnetIds: string[];
  securityGroupIds: string[];
  scheduleRule: { name: string; arn: string; state: "ENABLED" | "DISABLED"; expression: string } | undefined;
  /** IAM actions the role may not perform (SimulatePrincipalPolicy answers `implicitDeny`). */
  deniedActions: string[];
  /** AWS/Lambda Errors datapoints of the last hour (one per minute, from the newest). */
  recentErrors: number[];
}

/** `POST /network`: each key replaces one aspect of the wiring. */
export interface NetworkChange {
  /** Zones (`a`, `b`, `c` or full names) whose NLB subnets are enabled. Default all three. */
  nlbZones?: string[];
  /** NLB attribute load_balancing.cross_zone.enabled. Default false. */
  nlbCrossZone?: boolean;
  /** Give the NLB a security group (`sg-nlb`), admitted by the ALB's default rules, or none. Default none. */
  nlbSecurityGroup?: boolean;
  /** Replaces the ingress rules of the ALB's security group. */
  albIngress?: IngressRule[];
  /** Ports of the ALB's listeners (HTTPS). Default the target groups' ports. */
  albListenerPorts?: number[];
  /** The NLB's listeners: each forwards to `targetGroupArn` (default the group of that port) or nowhere (`null`). */
  nlbListeners?: Array<{ port: number; targetGroupArn?: string | null }>;
  /** ALB attribute idle_timeout.timeout_seconds. Default 60. */
  albIdleTimeoutSeconds?: number;
  /** The ALB's IP address type as DescribeLoadBalancers shows it. */
  albIpAddressType?: "ipv4" | "dualstack";
  /** Settings of one target group (`arn`, default the first). */
  targetGroup?: {
    arn?: string;
    protocol?: string;
    targetType?: string;
    healthCheck?: Partial<HealthCheckSpec>;
    attributes?: Record<string, string>;
  };
  /** The deployed function: `exists: false` removes it. */
  function?: {
    exists?: boolean;
    environment?: Record<string, string>;
    /** `nat` (default), `igw` (a public route table; Lambda gets no public IP), `none`, or `outside` (not in a VPC). */
    routeOut?: "nat" | "igw" | "none" | "outside";
    scheduleEnabled?: boolean;
    /** `false`: no schedule rule targets the function. */
    schedule?: boolean;
    deniedActions?: string[];
    recentErrors?: number[];
  };
}

/** A health verdict that replaces the ELBv2 model's own. */
export interface HealthOverride {
  state: "unused" | "unhealthy";
  reason: string;
  description: string;
}

export interface NetworkOptions {
  region: string;
  accountId: string;
  vpcId: string;
  vpcCidr: Cidr;
  albArn: string;
  albDnsName: string;
  albIpAddressType: "ipv4" | "dualstack";
  /** The world's target groups, in order. */
  targetGroups: ReadonlyArray<{ arn: string; port: number; ipAddressType: "ipv4" | "ipv6" }>;
  /** The deployed function's configuration (the world's function environment). */
  functionEnvironment: Record<string, string>;
}

const ZONES = ["a", "b", "c"];
const NLB_BLOCK = "10.250.0.0/16";
export const FUNCTION_NAME = "alb-static-ip";

/** The network model (see the file comment). */
export class NetworkModel {
  subnets: SubnetSpec[] = [];
  securityGroups: SecurityGroupSpec[] = [];
  loadBalancers: LoadBalancerSpec[] = [];
  listeners: ListenerSpec[] = [];
  routeTables: RouteTableSpec[] = [];
  readonly groupSettings = new Map<string, TargetGroupSettings>();
  fn: FunctionSpec | undefined;
  private readonly albSubnetCidrs: Cidr[] = [];

  constructor(private readonly options: NetworkOptions) {
    this.reset();
  }

  /** Back to the correct wiring. */
  reset(): void {
    const o = this.options;
    const zone = (z: string) => `${o.region}${z}`;
    const quarter = o.vpcCidr.size / 4;
    const block = (offset: number, size: number) =>
      `${intToIp((o.vpcCidr.base + offset) >>> 0)}/${32 - Math.log2(size)}`;
    const albCidrs = [block(0, quarter), block(quarter, quarter), block(2 * quarter, 2 * quarter)];
    this.albSubnetCidrs.length = 0;
    this.albSubnetCidrs.push(...albCidrs.map(parseCidr));
    this.subnets = [
      ...ZONES.map((z, i) => ({
        id: `subnet-0a1b0000000alb${z}`,
        vpcId: o.vpcId,
        cidr: albCidrs[i]!,
        availabilityZone: zone(z),
      })),
      ...ZONES.map((z, i) => ({
        id: `subnet-0a1b0000000nlb${z}`,
        vpcId: o.vpcId,
        cidr: `10.250.${i}.0/24`,
        availabilityZone: zone(z),
      })),
      ...ZONES.slice(0, 2).map((z, i) => ({
        id: `subnet-0a1b00000000fn${z}`,
        vpcId: o.vpcId,
        cidr: `10.250.${10 + i}.0/24`,
        availabilityZone: zone(z),
      })),
    ];
    const ports = [...new Set(o.targetGroups.map((g) => g.port))];
    this.securityGroups = [
      {
        id: "sg-0a1b2c3d4e5f00a1b",
        name: "demo-alb",
        vpcId: o.vpcId,
        ingress: ports.map((port) => ({
          protocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrs: [o.vpcCidr.text, NLB_BLOCK],
          groups: [],
        })),
      },
      { id: "sg-0a1b2c3d4e5f00e1b", name: "alb-static-ip-nlb", vpcId: o.vpcId, ingress: [] },
      { id: "sg-0a1b2c3d4e5f00f0c", name: "alb-static-ip-function", vpcId: o.vpcId, ingress: [] },
    ];
    const nlbArn = (n: number) =>
      `arn:aws:elasticloadbalancing:${o.region}:${o.accountId}:loadbalancer/net/alb-static-ip-nlb${n === 0 ? "" : `-${n + 1}`}/fedcba987654321${n}`;
    // One listener per port and NLB: a second target group on a port already taken gets the next NLB.
    const nlbOf = new Map<string, number>();
    const taken: Array<Set<number>> = [];
    for (const group of o.targetGroups) {
      let n = 0;
      while (taken[n]?.has(group.port)) n += 1;
      const onNlb = taken[n] ?? new Set<number>();
      onNlb.add(group.port);
      taken[n] = onNlb;
      nlbOf.set(group.arn, n);
    }
    const nlbCount = Math.max(1, taken.length);
    const [, albName = "demo-alb"] = /loadbalancer\/app\/([^/]+)\//.exec(o.albArn) ?? [];
    this.loadBalancers = [
      {
        arn: o.albArn,
        name: albName,
        type: "application",
        scheme: "internal",
        dnsName: o.albDnsName,
        vpcId: o.vpcId,
        subnetIds: this.subnets.slice(0, 3).map((s) => s.id),
        securityGroupIds: ["sg-0a1b2c3d4e5f00a1b"],
        ipAddressType: o.albIpAddressType,
        attributes: { "idle_timeout.timeout_seconds": "60", "routing.http2.enabled": "true" },
      },
      ...Array.from({ length: nlbCount }, (_, n) => ({
        arn: nlbArn(n),
        name: `alb-static-ip-nlb${n === 0 ? "" : `-${n + 1}`}`,
        type: "network" as const,
        scheme: "internet-facing" as const,
        dnsName: `alb-static-ip-nlb${n === 0 ? "" : `-${n + 1}`}-fedcba987654321${n}.elb.${o.region}.amazonaws.com`,
        vpcId: o.vpcId,
        subnetIds: this.subnets.slice(3, 6).map((s) => s.id),
        securityGroupIds: [],
        ipAddressType: n === 0 ? ("ipv4" as const) : ("dualstack" as const),
        attributes: { "load_balancing.cross_zone.enabled": "false", "deletion_protection.enabled": "false" },
      })),
    ];
    const listenerArn = (lb: string, port: number) =>
      `${lb.replace(":loadbalancer/", ":listener/")}/${(0xa000 + port).toString(16).padStart(16, "0")}`;
    this.listeners = [
      ...ports.map((port) => ({
        arn: listenerArn(o.albArn, port),
        loadBalancerArn: o.albArn,
        port,
        protocol: "HTTPS",
        forwardTo: undefined,
      })),
      ...o.targetGroups.map((group) => {
        const lb = nlbArn(nlbOf.get(group.arn) ?? 0);
        return {
          arn: listenerArn(lb, group.port),
          loadBalancerArn: lb,
          port: group.port,
          protocol: "TCP",
          forwardTo: group.arn,
        };
      }),
    ];
    this.groupSettings.clear();
    for (const group of o.targetGroups) this.groupSettings.set(group.arn, defaultGroupSettings());
    this.routeTables = [
      {
        id: "rtb-0a1b2c3d4e5f0main",
        vpcId: o.vpcId,
        main: true,
        subnetIds: [],
        routes: [{ destination: o.vpcCidr.text, target: "local" }],
      },
      {
        id: "rtb-0a1b2c3d4e5f0priv",
        vpcId: o.vpcId,
        main: false,
        subnetIds: this.subnets.slice(6).map((s) => s.id),
        routes: [
          { destination: o.vpcCidr.text, target: "local" },
          { destination: "0.0.0.0/0", target: "nat-0a1b2c3d4e5f60718" },
        ],
      },
    ];
    const fnArn = `arn:aws:lambda:${o.region}:${o.accountId}:function:${FUNCTION_NAME}`;
    this.fn = {
      name: FUNCTION_NAME,
      arn: fnArn,
      roleArn: `arn:aws:iam::${o.accountId}:role/${FUNCTION_NAME}`,
      environment: { ...o.functionEnvironment },
      subnetIds: this.subnets.slice(6).map((s) => s.id),
      securityGroupIds: ["sg-0a1b2c3d4e5f00f0c"],
      scheduleRule: {
        name: `${FUNCTION_NAME}-schedule`,
        arn: `arn:aws:events:${o.region}:${o.accountId}:rule/${FUNCTION_NAME}-schedule`,
        state: "ENABLED",
        expression: "rate(1 minute)",
      },
      deniedActions: [],
      recentErrors: [],
    };
  }

  get alb(): LoadBalancerSpec {
    return this.loadBalancers[0]!;
  }

  /** The NLBs (every load balancer but the ALB). */
  get nlbs(): LoadBalancerSpec[] {
    return this.loadBalancers.filter((lb) => lb.type === "network");
  }

  /** Apply a change (validated; a bad one changes nothing and throws SimInputError). */
  change(input: NetworkChange): void {
    const c = checkChange(input);
    const nlb = this.nlbs;
    if (c.nlbZones !== undefined) {
      const wanted = c.nlbZones.map((z) => (z.length === 1 ? `${this.options.region}${z}` : z));
      const ids = this.subnets.slice(3, 6).filter((s) => wanted.includes(s.availabilityZone));
      for (const lb of nlb) lb.subnetIds = ids.map((s) => s.id);
    }
    if (c.nlbCrossZone !== undefined)
      for (const lb of nlb) lb.attributes["load_balancing.cross_zone.enabled"] = String(c.nlbCrossZone);
    if (c.nlbSecurityGroup !== undefined) {
      for (const lb of nlb) lb.securityGroupIds = c.nlbSecurityGroup ? ["sg-0a1b2c3d4e5f00e1b"] : [];
    }
    if (c.albIngress !== undefined) this.securityGroups[0]!.ingress = c.albIngress;
    if (c.albListenerPorts !== undefined) {
      const alb = this.alb.arn;
      this.listeners = [
        ...c.albListenerPorts.map((port) => ({
          arn: `${alb.replace(":loadbalancer/", ":listener/")}/${(0xa000 + port).toString(16).padStart(16, "0")}`,
          loadBalancerArn: alb,
          port,
          protocol: "HTTPS",
          forwardTo: undefined,
        })),
        ...this.listeners.filter((l) => l.loadBalancerArn !== alb),
      ];
    }
    if (c.nlbListeners !== undefined) {
      const lb = nlb[0]!.arn;
      this.listeners = [
        ...this.listeners.filter((l) => !nlb.some((n) => n.arn === l.loadBalancerArn)),
        ...c.nlbListeners.map((l) => ({
          arn: `${lb.replace(":loadbalancer/", ":listener/")}/${(0xb000 + l.port).toString(16).padStart(16, "0")}`,
          loadBalancerArn: lb,
          port: l.port,
          protocol: "TCP",
          forwardTo:
            l.targetGroupArn === null
              ? undefined
              : (l.targetGroupArn ?? this.options.targetGroups.find((g) => g.port === l.port)?.arn),
        })),
      ];
    }
    if (c.albIdleTimeoutSeconds !== undefined)
      this.alb.attributes["idle_timeout.timeout_seconds"] = String(c.albIdleTimeoutSeconds);
    if (c.albIpAddressType !== undefined) this.alb.ipAddressType = c.albIpAddressType;
    if (c.targetGroup !== undefined) {
      const arn = c.targetGroup.arn ?? this.options.targetGroups[0]!.arn;
      const settings = this.groupSettings.get(arn);
      if (settings === undefined)
        throw new SimInputError(`targetGroup.arn ${arn} is not a target group of this world`);
      if (c.targetGroup.protocol !== undefined) settings.protocol = c.targetGroup.protocol;
      if (c.targetGroup.targetType !== undefined) settings.targetType = c.targetGroup.targetType;
      Object.assign(settings.healthCheck, c.targetGroup.healthCheck ?? {});
      Object.assign(settings.attributes, c.targetGroup.attributes ?? {});
    }
    if (c.function !== undefined) this.changeFunction(c.function);
  }

  private changeFunction(f: NonNullable<NetworkChange["function"]>): void {
    if (f.exists === false) {
      this.fn = undefined;
      return;
    }
    const fn = this.fn;
    if (fn === undefined)
      throw new SimInputError("the function was removed (exists: false); reset the world first");
    if (f.environment !== undefined) fn.environment = { ...f.environment };
    if (f.routeOut !== undefined) {
      const table = this.routeTables[1]!;
      const local = table.routes.filter((r) => r.target === "local");
      fn.subnetIds = f.routeOut === "outside" ? [] : this.subnets.slice(6).map((s) => s.id);
      fn.securityGroupIds = f.routeOut === "outside" ? [] : ["sg-0a1b2c3d4e5f00f0c"];
      table.routes =
        f.routeOut === "nat"
          ? [...local, { destination: "0.0.0.0/0", target: "nat-0a1b2c3d4e5f60718" }]
          : f.routeOut === "igw"
            ? [...local, { destination: "0.0.0.0/0", target: "igw-0a1b2c3d4e5f60718" }]
            : local;
    }
    if (f.schedule === false) fn.scheduleRule = undefined;
    if (f.scheduleEnabled !== undefined && fn.scheduleRule !== undefined)
      fn.scheduleRule.state = f.scheduleEnabled ? "ENABLED" : "DISABLED";
    if (f.deniedActions !== undefined) fn.deniedActions = [...f.deniedActions];
    if (f.recentErrors !== undefined) fn.recentErrors = [...f.recentErrors];
  }

  /** The target group's settings (the defaults for a group the network does not know). */
  settingsOf(arn: string): TargetGroupSettings {
    return this.groupSettings.get(arn) ?? defaultGroupSettings();
  }

  /** ARNs of the load balancers with a listener forwarding to the target group. */
  loadBalancerArnsOf(targetGroupArn: string): string[] {
    return [
      ...new Set(this.listeners.filter((l) => l.forwardTo === targetGroupArn).map((l) => l.loadBalancerArn)),
    ];
  }

  /** The availability zone of an ALB IP (the ALB subnet that holds it), or undefined. */
  zoneOfIp(ip: string): string | undefined {
    const i = this.albSubnetCidrs.findIndex((c) => cidrContains(c, ip));
    return i < 0 ? undefined : this.subnets[i]?.availabilityZone;
  }

  /**
   * The NLB's verdict on a target of `targetGroupArn` when the wiring decides it (see the file comment), else
   * undefined (the ELBv2 model's own state machine decides).
   */
  probe(targetGroupArn: string, ip: string, port: number): HealthOverride | undefined {
    const forwarding = this.listeners.filter((l) => l.forwardTo === targetGroupArn);
    const nlbs = this.nlbs.filter((lb) => forwarding.some((l) => l.loadBalancerArn === lb.arn));
    if (nlbs.length === 0) {
      return {
        state: "unused",
        reason: "Target.NotInUse",
        description: "Target group is not configured to receive traffic from the load balancer",
      };
    }
    const nlb = nlbs[0]!;
    const zone = this.zoneOfIp(ip);
    const nlbZones = this.subnets.filter((s) => nlb.subnetIds.includes(s.id)).map((s) => s.availabilityZone);
    const crossZone = nlb.attributes["load_balancing.cross_zone.enabled"] === "true";
    if (zone !== undefined && !nlbZones.includes(zone) && !crossZone) {
      return {
        state: "unused",
        reason: "Target.NotInUse",
        description: "Target is in an Availability Zone that is not enabled for the load balancer",
      };
    }
    const check = this.settingsOf(targetGroupArn).healthCheck;
    const checkPort = check.port === "traffic-port" ? port : Number(check.port);
    if (!this.albAdmits(nlb, checkPort) || !this.albListens(checkPort)) {
      return { state: "unhealthy", reason: "Target.FailedHealthChecks", description: "Health checks failed" };
    }
    return undefined;
  }

  /** Whether the ALB's security groups admit every node of `nlb` on `port`. */
  albAdmits(nlb: LoadBalancerSpec, port: number): boolean {
    const rules = this.securityGroups
      .filter((g) => this.alb.securityGroupIds.includes(g.id))
      .flatMap((g) => g.ingress)
      .filter((r) => r.protocol === "-1" || (r.protocol === "tcp" && r.fromPort <= port && port <= r.toPort));
    if (
      nlb.securityGroupIds.length > 0 &&
      rules.some((r) => r.groups.some((g) => nlb.securityGroupIds.includes(g)))
    )
      return true;
    const sources = this.subnets.filter((s) => nlb.subnetIds.includes(s.id)).map((s) => parseCidr(s.cidr));
    return sources.every((source) =>
      rules.some((r) =>
        r.cidrs.some((text) => {
          const cidr = parseCidrLoose(text);
          return (
            cidr !== undefined &&
            cidr.prefix <= source.prefix &&
            cidrContains(cidr, intToIp(source.base)) &&
            cidrContains(cidr, intToIp((source.base + source.size - 1) >>> 0))
          );
        }),
      ),
    );
  }

  private albListens(port: number): boolean {
    return this.listeners.some((l) => l.loadBalancerArn === this.alb.arn && l.port === port);
  }
}

function defaultGroupSettings(): TargetGroupSettings {
  return {
    protocol: "TCP",
    targetType: "ip",
    healthCheck: {
      enabled: true,
      protocol: "TCP",
      port: "traffic-port",
      path: undefined,
      matcher: undefined,
      intervalSeconds: 10,
      timeoutSeconds: 10,
      healthyThreshold: 3,
      unhealthyThreshold: 3,
    },
    attributes: {
      "deregistration_delay.timeout_seconds": "300",
      "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
      "preserve_client_ip.enabled": "false",
    },
  };
}

/** Any IPv4 CIDR (/0 to /32), or undefined. */
function parseCidrLoose(text: string): Cidr | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const value = m[1]!.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
  return { text, base: (value - (value % size)) >>> 0, prefix, size };
}

function checkChange(input: unknown): NetworkChange {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new SimInputError(`POST /network takes an object of changes; got ${JSON.stringify(input)}`);
  const known = [
    "nlbZones",
    "nlbCrossZone",
    "nlbSecurityGroup",
    "albIngress",
    "albListenerPorts",
    "nlbListeners",
    "albIdleTimeoutSeconds",
    "albIpAddressType",
    "targetGroup",
    "function",
  ];
  const unknown = Object.keys(input).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new SimInputError(
      `POST /network: unknown key(s) ${unknown.join(", ")}; known: ${known.join(", ")}`,
    );
  const c = input as NetworkChange;
  if (c.nlbZones !== undefined && (!Array.isArray(c.nlbZones) || c.nlbZones.length === 0))
    throw new SimInputError("nlbZones must list at least one zone (a, b, c)");
  if (c.albIngress !== undefined && !Array.isArray(c.albIngress))
    throw new SimInputError("albIngress must be a list of { protocol, fromPort, toPort, cidrs, groups }");
  for (const rule of c.albIngress ?? []) {
    rule.cidrs ??= [];
    rule.groups ??= [];
  }
  return c;
}
