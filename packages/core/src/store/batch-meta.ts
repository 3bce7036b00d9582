import { VIDEO_STATUSES } from '../contract/video-view.js';
import type { BatchCounts, BatchRecord, CreateBatch } from '../contract/batch-record.js';
import { fromMicroUsd, toMicroUsd } from '../contract/budget.js';
import { scripts } from './scripts/index.js';
import type { BatchStoreContext } from './batch-context.js';

/** A batch's meta and counts: create, mark enqueued, read. Part of `createBatchStore`. */
export function batchMetaOps({ redis, keys, ttlSeconds }: BatchStoreContext) {
  return {
    /** Creates the record with every row queued. Resolves false (and changes nothing) if it exists. */
    async create(batch: CreateBatch): Promise<boolean> {
      const k = keys.batch(batch.id);
      const fields: Record<string, string> = {
        id: batch.id,
        total: String(batch.total),
        skipped: String(batch.skipped),
        format: batch.format,
        created_at: String(batch.createdAt ?? Date.now()),
        columns: JSON.stringify(batch.columns),
        ...(batch.idempotencyKey === undefined ? {} : { idempotency_key: batch.idempotencyKey }),
        ...(batch.sha256 === undefined ? {} : { sha256: batch.sha256 }),
        ...(batch.maxCostUsd === undefined
          ? {}
          : { max_cost_micro_usd: String(toMicroUsd(batch.maxCostUsd)) }),
        ...(batch.estimatedCostUsd === undefined
          ? {}
          : {
              estimated_micro_usd:
                batch.estimatedCostUsd === null ? 'none' : String(toMicroUsd(batch.estimatedCostUsd)),
            }),
        ...(batch.unpricedRows === undefined ? {} : { unpriced_rows: String(batch.unpricedRows) }),
      };
      const created = await scripts['batch-create'].run(
        redis,
        [k.meta, k.counts, keys.batchIndex],
        [ttlSeconds, batch.total, ...Object.entries(fields).flat()],
      );
      return created === 1;
    },

    /**
     * Records that every row is in the queue, and the metadata column names. From then on the record
     * has no TTL until its last row finishes (see the scripts' `keep`): it never expires under rows
     * that are still running.
     */
    async markEnqueued(batchId: string, columns: readonly string[], now = Date.now()): Promise<void> {
      const k = keys.batch(batchId);
      await scripts['batch-mark-enqueued'].run(
        redis,
        [k.meta, k.counts, k.status, k.result, k.attempt, k.input],
        [now, ttlSeconds, JSON.stringify(columns)],
      );
    },

    /**
     * Sets (or, with null, removes) the batch's spending cap. Rows already paused under the old cap are
     * not moved here: the caller promotes their jobs, and each reserves again under the new cap.
     * Resolves false when there is no such batch.
     */
    async setMaxCost(batchId: string, maxCostUsd: number | null): Promise<boolean> {
      const k = keys.batch(batchId);
      // No EXPIRE here: an open batch's record has no TTL (the scripts' `keep`), and must not get one.
      if ((await redis.exists(k.meta)) !== 1) return false;
      if (maxCostUsd === null) await redis.hdel(k.meta, 'max_cost_micro_usd');
      else await redis.hset(k.meta, 'max_cost_micro_usd', String(toMicroUsd(maxCostUsd)));
      return true;
    },

    async get(batchId: string): Promise<BatchRecord | undefined> {
      const k = keys.batch(batchId);
      const [meta, counts] = await Promise.all([redis.hgetall(k.meta), redis.hgetall(k.counts)]);
      if (meta.id === undefined) return undefined;
      const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
      return {
        meta: {
          id: meta.id,
          total: Number(meta.total),
          skipped: Number(meta.skipped ?? 0),
          format: meta.format === 'jsonl' ? 'jsonl' : 'csv',
          createdAt: Number(meta.created_at),
          ...(meta.finished_at === undefined ? {} : { finishedAt: num(meta.finished_at) }),
          ...(meta.cancelled_at === undefined ? {} : { cancelledAt: num(meta.cancelled_at) }),
          ...(meta.enqueued_at === undefined ? {} : { enqueuedAt: num(meta.enqueued_at) }),
          ...(meta.idempotency_key === undefined ? {} : { idempotencyKey: meta.idempotency_key }),
          ...(meta.sha256 === undefined ? {} : { sha256: meta.sha256 }),
          columns: parseColumns(meta.columns),
          ...(meta.max_cost_micro_usd === undefined
            ? {}
            : { maxCostUsd: fromMicroUsd(Number(meta.max_cost_micro_usd)) }),
          ...(meta.estimated_micro_usd === undefined
            ? {}
            : {
                estimatedCostUsd:
                  meta.estimated_micro_usd === 'none' ? null : fromMicroUsd(Number(meta.estimated_micro_usd)),
              }),
          ...(meta.unpriced_rows === undefined ? {} : { unpricedRows: Number(meta.unpriced_rows) }),
        },
        counts: Object.fromEntries(VIDEO_STATUSES.map((s) => [s, Number(counts[s] ?? 0)])) as BatchCounts,
        costUsd: Number(counts.cost_micro_usd ?? 0) / 1e6,
        possibleDuplicates: Number(counts.possible_duplicates ?? 0),
        committedUsd: fromMicroUsd(Number(meta.reserved_micro_usd ?? 0) + Number(meta.spent_micro_usd ?? 0)),
      };
    },
  };
}

function parseColumns(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}
