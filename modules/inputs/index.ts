/**
 * The inputs of AlbStaticIp, once: the Terraform variable of each prop (name, type, description, default and
 * the `validation` blocks that reject at plan time what the Lambda would reject at cold start), for the module
 * build; the defaults are shared by the construct and the module (defaults.ts).
 *
 * One file per concern in this folder: general.ts (name, tags, create), alb.ts, target-group.ts,
 * state-bucket.ts, role.ts, function.ts, sync.ts (the function's settings), monitoring.ts, discovery.ts (ENI
 * discovery and interface events); defaults.ts, patterns.ts and spec.ts (the validation helpers). The mapped
 * type of INPUTS makes the compiler insist that every prop has a variable.
 */
import type { AlbStaticIpProps } from "../props.js";
import { ALB_INPUTS } from "./alb.js";
import { DISCOVERY_INPUTS } from "./discovery.js";
import { FUNCTION_INPUTS } from "./function.js";
import { GENERAL_INPUTS } from "./general.js";
import { MONITORING_INPUTS } from "./monitoring.js";
import { ROLE_INPUTS } from "./role.js";
import type { InputSpec, InternalProp } from "./spec.js";
import { STATE_BUCKET_INPUTS } from "./state-bucket.js";
import { SYNC_INPUTS } from "./sync.js";
import { TARGET_GROUP_INPUTS } from "./target-group.js";

export { DEFAULTS } from "./defaults.js";
export type { InputSpec } from "./spec.js";

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
