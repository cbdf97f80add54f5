/**
 * Flags of the `npm run sim` CLI, parsed into world options.
 */
import { parseArgs } from "node:util";
import type { WorldOptions } from "./types.js";

/** What the CLI was asked to do. */
export interface CliOptions {
  json: boolean;
  help: boolean;
  options: WorldOptions;
}

/**
 * Parse the CLI flags into world options; throws an Error naming the bad flag and value.
 *
 * @example
 * parseCliOptions(["--json", "--alb-ips", "12"]); // { json: true, help: false, options: { albIpCount: 12 } }
 */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
      "alb-ips": { type: "string" },
      "health-check-delay-ms": { type: "string" },
      "deregistration-delay-ms": { type: "string" },
      "latency-aws-ms": { type: "string" },
      "latency-dns-ms": { type: "string" },
      seed: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const number = (flag: Exclude<keyof typeof values, "json" | "help">): number | undefined => {
    const raw = values[flag];
    if (typeof raw !== "string") return undefined;
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(value) || value < 0) {
      throw new Error(`--${flag} must be a non-negative integer (got ${JSON.stringify(raw)})`);
    }
    return value;
  };
  const options: WorldOptions = {};
  const albIps = number("alb-ips");
  if (albIps !== undefined) options.albIpCount = albIps;
  const healthCheckDelayMs = number("health-check-delay-ms");
  if (healthCheckDelayMs !== undefined) options.healthCheckDelayMs = healthCheckDelayMs;
  const deregistrationDelayMs = number("deregistration-delay-ms");
  if (deregistrationDelayMs !== undefined) options.deregistrationDelayMs = deregistrationDelayMs;
  const aws = number("latency-aws-ms");
  const dns = number("latency-dns-ms");
  if (aws !== undefined || dns !== undefined) {
    options.latency = { ...(aws === undefined ? {} : { aws }), ...(dns === undefined ? {} : { dns }) };
  }
  const seed = number("seed");
  if (seed !== undefined) options.seed = seed;
  return { json: values.json === true, help: values.help === true, options };
}
