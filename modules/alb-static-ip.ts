/**
 * AlbStaticIp: everything the scheduled function needs to keep an NLB IP-type target group in sync with
 * an ALB's private IPs — the target group (and optionally the NLB listener), a hardened state bucket, a
 * least-privilege role, the log group, the function, its 1-minute schedule and two alarms.
 *
 * Every value may also be a Terraform expression (a token): that is how `npm run build:module` turns this
 * construct into the plain Terraform module, with `count` toggles and plan-time preconditions instead of
 * synth-time checks.
 */
import { fileURLToPath } from "node:url";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target/index.js";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener/index.js";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group/index.js";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy/index.js";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning/index.js";
import {
  AssetType,
  Fn,
  type IResolvable,
  Op,
  TerraformAsset,
  type TerraformElement,
  TerraformIterator,
  TerraformLocal,
  type TerraformResourceLifecycle,
  Token,
} from "cdktf";
import { Construct } from "constructs";
import { TARGET_GROUP_ARN_PATTERN } from "../lambda/config.js";
import {
  attrOf,
  choose,
  countFor,
  declared,
  envValue,
  isNull,
  isSet,
  isToken,
  optionalAttrOf,
  type Toggle,
} from "./expr.js";
import {
  ALB_DNS_NAME_PATTERN,
  BUCKET_NAME_PATTERN,
  DEFAULTS,
  LOG_RETENTION_DAYS,
  NAME_PATTERN,
  NLB_ARN_PATTERN,
  RUNTIME_PATTERN,
  SCHEDULE_PATTERN,
} from "./inputs.js";
import {
  assumeRoleStatements,
  bucketPolicyStatements,
  functionPolicyStatements,
  kmsStatement,
} from "./policies.js";

/** The deployment package: a zip path Terraform can read at plan time and its base64 SHA-256. */
export interface LambdaCode {
  readonly filename: string;
  readonly sourceCodeHash: string;
}

/** The health check protocol of the created target group. */
export type HealthCheckProtocol = "TCP" | "HTTP" | "HTTPS";

export interface AlbStaticIpProps {
  /** DNS name of the internal ALB (ALB_DNS_NAME), e.g. `internal-my-alb-123.us-east-1.elb.amazonaws.com`. */
  readonly albDnsName: string;
  /** ALB listener port (ALB_LISTENER): target port in the target group and port of the NLB listener. */
  readonly albListenerPort: number;
  /** VPC of the NLB; required when the target group is created. */
  readonly vpcId?: string;
  /** Name of the function, role, log group, rule, alarms, created target group and bucket prefix. Default `alb-static-ip`. */
  readonly name?: string;

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
  /** DISCOVERY_MODE (default dns). */
  readonly discoveryMode?: string;
  /** AWS_MAX_ATTEMPTS (default 3): attempts per AWS call. */
  readonly awsMaxAttempts?: number;
  /** AWS_REQUEST_TIMEOUT_MS (default 5000): per-attempt timeout of an AWS call. */
  readonly awsRequestTimeoutMs?: number;

  /** Alarm on LoadBalancerIPCount < 1 for 3 minutes (default true; only with `publishIpCountMetric` and without `dryRun`). */
  readonly createIpCountAlarm?: Toggle;
  /** Alarm and OK actions, e.g. SNS topic ARNs (default none). */
  readonly alarmActions?: string[];
  /** Tags for every taggable resource. */
  readonly tags?: Record<string, string>;

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
  reservedConcurrentExecutions: 1,
  maximumRetryAttempts: 0,
  maximumEventAgeInSeconds: 60,
  healthCheckIntervalSeconds: 10,
  healthCheckThreshold: 3,
  alarmPeriodSeconds: 60,
  alarmEvaluationPeriods: 3,
} as const);

/**
 * Zips a directory (default: the esbuild output) as a CDKTF asset and returns it as the deployment package.
 * Throws when the directory does not exist, with the command that creates it.
 */
export function lambdaCodeFromDirectory(
  scope: Construct,
  id: string,
  dir: string = DEFAULT_LAMBDA_DIR,
): LambdaCode {
  let asset: TerraformAsset;
  try {
    asset = new TerraformAsset(scope, id, { path: dir, type: AssetType.ARCHIVE });
  } catch (error) {
    throw new Error(
      `The Lambda bundle directory ${dir} cannot be read (${(error as Error).message}). Run "npm run build" to create dist/lambda, or pass props.lambdaCode.`,
      { cause: error },
    );
  }
  return { filename: asset.path, sourceCodeHash: Fn.filebase64sha256(asset.path) };
}

/**
 * Lists what is wrong with the literal (non-token) props: every problem at once, each with the prop, the
 * value and what is expected. Token values are checked by Terraform (variable validations, preconditions).
 */
export function propProblems(props: AlbStaticIpProps): string[] {
  const problems: string[] = [];
  const literal = (v: unknown): boolean => v !== undefined && !isToken(v);
  const check = (ok: boolean, message: string): void => {
    if (!ok) problems.push(message);
  };
  const p = props;
  if (literal(p.name))
    check(
      NAME_PATTERN.test(p.name ?? ""),
      `name ${JSON.stringify(p.name)}: use 1-32 lower-case letters, digits or hyphens`,
    );
  if (literal(p.albDnsName))
    check(
      ALB_DNS_NAME_PATTERN.test(p.albDnsName),
      `albDnsName ${JSON.stringify(p.albDnsName)}: expected the ALB's DNS name, e.g. internal-my-alb-123.us-east-1.elb.amazonaws.com`,
    );
  if (literal(p.albListenerPort))
    check(
      Number.isInteger(p.albListenerPort) && p.albListenerPort >= 1 && p.albListenerPort <= 65535,
      `albListenerPort ${p.albListenerPort}: expected a whole number from 1 to 65535`,
    );
  if (literal(p.targetGroupArn))
    check(
      TARGET_GROUP_ARN_PATTERN.test(p.targetGroupArn ?? ""),
      `targetGroupArn ${JSON.stringify(p.targetGroupArn)}: expected arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>`,
    );
  if (literal(p.nlbArn))
    check(
      NLB_ARN_PATTERN.test(p.nlbArn ?? ""),
      `nlbArn ${JSON.stringify(p.nlbArn)}: expected a Network Load Balancer ARN (…:loadbalancer/net/<name>/<id>)`,
    );
  if (literal(p.stateBucketName))
    check(
      BUCKET_NAME_PATTERN.test(p.stateBucketName ?? ""),
      `stateBucketName ${JSON.stringify(p.stateBucketName)}: expected a valid S3 bucket name`,
    );
  if (literal(p.runtime))
    check(
      RUNTIME_PATTERN.test(p.runtime ?? ""),
      `runtime ${JSON.stringify(p.runtime)}: expected nodejs24.x or later`,
    );
  if (literal(p.scheduleExpression))
    check(
      SCHEDULE_PATTERN.test(p.scheduleExpression ?? ""),
      `scheduleExpression ${JSON.stringify(p.scheduleExpression)}: expected rate(N unit) or cron(...)`,
    );
  if (literal(p.logRetentionInDays))
    check(
      (LOG_RETENTION_DAYS as readonly number[]).includes(p.logRetentionInDays ?? -1),
      `logRetentionInDays ${p.logRetentionInDays}: expected one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  if (literal(p.metricNamespace))
    check(
      !/^aws\//i.test(p.metricNamespace ?? ""),
      `metricNamespace ${JSON.stringify(p.metricNamespace)}: namespaces starting with AWS/ are reserved by CloudWatch`,
    );
  if (literal(p.timeout) && literal(p.memorySize)) {
    check((p.timeout ?? 0) >= 3 && (p.timeout ?? 0) <= 900, `timeout ${p.timeout}: expected 3-900 seconds`);
  }
  const createTg = p.createTargetGroup ?? DEFAULTS.createTargetGroup;
  if (createTg === false)
    check(
      p.targetGroupArn !== undefined,
      "createTargetGroup is false: pass targetGroupArn, the existing target group to keep in sync",
    );
  if (createTg === true)
    check(
      p.vpcId !== undefined,
      "vpcId is required to create the target group (or pass createTargetGroup: false and targetGroupArn)",
    );
  const createListener = p.createListener ?? p.nlbArn !== undefined;
  if (createListener === true)
    check(p.nlbArn !== undefined, "createListener is true: pass nlbArn, the NLB to add the TCP listener to");
  const createBucket = p.createStateBucket ?? DEFAULTS.createStateBucket;
  if (createBucket === false)
    check(
      p.stateBucketName !== undefined,
      "createStateBucket is false: pass stateBucketName, the existing bucket for the state",
    );
  return problems;
}

/** A plan-time precondition: `condition` must hold when it is an expression. */
interface Precondition {
  readonly condition: IResolvable;
  readonly errorMessage: string;
}

export class AlbStaticIp extends Construct {
  /** ARN of the target group kept in sync (created or given). */
  readonly targetGroupArn: string;
  /** ARN of the created NLB listener; null/undefined when none. */
  readonly listenerArn: string | undefined;
  /** Name of the state bucket (created or given). */
  readonly stateBucketName: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly logGroupName: string;
  readonly scheduleRuleArn: string;
  readonly errorsAlarmArn: string;
  /** ARN of the IP-count alarm; undefined (null in Terraform) when not created. */
  readonly ipCountAlarmArn: string | undefined;

  /** The resources, for escape hatches and tests. */
  readonly resources: {
    readonly targetGroup?: LbTargetGroup;
    readonly listener?: LbListener;
    readonly bucket?: S3Bucket;
    readonly role: IamRole;
    readonly function: LambdaFunction;
    readonly logGroup: CloudwatchLogGroup;
    readonly errorsAlarm: CloudwatchMetricAlarm;
    readonly ipCountAlarm?: CloudwatchMetricAlarm;
  };

  constructor(scope: Construct, id: string, props: AlbStaticIpProps) {
    super(scope, id);
    const problems = propProblems(props);
    if (problems.length > 0) {
      throw new Error(
        `AlbStaticIp "${id}": ${problems.length} invalid prop(s):\n  - ${problems.join("\n  - ")}`,
      );
    }
    const named = <T extends TerraformElement>(element: T, hclName: string): T => {
      if (props.moduleNames) element.overrideLogicalId(hclName);
      return element;
    };
    /** A conditional value, named as a local when Terraform decides it (`local.<hclName>`). */
    const decided = (
      toggle: Toggle,
      hclName: string,
      whenTrue: string,
      whenFalse: string | undefined,
    ): string => {
      const value = choose(toggle, whenTrue, whenFalse ?? nullString());
      if (!isToken(toggle)) return value;
      return named(new TerraformLocal(this, `local_${hclName}`, value), hclName).asString;
    };
    /** A plan-time precondition on the function: when `toggle` is false, `value` must be set. */
    const requireUnless = (toggle: Toggle, value: string | undefined, message: string): void => {
      if (!isToken(toggle)) return;
      preconditions.push({
        condition: value === undefined ? (toggle as IResolvable) : Op.or(toggle, isSet(value)),
        errorMessage: message,
      });
    };

    const name = props.name ?? DEFAULTS.name;
    const port = props.albListenerPort;
    const tags = props.tags;
    const preconditions: Precondition[] = [];

    const partition = named(new DataAwsPartition(this, "partition"), "current");

    // --- target group (created, or given) and the optional NLB listener -----------------------------
    const createTargetGroup = props.createTargetGroup ?? DEFAULTS.createTargetGroup;
    let targetGroup: LbTargetGroup | undefined;
    let createdTargetGroupArn: string | undefined;
    if (declared(createTargetGroup)) {
      const protocol = props.healthCheckProtocol ?? DEFAULTS.healthCheckProtocol;
      const httpOnly = <T>(value: T): T | undefined => {
        if (!isToken(protocol)) return protocol === "TCP" ? undefined : value;
        return Fn.conditional(Op.eq(protocol, "TCP"), Token.nullValue(), value) as T;
      };
      targetGroup = named(
        new LbTargetGroup(this, "target_group", {
          count: countFor(createTargetGroup),
          name,
          port,
          protocol: "TCP",
          targetType: "ip",
          vpcId: props.vpcId,
          deregistrationDelay: envValue(
            props.deregistrationDelaySeconds ?? DEFAULTS.deregistrationDelaySeconds,
          ),
          proxyProtocolV2: false,
          healthCheck: {
            enabled: true,
            protocol,
            port: "traffic-port",
            path: httpOnly(props.healthCheckPath ?? DEFAULTS.healthCheckPath),
            matcher: httpOnly("200-399"),
            interval: FIXED.healthCheckIntervalSeconds,
            healthyThreshold: FIXED.healthCheckThreshold,
            unhealthyThreshold: FIXED.healthCheckThreshold,
          },
          tags,
          lifecycle: lifecycleOf(
            isToken(props.vpcId)
              ? [
                  {
                    condition: isSet(props.vpcId ?? ""),
                    errorMessage: "vpc_id is required when create_target_group is true.",
                  },
                ]
              : [],
          ),
        }),
        "this",
      );
      createdTargetGroupArn = attrOf(targetGroup, "arn");
    }
    requireUnless(
      createTargetGroup,
      props.targetGroupArn,
      "target_group_arn is required when create_target_group is false.",
    );
    this.targetGroupArn = decided(
      createTargetGroup,
      "target_group_arn",
      createdTargetGroupArn ?? "",
      props.targetGroupArn,
    );

    const createListener = props.createListener ?? props.nlbArn !== undefined;
    let listener: LbListener | undefined;
    if (declared(createListener)) {
      listener = named(
        new LbListener(this, "listener", {
          count: countFor(createListener),
          loadBalancerArn: props.nlbArn ?? nullString(),
          port,
          protocol: "TCP",
          defaultAction: [{ type: "forward", targetGroupArn: this.targetGroupArn }],
          tags,
          lifecycle: lifecycleOf(
            isToken(props.nlbArn)
              ? [
                  {
                    condition: isSet(props.nlbArn ?? ""),
                    errorMessage: "nlb_arn is required when create_listener is true.",
                  },
                ]
              : [],
          ),
        }),
        "this",
      );
    }
    this.listenerArn = listener === undefined ? undefined : optionalAttrOf(listener, "arn");

    // --- state bucket (created and hardened, or given) -----------------------------------------------
    const createStateBucket = props.createStateBucket ?? DEFAULTS.createStateBucket;
    let bucket: S3Bucket | undefined;
    let createdBucketName: string | undefined;
    if (declared(createStateBucket)) {
      const count = countFor(createStateBucket);
      const givenName = props.stateBucketName;
      bucket = named(
        new S3Bucket(this, "state_bucket", {
          count,
          bucket: givenName,
          bucketPrefix:
            givenName === undefined
              ? `${name}-`
              : isToken(givenName)
                ? Token.asString(Fn.conditional(isNull(givenName), `${name}-`, Token.nullValue()))
                : undefined,
          forceDestroy: props.stateBucketForceDestroy ?? DEFAULTS.stateBucketForceDestroy,
          tags,
        }),
        "state",
      );
      const bucketId = attrOf(bucket, "id");
      const publicAccessBlock = named(
        new S3BucketPublicAccessBlock(this, "state_bucket_public_access_block", {
          count,
          bucket: bucketId,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
        "state",
      );
      named(
        new S3BucketOwnershipControls(this, "state_bucket_ownership", {
          count,
          bucket: bucketId,
          rule: { objectOwnership: "BucketOwnerEnforced" },
        }),
        "state",
      );
      const kms = props.stateBucketKmsKeyArn;
      named(
        new S3BucketServerSideEncryptionConfigurationA(this, "state_bucket_encryption", {
          count,
          bucket: bucketId,
          rule: [
            {
              applyServerSideEncryptionByDefault: {
                sseAlgorithm:
                  kms === undefined
                    ? "AES256"
                    : isToken(kms)
                      ? Token.asString(Fn.conditional(isNull(kms), "AES256", "aws:kms"))
                      : "aws:kms",
                kmsMasterKeyId: kms,
              },
              bucketKeyEnabled: kms === undefined ? undefined : isToken(kms) ? isSet(kms) : true,
            },
          ],
        }),
        "state",
      );
      const versioning = named(
        new S3BucketVersioningA(this, "state_bucket_versioning", {
          count,
          bucket: bucketId,
          versioningConfiguration: { status: "Enabled" },
        }),
        "state",
      );
      named(
        new S3BucketLifecycleConfiguration(this, "state_bucket_lifecycle", {
          count,
          bucket: bucketId,
          rule: [
            {
              id: "expire-noncurrent-state-versions",
              status: "Enabled",
              filter: [{}],
              noncurrentVersionExpiration: [
                {
                  noncurrentDays:
                    props.stateNoncurrentVersionExpirationDays ??
                    DEFAULTS.stateNoncurrentVersionExpirationDays,
                },
              ],
              abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
            },
          ],
          dependsOn: [versioning],
        }),
        "state",
      );
      const bucketPolicyDocument = named(
        new DataAwsIamPolicyDocument(this, "state_bucket_policy_document", {
          count,
          statement: bucketPolicyStatements(attrOf(bucket, "arn")),
        }),
        "state_bucket",
      );
      named(
        new S3BucketPolicy(this, "state_bucket_policy", {
          count,
          bucket: bucketId,
          policy: attrOf(bucketPolicyDocument, "json"),
          dependsOn: [publicAccessBlock],
        }),
        "state",
      );
      createdBucketName = attrOf(bucket, "bucket");
    }
    requireUnless(
      createStateBucket,
      props.stateBucketName,
      "state_bucket_name is required when create_state_bucket is false.",
    );
    this.stateBucketName = decided(
      createStateBucket,
      "state_bucket_name",
      createdBucketName ?? "",
      props.stateBucketName,
    );
    const bucketArn = `arn:${partition.partition}:s3:::${this.stateBucketName}`;

    // --- log group, role and its one inline policy ---------------------------------------------------
    const logGroup = named(
      new CloudwatchLogGroup(this, "log_group", {
        name: `/aws/lambda/${name}`,
        retentionInDays: props.logRetentionInDays ?? DEFAULTS.logRetentionInDays,
        kmsKeyId: props.logGroupKmsKeyArn,
        tags,
      }),
      "this",
    );

    const assumeRole = named(
      new DataAwsIamPolicyDocument(this, "assume_role_policy_document", {
        statement: assumeRoleStatements(),
      }),
      "assume_role",
    );
    const role = named(
      new IamRole(this, "role", {
        name,
        description: "Lets the alb-static-ip function keep one NLB target group in sync with an ALB's IPs.",
        assumeRolePolicy: assumeRole.json,
        tags,
      }),
      "this",
    );

    const stateKeyPrefix = props.stateKeyPrefix ?? DEFAULTS.stateKeyPrefix;
    const metricNamespace = props.metricNamespace ?? DEFAULTS.metricNamespace;
    const statements: DataAwsIamPolicyDocumentStatement[] = functionPolicyStatements({
      targetGroupArn: this.targetGroupArn,
      bucketArn,
      stateKeyPrefix,
      metricNamespace,
      logGroupArn: logGroup.arn,
    });
    const kms = props.stateBucketKmsKeyArn;
    let sourcePolicyDocuments: string[] | undefined;
    if (kms !== undefined && !isToken(kms)) statements.push(kmsStatement(kms));
    if (kms !== undefined && isToken(kms)) {
      // The key may be null at plan time: a statement per given key (zero or one).
      const keys = TerraformIterator.fromList(Token.asList(Fn.conditional(isNull(kms), [], [kms])));
      const kmsDocument = named(
        new DataAwsIamPolicyDocument(this, "kms_policy_document", {
          statement: keys.dynamic({ ...kmsStatement(Token.asString(keys.value)) }),
        }),
        "kms",
      );
      sourcePolicyDocuments = [kmsDocument.json];
    }
    const policyDocument = named(
      new DataAwsIamPolicyDocument(this, "policy_document", {
        sourcePolicyDocuments,
        statement: statements,
      }),
      "this",
    );
    const rolePolicy = named(
      new IamRolePolicy(this, "role_policy", {
        name: "alb-static-ip",
        role: role.id,
        policy: policyDocument.json,
      }),
      "this",
    );

    // --- the function ---------------------------------------------------------------------------------
    const code = props.lambdaCode ?? lambdaCodeFromDirectory(this, "lambda_code");
    const publishMetric = props.publishIpCountMetric ?? DEFAULTS.publishIpCountMetric;
    const environment: Record<string, string> = {
      ALB_DNS_NAME: props.albDnsName,
      ALB_LISTENER: envValue(port),
      S3_BUCKET: this.stateBucketName,
      NLB_TG_ARN: this.targetGroupArn,
      MAX_LOOKUP_PER_INVOCATION: envValue(props.maxLookupPerInvocation ?? DEFAULTS.maxLookupPerInvocation),
      INVOCATIONS_BEFORE_DEREGISTRATION: envValue(
        props.invocationsBeforeDeregistration ?? DEFAULTS.invocationsBeforeDeregistration,
      ),
      CW_METRIC_FLAG_IP_COUNT: envBool(publishMetric),
      SAME_VPC: envBool(props.sameVpc ?? DEFAULTS.sameVpc),
      STATE_KEY_PREFIX: stateKeyPrefix,
      DNS_TIMEOUT_MS: envValue(props.dnsTimeoutMs ?? DEFAULTS.dnsTimeoutMs),
      DNS_CONCURRENCY: envValue(props.dnsConcurrency ?? DEFAULTS.dnsConcurrency),
      MISS_PROBABILITY: envValue(props.missProbability ?? DEFAULTS.missProbability),
      MAX_DEREGISTRATIONS_PER_RUN: envValue(
        props.maxDeregistrationsPerRun ?? DEFAULTS.maxDeregistrationsPerRun,
      ),
      DRY_RUN: envBool(props.dryRun ?? DEFAULTS.dryRun),
      METRIC_NAMESPACE: metricNamespace,
      LOG_LEVEL: props.logLevel ?? DEFAULTS.logLevel,
      DISCOVERY_MODE: props.discoveryMode ?? DEFAULTS.discoveryMode,
      AWS_MAX_ATTEMPTS: envValue(props.awsMaxAttempts ?? DEFAULTS.awsMaxAttempts),
      AWS_REQUEST_TIMEOUT_MS: envValue(props.awsRequestTimeoutMs ?? DEFAULTS.awsRequestTimeoutMs),
      NODE_OPTIONS: "--enable-source-maps",
    };
    const dnsServers = props.dnsServers;
    let variables: Record<string, string> = environment;
    if (dnsServers !== undefined && !isToken(dnsServers) && dnsServers.length > 0) {
      environment.DNS_SERVERS = dnsServers.join(",");
    } else if (dnsServers !== undefined && isToken(dnsServers)) {
      // Decided at plan time: DNS_SERVERS only when the list is not empty (no empty variable values).
      const base = named(
        new TerraformLocal(this, "local_function_environment", environment),
        "function_environment",
      );
      variables = Token.asStringMap(
        Fn.merge([
          base.asStringMap,
          // (cdktf's operators drop a literal 0, hence >= 1.)
          Fn.conditional(Op.gte(Fn.lengthOf(dnsServers), 1), { DNS_SERVERS: Fn.join(",", dnsServers) }, {}),
        ]),
      );
    }

    const fn = named(
      new LambdaFunction(this, "function", {
        functionName: name,
        description:
          "Keeps an NLB IP-type target group in sync with the private IPs of an ALB (alb-static-ip).",
        role: role.arn,
        handler: FIXED.handler,
        runtime: props.runtime ?? DEFAULTS.runtime,
        architectures: [FIXED.architecture],
        memorySize: props.memorySize ?? DEFAULTS.memorySize,
        timeout: props.timeout ?? DEFAULTS.timeout,
        reservedConcurrentExecutions: FIXED.reservedConcurrentExecutions,
        filename: code.filename,
        sourceCodeHash: code.sourceCodeHash,
        environment: { variables },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        tags,
        dependsOn: [logGroup, rolePolicy],
        lifecycle: lifecycleOf(preconditions),
      }),
      "this",
    );
    named(
      new LambdaFunctionEventInvokeConfig(this, "event_invoke_config", {
        functionName: fn.functionName,
        maximumRetryAttempts: FIXED.maximumRetryAttempts,
        maximumEventAgeInSeconds: FIXED.maximumEventAgeInSeconds,
      }),
      "this",
    );

    // --- schedule ---------------------------------------------------------------------------------------
    const rule = named(
      new CloudwatchEventRule(this, "schedule", {
        name,
        description: `Runs the ${name} function (alb-static-ip) on a schedule.`,
        scheduleExpression: props.scheduleExpression ?? DEFAULTS.scheduleExpression,
        state: "ENABLED",
        tags,
      }),
      "schedule",
    );
    named(
      new CloudwatchEventTarget(this, "schedule_target", {
        rule: rule.name,
        targetId: "alb-static-ip",
        arn: fn.arn,
      }),
      "schedule",
    );
    named(
      new LambdaPermission(this, "schedule_permission", {
        statementId: "AllowScheduleRule",
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        principal: "events.amazonaws.com",
        sourceArn: rule.arn,
      }),
      "schedule",
    );

    // --- alarms ---------------------------------------------------------------------------------------------
    const alarmActions = props.alarmActions ?? [];
    const errorsAlarm = named(
      new CloudwatchMetricAlarm(this, "errors_alarm", {
        alarmName: `${name}-errors`,
        alarmDescription: `The ${name} function failed in 3 consecutive minutes: the target group is no longer kept in sync. See its log group.`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: fn.functionName },
        statistic: "Sum",
        period: FIXED.alarmPeriodSeconds,
        evaluationPeriods: FIXED.alarmEvaluationPeriods,
        datapointsToAlarm: FIXED.alarmEvaluationPeriods,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions,
        okActions: alarmActions,
        tags,
      }),
      "errors",
    );

    // No datapoints without metrics or in a dry run (which publishes none): the alarm would only ever fire.
    const dryRun = props.dryRun ?? DEFAULTS.dryRun;
    const createIpCountAlarm = andToggle(
      andToggle(props.createIpCountAlarm ?? DEFAULTS.createIpCountAlarm, publishMetric),
      isToken(dryRun) ? Op.not(dryRun) : !dryRun,
    );
    let ipCountAlarm: CloudwatchMetricAlarm | undefined;
    if (declared(createIpCountAlarm)) {
      ipCountAlarm = named(
        new CloudwatchMetricAlarm(this, "ip_count_alarm", {
          count: countFor(createIpCountAlarm),
          alarmName: `${name}-ip-count`,
          alarmDescription: `The ${name} function reported no ALB IP (or no datapoint) for 3 minutes: DNS discovery fails or the function does not run.`,
          namespace: metricNamespace,
          metricName: "LoadBalancerIPCount",
          dimensions: {
            LoadBalancerName: albDimension(props.albDnsName),
            TargetGroup: Fn.element(Fn.split(":", this.targetGroupArn), 5),
          },
          statistic: "Minimum",
          period: FIXED.alarmPeriodSeconds,
          evaluationPeriods: FIXED.alarmEvaluationPeriods,
          datapointsToAlarm: FIXED.alarmEvaluationPeriods,
          threshold: 1,
          comparisonOperator: "LessThanThreshold",
          treatMissingData: "breaching",
          alarmActions,
          okActions: alarmActions,
          tags,
        }),
        "ip_count",
      );
    }

    this.functionName = fn.functionName;
    this.functionArn = fn.arn;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.logGroupName = logGroup.name;
    this.scheduleRuleArn = rule.arn;
    this.errorsAlarmArn = errorsAlarm.arn;
    this.ipCountAlarmArn = ipCountAlarm === undefined ? undefined : optionalAttrOf(ipCountAlarm, "arn");
    this.resources = {
      targetGroup,
      listener,
      bucket,
      role,
      function: fn,
      logGroup,
      errorsAlarm,
      ipCountAlarm,
    };
  }
}

/** A string-typed Terraform null (for a conditional's unused branch). */
function nullString(): string {
  return Token.asString(Token.nullValue());
}

/** "true"/"false" for the function's boolean variables. */
function envBool(value: boolean | IResolvable): string {
  return isToken(value) ? Token.asString(Fn.tostring(value)) : String(value);
}

/** Both toggles; folded when literal. */
function andToggle(a: Toggle, b: boolean | IResolvable): Toggle {
  if (a === false || b === false) return false;
  if (a === true && b === true) return true;
  if (a === true) return b;
  if (b === true) return a;
  return Op.and(a, b);
}

/** The LoadBalancerName dimension value the function publishes: the DNS name, lower case, no trailing dot. */
function albDimension(albDnsName: string): string {
  if (!isToken(albDnsName)) return albDnsName.toLowerCase().replace(/\.$/, "");
  return Fn.lower(Fn.trimsuffix(albDnsName, "."));
}

/** A lifecycle block with the given preconditions, or none. */
function lifecycleOf(preconditions: readonly Precondition[]): TerraformResourceLifecycle | undefined {
  if (preconditions.length === 0) return undefined;
  return {
    precondition: preconditions.map((p) => ({ condition: p.condition, errorMessage: p.errorMessage })),
  };
}
