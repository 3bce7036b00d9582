import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  ARCHIVE_QUEUE,
  ARCHIVE_SWEEP_JOB_NAME,
  type ArchiveJobData,
  type ArchiveQueue,
  type ArchiveStore,
} from '@vidqueue/core/store';
import type { Config, Logger } from '@vidqueue/core/runtime';
import type { AddressPolicy } from '@vidqueue/safe-http';
import type { Storage } from '@vidqueue/storage';
import { createArchiveProcessor, type ArchiveSettled } from './archive-processor.js';
import { ARCHIVE_SWEEP_EVERY_MS, sweepArchives } from './archive-sweep.js';

export type ArchiveWorkerDeps = {
  config: Config;
  connection: Redis;
  queue: ArchiveQueue;
  storage: Storage;
  store: ArchiveStore;
  policy: AddressPolicy;
  logger: Logger;
  onSettled?: ArchiveSettled;
};

/** The repeated sweep's scheduler id in the archive queue (ARCHIVE_RETENTION=batch). */
export const ARCHIVE_SWEEP_SCHEDULER = 'archive-sweep';

/**
 * The `archive` queue's own BullMQ Worker (concurrency ARCHIVE_CONCURRENCY) beside the generation
 * worker: archive jobs, and the repeated sweep that deletes files of expired batches.
 */
export async function startArchiveWorker(deps: ArchiveWorkerDeps): Promise<Worker> {
  const { config, storage, store, logger } = deps;
  const archive = createArchiveProcessor({
    config,
    storage,
    store,
    policy: deps.policy,
    logger,
    ...(deps.onSettled ? { onSettled: deps.onSettled } : {}),
  });
  const worker = new Worker(
    ARCHIVE_QUEUE,
    (job: Job) =>
      job.name === ARCHIVE_SWEEP_JOB_NAME
        ? sweepArchives(store, storage, logger)
        : archive(job as Job<ArchiveJobData>),
    { connection: deps.connection, prefix: config.QUEUE_PREFIX, concurrency: config.ARCHIVE_CONCURRENCY },
  );
  worker.on('error', (err) => logger.error({ err }, 'archive worker error'));
  if (config.ARCHIVE_RETENTION === 'batch') {
    await deps.queue.upsertJobScheduler(
      ARCHIVE_SWEEP_SCHEDULER,
      { every: ARCHIVE_SWEEP_EVERY_MS },
      { name: ARCHIVE_SWEEP_JOB_NAME, opts: { attempts: 1, removeOnComplete: 10, removeOnFail: 10 } },
    );
  } else {
    await deps.queue.removeJobScheduler(ARCHIVE_SWEEP_SCHEDULER);
  }
  await worker.waitUntilReady();
  logger.info(
    {
      queue: ARCHIVE_QUEUE,
      concurrency: config.ARCHIVE_CONCURRENCY,
      storage: storage.description,
      retention: config.ARCHIVE_RETENTION,
    },
    'archive worker ready',
  );
  return worker;
}
