/**
 * The function: its log group, its deployment package, the Lambda function with the environment the
 * handler reads (lambda/config/load.ts) and its asynchronous-invocation settings.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config/index.js";
import { AssetType, Fn, type IResolvable, Op, TerraformAsset, TerraformLocal, Token } from "cdktf";
import type { Construct } from "constructs";
import { CONFIG_RANGES } from "../lambda/config/index.js";
import { minimumFunctionTimeoutSeconds, runDeadlines } from "../lambda/timing.js";
import { type BuildContext, envBool } from "./context.js";
import { attrOf, choose, countFor, declared, envValue, isToken } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";
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

/** The function's log group: created, or the existing one given by name. */
export interface LogGroupParts {
  readonly logGroupName: string;
  /** ARN of the group (without the `:*` suffix). */
  readonly logGroupArn: string;
  readonly logGroup: CloudwatchLogGroup | undefined;
}

/** Where the ARN of a given log group is built from. */
export interface LogGroupArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** Declares the function's log group (before the role, whose policy names it), unless an existing one is given. */
export function declareLogGroup(ctx: BuildContext, arnParts: () => LogGroupArnParts): LogGroupParts {
  const { scope, props, name, named } = ctx;
  const createLogGroup = ctx.when(
    props.createLogGroup ?? DEFAULTS.createLogGroup,
    "create_log_group",
    "The module creates the function's log group (else log_group_name is an existing one).",
  );
  let logGroup: CloudwatchLogGroup | undefined;
  let createdName: string | undefined;
  let createdArn: string | undefined;
  if (declared(createLogGroup)) {
    logGroup = named(
      new CloudwatchLogGroup(scope, "log_group", {
        count: countFor(createLogGroup),
        name: `/aws/lambda/${name}`,
        retentionInDays: props.logRetentionInDays ?? DEFAULTS.logRetentionInDays,
        kmsKeyId: props.logGroupKmsKeyArn,
        tags: ctx.tagsFor(props.logGroupTags),
      }),
      "this",
      "Created before the function (depends_on there), so the role needs no logs:CreateLogGroup.",
    );
    createdName = attrOf(logGroup, "name");
    createdArn = attrOf(logGroup, "arn");
  }
  ctx.requireUnless(
    createLogGroup,
    props.logGroupName,
    "log_group_name is required when create_log_group is false.",
  );
  const logGroupName = ctx.decided(
    createLogGroup,
    "log_group_name",
    createdName ?? "",
    props.logGroupName,
    "The function's log group, created or given.",
  );
  if (createLogGroup === true) return { logGroupName, logGroupArn: createdArn ?? "", logGroup };
  const { partition, region, accountId } = arnParts();
  const givenArn = `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`;
  if (createdArn === undefined) return { logGroupName, logGroupArn: givenArn, logGroup };
  // A local, so the policy's `<arn>:*` is a plain interpolation (a conditional inside a template reads back
  // from HCL as a %{if} directive).
  const logGroupArn = named(
    new TerraformLocal(scope, "local_log_group_arn", choose(createLogGroup, createdArn, givenArn)),
    "log_group_arn",
    "The log group's ARN; a given group's is built from its name (no look-up, no extra permission).",
  ).asString;
  return { logGroupName, logGroupArn, logGroup };
}

/** The function's targets with `listeners` (listeners.ts decides them). */
export interface ListenerTargets {
  /** Whether the one-listener shorthand is in use: the function then keeps ALB_LISTENER / NLB_TG_ARN. */
  readonly shorthand: string;
  /** The ARN of the entry `default`, else of the first entry (NLB_TG_ARN with the shorthand). */
  readonly primaryTargetGroupArn: string;
  /** TARGET_GROUPS: `PORT=ARN` per entry. */
  readonly targetGroupsEnv: string;
}

/** What the function refers to. */
export interface FunctionInputs {
  /** The one target group (ALB_LISTENER + NLB_TG_ARN), or the entries of `listeners`. */
  readonly targets: { readonly targetGroupArn: string } | { readonly listeners: ListenerTargets };
  readonly stateBucketName: string;
  readonly logGroup: LogGroupParts;
  readonly roleArn: string;
  /** The created role's policy (the function waits for it); undefined with a given role. */
  readonly rolePolicy: IamRolePolicy | undefined;
  /** ALLOWED_TARGET_CIDRS and ALLOW_ANY_TARGET_CIDR (allowed-cidrs.ts). */
  readonly allowedCidrs: { readonly allowedTargetCidrs: string; readonly allowAnyTargetCidr: string };
  /** ALB_ARN, ALB_VPC_ID, ALB_ROLE_ARN, ALB_ROLE_EXTERNAL_ID (discovery.ts): literal entries or a plan-time map. */
  readonly discoveryEnvironment?: Record<string, string> | IResolvable;
}

/** Declares the function and its event invoke config. */
export function declareFunction(ctx: BuildContext, inputs: FunctionInputs): LambdaFunction {
  const { scope, props, name, named } = ctx;
  const { logGroup, rolePolicy } = inputs;
  const stateKeyPrefix = props.stateKeyPrefix ?? DEFAULTS.stateKeyPrefix;
  const metricNamespace = props.metricNamespace ?? DEFAULTS.metricNamespace;
  const preconditions = ctx.preconditions;
  declareTimeoutPrecondition(ctx);
  const code = props.lambdaCode ?? lambdaCodeFromDirectory(scope, "lambda_code");
  const publishMetric = props.publishIpCountMetric ?? DEFAULTS.publishIpCountMetric;
  const environment: Record<string, string> = {
    ALB_DNS_NAME: props.albDnsName,
    S3_BUCKET: inputs.stateBucketName,
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
  // The targets: the original pair, or TARGET_GROUPS (a shorthand deployment keeps the original pair, so an
  // upgrade into `listeners` plans no change of the function).
  const targets = inputs.targets;
  const decidedTargets: IResolvable[] = [];
  if ("targetGroupArn" in targets) {
    environment.ALB_LISTENER = envValue(props.albListenerPort ?? 0);
    environment.NLB_TG_ARN = targets.targetGroupArn;
  } else {
    const l = targets.listeners;
    decidedTargets.push(
      Fn.conditional(
        l.shorthand,
        {
          ALB_LISTENER: envValue(props.albListenerPort ?? 0),
          NLB_TG_ARN: l.primaryTargetGroupArn,
        },
        { TARGET_GROUPS: l.targetGroupsEnv },
      ),
    );
  }
  // CLEANUP_UNSERVED_PORTS only when asked for, so that an upgrade plans no change of the function.
  const cleanupUnservedPorts = props.cleanupUnservedPorts ?? DEFAULTS.cleanupUnservedPorts;
  const decidedCleanup: IResolvable[] = [];
  if (cleanupUnservedPorts === true) environment.CLEANUP_UNSERVED_PORTS = "true";
  else if (isToken(cleanupUnservedPorts))
    decidedCleanup.push(Fn.conditional(cleanupUnservedPorts, { CLEANUP_UNSERVED_PORTS: "true" }, {}));
  const discoveryEnv = inputs.discoveryEnvironment;
  if (discoveryEnv !== undefined && !isToken(discoveryEnv)) Object.assign(environment, discoveryEnv);
  const dnsServers = props.dnsServers;
  let variables: Record<string, string> = environment;
  if (dnsServers !== undefined && !isToken(dnsServers) && dnsServers.length > 0) {
    environment.DNS_SERVERS = dnsServers.join(",");
  }
  if (dnsServers !== undefined && isToken(dnsServers)) {
    // Decided at plan time: DNS_SERVERS only when the list is not empty (no empty variable values).
    const base = named(
      new TerraformLocal(scope, "local_function_environment", environment),
      "function_environment",
      "The function's settings (README, Configuration), one environment variable each; the targets, DNS_SERVERS, CLEANUP_UNSERVED_PORTS and the discovery settings are merged in on the function when set.",
    );
    variables = Token.asStringMap(
      Fn.merge([
        base.asStringMap,
        ...decidedTargets,
        // (cdktf's operators drop a literal 0, hence >= 1.)
        Fn.conditional(Op.gte(Fn.lengthOf(dnsServers), 1), { DNS_SERVERS: Fn.join(",", dnsServers) }, {}),
        ...decidedCleanup,
      ]),
    );
  } else if (decidedTargets.length > 0 || decidedCleanup.length > 0) {
    variables = Token.asStringMap(Fn.merge([environment, ...decidedTargets, ...decidedCleanup]));
  }

  if (discoveryEnv !== undefined && isToken(discoveryEnv)) {
    variables = Token.asStringMap(Fn.merge([variables, discoveryEnv]));
  }

  const fn = named(
    new LambdaFunction(scope, "function", {
      functionName: name,
      description:
        "Keeps an NLB IP-type target group in sync with the private IPs of an ALB (alb-static-ip).",
      count: ctx.count(),
      role: inputs.roleArn,
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
      kmsKeyArn: props.kmsKeyArn,
      tracingConfig: { mode: props.tracingMode ?? DEFAULTS.tracingMode },
      loggingConfig: { logFormat: "Text", logGroup: logGroup.logGroupName },
      tags: ctx.tagsFor(props.functionTags),
      dependsOn: [logGroup.logGroup, rolePolicy].filter((d) => d !== undefined),
      lifecycle: ctx.lifecycle(preconditions),
    }),
    "this",
    "The sync: reserved concurrency 1 by default, so runs never overlap (null: unreserved, still safe because every state write is conditional). The preconditions check at plan time what the function would reject at cold start.",
  );
  named(
    new LambdaFunctionEventInvokeConfig(scope, "event_invoke_config", {
      count: ctx.count(),
      functionName: attrOf(fn, "function_name"),
      maximumRetryAttempts: FIXED.maximumRetryAttempts,
      maximumEventAgeInSeconds: FIXED.maximumEventAgeInSeconds,
    }),
    "this",
    "No retries and no stale events: a failed run is superseded by the next scheduled one; a retry would only overlap with it.",
  );
  return fn;
}

/**
 * The time a run needs to make a change and record it (lambda/timing.ts, `requiredMs`) as
 * `constant + perAttempt·a + perTimeoutMs·t + perAttemptTimeoutMs·a·t` milliseconds, a = AWS_MAX_ATTEMPTS and
 * t = AWS_REQUEST_TIMEOUT_MS. The coefficients are read off timing.ts itself, never restated here; the result is
 * checked against `minimumFunctionTimeoutSeconds` over the settings' ranges, and a timing.ts that stops being of
 * this form fails the build instead of a plan-time check that disagrees with the function.
 */
export interface TimeoutTerms {
  readonly constant: number;
  readonly perAttempt: number;
  readonly perTimeoutMs: number;
  readonly perAttemptTimeoutMs: number;
}

/** {@link TimeoutTerms} of lambda/timing.ts. */
export function minimumTimeoutTerms(): TimeoutTerms {
  const ms = (maxAttempts: number, requestTimeoutMs: number): number =>
    runDeadlines(0, 0, { maxAttempts, requestTimeoutMs }).requiredMs;
  const step = 1000;
  const perAttempt = ms(2, 0) - ms(1, 0);
  const constant = ms(1, 0) - perAttempt;
  const perAttemptTimeoutMs = (ms(2, step) - ms(1, step) - perAttempt) / step;
  const perTimeoutMs = (ms(1, step) - ms(1, 0) - perAttemptTimeoutMs * step) / step;
  const terms = { constant, perAttempt, perTimeoutMs, perAttemptTimeoutMs };
  const a = CONFIG_RANGES.AWS_MAX_ATTEMPTS;
  const t = CONFIG_RANGES.AWS_REQUEST_TIMEOUT_MS;
  for (let attempts = a.min; attempts <= a.max; attempts += 1) {
    for (const timeoutMs of [t.min, t.min + 1, 999, 1000, 1001, 2345, 5000, t.max - 1, t.max]) {
      const limits = { maxAttempts: attempts, requestTimeoutMs: timeoutMs };
      if (
        Math.ceil(requiredMsOf(terms, attempts, timeoutMs) / 1000) !== minimumFunctionTimeoutSeconds(limits)
      ) {
        throw new Error(
          `lambda/timing.ts: the minimum function timeout is no longer linear in AWS_MAX_ATTEMPTS, AWS_REQUEST_TIMEOUT_MS and their product (at ${attempts} attempts of ${timeoutMs} ms); update the plan-time check in modules/function.ts`,
        );
      }
    }
  }
  return terms;
}

/** `terms` at `a` attempts of `t` ms. */
export function requiredMsOf(terms: TimeoutTerms, a: number, t: number): number {
  return terms.constant + terms.perAttempt * a + terms.perTimeoutMs * t + terms.perAttemptTimeoutMs * a * t;
}

/**
 * Module (or token props): a precondition that the function timeout holds what a run needs to make a change and
 * record it, with a message naming the minimum. Literal props are checked at synth (prop-checks.ts).
 */
function declareTimeoutPrecondition(ctx: BuildContext): void {
  const { props } = ctx;
  const timeout = props.timeout ?? DEFAULTS.timeout;
  const attempts = props.awsMaxAttempts ?? DEFAULTS.awsMaxAttempts;
  const timeoutMs = props.awsRequestTimeoutMs ?? DEFAULTS.awsRequestTimeoutMs;
  if (!isToken(timeout) && !isToken(attempts) && !isToken(timeoutMs)) return;
  const terms = minimumTimeoutTerms();
  // Literal settings are folded into the coefficients; what is left is a sum of terms over the variables.
  const a = isToken(attempts) ? undefined : attempts;
  const t = isToken(timeoutMs) ? undefined : timeoutMs;
  const constant = requiredMsOf(terms, a ?? 0, t ?? 0);
  const perA = a === undefined ? terms.perAttempt + terms.perAttemptTimeoutMs * (t ?? 0) : 0;
  const perT = t === undefined ? terms.perTimeoutMs + terms.perAttemptTimeoutMs * (a ?? 0) : 0;
  const perAT = a === undefined && t === undefined ? terms.perAttemptTimeoutMs : 0;
  const term = (k: number, x: number | IResolvable): number | IResolvable => (k === 1 ? x : Op.mul(k, x));
  const parts: (number | IResolvable)[] = [];
  if (perAT !== 0) parts.push(term(perAT, Op.mul(attempts, timeoutMs)));
  if (perA !== 0) parts.push(term(perA, attempts));
  if (perT !== 0) parts.push(term(perT, timeoutMs));
  let minimum: number;
  if (parts.length === 0) {
    minimum = Math.ceil(constant / 1000);
  } else {
    let sum = parts
      .slice(1)
      .reduce<number | IResolvable>((acc, p) => Op.add(acc, p), parts[0] as IResolvable);
    // (cdktf's operators drop a literal 0: no zero term is written.)
    if (constant > 0) sum = Op.add(sum, constant);
    if (constant < 0) sum = Op.sub(sum, -constant);
    minimum = Token.asNumber(
      ctx.expression(
        "minimum_function_timeout",
        Token.asString(Fn.ceil(Token.asNumber(Op.div(sum, 1000)))),
        'The shortest function timeout with which a run can make a change and record it: each may take aws_max_attempts × aws_request_timeout_ms plus 2 s of backoff per retry, and discovery needs 2 s (docs/operations.md, Operations notes, "Function timeout"; the function computes the same).',
      ),
    );
  }
  const text = (value: number): string => (isToken(value) ? Token.asString(value) : String(value));
  // Terraform shows the variables' values beside the message; Lambda allows at most 900 s.
  ctx.preconditions.push({
    condition: Op.gte(timeout, minimum),
    errorMessage: `timeout must be at least ${text(minimum)} s to make a change and record it with this aws_max_attempts and aws_request_timeout_ms (or lower those).`,
  });
}
