import type { FastifyInstance } from 'fastify';
import { archiveStorageKey, batchJobId, type BatchRecord } from '@vidqueue/core/contract';
import { archiveJobId } from '@vidqueue/core/store';

/** What a purge removed. */
export type Purged = { jobs: number; files: number };

/** Rows read per step. */
const CHUNK = 1000;

/**
 * Removes a finished batch for good: its archived files (`batches/<id>/` in storage), every job of
 * every attempt of its rows (generation and archive jobs) with their spending reservations (all settled
 * or released by then), the archive records, the webhook target and the batch record with its
 * Idempotency-Key. Webhook delivery records are left to expire (they are
 * the log of what was sent). Safe to run again: each step removes what is left.
 */
export async function purgeBatch(app: FastifyInstance, batch: BatchRecord): Promise<Purged> {
  const { store } = app.producer.ctx;
  const id = batch.meta.id;
  const lastRow = batch.meta.total + batch.meta.skipped;
  const videoIds: string[] = [];
  const storageKeys: string[] = [];
  for (let from = 1; from <= lastRow; from += CHUNK) {
    const rows = await store.rows(id, from, Math.min(CHUNK, lastRow - from + 1));
    for (const record of rows) {
      for (let attempt = 0; attempt <= record.attempt; attempt++) {
        const jobId = batchJobId(id, record.row, attempt);
        videoIds.push(jobId);
        storageKeys.push(archiveStorageKey(jobId, id));
      }
    }
  }

  const files = app.archive.storage ? await app.archive.storage.deletePrefix(`batches/${id}/`) : 0;
  let jobs = 0;
  for (const jobId of videoIds) {
    jobs += await app.queue.remove(jobId);
    await app.archive.queue.remove(archiveJobId(jobId));
    await app.redis.del(app.keys.reservation(jobId));
  }
  await app.archive.store.forget(storageKeys);
  await app.archive.store.dropBatch(id, videoIds);
  await app.webhooks.targets.drop(id);
  const k = app.keys.batch(id);
  await app.redis.del(k.meta, k.counts, k.status, k.input, k.result, k.attempt);
  if (batch.meta.idempotencyKey !== undefined) {
    await app.redis.del(app.keys.batchIdempotency(batch.meta.idempotencyKey));
  }
  return { jobs, files };
}
