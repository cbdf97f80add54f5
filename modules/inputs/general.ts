/** Module variables — naming, tagging and what is created at all. */
import { DEFAULTS } from "./defaults.js";
import { NAME_PATTERN } from "./patterns.js";
import { type InputGroup, matches } from "./spec.js";

export const GENERAL_INPUTS = {
  name: {
    variable: "name",
    kind: "string",
    description:
      "Name of the function, log group, schedule rule, alarms and (when created) target group, and prefix of the role and bucket names. Unique per region and account (the role name gets a unique suffix, so the same name works in several regions). Changing the port or VPC of the created target group replaces it under the same name: see docs/operations.md (Operations notes).",
    default: DEFAULTS.name,
    validation: matches(
      "name",
      NAME_PATTERN,
      "1-32 lower-case letters, digits or hyphens, not starting or ending with a hyphen",
    ),
  },
  tags: {
    variable: "tags",
    kind: "map(string)",
    description: "Tags added to every resource that supports them.",
    default: {},
  },
  create: {
    variable: "create",
    kind: "bool",
    description:
      "Master switch: false creates nothing (and looks nothing up), for wrapper modules that enable the sync per environment.",
    default: true,
  },
} as const satisfies InputGroup;
