/**
 * ELBv2 adapter: reads the target group's targets with health, registers and deregisters in batches of at most
 * 200; reads the target groups' IP address types ({@link describeTargetGroupTypes}). It translates; it decides nothing. Every failure becomes an AwsCallError with a stable code; a failed
 * registration says which targets did get registered before it ({@link RegistrationError}).
 */
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { IpFamily } from "../core/ip.js";
import { AlbStaticIpError, AwsCallError } from "../errors.js";
import type { RegisteredTarget, TargetHealthState, TargetRef } from "../types.js";
import { awsErrorName, withinBudget } from "./clients.js";

/** Targets per Register/Deregister call (the controller uses the same chunk size). */
export const TARGET_BATCH_SIZE = 200;

/** Options of the write calls. */
export interface WriteOptions {
  /** Epoch ms after which no further call is started (the rest is reported as not done). */
  deadline?: number | undefined;
}

/**
 * RegisterTargets did not register every target. `registered` are the ones that were (they are
 * live targets now and must be recorded as owned), `refused` the ones ELBv2 rejected as
 * InvalidTarget; the rest were not attempted (another error, or the deadline).
 */
export class RegistrationError extends AwsCallError {
  readonly registered: readonly TargetRef[];
  readonly refused: readonly string[];

  constructor(
    message: string,
    progress: { registered: readonly TargetRef[]; refused: readonly string[] },
    options?: { cause?: unknown },
  ) {
    super("register_targets_error", "RegisterTargets", message, options);
    this.registered = progress.registered;
    this.refused = progress.refused;
  }
}

export interface TargetGroupAdapter {
  describeTargets(): Promise<RegisteredTarget[]>;
  /** Registers every target or throws a {@link RegistrationError} saying which were registered. */
  register(targets: readonly TargetRef[], options?: WriteOptions): Promise<number>;
  deregister(targets: readonly TargetRef[], options?: WriteOptions): Promise<number>;
  /** API calls made so far (for the summary and cost accounting). */
  readonly calls: number;
}

const KNOWN_STATES = new Set<TargetHealthState>([
  "initial",
  "healthy",
  "unhealthy",
  "unhealthy.draining",
  "unused",
  "draining",
  "unavailable",
]);

function toState(value: string | undefined): TargetHealthState {
  return value && KNOWN_STATES.has(value as TargetHealthState) ? (value as TargetHealthState) : "unavailable";
}

function toDescription(target: TargetRef): TargetDescription {
  return {
    Id: target.ip,
    Port: target.port,
    ...(target.availabilityZone ? { AvailabilityZone: target.availabilityZone } : {}),
  };
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Options of {@link createTargetGroupAdapter}. */
export interface TargetGroupAdapterOptions {
  /** Each call, retries included, is abandoned after this many ms (`lambda/timing.ts`); undefined: no bound. */
  callBudgetMs?: number | undefined;
}

/** Creates the adapter for one target group. */
export function createTargetGroupAdapter(
  client: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  options: TargetGroupAdapterOptions = {},
): TargetGroupAdapter {
  let calls = 0;

  async function send<T>(
    code: string,
    operation: string,
    run: (abortSignal: AbortSignal | undefined) => Promise<T>,
  ): Promise<T> {
    calls += 1;
    try {
      return await withinBudget(options.callBudgetMs, run);
    } catch (error) {
      throw new AwsCallError(
        code,
        operation,
        `${operation} on ${targetGroupArn} failed with ${awsErrorName(error)}: ${(error as Error).message}. ` +
          "Check the function role's elasticloadbalancing permissions and the target group ARN (NLB_TG_ARN); throttling clears by itself.",
        { cause: error },
      );
    }
  }

  return {
    get calls() {
      return calls;
    },
    async describeTargets() {
      const out = await send("describe_target_health_error", "DescribeTargetHealth", (abortSignal) =>
        client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), { abortSignal }),
      );
      const targets: RegisteredTarget[] = [];
      for (const d of out.TargetHealthDescriptions ?? []) {
        const ip = d.Target?.Id;
        const port = d.Target?.Port;
        if (!ip || port === undefined) continue;
        targets.push({
          ip,
          port,
          availabilityZone: d.Target?.AvailabilityZone,
          state: toState(d.TargetHealth?.State),
        });
      }
      return targets;
    },
    async register(targets, options = {}) {
      const registered: TargetRef[] = [];
      const refused: string[] = [];
      const progress = () => ({ registered: [...registered], refused: [...refused] });
      const beforeCall = () => {
        if (options.deadline !== undefined && Date.now() > options.deadline) {
          throw new RegistrationError(
            `RegisterTargets on ${targetGroupArn} stopped at the run's time limit with ${targets.length - registered.length - refused.length} target(s) not yet registered; the next run registers them. Raise the function timeout if this repeats.`,
            progress(),
            { cause: new AlbStaticIpError("out_of_time", "act deadline passed") },
          );
        }
      };
      /** One call; on InvalidTarget (ELBv2 rejects the whole call for one bad IP) split the batch in two. */
      const registerBatch = async (batch: readonly TargetRef[]): Promise<void> => {
        beforeCall();
        try {
          await send("register_targets_error", "RegisterTargets", (abortSignal) =>
            client.send(
              new RegisterTargetsCommand({
                TargetGroupArn: targetGroupArn,
                Targets: batch.map(toDescription),
              }),
              { abortSignal },
            ),
          );
          registered.push(...batch);
        } catch (error) {
          if (awsErrorName((error as AwsCallError).cause) !== "InvalidTarget") {
            throw new RegistrationError(
              `${(error as Error).message} (${registered.length} of ${targets.length} target(s) registered before it)`,
              progress(),
              { cause: (error as AwsCallError).cause },
            );
          }
          if (batch.length === 1) {
            refused.push(batch[0]!.ip);
            return;
          }
          const half = Math.ceil(batch.length / 2);
          await registerBatch(batch.slice(0, half));
          await registerBatch(batch.slice(half));
        }
      };
      for (const batch of batches(targets, TARGET_BATCH_SIZE)) await registerBatch(batch);
      if (refused.length > 0) {
        throw new RegistrationError(
          `RegisterTargets on ${targetGroupArn} refused ${refused.join(", ")} (InvalidTarget); the other ${registered.length} target(s) were registered. ` +
            "An IP outside the target group's VPC needs SAME_VPC=false; check that ALB_DNS_NAME is the ALB's name.",
          progress(),
        );
      }
      return targets.length;
    },
    async deregister(targets, options = {}) {
      for (const batch of batches(targets, TARGET_BATCH_SIZE)) {
        if (options.deadline !== undefined && Date.now() > options.deadline) {
          throw new AlbStaticIpError(
            "out_of_time",
            `DeregisterTargets on ${targetGroupArn} stopped at the run's time limit; the next run continues. Raise the function timeout if this repeats.`,
          );
        }
        await send("deregister_targets_error", "DeregisterTargets", (abortSignal) =>
          client.send(
            new DeregisterTargetsCommand({
              TargetGroupArn: targetGroupArn,
              Targets: batch.map(toDescription),
            }),
            { abortSignal },
          ),
        );
      }
      return targets.length;
    },
  };
}

/** What DescribeTargetGroups says about a target group that the run needs. */
export interface TargetGroupType {
  /** `ipv4` or `ipv6` (an absent IpAddressType is `ipv4`, the ELBv2 default). */
  ipAddressType: IpFamily;
  /** `ip`, `instance`, `lambda` or `alb`; only `ip` groups can take the ALB's addresses. */
  targetType: string;
}

/** DescribeTargetGroups takes at most this many ARNs per call. */
export const DESCRIBE_TARGET_GROUPS_BATCH = 20;

/**
 * DescribeTargetGroups for `arns`: one call per 20 ARNs. When a call fails for an unknown group
 * (TargetGroupNotFound names no ARN), each ARN of that call is asked alone, so one missing group
 * is reported for itself and never hides the others. Returns, per ARN, the type or the AwsCallError.
 * `calls` counts the API calls made.
 *
 * @example
 * const { types } = await describeTargetGroupTypes(client, [arn80, arn443]);
 * types.get(arn443); // { ipAddressType: "ipv6", targetType: "ip" }
 */
export async function describeTargetGroupTypes(
  client: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<{ types: Map<string, TargetGroupType | AwsCallError>; calls: number }> {
  const types = new Map<string, TargetGroupType | AwsCallError>();
  let calls = 0;
  const describe = async (batch: readonly string[]): Promise<void> => {
    calls += 1;
    try {
      const out = await client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [...batch] }));
      for (const group of out.TargetGroups ?? []) {
        if (group.TargetGroupArn === undefined) continue;
        types.set(group.TargetGroupArn, {
          ipAddressType: group.IpAddressType === "ipv6" ? "ipv6" : "ipv4",
          targetType: group.TargetType ?? "ip",
        });
      }
      for (const arn of batch) {
        if (!types.has(arn))
          types.set(arn, lookupError(arn, new Error("not in the DescribeTargetGroups answer")));
      }
    } catch (error) {
      if (batch.length > 1 && awsErrorName(error) === "TargetGroupNotFound") {
        for (const arn of batch) await describe([arn]);
        return;
      }
      for (const arn of batch) types.set(arn, lookupError(arn, error));
    }
  };
  const unique = [...new Set(arns)];
  for (const batch of batches(unique, DESCRIBE_TARGET_GROUPS_BATCH)) await describe(batch);
  return { types, calls };
}

/** Error names of a call the role may not make. */
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

function lookupError(arn: string, error: unknown): AwsCallError {
  return new AwsCallError(
    DENIED.has(awsErrorName(error)) ? "describe_target_groups_denied" : "describe_target_groups_error",
    "DescribeTargetGroups",
    `DescribeTargetGroups for ${arn} failed with ${awsErrorName(error)}: ${(error as Error).message}. ` +
      "The function reads each target group's IP address type once per container; check that the target group exists in this account and region (TARGET_GROUPS / NLB_TG_ARN) and that the role may call elasticloadbalancing:DescribeTargetGroups.",
    { cause: error },
  );
}

/**
 * {@link describeTargetGroupTypes} behind a per-container cache: a target group's IP address type is fixed at
 * creation (changing it replaces the target group, and so its ARN), so one answer holds for the container's
 * life. Only answers are kept; a failed look-up is asked again by the next call. `calls` is 0 when every ARN
 * was cached.
 *
 * @example
 * const types = createTargetGroupTypes(clients.elbv2); // at module load
 * const { types: byArn } = await types([arn80, arn443]); // every run
 */
export function createTargetGroupTypes(
  client: ElasticLoadBalancingV2Client,
): (
  arns: readonly string[],
) => Promise<{ types: ReadonlyMap<string, TargetGroupType | AwsCallError>; calls: number }> {
  const cache = new Map<string, TargetGroupType>();
  return async (arns) => {
    const missing = arns.filter((arn) => !cache.has(arn));
    const looked = missing.length > 0 ? await describeTargetGroupTypes(client, missing) : undefined;
    const types = new Map<string, TargetGroupType | AwsCallError>();
    for (const arn of arns) {
      const found = cache.get(arn) ?? looked?.types.get(arn);
      if (found === undefined) continue;
      if (!(found instanceof Error)) cache.set(arn, found);
      types.set(arn, found);
    }
    return { types, calls: looked?.calls ?? 0 };
  };
}
