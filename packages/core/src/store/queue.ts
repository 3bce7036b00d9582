import { Queue, type DefaultJobOptions, type Telemetry, type WorkerOptions } from 'bullmq';
import type { RedisConnection } from '../runtime/connection.js';
import type { Config } from '../runtime/config.js';
import type { GenerationJobData, GenerationResult } from '../contract/job-data.js';

export const GENERATIONS_QUEUE = 'generations';
export const GENERATION_JOB_NAME = 'generate';

export type GenerationQueue = Queue<GenerationJobData, GenerationResult, typeof GENERATION_JOB_NAME>;

type RetentionConfig = Pick<
  Config,
  'KEEP_COMPLETED_SECONDS' | 'KEEP_COMPLETED_COUNT' | 'KEEP_FAILED_SECONDS'
>;

/** BullMQ attempts for errors the state machine did not plan for (a Redis blip mid-step, a bug). */
export const GENERATION_ATTEMPTS = 5;

/**
 * Job options for every generation. Provider errors never use these attempts: the worker's state
 * machine decides what may be retried (a create call is never repeated blindly) with delayed re-runs,
 * and fails for good with UnrecoverableError. The attempts only re-run a job whose run broke for an
 * unplanned reason; a re-run continues from the persisted step (a job caught in `submitting` goes to
 * the unknown-outcome policy, never to a second create).
 *
 * Retention is not here but on the workers (`generationRetention`): every job hash would otherwise
 * carry the same `removeOnComplete`/`removeOnFail` (about 80 bytes of each kept job's `opts`).
 */
export function generationJobOptions(): DefaultJobOptions {
  return { attempts: GENERATION_ATTEMPTS, backoff: { type: 'exponential', delay: 2_000 } };
}

/**
 * How long finished generations stay in Redis (KEEP_*), as the worker options BullMQ applies when a
 * job finishes without its own `removeOnComplete`/`removeOnFail` (a job that has them keeps them).
 */
export function generationRetention(
  config: RetentionConfig,
): Required<Pick<WorkerOptions, 'removeOnComplete' | 'removeOnFail'>> {
  return {
    removeOnComplete: { age: config.KEEP_COMPLETED_SECONDS, count: config.KEEP_COMPLETED_COUNT },
    removeOnFail: { age: config.KEEP_FAILED_SECONDS },
  };
}

/** One shard's queue (`prefix`: that shard's, see shards.ts); most callers want `createGenerationQueues` (shards.ts). */
export function createGenerationQueue(
  connection: RedisConnection,
  config: Pick<Config, 'QUEUE_PREFIX'>,
  /** The API and worker pass `bullmqTelemetry()`; the SDK passes nothing and never loads bullmq-otel. */
  options: { telemetry?: Telemetry | undefined } = {},
): GenerationQueue {
  return new Queue(GENERATIONS_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
    defaultJobOptions: generationJobOptions(),
    // When tracing: each add carries the caller's trace context in the job (W3C traceparent in
    // `opts.telemetry.metadata`), and a worker's runs of that job continue the trace.
    telemetry: options.telemetry,
  });
}
