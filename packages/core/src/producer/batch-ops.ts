/**
 * A batch after it was created: read it, stream its rows, cancel it, retry its failed rows. The same
 * keys, job ids and Lua transitions (through the batch store) for `/v1/batches` and the SDK.
 */
import { parseArchiveRecord } from '../contract/archive.js';
import { batchJobId, type BatchRecord, type BatchRowRecord } from '../contract/batch-record.js';
import {
  isBatchFinished,
  toBatchResultRow,
  toBatchView,
  type BatchResultRow,
  type BatchRowExtras,
  type PublicBatchView,
} from '../contract/batch-view.js';
import { FailureCode } from '../contract/failure.js';
import { CANCEL_TTL_SECONDS } from '../contract/idempotency.js';
import { formatUsd } from '../contract/budget.js';
import { retryRowJob, type BatchJob } from './batch-jobs.js';
import { CHUNK_ROWS, type ProducerContext } from './context.js';
import { ProducerError, producerError } from './errors.js';
import { batchPriorities } from './fair-share.js';

/** The batch as stored, or BATCH_NOT_FOUND. */
export async function requireBatch(ctx: ProducerContext, id: string): Promise<BatchRecord> {
  const batch = await ctx.guard(() => ctx.store.get(id));
  if (!batch) throw producerError.batchNotFound(id);
  return batch;
}

export async function getBatch(ctx: ProducerContext, id: string): Promise<PublicBatchView> {
  return toBatchView(await requireBatch(ctx, id));
}

/**
 * A batch and its rows in input order, read a chunk at a time as the caller iterates (BATCH_NOT_FOUND
 * at once, before anything is streamed). `batch.meta.columns` names the input's metadata columns.
 */
/** What results rows show beyond the batch record: `publicBase` makes archived rows point at our content URL. */
export type ResultsOptions = { publicBase?: string | undefined };

/**
 * Each row with what its results row shows beyond the record: the completed rows' archive records (one
 * HMGET for them all) and the base of our content URLs. Shared by the results and the rows pages.
 */
export async function withRowArchives(
  ctx: ProducerContext,
  id: string,
  records: readonly BatchRowRecord[],
  options: ResultsOptions = {},
): Promise<[BatchRowRecord, BatchRowExtras][]> {
  const completed = records.filter((r) => r.status === 'completed').map((r) => String(r.row));
  const archives =
    completed.length === 0
      ? []
      : await ctx.guard.bulk(() => ctx.redis.hmget(ctx.keys.batchArchive(id), ...completed));
  const byRow = new Map(completed.map((row, i) => [Number(row), parseArchiveRecord(archives[i])]));
  return records.map((record) => {
    const archive = byRow.get(record.row);
    return [
      record,
      {
        batchId: id,
        ...(archive ? { archive } : {}),
        ...(options.publicBase === undefined ? {} : { publicBase: options.publicBase }),
      },
    ];
  });
}

export async function openBatchResults(
  ctx: ProducerContext,
  id: string,
  options: ResultsOptions = {},
): Promise<{ batch: BatchRecord; rows: AsyncIterable<BatchResultRow> }> {
  const batch = await requireBatch(ctx, id);
  const lastRow = batch.meta.total + batch.meta.skipped;
  async function* rows(): AsyncGenerator<BatchResultRow> {
    for (let from = 1; from <= lastRow; from += CHUNK_ROWS) {
      const records = await ctx.guard.bulk(() =>
        ctx.store.rows(id, from, Math.min(CHUNK_ROWS, lastRow - from + 1)),
      );
      for (const [record, extras] of await withRowArchives(ctx, id, records, options)) {
        yield toBatchResultRow(record, extras);
      }
    }
  }
  return { batch, rows: rows() };
}

/**
 * Cancels every row of the batch that has not finished: cancel keys first (a worker that takes a row
 * from now on fails it as `cancelled`), then queued and paused rows become cancelled at once
 * (atomically; a row a worker just took keeps its status), and rows waiting between status checks or
 * for a cap are promoted so the worker stops them promptly. Records the cancel even when nothing is open. BATCH_FINISHED (nothing
 * done) when every row had already finished. Answers the batch after it, and how many jobs were promoted.
 */
export async function cancelBatch(
  ctx: ProducerContext,
  id: string,
): Promise<{ batch: PublicBatchView; promoted: number }> {
  const { guard, store, redis, keys, queue } = ctx;
  const batch = await requireBatch(ctx, id);
  if (isBatchFinished(batch)) throw producerError.batchFinished(id);
  const lastRow = batch.meta.total + batch.meta.skipped;
  let promoted = 0;
  for (let from = 1; from <= lastRow; from += CHUNK_ROWS) {
    const rows = await guard.bulk(() => store.rows(id, from, Math.min(CHUNK_ROWS, lastRow - from + 1)));
    const open = rows.filter(
      (r) => r.status === 'queued' || r.status === 'paused' || r.status === 'generating',
    );
    if (open.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const r of open) {
      pipeline.set(
        keys.cancel(batchJobId(id, r.row, r.attempt)),
        String(Date.now()),
        'EX',
        CANCEL_TTL_SECONDS,
      );
    }
    await guard.bulk(() => pipeline.exec());
    const notSubmitted = open.filter((r) => r.status !== 'generating').map((r) => r.row);
    await guard.bulk(() => store.cancelQueued(id, notSubmitted));
    // Rows being generated, and paused rows (waiting in delayed for a cap): their jobs run now and stop.
    for (const r of open.filter((x) => x.status !== 'queued')) {
      const job = await guard(() => queue.getJob(batchJobId(id, r.row, r.attempt)));
      if (!job) continue;
      await job.promote().then(
        () => promoted++,
        () => undefined, // not delayed (active right now): the worker sees the key at its next step
      );
    }
  }
  await guard(() => store.cancelQueued(id, []));
  return { batch: toBatchView(await requireBatch(ctx, id)), promoted };
}

/**
 * Queues the failed rows again: each gets a new job `<batchId>-<row>-r<n>` and its count moves from
 * failed to queued. A row keeps what its attempts so far leave (`retryCarry`: their generation ids and
 * known charges), and one whose earlier attempt may have made a billed generation is flagged a possible
 * duplicate, on the row and on the new job. When a chunk cannot be queued its rows go back to failed (`retry_not_queued`, so a
 * later retry picks them up) and the error is rethrown. Answers how many rows were queued.
 */
export async function retryBatch(
  ctx: ProducerContext,
  id: string,
  only: 'failed' = 'failed',
): Promise<{ retried: number }> {
  const { guard, store, queue } = ctx;
  await requireBatch(ctx, id);
  const failed = await guard.bulk(() => store.retryableRows(id, only));
  const carries = new Map(failed.map((f) => [f.row, f.carry]));
  // The retried rows take turns with other batches like a new batch of their own (fair-share.ts).
  const priorityOf = await batchPriorities(ctx);
  let retried = 0;
  for (let i = 0; i < failed.length; i += CHUNK_ROWS) {
    const chunk = failed.slice(i, i + CHUNK_ROWS);
    const moved = await guard.bulk(() => store.beginRetry(id, chunk));
    if (moved.length === 0) continue;
    const requests = await guard.bulk(() =>
      store.requests(
        id,
        moved.map((m) => m.row),
      ),
    );
    const jobs: BatchJob[] = [];
    for (const { row, attempt } of moved) {
      const stored = requests.get(row);
      if (stored) {
        jobs.push(retryRowJob(id, row, attempt, stored, carries.get(row), priorityOf(retried + jobs.length)));
      }
    }
    try {
      await guard.bulk(() => queue.addBulk(jobs));
    } catch (err) {
      const error = {
        code: FailureCode.RetryNotQueued,
        message: 'The retry could not be queued; retry again',
      };
      await Promise.allSettled(
        moved.map(({ row, attempt }) => store.setRowStatus(id, row, 'failed', { error }, { attempt })),
      );
      throw err;
    }
    retried += jobs.length;
  }
  return { retried };
}

/**
 * Sets the batch's spending cap (`max_cost_usd`; null removes it) and runs its paused rows' jobs at once:
 * each reserves again under the new cap, so the rows it now allows are submitted and the others wait
 * again. BATCH_FINISHED when every row has finished; UNPRICED_UNDER_CAP for a cap on a batch with
 * unpriced rows. Answers the batch and how many paused rows were resumed.
 */
export async function updateBatch(
  ctx: ProducerContext,
  id: string,
  patch: { maxCostUsd: number | null },
): Promise<{ batch: PublicBatchView; resumed: number }> {
  const { guard, store, queue } = ctx;
  const batch = await requireBatch(ctx, id);
  if (batch.meta.finishedAt !== undefined) {
    throw new ProducerError('BATCH_FINISHED', { message: `Batch ${id} has already finished`, id });
  }
  const unpriced = batch.meta.unpricedRows ?? 0;
  if (patch.maxCostUsd !== null && unpriced > 0) {
    throw new ProducerError('UNPRICED_UNDER_CAP', {
      message: `${unpriced} row(s) of batch ${id} cannot be priced ahead: a cap of ${formatUsd(patch.maxCostUsd)} cannot be kept for them; nothing changed`,
      details: { unpriced_rows: unpriced },
    });
  }
  await guard(() => store.setMaxCost(id, patch.maxCostUsd));
  const lastRow = batch.meta.total + batch.meta.skipped;
  let resumed = 0;
  for (let from = 1; from <= lastRow && batch.counts.paused > 0; from += CHUNK_ROWS) {
    const rows = await guard.bulk(() => store.rows(id, from, Math.min(CHUNK_ROWS, lastRow - from + 1)));
    for (const r of rows.filter((x) => x.status === 'paused')) {
      const job = await guard(() => queue.getJob(batchJobId(id, r.row, r.attempt)));
      if (!job) continue;
      // Refused when a worker has it right now: it reserves under the new cap by itself.
      await job.promote().then(
        () => resumed++,
        () => undefined,
      );
    }
  }
  return { batch: toBatchView(await requireBatch(ctx, id)), resumed };
}
