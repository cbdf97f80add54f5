/**
 * The reads `doctor` and `status` make beyond the function's adapters: load balancers, listeners, attributes,
 * target groups with their health checks, target health with reason codes, security groups, subnets, route
 * tables, the deployed function, its schedule rule, its recent errors, its role's permissions and the
 * function's own metrics. Adapters: each translates one API's answer into a plain shape and decides nothing.
 */
import { GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type LoadBalancer,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeRuleCommand, ListRuleNamesByTargetCommand } from "@aws-sdk/client-eventbridge";
import { SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { HeadBucketCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import type { ReadOnlyClients } from "./clients.js";

export type { LoadBalancer, TargetGroup };

/** Every load balancer of the account and region (all pages). */
export async function describeLoadBalancers(clients: ReadOnlyClients): Promise<LoadBalancer[]> {
  const all: LoadBalancer[] = [];
  let marker: string | undefined;
  do {
    const out = await clients.elbv2.send(new DescribeLoadBalancersCommand({ Marker: marker, PageSize: 400 }));
    all.push(...(out.LoadBalancers ?? []));
    marker = out.NextMarker;
  } while (marker);
  return all;
}

export interface ListenerView {
  arn: string;
  port: number | undefined;
  protocol: string | undefined;
  /** Target groups the default actions forward to. */
  forwardsTo: string[];
}

/** The listeners of one load balancer. */
export async function describeListeners(
  clients: ReadOnlyClients,
  loadBalancerArn: string,
): Promise<ListenerView[]> {
  const out = await clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
  return (out.Listeners ?? []).map((l) => ({
    arn: l.ListenerArn ?? "",
    port: l.Port,
    protocol: l.Protocol,
    forwardsTo: [
      ...new Set(
        (l.DefaultActions ?? []).flatMap((a) => [
          ...(a.TargetGroupArn ? [a.TargetGroupArn] : []),
          ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn ?? "").filter((t) => t !== ""),
        ]),
      ),
    ],
  }));
}

/** A load balancer's attributes as a key → value map. */
export async function loadBalancerAttributes(
  clients: ReadOnlyClients,
  arn: string,
): Promise<Record<string, string>> {
  const out = await clients.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }));
  return Object.fromEntries((out.Attributes ?? []).map((a) => [a.Key ?? "", a.Value ?? ""]));
}

/** A target group's attributes as a key → value map. */
export async function targetGroupAttributes(
  clients: ReadOnlyClients,
  arn: string,
): Promise<Record<string, string>> {
  const out = await clients.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
  return Object.fromEntries((out.Attributes ?? []).map((a) => [a.Key ?? "", a.Value ?? ""]));
}

/** The target groups (one call per 20 ARNs); an unknown ARN fails the call (TargetGroupNotFound). */
export async function describeTargetGroups(
  clients: ReadOnlyClients,
  arns: readonly string[],
): Promise<TargetGroup[]> {
  const out: TargetGroup[] = [];
  for (let i = 0; i < arns.length; i += 20) {
    const page = await clients.elbv2.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: arns.slice(i, i + 20) }),
    );
    out.push(...(page.TargetGroups ?? []));
  }
  return out;
}

export interface TargetHealthView {
  ip: string;
  port: number | undefined;
  availabilityZone: string | undefined;
  state: string;
  reason: string | undefined;
  description: string | undefined;
}

/** Every target of a group with the NLB's health state, reason code and description. */
export async function describeTargetHealth(
  clients: ReadOnlyClients,
  arn: string,
): Promise<TargetHealthView[]> {
  const out = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (out.TargetHealthDescriptions ?? []).map((d) => ({
    ip: d.Target?.Id ?? "",
    port: d.Target?.Port,
    availabilityZone: d.Target?.AvailabilityZone,
    state: d.TargetHealth?.State ?? "unavailable",
    reason: d.TargetHealth?.Reason,
    description: d.TargetHealth?.Description,
  }));
}

export interface IngressRuleView {
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  cidrs: string[];
  groups: string[];
}

export interface SecurityGroupView {
  id: string;
  name: string | undefined;
  ingress: IngressRuleView[];
}

/** Security groups by id, with their ingress rules. */
export async function describeSecurityGroups(
  clients: ReadOnlyClients,
  ids: readonly string[],
): Promise<SecurityGroupView[]> {
  if (ids.length === 0) return [];
  const out = await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...ids] }));
  return (out.SecurityGroups ?? []).map((g) => ({
    id: g.GroupId ?? "",
    name: g.GroupName,
    ingress: (g.IpPermissions ?? []).map((p) => ({
      protocol: p.IpProtocol ?? "",
      fromPort: p.FromPort,
      toPort: p.ToPort,
      cidrs: (p.IpRanges ?? []).map((r) => r.CidrIp ?? "").filter((c) => c !== ""),
      groups: (p.UserIdGroupPairs ?? []).map((r) => r.GroupId ?? "").filter((c) => c !== ""),
    })),
  }));
}

export interface SubnetView {
  id: string;
  cidr: string | undefined;
  availabilityZone: string | undefined;
  vpcId: string | undefined;
}

/** Subnets by id. */
export async function describeSubnets(
  clients: ReadOnlyClients,
  ids: readonly string[],
): Promise<SubnetView[]> {
  if (ids.length === 0) return [];
  const out = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...ids] }));
  return (out.Subnets ?? []).map((s) => ({
    id: s.SubnetId ?? "",
    cidr: s.CidrBlock,
    availabilityZone: s.AvailabilityZone,
    vpcId: s.VpcId,
  }));
}

export interface RouteTableView {
  id: string;
  main: boolean;
  subnetIds: string[];
  /** `destination → target` of each route; the target is a gateway, NAT gateway, interface or peering id. */
  routes: Array<{ destination: string; target: string }>;
}

/** The route tables of a VPC. */
export async function describeRouteTables(
  clients: ReadOnlyClients,
  vpcId: string,
): Promise<RouteTableView[]> {
  const out = await clients.ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
  );
  return (out.RouteTables ?? []).map((t) => ({
    id: t.RouteTableId ?? "",
    main: (t.Associations ?? []).some((a) => a.Main === true),
    subnetIds: (t.Associations ?? []).map((a) => a.SubnetId ?? "").filter((s) => s !== ""),
    routes: (t.Routes ?? []).map((r) => ({
      destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? "",
      target:
        r.NatGatewayId ??
        r.TransitGatewayId ??
        r.NetworkInterfaceId ??
        r.VpcPeeringConnectionId ??
        r.GatewayId ??
        r.InstanceId ??
        "",
    })),
  }));
}

export interface FunctionView {
  name: string;
  arn: string;
  roleArn: string | undefined;
  environment: Record<string, string>;
  vpc: { vpcId: string; subnetIds: string[] } | undefined;
  state: string | undefined;
  lastUpdateStatus: string | undefined;
  /** Where Lambda writes its logs, and CloudWatch Logs reads its EMF metrics from. */
  logGroup: string;
}

/** The deployed function's configuration (GetFunctionConfiguration). */
export async function getFunction(clients: ReadOnlyClients, name: string): Promise<FunctionView> {
  const out = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  const subnets = out.VpcConfig?.SubnetIds ?? [];
  return {
    name: out.FunctionName ?? name,
    arn: out.FunctionArn ?? "",
    roleArn: out.Role,
    environment: { ...(out.Environment?.Variables ?? {}) },
    vpc:
      subnets.length > 0 && out.VpcConfig?.VpcId
        ? { vpcId: out.VpcConfig.VpcId, subnetIds: subnets }
        : undefined,
    state: out.State,
    lastUpdateStatus: out.LastUpdateStatus,
    logGroup: out.LoggingConfig?.LogGroup ?? `/aws/lambda/${out.FunctionName ?? name}`,
  };
}

/** The EventBridge rules that target the function, with their state and schedule. */
export async function scheduleRules(
  clients: ReadOnlyClients,
  functionArn: string,
): Promise<Array<{ name: string; state: string | undefined; schedule: string | undefined }>> {
  const names = await clients.events.send(new ListRuleNamesByTargetCommand({ TargetArn: functionArn }));
  return Promise.all(
    (names.RuleNames ?? []).map(async (name) => {
      const rule = await clients.events.send(new DescribeRuleCommand({ Name: name }));
      return { name, state: rule.State, schedule: rule.ScheduleExpression };
    }),
  );
}

/**
 * One statistic of a metric per `periodSeconds` over the last `minutes`, newest first.
 *
 * @example
 * await metricSeries(clients, { namespace: "AWS/Lambda", name: "Errors", dimensions: { FunctionName: "f" }, statistic: "Sum" }, 60);
 */
export async function metricSeries(
  clients: ReadOnlyClients,
  metric: {
    namespace: string;
    name: string;
    dimensions: Record<string, string>;
    statistic: "Sum" | "Maximum";
  },
  minutes: number,
  periodSeconds = 60,
): Promise<Array<{ at: Date; value: number }>> {
  const end = new Date();
  const out = await clients.cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: metric.namespace,
      MetricName: metric.name,
      Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
      StartTime: new Date(end.getTime() - minutes * 60_000),
      EndTime: end,
      Period: periodSeconds,
      Statistics: [metric.statistic],
    }),
  );
  return (out.Datapoints ?? [])
    .map((d) => ({
      at: d.Timestamp ?? new Date(0),
      value: (metric.statistic === "Sum" ? d.Sum : d.Maximum) ?? 0,
    }))
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** IAM policy simulation of the role: per action and resource, the decision (`allowed`, `implicitDeny`, …). */
export async function simulateRole(
  clients: ReadOnlyClients,
  roleArn: string,
  checks: ReadonlyArray<{ action: string; resources: readonly string[] }>,
): Promise<Array<{ action: string; resource: string; decision: string }>> {
  const results: Array<{ action: string; resource: string; decision: string }> = [];
  for (const check of checks) {
    let marker: string | undefined;
    do {
      const out = await clients.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: roleArn,
          ActionNames: [check.action],
          ResourceArns: [...check.resources],
          Marker: marker,
        }),
      );
      for (const r of out.EvaluationResults ?? []) {
        results.push({
          action: r.EvalActionName ?? check.action,
          resource: r.EvalResourceName ?? "*",
          decision: r.EvalDecision ?? "unknown",
        });
      }
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
  }
  return results;
}

/** HeadBucket: resolves when the bucket exists and the caller may see it. */
export async function headBucket(clients: ReadOnlyClients, bucket: string): Promise<void> {
  await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
}

/** When the state object was last written (HeadObject), or undefined when there is none. */
export async function stateWrittenAt(
  clients: ReadOnlyClients,
  bucket: string,
  key: string,
): Promise<Date | undefined> {
  try {
    const out = await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return out.LastModified;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "NotFound" || name === "NoSuchKey") return undefined;
    throw error;
  }
}
