/**
 * Batch operations shared by the API (`/v1/batches`) and the SDK's Redis mode: the same Redis keys,
 * the same job ids and data, and the same row transitions (through the Lua scripts of
 * `createBatchStore`). Callers look the batch up and turn refusals (`'mismatch'`, `'finished'`) into
 * their own errors; every Redis call goes through the caller's `guard` (timeouts, "Redis unavailable").
 */
import type { Redis } from 'ioredis';
import { batchJobId, type BatchRecord, type BatchRowInput } from '../contract/batch-record.js';
import { createBatchStore } from '../store/batch-store.js';
import { isBatchFinished } from '../contract/batch-view.js';
import { FailureCode } from '../contract/failure.js';
import { CANCEL_TTL_SECONDS } from '../contract/idempotency.js';
import type { GenerationJobData, NewGenerationJobData } from '../contract/job-data.js';
import type { vidqKeys } from '../contract/keys.js';
import { GENERATION_JOB_NAME, type GenerationQueue } from '../store/queue.js';

/** Runs one Redis operation with the caller's timeout and error mapping. */
export type Guard = <T>(op: () => Promise<T>) => Promise<T>;

export type BatchOpsDeps = {
  redis: Redis;
  queue: GenerationQueue;
  keys: ReturnType<typeof vidqKeys>;
  /** QUEUE_PREFIX and BATCH_TTL_SECONDS, as for `createBatchStore`. */
  prefix: string;
  ttlSeconds: number;
  /** Runs one Redis operation (the caller's timeout and error mapping). */
  guard: Guard;
  /** Rows per read of the batch record and per `addBulk`. */
  chunkRows: number;
};

/** A valid row of an upload: its 1-based row number and its request. */
export type BatchRowSource = BatchRowInput & { row: number };

export type BatchJob = Parameters<GenerationQueue['addBulk']>[0][number];

/** What the batch store keeps for a row (`addRows`). */
export function batchRowRequest(r: BatchRowSource): { row: number; request: BatchRowInput } {
  return {
    row: r.row,
    request: {
      input: r.input,
      ...(r.customId === undefined ? {} : { customId: r.customId }),
      ...(r.metadata === undefined ? {} : { metadata: r.metadata }),
    },
  };
}

/** The first job of a row: id `<batchId>-<row>` (adding it twice is a no-op in BullMQ). */
export function batchRowJob(batchId: string, r: BatchRowSource): BatchJob {
  return {
    name: GENERATION_JOB_NAME,
    // Job data follows job-data.ts; progress fields start absent.
    data: {
      input: r.input,
      ...(r.customId === undefined ? {} : { customId: r.customId }),
      ...(r.metadata === undefined ? {} : { metadata: r.metadata }),
      batchId,
      row: r.row,
    } as GenerationJobData,
    opts: { jobId: batchJobId(batchId, r.row) },
  };
}

export type BatchOps = ReturnType<typeof createBatchOps>;

/** The batch store and the operations on it that the API and the SDK share. */
export function createBatchOps(deps: BatchOpsDeps) {
  const { redis, queue, keys, guard, chunkRows } = deps;
  const store = createBatchStore(redis, deps.prefix, deps.ttlSeconds);

  return {
    store,

    /**
     * Claims a batch Idempotency-Key (`<batchId> <sha256>`, NX, for the batch TTL). When an earlier
     * request holds it: `mismatch` if its file differs, else its batch id (which may not be created or
     * fully enqueued yet).
     */
    async claimIdempotencyKey(
      idemKey: string,
      batchId: string,
      sha256: string,
      run: Guard = guard,
    ): Promise<{ batchId: string; claimed: boolean } | 'mismatch'> {
      const claimed = await run(() =>
        redis.set(idemKey, `${batchId} ${sha256}`, 'EX', deps.ttlSeconds, 'NX'),
      );
      if (claimed !== null) return { batchId, claimed: true };
      const [id, sha] = ((await run(() => redis.get(idemKey))) ?? '').split(' ');
      if (sha !== undefined && sha !== sha256) return 'mismatch';
      return { batchId: id || batchId, claimed: false };
    },

    /**
     * Cancels every row of the batch that has not finished: cancel keys first (a worker that takes a
     * row from now on fails it as `cancelled`), then queued rows become cancelled at once (atomically;
     * a row a worker just took keeps its status), and rows waiting between status checks are promoted
     * so the worker stops them promptly. Records the cancel even when nothing is open. Answers how
     * many jobs were promoted, or `finished` (nothing done) when every row had already finished.
     */
    async cancel(batch: BatchRecord): Promise<{ promoted: number } | 'finished'> {
      if (isBatchFinished(batch)) return 'finished';
      const batchId = batch.meta.id;
      const lastRow = batch.meta.total + batch.meta.skipped;
      let promoted = 0;
      for (let from = 1; from <= lastRow; from += chunkRows) {
        const rows = await guard(() => store.rows(batchId, from, Math.min(chunkRows, lastRow - from + 1)));
        const open = rows.filter((r) => r.status === 'queued' || r.status === 'generating');
        if (open.length === 0) continue;
        const pipeline = redis.pipeline();
        for (const r of open) {
          pipeline.set(
            keys.cancel(batchJobId(batchId, r.row, r.attempt)),
            String(Date.now()),
            'EX',
            CANCEL_TTL_SECONDS,
          );
        }
        await guard(() => pipeline.exec());
        const queued = open.filter((r) => r.status === 'queued').map((r) => r.row);
        await guard(() => store.cancelQueued(batchId, queued));
        for (const r of open.filter((x) => x.status === 'generating')) {
          const job = await guard(() => queue.getJob(batchJobId(batchId, r.row, r.attempt)));
          if (!job) continue;
          await job.promote().then(
            () => promoted++,
            () => undefined, // not delayed (active right now): the worker sees the key at its next step
          );
        }
      }
      await guard(() => store.cancelQueued(batchId, []));
      return { promoted };
    },

    /**
     * Queues the failed rows again: each gets a new job `<batchId>-<row>-r<n>` and its count moves
     * from failed to queued; a row whose create call had an unknown outcome is flagged
     * `possibleDuplicate`. When a chunk cannot be queued its rows go back to failed (so a later retry
     * picks them up) and the error is rethrown. Answers how many rows were queued.
     */
    async retryFailed(batchId: string, only: 'failed' = 'failed'): Promise<{ retried: number }> {
      const failed = await guard(() => store.retryableRows(batchId, only));
      const codes = new Map(failed.map((f) => [f.row, f.errorCode]));
      let retried = 0;
      for (let i = 0; i < failed.length; i += chunkRows) {
        const chunk = failed.slice(i, i + chunkRows).map((f) => f.row);
        const moved = await guard(() => store.beginRetry(batchId, chunk));
        if (moved.length === 0) continue;
        const requests = await guard(() =>
          store.requests(
            batchId,
            moved.map((m) => m.row),
          ),
        );
        const jobs: BatchJob[] = moved.flatMap(({ row, attempt }) => {
          const req = requests.get(row);
          if (!req) return [];
          const data: NewGenerationJobData = {
            input: req.input,
            ...(req.customId === undefined ? {} : { customId: req.customId }),
            ...(req.metadata === undefined ? {} : { metadata: req.metadata }),
            batchId,
            row,
            step: 'pending',
            polls: 0,
            retries: 0,
            ...(codes.get(row) === FailureCode.SubmissionUnknown ? { possibleDuplicate: true } : {}),
          };
          return [
            {
              name: GENERATION_JOB_NAME,
              data: data as GenerationJobData,
              opts: { jobId: batchJobId(batchId, row, attempt) },
            },
          ];
        });
        try {
          await guard(() => queue.addBulk(jobs));
        } catch (err) {
          await Promise.allSettled(
            moved.map(({ row, attempt }) =>
              store.setRowStatus(
                batchId,
                row,
                'failed',
                {
                  error: {
                    code: FailureCode.RetryNotQueued,
                    message: 'The retry could not be queued; retry again',
                  },
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
