/**
 * The EC2 reads of the network (`sim/network.ts`) in the EC2 query shapes (`Version=2016-11-15`):
 * DescribeSecurityGroups (`GroupId.N`, filters `group-id`, `vpc-id`), DescribeSubnets (`SubnetId.N`, filters
 * `subnet-id`, `vpc-id`, `availability-zone`), DescribeRouteTables (filters `association.subnet-id`,
 * `association.main`, `vpc-id`, `route-table-id`). `sim/ec2.ts` dispatches to these.
 */
import { SimApiError } from "./api-error.js";
import type { NetworkModel } from "./network.js";
import { leaf, node } from "./xml.js";

type Fields = Record<string, (item: never) => string[]>;

function filtersOf(params: URLSearchParams): Array<{ name: string; values: string[] }> {
  const filters = new Map<number, { name: string; values: string[] }>();
  for (const [key, value] of params) {
    const m = /^Filter\.(\d+)\.(Name|Value\.\d+)$/.exec(key);
    if (!m) continue;
    const f = filters.get(Number(m[1])) ?? { name: "", values: [] };
    if (m[2] === "Name") f.name = value;
    else f.values.push(value);
    filters.set(Number(m[1]), f);
  }
  return [...filters.values()];
}

function select<T>(
  params: URLSearchParams,
  items: readonly T[],
  fields: Fields,
  idParam: string,
  id: (t: T) => string,
  notFound: string,
): T[] {
  const ids = [...params].filter(([k]) => new RegExp(`^${idParam}\\.\\d+$`).test(k)).map(([, v]) => v);
  for (const wanted of ids) {
    if (!items.some((t) => id(t) === wanted))
      throw new SimApiError(notFound, `The ID '${wanted}' does not exist`);
  }
  const filters = filtersOf(params);
  for (const f of filters) {
    if (fields[f.name] === undefined)
      throw new SimApiError("InvalidParameterValue", `The filter '${f.name}' is invalid`);
  }
  return items.filter(
    (t) =>
      (ids.length === 0 || ids.includes(id(t))) &&
      filters.every((f) => (fields[f.name] as (item: T) => string[])(t).some((v) => f.values.includes(v))),
  );
}

/**
 * The EC2 actions of a network model.
 *
 * @example
 * ec2Handler(ctx, enis, { ...options, actions: ec2NetworkActions(network) });
 */
export function ec2NetworkActions(
  network: NetworkModel,
  ownerId: string,
): Record<string, (params: URLSearchParams) => string> {
  return {
    DescribeSecurityGroups: (params) => {
      const groups = select(
        params,
        network.securityGroups,
        { "group-id": (g: { id: string }) => [g.id], "vpc-id": (g: { vpcId: string }) => [g.vpcId] },
        "GroupId",
        (g) => g.id,
        "InvalidGroup.NotFound",
      );
      return node(
        "securityGroupInfo",
        ...groups.map((g) =>
          node(
            "item",
            leaf("ownerId", ownerId),
            leaf("groupId", g.id),
            leaf("groupName", g.name),
            leaf("groupDescription", g.name),
            leaf("vpcId", g.vpcId),
            node(
              "ipPermissions",
              ...g.ingress.map((r) =>
                node(
                  "item",
                  leaf("ipProtocol", r.protocol),
                  r.protocol === "-1" ? "" : leaf("fromPort", r.fromPort),
                  r.protocol === "-1" ? "" : leaf("toPort", r.toPort),
                  node(
                    "groups",
                    ...r.groups.map((id) => node("item", leaf("userId", ownerId), leaf("groupId", id))),
                  ),
                  node("ipRanges", ...r.cidrs.map((c) => node("item", leaf("cidrIp", c)))),
                  node("ipv6Ranges"),
                  node("prefixListIds"),
                ),
              ),
            ),
            node(
              "ipPermissionsEgress",
              node(
                "item",
                leaf("ipProtocol", "-1"),
                node("ipRanges", node("item", leaf("cidrIp", "0.0.0.0/0"))),
              ),
            ),
          ),
        ),
      );
    },
    DescribeSubnets: (params) => {
      const subnets = select(
        params,
        network.subnets,
        {
          "subnet-id": (s: { id: string }) => [s.id],
          "vpc-id": (s: { vpcId: string }) => [s.vpcId],
          "availability-zone": (s: { availabilityZone: string }) => [s.availabilityZone],
        },
        "SubnetId",
        (s) => s.id,
        "InvalidSubnetID.NotFound",
      );
      return node(
        "subnetSet",
        ...subnets.map((s) =>
          node(
            "item",
            leaf("subnetId", s.id),
            leaf("state", "available"),
            leaf("vpcId", s.vpcId),
            leaf("cidrBlock", s.cidr),
            leaf("availableIpAddressCount", 250),
            leaf("availabilityZone", s.availabilityZone),
            leaf("defaultForAz", false),
            leaf("mapPublicIpOnLaunch", false),
            leaf("ownerId", ownerId),
          ),
        ),
      );
    },
    DescribeRouteTables: (params) => {
      const tables = select(
        params,
        network.routeTables,
        {
          "association.subnet-id": (t: { subnetIds: string[] }) => t.subnetIds,
          "association.main": (t: { main: boolean }) => [String(t.main)],
          "vpc-id": (t: { vpcId: string }) => [t.vpcId],
          "route-table-id": (t: { id: string }) => [t.id],
        },
        "RouteTableId",
        (t) => t.id,
        "InvalidRouteTableID.NotFound",
      );
      return node(
        "routeTableSet",
        ...tables.map((t) =>
          node(
            "item",
            leaf("routeTableId", t.id),
            leaf("vpcId", t.vpcId),
            leaf("ownerId", ownerId),
            node(
              "routeSet",
              ...t.routes.map((r) =>
                node(
                  "item",
                  leaf("destinationCidrBlock", r.destination),
                  r.target.startsWith("nat-") ? leaf("natGatewayId", r.target) : leaf("gatewayId", r.target),
                  leaf("state", "active"),
                  leaf("origin", r.target === "local" ? "CreateRouteTable" : "CreateRoute"),
                ),
              ),
            ),
            node(
              "associationSet",
              ...(t.main
                ? [
                    node(
                      "item",
                      leaf("routeTableAssociationId", `rtbassoc-${t.id.slice(4)}`),
                      leaf("routeTableId", t.id),
                      leaf("main", true),
                      node("associationState", leaf("state", "associated")),
                    ),
                  ]
                : []),
              ...t.subnetIds.map((id) =>
                node(
                  "item",
                  leaf("routeTableAssociationId", `rtbassoc-${id.slice(7)}`),
                  leaf("routeTableId", t.id),
                  leaf("subnetId", id),
                  leaf("main", false),
                  node("associationState", leaf("state", "associated")),
                ),
              ),
            ),
          ),
        ),
      );
    },
  };
}
