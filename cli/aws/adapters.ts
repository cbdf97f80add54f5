/**
 * The function's adapters (lambda/aws/), as the CLI holds them: typed read-only. `plan` runs the function's own
 * reconcile() as a dry run, which never calls a write method; {@link dryRunPair} still hands it adapters whose
 * write methods throw, so a change in reconcile() could not make the CLI write even without the client guard.
 */
import { createTargetGroupAdapter, type TargetGroupAdapter } from "../../lambda/aws/elbv2.js";
import { createStateStore, type StateStore, type StateStoreOptions } from "../../lambda/aws/state-store.js";
import type { ReadOnlyClients } from "./clients.js";
import { ReadOnlyViolationError } from "./read-only.js";

/** A target group's targets, read only. */
export type ReadOnlyTargetGroupAdapter = Pick<TargetGroupAdapter, "describeTargets" | "calls">;
/** A pair's state object, read only. */
export type ReadOnlyStateStore = Pick<StateStore, "bucket" | "key" | "load" | "calls">;

/**
 * The function's target-group adapter without its write methods.
 *
 * @example
 * const targets = await readTargets(clients, arn).describeTargets();
 */
export function readTargets(clients: ReadOnlyClients, targetGroupArn: string): ReadOnlyTargetGroupAdapter {
  const adapter = createTargetGroupAdapter(clients.elbv2, targetGroupArn);
  return {
    describeTargets: () => adapter.describeTargets(),
    get calls() {
      return adapter.calls;
    },
  };
}

/**
 * The function's state store without `save`.
 *
 * @example
 * const { state } = await readState(clients, { bucket, key, expect }).load();
 */
export function readState(clients: ReadOnlyClients, options: StateStoreOptions): ReadOnlyStateStore {
  const store = createStateStore(clients.s3, options);
  return {
    bucket: store.bucket,
    key: store.key,
    load: () => store.load(),
    get calls() {
      return store.calls;
    },
  };
}

/**
 * Full adapters for reconcile()'s dry run, whose write methods throw {@link ReadOnlyViolationError}.
 *
 * @example
 * reconcile({ ..., pairs: [{ ...pair, ...dryRunPair(readTargets(c, arn), readState(c, options)) }] }, { dryRun: true, ... });
 */
export function dryRunPair(
  targets: ReadOnlyTargetGroupAdapter,
  store: ReadOnlyStateStore,
): { targets: TargetGroupAdapter; store: StateStore } {
  const refuse = (operation: string, client: string) => () =>
    Promise.reject(new ReadOnlyViolationError(operation, client));
  return {
    targets: {
      describeTargets: () => targets.describeTargets(),
      register: refuse("RegisterTargets", "ElasticLoadBalancingV2Client"),
      deregister: refuse("DeregisterTargets", "ElasticLoadBalancingV2Client"),
      get calls() {
        return targets.calls;
      },
    },
    store: {
      bucket: store.bucket,
      key: store.key,
      load: () => store.load(),
      save: refuse("PutObject", "S3Client"),
      get calls() {
        return store.calls;
      },
    },
  };
}
