/**
 * SDK client construction with bounded retries and timeouts, so one hung call cannot eat the Lambda timeout.
 * Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` support (used by the local AWS world).
 */
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";

export interface ClientOptions {
  /** Region; undefined lets the SDK read AWS_REGION. */
  region?: string | undefined;
  /** Total attempts per call including the first (SDK standard retry mode). */
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_CLIENT_OPTIONS: ClientOptions = {
  region: undefined,
  maxAttempts: 3,
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 5_000,
};

export interface AwsClients {
  elbv2: ElasticLoadBalancingV2Client;
  s3: S3Client;
}

/** Creates the two clients (metrics need none: they go to stdout as EMF) with standard retries, bounded attempts and request/connection timeouts. */
export function createClients(options: ClientOptions = DEFAULT_CLIENT_OPTIONS): AwsClients {
  const common = {
    ...(options.region ? { region: options.region } : {}),
    maxAttempts: options.maxAttempts,
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
  return {
    elbv2: new ElasticLoadBalancingV2Client(common),
    // Path-style works with every endpoint (incl. the local world); checksums only when the API requires them.
    s3: new S3Client({ ...common, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" }),
  };
}

/** The error a call's budget ends it with ({@link withinBudget}); `awsErrorName` reads `CallBudgetExceeded`. */
export class CallBudgetExceeded extends Error {
  constructor(budgetMs: number) {
    super(
      `no answer within the call's budget of ${budgetMs} ms (AWS_MAX_ATTEMPTS × AWS_REQUEST_TIMEOUT_MS plus retry backoff); the call was abandoned and retries stopped`,
    );
    this.name = "CallBudgetExceeded";
  }
}

/**
 * Runs one SDK call (`call` passes the signal to `client.send(command, { abortSignal })`) within `budgetMs`: at
 * the budget the signal aborts it (the attempt in flight is dropped, no further attempt starts) and the promise
 * rejects with {@link CallBudgetExceeded} at once, even while the SDK sleeps before a retry. Undefined: no budget.
 * The run's timing (`lambda/timing.ts`) counts on every call ending within it.
 *
 * @example
 * await withinBudget(19_000, (abortSignal) => client.send(new PutObjectCommand(input), { abortSignal }));
 */
export async function withinBudget<T>(
  budgetMs: number | undefined,
  call: (abortSignal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (budgetMs === undefined) return call(undefined);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CallBudgetExceeded(budgetMs);
      controller.abort(error);
      reject(error);
    }, budgetMs);
  });
  const running = call(controller.signal);
  running.catch(() => {}); // after the budget nobody awaits it
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error name/code an SDK error carries (`Throttling`, `NoSuchKey`, `PreconditionFailed`, ...). */
export function awsErrorName(error: unknown): string {
  if (error && typeof error === "object") {
    const e = error as { name?: unknown; Code?: unknown };
    if (typeof e.Code === "string") return e.Code;
    if (typeof e.name === "string") return e.name;
  }
  return "UnknownError";
}

/** The HTTP status an SDK error carries, if any. */
export function awsHttpStatus(error: unknown): number | undefined {
  if (error && typeof error === "object" && "$metadata" in error) {
    const status = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}
