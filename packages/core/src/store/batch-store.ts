import type { Redis } from 'ioredis';
import {
  BATCH_ROW_STATUSES,
  type BatchCounts,
  type BatchRecord,
  type BatchRowInput,
  type BatchRowOutcome,
  type BatchRowRecord,
  type BatchRowStatus,
  type CreateBatch,
} from '../contract/batch-record.js';
import { vidqKeys } from '../contract/keys.js';
import { scripts } from './scripts/index.js';

/**
 * The record of a batch, kept in our own Redis hashes so it outlives BullMQ's job retention
 * (BATCH_TTL_SECONDS after its last change). Row statuses change only through Lua scripts, which
 * move one count down and another up in the same step, so the counts always add up to `total`
 * however many workers finish rows at once, and whatever hooks are replayed after a crash.
 */

export type SetRowStatusOptions = {
  /** The attempt of the job reporting (see `batchJobAttempt`); default 0. */
  attempt?: number;
  now?: number;
};

export type BatchStore = ReturnType<typeof createBatchStore>;

export function createBatchStore(redis: Redis, prefix: string, ttlSeconds: number) {
  const keys = vidqKeys(prefix);
  const all = (id: string) => {
    const k = keys.batch(id);
    return [k.meta, k.counts, k.status, k.result, k.attempt, k.input] as const;
  };

  return {
    ttlSeconds,

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
      };
      const created = await scripts['batch-create'].run(
        redis,
        [k.meta, k.counts],
        [ttlSeconds, batch.total, ...Object.entries(fields).flat()],
      );
      return created === 1;
    },

    /** Stores the requests of some rows (before their jobs are added). Idempotent. */
    async addRows(batchId: string, rows: readonly { row: number; request: BatchRowInput }[]): Promise<void> {
      if (rows.length === 0) return;
      const k = keys.batch(batchId);
      const pairs = rows.flatMap(({ row, request }) => [String(row), JSON.stringify(request)]);
      await redis
        .multi()
        .hset(k.input, ...pairs)
        .expire(k.input, ttlSeconds)
        .exec();
    },

    /**
     * Moves the requests stored under `fromId` (a staging id) to batch `toId`, replacing any there
     * (a resumed upload stages the same rows again). Resolves false when there was nothing staged.
     */
    async adoptRows(fromId: string, toId: string): Promise<boolean> {
      const from = keys.batch(fromId).input;
      const to = keys.batch(toId).input;
      const results = await redis.multi().renamenx(from, to).exists(from).exec();
      const [renamed, left] = (results ?? []).map(([err, value]) => (err ? undefined : value));
      if (renamed === 1) {
        await redis.expire(to, ttlSeconds);
        return true;
      }
      if (left === 1) {
        // The batch already had its requests (a resumed upload): same rows, keep those.
        await redis.del(from);
        await redis.expire(to, ttlSeconds);
        return true;
      }
      return false;
    },

    /** Deletes the requests stored under an id (staging rows of a refused upload). */
    async dropRows(id: string): Promise<void> {
      await redis.del(keys.batch(id).input);
    },

    /** Records that every row is in the queue, and the metadata column names. */
    async markEnqueued(batchId: string, columns: readonly string[], now = Date.now()): Promise<void> {
      const k = keys.batch(batchId);
      await redis
        .multi()
        .hset(k.meta, 'enqueued_at', String(now), 'columns', JSON.stringify(columns))
        .expire(k.meta, ttlSeconds)
        .exec();
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
        },
        counts: Object.fromEntries(BATCH_ROW_STATUSES.map((s) => [s, Number(counts[s] ?? 0)])) as BatchCounts,
        costUsd: Number(counts.cost_micro_usd ?? 0) / 1e6,
      };
    },

    /**
     * Applies one row's status change atomically. Counts move only when the status really changes;
     * a completed row never changes; a report from another attempt than the row's current one is
     * ignored. `outcome`, when given, replaces the row's stored outcome.
     */
    async setRowStatus(
      batchId: string,
      row: number,
      status: Exclude<BatchRowStatus, 'queued'>,
      outcome?: BatchRowOutcome,
      options: SetRowStatusOptions = {},
    ): Promise<{ changed: boolean; previous: BatchRowStatus | 'missing' }> {
      const cost =
        status === 'completed' && outcome?.cost_usd !== undefined ? Math.round(outcome.cost_usd * 1e6) : 0;
      const [changed, previous] = (await scripts['batch-set-row'].run(redis, all(batchId), [
        row,
        status,
        options.attempt ?? 0,
        outcome === undefined ? '' : JSON.stringify(outcome),
        cost,
        options.now ?? Date.now(),
        ttlSeconds,
      ])) as [number, string];
      return { changed: changed === 1, previous: previous as BatchRowStatus | 'missing' };
    },

    /** Rows `fromRow` .. `fromRow + count - 1` that exist (skipped rows have gaps), in order. */
    async rows(batchId: string, fromRow: number, count: number): Promise<BatchRowRecord[]> {
      const k = keys.batch(batchId);
      const fields = Array.from({ length: count }, (_, i) => String(fromRow + i));
      if (fields.length === 0) return [];
      const [inputs, statuses, results, attempts] = await Promise.all([
        redis.hmget(k.input, ...fields),
        redis.hmget(k.status, ...fields),
        redis.hmget(k.result, ...fields),
        redis.hmget(k.attempt, ...fields),
      ]);
      const out: BatchRowRecord[] = [];
      fields.forEach((field, i) => {
        const input = inputs[i];
        if (input === null || input === undefined) return;
        out.push({
          row: Number(field),
          status: (statuses[i] ?? 'queued') as BatchRowStatus,
          attempt: Number(attempts[i] ?? 0),
          input: JSON.parse(input) as BatchRowInput,
          outcome: results[i] ? (JSON.parse(results[i]) as BatchRowOutcome) : {},
        });
      });
      return out;
    },

    /** Every failed row, in row order, with its failure code and current attempt. */
    async retryableRows(
      batchId: string,
      which: 'failed' = 'failed',
    ): Promise<{ row: number; attempt: number; errorCode?: string }[]> {
      const k = keys.batch(batchId);
      const rows: number[] = [];
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(k.status, cursor, 'COUNT', 1000);
        cursor = next;
        for (let i = 0; i < flat.length; i += 2) if (flat[i + 1] === which) rows.push(Number(flat[i]));
      } while (cursor !== '0');
      rows.sort((a, b) => a - b);
      const out: { row: number; attempt: number; errorCode?: string }[] = [];
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000).map(String);
        const [results, attempts] = await Promise.all([
          redis.hmget(k.result, ...chunk),
          redis.hmget(k.attempt, ...chunk),
        ]);
        chunk.forEach((row, j) => {
          const outcome = results[j] ? (JSON.parse(results[j]) as BatchRowOutcome) : {};
          out.push({
            row: Number(row),
            attempt: Number(attempts[j] ?? 0),
            ...(outcome.error ? { errorCode: outcome.error.code } : {}),
          });
        });
      }
      return out;
    },

    /** The stored requests of the given rows (missing rows are left out). */
    async requests(batchId: string, rows: readonly number[]): Promise<Map<number, BatchRowInput>> {
      const out = new Map<number, BatchRowInput>();
      if (rows.length === 0) return out;
      const values = await redis.hmget(keys.batch(batchId).input, ...rows.map(String));
      rows.forEach((row, i) => {
        const v = values[i];
        if (v) out.set(row, JSON.parse(v) as BatchRowInput);
      });
      return out;
    },

    /** Moves failed rows back to queued with a new attempt; returns the rows moved and their attempt. */
    async beginRetry(batchId: string, rows: readonly number[]): Promise<{ row: number; attempt: number }[]> {
      if (rows.length === 0) return [];
      const flat = (await scripts['batch-retry-rows'].run(redis, all(batchId), [
        Date.now(),
        ttlSeconds,
        ...rows,
      ])) as number[];
      const out: { row: number; attempt: number }[] = [];
      for (let i = 0; i < flat.length; i += 2)
        out.push({ row: Number(flat[i]), attempt: Number(flat[i + 1]) });
      return out;
    },

    /** Marks the batch cancelled and its still-queued rows (of `rows`) cancelled; returns how many moved. */
    async cancelQueued(batchId: string, rows: readonly number[], now = Date.now()): Promise<number> {
      const outcome: BatchRowOutcome = { error: { code: 'cancelled', message: 'Cancelled on request' } };
      return (await scripts['batch-cancel-rows'].run(redis, all(batchId), [
        now,
        ttlSeconds,
        JSON.stringify(outcome),
        ...rows,
      ])) as number;
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
