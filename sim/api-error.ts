/**
 * The error every simulated AWS API throws: an AWS error code, the HTTP status and a message.
 * Each service renders it in its own protocol's error shape.
 */

/** An AWS-shaped API error (`code` as AWS spells it, e.g. `TargetGroupNotFound`). */
export class SimApiError extends Error {
  override readonly name = "SimApiError";
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra elements some protocols carry (S3: `Key`, `BucketName`, `Condition`). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** `Sender` for client errors, `Receiver` for service errors (awsQuery `<Type>`). */
  get faultType(): "Sender" | "Receiver" {
    return this.status >= 500 ? "Receiver" : "Sender";
  }
}

/** A bad argument to the simulator itself (control API, world options). */
export class SimInputError extends Error {
  override readonly name = "SimInputError";
}
