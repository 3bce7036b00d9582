import { Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AimlApiClient } from '@vidqueue/aimlapi';
import {
  DEFAULT_REDIS_URL,
  GENERATIONS_QUEUE,
  createRedis,
  redactUrl,
  type Config,
  type GenerationJobData,
  type GenerationResult,
  type Logger,
} from '@vidqueue/core';
import { createBudgets } from './budgets.js';
import { composeHooks } from './hooks.js';
import { createProcessor, type ProcessorHooks } from './processor.js';

export type StartWorkerDeps = {
  config: Config;
  logger: Logger;
  client: AimlApiClient;
  /** A worker-role ioredis connection to share; when absent one is made from REDIS_URL and closed on close(). */
  connection?: Redis;
  /** Lock and stalled-check tuning (BullMQ defaults: 30 s each); tests use short ones to recover crashed jobs fast. */
  workerOptions?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  /** Observers of each job's lifecycle, called after the worker's own (budgets). */
  hooks?: ProcessorHooks;
};

export type GenerationWorker = Worker<GenerationJobData, GenerationResult>;

export type RunningWorker = {
  worker: GenerationWorker;
  /** Stops taking jobs, waits for the active ones to finish their current step, then disconnects. */
  close(): Promise<void>;
};

/** Starts a BullMQ worker on the generations queue and resolves once it is connected. */
export async function startWorker(deps: StartWorkerDeps): Promise<RunningWorker> {
  const { config, client } = deps;
  const logger = deps.logger.child({ component: 'worker' });
  const connection = deps.connection ?? createRedis(config.REDIS_URL, 'worker');
  const ownsConnection = deps.connection === undefined;

  const budgets = createBudgets({ config, redis: connection });
  const processGeneration = createProcessor({
    config,
    client,
    redis: connection,
    logger,
    budgets,
    hooks: composeHooks(budgets.hooks, deps.hooks),
  });
  // Runs in progress, tracked here too so close() never disconnects under a step that is still
  // saving its progress, whatever the queue library's own bookkeeping does.
  const inFlight = new Set<Promise<unknown>>();
  const processor: typeof processGeneration = (job, token) => {
    const run = processGeneration(job, token);
    inFlight.add(run);
    void run.catch(() => undefined).finally(() => inFlight.delete(run));
    return run;
  };
  const worker: GenerationWorker = new Worker(GENERATIONS_QUEUE, processor, {
    ...deps.workerOptions,
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
  });
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  worker.on('failed', (job, err) => {
    // DelayedError never reaches 'failed'; this is a real, final failure.
    logger.warn({ jobId: job?.id, batchId: job?.data.batchId, reason: err.message }, 'job failed');
  });

  try {
    await worker.waitUntilReady();
  } catch (err) {
    await worker.close(true);
    if (ownsConnection) connection.disconnect();
    throw err;
  }
  logger.info(
    {
      concurrency: config.WORKER_CONCURRENCY,
      queue: GENERATIONS_QUEUE,
      prefix: config.QUEUE_PREFIX,
      redis: redactUrl(config.REDIS_URL ?? DEFAULT_REDIS_URL),
    },
    'worker ready',
  );

  let closing: Promise<void> | undefined;
  return {
    worker,
    close() {
      closing ??= (async () => {
        logger.info('worker closing: waiting for active jobs');
        await worker.close();
        await Promise.allSettled(inFlight);
        if (ownsConnection) await connection.quit();
        logger.info('worker closed');
      })();
      return closing;
    },
  };
}
