/**
 * Lambda entry of the baseline (bundled by bench/bundles.ts and run by sim/lambda-runtime.ts like our handler):
 * reads the environment and creates the SDK clients at import, as the original does at module level.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";
import { type BaselineSummary, baselineConfig, runBaseline } from "./baseline.js";

const config = baselineConfig(process.env);
const clients = {
  elbv2: new ElasticLoadBalancingV2Client({}),
  // Path-style for the local endpoint; boto3 of the original's era sent no checksums.
  s3: new S3Client({ forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED" }),
  cloudwatch: new CloudWatchClient({}),
};

/** One run of the original algorithm; a failed run throws, as `sys.exit(1)` / an uncaught exception would. */
export async function handler(): Promise<BaselineSummary> {
  const summary = await runBaseline(config, clients);
  if (!summary.ok) {
    const error = new Error(summary.error ?? "baseline run failed") as Error & { summary?: BaselineSummary };
    error.summary = summary;
    throw error;
  }
  return summary;
}
