/**
 * The function: its log group, its deployment package, the Lambda function with the environment the
 * handler reads (lambda/config.ts) and its asynchronous-invocation settings.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config/index.js";
import { AssetType, Fn, type IResolvable, Op, TerraformAsset, TerraformLocal, Token } from "cdktf";
import type { Construct } from "constructs";
import { type BuildContext, envBool, lifecycleOf } from "./context.js";
import { envValue, isToken } from "./expr.js";
import { DEFAULTS } from "./inputs.js";
import { DEFAULT_LAMBDA_DIR, FIXED, type LambdaCode } from "./props.js";

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

/** Declares the function's log group (before the role, whose policy names it). */
export function declareLogGroup(ctx: BuildContext): CloudwatchLogGroup {
  const { scope, props, name, tags, named } = ctx;
  return named(
    new CloudwatchLogGroup(scope, "log_group", {
      name: `/aws/lambda/${name}`,
      retentionInDays: props.logRetentionInDays ?? DEFAULTS.logRetentionInDays,
      kmsKeyId: props.logGroupKmsKeyArn,
      tags,
    }),
    "this",
  );
}

/** What the function refers to. */
export interface FunctionInputs {
  readonly targetGroupArn: string;
  readonly stateBucketName: string;
  readonly logGroup: CloudwatchLogGroup;
  readonly role: IamRole;
  readonly rolePolicy: IamRolePolicy;
  /** ALLOWED_TARGET_CIDRS and ALLOW_ANY_TARGET_CIDR (allowed-cidrs.ts). */
  readonly allowedCidrs: { readonly allowedTargetCidrs: string; readonly allowAnyTargetCidr: string };
  /** ALB_ARN, ALB_VPC_ID, ALB_ROLE_ARN, ALB_ROLE_EXTERNAL_ID (discovery.ts): literal entries or a plan-time map. */
  readonly discoveryEnvironment?: Record<string, string> | IResolvable;
}

/** Declares the function and its event invoke config. */
export function declareFunction(ctx: BuildContext, inputs: FunctionInputs): LambdaFunction {
  const { scope, props, name, tags, named } = ctx;
  const { logGroup, role, rolePolicy } = inputs;
  const port = props.albListenerPort;
  const stateKeyPrefix = props.stateKeyPrefix ?? DEFAULTS.stateKeyPrefix;
  const metricNamespace = props.metricNamespace ?? DEFAULTS.metricNamespace;
  const preconditions = ctx.preconditions;
  const code = props.lambdaCode ?? lambdaCodeFromDirectory(scope, "lambda_code");
  const publishMetric = props.publishIpCountMetric ?? DEFAULTS.publishIpCountMetric;
  const environment: Record<string, string> = {
    ALB_DNS_NAME: props.albDnsName,
    ALB_LISTENER: envValue(port),
    S3_BUCKET: inputs.stateBucketName,
    NLB_TG_ARN: inputs.targetGroupArn,
    MAX_LOOKUP_PER_INVOCATION: envValue(props.maxLookupPerInvocation ?? DEFAULTS.maxLookupPerInvocation),
    INVOCATIONS_BEFORE_DEREGISTRATION: envValue(
      props.invocationsBeforeDeregistration ?? DEFAULTS.invocationsBeforeDeregistration,
    ),
    HEALTHY_INVOCATIONS_BEFORE_DEREGISTRATION: envValue(
      props.healthyInvocationsBeforeDeregistration ?? DEFAULTS.healthyInvocationsBeforeDeregistration,
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
    ALLOWED_TARGET_CIDRS: inputs.allowedCidrs.allowedTargetCidrs,
    ALLOW_ANY_TARGET_CIDR: inputs.allowedCidrs.allowAnyTargetCidr,
    NODE_OPTIONS: "--enable-source-maps",
  };
  const discoveryEnv = inputs.discoveryEnvironment;
  if (discoveryEnv !== undefined && !isToken(discoveryEnv)) Object.assign(environment, discoveryEnv);
  const dnsServers = props.dnsServers;
  let variables: Record<string, string> = environment;
  if (dnsServers !== undefined && !isToken(dnsServers) && dnsServers.length > 0) {
    environment.DNS_SERVERS = dnsServers.join(",");
  } else if (dnsServers !== undefined && isToken(dnsServers)) {
    // Decided at plan time: DNS_SERVERS only when the list is not empty (no empty variable values).
    const base = named(
      new TerraformLocal(scope, "local_function_environment", environment),
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

  if (discoveryEnv !== undefined && isToken(discoveryEnv)) {
    variables = Token.asStringMap(Fn.merge([variables, discoveryEnv]));
  }

  const fn = named(
    new LambdaFunction(scope, "function", {
      functionName: name,
      description:
        "Keeps an NLB IP-type target group in sync with the private IPs of an ALB (alb-static-ip).",
      role: role.arn,
      handler: FIXED.handler,
      runtime: props.runtime ?? DEFAULTS.runtime,
      architectures: [FIXED.architecture],
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      timeout: props.timeout ?? DEFAULTS.timeout,
      reservedConcurrentExecutions:
        props.reservedConcurrentExecutions === null
          ? undefined
          : (props.reservedConcurrentExecutions ?? DEFAULTS.reservedConcurrentExecutions),
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
    new LambdaFunctionEventInvokeConfig(scope, "event_invoke_config", {
      functionName: fn.functionName,
      maximumRetryAttempts: FIXED.maximumRetryAttempts,
      maximumEventAgeInSeconds: FIXED.maximumEventAgeInSeconds,
    }),
    "this",
  );
  return fn;
}
