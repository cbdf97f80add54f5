/**
 * The only reader of the environment. `loadConfig(env)` validates every variable once, at cold
 * start, and returns a frozen typed object or throws one ConfigError listing every problem.
 * No AWS call, no network, no `process.env` read: the handler passes `process.env` in.
 */
import { isIPv4, isIPv6 } from "node:net";
// zod/mini: the same validation as classic zod at ~15 KiB instead of ~450 KiB of bundle (cold start).
import * as z from "zod/mini";
import { ConfigError, type ConfigIssue } from "./errors.js";

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
export type DiscoveryMode = "dns";

export interface DnsServer {
  host: string;
  port: number;
}

export interface Config {
  /** ALB_DNS_NAME, lower-cased, no trailing dot. */
  albDnsName: string;
  /** ALB_LISTENER: the ALB listener port = the target port in the NLB target group. */
  albListenerPort: number;
  /** S3_BUCKET */
  s3Bucket: string;
  /** NLB_TG_ARN */
  targetGroupArn: string;
  /** MAX_LOOKUP_PER_INVOCATION (default 500): hard cap on DNS queries per run. */
  maxLookupPerInvocation: number;
  /** INVOCATIONS_BEFORE_DEREGISTRATION (default 3). */
  invocationsBeforeDeregistration: number;
  /** CW_METRIC_FLAG_IP_COUNT (default true). */
  cwMetricFlagIpCount: boolean;
  /** SAME_VPC (default true); false registers targets with AvailabilityZone "all". */
  sameVpc: boolean;
  /** STATE_KEY_PREFIX (default "alb-static-ip/"). */
  stateKeyPrefix: string;
  /** DNS_SERVERS: replaces the authoritative name server lookup when set. */
  dnsServers: readonly DnsServer[] | undefined;
  /** DNS_TIMEOUT_MS (default 1000): per-query timeout. */
  dnsTimeoutMs: number;
  /** DNS_CONCURRENCY (default 16, at most 32): queries in flight. */
  dnsConcurrency: number;
  /** MISS_PROBABILITY (default 1e-6). */
  missProbability: number;
  /** MAX_DEREGISTRATIONS_PER_RUN (default 10). */
  maxDeregistrationsPerRun: number;
  /** DRY_RUN (default false). */
  dryRun: boolean;
  /** METRIC_NAMESPACE (default "ALBStaticIP"); never AWS/*. */
  metricNamespace: string;
  /** LOG_LEVEL (default INFO). */
  logLevel: LogLevel;
  /** DISCOVERY_MODE (default dns). */
  discoveryMode: DiscoveryMode;
  /** AWS_REGION as set by Lambda; the target group ARN must be in this region when set. */
  region: string | undefined;
  /** AWS_MAX_ATTEMPTS (default 3): attempts per AWS call including the first (the SDK's own variable name). */
  awsMaxAttempts: number;
  /** AWS_REQUEST_TIMEOUT_MS (default 5000): per-attempt timeout of an AWS call, so a hung connection is abandoned. */
  awsRequestTimeoutMs: number;
}

/** Defaults of the optional variables, keyed by environment variable name (README, infrastructure). */
export const CONFIG_DEFAULTS = Object.freeze({
  MAX_LOOKUP_PER_INVOCATION: 500,
  INVOCATIONS_BEFORE_DEREGISTRATION: 3,
  CW_METRIC_FLAG_IP_COUNT: true,
  SAME_VPC: true,
  STATE_KEY_PREFIX: "alb-static-ip/",
  DNS_TIMEOUT_MS: 1000,
  DNS_CONCURRENCY: 16,
  MISS_PROBABILITY: 1e-6,
  MAX_DEREGISTRATIONS_PER_RUN: 10,
  DRY_RUN: false,
  METRIC_NAMESPACE: "ALBStaticIP",
  LOG_LEVEL: "INFO",
  DISCOVERY_MODE: "dns",
  AWS_MAX_ATTEMPTS: 3,
  AWS_REQUEST_TIMEOUT_MS: 5000,
} as const);

/** Inclusive ranges of the numeric variables, for Terraform `validation` blocks and docs. */
export const CONFIG_RANGES = Object.freeze({
  ALB_LISTENER: { min: 1, max: 65535 },
  MAX_LOOKUP_PER_INVOCATION: { min: 1, max: 5000 },
  INVOCATIONS_BEFORE_DEREGISTRATION: { min: 1, max: 1000 },
  DNS_TIMEOUT_MS: { min: 50, max: 30000 },
  DNS_CONCURRENCY: { min: 1, max: 32 },
  MAX_DEREGISTRATIONS_PER_RUN: { min: 1, max: 1000 },
  AWS_MAX_ATTEMPTS: { min: 1, max: 10 },
  AWS_REQUEST_TIMEOUT_MS: { min: 100, max: 60000 },
} as const);

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

const MAX_SHOWN_CHARS = 80;
const MAX_DNS_SERVERS = 16;
const ALB_NAME_EXAMPLE = "internal-my-alb-123.us-east-1.elb.amazonaws.com";

// ---------------------------------------------------------------------------------------------
// Showing values safely in error messages
// ---------------------------------------------------------------------------------------------

const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY/i;
const ACCESS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/;
const BASE64_40 = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** 40-character ARN resource parts such as `targetgroup/<name>/<id>` are not secrets. */
const ARN_RESOURCE = /^(?:targetgroup|loadbalancer|listener|listener-rule)\//;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu;

/**
 * Whether a variable (by its name) or a value looks like a secret: an AWS access key id
 * (`AKIA…`/`ASIA…`), a 40-character base64 token mixing upper case, lower case and digits (an AWS
 * secret access key), or a PEM private key.
 *
 * @example looksSecret("S3_BUCKET", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") // true
 */
export function looksSecret(variable: string, value: string): boolean {
  if (SECRET_NAME.test(variable) || ACCESS_KEY_ID.test(value) || value.includes("PRIVATE KEY-----"))
    return true;
  for (const [token] of value.matchAll(BASE64_40)) {
    if (/[A-Z]/.test(token) && /[a-z]/.test(token) && /[0-9]/.test(token) && !ARN_RESOURCE.test(token)) {
      return true;
    }
  }
  return false;
}

/** Replaces control, format (bidi, zero-width) and separator characters with a visible `<U+XXXX>`. */
function makeVisible(text: string): string {
  return text.replace(
    INVISIBLE,
    (c) => `<U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}>`,
  );
}

/**
 * The form in which a bad value is shown in a ConfigIssue: `"***"` when it looks secret, cut to
 * about 80 characters (start … end, then the full length) when long, invisible characters made
 * visible as `<U+XXXX>`. `undefined` stays `undefined` (not set).
 *
 * @example describeValue("ALB_LISTENER", "80\n") // "80<U+000A>"
 */
export function describeValue(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (looksSecret(variable, value)) return "***";
  const chars = Array.from(value);
  if (chars.length <= MAX_SHOWN_CHARS) return makeVisible(value);
  // Keep both ends: the start names the kind of value, the end often holds the part that is wrong.
  const head = chars.slice(0, MAX_SHOWN_CHARS - 24).join("");
  const tail = chars.slice(-20).join("");
  return `${makeVisible(head)}…${makeVisible(tail)} (${chars.length} characters)`;
}

// ---------------------------------------------------------------------------------------------
// Shape checks: each returns a problem (phrased for the user) or undefined
// ---------------------------------------------------------------------------------------------

type Problem = string | undefined;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Checks a lower-cased DNS name without trailing dot; `minLabels` 2 for the ALB, 1 for a server. */
function dnsNameProblem(name: string, minLabels: number): Problem {
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

function albDnsNameProblem(name: string): Problem {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(name)) return "this looks like a URL; give only the host name";
  if (isIPv4(name) || isIPv6(name)) {
    return "this is an IP address; give the ALB's DNS name, its IPs change and are found from it";
  }
  if (/[/:]/.test(name)) return "a host name only, without port or path";
  return dnsNameProblem(name, 2);
}

function bucketProblem(name: string): Problem {
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

function targetGroupArnProblem(arn: string): Problem {
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

function stateKeyPrefixProblem(prefix: string): Problem {
  if (prefix.length > 512) return `the prefix has ${prefix.length} characters, at most 512 are allowed`;
  if (!KEY_PREFIX_CHARS.test(prefix)) return "only letters, digits and ! - _ . * ' ( ) / are allowed";
  if (prefix.startsWith("/")) return "the prefix must not start with /";
  if (prefix !== "" && !prefix.endsWith("/")) return "the prefix must end with /";
  if (STATE_KEY_PREFIX_BAD_SEGMENT.test(prefix) || prefix.split("/").some((s) => s === "." || s === "..")) {
    return "empty, . and .. path segments are not allowed";
  }
  return undefined;
}

function metricNamespaceProblem(ns: string): Problem {
  if (ns.length > 255) return `the namespace has ${ns.length} characters, at most 255 are allowed`;
  if (!/^[A-Za-z0-9.\-_/#:]+$/.test(ns)) return "only letters, digits and . - _ / # : are allowed";
  if (/^aws\//i.test(ns))
    return "namespaces starting with AWS/ are reserved for AWS; CloudWatch rejects them";
  return undefined;
}

/** Parses one `host[:port]` entry of DNS_SERVERS. */
function parseDnsServer(entry: string): DnsServer | string {
  if (!DNS_SERVER_ENTRY_PATTERN.test(entry)) return "not host[:port], [IPv6]:port or an IPv6 address";
  let host: string;
  let port = "53";
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1] ?? "";
    port = bracketed[2] ?? port;
    if (!isIPv6(host)) return "the address in [ ] is not an IPv6 address";
  } else if ((entry.match(/:/g) ?? []).length > 1) {
    if (!isIPv6(entry)) return "not an IPv6 address (write [IPv6]:port to give a port)";
    host = entry;
  } else {
    const colon = entry.lastIndexOf(":");
    host = (colon >= 0 ? entry.slice(0, colon) : entry).toLowerCase();
    port = colon >= 0 ? entry.slice(colon + 1) : port;
    if (host === "") return "the host is missing";
    if (/^[0-9.]+$/.test(host) && !isIPv4(host)) return "not a valid IPv4 address";
    if (!isIPv4(host)) {
      const problem = dnsNameProblem(host.replace(/\.$/, ""), 1);
      if (problem) return `the host is neither an IP address nor a host name: ${problem}`;
    }
  }
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return "the port must be a whole number from 1 to 65535";
  }
  return Object.freeze({ host: host.replace(/\.$/, ""), port: Number(port) });
}

// ---------------------------------------------------------------------------------------------
// One zod schema per variable; input is the trimmed, non-empty value
// ---------------------------------------------------------------------------------------------

type Schema<T> = z.ZodMiniType<T, string>;

/** A string schema that reports the first problem `check` finds. */
function checked(check: (value: string) => Problem): Schema<string> {
  return z.string().check(
    z.superRefine((value, ctx) => {
      const problem = check(value);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, input: value });
    }),
  );
}

function integer(min: number, max: number): Schema<number> {
  return z
    .pipe(
      z
        .string()
        .check(z.refine((s) => /^[0-9]+$/.test(s), { error: "only digits are allowed", abort: true })),
      z.transform(Number),
    )
    .check(
      z.refine((n) => n >= min && n <= max, {
        error: (issue) =>
          `${Number.isSafeInteger(issue.input) ? String(issue.input) : "the number"} is out of range`,
      }),
    );
}

const BOOLEAN_WORDS = ["true", "True", "TRUE", "1", "false", "False", "FALSE", "0"] as const;
const booleanSchema: Schema<boolean> = z.pipe(
  z.enum(BOOLEAN_WORDS, { error: "another spelling is not accepted" }),
  z.transform((word) => BOOLEAN_WORDS.indexOf(word) < 4),
);

const probabilitySchema: Schema<number> = z
  .pipe(
    z.string().check(
      z.refine((s) => /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(s), {
        error: "not a decimal number",
        abort: true,
      }),
    ),
    z.transform(Number),
  )
  .check(z.refine((p) => p > 0 && p <= 0.5, { error: "out of range" }));

const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "SILENT"] as const;
const logLevelSchema: Schema<LogLevel> = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s) => s.toUpperCase()),
  ),
  z.enum(LOG_LEVELS, { error: "unknown level" }),
);

const discoveryModeSchema: Schema<DiscoveryMode> = z.pipe(
  z
    .pipe(
      z.string(),
      z.transform((s) => s.toLowerCase()),
    )
    .check(
      z.refine((s) => s !== "eni", { error: "ENI discovery is not supported yet, use dns", abort: true }),
    ),
  z.literal("dns", { error: "unknown mode" }),
);

const dnsServersSchema: Schema<readonly DnsServer[]> = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const entries = value.split(",").map((e) => e.trim());
    if (entries.length > MAX_DNS_SERVERS) {
      ctx.issues.push({
        code: "custom",
        message: `${entries.length} entries, at most ${MAX_DNS_SERVERS}`,
        input: value,
      });
      return z.NEVER;
    }
    const parsed = entries.map((entry) => (entry === "" ? "the entry is empty" : parseDnsServer(entry)));
    const problems = parsed.flatMap((p, i) => (typeof p === "string" ? [`entry ${i + 1}: ${p}`] : []));
    if (problems.length > 0) {
      ctx.issues.push({ code: "custom", message: problems.join("; "), input: value });
      return z.NEVER;
    }
    return Object.freeze(parsed.filter((p): p is DnsServer => typeof p !== "string"));
  }),
);

interface Variable<T> {
  schema: Schema<T>;
  /** What is expected, shown with every problem and when a required variable is missing. */
  expected: string;
}

const range = (name: keyof typeof CONFIG_RANGES, what: string): string =>
  `${what}, a whole number from ${CONFIG_RANGES[name].min} to ${CONFIG_RANGES[name].max}`;
const withDefault = (expected: string, value: unknown): string => `${expected} (default ${String(value)})`;
const BOOLEAN_EXPECTED = "true or false (also True, TRUE, False, FALSE, 1, 0)";

const V = {
  ALB_DNS_NAME: {
    schema: z.pipe(
      checked((s) => albDnsNameProblem(s.toLowerCase().replace(/\.$/, ""))),
      z.transform((s) => s.toLowerCase().replace(/\.$/, "")),
    ),
    expected: `the ALB's DNS name, e.g. ${ALB_NAME_EXAMPLE}`,
  },
  ALB_LISTENER: {
    schema: integer(1, 65535),
    expected: `${range("ALB_LISTENER", "the ALB listener port")}, e.g. 443`,
  },
  S3_BUCKET: {
    schema: checked(bucketProblem),
    expected:
      "an S3 bucket name: 3–63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit",
  },
  NLB_TG_ARN: {
    schema: checked(targetGroupArnProblem),
    expected:
      "the NLB target group ARN, arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>",
  },
  MAX_LOOKUP_PER_INVOCATION: {
    schema: integer(1, 5000),
    expected: withDefault(
      range("MAX_LOOKUP_PER_INVOCATION", "the cap on DNS queries per run"),
      CONFIG_DEFAULTS.MAX_LOOKUP_PER_INVOCATION,
    ),
  },
  INVOCATIONS_BEFORE_DEREGISTRATION: {
    schema: integer(1, 1000),
    expected: withDefault(
      range("INVOCATIONS_BEFORE_DEREGISTRATION", "the consecutive runs an IP must be missing"),
      CONFIG_DEFAULTS.INVOCATIONS_BEFORE_DEREGISTRATION,
    ),
  },
  CW_METRIC_FLAG_IP_COUNT: {
    schema: booleanSchema,
    expected: withDefault(BOOLEAN_EXPECTED, CONFIG_DEFAULTS.CW_METRIC_FLAG_IP_COUNT),
  },
  SAME_VPC: { schema: booleanSchema, expected: withDefault(BOOLEAN_EXPECTED, CONFIG_DEFAULTS.SAME_VPC) },
  STATE_KEY_PREFIX: {
    schema: checked(stateKeyPrefixProblem),
    expected: withDefault(
      "an S3 key prefix of at most 512 safe characters, ending with / (or empty for the bucket root)",
      CONFIG_DEFAULTS.STATE_KEY_PREFIX,
    ),
  },
  DNS_SERVERS: {
    schema: dnsServersSchema,
    expected:
      "comma-separated host[:port] entries; host an IPv4 address, [IPv6], IPv6 without port or a host name; port 1–65535 (default 53)",
  },
  DNS_TIMEOUT_MS: {
    schema: integer(50, 30000),
    expected: withDefault(
      range("DNS_TIMEOUT_MS", "the per-query timeout in ms"),
      CONFIG_DEFAULTS.DNS_TIMEOUT_MS,
    ),
  },
  DNS_CONCURRENCY: {
    schema: integer(1, 32),
    expected: withDefault(range("DNS_CONCURRENCY", "queries in flight"), CONFIG_DEFAULTS.DNS_CONCURRENCY),
  },
  MISS_PROBABILITY: {
    schema: probabilitySchema,
    expected: withDefault("a number greater than 0 and at most 0.5, e.g. 1e-6", "1e-6"),
  },
  MAX_DEREGISTRATIONS_PER_RUN: {
    schema: integer(1, 1000),
    expected: withDefault(
      range("MAX_DEREGISTRATIONS_PER_RUN", "the cap on deregistrations per run"),
      CONFIG_DEFAULTS.MAX_DEREGISTRATIONS_PER_RUN,
    ),
  },
  DRY_RUN: { schema: booleanSchema, expected: withDefault(BOOLEAN_EXPECTED, CONFIG_DEFAULTS.DRY_RUN) },
  METRIC_NAMESPACE: {
    schema: checked(metricNamespaceProblem),
    expected: withDefault(
      "a CloudWatch namespace of 1–255 letters, digits or . - _ / # :, not starting with AWS/",
      CONFIG_DEFAULTS.METRIC_NAMESPACE,
    ),
  },
  LOG_LEVEL: {
    schema: logLevelSchema,
    expected: withDefault(`one of ${LOG_LEVELS.join(", ")} (any case)`, CONFIG_DEFAULTS.LOG_LEVEL),
  },
  DISCOVERY_MODE: {
    schema: discoveryModeSchema,
    expected: withDefault("dns (the only mode supported so far)", CONFIG_DEFAULTS.DISCOVERY_MODE),
  },
  AWS_MAX_ATTEMPTS: {
    schema: integer(1, 10),
    expected: withDefault(
      range("AWS_MAX_ATTEMPTS", "attempts per AWS call including the first"),
      CONFIG_DEFAULTS.AWS_MAX_ATTEMPTS,
    ),
  },
  AWS_REQUEST_TIMEOUT_MS: {
    schema: integer(100, 60000),
    expected: withDefault(
      range("AWS_REQUEST_TIMEOUT_MS", "the per-attempt timeout of an AWS call in ms"),
      CONFIG_DEFAULTS.AWS_REQUEST_TIMEOUT_MS,
    ),
  },
  AWS_REGION: {
    schema: checked((s) => (REGION_PATTERN.test(s) ? undefined : "not a region name")),
    expected: "an AWS region such as us-east-1, cn-north-1 or us-gov-west-1 (Lambda sets it)",
  },
} satisfies Record<string, Variable<unknown>>;

type VariableName = keyof typeof V;
type Output<N extends VariableName> = z.output<(typeof V)[N]["schema"]>;

// ---------------------------------------------------------------------------------------------
// loadConfig
// ---------------------------------------------------------------------------------------------

/**
 * Validates `env` and returns the frozen config, or throws one ConfigError listing every problem
 * (variable, value as shown by {@link describeValue}, what is expected). Surrounding whitespace
 * is trimmed; an empty value counts as not set, except STATE_KEY_PREFIX where it means "no prefix".
 * Unknown variables are ignored. Makes no AWS call and reads nothing but `env`.
 *
 * @example
 * const config = loadConfig(process.env); // at cold start, in the handler module
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Readonly<Config> {
  const issues: ConfigIssue[] = [];
  const problem = (name: VariableName, detail: string | undefined): void => {
    const expected = V[name].expected;
    issues.push({
      variable: name,
      value: describeValue(name, env[name]),
      expected: detail === undefined ? expected : `${expected} — ${detail}`,
    });
  };

  function read<N extends VariableName>(
    name: N,
    fallback?: { value: Output<N> | undefined },
  ): Output<N> | undefined {
    const value = env[name]?.trim();
    if (value === undefined || value === "") {
      if (fallback !== undefined) return fallback.value;
      problem(name, "this variable is required");
      return undefined;
    }
    const result = (V[name].schema as Schema<Output<N>>).safeParse(value);
    if (result.success) return result.data;
    problem(name, result.error.issues.map((i) => i.message).join("; "));
    return undefined;
  }

  const d = CONFIG_DEFAULTS;
  const albDnsName = read("ALB_DNS_NAME");
  const albListenerPort = read("ALB_LISTENER");
  const s3Bucket = read("S3_BUCKET");
  const region = read("AWS_REGION", { value: undefined });
  const regionValid = !issues.some((i) => i.variable === "AWS_REGION");
  const targetGroupArn = read("NLB_TG_ARN");
  const arnRegion = targetGroupArn?.split(":")[3];
  if (region !== undefined && regionValid && arnRegion !== undefined && arnRegion !== region) {
    problem(
      "NLB_TG_ARN",
      `the target group must be in the function's region ${region} (AWS_REGION) but this ARN is in ${arnRegion}; deploy the function in ${arnRegion} or use a target group of ${region}`,
    );
  }
  const maxLookupPerInvocation = read("MAX_LOOKUP_PER_INVOCATION", { value: d.MAX_LOOKUP_PER_INVOCATION });
  const invocationsBeforeDeregistration = read("INVOCATIONS_BEFORE_DEREGISTRATION", {
    value: d.INVOCATIONS_BEFORE_DEREGISTRATION,
  });
  const cwMetricFlagIpCount = read("CW_METRIC_FLAG_IP_COUNT", { value: d.CW_METRIC_FLAG_IP_COUNT });
  const sameVpc = read("SAME_VPC", { value: d.SAME_VPC });
  // Unlike the other optional variables, an empty STATE_KEY_PREFIX is a choice: keys at the bucket root.
  const stateKeyPrefix =
    env.STATE_KEY_PREFIX?.trim() === "" ? "" : read("STATE_KEY_PREFIX", { value: d.STATE_KEY_PREFIX });
  const dnsServers = read("DNS_SERVERS", { value: undefined });
  const dnsTimeoutMs = read("DNS_TIMEOUT_MS", { value: d.DNS_TIMEOUT_MS });
  const dnsConcurrency = read("DNS_CONCURRENCY", { value: d.DNS_CONCURRENCY });
  const missProbability = read("MISS_PROBABILITY", { value: d.MISS_PROBABILITY });
  const maxDeregistrationsPerRun = read("MAX_DEREGISTRATIONS_PER_RUN", {
    value: d.MAX_DEREGISTRATIONS_PER_RUN,
  });
  const dryRun = read("DRY_RUN", { value: d.DRY_RUN });
  const metricNamespace = read("METRIC_NAMESPACE", { value: d.METRIC_NAMESPACE });
  const logLevel = read("LOG_LEVEL", { value: d.LOG_LEVEL });
  const discoveryMode = read("DISCOVERY_MODE", { value: d.DISCOVERY_MODE });
  const awsMaxAttempts = read("AWS_MAX_ATTEMPTS", { value: d.AWS_MAX_ATTEMPTS });
  const awsRequestTimeoutMs = read("AWS_REQUEST_TIMEOUT_MS", { value: d.AWS_REQUEST_TIMEOUT_MS });

  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({
    albDnsName: albDnsName!,
    albListenerPort: albListenerPort!,
    s3Bucket: s3Bucket!,
    targetGroupArn: targetGroupArn!,
    maxLookupPerInvocation: maxLookupPerInvocation!,
    invocationsBeforeDeregistration: invocationsBeforeDeregistration!,
    cwMetricFlagIpCount: cwMetricFlagIpCount!,
    sameVpc: sameVpc!,
    stateKeyPrefix: stateKeyPrefix!,
    dnsServers,
    dnsTimeoutMs: dnsTimeoutMs!,
    dnsConcurrency: dnsConcurrency!,
    missProbability: missProbability!,
    maxDeregistrationsPerRun: maxDeregistrationsPerRun!,
    dryRun: dryRun!,
    metricNamespace: metricNamespace!,
    logLevel: logLevel!,
    discoveryMode: discoveryMode!,
    region,
    awsMaxAttempts: awsMaxAttempts!,
    awsRequestTimeoutMs: awsRequestTimeoutMs!,
  });
}

/** `STATE_KEY_PREFIX` + `<target group name>-<target group id>/<port>.json`. */
export function stateKey(
  config: Pick<Config, "stateKeyPrefix" | "targetGroupArn" | "albListenerPort">,
): string {
  const [, name, id] = /targetgroup\/([^/]+)\/([0-9a-f]+)$/.exec(config.targetGroupArn) ?? [];
  return `${config.stateKeyPrefix}${name}-${id}/${config.albListenerPort}.json`;
}
