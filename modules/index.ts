export * from "./alb-static-ip.js";
export type { Toggle } from "./expr.js";
export { DEFAULTS, INPUTS } from "./inputs.js";
