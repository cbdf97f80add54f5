/**
 * The command line: `alb-static-ip <doctor|plan|status> [options]`, parsed with Node's util.parseArgs. Every
 * mistake is a {@link UsageError} (exit 2) that names the bad argument and the command's usage.
 */
import { parseArgs } from "node:util";

export const COMMANDS = ["doctor", "plan", "status"] as const;
export type CommandName = (typeof COMMANDS)[number];

/** What every command takes. */
export interface CommonOptions {
  /** Read the deployed function's environment (GetFunctionConfiguration) instead of this process's. */
  functionName: string | undefined;
  region: string | undefined;
  profile: string | undefined;
  /** One JSON object on stdout and nothing else there. */
  json: boolean;
  /** No colour even on a terminal (also NO_COLOR). */
  noColor: boolean;
  /** No progress lines on stderr. */
  quiet: boolean;
  /** `--env NAME=VALUE`: overrides one of the function's variables. */
  env: Record<string, string>;
}

export type ParsedArgs = { command: CommandName; options: CommonOptions } | { help: string };

/** Bad arguments: exit 2 with this message. */
export class UsageError extends Error {
  readonly code = "usage";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const COMMON_HELP = `Options:
  --function-name NAME  read the deployed function's configuration (Lambda GetFunctionConfiguration)
                        instead of this shell's environment variables
  --env NAME=VALUE      override one of the function's variables (repeatable)
  --region REGION       AWS region (default: the SDK's chain, AWS_REGION, the profile)
  --profile NAME        AWS profile (default: AWS_PROFILE, the SDK's chain)
  --json                one JSON object on stdout, nothing else there
  --no-color            no colour (also NO_COLOR); colour is used only on a terminal
  --quiet               no progress lines on stderr
  -h, --help            this help

Configuration is exactly the function's: ALB_DNS_NAME, ALB_LISTENER + NLB_TG_ARN or TARGET_GROUPS, S3_BUCKET,
STATE_KEY_PREFIX, DISCOVERY_MODE, ALB_ARN, DNS_SERVERS, ALLOWED_TARGET_CIDRS, … validated by the same code.
Credentials and endpoints come from the AWS SDK's standard chain (profiles, SSO, AWS_ENDPOINT_URL_<SERVICE>).
Nothing is ever written: every AWS client refuses any call that is not a read.`;

export const HELP: Readonly<Record<CommandName | "main", string>> = {
  main: `Usage: alb-static-ip <command> [options]

Read-only operator commands for alb-static-ip:
  doctor   check the wiring (ALB, NLB, listeners, zones, security groups, target group, health, function,
           permissions, state bucket) and name each mistake with a stable code and its fix
  plan     the next run as a dry run with real reads: what it would register, deregister and hold, and why
  status   the state object(s) against the NLB: every target, owned or not, misses, health, why it is held

Run "alb-static-ip <command> --help" for a command's options.
Exit codes: 0 fine; 1 doctor found an error (plan: the dry run failed); 2 usage or credential failure.`,
  doctor: `Usage: alb-static-ip doctor [options]

Checks the wiring around the function and reports findings (error, warning, info), each with a stable code,
the evidence and the fix. Run it before the first deploy and after any network change.
Exit code 1 when any finding is an error, else 0.

${COMMON_HELP}`,
  plan: `Usage: alb-static-ip plan [options]

Runs the function's own reconcile as a dry run against the real account: discovery, the target groups, the
state objects, the pure plan. Prints what the next run would register, deregister and hold, and why.
--json prints exactly the function's run summary. Exit code 1 when the dry run failed.

${COMMON_HELP}`,
  status: `Usage: alb-static-ip status [options]

Decodes the state object(s) against the NLB: per target group and port, every target with its IP, whether the
function owns it, its consecutive misses, the NLB's health (state and reason), why it is held, and the time of
the last complete run (from the function's DiscoveryComplete metric).

${COMMON_HELP}`,
};

/**
 * Parses `argv` (without node and the script).
 *
 * @example
 * parseCommandLine(["doctor", "--json"]); // { command: "doctor", options: { json: true, ... } }
 */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help")
    return { help: HELP.main };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(
      `Unknown command ${JSON.stringify(first)}; expected one of ${COMMANDS.join(", ")}.\n\n${HELP.main}`,
    );
  }
  const command = first as CommandName;
  let values: ReturnType<typeof parse>["values"];
  const parse = (args: string[]) =>
    parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        "function-name": { type: "string" },
        env: { type: "string", multiple: true },
        region: { type: "string" },
        profile: { type: "string" },
        json: { type: "boolean" },
        "no-color": { type: "boolean" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    values = parse(rest).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP[command]}`);
  }
  if (values.help) return { help: HELP[command] };
  const env: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(pair);
    if (!m)
      throw new UsageError(
        `--env takes NAME=VALUE (an upper-case variable name), got ${JSON.stringify(pair)}\n\n${HELP[command]}`,
      );
    env[m[1]!] = m[2]!;
  }
  for (const [flag, value] of [
    ["--function-name", values["function-name"]],
    ["--region", values.region],
    ["--profile", values.profile],
  ] as const) {
    if (value !== undefined && value.trim() === "")
      throw new UsageError(`${flag} needs a value\n\n${HELP[command]}`);
  }
  return {
    command,
    options: {
      functionName: values["function-name"],
      region: values.region,
      profile: values.profile,
      json: values.json ?? false,
      noColor: values["no-color"] ?? false,
      quiet: values.quiet ?? false,
      env,
    },
  };
}
