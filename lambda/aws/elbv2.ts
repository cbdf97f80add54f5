/**
 * ELBv2 adapter: reads the target group's targets with health, registers and deregisters in batches of at most
 * 200. It translates; it decides nothing. Every failure becomes an AwsCallError with a stable code.
 */
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { AwsCallError } from "../errors.js";
import type { RegisteredTarget, TargetHealthState, TargetRef } from "../types.js";
import { awsErrorName } from "./clients.js";

/** Targets per Register/Deregister call (the controller uses the same chunk size). */
export const TARGET_BATCH_SIZE = 200;

export interface TargetGroupAdapter {
  describeTargets(): Promise<RegisteredTarget[]>;
  register(targets: readonly TargetRef[]): Promise<number>;
  deregister(targets: readonly TargetRef[]): Promise<number>;
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
    async register(targets) {
      const registerBatch = (batch: readonly TargetRef[]) =>
        send("register_targets_error", "RegisterTargets", () =>
          client.send(
            new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: batch.map(toDescription) }),
          ),
        );
      for (const batch of batches(targets, TARGET_BATCH_SIZE)) {
        try {
          await registerBatch(batch);
        } catch (error) {
          // ELBv2 rejects the whole call for one bad IP (InvalidTarget). Register the rest one by one so a
          // single bad address never keeps valid new ALB IPs out; then report the ones that were refused.
          if (batch.length === 1 || awsErrorName((error as AwsCallError).cause) !== "InvalidTarget")
            throw error;
          const refused: string[] = [];
          for (const target of batch) {
            try {
              await registerBatch([target]);
            } catch {
              refused.push(target.ip);
            }
          }
          if (refused.length > 0) {
            throw new AwsCallError(
              "register_targets_error",
              "RegisterTargets",
              `RegisterTargets on ${targetGroupArn} refused ${refused.join(", ")} (InvalidTarget); the other targets were registered. ` +
                "An IP outside the target group's VPC needs SAME_VPC=false; check that ALB_DNS_NAME is the ALB's name.",
              { cause: error },
            );
          }
        }
      }
      return targets.length;
    },
    async deregister(targets) {
      for (const batch of batches(targets, TARGET_BATCH_SIZE)) {
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
