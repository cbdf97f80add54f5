/**
 * The function's IAM role: trust policy for Lambda only, and one inline least-privilege policy
 * (the statements and why each one is needed are in policies.ts).
 */
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { Fn, TerraformIterator, Token } from "cdktf";
import type { BuildContext } from "./context.js";
import { isNull, isToken } from "./expr.js";
import { DEFAULTS } from "./inputs.js";
import { assumeRoleStatements, functionPolicyStatements, kmsStatement } from "./policies.js";

/** What the role's policy refers to. */
export interface RoleInputs {
  readonly targetGroupArn: string;
  readonly bucketArn: string;
  readonly logGroupArn: string;
  /** More statements, and documents to merge (discovery.ts: ec2 or sts per discovery mode). */
  readonly extraStatements?: readonly DataAwsIamPolicyDocumentStatement[];
  readonly extraSourcePolicyDocuments?: readonly string[];
}

/** What the IAM part gives the rest of the construct. */
export interface RoleParts {
  readonly role: IamRole;
  readonly rolePolicy: IamRolePolicy;
}

/** Declares the role and its inline policy. */
export function declareRole(ctx: BuildContext, inputs: RoleInputs): RoleParts {
  const { scope, props, name, tags, named } = ctx;
  const { bucketArn } = inputs;
  const assumeRole = named(
    new DataAwsIamPolicyDocument(scope, "assume_role_policy_document", {
      statement: assumeRoleStatements(),
    }),
    "assume_role",
  );
  const role = named(
    new IamRole(scope, "role", {
      // IAM names are account-wide, not regional: a prefix keeps the same `name` usable in every region.
      namePrefix: `${name}-`,
      description: "Lets the alb-static-ip function keep one NLB target group in sync with an ALB's IPs.",
      assumeRolePolicy: assumeRole.json,
      tags,
    }),
    "this",
  );

  const stateKeyPrefix = props.stateKeyPrefix ?? DEFAULTS.stateKeyPrefix;
  const metricNamespace = props.metricNamespace ?? DEFAULTS.metricNamespace;
  const statements: DataAwsIamPolicyDocumentStatement[] = functionPolicyStatements({
    targetGroupArn: inputs.targetGroupArn,
    bucketArn,
    stateKeyPrefix,
    metricNamespace,
    logGroupArn: inputs.logGroupArn,
  });
  statements.push(...(inputs.extraStatements ?? []));
  const kms = props.stateBucketKmsKeyArn;
  let sourcePolicyDocuments: string[] | undefined;
  if (kms !== undefined && !isToken(kms)) statements.push(kmsStatement(kms));
  if (kms !== undefined && isToken(kms)) {
    // The key may be null at plan time: a statement per given key (zero or one).
    const keys = TerraformIterator.fromList(Token.asList(Fn.conditional(isNull(kms), [], [kms])));
    const kmsDocument = named(
      new DataAwsIamPolicyDocument(scope, "kms_policy_document", {
        statement: keys.dynamic({ ...kmsStatement(Token.asString(keys.value)) }),
      }),
      "kms",
    );
    sourcePolicyDocuments = [kmsDocument.json];
  }
  const policyDocument = named(
    new DataAwsIamPolicyDocument(scope, "policy_document", {
      sourcePolicyDocuments:
        inputs.extraSourcePolicyDocuments === undefined || inputs.extraSourcePolicyDocuments.length === 0
          ? sourcePolicyDocuments
          : [...(sourcePolicyDocuments ?? []), ...inputs.extraSourcePolicyDocuments],
      statement: statements,
    }),
    "this",
  );
  const rolePolicy = named(
    new IamRolePolicy(scope, "role_policy", {
      name: "alb-static-ip",
      role: role.id,
      policy: policyDocument.json,
    }),
    "this",
  );
  return { role, rolePolicy };
}
