import { createHash } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startWorld, type World } from "../../sim/world.js";
import { rejectionOf, s3Client } from "./support.js";

let world: World;
let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  world = await startWorld();
  s3 = s3Client(world.info);
  bucket = world.info.bucket;
});

afterAll(async () => {
  s3.destroy();
  await world.stop();
});

beforeEach(() => world.reset());

async function put(
  key: string,
  body: string | Uint8Array,
  extra: { IfMatch?: string; IfNoneMatch?: string } = {},
) {
  return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
}

describe("S3 objects with the real SDK client", () => {
  it("round-trips a binary body byte for byte with its MD5 ETag, type and length", async () => {
    // Prepare
    const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 256));
    const md5 = createHash("md5").update(body).digest("hex");
    // Act
    const written = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "dir/blob.bin",
        Body: body,
        ContentType: "application/x-test",
      }),
    );
    const read = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/blob.bin" }));
    const bytes = Buffer.from((await read.Body?.transformToByteArray()) ?? []);
    // Assess
    expect(written.ETag).toBe(`"${md5}"`);
    expect(read.ETag).toBe(`"${md5}"`);
    expect(read.ContentType).toBe("application/x-test");
    expect(read.ContentLength).toBe(4096);
    expect(read.LastModified).toBeInstanceOf(Date);
    expect(bytes.equals(body)).toBe(true);
  });

  it("keeps keys with spaces, slashes and unicode intact", async () => {
    const key = "alb-static-ip/tg-0123/443 état.json";
    await put(key, "{}");
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "alb-static-ip/" }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual([key]);
    expect(Object.keys(world.state().s3.buckets[bucket] ?? {})).toEqual([key]);
  });

  it("If-Match with the current ETag writes; with another ETag fails 412 PreconditionFailed", async () => {
    // Prepare
    const first = await put("state.json", '{"v":1}');
    // Act
    const second = await put("state.json", '{"v":2}', { IfMatch: first.ETag ?? "" });
    const stale = await rejectionOf(put("state.json", '{"v":3}', { IfMatch: first.ETag ?? "" }));
    // Assess
    expect(second.ETag).not.toBe(first.ETag);
    expect(stale.name).toBe("PreconditionFailed");
    expect(stale.$metadata).toMatchObject({ httpStatusCode: 412 });
    expect(world.state().s3.buckets[bucket]?.["state.json"]?.body).toBe('{"v":2}');
  });

  it("If-Match on a missing object fails 412", async () => {
    const error = await rejectionOf(put("missing.json", "{}", { IfMatch: '"0123"' }));
    expect(error.name).toBe("PreconditionFailed");
  });

  it("If-None-Match: * creates once, then fails 412 because the object exists", async () => {
    await put("once.json", "1", { IfNoneMatch: "*" });
    const error = await rejectionOf(put("once.json", "2", { IfNoneMatch: "*" }));
    expect(error.name).toBe("PreconditionFailed");
    expect(world.state().s3.buckets[bucket]?.["once.json"]?.body).toBe("1");
  });

  it("GetObject honours If-None-Match (304) and If-Match (412)", async () => {
    const { ETag } = await put("cond.json", "{}");
    const notModified = await rejectionOf(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond.json", IfNoneMatch: ETag })),
    );
    const mismatch = await rejectionOf(
      s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond.json", IfMatch: '"x"' })),
    );
    expect(notModified.$metadata).toMatchObject({ httpStatusCode: 304 });
    expect(mismatch.$metadata).toMatchObject({ httpStatusCode: 412 });
  });

  it("maps a missing key and bucket to the SDK's NoSuchKey / NoSuchBucket / NotFound classes", async () => {
    const key = await rejectionOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "nope" })));
    const noBucket = await rejectionOf(s3.send(new GetObjectCommand({ Bucket: "no-such-bucket", Key: "k" })));
    const head = await rejectionOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "nope" })));
    expect(key).toBeInstanceOf(NoSuchKey);
    expect(key.$metadata).toMatchObject({ httpStatusCode: 404 });
    expect(noBucket).toBeInstanceOf(NoSuchBucket);
    expect(head).toBeInstanceOf(NotFound);
  });

  it("HeadObject returns the ETag and length; DeleteObject removes the object", async () => {
    const { ETag } = await put("h.txt", "hello");
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "h.txt" }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "h.txt" }));
    expect(head).toMatchObject({ ETag, ContentLength: 5 });
    expect(world.state().s3.buckets[bucket]).toEqual({});
  });

  it("CreateBucket makes a new bucket usable; creating it again is BucketAlreadyOwnedByYou", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "another-bucket" }));
    await s3.send(new PutObjectCommand({ Bucket: "another-bucket", Key: "k", Body: "v" }));
    const again = await rejectionOf(s3.send(new CreateBucketCommand({ Bucket: "another-bucket" })));
    expect(world.state().s3.buckets["another-bucket"]?.k?.body).toBe("v");
    expect(again.name).toBe("BucketAlreadyOwnedByYou");
  });

  it("shows text bodies as UTF-8 and binary bodies as base64 in /state", async () => {
    await put("t.json", '{"a":"é"}');
    await put("b.bin", new Uint8Array([0, 255, 1]));
    const objects = world.state().s3.buckets[bucket] ?? {};
    expect(objects["t.json"]).toMatchObject({ body: '{"a":"é"}', encoding: "utf8", size: 10 });
    expect(objects["b.bin"]).toMatchObject({ body: "AP8B", encoding: "base64", size: 3 });
  });
});

describe("S3 wire details", () => {
  it("decodes an aws-chunked upload to the plain body", async () => {
    // Prepare
    const framed =
      "5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=0\r\n\r\n";
    // Act
    const response = await fetch(`${world.info.endpoints.s3}/${bucket}/chunked.txt`, {
      method: "PUT",
      headers: {
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "11",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      },
      body: framed,
    });
    // Assess
    expect(response.status).toBe(200);
    expect(world.state().s3.buckets[bucket]?.["chunked.txt"]?.body).toBe("hello world");
  });

  it("answers unsupported operations with 501 NotImplemented in S3's XML error shape", async () => {
    const response = await fetch(`${world.info.endpoints.s3}/${bucket}/k?tagging`, { method: "GET" });
    const text = await response.text();
    expect(response.status).toBe(501);
    expect(text).toContain("<Code>NotImplemented</Code>");
  });
});
