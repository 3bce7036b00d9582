/**
 * A batch's Idempotency-Key: `<prefix>:vidq:batch-idem:<key>` holds `<batchId> <sha256> <options>`,
 * claimed NX for the batch TTL: the SHA-256 of the file, and a hash of every option that changes what
 * is enqueued or spent (format, the model for rows without one, on_invalid, max_cost_usd). The same file with the same
 * options under the same key answers the same batch (and resumes one whose enqueueing broke midway);
 * another file, or the same file with other options, is IDEMPOTENCY_KEY_MISMATCH, so a resume can never
 * enqueue rows another way than the upload it resumes. Claims written before the options were part
 * of it (`<batchId> <sha256>`) compare the file only.
 */
import { createHash } from 'node:crypto';
import type { BatchFormat } from '../contract/batch-record.js';
import { toCreatedBatchView, type CreatedBatchView } from '../contract/batch-view.js';
import type { ProducerContext } from './context.js';
import { ProducerError } from './errors.js';

/** What an upload is, for its key: its bytes, and the options that change what it enqueues. */
export type BatchFingerprint = { sha256: string; options: string };

export function batchFingerprint(
  sha256: string,
  options: {
    format: BatchFormat;
    model: string;
    onInvalid: 'reject' | 'skip';
    maxCostUsd?: number | undefined;
  },
): BatchFingerprint {
  // The cap is part of it only when set, so a key claimed before caps existed still matches.
  const canonical = JSON.stringify({
    format: options.format,
    model: options.model,
    on_invalid: options.onInvalid,
    ...(options.maxCostUsd !== undefined && { max_cost_usd: options.maxCostUsd }),
  });
  return { sha256, options: createHash('sha256').update(canonical).digest('hex').slice(0, 32) };
}

/** The batch id a claim names, or IDEMPOTENCY_KEY_MISMATCH when it was made for another upload. */
function claimedBatchId(value: string, fingerprint: BatchFingerprint): string {
  const [id = '', sha, options] = value.split(' ');
  if (sha !== fingerprint.sha256 || (options !== undefined && options !== fingerprint.options)) {
    throw new ProducerError('IDEMPOTENCY_KEY_MISMATCH');
  }
  return id;
}

/**
 * The batch an earlier request with this key made, when it is fully enqueued; undefined when there is
 * none yet, or it is not fully enqueued (the caller validates and resumes it).
 */
export async function findBatchReplay(
  ctx: ProducerContext,
  idemKey: string,
  fingerprint: BatchFingerprint,
): Promise<CreatedBatchView | undefined> {
  const existing = await ctx.guard(() => ctx.redis.get(idemKey));
  if (existing === null) return undefined;
  const id = claimedBatchId(existing, fingerprint);
  if (!id) return undefined;
  const batch = await ctx.guard(() => ctx.store.get(id));
  if (!batch?.meta.enqueuedAt) return undefined;
  return toCreatedBatchView(batch);
}

/**
 * Claims the key for `batchId` (the fingerprint alongside, so another upload under the same key is
 * refused even while the first is being enqueued). Answers the batch id to use: `batchId`, or the one
 * an earlier request claimed (which may not be created or fully enqueued yet).
 */
export async function claimBatchKey(
  ctx: ProducerContext,
  idemKey: string,
  batchId: string,
  fingerprint: BatchFingerprint,
): Promise<string> {
  const { guard, redis } = ctx;
  const value = `${batchId} ${fingerprint.sha256} ${fingerprint.options}`;
  // Twice at most: a claim that expires between our NX and our read is claimed afresh once.
  for (let attempt = 0; attempt < 2; attempt++) {
    const claimed = await guard(() => redis.set(idemKey, value, 'EX', ctx.config.BATCH_TTL_SECONDS, 'NX'));
    if (claimed !== null) return batchId;
    const existing = await guard(() => redis.get(idemKey));
    if (existing !== null) return claimedBatchId(existing, fingerprint) || batchId;
  }
  return batchId;
}
