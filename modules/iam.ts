/**
 * The function's IAM role: trust policy for Lambda only, and one inline least-privilege policy (the
 * statements and why each one is needed are in policies.ts). With `create_role = false` the given role is
 * used as it is and nothing is attached to it; the policy document is still rendered, as the
 * `role_policy_json` output, for whoever manages that role.
 */
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { Fn, type IResolvable, Op, TerraformIterator, Token } from "cdktf";
import type { BuildContext } from "./context.js";
import { attrOf, countFor, declared, isNull, isSet, isToken, optionalAttrOf } from "./expr.js";
import { DEFAULTS } from "./inputs/defaults.js";
import {
  assumeRoleStatements,
  functionPolicyStatements,
  kmsStatement,
  type OptionalStatement,
  xrayStatement,
} from "./policies.js";

/** What the role's policy refers to. */
export interface RoleInputs {
  readonly targetGroupArns: string[];
  readonly bucketArn: string;
  readonly logGroupArn: string;
  /** More statements that depend on a decision (discovery.ts: ec2 or sts per discovery mode). */
  readonly optionalStatements?: readonly OptionalStatement[];
}

/** What the IAM part gives the rest of the construct. */
export interface RoleParts {
  /** ARN of the function's role (created or given). */
  readonly roleArn: string;
  /** Name of the created role; undefined (null in Terraform) when none is created. */
  readonly roleName: string | undefined;
  /** The least-privilege policy document (JSON) the function needs, also when the role is given. */
  readonly policyJson: string;
  readonly role: IamRole | undefined;
  readonly rolePolicy: IamRolePolicy | undefined;
}

/** Declares the policy document, and the role with its inline policy unless an existing role is given. */
export function declareRole(ctx: BuildContext, inputs: RoleInputs): RoleParts {
  const { scope, props, name, named } = ctx;
  const { bucketArn } = inputs;
  const createRole = ctx.when(
    props.createRole ?? DEFAULTS.createRole,
    "create_role",
    "The module creates the function's role (else role_arn is one managed elsewhere, granted role_policy_json).",
  );

  const stateKeyPrefix = props.stateKeyPrefix ?? DEFAULTS.stateKeyPrefix;
  const statements: DataAwsIamPolicyDocumentStatement[] = functionPolicyStatements({
    targetGroupArns: inputs.targetGroupArns,
    bucketArn,
    stateKeyPrefix,
    logGroupArn: inputs.logGroupArn,
  });
  const sourcePolicyDocuments: string[] = [];
  /** A statement that is there only when `present` holds: literal, or a dynamic block of zero or one. */
  const optionalStatement = (
    present: boolean | IResolvable,
    hclName: string,
    statement: (value: string) => DataAwsIamPolicyDocumentStatement,
    value: string,
  ): void => {
    if (present === false) return;
    if (present === true) {
      statements.push(statement(value));
      return;
    }
    const values = TerraformIterator.fromList(Token.asList(Fn.conditional(present, [value], [])));
    const document = named(
      new DataAwsIamPolicyDocument(scope, `${hclName}_policy_document`, {
        count: ctx.count(),
        statement: values.dynamic({ ...statement(Token.asString(values.value)) }),
      }),
      hclName,
      "A statement of the function's policy that only some settings need: zero or one, merged into it below.",
    );
    sourcePolicyDocuments.push(attrOf(document, "json"));
  };
  const kms = props.stateBucketKmsKeyArn;
  if (kms !== undefined) optionalStatement(isToken(kms) ? isSet(kms) : true, "kms", kmsStatement, kms);
  const tracing = props.tracingMode;
  if (tracing !== undefined)
    optionalStatement(
      isToken(tracing) ? Op.eq(tracing, "Active") : tracing === "Active",
      "xray",
      () => xrayStatement(),
      "Active",
    );
  for (const o of inputs.optionalStatements ?? [])
    optionalStatement(o.present, o.hclName, o.statement, o.value);
  const policyDocument = named(
    new DataAwsIamPolicyDocument(scope, "policy_document", {
      count: ctx.count(),
      sourcePolicyDocuments: sourcePolicyDocuments.length > 0 ? sourcePolicyDocuments : undefined,
      statement: statements,
    }),
    "this",
    "The function's least-privilege policy (SECURITY.md explains every statement): attached to the created role, and the role_policy_json output for a role managed elsewhere.",
  );
  const policyJson = optionalAttrOf(policyDocument, "json");

  let role: IamRole | undefined;
  let rolePolicy: IamRolePolicy | undefined;
  let createdRoleArn: string | undefined;
  if (declared(createRole)) {
    const assumeRole = named(
      new DataAwsIamPolicyDocument(scope, "assume_role_policy_document", {
        count: countFor(createRole),
        statement: assumeRoleStatements(),
      }),
      "assume_role",
    );
    role = named(
      new IamRole(scope, "role", {
        count: countFor(createRole),
        // IAM names are account-wide, not regional: a prefix keeps the same `name` usable in every region.
        namePrefix: `${name}-`,
        path: props.rolePath,
        permissionsBoundary: props.rolePermissionsBoundary,
        description: "Lets the alb-static-ip function keep one NLB target group in sync with an ALB's IPs.",
        assumeRolePolicy: attrOf(assumeRole, "json"),
        tags: ctx.tagsFor(props.roleTags),
        lifecycle: ctx.lifecycle(
          isToken(props.roleArn)
            ? [
                {
                  condition: isNull(props.roleArn ?? ""),
                  errorMessage:
                    "role_arn is set but create_role is true, so it would be ignored: set create_role = false to use that role, or remove role_arn.",
                },
              ]
            : [],
        ),
      }),
      "this",
      "A name prefix, not a name: IAM names are account-wide, so the same name works in every region.",
    );
    rolePolicy = named(
      new IamRolePolicy(scope, "role_policy", {
        count: countFor(createRole),
        name: "alb-static-ip",
        role: attrOf(role, "id"),
        policy: attrOf(policyDocument, "json"),
      }),
      "this",
    );
    createdRoleArn = attrOf(role, "arn");
  }
  ctx.requireUnless(createRole, props.roleArn, "role_arn is required when create_role is false.");
  const roleArn = ctx.decided(
    createRole,
    "role_arn",
    createdRoleArn ?? "",
    props.roleArn,
    "The function's role, created or given.",
  );
  const roleName = role === undefined ? undefined : optionalAttrOf(role, "name");
  return { roleArn, roleName, policyJson, role, rolePolicy };
}
