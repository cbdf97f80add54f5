/**
 * The IAM and bucket policy statements of AlbStaticIp, as data. Least privilege, statement by statement:
 * - RegisterTargets/DeregisterTargets on this one target group ARN;
 * - DescribeTargetHealth and DescribeTargetGroups (each group's IP address type, read once per container) on
 *   "*": ELBv2 Describe* actions support no resource-level permissions (the Service
 *   Authorization Reference lists no resource type for them; the AWS Load Balancer Controller's reference
 *   policy grants them on "*" for the same reason);
 * - s3:GetObject/PutObject on `<bucket>/<state_key_prefix>*` only (the key embeds the target group name and
 *   id, which for a created target group are known only after apply, hence the prefix-wide pattern;
 *   conditional writes with If-Match need both actions);
 * - s3:ListBucket on the bucket, so a missing state object reads as 404 NoSuchKey (first run) instead of
 *   403 AccessDenied; without a condition, because S3's implicit check for GetObject carries no s3:prefix;
 * - logs:CreateLogStream/PutLogEvents on the function's own log group (created, or the given one); no
 *   logs:CreateLogGroup (the group exists before the function). Metrics travel in those logs (CloudWatch embedded
 *   metric format), so there is no cloudwatch:PutMetricData;
 * - optional: kms:Decrypt/GenerateDataKey on the state bucket's key; X-Ray writes with active tracing.
 */
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import type { IResolvable } from "cdktf";

/** A statement that is in the policy only when `present` holds (literal, or a dynamic block of zero or one). */
export interface OptionalStatement {
  readonly present: boolean | IResolvable;
  /** Name of its policy document in the module (`data.aws_iam_policy_document.<hclName>`). */
  readonly hclName: string;
  readonly statement: (value: string) => DataAwsIamPolicyDocumentStatement;
  readonly value: string;
}

/**
 * Why each statement is there, by sid: written above the statement in the generated module (iam.tf, s3.tf), so a
 * security review reads the reason next to the grant. SECURITY.md says the same for users.
 */
export const STATEMENT_COMMENTS: Readonly<Record<string, string>> = Object.freeze({
  SyncTargetsOfThisTargetGroup:
    "The only write to the load balancers: register and deregister on exactly the target groups kept in sync.",
  ReadTargetHealth:
    'ELBv2 Describe actions support no resource-level permissions (Service Authorization Reference), so "*" is the narrowest resource. DescribeTargetGroups reads each group\'s IP address type once per container.',
  ReadWriteStateObject:
    "Only the state objects below state_key_prefix: their keys embed the target group's name and id, which a created group has only after apply, hence the prefix. A conditional write (If-Match) needs s3:GetObject as well as s3:PutObject.",
  MissingStateIsNotFound:
    "s3:ListBucket on the bucket, so that a missing state object (the first run) reads as 404 NoSuchKey, not 403 AccessDenied. No s3:prefix condition: the implicit check of a GetObject carries none.",
  WriteOwnLogGroup:
    "Its own log group only, which exists before the function (so no logs:CreateLogGroup). The metrics travel in these logs (embedded metric format), so the role has no cloudwatch:PutMetricData.",
  UseStateBucketKey: "The state bucket's KMS key (SSE-KMS), only when state_bucket_kms_key_arn is set.",
  WriteTraces:
    'X-Ray writes (as in AWSXRayDaemonWriteAccess), only with tracing_mode = "Active"; X-Ray defines no resource types for them.',
  DescribeAlbInterfaces:
    'ENI discovery in this account, only with discovery_mode = "eni" and no alb_role_arn. ec2:DescribeNetworkInterfaces supports no resource-level permissions.',
  AssumeAlbAccountRole:
    "ENI discovery of an ALB in another account: exactly the role that account grants the lookup to, and no ec2 permission here.",
  LambdaAssumesRole: "Only the Lambda service may assume the role.",
  DenyInsecureTransport: "Every request to the state bucket must use TLS.",
  DenyOutdatedTls: "Every request to the state bucket must use TLS 1.2 or later.",
});

/** What the function's role may touch. */
export interface FunctionPolicyInputs {
  /** Every target group the function keeps in sync. */
  readonly targetGroupArns: string[];
  readonly bucketArn: string;
  readonly stateKeyPrefix: string;
  readonly logGroupArn: string;
}

/** The statements of the function's inline policy (the optional KMS statement is added separately). */
export function functionPolicyStatements(inputs: FunctionPolicyInputs): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "SyncTargetsOfThisTargetGroup",
      effect: "Allow",
      actions: ["elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:RegisterTargets"],
      resources: inputs.targetGroupArns,
    },
    {
      sid: "ReadTargetHealth",
      effect: "Allow",
      actions: ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
      resources: ["*"],
    },
    {
      sid: "ReadWriteStateObject",
      effect: "Allow",
      actions: ["s3:GetObject", "s3:PutObject"],
      resources: [`${inputs.bucketArn}/${inputs.stateKeyPrefix}*`],
    },
    {
      sid: "MissingStateIsNotFound",
      effect: "Allow",
      actions: ["s3:ListBucket"],
      resources: [inputs.bucketArn],
    },
    {
      sid: "WriteOwnLogGroup",
      effect: "Allow",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [`${inputs.logGroupArn}:*`],
    },
  ];
}

/** The statement that lets the role use the state bucket's KMS key (SSE-KMS). */
export function kmsStatement(kmsKeyArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "UseStateBucketKey",
    effect: "Allow",
    actions: ["kms:Decrypt", "kms:GenerateDataKey"],
    resources: [kmsKeyArn],
  };
}

/**
 * X-Ray write actions for `tracing_mode = "Active"` (as in AWS's AWSXRayDaemonWriteAccess). X-Ray defines no
 * resource types for them, so "*" is the narrowest resource.
 */
export function xrayStatement(): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "WriteTraces",
    effect: "Allow",
    actions: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
    resources: ["*"],
  };
}

/** The trust policy: only the Lambda service may assume the role. */
export function assumeRoleStatements(): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "LambdaAssumesRole",
      effect: "Allow",
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
    },
  ];
}

/** The state bucket policy: refuse every request that is not HTTPS with TLS 1.2 or later. */
export function bucketPolicyStatements(bucketArn: string): DataAwsIamPolicyDocumentStatement[] {
  const everyone = [{ type: "*", identifiers: ["*"] }];
  const resources = [bucketArn, `${bucketArn}/*`];
  return [
    {
      sid: "DenyInsecureTransport",
      effect: "Deny",
      actions: ["s3:*"],
      resources,
      principals: everyone,
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    },
    {
      sid: "DenyOutdatedTls",
      effect: "Deny",
      actions: ["s3:*"],
      resources,
      principals: everyone,
      condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
    },
  ];
}

/** ENI discovery without a role of the ALB's account: list the ALB's interfaces. */
export function describeInterfacesStatement(resource = "*"): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "DescribeAlbInterfaces",
    effect: "Allow",
    actions: ["ec2:DescribeNetworkInterfaces"],
    // ec2:DescribeNetworkInterfaces supports no resource-level permissions (Service Authorization Reference).
    resources: [resource],
  };
}

/** ENI discovery of an ALB in another account: assume exactly the role that account grants the lookup to. */
export function assumeAlbRoleStatement(roleArn: string): DataAwsIamPolicyDocumentStatement {
  return { sid: "AssumeAlbAccountRole", effect: "Allow", actions: ["sts:AssumeRole"], resources: [roleArn] };
}
