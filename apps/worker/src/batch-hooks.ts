import type { Job } from 'bullmq';
import {
  FailureCode,
  batchJobAttempt,
  failureIsBilled,
  parseFailure,
  type BatchRowOutcome,
  type GenerationJob,
  type GenerationJobData,
} from '@vidqueue/core/contract';
import { createBatchStore } from '@vidqueue/core/store';
import type { Config, Logger, RedisConnection } from '@vidqueue/core/runtime';
import type { ProcessorHooks } from './hooks.js';

export type BatchHooksDeps = {
  config: Pick<Config, 'QUEUE_PREFIX' | 'BATCH_TTL_SECONDS'>;
  /** The worker's connection is fine: each update is one Lua call. */
  redis: RedisConnection;
  logger: Logger;
};

type Target = { batchId: string; row: number; attempt: number };

function target(job: Job<GenerationJobData>): Target | undefined {
  const { batchId, row } = job.data;
  if (batchId === undefined || row === undefined) return undefined;
  return { batchId, row, attempt: batchJobAttempt(job.id) };
}

/**
 * Keeps the batch record of each batch row in step with its job: paused by a spending cap → `paused`
 * (only from `queued`), submitted → `generating`, completed → `completed` (video URL, cost, generation
 * id), failed → `failed` (`cancelled` when the code is `cancelled`, with the known charge of its
 * generation unless the failure proves it unbilled). A job flagged `possibleDuplicate` flags its row at
 * every report, so no later report drops it. Every update is one atomic Lua transition in the batch store, so replays
 * after a crash and concurrent workers leave the counts exact. Jobs without a batch are ignored.
 */
export function createBatchHooks(
  deps: BatchHooksDeps,
): Required<Pick<ProcessorHooks, 'submitted' | 'paused' | 'completed' | 'failed'>> {
  const store = createBatchStore(deps.redis, deps.config.QUEUE_PREFIX, deps.config.BATCH_TTL_SECONDS);
  const log = deps.logger.child({ component: 'batch-hooks' });

  async function update(
    job: GenerationJob,
    status: 'paused' | 'generating' | 'completed' | 'failed' | 'cancelled',
    outcome: BatchRowOutcome,
  ): Promise<void> {
    const t = target(job);
    if (!t) return;
    const { changed, previous } = await store.setRowStatus(t.batchId, t.row, status, outcome, {
      attempt: t.attempt,
    });
    if (previous === 'missing') {
      log.warn({ jobId: job.id, batchId: t.batchId, row: t.row }, 'batch record not found (expired?)');
    } else if (changed) {
      log.debug({ jobId: job.id, batchId: t.batchId, row: t.row, from: previous, to: status }, 'batch row');
    }
  }

  const flag = (job: GenerationJob) => (job.data.possibleDuplicate ? { possible_duplicate: true } : {});

  return {
    submitted: (job, info) => update(job, 'generating', { generation_id: info.generationId, ...flag(job) }),
    // The row's error columns say why it waits (`budget_exceeded` or `price_unknown`) until it goes.
    paused: (job, pause) =>
      update(job, 'paused', { error: { code: pause.reason, message: pause.message }, ...flag(job) }),
    completed: (job, result) =>
      update(job, 'completed', {
        video_url: result.videoUrl,
        generation_id: result.generationId,
        ...(result.costUsd === undefined ? {} : { cost_usd: result.costUsd }),
        ...(result.creditsUsed === undefined ? {} : { credits_used: result.creditsUsed }),
        ...(result.possibleDuplicate ? { possible_duplicate: true } : {}),
        ...(result.recovered ? { recovered: true } : {}),
      }),
    failed: (job, failure) => {
      const { generationId, costUsd, creditsUsed } = job.data;
      // A generation the provider charged for (its create answer said so) that did not end in a video.
      const billed = generationId !== undefined && costUsd !== undefined && failureIsBilled(failure.code);
      return update(job, failure.code === FailureCode.Cancelled ? 'cancelled' : 'failed', {
        error: { code: failure.code, message: failure.message },
        ...(generationId === undefined ? {} : { generation_id: generationId }),
        ...(billed && { cost_usd: costUsd }),
        ...(billed && creditsUsed !== undefined && { credits_used: creditsUsed }),
        ...flag(job),
      });
    },
  };
}

/**
 * The `failed` hook runs for failures the state machine decides (UnrecoverableError). A job can
 * also fail for good after its BullMQ attempts run out on unplanned errors, or stall too often; this
 * listener reports those to the given hooks too: the batch record and the `video.failed` /
 * `batch.completed` events (reporting twice would be harmless: each is idempotent).
 */
export function reportFinalFailures(
  worker: {
    on(
      event: 'failed',
      listener: (job: GenerationJob | undefined, err: Error, prev: string) => void,
    ): unknown;
  },
  hooks: Pick<ProcessorHooks, 'failed'>,
  logger: Logger,
): void {
  worker.on('failed', (job, err) => {
    if (!job || err.name === 'UnrecoverableError') return; // the hook has run
    // A job with attempts left is waiting for its backoff; only a job in the failed set is final
    // (attempts used up, or stalled too often).
    void (async () => {
      if ((await job.getState()) !== 'failed') return;
      await hooks.failed?.(job, parseFailure(err.message));
    })().catch((e: unknown) => logger.warn({ err: e, jobId: job.id }, 'could not report a failed job'));
  });
}
