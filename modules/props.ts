/**
 * What AlbStaticIp takes: its props (the construct's interface, mirrored one to one by the module's variables in
 * inputs/), the settings that are not props (FIXED) and where the bundle is. Types and constants only: the
 * bottom of modules/, importing no resource file and not the construct (modules/README.md).
 */
import { fileURLToPath } from "node:url";
import type { IResolvable } from "cdktf";
import type { Toggle } from "./expr.js";

/** The deployment package: a zip path Terraform can read at plan time and its base64 SHA-256. */
export interface LambdaCode {
  readonly filename: string;
  readonly sourceCodeHash: string;
}

/** The health check protocol of the created target group. */
export type HealthCheckProtocol = "TCP" | "HTTP" | "HTTPS";

/** One NLB listener / target group pair. */
export interface ListenerProps {
  /** ALB listener port: the port of the targets and of the NLB listener. */
  readonly port: number;
  /** An existing IP-type target group for this port; unset: one is created. */
  readonly targetGroupArn?: string;
  /** Create the NLB listener on this port (default: `createListener`, else when `nlbArn` is given). */
  readonly createListener?: boolean;
  /** IP address type of the created target group (default ipv4; ipv6 needs a dualstack ALB and NLB). */
  readonly ipAddressType?: "ipv4" | "ipv6";
  /** Health check protocol of the created target group (default: `healthCheckProtocol`). */
  readonly healthCheckProtocol?: HealthCheckProtocol;
  /** Health check path (default: `healthCheckPath`). */
  readonly healthCheckPath?: string;
}

/** The props of ENI discovery and events (AlbStaticIpProps extends this). */
export interface DiscoveryProps {
  /** ALB_VPC_ID (eni mode): narrows the lookup; default: derived by the function from its first lookup. */
  readonly albVpcId?: string;
  /** ALB_ROLE_ARN (eni mode): a role in the ALB's account that the function assumes for the lookup. */
  readonly albRoleArn?: string;
  /** ALB_ROLE_EXTERNAL_ID: the external id that role's trust policy requires. */
  readonly albRoleExternalId?: string;
  /**
   * Deliver ELB's CloudTrail interface events to the function (an EventBridge rule for this ALB's interfaces):
   * a run within seconds of a scale-out. Default: true when `discoveryMode` is `eni`. Needs `albArn`.
   */
  readonly eventDriven?: Toggle | null;
}

/** The props of AlbStaticIp; every one but `lambdaCode` and `moduleNames` is a variable of the module (inputs/). */
export interface AlbStaticIpProps extends DiscoveryProps {
  /** DNS name of the internal ALB (ALB_DNS_NAME), e.g. `internal-my-alb-123.us-east-1.elb.amazonaws.com`. */
  readonly albDnsName: string;
  /**
   * ALB listener port (ALB_LISTENER): target port in the target group and port of the NLB listener. The
   * one-listener shorthand; required unless `listeners` is given.
   */
  readonly albListenerPort?: number;
  /**
   * Several listeners (TARGET_GROUPS), keyed by a short name: one target group (created or given) and an
   * optional NLB listener each. Instead of `albListenerPort`; the key `default` is the shorthand's entry.
   */
  readonly listeners?: Record<string, ListenerProps>;
  /** VPC of the NLB; required when the target group is created. */
  readonly vpcId?: string;
  /** Name of the function, role, log group, rule, alarms, created target group and bucket prefix. Default `alb-static-ip`. */
  readonly name?: string;
  /**
   * The master switch of the Terraform module (`create`, default true): false creates nothing, as in
   * terraform-aws-modules. In a CDKTF app, leave AlbStaticIp out instead; a literal false is rejected.
   */
  readonly create?: Toggle;

  /** Create the IP-type TCP target group (default true); false uses `targetGroupArn`. */
  readonly createTargetGroup?: Toggle;
  /** An existing IP-type target group (when `createTargetGroup` is false). */
  readonly targetGroupArn?: string;
  /** Health check of the created target group (default TCP: a connect to each ALB IP, no listener rules involved). */
  readonly healthCheckProtocol?: HealthCheckProtocol;
  /** Path of HTTP/HTTPS health checks (default `/`). */
  readonly healthCheckPath?: string;
  /** Draining time of a deregistered ALB IP in the created target group (default 300 s). */
  readonly deregistrationDelaySeconds?: number;

  /** Create the NLB TCP listener forwarding to the target group (default: true when `nlbArn` is given). */
  readonly createListener?: Toggle;
  /** The existing NLB to add the listener to. */
  readonly nlbArn?: string;

  /** Create the hardened state bucket (default true); false uses the existing `stateBucketName`. */
  readonly createStateBucket?: Toggle;
  /** Name of the created bucket (default: generated with prefix `<name>-`) or of the existing bucket. */
  readonly stateBucketName?: string;
  /** KMS key for SSE-KMS on the created bucket (default: SSE-S3, AES256); the role gets Decrypt/GenerateDataKey on it. */
  readonly stateBucketKmsKeyArn?: string;
  /** Let `terraform destroy` delete a non-empty created bucket (default false). */
  readonly stateBucketForceDestroy?: boolean | IResolvable;
  /** Days a replaced state version is kept (default 30). */
  readonly stateNoncurrentVersionExpirationDays?: number;

  /** Lambda runtime (default `nodejs24.x`). */
  readonly runtime?: string;
  /** Memory in MB (default 256). */
  readonly memorySize?: number;
  /**
   * Reserved concurrency (default 1: runs never overlap). `null` leaves the function unreserved, for accounts
   * whose concurrency quota is too small to reserve any; the state object's conditional writes (If-Match)
   * then keep overlapping runs from overwriting each other.
   */
  readonly reservedConcurrentExecutions?: number | null;
  /** Timeout in seconds (default 50: below the 1-minute schedule; a run normally takes under 2 s). */
  readonly timeout?: number;
  /** Schedule (default `rate(1 minute)`). */
  readonly scheduleExpression?: string;
  /** Log retention in days (default 30). */
  readonly logRetentionInDays?: number;
  /** KMS key for the log group (default: service-managed encryption). */
  readonly logGroupKmsKeyArn?: string;
  /** The deployment package (default: `dist/lambda` zipped as a CDKTF asset; run `npm run build` first). */
  readonly lambdaCode?: LambdaCode;

  /** MAX_LOOKUP_PER_INVOCATION (default 500). */
  readonly maxLookupPerInvocation?: number;
  /** INVOCATIONS_BEFORE_DEREGISTRATION (default 3). */
  readonly invocationsBeforeDeregistration?: number;
  /** HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION (default 15): the bound while the NLB still reports an IP healthy. */
  readonly healthyInvocationsBeforeDeregistration?: number;
  /** CW_METRIC_FLAG_IP_COUNT (default true). */
  readonly publishIpCountMetric?: boolean | IResolvable;
  /** SAME_VPC (default true). */
  readonly sameVpc?: boolean | IResolvable;
  /** STATE_KEY_PREFIX (default `alb-static-ip/`). */
  readonly stateKeyPrefix?: string;
  /** DNS_SERVERS (default: none, the ALB zone's authoritative servers). */
  readonly dnsServers?: string[];
  /** DNS_TIMEOUT_MS (default 1000). */
  readonly dnsTimeoutMs?: number;
  /** DNS_CONCURRENCY (default 16). */
  readonly dnsConcurrency?: number;
  /** MISS_PROBABILITY (default 1e-6). */
  readonly missProbability?: number;
  /** MAX_DEREGISTRATIONS_PER_RUN (default 10). */
  readonly maxDeregistrationsPerRun?: number;
  /** DRY_RUN (default false). */
  readonly dryRun?: boolean | IResolvable;
  /** METRIC_NAMESPACE (default `ALBStaticIP`). */
  readonly metricNamespace?: string;
  /** LOG_LEVEL (default INFO). */
  readonly logLevel?: string;
  /** DISCOVERY_MODE (default dns): `dns`, or `eni` (needs `albArn`; see discovery.ts). */
  readonly discoveryMode?: string;
  /** AWS_MAX_ATTEMPTS (default 3): attempts per AWS call. */
  readonly awsMaxAttempts?: number;
  /** AWS_REQUEST_TIMEOUT_MS (default 5000): per-attempt timeout of an AWS call. */
  readonly awsRequestTimeoutMs?: number;
  /**
   * CLEANUP_UNSERVED_PORTS (default false): deregister the targets left on a port of the function's own target
   * groups that it no longer serves (a changed listener port), only those that port's state owns, each once its IP
   * is healthy on a served port, within `maxDeregistrationsPerRun`. Set only when true.
   */
  readonly cleanupUnservedPorts?: boolean | IResolvable;

  /**
   * ARN of the ALB: its subnets' CIDR blocks become ALLOWED_TARGET_CIDRS (unless `allowedTargetCidrs` is set); also
   * ALB_ARN, which ENI discovery and the interface events need.
   */
  readonly albArn?: string;
  /** Name of the ALB, instead of `albArn`. */
  readonly albName?: string;
  /** ALLOWED_TARGET_CIDRS (default: the ALB's subnets, else the target group VPC's blocks). */
  readonly allowedTargetCidrs?: string[];
  /** ALLOW_ANY_TARGET_CIDR (default false): explicit opt-out of the bound (SECURITY.md). */
  readonly allowAnyTargetCidr?: boolean | IResolvable;

  /** Create the function's role (default true); false uses `roleArn`, which must grant what SECURITY.md lists. */
  readonly createRole?: Toggle;
  /** An existing role for the function (when `createRole` is false). */
  readonly roleArn?: string;
  /** Path of the created role (default `/`). */
  readonly rolePath?: string;
  /** ARN of the permissions boundary of the created role (default none). */
  readonly rolePermissionsBoundary?: string;

  /** Create the log group (default true); false uses the existing `logGroupName`. */
  readonly createLogGroup?: Toggle;
  /** An existing log group for the function's logs (when `createLogGroup` is false). */
  readonly logGroupName?: string;
  /** KMS key that encrypts the function's environment variables at rest (default: the Lambda service key). */
  readonly kmsKeyArn?: string;
  /** X-Ray tracing mode of the function, `PassThrough` (default, Lambda's own) or `Active` (adds the X-Ray write actions). */
  readonly tracingMode?: string;

  /** Alarm on LoadBalancerIPCount < 1 for 3 minutes (default true; only with `publishIpCountMetric` and without `dryRun`). */
  readonly createIpCountAlarm?: Toggle;
  /**
   * Alarm on TargetsOutsideAllowedCidrs >= 1 per target group (default true): an observed IP refused by
   * ALLOWED_TARGET_CIDRS, e.g. because the ALB gained a subnet after the list was computed. Only with
   * `publishIpCountMetric`, without `dryRun` and without `allowAnyTargetCidr`.
   */
  readonly createOutsideAllowedCidrsAlarm?: Toggle;
  /**
   * Alarm on TargetsOnUnservedPorts >= 1 in every period of the window, per target group (default true): targets
   * left on a port the function no longer serves (a changed listener port). Only with `publishIpCountMetric` and
   * without `dryRun`.
   */
  readonly createUnservedPortsAlarm?: Toggle;
  /**
   * Alarm on InterfacesNotElbManaged >= 1 (default true; `discoveryMode` `eni` only): an interface with the ALB's
   * description that ELB did not create, a security event. One alarm, on the primary target group's series. Only
   * with `publishIpCountMetric` and without `dryRun`.
   */
  readonly createInterfacesNotElbManagedAlarm?: Toggle;
  /** Create the CloudWatch dashboard of the sync (default true). */
  readonly createDashboard?: Toggle;
  /** Alarm and OK actions, e.g. SNS topic ARNs (default none). */
  readonly alarmActions?: string[];
  /** Tags for every taggable resource. */
  readonly tags?: Record<string, string>;
  /** Extra tags of the target group (merged over `tags`). */
  readonly targetGroupTags?: Record<string, string>;
  /** Extra tags of the NLB listener. */
  readonly listenerTags?: Record<string, string>;
  /** Extra tags of the state bucket. */
  readonly stateBucketTags?: Record<string, string>;
  /** Extra tags of the role. */
  readonly roleTags?: Record<string, string>;
  /** Extra tags of the log group. */
  readonly logGroupTags?: Record<string, string>;
  /** Extra tags of the function. */
  readonly functionTags?: Record<string, string>;
  /** Extra tags of the schedule rule. */
  readonly scheduleTags?: Record<string, string>;
  /** Extra tags of the alarms. */
  readonly alarmTags?: Record<string, string>;

  /**
   * Give the resources the short, fixed names of a hand-kept module (`aws_lambda_function.this`).
   * Used by the module build; with it, only one AlbStaticIp fits in a stack.
   */
  readonly moduleNames?: boolean;
}

/** Where `npm run build` puts the bundle. */
export const DEFAULT_LAMBDA_DIR = fileURLToPath(new URL("../dist/lambda/", import.meta.url));

/** Settings that are not props: they follow from the design. */
export const FIXED = Object.freeze({
  handler: "index.handler",
  architecture: "arm64",
  maximumRetryAttempts: 0,
  maximumEventAgeInSeconds: 60,
  healthCheckIntervalSeconds: 10,
  healthCheckThreshold: 3,
} as const);
