/**
 * The CLI cannot write: every SDK client it creates carries {@link guardReadOnly}, a middleware that refuses,
 * before anything is signed or sent, every operation that is not a read. An allow-list, not a deny-list: an
 * operation named `Describe*`, `Get*`, `List*`, `Head*` or `Simulate*` passes (plus STS `AssumeRole`, which
 * changes no resource: ENI mode reads another account's interfaces through it); anything else, an operation
 * added to a later SDK included, is refused with {@link ReadOnlyViolationError}.
 */

/** Operation name prefixes that only read. */
export const READ_PREFIXES = ["Describe", "Get", "List", "Head", "Simulate"] as const;
/** Reads by exact name outside the prefixes, per client. */
const EXTRA_READS: Readonly<Record<string, readonly string[]>> = {
  STSClient: ["AssumeRole"],
};

/** A write reached a CLI client: a bug in the CLI, never a condition of the account. */
export class ReadOnlyViolationError extends Error {
  readonly code = "read_only_violation";
  constructor(operation: string, client: string) {
    super(
      `The operator CLI refused to send ${operation} (${client}): it only reads (Describe*, Get*, List*, Head*, Simulate*). This is a bug in the CLI; nothing was sent.`,
    );
    this.name = "ReadOnlyViolationError";
  }
}

/**
 * True when `operation` (e.g. `DescribeTargetHealth`, with or without the `Command` suffix) of `client` only
 * reads.
 *
 * @example
 * isReadOperation("RegisterTargets", "ElasticLoadBalancingV2Client"); // false
 */
export function isReadOperation(operation: string, client = ""): boolean {
  const name = operation.replace(/Command$/, "");
  return (
    READ_PREFIXES.some((prefix) => name.startsWith(prefix) && /^[A-Z]/.test(name.slice(prefix.length))) ||
    (EXTRA_READS[client] ?? []).includes(name)
  );
}

/** Any SDK v3 client: something with a middleware stack (each client types its own). */
export interface GuardableClient {
  middlewareStack: { add(middleware: never, options: never): void };
}

/** The part of a middleware stack the guard uses. */
interface InitializeStack {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { commandName?: string; clientName?: string },
    ) => (args: unknown) => Promise<unknown>,
    options: { step: "initialize"; priority: "high"; name: string; override: boolean },
  ): void;
}

/**
 * Adds the read-only middleware to `client` (first in the initialize step) and returns it.
 *
 * @example
 * const elbv2 = guardReadOnly(new ElasticLoadBalancingV2Client({}));
 */
export function guardReadOnly<C extends GuardableClient>(client: C): C {
  (client.middlewareStack as unknown as InitializeStack).add(
    (next, context) => async (args) => {
      const operation = context.commandName ?? "UnknownCommand";
      const name = context.clientName ?? client.constructor.name;
      if (!isReadOperation(operation, name))
        throw new ReadOnlyViolationError(operation.replace(/Command$/, ""), name);
      return next(args);
    },
    { step: "initialize", priority: "high", name: "albStaticIpReadOnly", override: true },
  );
  return client;
}
