import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { validateGenerationParams } from '@vidqueue/aimlapi';
import { inChunks, iterateBulkRows, validateBulkFile, type BulkOptions } from '@vidqueue/bulk';
import {
  newBatchId,
  toBatchResultRow,
  toBatchView,
  toCreatedBatchView,
  type BatchRowRecord,
  type BatchRecord,
} from '@vidqueue/core/contract';
import { batchRowJob, batchRowRequest, createBatchOps } from '@vidqueue/core/producer';
import { ApiError, NotFoundError } from './errors.js';
import { checkIdempotencyKey, idempotencyMismatch, type RedisContext } from './redis-client.js';
import type { BatchRowInput, CreatedBatch, EnqueueManyOptions, VidqueueClient } from './types.js';

const CHUNK = 500;
const MAX_LISTED_ERRORS = 100;

/**
 * Batches in the Redis mode: the rows become the same JSONL the HTTP mode uploads, checked and read by
 * `@vidqueue/bulk` with the API's rules, recorded in the same batch store and enqueued with the same
 * job ids (`<batchId>-<row>`), so the API, the worker hooks and `vidq` see them like any other batch.
 */
export function redisBatchMethods(
  ctx: RedisContext,
): Pick<VidqueueClient, 'enqueueMany' | 'getBatch' | 'results' | 'cancelBatch' | 'retryFailed'> {
  const { config, queue, redis, keys } = ctx;
  const ops = createBatchOps({
    redis,
    queue,
    keys,
    prefix: config.QUEUE_PREFIX,
    ttlSeconds: config.BATCH_TTL_SECONDS,
    guard: (op) => ctx.withRedis(op),
    chunkRows: CHUNK,
  });
  const { store } = ops;

  async function requireBatch(id: string): Promise<BatchRecord> {
    const batch = await ctx.withRedis(() => store.get(id));
    if (!batch) throw new NotFoundError(id, `No batch with id ${id}`, 'BATCH_NOT_FOUND');
    return batch;
  }

  async function* records(id: string, lastRow: number): AsyncGenerator<BatchRowRecord> {
    for (let from = 1; from <= lastRow; from += CHUNK) {
      yield* await ctx.withRedis(() => store.rows(id, from, Math.min(CHUNK, lastRow - from + 1)));
    }
  }

  return {
    async enqueueMany(rows, options: EnqueueManyOptions = {}): Promise<CreatedBatch> {
      checkIdempotencyKey(options.idempotencyKey);
      const lines: string[] = [];
      for await (const row of rows as AsyncIterable<BatchRowInput>) lines.push(`${JSON.stringify(row)}\n`);
      const bytes = Buffer.from(lines.join(''));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const bulk: BulkOptions = {
        format: 'jsonl',
        defaultModel: config.DEFAULT_MODEL,
        validateParams: validateGenerationParams,
        limits: {
          maxBytes: config.MAX_UPLOAD_BYTES,
          maxRows: config.MAX_BATCH_ROWS,
          maxPromptLength: config.MAX_PROMPT_LENGTH,
        },
      };
      const checked = await validateBulkFile(Readable.from([bytes]), bulk);
      if (checked.fatal) {
        throw new ApiError(422, 'INVALID_FILE', checked.fatal.message, {
          reason: checked.fatal.code,
          line: checked.fatal.line,
        });
      }
      if (checked.errorCount > 0 || checked.valid === 0) {
        throw new ApiError(
          422,
          'INVALID_ROWS',
          checked.valid === 0 && checked.errorCount === 0
            ? 'No rows: nothing was enqueued'
            : `${checked.errorCount} error(s) in ${checked.invalid} row(s); nothing was enqueued`,
          { errors: checked.errors.slice(0, MAX_LISTED_ERRORS), error_count: checked.errorCount },
        );
      }

      let batchId = newBatchId();
      const key = options.idempotencyKey;
      if (key !== undefined) {
        const claim = await ops.claimIdempotencyKey(keys.batchIdempotency(key), batchId, sha256);
        if (claim === 'mismatch') throw idempotencyMismatch();
        batchId = claim.batchId;
        if (!claim.claimed) {
          const existing = await ctx.withRedis(() => store.get(batchId));
          if (existing?.meta.enqueuedAt) return toCreatedBatchView(existing);
        }
      }

      await ctx.withRedis(() =>
        store.create({
          id: batchId,
          total: checked.valid,
          skipped: 0,
          format: 'jsonl',
          columns: [],
          ...(key === undefined ? {} : { idempotencyKey: key }),
          sha256,
        }),
      );
      const columns = new Set<string>();
      for await (const chunk of inChunks(iterateBulkRows(Readable.from([bytes]), bulk), CHUNK)) {
        for (const r of chunk) for (const k of Object.keys(r.metadata ?? {})) columns.add(k);
        await ctx.withRedis(() => store.addRows(batchId, chunk.map(batchRowRequest)));
        await ctx.withRedis(() => queue.addBulk(chunk.map((r) => batchRowJob(batchId, r))));
      }
      await ctx.withRedis(() => store.markEnqueued(batchId, [...columns]));
      return toCreatedBatchView(await requireBatch(batchId));
    },

    async getBatch(id) {
      return toBatchView(await requireBatch(id));
    },

    async *results(batchId) {
      const batch = await requireBatch(batchId);
      for await (const record of records(batchId, batch.meta.total + batch.meta.skipped))
        yield toBatchResultRow(record);
    },

    async cancelBatch(id) {
      const batch = await requireBatch(id);
      if ((await ops.cancel(batch)) === 'finished') {
        throw new ApiError(409, 'BATCH_FINISHED', `Batch ${id} has already finished`);
      }
      return toBatchView(await requireBatch(id));
    },

    async retryFailed(id) {
      await requireBatch(id);
      return ops.retryFailed(id);
    },
  };
}
