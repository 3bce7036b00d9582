/**
 * The `archive` queue: one job per completed video, copying the provider's file into our storage
 * (apps/worker/src/archive). Its own queue so a slow or failing download never holds a generation
 * slot; its own retries (ARCHIVE_ATTEMPTS, exponential from ARCHIVE_BACKOFF_MS), visible in Bull Board.
 */
import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { GenerationResultSchema } from '../contract/job-data.js';
import type { Config } from '../runtime/config.js';

export const ARCHIVE_QUEUE = 'archive';
export const ARCHIVE_JOB_NAME = 'archive';
/** The repeated job that deletes files whose batch expired (ARCHIVE_RETENTION=batch). */
export const ARCHIVE_SWEEP_JOB_NAME = 'sweep';

export const ArchiveJobDataSchema = z.object({
  /** The video's job id (`vid_…`, or `<batchId>-<row>[-r<n>]`). */
  videoId: z.string().min(1),
  batchId: z.string().optional(),
  row: z.number().int().optional(),
  /** The provider's URL of the finished video (may be signed; never logged whole). */
  sourceUrl: z.string().url(),
  storageKey: z.string().min(1),
  /** The generation's result, so the settled archive's event shows the video even before BullMQ has stored it. */
  result: GenerationResultSchema.optional(),
});
export type ArchiveJobData = z.infer<typeof ArchiveJobDataSchema>;

export type ArchiveQueue = Queue<ArchiveJobData>;

type ArchiveQueueConfig = Pick<
  Config,
  | 'QUEUE_PREFIX'
  | 'ARCHIVE_ATTEMPTS'
  | 'ARCHIVE_BACKOFF_MS'
  | 'KEEP_COMPLETED_SECONDS'
  | 'KEEP_FAILED_SECONDS'
>;

export function archiveJobOptions(config: ArchiveQueueConfig): DefaultJobOptions {
  return {
    attempts: config.ARCHIVE_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.ARCHIVE_BACKOFF_MS },
    removeOnComplete: { age: config.KEEP_COMPLETED_SECONDS },
    removeOnFail: { age: config.KEEP_FAILED_SECONDS },
  };
}

/** Job id of a video's archive job: one per video (a replayed completion hook adds nothing). */
export function archiveJobId(videoId: string): string {
  return `arc_${videoId}`;
}

export function createArchiveQueue(connection: Redis, config: ArchiveQueueConfig): ArchiveQueue {
  return new Queue(ARCHIVE_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: archiveJobOptions(config),
  });
}
