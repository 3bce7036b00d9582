/**
 * The settings of what happens after a generation: where finished videos are archived (storage, the
 * archive queue) and where signed webhooks go (the webhooks queue). Part of `ConfigSchema`.
 */
import { z } from 'zod';
import { csv, ms } from './config-values.js';

export const sideEffectSettings = {
  /** Base of the URLs we hand out (archived videos' content URLs); default `http://HOST:PORT`. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Where finished videos are archived: `none`, `file:///path` or `s3://bucket/prefix`. */
  STORAGE_URL: z
    .string()
    .regex(
      /^(none|file:\/\/\/.*|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^?#]*)?)$/,
      'must be none, file:///path or s3://bucket/prefix',
    )
    .default('none'),
  /** S3-compatible endpoint (MinIO, R2…); unset for AWS S3 itself. */
  AWS_ENDPOINT_URL: z.url({ protocol: /^https?$/ }).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** `host/bucket/key` URLs instead of `bucket.host/key` (MinIO and most self-hosted stores need it). */
  S3_FORCE_PATH_STYLE: z.stringbool().default(false),
  /** Archive jobs (downloads into storage) a worker process runs at once. */
  ARCHIVE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
  /** Largest video archived, in bytes; a bigger one ends `archive_failed` with `too_large`. */
  ARCHIVE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024 * 1024),
  /** Time limit of one archive download (redirects and body), and again of the write into storage after its last byte. */
  ARCHIVE_TIMEOUT_MS: ms()
    .min(1000)
    .default(10 * 60_000),
  /** Tries of an archive job before `archive_failed` (exponential backoff from ARCHIVE_BACKOFF_MS). */
  ARCHIVE_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  ARCHIVE_BACKOFF_MS: ms().min(10).default(10_000),
  /** `batch`: archived files are deleted once their batch (or video) record expires; `forever`: kept. */
  ARCHIVE_RETENTION: z.enum(['batch', 'forever']).default('batch'),
  /** Where every event goes besides a request's own `webhook_url`. */
  WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Events sent to WEBHOOK_URL (comma-separated); default all. */
  WEBHOOK_EVENTS: csv
    .pipe(z.array(z.enum(['video.completed', 'video.failed', 'batch.completed'])))
    .optional(),
  /** Signing secrets `whsec_<base64>`, space-separated: every delivery is signed with each (rotation). */
  WEBHOOK_SECRET: z
    .string()
    .transform((s) => s.split(/\s+/).filter((t) => t.length > 0))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'each secret must be whsec_ followed by base64'),
        )
        .min(1),
    )
    .optional(),
  /** Webhook deliveries a worker process makes at once. */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  /** Time limit of one delivery attempt. */
  WEBHOOK_TIMEOUT_MS: ms().min(100).default(15_000),
  /** Attempts of one delivery; with WEBHOOK_BACKOFF_MS = 10 s the 14th is about 22.7 hours after the first. */
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(14),
  WEBHOOK_BACKOFF_MS: ms().min(10).default(10_000),
  /** Deliver to loopback and private addresses too (a receiver on this machine or network). */
  WEBHOOK_ALLOW_PRIVATE: z.stringbool().default(false),
};
