/** Module variables — the S3 bucket holding the state object. */
import { DEFAULTS } from "./defaults.js";
import { BUCKET_NAME_PATTERN, KMS_KEY_ARN_PATTERN } from "./patterns.js";
import { bucketNameValidation, type InputGroup, integerIn, matches, tagsInput } from "./spec.js";

export const STATE_BUCKET_INPUTS = {
  createStateBucket: {
    variable: "create_state_bucket",
    kind: "bool",
    description:
      "Create the hardened S3 bucket for the function's state. Set to false to use an existing bucket (state_bucket_name).",
    default: DEFAULTS.createStateBucket,
  },
  stateBucketName: {
    variable: "state_bucket_name",
    kind: "string",
    description:
      'Name of the state bucket: the name of the created bucket (null: a unique name starting with "<name>-"), or the existing bucket when create_state_bucket is false.',
    default: null,
    validation: matches(
      "state_bucket_name",
      BUCKET_NAME_PATTERN,
      "a valid S3 bucket name (3-63 lower-case letters, digits, . or -)",
      true,
    )?.concat(bucketNameValidation("state_bucket_name")),
  },
  stateBucketKmsKeyArn: {
    variable: "state_bucket_kms_key_arn",
    kind: "string",
    description:
      "KMS key ARN for the created bucket's default encryption (SSE-KMS with a bucket key) and the role's kms:Decrypt/GenerateDataKey on it. Null: SSE-S3 (AES256).",
    default: null,
    validation: matches("state_bucket_kms_key_arn", KMS_KEY_ARN_PATTERN, "a KMS key ARN", true),
  },
  stateBucketForceDestroy: {
    variable: "state_bucket_force_destroy",
    kind: "bool",
    description:
      "Allow terraform destroy to delete the created bucket with its objects and versions. False (default): once the function has written its state, destroy fails with BucketNotEmpty; apply with true first (or empty the bucket), then destroy.",
    default: DEFAULTS.stateBucketForceDestroy,
  },
  stateNoncurrentVersionExpirationDays: {
    variable: "state_noncurrent_version_expiration_days",
    kind: "number",
    description: "Days a replaced state object version is kept in the created bucket before it expires.",
    default: DEFAULTS.stateNoncurrentVersionExpirationDays,
    validation: integerIn("state_noncurrent_version_expiration_days", 1, 36500, "days"),
  },
  stateBucketTags: tagsInput("state_bucket_tags", "the created state bucket"),
} as const satisfies InputGroup;
