/** Module variables — the Lambda function, its schedule and its log group. */
import { minimumFunctionTimeoutSeconds } from "../../lambda/timing.js";
import { DEFAULTS, LOG_RETENTION_DAYS } from "./defaults.js";
import {
  KMS_KEY_ARN_PATTERN,
  LOG_GROUP_NAME_PATTERN,
  RUNTIME_PATTERN,
  SCHEDULE_PATTERN,
} from "./patterns.js";
import { type InputGroup, integerIn, matches, oneOf, tagsInput } from "./spec.js";

export const FUNCTION_INPUTS = {
  runtime: {
    variable: "runtime",
    kind: "string",
    description: "Lambda runtime; the bundle targets Node.js 24.",
    default: DEFAULTS.runtime,
    validation: matches("runtime", RUNTIME_PATTERN, "nodejs24.x or a later nodejsNN.x runtime"),
  },
  memorySize: {
    variable: "memory_size",
    kind: "number",
    description: "Lambda memory in MB (also scales CPU).",
    default: DEFAULTS.memorySize,
    validation: integerIn("memory_size", 128, 10240, "MB"),
  },
  reservedConcurrentExecutions: {
    variable: "reserved_concurrent_executions",
    kind: "number",
    description:
      "Reserved concurrency of the function. 1 (default) keeps runs from overlapping. null: unreserved, for accounts whose concurrency quota (e.g. 10 in new accounts) leaves nothing to reserve; overlapping runs are then still safe, because every state write is conditional (If-Match / If-None-Match) and a run that loses re-reads and re-plans.",
    default: DEFAULTS.reservedConcurrentExecutions,
    nullable: true,
    validation: [
      {
        condition:
          "var.reserved_concurrent_executions == null || (try(var.reserved_concurrent_executions >= 1, false) && try(floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions, false))",
        errorMessage:
          "reserved_concurrent_executions must be null (unreserved) or a whole number of at least 1.",
      },
    ],
  },
  timeout: {
    variable: "timeout",
    kind: "number",
    description: `Lambda timeout in seconds. At least the time a run needs to make a change and record it (${minimumFunctionTimeoutSeconds({ maxAttempts: DEFAULTS.awsMaxAttempts, requestTimeoutMs: DEFAULTS.awsRequestTimeoutMs })} s with the default aws_max_attempts and aws_request_timeout_ms; checked at plan time). Keep it below the schedule interval so runs do not overlap; a run normally takes under 2 s.`,
    default: DEFAULTS.timeout,
    validation: integerIn("timeout", 3, 900, "seconds"),
  },
  scheduleExpression: {
    variable: "schedule_expression",
    kind: "string",
    description:
      "EventBridge schedule of the function: rate(1 minute), rate(N minutes) or rate(N hours) up to a day. The alarm periods follow it; keep timeout below the interval.",
    default: DEFAULTS.scheduleExpression,
    validation: matches(
      "schedule_expression",
      SCHEDULE_PATTERN,
      "rate(1 minute), rate(N minutes) or rate(N hours) (N >= 2, at most a day; no cron: the alarms need the interval)",
    ),
  },
  logRetentionInDays: {
    variable: "log_retention_in_days",
    kind: "number",
    description: "Retention of the function's log group in days (0 = never expire).",
    default: DEFAULTS.logRetentionInDays,
    validation: oneOf("log_retention_in_days", LOG_RETENTION_DAYS),
  },
  logGroupKmsKeyArn: {
    variable: "log_group_kms_key_arn",
    kind: "string",
    description:
      "KMS key ARN to encrypt the log group with (the key policy must allow CloudWatch Logs). Null: service-managed encryption.",
    default: null,
    validation: matches("log_group_kms_key_arn", KMS_KEY_ARN_PATTERN, "a KMS key ARN", true),
  },
  createLogGroup: {
    variable: "create_log_group",
    kind: "bool",
    description:
      "Create the function's log group (/aws/lambda/<name>). Set to false to log to an existing group (log_group_name); the role then gets write access to that group only.",
    default: DEFAULTS.createLogGroup,
  },
  logGroupName: {
    variable: "log_group_name",
    kind: "string",
    description:
      "Name of an existing log group for the function's logs (in this region and account). Required when create_log_group is false; retention and encryption are then the group's own.",
    default: null,
    validation: matches(
      "log_group_name",
      LOG_GROUP_NAME_PATTERN,
      "a log group name of 1-512 characters [A-Za-z0-9_/.#-]",
      true,
    ),
  },
  kmsKeyArn: {
    variable: "kms_key_arn",
    kind: "string",
    description:
      "KMS key that encrypts the function's environment variables at rest. Null: the Lambda service key. The identity that applies the module needs kms:CreateGrant and kms:Encrypt on it; the function's role needs nothing (Lambda decrypts through its grant).",
    default: null,
    validation: matches("kms_key_arn", KMS_KEY_ARN_PATTERN, "a KMS key ARN", true),
  },
  tracingMode: {
    variable: "tracing_mode",
    kind: "string",
    description:
      "X-Ray tracing of the function: PassThrough (Lambda's default: trace only when the caller does) or Active. Active adds xray:PutTraceSegments and xray:PutTelemetryRecords (no resource-level permissions: on *) to the role.",
    default: DEFAULTS.tracingMode,
    validation: oneOf("tracing_mode", ["PassThrough", "Active"]),
  },
  functionTags: tagsInput("function_tags", "the function"),
  logGroupTags: tagsInput("log_group_tags", "the created log group"),
  scheduleTags: tagsInput("schedule_tags", "the schedule rule"),
} as const satisfies InputGroup;
