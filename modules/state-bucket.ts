/**
 * The function's state bucket: created and hardened (public access blocked, owner enforced, encrypted,
 * versioned, old versions expired, TLS-only policy), or an existing bucket given by name.
 */

import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import type { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition/index.js";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket/index.js";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy/index.js";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning/index.js";
import { Fn, Token } from "cdktf";
import type { BuildContext } from "./context.js";
import { attrOf, countFor, declared, isNull, isSet, isToken } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";
import { bucketPolicyStatements } from "./policies.js";

/** What the state bucket part gives the rest of the construct. */
export interface StateBucketParts {
  /** Name of the state bucket (created or given). */
  readonly stateBucketName: string;
  /** Its ARN, built from the partition and the name. */
  readonly bucketArn: string;
  readonly bucket: S3Bucket | undefined;
}

/** Declares the hardened state bucket (unless an existing one is given). */
export function declareStateBucket(ctx: BuildContext, partition: DataAwsPartition): StateBucketParts {
  const { scope, props, name, named } = ctx;
  const createStateBucket = ctx.when(
    props.createStateBucket ?? DEFAULTS.createStateBucket,
    "create_state_bucket",
    "The module creates the state bucket (else state_bucket_name is an existing one).",
  );
  let bucket: S3Bucket | undefined;
  let createdBucketName: string | undefined;
  if (declared(createStateBucket)) {
    const count = countFor(createStateBucket);
    const givenName = props.stateBucketName;
    bucket = named(
      new S3Bucket(scope, "state_bucket", {
        count,
        bucket: givenName,
        bucketPrefix:
          givenName === undefined
            ? `${name}-`
            : isToken(givenName)
              ? Token.asString(Fn.conditional(isNull(givenName), `${name}-`, Token.nullValue()))
              : undefined,
        forceDestroy: props.stateBucketForceDestroy ?? DEFAULTS.stateBucketForceDestroy,
        tags: ctx.tagsFor(props.stateBucketTags),
      }),
      "state",
      "The function's state: one small JSON object per target group, written conditionally (If-Match), so two overlapping runs cannot overwrite each other. Without force_destroy, destroy fails once state exists: the history is not deleted silently (docs/operations.md, Operations notes).",
    );
    const bucketId = attrOf(bucket, "id");
    const publicAccessBlock = named(
      new S3BucketPublicAccessBlock(scope, "state_bucket_public_access_block", {
        count,
        bucket: bucketId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
      "state",
      "No public ACL or bucket policy can ever open the state bucket.",
    );
    named(
      new S3BucketOwnershipControls(scope, "state_bucket_ownership", {
        count,
        bucket: bucketId,
        rule: { objectOwnership: "BucketOwnerEnforced" },
      }),
      "state",
    );
    const kms = props.stateBucketKmsKeyArn;
    named(
      new S3BucketServerSideEncryptionConfigurationA(scope, "state_bucket_encryption", {
        count,
        bucket: bucketId,
        rule: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm:
                kms === undefined
                  ? "AES256"
                  : isToken(kms)
                    ? Token.asString(Fn.conditional(isNull(kms), "AES256", "aws:kms"))
                    : "aws:kms",
              kmsMasterKeyId: kms,
            },
            bucketKeyEnabled: kms === undefined ? undefined : isToken(kms) ? isSet(kms) : true,
          },
        ],
      }),
      "state",
    );
    const versioning = named(
      new S3BucketVersioningA(scope, "state_bucket_versioning", {
        count,
        bucket: bucketId,
        versioningConfiguration: { status: "Enabled" },
      }),
      "state",
      "Versioned, so an earlier state can be restored by hand; replaced versions expire after state_noncurrent_version_expiration_days.",
    );
    named(
      new S3BucketLifecycleConfiguration(scope, "state_bucket_lifecycle", {
        count,
        bucket: bucketId,
        rule: [
          {
            id: "expire-noncurrent-state-versions",
            status: "Enabled",
            filter: [{}],
            noncurrentVersionExpiration: [
              {
                noncurrentDays:
                  props.stateNoncurrentVersionExpirationDays ?? DEFAULTS.stateNoncurrentVersionExpirationDays,
              },
            ],
            abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
          },
        ],
        dependsOn: [versioning],
      }),
      "state",
    );
    const bucketPolicyDocument = named(
      new DataAwsIamPolicyDocument(scope, "state_bucket_policy_document", {
        count,
        statement: bucketPolicyStatements(attrOf(bucket, "arn")),
      }),
      "state_bucket",
      "The state bucket's policy: deny every request that is not HTTPS with TLS 1.2 or later.",
    );
    named(
      new S3BucketPolicy(scope, "state_bucket_policy", {
        count,
        bucket: bucketId,
        policy: attrOf(bucketPolicyDocument, "json"),
        dependsOn: [publicAccessBlock],
      }),
      "state",
    );
    createdBucketName = attrOf(bucket, "bucket");
  }
  ctx.requireUnless(
    createStateBucket,
    props.stateBucketName,
    "state_bucket_name is required when create_state_bucket is false.",
  );
  const stateBucketName = ctx.decided(
    createStateBucket,
    "state_bucket_name",
    createdBucketName ?? "",
    props.stateBucketName,
    'The state bucket, created or given ("" while missing: the precondition on the function names it before an ARN is built from it).',
  );
  const bucketArn = `arn:${partition.partition}:s3:::${stateBucketName}`;
  return { stateBucketName, bucketArn, bucket };
}
