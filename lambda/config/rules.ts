/**
 * Shape rules of the configuration values (DNS names, bucket names, ARNs, key prefixes,
 * namespaces). Each check returns a problem phrased for the user, or undefined. The patterns are
 * RE2-compatible so the infrastructure can use them in Terraform `validation` blocks.
 */
import { isIPv4, isIPv6 } from "node:net";

/** Partitions accepted in NLB_TG_ARN (and in the module's ARN inputs). */
export const PARTITIONS = Object.freeze([
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
] as const);

/**
 * Region name prefixes of the partitions other than `aws`, most specific first (`us-isob-` before `us-iso-`).
 * A region that matches none is in `aws`. Shared with the Terraform module's validations.
 */
export const PARTITION_REGION_PREFIXES: readonly (readonly [string, string])[] = Object.freeze([
  ["aws-cn", "cn-"],
  ["aws-us-gov", "us-gov-"],
  ["aws-iso-b", "us-isob-"],
  ["aws-iso-f", "us-isof-"],
  ["aws-iso-e", "eu-isoe-"],
  ["aws-iso", "us-iso-"],
  ["aws-eusc", "eusc-"],
] as const);

/** Shape of NLB_TG_ARN (RE2-compatible, usable in a Terraform `validation` block). */
export const TARGET_GROUP_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):elasticloadbalancing:([a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}):([0-9]{12}):targetgroup\\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?)\\/([0-9a-f]{16})$`,
);

/** Reserved S3 bucket name prefixes and suffixes (S3 rejects them for general purpose buckets). */
export const BUCKET_PREFIXES = Object.freeze(["xn--", "sthree-", "amzn-s3-demo-"] as const);
export const BUCKET_SUFFIXES = Object.freeze([
  "-s3alias",
  "--ol-s3",
  ".mrap",
  "--x-s3",
  "--table-s3",
] as const);
/** Shape of a bucket name before the finer rules (adjacent dots, IP form, reserved affixes). */
export const BUCKET_NAME_SHAPE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A bucket name that looks like an IPv4 address. */
export const BUCKET_IP_FORM = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;

/** Empty, `.` and `..` segments in STATE_KEY_PREFIX (RE2-compatible). */
export const STATE_KEY_PREFIX_BAD_SEGMENT = /(^|\/)\.{1,2}\/|\/\//;

/**
 * Shape of one DNS_SERVERS entry (RE2-compatible; the function checks addresses and names more closely):
 * IPv4 or host name with an optional port, `[IPv6]:port`, or a bare IPv6 address.
 */
export const DNS_SERVER_ENTRY_PATTERN =
  /^(\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.?(:[0-9]{1,5})?)$/;

/** Shape of an AWS region name, e.g. `us-east-1`, `cn-north-1`, `us-gov-west-1`. */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}$/;

/** A problem phrased for the user, or undefined. */
export type Problem = string | undefined;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Checks a lower-cased DNS name without trailing dot; `minLabels` 2 for the ALB, 1 for a server. */
export function dnsNameProblem(name: string, minLabels: number): Problem {
  if (name.length > 253) return `the name has ${name.length} characters, at most 253 are allowed`;
  const labels = name.split(".");
  if (labels.length < minLabels) return `a fully qualified name with at least ${minLabels} labels is needed`;
  const bad = labels.findIndex((label) => !LABEL.test(label));
  if (bad >= 0) {
    return `label ${bad + 1} is not 1–63 letters, digits or hyphens (not starting or ending with a hyphen)`;
  }
  if (/^[0-9]+$/.test(labels.at(-1) ?? "")) return "the last label must contain a letter";
  return undefined;
}

export function albDnsNameProblem(name: string): Problem {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(name)) return "this looks like a URL; give only the host name";
  if (isIPv4(name) || isIPv6(name)) {
    return "this is an IP address; give the ALB's DNS name, its IPs change and are found from it";
  }
  if (/[/:]/.test(name)) return "a host name only, without port or path";
  return dnsNameProblem(name, 2);
}

export function bucketProblem(name: string): Problem {
  if (name.length < 3 || name.length > 63) return `the name has ${name.length} characters`;
  if (/[A-Z]/.test(name)) return "upper-case letters are not allowed";
  if (!/^[a-z0-9.-]+$/.test(name)) return "only lowercase letters, digits, dots and hyphens are allowed";
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return "the name must start and end with a letter or digit";
  if (name.includes("..")) return "two adjacent dots are not allowed";
  if (BUCKET_IP_FORM.test(name)) return "a bucket name must not look like an IP address";
  const prefix = BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `the prefix "${prefix}" is reserved by S3`;
  const suffix = BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `the suffix "${suffix}" is reserved by S3`;
  return undefined;
}

/** The partition a region belongs to, by its prefix. */
export function partitionOf(region: string): string {
  return PARTITION_REGION_PREFIXES.find(([, prefix]) => region.startsWith(prefix))?.[0] ?? "aws";
}

/** Shows a token from the input only when it is short and plain (no secret, no markup). */
function plain(token: string | undefined): string {
  return token !== undefined && /^[a-z0-9-]{1,40}$/.test(token) ? `the "${token}"` : "another";
}

export function targetGroupArnProblem(arn: string): Problem {
  const parts = arn.split(":");
  const [prefix, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(":");
  if (prefix !== "arn" || parts.length < 6)
    return "this is not an ARN; it must start with arn: and have 6 fields";
  if (service !== "elasticloadbalancing") {
    return `this is an ARN of ${plain(service)} service, not of an ELB target group`;
  }
  if (resource.startsWith("loadbalancer/")) {
    return "this is a load balancer ARN; give the ARN of the NLB's target group (…:targetgroup/…)";
  }
  if (resource.startsWith("listener")) {
    return "this is a listener ARN; give the ARN of the NLB's target group (…:targetgroup/…)";
  }
  if (!PARTITIONS.some((p) => p === partition))
    return `the partition must be one of ${PARTITIONS.join(", ")}`;
  if (!REGION_PATTERN.test(region ?? "")) return "the region field (4th) must be a region such as us-east-1";
  if (!/^[0-9]{12}$/.test(account ?? "")) return "the account field (5th) must be 12 digits";
  if (!TARGET_GROUP_ARN_PATTERN.test(arn)) {
    return "the resource must be targetgroup/<name of 1–32 letters, digits, hyphens>/<16 lowercase hex digits>";
  }
  const expected = partitionOf(region ?? "");
  if (expected !== partition) {
    return `region ${region} belongs to partition ${expected}, but the ARN says ${partition}`;
  }
  return undefined;
}

const KEY_PREFIX_CHARS = /^[A-Za-z0-9!_.*'()/-]*$/;

export function stateKeyPrefixProblem(prefix: string): Problem {
  if (prefix.length > 512) return `the prefix has ${prefix.length} characters, at most 512 are allowed`;
  if (!KEY_PREFIX_CHARS.test(prefix)) return "only letters, digits and ! - _ . * ' ( ) / are allowed";
  if (prefix.startsWith("/")) return "the prefix must not start with /";
  if (prefix !== "" && !prefix.endsWith("/")) return "the prefix must end with /";
  if (STATE_KEY_PREFIX_BAD_SEGMENT.test(prefix) || prefix.split("/").some((s) => s === "." || s === "..")) {
    return "empty, . and .. path segments are not allowed";
  }
  return undefined;
}

export function metricNamespaceProblem(ns: string): Problem {
  if (ns.length > 255) return `the namespace has ${ns.length} characters, at most 255 are allowed`;
  if (!/^[A-Za-z0-9.\-_/#:]+$/.test(ns)) return "only letters, digits and . - _ / # : are allowed";
  if (/^aws\//i.test(ns))
    return "namespaces starting with AWS/ are reserved for AWS; CloudWatch rejects them";
  return undefined;
}
