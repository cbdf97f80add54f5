/**
 * The CLI's SDK clients: the function's own three (lambda/aws/clients.ts) plus EC2, Lambda, EventBridge and IAM,
 * every one behind the read-only guard (cli/aws/read-only.ts). Region, credentials and endpoints come from the
 * SDK's standard chain (AWS_PROFILE / --profile, SSO, AWS_REGION / --region, AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE>).
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { guardReadOnly } from "./read-only.js";

/** Every client the CLI uses; none can write. */
export interface ReadOnlyClients {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly s3: S3Client;
  readonly cloudwatch: CloudWatchClient;
  readonly ec2: EC2Client;
  readonly lambda: LambdaClient;
  readonly events: EventBridgeClient;
  readonly iam: IAMClient;
  /** The settings every client was made with (the ENI adapter makes its own clients with them). */
  readonly settings: ClientSettings;
}

export interface ClientSettings {
  region: string | undefined;
  maxAttempts: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * Creates the guarded clients.
 *
 * @example
 * const clients = createReadOnlyClients({ region: "eu-west-1", maxAttempts: 3, connectionTimeoutMs: 2000, requestTimeoutMs: 10000 });
 */
export function createReadOnlyClients(settings: ClientSettings): ReadOnlyClients {
  const common = {
    ...(settings.region ? { region: settings.region } : {}),
    maxAttempts: settings.maxAttempts,
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
  return {
    elbv2: guardReadOnly(new ElasticLoadBalancingV2Client(common)),
    s3: guardReadOnly(
      new S3Client({ ...common, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" }),
    ),
    cloudwatch: guardReadOnly(new CloudWatchClient(common)),
    ec2: guardReadOnly(new EC2Client(common)),
    lambda: guardReadOnly(new LambdaClient(common)),
    events: guardReadOnly(new EventBridgeClient(common)),
    // IAM is global; its endpoint is the partition's (or AWS_ENDPOINT_URL_IAM).
    iam: guardReadOnly(new IAMClient(common)),
    settings,
  };
}

/** Error names that mean the credentials are missing, expired or wrong (exit 2). */
const CREDENTIAL_ERRORS = new Set([
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AuthFailure",
  "TokenRefreshRequired",
]);

/** The credential error inside `error` (or its causes), if there is one. */
export function credentialFailure(error: unknown): Error | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const name = (e as { Code?: unknown }).Code ?? e.name;
    if (typeof name === "string" && CREDENTIAL_ERRORS.has(name)) return e;
  }
  return undefined;
}
