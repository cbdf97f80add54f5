/**
 * The S3 data model: buckets of objects with MD5 ETags and the conditional-request rules
 * (If-Match / If-None-Match) of GetObject, HeadObject and PutObject.
 */
import { createHash } from "node:crypto";
import { SimApiError } from "./api-error.js";

/** A stored object. */
export interface S3Object {
  body: Buffer;
  /** Quoted MD5 hex, as S3 sends it: `"9e107d9d372bb6826bd81d3542a419d6"`. */
  etag: string;
  contentType: string;
  lastModified: Date;
  /** `x-amz-meta-*` headers, lower-case names without the prefix. */
  metadata: Record<string, string>;
}

/** Conditional headers of a request, as sent ("" when absent). */
export interface Conditions {
  ifMatch: string;
  ifNoneMatch: string;
}

/** In-memory buckets. */
export class S3Store {
  private readonly buckets = new Map<string, Map<string, S3Object>>();

  constructor(private readonly clock: () => number) {}

  /** Create a bucket; throws BucketAlreadyOwnedByYou (409) when it exists. */
  createBucket(name: string): void {
    validateBucketName(name);
    if (this.buckets.has(name)) {
      throw new SimApiError(
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        409,
        { BucketName: name },
      );
    }
    this.buckets.set(name, new Map());
  }

  /** Drop every bucket and object. */
  clear(): void {
    this.buckets.clear();
  }

  /** True when the bucket exists. */
  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  /** Bucket names and their objects (live references; do not mutate). */
  entries(): Array<[string, ReadonlyMap<string, S3Object>]> {
    return [...this.buckets.entries()];
  }

  /**
   * Read an object for GetObject/HeadObject, applying If-Match (412) and If-None-Match (304).
   * Returns `"not-modified"` for a 304.
   */
  get(bucket: string, key: string, conditions: Conditions): S3Object | "not-modified" {
    const object = this.bucketOf(bucket).get(key);
    if (!object) throw noSuchKey(key);
    if (conditions.ifMatch !== "" && !etagMatches(conditions.ifMatch, object.etag)) {
      throw preconditionFailed("If-Match");
    }
    if (conditions.ifNoneMatch !== "" && etagMatches(conditions.ifNoneMatch, object.etag)) {
      return "not-modified";
    }
    return object;
  }

  /**
   * PutObject with conditional writes: `If-None-Match: *` fails (412) when the object exists;
   * `If-Match` fails (412) when the object is missing or its ETag differs.
   */
  put(
    bucket: string,
    key: string,
    body: Buffer,
    contentType: string,
    metadata: Record<string, string>,
    conditions: Conditions,
  ): S3Object {
    const objects = this.bucketOf(bucket);
    validateKey(key);
    const existing = objects.get(key);
    if (conditions.ifNoneMatch !== "") {
      if (conditions.ifNoneMatch.trim() !== "*") {
        throw new SimApiError(
          "NotImplemented",
          `PutObject accepts only If-None-Match: * (got ${JSON.stringify(conditions.ifNoneMatch)})`,
          501,
          { Header: "If-None-Match" },
        );
      }
      if (existing) throw preconditionFailed("If-None-Match");
    }
    if (conditions.ifMatch !== "" && (!existing || !etagMatches(conditions.ifMatch, existing.etag))) {
      throw preconditionFailed("If-Match");
    }
    const object: S3Object = {
      body,
      etag: `"${createHash("md5").update(body).digest("hex")}"`,
      contentType,
      lastModified: new Date(Math.floor(this.clock() / 1000) * 1000),
      metadata,
    };
    objects.set(key, object);
    return object;
  }

  /** DeleteObject: succeeds whether or not the key exists. */
  delete(bucket: string, key: string): void {
    this.bucketOf(bucket).delete(key);
  }

  /** Keys with `prefix`, sorted, after `startAfter`, at most `maxKeys`; `truncated` when more exist. */
  list(
    bucket: string,
    prefix: string,
    startAfter: string,
    maxKeys: number,
  ): { objects: Array<[string, S3Object]>; truncated: boolean } {
    const all = [...this.bucketOf(bucket).entries()]
      .filter(([key]) => key.startsWith(prefix) && key > startAfter)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { objects: all.slice(0, maxKeys), truncated: all.length > maxKeys };
  }

  private bucketOf(name: string): Map<string, S3Object> {
    const objects = this.buckets.get(name);
    if (!objects) {
      throw new SimApiError("NoSuchBucket", "The specified bucket does not exist", 404, { BucketName: name });
    }
    return objects;
  }
}

/** True when an If-Match / If-None-Match header value (list or `*`) matches `etag`. */
export function etagMatches(header: string, etag: string): boolean {
  const wanted = normalizeEtag(etag);
  return header.split(",").some((candidate) => {
    const value = candidate.trim();
    return value === "*" || normalizeEtag(value) === wanted;
  });
}

function normalizeEtag(value: string): string {
  return value.replace(/^W\//, "").replace(/^"|"$/g, "");
}

function noSuchKey(key: string): SimApiError {
  return new SimApiError("NoSuchKey", "The specified key does not exist.", 404, { Key: key });
}

function preconditionFailed(condition: string): SimApiError {
  return new SimApiError(
    "PreconditionFailed",
    "At least one of the pre-conditions you specified did not hold",
    412,
    {
      Condition: condition,
    },
  );
}

function validateBucketName(name: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes("..")) {
    throw new SimApiError(
      "InvalidBucketName",
      `The specified bucket is not valid: ${JSON.stringify(name)}; use 3-63 lower-case letters, digits, dots and hyphens`,
      400,
      { BucketName: name },
    );
  }
}

function validateKey(key: string): void {
  if (key === "" || Buffer.byteLength(key) > 1024) {
    throw new SimApiError(
      "KeyTooLongError",
      `Object keys must be 1 to 1024 bytes long (got ${Buffer.byteLength(key)})`,
    );
  }
}
