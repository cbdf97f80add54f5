/**
 * Typed errors. Every error carries a stable snake_case `code` that also appears in the
 * summary log line and as the `Reason` dimension of the failure metric.
 */
export class AlbStaticIpError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found while validating the environment. */
export interface ConfigIssue {
  /** Environment variable name, e.g. `ALB_LISTENER`. */
  variable: string;
  /** The offending value as given (redacted when it looks secret, shortened when long), or `undefined` when missing. */
  value: string | undefined;
  /** What is expected, phrased so the user knows what to set. */
  expected: string;
  /** A stable snake_case code of the problem, when the check gives one (e.g. `target_cidr_any`). */
  code?: string | undefined;
}

/** The environment is invalid. Thrown once at cold start, listing every problem. */
export class ConfigError extends AlbStaticIpError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map(
      (i) =>
        `  - ${i.variable}${i.code === undefined ? "" : ` (${i.code})`}: ${i.value === undefined ? "not set" : `got ${JSON.stringify(i.value)}`}; expected ${i.expected}`,
    );
    super(
      "config_invalid",
      `Invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}); fix the Lambda environment variables:\n${lines.join("\n")}`,
    );
    this.issues = issues;
  }
}

/** DNS discovery could not produce a usable observation (e.g. no name server could be found). */
export class DiscoveryError extends AlbStaticIpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("discovery_failed", message, options);
  }
}

/** The stored state object is unreadable, of the wrong schema, or belongs to another target group. */
export class StateError extends AlbStaticIpError {
  constructor(
    code: "state_corrupt" | "state_foreign" | "state_schema" | "state_newer",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Another invocation wrote the state first (S3 412/409) twice in a row. */
export class StateConflictError extends AlbStaticIpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("state_conflict", message, options);
  }
}

/** An AWS call failed after the SDK's retries. `code` names the call, e.g. `register_targets_error`. */
export class AwsCallError extends AlbStaticIpError {
  readonly operation: string;

  constructor(code: string, operation: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.operation = operation;
  }
}
