export * from "./alb-static-ip.js";
export type { Toggle } from "./expr.js";
export { DEFAULTS } from "./inputs/defaults.js";
export { INPUTS } from "./inputs/index.js";
