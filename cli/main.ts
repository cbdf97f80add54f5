#!/usr/bin/env node
/**
 * alb-static-ip: the operator CLI (`doctor`, `plan`, `status`). A read-only peer of the Lambda handler: the
 * function's config code, discovery, pure plan and adapters, with SDK clients that refuse every write.
 * Exit codes: 0 fine; 1 doctor found an error (plan: the dry run failed; status: a target group could not be
 * read); 2 usage or credential failure.
 */
import { type CommandName, HELP, parseCommandLine, UsageError } from "./args.js";
import { credentialFailure } from "./aws/clients.js";
import { doctorCommand } from "./commands/doctor.js";
import { planCommand } from "./commands/plan.js";
import { statusCommand } from "./commands/status.js";
import { type CliContext, CredentialError, createContext } from "./context.js";
import { createOutput } from "./output.js";

/**
 * Runs one command line and returns its exit code; never throws.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), process.env);
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`alb-static-ip: usage error: ${(error as Error).message}\n`);
    return 2;
  }
  if ("help" in parsed) {
    process.stdout.write(`${parsed.help}\n`);
    return 0;
  }
  const { command, options } = parsed;
  // The SDK reads the profile from the environment, like every AWS tool.
  if (options.profile !== undefined) env.AWS_PROFILE = options.profile;
  const out = createOutput(options, env);
  try {
    const ctx = await createContext(options, out, env);
    return await run(command, ctx);
  } catch (error) {
    const credentials = error instanceof CredentialError ? error : credentialFailure(error);
    if (error instanceof UsageError) {
      process.stderr.write(`alb-static-ip ${command}: usage error: ${error.message}\n`);
      return 2;
    }
    if (credentials !== undefined) {
      process.stderr.write(`alb-static-ip ${command}: credential failure: ${credentials.message}\n`);
      return 2;
    }
    process.stderr.write(`alb-static-ip ${command}: failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

async function run(command: CommandName, ctx: CliContext): Promise<number> {
  if (command === "doctor") return doctorCommand(ctx);
  if (ctx.config instanceof Error) {
    throw new UsageError(
      `${ctx.config.message}\n(${ctx.fn === undefined ? "set the function's variables in this shell, or use --function-name" : `from function ${ctx.fn.name}`}; "alb-static-ip doctor" reports the same)\n\n${HELP[command]}`,
    );
  }
  return command === "plan" ? planCommand(ctx, ctx.config) : statusCommand(ctx, ctx.config);
}

process.exitCode = await main(process.argv.slice(2), process.env);
