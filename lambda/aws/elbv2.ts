/**
 * ELBv2 adapter: reads the target group's targets with health, registers and deregisters in batches of at most
 * 200. It translates; it decides nothing. Every failure becomes an AwsCallError with a stable code; a failed
 * registration says which targets did get registered before it ({@link RegistrationError}).
 */
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AlbStaticIpError, AwsCallError } from "../errors.js";
import type { RegisteredTarget, TargetHealthState, TargetRef } from "../types.js";
import { awsErrorName } from "./clients.js";

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

/** Creates the adapter for one target group. */
export function createTargetGroupAdapter(
  client: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
): TargetGroupAdapter {
  let calls = 0;

  async function send<T>(code: string, operation: string, run: () => Promise<T>): Promise<T> {
    calls += 1;
    try {
      return await run();
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
      const out = await send("describe_target_health_error", "DescribeTargetHealth", () =>
        client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
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
          await send("register_targets_error", "RegisterTargets", () =>
            client.send(
              new RegisterTargetsCommand({
                TargetGroupArn: targetGroupArn,
                Targets: batch.map(toDescription),
              }),
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
        await send("deregister_targets_error", "DeregisterTargets", () =>
          client.send(
            new DeregisterTargetsCommand({
              TargetGroupArn: targetGroupArn,
              Targets: batch.map(toDescription),
            }),
          ),
        );
      }
      return targets.length;
    },
  };
}
