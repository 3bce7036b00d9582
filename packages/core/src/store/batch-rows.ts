import type {
  BatchRowCarry,
  BatchRowInput,
  BatchRowOutcome,
  BatchRowRecord,
} from '../contract/batch-record.js';
import type { VideoStatus } from '../contract/video-view.js';
import type { BatchStoreContext } from './batch-context.js';
import { scripts } from './scripts/index.js';

/**
 * Fields of a row in the `result` hash beside its current outcome (`<row>`): what its earlier attempts
 * left (`<row>:prior`, written by a retry), the possible-duplicate flag (`<row>:dup`, set once, counted
 * once), and one marker per generation whose charge was counted (`<row>:cost:<generation id>`).
 */
export const rowField = {
  prior: (row: number | string) => `${row}:prior`,
  duplicate: (row: number | string) => `${row}:dup`,
} as const;

/**
 * A batch's rows: their requests (written before their jobs are added) and what the store knows of
 * each (status, attempt, outcome). Part of `createBatchStore`.
 */
export function batchRowOps({ redis, keys, ttlSeconds }: BatchStoreContext) {
  async function rowsAt(batchId: string, rowNumbers: readonly number[]): Promise<BatchRowRecord[]> {
    const k = keys.batch(batchId);
    const fields = rowNumbers.map(String);
    if (fields.length === 0) return [];
    const [inputs, statuses, results, attempts, priors, flags] = await Promise.all([
      redis.hmget(k.input, ...fields),
      redis.hmget(k.status, ...fields),
      redis.hmget(k.result, ...fields),
      redis.hmget(k.attempt, ...fields),
      redis.hmget(k.result, ...fields.map(rowField.prior)),
      redis.hmget(k.result, ...fields.map(rowField.duplicate)),
    ]);
    const out: BatchRowRecord[] = [];
    fields.forEach((field, i) => {
      const input = inputs[i];
      if (input === null || input === undefined) return;
      out.push({
        row: Number(field),
        status: (statuses[i] ?? 'queued') as VideoStatus,
        attempt: Number(attempts[i] ?? 0),
        input: JSON.parse(input) as BatchRowInput,
        outcome: results[i] ? (JSON.parse(results[i]) as BatchRowOutcome) : {},
        ...(priors[i] ? { prior: JSON.parse(priors[i]) as BatchRowCarry } : {}),
        ...(flags[i] ? { possibleDuplicate: true } : {}),
      });
    });
    return out;
  }

  return {
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

    /** Rows `fromRow` .. `fromRow + count - 1` that exist (skipped rows have gaps), in order. */
    rows(batchId: string, fromRow: number, count: number): Promise<BatchRowRecord[]> {
      return rowsAt(
        batchId,
        Array.from({ length: Math.max(0, count) }, (_, i) => fromRow + i),
      );
    },

    /** The given rows that exist, in the order given. */
    rowsAt,

    /**
     * Which rows of `fromRow` .. `toRow` exist and match: a status (absent: any) and a text found in the
     * prompt or custom id (plain, ASCII case-insensitive; absent: any). Runs in Redis, sends back row
     * numbers only: keep spans to about a thousand rows (each span is one script call).
     */
    async scanRows(
      batchId: string,
      fromRow: number,
      toRow: number,
      filter: { status?: VideoStatus | undefined; text?: string | undefined } = {},
    ): Promise<number[]> {
      const k = keys.batch(batchId);
      const rows = (await scripts['batch-scan-rows'].run(
        redis,
        [k.status, k.input],
        [fromRow, toRow, filter.status ?? '', (filter.text ?? '').toLowerCase()],
      )) as number[];
      return rows.map(Number);
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
  };
}
