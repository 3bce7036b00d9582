import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { GenerationJobData, GenerationResult } from './job-data.js';

export const GENERATIONS_QUEUE = 'generations';
export const GENERATION_JOB_NAME = 'generate';

export type GenerationQueue = Queue<GenerationJobData, GenerationResult, typeof GENERATION_JOB_NAME>;

type RetentionConfig = Pick<
  Config,
  'KEEP_COMPLETED_SECONDS' | 'KEEP_COMPLETED_COUNT' | 'KEEP_FAILED_SECONDS'
>;

/**
 * Job options for every generation. No BullMQ-level attempts: the worker's state machine decides
 * what may be retried (a create call must never be repeated blindly), using delayed re-runs.
 */
export function generationJobOptions(config: RetentionConfig): DefaultJobOptions {
  return {
    attempts: 1,
    removeOnComplete: { age: config.KEEP_COMPLETED_SECONDS, count: config.KEEP_COMPLETED_COUNT },
    removeOnFail: { age: config.KEEP_FAILED_SECONDS },
  };
}

export function createGenerationQueue(
  connection: Redis,
  config: RetentionConfig & Pick<Config, 'QUEUE_PREFIX'>,
): GenerationQueue {
  return new Queue(GENERATIONS_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: generationJobOptions(config),
  });
}
