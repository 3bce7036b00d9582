import type { BatchRowCarry, BatchRowOutcome } from '../contract/batch-record.js';
import { FailureCode } from '../contract/failure.js';
import { retryCarry } from '../contract/row-carry.js';
import type { VideoStatus } from '../contract/video-view.js';
import { scripts } from './scripts/index.js';
import type { BatchStoreContext } from './batch-context.js';
import { rowField } from './batch-rows.js';

/** A failed row a retry can take: its attempt and what its attempts so far leave (`retryCarry`). */
export type RetryableRow = { row: number; attempt: number; errorCode?: string; carry: BatchRowCarry };

/** Statuses at which a row's known charge is added to the batch's cost (once per generation). */
const FINAL_STATUSES: ReadonlySet<VideoStatus> = new Set(['completed', 'failed', 'cancelled']);

export type SetRowStatusOptions = {
  /** The attempt of the job reporting (see `batchJobAttempt`); default 0. */
  attempt?: number;
  now?: number;
};

/** Rows read per HMGET when listing the failed rows. */
const READ_CHUNK = 1000;

/**
 * Row status changes, each one Lua call that moves one count down and one up (see the scripts'
 * headers in `scripts/lua/batch-*.lua`). Part of `createBatchStore`.
 */
export function batchTransitionOps({ redis, keys, ttlSeconds }: BatchStoreContext) {
  const all = (id: string) => {
    const k = keys.batch(id);
    return [k.meta, k.counts, k.status, k.result, k.attempt, k.input] as const;
  };

  return {
    /**
     * Applies one row's status change atomically. Counts move only when the status really changes;
     * a completed row never changes; a report from another attempt than the row's current one is
     * ignored. `outcome`, when given, replaces the row's stored outcome.
     */
    async setRowStatus(
      batchId: string,
      row: number,
      status: Exclude<VideoStatus, 'queued'>,
      outcome?: BatchRowOutcome,
      options: SetRowStatusOptions = {},
    ): Promise<{ changed: boolean; previous: VideoStatus | 'missing' }> {
      const cost =
        FINAL_STATUSES.has(status) && outcome?.cost_usd !== undefined
          ? Math.round(outcome.cost_usd * 1e6)
          : 0;
      const [changed, previous] = (await scripts['batch-set-row'].run(redis, all(batchId), [
        row,
        status,
        options.attempt ?? 0,
        outcome === undefined ? '' : JSON.stringify(outcome),
        cost,
        options.now ?? Date.now(),
        ttlSeconds,
        outcome?.generation_id ?? '',
        outcome?.possible_duplicate === true ? 1 : 0,
      ])) as [number, string];
      return { changed: changed === 1, previous: previous as VideoStatus | 'missing' };
    },

    /** Every failed row, in row order, with its failure code, current attempt and what a retry keeps. */
    async retryableRows(batchId: string, which: 'failed' = 'failed'): Promise<RetryableRow[]> {
      const k = keys.batch(batchId);
      const rows: number[] = [];
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(k.status, cursor, 'COUNT', READ_CHUNK);
        cursor = next;
        for (let i = 0; i < flat.length; i += 2) if (flat[i + 1] === which) rows.push(Number(flat[i]));
      } while (cursor !== '0');
      rows.sort((a, b) => a - b);
      const out: RetryableRow[] = [];
      for (let i = 0; i < rows.length; i += READ_CHUNK) {
        const chunk = rows.slice(i, i + READ_CHUNK).map(String);
        const [results, attempts, priors] = await Promise.all([
          redis.hmget(k.result, ...chunk),
          redis.hmget(k.attempt, ...chunk),
          redis.hmget(k.result, ...chunk.map(rowField.prior)),
        ]);
        chunk.forEach((row, j) => {
          const outcome = results[j] ? (JSON.parse(results[j]) as BatchRowOutcome) : {};
          const prior = priors[j] ? (JSON.parse(priors[j]) as BatchRowCarry) : undefined;
          out.push({
            row: Number(row),
            attempt: Number(attempts[j] ?? 0),
            ...(outcome.error ? { errorCode: outcome.error.code } : {}),
            carry: retryCarry(prior, outcome),
          });
        });
      }
      return out;
    },

    /**
     * Moves failed rows back to queued with a new attempt, keeping each row's carry (from
     * `retryableRows`; a flagged carry counts the row as a possible duplicate once). Returns the rows
     * moved and their attempt.
     */
    async beginRetry(
      batchId: string,
      rows: readonly (number | { row: number; carry?: BatchRowCarry })[],
    ): Promise<{ row: number; attempt: number }[]> {
      if (rows.length === 0) return [];
      const triples = rows.flatMap((r) => {
        const { row, carry } = typeof r === 'number' ? { row: r, carry: undefined } : r;
        const kept = carry !== undefined && Object.keys(carry).length > 0 ? JSON.stringify(carry) : '';
        return [row, kept, carry?.possible_duplicate === true ? 1 : 0];
      });
      const flat = (await scripts['batch-retry-rows'].run(redis, all(batchId), [
        Date.now(),
        ttlSeconds,
        ...triples,
      ])) as number[];
      const out: { row: number; attempt: number }[] = [];
      for (let i = 0; i < flat.length; i += 2)
        out.push({ row: Number(flat[i]), attempt: Number(flat[i + 1]) });
      return out;
    },

    /** Marks the batch cancelled and its still-queued rows (of `rows`) cancelled; returns how many moved. */
    async cancelQueued(batchId: string, rows: readonly number[], now = Date.now()): Promise<number> {
      const outcome: BatchRowOutcome = {
        error: { code: FailureCode.Cancelled, message: 'Cancelled on request' },
      };
      return (await scripts['batch-cancel-rows'].run(redis, all(batchId), [
        now,
        ttlSeconds,
        JSON.stringify(outcome),
        ...rows,
      ])) as number;
    },
  };
}
