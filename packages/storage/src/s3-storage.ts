import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertStorageKey, assertStoragePrefix, type ByteRange, type Storage } from './storage.js';

/** How to reach an S3-compatible store. Unset credentials fall back to the SDK's default chain. */
export type S3Settings = {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/` (may be empty). */
  prefix: string;
  /** `AWS_ENDPOINT_URL`: MinIO, R2, any S3-compatible server; unset for AWS itself. */
  endpoint?: string;
  /** `AWS_REGION`; default `us-east-1` (MinIO and most compatible stores accept it). */
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `bucket.host/key` (false, AWS's default) or `host/bucket/key` (true: MinIO and most local servers). */
  forcePathStyle?: boolean;
  /**
   * A put whose socket sends and receives nothing for this long is destroyed (the SDK's
   * `socketTimeout`, on the client used for puts only; default `S3_SOCKET_IDLE_MS`). lib-storage does not pass an abort on to a single-part
   * PUT already sent, so without it a put given up (the archive's ARCHIVE_TIMEOUT_MS) against a store
   * that stopped answering would hold its connection open for ever.
   */
  socketIdleMs?: number;
};

/** See `S3Settings.socketIdleMs`: one minute, far more than any store takes to answer a finished part. */
export const S3_SOCKET_IDLE_MS = 60_000;

/** 8 MiB parts: a 100 MiB video is 13 parts, each buffered once by the uploader (4 at a time). */
const PART_SIZE = 8 * 1024 * 1024;

function isNotFound(err: unknown): boolean {
  if (err instanceof S3ServiceException) {
    return err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404;
  }
  return false;
}

/**
 * Objects in an S3 bucket through the AWS SDK v3. Checksums only when an operation requires them
 * (`WHEN_REQUIRED`): since early 2025 the SDK sends CRC32 checksums by default, which many
 * S3-compatible servers refuse. Uploads go through `@aws-sdk/lib-storage` (multipart above one part,
 * aborted on failure, so a failed put leaves no object).
 */
export function createS3Storage(settings: S3Settings): Storage {
  const config = {
    region: settings.region ?? 'us-east-1',
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? false,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
      : {}),
  } as const;
  const client = new S3Client(config);
  // Puts only: a read's body may rightly sit idle (a reader paused by its own slow client).
  const writer = new S3Client({
    ...config,
    requestHandler: { socketTimeout: settings.socketIdleMs ?? S3_SOCKET_IDLE_MS, connectionTimeout: 10_000 },
  });
  const { bucket } = settings;
  const root = settings.prefix === '' ? '' : `${settings.prefix}/`;
  const objectKey = (key: string) => {
    assertStorageKey(key);
    return `${root}${key}`;
  };

  async function stat(key: string) {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  return {
    kind: 's3',
    description: `s3://${bucket}/${settings.prefix}`,

    async put(key, body: Readable, options) {
      const upload = new Upload({
        client: writer,
        params: {
          Bucket: bucket,
          Key: objectKey(key),
          Body: body,
          ContentType: options?.contentType ?? 'application/octet-stream',
        },
        partSize: PART_SIZE,
        queueSize: 4,
        leavePartsOnError: false,
      });
      // A body that fails must fail the upload, not leave it waiting for more bytes; so must an abort
      // (a store that stops answering would otherwise hold the put for ever: the SDK has no time limit).
      const failed = new Promise<never>((_, reject) => {
        body.once('error', reject);
        const signal = options?.signal;
        if (signal?.aborted) reject(signal.reason as Error);
        signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
      try {
        await Promise.race([upload.done(), failed]);
      } catch (err) {
        body.destroy();
        await upload.abort().catch(() => undefined);
        throw err;
      }
    },

    stat,

    async read(key, range?: ByteRange) {
      try {
        const res = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: objectKey(key),
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        const total = /\/(\d+)$/.exec(res.ContentRange ?? '')?.[1];
        return {
          body: res.Body as Readable,
          size: total === undefined ? (res.ContentLength ?? 0) : Number(total),
        };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    },

    async deletePrefix(prefix) {
      assertStoragePrefix(prefix);
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: `${root}${prefix}`, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
        if (keys.length > 0) {
          await client.send(
            new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
          );
          removed += keys.length;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return removed;
    },

    close() {
      client.destroy();
      writer.destroy();
      return Promise.resolve();
    },
  };
}
