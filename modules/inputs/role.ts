/** Module variables — the function's IAM role: created (with its path, boundary and tags) or given. */
import { DEFAULTS } from "./defaults.js";
import { POLICY_ARN_PATTERN, ROLE_ARN_PATTERN, ROLE_PATH_PATTERN } from "./patterns.js";
import { type InputGroup, matches, tagsInput } from "./spec.js";

export const ROLE_INPUTS = {
  createRole: {
    variable: "create_role",
    kind: "bool",
    description:
      "Create the function's least-privilege role. Set to false to use an existing role (role_arn); it must trust lambda.amazonaws.com and grant what the role_policy_json output holds (SECURITY.md explains each statement).",
    default: DEFAULTS.createRole,
  },
  roleArn: {
    variable: "role_arn",
    kind: "string",
    description: "ARN of an existing role for the function. Required when create_role is false.",
    default: null,
    validation: matches(
      "role_arn",
      ROLE_ARN_PATTERN,
      "an IAM role ARN, e.g. arn:aws:iam::123456789012:role/my-role",
      true,
    ),
  },
  rolePath: {
    variable: "role_path",
    kind: "string",
    description: "Path of the created role, e.g. /service-roles/. Null: /.",
    default: null,
    validation: matches("role_path", ROLE_PATH_PATTERN, "/ or a path that starts and ends with /", true),
  },
  rolePermissionsBoundary: {
    variable: "role_permissions_boundary",
    kind: "string",
    description:
      "ARN of the managed policy set as the permissions boundary of the created role. It must allow the role_policy_json actions, or the function fails with AccessDenied.",
    default: null,
    validation: matches(
      "role_permissions_boundary",
      POLICY_ARN_PATTERN,
      "an IAM policy ARN, e.g. arn:aws:iam::123456789012:policy/boundary",
      true,
    ),
  },
  roleTags: tagsInput("role_tags", "the created role"),
} as const satisfies InputGroup;
