import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { validateGenerationParams } from '@vidqueue/aimlapi';
import { inChunks, iterateBulkRows, validateBulkFile, type BulkOptions } from '@vidqueue/bulk';
import {
  FailureCode,
  GENERATION_JOB_NAME,
  batchJobId,
  createBatchStore,
  newBatchId,
  type BatchRowRecord,
  type BatchView as StoredBatch,
  type GenerationJobData,
  type NewGenerationJobData,
} from '@vidqueue/core';
import { ApiError, NotFoundError } from './errors.js';
import { CANCEL_TTL_SECONDS } from './idempotency.js';
import type { RedisContext } from './redis-client.js';
import type {
  BatchResultRow,
  BatchRowInput,
  BatchStatus,
  BatchView,
  CreatedBatch,
  EnqueueManyOptions,
  VidqueueClient,
} from './types.js';

const CHUNK = 500;
const MAX_LISTED_ERRORS = 100;

/** As `GET /v1/batches/:id`. */
function batchStatus(batch: StoredBatch): BatchStatus {
  if (batch.meta.cancelledAt !== undefined) return 'cancelled';
  if (batch.meta.finishedAt !== undefined) return 'completed';
  return batch.counts.queued >= batch.meta.total ? 'queued' : 'running';
}

function toBatchView(batch: StoredBatch): BatchView {
  return {
    id: batch.meta.id,
    status: batchStatus(batch),
    total: batch.meta.total,
    counts: batch.counts,
    cost_usd: Math.round(batch.costUsd * 1e6) / 1e6,
    created_at: new Date(batch.meta.createdAt).toISOString(),
    finished_at: batch.meta.finishedAt === undefined ? null : new Date(batch.meta.finishedAt).toISOString(),
  };
}

/** As a line of `GET /v1/batches/:id/results?format=jsonl`. */
function toResultRow(record: BatchRowRecord): BatchResultRow {
  const { outcome, input } = record;
  return {
    row: record.row,
    custom_id: input.customId ?? null,
    status: record.status,
    video_url: outcome.video_url ?? null,
    error_code: outcome.error?.code ?? null,
    error_message: outcome.error?.message ?? null,
    generation_id: outcome.generation_id ?? null,
    cost_usd: outcome.cost_usd ?? null,
    prompt: input.input.prompt,
    model: input.input.model,
    metadata: input.metadata ?? null,
  };
}

/**
 * Batches in the Redis mode: the rows become the same JSONL the HTTP mode uploads, checked and read by
 * `@vidqueue/bulk` with the API's rules, recorded in the same batch store and enqueued with the same
 * job ids (`<batchId>-<row>`), so the API, the worker hooks and `vidq` see them like any other batch.
 */
export function redisBatchMethods(
  ctx: RedisContext,
): Pick<VidqueueClient, 'enqueueMany' | 'getBatch' | 'results' | 'cancelBatch' | 'retryFailed'> {
  const { config, queue, redis, keys } = ctx;
  const store = createBatchStore(redis, config.QUEUE_PREFIX, config.BATCH_TTL_SECONDS);

  async function requireBatch(id: string): Promise<StoredBatch> {
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
        const idemKey = keys.batchIdempotency(key);
        const claimed = await ctx.withRedis(() =>
          redis.set(idemKey, `${batchId} ${sha256}`, 'EX', config.BATCH_TTL_SECONDS, 'NX'),
        );
        if (claimed === null) {
          const [id, sha] = ((await ctx.withRedis(() => redis.get(idemKey))) ?? '').split(' ');
          if (sha !== undefined && sha !== sha256) {
            throw new ApiError(
              409,
              'IDEMPOTENCY_KEY_MISMATCH',
              'This Idempotency-Key was already used with a different request body',
            );
          }
          if (id) batchId = id;
          const existing = await ctx.withRedis(() => store.get(batchId));
          if (existing?.meta.enqueuedAt) return created(existing);
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
        await ctx.withRedis(() =>
          store.addRows(
            batchId,
            chunk.map((r) => ({
              row: r.row,
              request: {
                input: r.input,
                ...(r.customId === undefined ? {} : { customId: r.customId }),
                ...(r.metadata === undefined ? {} : { metadata: r.metadata }),
              },
            })),
          ),
        );
        await ctx.withRedis(() =>
          queue.addBulk(
            chunk.map((r) => ({
              name: GENERATION_JOB_NAME,
              data: {
                input: r.input,
                ...(r.customId === undefined ? {} : { customId: r.customId }),
                ...(r.metadata === undefined ? {} : { metadata: r.metadata }),
                batchId,
                row: r.row,
              } as GenerationJobData,
              opts: { jobId: batchJobId(batchId, r.row) },
            })),
          ),
        );
      }
      await ctx.withRedis(() => store.markEnqueued(batchId, [...columns]));
      return created(await requireBatch(batchId));
    },

    async getBatch(id) {
      return toBatchView(await requireBatch(id));
    },

    async *results(batchId) {
      const batch = await requireBatch(batchId);
      for await (const record of records(batchId, batch.meta.total + batch.meta.skipped))
        yield toResultRow(record);
    },

    async cancelBatch(id) {
      const batch = await requireBatch(id);
      if (batch.meta.finishedAt !== undefined && batch.meta.cancelledAt === undefined) {
        throw new ApiError(409, 'BATCH_FINISHED', `Batch ${id} has already finished`);
      }
      const lastRow = batch.meta.total + batch.meta.skipped;
      for (let from = 1; from <= lastRow; from += CHUNK) {
        const rows = await ctx.withRedis(() => store.rows(id, from, Math.min(CHUNK, lastRow - from + 1)));
        const open = rows.filter((r) => r.status === 'queued' || r.status === 'generating');
        if (open.length === 0) continue;
        // Cancel keys first: a worker that takes a row from now on fails it as `cancelled`.
        const pipeline = redis.pipeline();
        for (const r of open) {
          pipeline.set(
            keys.cancel(batchJobId(id, r.row, r.attempt)),
            String(Date.now()),
            'EX',
            CANCEL_TTL_SECONDS,
          );
        }
        await ctx.withRedis(() => pipeline.exec());
        const queued = open.filter((r) => r.status === 'queued').map((r) => r.row);
        await ctx.withRedis(() => store.cancelQueued(id, queued));
        for (const r of open.filter((x) => x.status === 'generating')) {
          const job = await ctx.withRedis(() => queue.getJob(batchJobId(id, r.row, r.attempt)));
          // Delayed between status checks: run it now so the worker stops it promptly.
          await job?.promote().catch(() => undefined);
        }
      }
      await ctx.withRedis(() => store.cancelQueued(id, []));
      return toBatchView(await requireBatch(id));
    },

    async retryFailed(id) {
      await requireBatch(id);
      const failed = await ctx.withRedis(() => store.retryableRows(id, 'failed'));
      const codes = new Map(failed.map((f) => [f.row, f.errorCode]));
      let retried = 0;
      for (let i = 0; i < failed.length; i += CHUNK) {
        const chunk = failed.slice(i, i + CHUNK).map((f) => f.row);
        const moved = await ctx.withRedis(() => store.beginRetry(id, chunk));
        if (moved.length === 0) continue;
        const requests = await ctx.withRedis(() =>
          store.requests(
            id,
            moved.map((m) => m.row),
          ),
        );
        const jobs: Parameters<typeof queue.addBulk>[0] = moved.flatMap(({ row, attempt }) => {
          const req = requests.get(row);
          if (!req) return [];
          const data: NewGenerationJobData = {
            input: req.input,
            ...(req.customId === undefined ? {} : { customId: req.customId }),
            ...(req.metadata === undefined ? {} : { metadata: req.metadata }),
            batchId: id,
            row,
            ...(codes.get(row) === FailureCode.SubmissionUnknown ? { possibleDuplicate: true } : {}),
          };
          return [
            {
              name: GENERATION_JOB_NAME,
              data: data as GenerationJobData,
              opts: { jobId: batchJobId(id, row, attempt) },
            },
          ];
        });
        try {
          await ctx.withRedis(() => queue.addBulk(jobs));
        } catch (err) {
          // Put the rows back to failed so a later retry picks them up again.
          await Promise.allSettled(
            moved.map(({ row, attempt }) =>
              store.setRowStatus(
                id,
                row,
                'failed',
                {
                  error: { code: 'retry_not_queued', message: 'The retry could not be queued; retry again' },
                },
                { attempt },
              ),
            ),
          );
          throw err;
        }
        retried += jobs.length;
      }
      return { retried };
    },
  };
}

function created(batch: StoredBatch): CreatedBatch {
  return {
    id: batch.meta.id,
    status: batchStatus(batch),
    total: batch.meta.total,
    skipped: batch.meta.skipped,
    created_at: new Date(batch.meta.createdAt).toISOString(),
  };
}
