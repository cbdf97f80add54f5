/**
 * Where the observation comes from: DISCOVERY_MODE's companions ALB_ARN, ALB_VPC_ID, ALB_ROLE_ARN and
 * ALB_ROLE_EXTERNAL_ID. Its own small schema, imported by `load.ts`; the problems it finds join the one
 * ConfigError that lists every problem of the environment. How ENI mode works: docs/how-it-works.md, "ENI discovery".
 */
import { PARTITIONS, partitionOf, REGION_PATTERN } from "./rules.js";

/** Shape of ALB_ARN (RE2-compatible, shared with the Terraform module's validation). */
export const ALB_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):elasticloadbalancing:([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}):([0-9]{12}):loadbalancer\\/app\\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?)\\/([0-9a-f]{16})$`,
);
/** Shape of ALB_VPC_ID. */
export const VPC_ID_PATTERN = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** Shape of ALB_ROLE_ARN: an IAM role, any path. */
export const ROLE_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):iam::([0-9]{12}):role\\/(?:[\\x21-\\x7e]{1,510}\\/)?[A-Za-z0-9+=,.@_-]{1,64}$`,
);
/** Shape of ALB_ROLE_EXTERNAL_ID (what STS accepts: 2–1224 characters of `[\w+=,.@:/-]`). */
export const EXTERNAL_ID_PATTERN = /^[A-Za-z0-9_+=,.@:/-]{2,1224}$/;

/** The ALB named by ALB_ARN. */
export interface AlbIdentity {
  arn: string;
  partition: string;
  region: string;
  account: string;
  name: string;
  id: string;
  /** The description ELB gives the ALB's network interfaces: `ELB app/<name>/<id>`. */
  interfaceDescription: string;
}

/** What the variables become. */
export interface DiscoveryConfig {
  /** ALB_ARN; required in `eni` mode, optional in `dns` mode (then it lets events be attributed to the ALB). */
  alb: AlbIdentity | undefined;
  /** ALB_VPC_ID; undefined: derived from the first lookup of the container (docs/how-it-works.md, "ENI discovery"). */
  vpcId: string | undefined;
  /** ALB_ROLE_ARN: assumed for the ENI lookup (the ALB in another account). */
  roleArn: string | undefined;
  /** ALB_ROLE_EXTERNAL_ID: passed to AssumeRole. */
  roleExternalId: string | undefined;
}

/** Stable snake_case codes of the problems, shown in the ConfigError line. */
export type DiscoveryProblemCode =
  | "alb_arn_invalid"
  | "alb_arn_required"
  | "alb_vpc_id_invalid"
  | "alb_role_arn_invalid"
  | "alb_role_external_id_invalid"
  | "alb_role_external_id_without_role"
  | "eni_setting_in_dns_mode";

export type DiscoveryVariable = "ALB_ARN" | "ALB_VPC_ID" | "ALB_ROLE_ARN" | "ALB_ROLE_EXTERNAL_ID";

/** One problem, for `load.ts` to report with the value and what is expected. */
export interface DiscoveryProblem {
  variable: DiscoveryVariable;
  code: DiscoveryProblemCode;
  detail: string;
}

/** What is expected of each variable, shown with every problem. */
export const DISCOVERY_EXPECTED = Object.freeze({
  ALB_ARN:
    "the ALB's ARN, arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<16 hex digits> (required when DISCOVERY_MODE=eni)",
  ALB_VPC_ID:
    "the ALB's VPC id, vpc- and 8 or 17 hex digits (optional; without it the VPC is taken from the first lookup)",
  ALB_ROLE_ARN:
    "an IAM role ARN, arn:aws:iam::<account>:role/<name>, that the function assumes for the ENI lookup (the ALB in another account)",
  ALB_ROLE_EXTERNAL_ID:
    "the external id the role's trust policy requires: 2–1224 characters of A-Z a-z 0-9 _+=,.@:/-",
} as const);

/** Shows an ARN field only when it is short and plain. */
function plain(token: string | undefined): string {
  return token !== undefined && /^[a-z0-9-]{1,40}$/.test(token) ? `"${token}"` : "another";
}

/** Checks ALB_ARN; returns a problem phrased for the user, or undefined. */
export function albArnProblem(arn: string): string | undefined {
  const parts = arn.split(":");
  const [prefix, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(":");
  if (prefix !== "arn" || parts.length < 6)
    return "this is not an ARN; it must start with arn: and have 6 fields";
  if (service !== "elasticloadbalancing")
    return `this is an ARN of the ${plain(service)} service, not of a load balancer`;
  if (resource.startsWith("targetgroup/"))
    return "this is a target group ARN; give the ALB's ARN (…:loadbalancer/app/…)";
  if (resource.startsWith("loadbalancer/net/")) {
    return "this is a Network Load Balancer; give the Application Load Balancer's ARN (…:loadbalancer/app/…)";
  }
  if (resource.startsWith("listener"))
    return "this is a listener ARN; give the ALB's ARN (…:loadbalancer/app/…)";
  if (!PARTITIONS.some((p) => p === partition))
    return `the partition must be one of ${PARTITIONS.join(", ")}`;
  if (!REGION_PATTERN.test(region ?? "")) return "the region field (4th) must be a region such as us-east-1";
  if (!/^[0-9]{12}$/.test(account ?? "")) return "the account field (5th) must be 12 digits";
  if (!ALB_ARN_PATTERN.test(arn)) {
    return "the resource must be loadbalancer/app/<name of 1–32 letters, digits, hyphens>/<16 lowercase hex digits>";
  }
  const expected = partitionOf(region ?? "");
  if (expected !== partition)
    return `region ${region} belongs to partition ${expected}, but the ARN says ${partition}`;
  return undefined;
}

/** The ALB of a valid ALB_ARN. */
export function albIdentity(arn: string): AlbIdentity {
  const m = ALB_ARN_PATTERN.exec(arn);
  if (m === null) throw new Error(`not an ALB ARN: ${arn}`);
  const [, partition, region, account, name, id] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { arn, partition, region, account, name, id, interfaceDescription: `ELB app/${name}/${id}` };
}

/**
 * Validates the four variables for `mode` (values as given, untrimmed). Returns the parsed value, or the
 * problems (all of them, each with a stable code) and no value.
 *
 * @example
 * readDiscoveryConfig({ ALB_ARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef" }, "eni");
 * // { value: { alb: { name: "web", interfaceDescription: "ELB app/web/0123456789abcdef", … }, vpcId: undefined, … }, problems: [] }
 */
export function readDiscoveryConfig(
  env: Readonly<Record<string, string | undefined>>,
  mode: "dns" | "eni" | undefined,
): { value: DiscoveryConfig | undefined; problems: DiscoveryProblem[] } {
  const problems: DiscoveryProblem[] = [];
  const add = (variable: DiscoveryVariable, code: DiscoveryProblemCode, detail: string) =>
    problems.push({ variable, code, detail });
  const text = (name: DiscoveryVariable): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };

  const arnText = text("ALB_ARN");
  let alb: AlbIdentity | undefined;
  if (arnText === undefined) {
    if (mode === "eni") {
      add(
        "ALB_ARN",
        "alb_arn_required",
        "DISCOVERY_MODE=eni finds the ALB's interfaces by the name and id in its ARN",
      );
    }
  } else {
    const problem = albArnProblem(arnText);
    if (problem === undefined) alb = albIdentity(arnText);
    else add("ALB_ARN", "alb_arn_invalid", problem);
  }

  const vpcId = text("ALB_VPC_ID");
  if (vpcId !== undefined && !VPC_ID_PATTERN.test(vpcId)) {
    add("ALB_VPC_ID", "alb_vpc_id_invalid", "not a VPC id");
  }

  const roleArn = text("ALB_ROLE_ARN");
  if (roleArn !== undefined) {
    if (!ROLE_ARN_PATTERN.test(roleArn)) {
      add(
        "ALB_ROLE_ARN",
        "alb_role_arn_invalid",
        "not an IAM role ARN (arn:<partition>:iam::<12 digits>:role/<name>)",
      );
    } else if (alb !== undefined && roleArn.split(":")[1] !== alb.partition) {
      add(
        "ALB_ROLE_ARN",
        "alb_role_arn_invalid",
        `the role is in partition ${roleArn.split(":")[1]} but the ALB in ${alb.partition}; roles cannot be assumed across partitions`,
      );
    }
  }

  const externalId = text("ALB_ROLE_EXTERNAL_ID");
  if (externalId !== undefined) {
    if (!EXTERNAL_ID_PATTERN.test(externalId)) {
      add("ALB_ROLE_EXTERNAL_ID", "alb_role_external_id_invalid", "STS would reject it");
    } else if (roleArn === undefined) {
      add(
        "ALB_ROLE_EXTERNAL_ID",
        "alb_role_external_id_without_role",
        "it is only used with ALB_ROLE_ARN; set that too, or unset this",
      );
    }
  }

  if (mode === "dns") {
    for (const name of ["ALB_VPC_ID", "ALB_ROLE_ARN"] as const) {
      if (text(name) !== undefined) {
        add(
          name,
          "eni_setting_in_dns_mode",
          "it is only used when DISCOVERY_MODE=eni; set that, or unset this",
        );
      }
    }
  }

  if (problems.length > 0) return { value: undefined, problems };
  return { value: Object.freeze({ alb, vpcId, roleArn, roleExternalId: externalId }), problems };
}
