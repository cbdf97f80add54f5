/**
 * Shapes of the inputs the module and the construct check before the function would (at cold start); the
 * function's own patterns come from lambda/config/, so one rule set serves both.
 */
import { BUCKET_NAME_SHAPE, PARTITIONS } from "../../lambda/config/index.js";

/** Allowed `name`: lower-case letters, digits and hyphens, 1–32 characters (target group and bucket rules). */
export const NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** Shape of an ALB DNS name (the Lambda checks it again, more strictly). */
export const ALB_DNS_NAME_PATTERN = /^[A-Za-z0-9.-]+\.elb\.[a-z0-9.-]+\.?$/;
/** Shape of an NLB ARN. */
export const NLB_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer\\/net\\/[A-Za-z0-9-]{1,32}\\/[0-9a-f]{16}$`,
);
/** Shape of an ALB ARN. */
export const ALB_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer\\/app\\/[A-Za-z0-9-]{1,32}\\/[0-9a-f]{16}$`,
);
/** Shape of a VPC id. */
export const VPC_ID_PATTERN = /^vpc-[0-9a-f]{8,17}$/;
/** Shape of a KMS key ARN. */
export const KMS_KEY_ARN_PATTERN = /^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key\/[A-Za-z0-9-]+$/;
/** Shape of S3 bucket names (general purpose buckets); the finer rules are in `bucketNameValidation`. */
export const BUCKET_NAME_PATTERN = BUCKET_NAME_SHAPE;
/** STATE_KEY_PREFIX: safe key characters, ending with `/`, or empty. */
export const STATE_KEY_PREFIX_PATTERN = /^$|^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]{0,510}\/$/;
/** Runtimes the bundle (esbuild target node24) runs on. */
export const RUNTIME_PATTERN = /^nodejs(2[4-9]|[3-9][0-9])\.x$/;
/**
 * Schedules the alarms can be derived from: `rate(1 minute)`, `rate(5 minutes)`, … up to one day, with the
 * unit singular exactly for 1 (as EventBridge requires). No cron: its interval is not known to the alarms.
 */
export const SCHEDULE_PATTERN =
  /^rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]{1,3}) minutes|([2-9]|1[0-9]|2[0-4]) hours)\)$/;

/** Seconds between runs of a schedule that matches SCHEDULE_PATTERN. */
export function scheduleSeconds(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!match) throw new Error(`${JSON.stringify(expression)} is not rate(N unit)`);
  return Number(match[1]) * { minute: 60, hour: 3600, day: 86400 }[match[2] as "minute" | "hour" | "day"];
}

/** The same as an HCL expression on `var.<variable>`. */
export function scheduleSecondsHcl(variable: string): string {
  return `tonumber(regex("^rate\\\\(([0-9]+) ", var.${variable})[0]) * lookup({ minute = 60, hour = 3600, day = 86400 }, trimsuffix(regex(" ([a-z]+)\\\\)$", var.${variable})[0], "s"), 60)`;
}

/** Shape of an IAM role ARN (any partition; a path is allowed). */
export const ROLE_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):iam::[0-9]{12}:role\\/[A-Za-z0-9+=,.@_\\/-]{1,512}$`,
);
/** Shape of an IAM managed policy ARN (a permissions boundary); `aws` as account for AWS managed policies. */
export const POLICY_ARN_PATTERN = new RegExp(
  `^arn:(${PARTITIONS.join("|")}):iam::([0-9]{12}|aws):policy\\/[A-Za-z0-9+=,.@_\\/-]{1,512}$`,
);
/** An IAM path: `/` or `/a/b/`. */
export const ROLE_PATH_PATTERN = /^\/$|^\/[\x21-\x7E]{1,510}\/$/;
/** A CloudWatch Logs log group name. */
export const LOG_GROUP_NAME_PATTERN = /^[A-Za-z0-9_/.#-]{1,512}$/;
/** A key of `listeners`: it names the entry's target group, listener, alarm and dashboard. */
export const LISTENER_KEY_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;
/** ALB_ROLE_EXTERNAL_ID, as STS accepts an external id (the construct's literal check). */
export const ALB_ROLE_EXTERNAL_ID_PATTERN = /^[A-Za-z0-9_+=,.@:/-]{2,1224}$/;
/** The same for Terraform: RE2 allows no repetition count above 1000, so the length is checked apart. */
export const ALB_ROLE_EXTERNAL_ID_CHARACTERS = /^[A-Za-z0-9_+=,.@:/-]+$/;
