/**
 * Idempotency rules shared by `POST /v1/videos` (apps/api) and the SDK's Redis mode, so a key used
 * through either one means the same thing.
 */
import { z } from 'zod';
import type { NewGenerationJobData } from './job-data.js';

/** An Idempotency-Key (videos and batches, over HTTP or in the SDK's Redis mode): an HTTP header token. */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be 1 to 255 printable ASCII characters without spaces');

/** How long an Idempotency-Key is remembered (24 hours). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** How long a cancel request is remembered for a job that has not started yet (7 days). */
export const CANCEL_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Canonical JSON (sorted keys) of what a request asked for, to compare a repeat with the original. The
 * video's own cap (`maxCostUsd`) is part of it when set; a request without one fingerprints as before.
 */
export function requestFingerprint(
  data: Pick<NewGenerationJobData, 'input' | 'customId' | 'metadata' | 'maxCostUsd'>,
): string {
  const sort = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, x]) => [k, sort(x)]),
        )
      : v;
  return JSON.stringify(
    sort({
      input: data.input,
      customId: data.customId,
      metadata: data.metadata,
      maxCostUsd: data.maxCostUsd,
    }),
  );
}
