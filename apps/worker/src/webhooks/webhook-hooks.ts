import {
  FailureCode,
  toBatchView,
  vidqKeys,
  type ArchiveRecord,
  type GenerationJob,
  type GenerationResult,
} from '@vidqueue/core/contract';
import type {
  ArchiveJobData,
  ArchiveRef,
  ArchiveStore,
  BatchStore,
  GenerationQueues,
} from '@vidqueue/core/store';
import type { Logger, RedisConnection } from '@vidqueue/core/runtime';
import { createBatchTargets, type WebhookDispatcher } from '@vidqueue/webhooks';
import type { ProcessorHooks } from '../hooks.js';
import type { ArchiveSettled } from '../archive/archive-processor.js';
import { completedView, failedView } from './event-views.js';

export type WebhookHooksDeps = {
  redis: RedisConnection;
  prefix: string;
  ttlSeconds: number;
  dispatcher: WebhookDispatcher;
  batches: BatchStore;
  /** Present when storage is on: `video.completed` then waits for the archive to settle. */
  archive?: { store: ArchiveStore; queue: GenerationQueues };
  publicBase: string;
  logger: Logger;
};

/**
 * Turns job outcomes into events: `video.completed` (at once without storage; with storage once the
 * archive settled, carrying our URL or the archive's failure), `video.failed` (not for cancels: the
 * caller asked for those), and `batch.completed` once every row is final and no archive is pending.
 * Every path that can be the last one checks the batch after its own write, so one of them sees it
 * finished; a key per finishing time sends the event once (a retry that finishes it again sends again).
 * A video's event is queued before its row counts as final (or, with storage, before its archive stops
 * holding up the batch), so `batch.completed` is queued after every video event of its batch.
 */
export function createWebhookHooks(deps: WebhookHooksDeps) {
  const { redis, dispatcher, batches } = deps;
  const keys = vidqKeys(deps.prefix);
  const targets = createBatchTargets(redis, deps.prefix, deps.ttlSeconds);
  const log = deps.logger.child({ component: 'webhook-events' });

  async function requestTarget(job: Pick<GenerationJob, 'data'>) {
    if (job.data.webhook) return job.data.webhook;
    return job.data.batchId === undefined ? undefined : targets.get(job.data.batchId);
  }

  async function maybeBatchCompleted(batchId: string): Promise<void> {
    const target = await targets.get(batchId);
    if (!target && !dispatcher.hasGlobalTarget) return;
    const batch = await batches.get(batchId);
    const finishedAt = batch?.meta.finishedAt;
    if (!batch || finishedAt === undefined) return;
    if (deps.archive && (await deps.archive.store.pendingCount(batchId)) > 0) return;
    const first = await redis.set(
      keys.batchCompletedSent(batchId, finishedAt),
      '1',
      'EX',
      deps.ttlSeconds,
      'NX',
    );
    if (first === null) return;
    const ids = await dispatcher.emit(
      'batch.completed',
      toBatchView(batch),
      { batchId, occurrence: String(finishedAt) },
      target,
    );
    log.info({ batchId, deliveries: ids.length }, 'batch.completed queued');
  }

  /** One video's event, to its request's target (or its batch's) and the global one; once per video. */
  async function emitVideo(
    type: 'video.completed' | 'video.failed',
    job: GenerationJob,
    view: { id: string },
  ): Promise<void> {
    const subject = {
      videoId: view.id,
      ...(job.data.batchId ? { batchId: job.data.batchId } : {}),
      occurrence: view.id,
    };
    await dispatcher.emit(type, view, subject, await requestTarget(job));
  }

  const videoCompleted = (job: GenerationJob, result: GenerationResult, archive?: ArchiveRecord) =>
    emitVideo(
      'video.completed',
      job,
      completedView(job, result, { publicBase: deps.publicBase, ...(archive ? { archive } : {}) }),
    );

  /** The video's own event: runs before the batch hooks count its row, so it is queued before `batch.completed`. */
  const videoEvents: Pick<ProcessorHooks, 'completed' | 'failed'> = {
    async completed(job, result) {
      if (!deps.archive) await videoCompleted(job, result);
    },
    async failed(job, failure) {
      if (failure.code !== FailureCode.Cancelled)
        await emitVideo('video.failed', job, failedView(job, failure));
    },
  };

  /** After the batch hooks counted the row: `batch.completed` when it was the last one. */
  const batchEvents: Pick<ProcessorHooks, 'completed' | 'failed'> = {
    async completed(job) {
      if (job.data.batchId !== undefined) await maybeBatchCompleted(job.data.batchId);
    },
    async failed(job) {
      if (job.data.batchId !== undefined) await maybeBatchCompleted(job.data.batchId);
    },
  };

  return {
    videoEvents,
    batchEvents,
    archive: {
      /** The archive settled (its row still holds up the batch): `video.completed` with its outcome. */
      settled: async (ref: ArchiveRef, record: ArchiveRecord, data: ArchiveJobData): Promise<void> => {
        if (!deps.archive) return;
        const job = await deps.archive.queue.getJob(ref.videoId);
        const result = job?.returnvalue ?? data.result;
        if (job && result) await videoCompleted(job, result, record);
        else log.warn({ videoId: ref.videoId }, 'archive settled for a video that is gone: no event');
      },
      /** The row no longer holds up its batch: maybe `batch.completed`, after every video's event. */
      released: async (ref: ArchiveRef): Promise<void> => {
        if (deps.archive && ref.batchId !== undefined) await maybeBatchCompleted(ref.batchId);
      },
    } satisfies ArchiveSettled,
  };
}
