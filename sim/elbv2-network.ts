/**
 * The ELBv2 reads of the network around the target groups (`sim/network.ts`), in the awsQuery shapes of the
 * 2015-12-01 API: DescribeLoadBalancers, DescribeListeners, DescribeLoadBalancerAttributes,
 * DescribeTargetGroupAttributes, and the network's part of DescribeTargetGroups (protocol, target type, health
 * check, the load balancers that forward to the group). `sim/elbv2.ts` dispatches to these.
 */
import { SimApiError } from "./api-error.js";
import type { TargetGroupSpec } from "./elbv2-model.js";
import type { LoadBalancerSpec, NetworkModel } from "./network.js";
import { memberValues, requireParam } from "./query.js";
import { escapeXml, leaf, memberList, node } from "./xml.js";

/** What `sim/elbv2.ts` takes from the network. */
export interface Elbv2Network {
  /** Extra read actions by name; each returns the inner XML of `<Action>Result`. */
  actions: Readonly<Record<string, (params: URLSearchParams) => string>>;
  /** A target group as DescribeTargetGroups shows it. */
  renderGroup(spec: TargetGroupSpec): string;
}

/**
 * The ELBv2 view of a network model.
 *
 * @example
 * elbv2Handler(ctx, model, elbv2Network(network));
 */
export function elbv2Network(network: NetworkModel): Elbv2Network {
  const lbByArn = (arn: string): LoadBalancerSpec => {
    const lb = network.loadBalancers.find((l) => l.arn === arn);
    if (lb === undefined) throw new SimApiError("LoadBalancerNotFound", `Load balancers '${arn}' not found`);
    return lb;
  };
  const attributes = (values: Record<string, string>) =>
    memberList(
      "Attributes",
      Object.entries(values).map(([key, value]) => leaf("Key", key) + leaf("Value", value)),
    );

  return {
    actions: {
      DescribeLoadBalancers: (params) => {
        const arns = memberValues(params, "LoadBalancerArns");
        const names = memberValues(params, "Names");
        const lbs =
          arns.length > 0
            ? arns.map(lbByArn)
            : names.length > 0
              ? names.map((name) => {
                  const lb = network.loadBalancers.find((l) => l.name === name);
                  if (lb === undefined)
                    throw new SimApiError("LoadBalancerNotFound", `Load balancers '[${name}]' not found`);
                  return lb;
                })
              : network.loadBalancers;
        return memberList(
          "LoadBalancers",
          lbs.map((lb) => renderLoadBalancer(network, lb)),
        );
      },
      DescribeListeners: (params) => {
        const lbArn = params.get("LoadBalancerArn");
        const arns = memberValues(params, "ListenerArns");
        if (lbArn === null && arns.length === 0)
          throw new SimApiError(
            "ValidationError",
            "You must specify either listener ARNs or a load balancer ARN",
          );
        if (lbArn !== null) lbByArn(lbArn);
        const listeners = network.listeners.filter((l) =>
          lbArn !== null ? l.loadBalancerArn === lbArn : arns.includes(l.arn),
        );
        return memberList(
          "Listeners",
          listeners.map((l) =>
            [
              leaf("ListenerArn", l.arn),
              leaf("LoadBalancerArn", l.loadBalancerArn),
              leaf("Port", l.port),
              leaf("Protocol", l.protocol),
              memberList("DefaultActions", [
                l.forwardTo === undefined
                  ? leaf("Type", "fixed-response") +
                    leaf("Order", 1) +
                    node("FixedResponseConfig", leaf("StatusCode", "404"), leaf("ContentType", "text/plain"))
                  : leaf("Type", "forward") +
                    leaf("TargetGroupArn", l.forwardTo) +
                    leaf("Order", 1) +
                    node(
                      "ForwardConfig",
                      memberList("TargetGroups", [leaf("TargetGroupArn", l.forwardTo) + leaf("Weight", 1)]),
                    ),
              ]),
            ].join(""),
          ),
        );
      },
      DescribeLoadBalancerAttributes: (params) =>
        attributes(lbByArn(requireParam(params, "LoadBalancerArn")).attributes),
      DescribeTargetGroupAttributes: (params) => {
        const arn = requireParam(params, "TargetGroupArn");
        if (!network.groupSettings.has(arn))
          throw new SimApiError("TargetGroupNotFound", `Target groups '${arn}' not found`);
        return attributes(network.settingsOf(arn).attributes);
      },
    },
    renderGroup(spec) {
      const s = network.settingsOf(spec.arn);
      const check = s.healthCheck;
      return [
        leaf("TargetGroupArn", spec.arn),
        leaf("TargetGroupName", spec.name),
        leaf("Protocol", s.protocol),
        leaf("Port", spec.port),
        leaf("VpcId", spec.vpcId),
        leaf("HealthCheckProtocol", check.protocol),
        leaf("HealthCheckPort", check.port),
        leaf("HealthCheckEnabled", check.enabled),
        leaf("HealthCheckIntervalSeconds", check.intervalSeconds),
        leaf("HealthCheckTimeoutSeconds", check.timeoutSeconds),
        leaf("HealthyThresholdCount", check.healthyThreshold),
        leaf("UnhealthyThresholdCount", check.unhealthyThreshold),
        leaf("HealthCheckPath", check.path),
        check.matcher === undefined ? "" : node("Matcher", leaf("HttpCode", check.matcher)),
        memberList("LoadBalancerArns", network.loadBalancerArnsOf(spec.arn).map(escapeXml)),
        leaf("TargetType", s.targetType),
        leaf("IpAddressType", spec.ipAddressType ?? "ipv4"),
      ].join("");
    },
  };
}

function renderLoadBalancer(network: NetworkModel, lb: LoadBalancerSpec): string {
  const zones = network.subnets
    .filter((s) => lb.subnetIds.includes(s.id))
    .map(
      (s) => leaf("ZoneName", s.availabilityZone) + leaf("SubnetId", s.id) + node("LoadBalancerAddresses"),
    );
  return [
    leaf("LoadBalancerArn", lb.arn),
    leaf("DNSName", lb.dnsName),
    leaf("CanonicalHostedZoneId", lb.type === "network" ? "Z26RNL4JYFTOTI" : "Z35SXDOTRQ7X7K"),
    leaf("CreatedTime", "2026-01-01T00:00:00.000Z"),
    leaf("LoadBalancerName", lb.name),
    leaf("Scheme", lb.scheme),
    leaf("VpcId", lb.vpcId),
    node("State", leaf("Code", "active")),
    leaf("Type", lb.type),
    memberList("AvailabilityZones", zones),
    memberList("SecurityGroups", lb.securityGroupIds.map(escapeXml)),
    leaf("IpAddressType", lb.ipAddressType),
  ].join("");
}
