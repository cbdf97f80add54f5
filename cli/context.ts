/**
 * What every command starts from: the read-only clients, the credentials checked, and the function's
 * configuration, read from this process's environment or, with --function-name, from the deployed function
 * (GetFunctionConfiguration), then validated by the function's own loadConfig (same rules, same messages).
 */
import { type Config, loadConfig } from "../lambda/config/index.js";
import { ConfigError } from "../lambda/errors.js";
import type { CommonOptions } from "./args.js";
import { UsageError } from "./args.js";
import { createReadOnlyClients, type ReadOnlyClients } from "./aws/clients.js";
import { type FunctionView, getFunction } from "./aws/network.js";
import type { Output } from "./output.js";

/** The credentials or the region could not be had: exit 2. */
export class CredentialError extends Error {
  readonly code = "credentials";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CredentialError";
  }
}

export interface CliContext {
  readonly options: CommonOptions;
  readonly out: Output;
  readonly clients: ReadOnlyClients;
  /** The variables the configuration was read from (the function's, or this process's), with --env applied. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The validated configuration, or why it is invalid. */
  readonly config: Readonly<Config> | ConfigError;
  /** The deployed function, with --function-name. */
  readonly fn: FunctionView | undefined;
  readonly region: string;
}

/**
 * Builds the context; throws {@link CredentialError} or {@link UsageError} (exit 2).
 *
 * @example
 * const ctx = await createContext(options, out, process.env);
 */
export async function createContext(
  options: CommonOptions,
  out: Output,
  processEnv: Readonly<Record<string, string | undefined>>,
): Promise<CliContext> {
  const clients = createReadOnlyClients({
    region: options.region,
    maxAttempts: 3,
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 15_000,
  });
  let region: string;
  try {
    region = await clients.elbv2.config.region();
  } catch (error) {
    throw new CredentialError(
      `No AWS region: set --region, AWS_REGION or a region in the profile (${(error as Error).message}).`,
      { cause: error },
    );
  }
  try {
    await clients.elbv2.config.credentials();
  } catch (error) {
    throw new CredentialError(
      `No usable AWS credentials (${(error as Error).message}). Sign in (aws sso login, a profile with --profile or AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and run again.`,
      { cause: error },
    );
  }

  let env: Record<string, string | undefined>;
  let fn: FunctionView | undefined;
  if (options.functionName !== undefined) {
    out.progress(`reading the configuration of function ${options.functionName} (GetFunctionConfiguration)`);
    try {
      fn = await getFunction(clients, options.functionName);
    } catch (error) {
      const name = (error as { name?: string }).name ?? "Error";
      if (name === "ResourceNotFoundException") {
        throw new UsageError(
          `Function ${options.functionName} does not exist in ${region}: check --function-name and --region (the module's output function_name).`,
        );
      }
      throw new CredentialError(
        `Could not read function ${options.functionName} (${name}: ${(error as Error).message}); the caller needs lambda:GetFunctionConfiguration on it, or run without --function-name with the function's variables in the environment.`,
        { cause: error },
      );
    }
    // Lambda sets AWS_REGION in the function's environment; the function's region is in its ARN.
    env = { ...fn.environment, AWS_REGION: fn.arn.split(":")[3] ?? region, ...options.env };
  } else {
    env = { ...processEnv, ...(options.region ? { AWS_REGION: options.region } : {}), ...options.env };
  }
  let config: Readonly<Config> | ConfigError;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    config = error;
  }
  return { options, out, clients, env, config, fn, region };
}
