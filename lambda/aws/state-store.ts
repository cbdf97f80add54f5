/**
 * State store: one JSON object in S3 per target group and port, written with ETag conditions so two overlapping
 * runs can never silently overwrite each other. Corrupt or foreign state is reported, never thrown: the core then
 * treats it as absent (adopts), and the next write replaces it conditionally on its ETag.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parseState, serializeState } from "../core/state.js";
import { AwsCallError } from "../errors.js";
import type { State } from "../types.js";
import { awsErrorName, awsHttpStatus, withinBudget } from "./clients.js";

export interface LoadedState {
  /** The parsed state, or null when missing, corrupt or foreign. */
  state: State | null;
  /** ETag of the stored object (also when it was unusable), undefined when there is none. */
  etag: string | undefined;
  /** Why a stored object was not used, e.g. `state_corrupt: Unexpected token ...`. */
  problem?: { code: string; reason: string } | undefined;
  /** Set when the object was an older schema that was migrated. */
  migratedFrom?: number | undefined;
}

export type SaveResult = { ok: true; etag: string } | { ok: false; conflict: true };

export interface StateStore {
  readonly bucket: string;
  readonly key: string;
  load(): Promise<LoadedState>;
  /** Writes `state` if the stored object still has `etag` (or does not exist, when `etag` is undefined). */
  save(state: State, etag: string | undefined): Promise<SaveResult>;
  readonly calls: number;
}

export interface StateStoreOptions {
  bucket: string;
  key: string;
  expect: { targetGroupArn: string; port: number; albDnsName: string };
  /** Each call, retries included, is abandoned after this many ms (`lambda/timing.ts`); undefined: no bound. */
  callBudgetMs?: number | undefined;
}

/** Creates the S3-backed state store. */
export function createStateStore(client: S3Client, options: StateStoreOptions): StateStore {
  const { bucket, key } = options;
  let calls = 0;

  function fail(code: string, operation: string, error: unknown): never {
    throw new AwsCallError(
      code,
      operation,
      `S3 ${operation} s3://${bucket}/${key} failed with ${awsErrorName(error)}: ${(error as Error).message}. ` +
        "Check that S3_BUCKET exists in this account and region and that the function role may read and write the state key.",
      { cause: error },
    );
  }

  return {
    bucket,
    key,
    get calls() {
      return calls;
    },
    async load() {
      calls += 1;
      let text: string;
      let etag: string | undefined;
      try {
        // The body is read within the budget too: a stalled body must not outlast it.
        ({ text, etag } = await withinBudget(options.callBudgetMs, async (abortSignal) => {
          const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
          return { text: (await out.Body?.transformToString("utf-8")) ?? "", etag: out.ETag };
        }));
      } catch (error) {
        if (awsErrorName(error) === "NoSuchKey") return { state: null, etag: undefined };
        return fail("state_read_error", "GetObject", error);
      }
      const parsed = parseState(text, options.expect);
      if (!parsed.ok) return { state: null, etag, problem: { code: parsed.code, reason: parsed.reason } };
      return { state: parsed.state, etag, migratedFrom: parsed.migratedFrom };
    },
    async save(state, etag) {
      calls += 1;
      try {
        const out = await withinBudget(options.callBudgetMs, (abortSignal) =>
          client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: serializeState(state),
              ContentType: "application/json",
              ...(etag ? { IfMatch: etag } : { IfNoneMatch: "*" }),
            }),
            { abortSignal },
          ),
        );
        return { ok: true, etag: out.ETag ?? "" };
      } catch (error) {
        const name = awsErrorName(error);
        const status = awsHttpStatus(error);
        // 412: the ETag no longer matches; 409: a concurrent conditional write; NoSuchKey: the object we read was
        // deleted meanwhile (S3 answers a conditional PUT on a missing key with 404). All mean: re-read, re-plan.
        if (
          name === "PreconditionFailed" ||
          name === "ConditionalRequestConflict" ||
          name === "NoSuchKey" ||
          status === 412 ||
          status === 409
        ) {
          return { ok: false, conflict: true };
        }
        return fail("state_write_error", "PutObject", error);
      }
    },
  };
}
