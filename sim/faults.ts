/**
 * Fault and latency injection for the simulated AWS APIs: the validated fault-set format of the
 * control API and the engine that decides, call by call, whether to pass, delay, fail or hang.
 */
import { z } from "zod";
import { SimApiError, SimInputError } from "./api-error.js";
import type { DnsFault } from "./dns.js";
import type { Random } from "./random.js";

/** Every simulated AWS API a fault can target. */
export const AWS_API_NAMES = [
  "elbv2:DescribeTargetGroups",
  "elbv2:DescribeTargetHealth",
  "elbv2:RegisterTargets",
  "elbv2:DeregisterTargets",
  "s3:GetObject",
  "s3:PutObject",
  "s3:HeadObject",
  "s3:DeleteObject",
  "s3:ListObjectsV2",
  "s3:CreateBucket",
  "cloudwatch:PutMetricData",
  "ec2:DescribeNetworkInterfaces",
  /** Only DescribeNetworkInterfaces calls with a NextToken: a page failing in the middle of a pagination. */
  "ec2:DescribeNetworkInterfaces:nextPage",
  "sts:AssumeRole",
  // The network and the deployed function, as the operator CLI reads them (sim/network.ts).
  "elbv2:DescribeLoadBalancers",
  "elbv2:DescribeListeners",
  "elbv2:DescribeLoadBalancerAttributes",
  "elbv2:DescribeTargetGroupAttributes",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeRouteTables",
  "lambda:GetFunctionConfiguration",
  "events:ListRuleNamesByTarget",
  "events:DescribeRule",
  "iam:SimulatePrincipalPolicy",
  "cloudwatch:GetMetricStatistics",
] as const;

/** `service:Operation`, e.g. `elbv2:RegisterTargets`. */
export type AwsApiName = (typeof AWS_API_NAMES)[number];

/** What happens to calls of one API. */
export interface ApiFault {
  /** AWS error code to answer with, e.g. `Throttling`, `AccessDenied`, `InternalFailure`. */
  error?: string;
  /** HTTP status of the error; default from the code (Throttling 400, InternalFailure 500, …). */
  status?: number;
  /** Error message; default a message like AWS's for known codes. */
  message?: string;
  /** Accept the request and never answer (until the client gives up). */
  hang?: boolean;
  /** Extra delay before answering (or failing), in ms. */
  latencyMs?: number;
  /** Chance, 0..1, that a call is affected. Default 1. */
  probability?: number;
  /** Affect only the next N affected calls. Default: until replaced. Counts down in `GET /faults`. */
  remaining?: number;
  /** Let the first N calls the fault would affect pass first (e.g. 1: only a run's second S3 write fails). */
  skip?: number;
  /** ELBv2 only: affect only calls about this target group (its ARN); calls about others pass. */
  targetGroupArn?: string;
}

/** A token bucket shared by every ELBv2 API, like the per-account ELBv2 rate limit. */
export interface ThrottleSpec {
  /** Bucket size (AWS Describe*: 40). */
  burst: number;
  /** Tokens added per second (AWS Describe*: 10). */
  refillPerSecond: number;
}

/** Default latency per service, in ms. */
export interface LatencySpec {
  dns?: number;
  aws?: number;
}

/** The whole fault configuration; `POST /faults` replaces it, `{}` clears it. */
export type FaultSet = {
  latency?: LatencySpec;
  dns?: DnsFault | null;
  elbv2Throttle?: ThrottleSpec | null;
} & { [K in AwsApiName]?: ApiFault };

/** What to do with one call. */
export type Verdict =
  | { kind: "pass"; latencyMs: number }
  | { kind: "hang"; latencyMs: number }
  | { kind: "error"; latencyMs: number; error: SimApiError };

const DEFAULT_STATUS: Readonly<Record<string, number>> = {
  Throttling: 400,
  ThrottlingException: 400,
  TooManyRequestsException: 429,
  RequestLimitExceeded: 503,
  SlowDown: 503,
  InternalFailure: 500,
  InternalError: 500,
  InternalServiceError: 500,
  ServiceUnavailable: 503,
  AccessDenied: 403,
  UnauthorizedOperation: 403,
  AccessDeniedException: 400,
  ExpiredToken: 400,
  PreconditionFailed: 412,
  ConditionalRequestConflict: 409,
  NoSuchKey: 404,
  NoSuchBucket: 404,
};

const DEFAULT_MESSAGE: Readonly<Record<string, string>> = {
  Throttling: "Rate exceeded",
  ThrottlingException: "Rate exceeded",
  SlowDown: "Please reduce your request rate.",
  InternalFailure: "The request processing has failed because of an unknown error, exception or failure.",
  InternalError: "We encountered an internal error. Please try again.",
  ServiceUnavailable: "The service is unavailable. Please try again shortly.",
  AccessDenied: "User is not authorized to perform this operation (injected AccessDenied)",
  RequestLimitExceeded: "Request limit exceeded.",
  UnauthorizedOperation: "You are not authorized to perform this operation. (injected UnauthorizedOperation)",
  ConditionalRequestConflict:
    "A conflicting conditional operation is currently in progress against this resource.",
};

/** The HTTP status an error code gets when a fault does not name one. */
export function defaultStatus(code: string): number {
  return DEFAULT_STATUS[code] ?? 400;
}

const apiFaultSchema = z
  .strictObject({
    error: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9.]*$/, "an AWS error code like Throttling or AccessDenied")
      .optional(),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    hang: z.boolean().optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    probability: z.number().min(0).max(1).optional(),
    remaining: z.number().int().min(0).optional(),
    skip: z.number().int().min(0).optional(),
    targetGroupArn: z.string().min(1).optional(),
  })
  .refine((f) => f.error !== undefined || f.hang === true || f.latencyMs !== undefined, {
    message: "a fault needs at least one of error, hang: true or latencyMs",
  });

const dnsFaultSchema = z.strictObject({
  mode: z.enum(["servfail", "nxdomain", "refused", "timeout", "empty", "truncate", "flap"]),
  probability: z.number().min(0).max(1).optional(),
  remaining: z.number().int().min(0).optional(),
});

const faultSetSchema = z.strictObject({
  latency: z
    .strictObject({
      dns: z.number().int().min(0).max(60_000).optional(),
      aws: z.number().int().min(0).max(600_000).optional(),
    })
    .optional(),
  dns: dnsFaultSchema.nullable().optional(),
  elbv2Throttle: z
    .strictObject({ burst: z.number().int().min(1), refillPerSecond: z.number().min(0) })
    .nullable()
    .optional(),
  ...Object.fromEntries(AWS_API_NAMES.map((name) => [name, apiFaultSchema.optional()])),
});

/**
 * Validate a fault set from JSON; throws a SimInputError listing every problem and the valid keys.
 *
 * @example
 * parseFaultSet({ "elbv2:RegisterTargets": { error: "Throttling", remaining: 2 } });
 */
export function parseFaultSet(input: unknown): FaultSet {
  const result = faultSetSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new SimInputError(
      `Invalid fault set: ${z.prettifyError(result.error)}\n` +
        `Valid keys: latency, dns, elbv2Throttle, ${AWS_API_NAMES.join(", ")}.`,
    );
  }
  return structuredClone(result.data) as FaultSet;
}

/** Decides the fate of each simulated AWS call from the current fault set. */
export class FaultEngine {
  private faults: FaultSet = {};
  private tokens = 0;
  private refilledAt = 0;

  constructor(
    private readonly random: Random,
    private readonly clock: () => number,
    private readonly baseLatency: Readonly<LatencySpec>,
  ) {}

  /** Replace the fault set (already validated by {@link parseFaultSet}). */
  replace(faults: FaultSet): void {
    this.faults = structuredClone(faults);
    const throttle = this.faults.elbv2Throttle;
    this.tokens = throttle ? throttle.burst : 0;
    this.refilledAt = this.clock();
  }

  /** The current fault set, with `remaining` counted down. */
  current(): FaultSet {
    return structuredClone(this.faults);
  }

  /** Latency for every AWS call, in ms. */
  awsLatency(): number {
    return this.faults.latency?.aws ?? this.baseLatency.aws ?? 0;
  }

  /** Latency for every DNS answer, in ms. */
  dnsLatency(): number {
    return this.faults.latency?.dns ?? this.baseLatency.dns ?? 0;
  }

  /**
   * Decide one call of `api` (counting down `remaining`, taking a throttle token); `targetGroupArn` is the
   * target group an ELBv2 call is about, for faults aimed at one group.
   */
  decide(api: string, targetGroupArn?: string): Verdict {
    let latencyMs = this.awsLatency();
    const fault = (this.faults as Record<string, ApiFault | undefined>)[api];
    const aimed = fault?.targetGroupArn === undefined || fault.targetGroupArn === targetGroupArn;
    if (fault && aimed && this.applies(fault)) {
      latencyMs += fault.latencyMs ?? 0;
      if (fault.hang) return { kind: "hang", latencyMs };
      if (fault.error !== undefined) {
        const status = fault.status ?? defaultStatus(fault.error);
        const message = fault.message ?? DEFAULT_MESSAGE[fault.error] ?? `Injected ${fault.error} for ${api}`;
        return { kind: "error", latencyMs, error: new SimApiError(fault.error, message, status) };
      }
    }
    if (api.startsWith("elbv2:") && !this.takeToken()) {
      return { kind: "error", latencyMs, error: new SimApiError("Throttling", "Rate exceeded", 400) };
    }
    return { kind: "pass", latencyMs };
  }

  private applies(fault: ApiFault): boolean {
    if (fault.remaining !== undefined && fault.remaining <= 0) return false;
    if (this.random() >= (fault.probability ?? 1)) return false;
    if (fault.skip !== undefined && fault.skip > 0) {
      fault.skip -= 1;
      return false;
    }
    if (fault.remaining !== undefined) fault.remaining -= 1;
    return true;
  }

  private takeToken(): boolean {
    const throttle = this.faults.elbv2Throttle;
    if (!throttle) return true;
    const now = this.clock();
    this.tokens = Math.min(
      throttle.burst,
      this.tokens + ((now - this.refilledAt) / 1000) * throttle.refillPerSecond,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
