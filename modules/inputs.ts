/**
 * The inputs of AlbStaticIp, once: their defaults (shared by the construct and the Terraform module) and,
 * for the module build, the Terraform variable of each prop (name, type, description, default and the
 * `validation` blocks that reject at plan time what the Lambda would reject at cold start).
 *
 * One file per concern under inputs/: general.ts (name, tags, create), alb.ts, target-group.ts,
 * state-bucket.ts, role.ts, function.ts, sync.ts (the function's settings), monitoring.ts, and ../discovery.ts
 * (ENI discovery and interface events); defaults.ts, patterns.ts
 * and spec.ts (the validation helpers). The mapped type of INPUTS makes the compiler insist that every prop
 * has a variable.
 */
import type { AlbStaticIpProps } from "./alb-static-ip.js";
import { DISCOVERY_INPUTS } from "./discovery.js";
import { ALB_INPUTS } from "./inputs/alb.js";
import { FUNCTION_INPUTS } from "./inputs/function.js";
import { GENERAL_INPUTS } from "./inputs/general.js";
import { MONITORING_INPUTS } from "./inputs/monitoring.js";
import { ROLE_INPUTS } from "./inputs/role.js";
import type { InputSpec, InternalProp } from "./inputs/spec.js";
import { STATE_BUCKET_INPUTS } from "./inputs/state-bucket.js";
import { SYNC_INPUTS } from "./inputs/sync.js";
import { TARGET_GROUP_INPUTS } from "./inputs/target-group.js";

export * from "./inputs/defaults.js";
export * from "./inputs/patterns.js";
export * from "./inputs/spec.js";

/** Every prop's Terraform variable, in the order the module's variables.tf lists them. */
export const INPUTS: { readonly [K in Exclude<keyof AlbStaticIpProps, InternalProp>]-?: InputSpec } = {
  ...GENERAL_INPUTS,
  ...ALB_INPUTS,
  ...TARGET_GROUP_INPUTS,
  ...STATE_BUCKET_INPUTS,
  ...ROLE_INPUTS,
  ...FUNCTION_INPUTS,
  ...SYNC_INPUTS,
  ...MONITORING_INPUTS,
  ...DISCOVERY_INPUTS,
};
