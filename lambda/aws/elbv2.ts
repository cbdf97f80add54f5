/**
 * ELBv2 adapter: reads the target group's targets with health, registers and deregisters in batches of at most
 * 200; reads the target groups' IP address types ({@link describeTargetGroupTypes}). It translates; it decides nothing. Every failure becomes an AwsCallError with a stable code; a failed
 * registration says which targets did get registered before it ({@link RegistrationError}). ELBv2 refuses a whole
 * RegisterTargets call for one bad target; the calls spent finding the refused ones are bounded
 * ({@link REFUSAL_CALL_BUDGET}).
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

/**
 * RegisterTargets calls one registration may spend on refused targets (a probe, then halving a refused batch until
 * each refused target stands alone), beyond the one call per batch of {@link TARGET_BATCH_SIZE}. Halving costs
 * about 2·log₂ n calls per refused target, so 16 isolates one or two refused targets among 200, and the rest
 * wait for the next run (named as not tried): a run never spends 2n − 1 calls of the account's ELBv2 quota.
 */
export const REFUSAL_CALL_BUDGET = 16;

/** Options of the write calls. */
export interface WriteOptions {
  /** Epoch ms after which no further call is started (the rest is reported as not done). */
  deadline?: number | undefined;
  /**
   * Registering: when a refused batch is followed by one of its targets (chosen at random) refused alone, before
   * any target was registered, stop there with `register_targets_refused` instead of isolating each refused
   * target: 2 calls. The caller sets it when nothing is registered on the port, where every target being refused
   * is most likely a configuration error (SAME_VPC, the wrong load balancer).
   */
  stopWhenAllRefused?: boolean | undefined;
  /** Chooses the probe of {@link WriteOptions.stopWhenAllRefused} (default Math.random), for tests. */
  random?: (() => number) | undefined;
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
    options?: { cause?: unknown; code?: "register_targets_error" | "register_targets_refused" },
  ) {
    super(options?.code ?? "register_targets_error", "RegisterTargets", message, options);
    this.registered = progress.registered;
    this.refused = progress.refused;
  }
}

/**
 * Why ELBv2 refused targets of a RegisterTargets call, or undefined when the error is about the call itself.
 * `InvalidTarget`, or a `ValidationError` whose message quotes one of the call's IPs: AWS answers an IP outside
 * the VPC registered without an Availability Zone with "The Availability Zone is required for IP address '…'
 * because it is not in the VPC", and an address of the other family with "The IP address '…' is not a valid …".
 */
function refusalOf(
  error: unknown,
  batch: readonly TargetRef[],
): { code: string; message: string } | undefined {
  const code = awsErrorName(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === "InvalidTarget") return { code, message };
  if (code === "ValidationError" && batch.some((t) => message.includes(`'${t.ip}'`)))
    return { code, message };
  return undefined;
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
      const refused: Array<{ ip: string; code: string; message: string }> = [];
      const untried: TargetRef[] = [];
      let budget = REFUSAL_CALL_BUDGET;
      const progress = () => ({ registered: [...registered], refused: refused.map((r) => r.ip) });
      const beforeCall = () => {
        if (options.deadline !== undefined && Date.now() > options.deadline) {
          throw new RegistrationError(
            `RegisterTargets on ${targetGroupArn} stopped at the run's time limit with ${targets.length - registered.length - refused.length} target(s) not yet registered; the next run registers them. Raise the function timeout if this repeats.`,
            progress(),
            { cause: new AlbStaticIpError("out_of_time", "act deadline passed") },
          );
        }
      };
      /** One call: undefined when ELBv2 registered the batch, else why it refused targets of it. */
      const attempt = async (
        batch: readonly TargetRef[],
      ): Promise<{ code: string; message: string } | undefined> => {
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
          return undefined;
        } catch (error) {
          const cause = (error as AwsCallError).cause;
          const refusal = refusalOf(cause, batch);
          if (refusal !== undefined) return refusal;
          throw new RegistrationError(
            `${(error as Error).message} (${registered.length} of ${targets.length} target(s) registered before it)`,
            progress(),
            { cause },
          );
        }
      };
      /** `batch` was refused for `why`: halve it until each refused target stands alone, within the budget. */
      const isolate = async (
        batch: readonly TargetRef[],
        why: { code: string; message: string },
      ): Promise<void> => {
        if (batch.length === 1) {
          refused.push({ ip: batch[0]!.ip, ...why });
          return;
        }
        const half = Math.ceil(batch.length / 2);
        for (const part of [batch.slice(0, half), batch.slice(half)]) {
          if (budget <= 0) {
            untried.push(...part);
            continue;
          }
          budget -= 1;
          const refusal = await attempt(part);
          if (refusal !== undefined) await isolate(part, refusal);
        }
      };
      const all = batches(targets, TARGET_BATCH_SIZE);
      for (const [index, batch] of all.entries()) {
        const refusal = await attempt(batch);
        if (refusal === undefined) continue;
        if (
          batch.length > 1 &&
          options.stopWhenAllRefused === true &&
          registered.length === 0 &&
          budget > 0
        ) {
          // One target alone, not the one the error names: refused too ⇒ most likely every target is.
          const others = batch.filter((t) => !refusal.message.includes(`'${t.ip}'`));
          const pool = others.length > 0 ? others : batch;
          const probe = pool[Math.floor((options.random ?? Math.random)() * pool.length)] ?? batch[0]!;
          budget -= 1;
          const alone = await attempt([probe]);
          if (alone !== undefined) {
            refused.push({ ip: probe.ip, ...alone });
            const notTried = all.slice(index).flat().length - 1;
            throw new RegistrationError(
              `RegisterTargets on ${targetGroupArn} refused all ${batch.length} targets of the call and then ${probe.ip} alone (${alone.code}: ${alone.message}). ` +
                `Nothing is registered on this port yet, so the run stopped after these 2 calls and ${notTried} target(s) were not tried; the next run tries again at the same cost. ` +
                `Every target refused usually means a configuration error: SAME_VPC=true while the ALB is in another VPC than the target group (peered, or another account): set SAME_VPC=false so targets are registered with AvailabilityZone "all"; ` +
                "SAME_VPC=false while the ALB is in the target group's VPC: set SAME_VPC=true; addresses of the other IP family than the target group's (a role without elasticloadbalancing:DescribeTargetGroups treats every group as ipv4); " +
                "or ALB_DNS_NAME / ALB_ARN naming a load balancer whose IPs are not in the target group's VPC or a private range.",
              progress(),
              { code: "register_targets_refused" },
            );
          }
          await isolate(
            batch.filter((t) => t !== probe),
            refusal,
          );
          continue;
        }
        await isolate(batch, refusal);
      }
      if (refused.length > 0 || untried.length > 0) {
        const codes = [...new Set(refused.map((r) => r.code))].join(", ");
        const said = refused[0] === undefined ? "" : ` ELBv2 said: ${refused[0].message}.`;
        const notTried =
          untried.length > 0
            ? ` ${untried.length} target(s) were not tried: the run spends at most ${REFUSAL_CALL_BUDGET} calls isolating refused targets; the next run continues.`
            : "";
        throw new RegistrationError(
          `RegisterTargets on ${targetGroupArn} refused ${refused.map((r) => r.ip).join(", ") || "none yet"}${codes === "" ? "" : ` (${codes})`}; the other ${registered.length} target(s) were registered.${notTried}${said} ` +
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
