/**
 * A batch's Idempotency-Key: `<prefix>:vidq:batch-idem:<key>` holds `<batchId> <sha256>`, claimed NX for
 * the batch TTL. The same file under the same key answers the same batch (and resumes one whose
 * enqueueing broke midway); another file under it is IDEMPOTENCY_KEY_MISMATCH.
 */
import { toCreatedBatchView, type CreatedBatchView } from '../contract/batch-view.js';
import type { ProducerContext } from './context.js';
import { ProducerError } from './errors.js';

/**
 * The batch an earlier request with this key made, when it is fully enqueued; undefined when there is
 * none yet, or it is not fully enqueued (the caller validates and resumes it).
 */
export async function findBatchReplay(
  ctx: ProducerContext,
  idemKey: string,
  sha256: string,
): Promise<CreatedBatchView | undefined> {
  const existing = await ctx.guard(() => ctx.redis.get(idemKey));
  if (existing === null) return undefined;
  const [id, sha] = existing.split(' ');
  if (sha !== sha256) throw new ProducerError('IDEMPOTENCY_KEY_MISMATCH');
  if (!id) return undefined;
  const batch = await ctx.guard(() => ctx.store.get(id));
  if (!batch?.meta.enqueuedAt) return undefined;
  return toCreatedBatchView(batch);
}

/**
 * Claims the key for `batchId` (sha256 alongside, so a different file under the same key is refused
 * even while the first is being enqueued). Answers the batch id to use: `batchId`, or the one an
 * earlier request claimed (which may not be created or fully enqueued yet).
 */
export async function claimBatchKey(
  ctx: ProducerContext,
  idemKey: string,
  batchId: string,
  sha256: string,
): Promise<string> {
  const { guard, redis } = ctx;
  const claimed = await guard(() =>
    redis.set(idemKey, `${batchId} ${sha256}`, 'EX', ctx.config.BATCH_TTL_SECONDS, 'NX'),
  );
  if (claimed !== null) return batchId;
  const [id, sha] = ((await guard(() => redis.get(idemKey))) ?? '').split(' ');
  if (sha !== undefined && sha !== sha256) throw new ProducerError('IDEMPOTENCY_KEY_MISMATCH');
  return id || batchId;
}
