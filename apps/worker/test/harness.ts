import { QueueEvents, type JobsOptions } from 'bullmq';
import { expect, inject } from 'vitest';
import type { Redis } from 'ioredis';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import {
  GenerationJobDataSchema,
  newVideoId,
  type GenerationResult,
  type NewGenerationJobData,
} from '@vidqueue/core/contract';
import {
  GENERATIONS_QUEUE,
  createGenerationQueue,
  type GenerationQueue,
  type PriceBook,
} from '@vidqueue/core/store';
import { createLogger, createRedis, loadConfig, type Config, type Logger } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator, type StartSimulatorOptions } from '@vidqueue/simulator';
import { LogSink, spawnTs, uniquePrefix, type Child } from '@vidqueue/testkit';
import { startWorker, type GenerationJob, type RunningWorker, type StartWorkerDeps } from '../src/index.js';

/** A key that must never show up in logs or Redis. */
export const PROVIDER_KEY = 'sk-test-9f8e7d6c5b4a39281706';

/** Small timings so a generation takes a few hundred ms end to end. */
export const FAST_ENV = {
  STATUS_FIRST_CHECK_MS: '100',
  STATUS_INTERVAL_MS: '100',
  RETRY_BASE_MS: '20',
  RETRY_MAX_MS: '100',
  ACCOUNT_PAUSE_MS: '60000',
  AIMLAPI_TIMEOUT_MS: '2000',
  GENERATION_DEADLINE_MS: '20000',
  WORKER_CONCURRENCY: '4',
  // The simulator's usage-log rows appear at once (unless a test delays them) and its fresh 404s last
  // only as long as a test says: short reconcile horizon and 404 grace.
  RECONCILE_HORIZON_MS: '2000',
  STATUS_NOT_FOUND_GRACE_MS: '1500',
} as const;

export type HarnessOptions = {
  sim?: StartSimulatorOptions;
  env?: Record<string, string>;
  /** Start the worker right away (default true). */
  worker?: boolean;
  /** The worker's price list instead of the simulator's catalogue through Redis. */
  prices?: (config: Config, sim: RunningSimulator) => PriceBook;
  /** The worker's slot-watch window (StartWorkerDeps.slotWatchMs). */
  slotWatchMs?: number;
};

export type Finished =
  { state: 'completed'; result: GenerationResult } | { state: 'failed'; failedReason: string };

export type Harness = {
  config: Config;
  sim: RunningSimulator;
  queue: GenerationQueue;
  redis: Redis;
  sink: LogSink;
  logger: Logger;
  running: RunningWorker | undefined;
  startWorker(workerOptions?: StartWorkerDeps['workerOptions']): Promise<RunningWorker>;
  add(data?: Partial<NewGenerationJobData>, opts?: JobsOptions): Promise<GenerationJob>;
  finished(job: GenerationJob): Promise<Finished>;
  job(id: string): Promise<GenerationJob>;
  close(): Promise<void>;
};

export const DEFAULT_MODEL_ID = 'sber-ai/kandinsky5-distill-t2v';

/** The simulator over real HTTP, a real Redis under a unique prefix, and the worker under test. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const redisUrl = inject('redisUrl');
  const sim = await startSimulator({ generationMs: 300, ...options.sim, port: 0 });
  const config = loadConfig({
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: uniquePrefix('wk'),
    AIMLAPI_KEY: PROVIDER_KEY,
    AIMLAPI_BASE_URL: sim.url,
    LOG_LEVEL: 'debug',
    ...FAST_ENV,
    ...options.env,
  });
  const sink = new LogSink();
  const logger = createLogger({ level: 'debug', destination: sink });
  const redis = createRedis(redisUrl, 'worker');
  const producer = createRedis(redisUrl, 'producer');
  const queue = createGenerationQueue(producer, config);
  const eventsConnection = createRedis(redisUrl, 'worker');
  const events = new QueueEvents(GENERATIONS_QUEUE, {
    connection: eventsConnection,
    prefix: config.QUEUE_PREFIX,
  });
  await events.waitUntilReady();

  const harness: Harness = {
    config,
    sim,
    queue,
    redis,
    sink,
    logger,
    running: undefined,
    async startWorker(workerOptions) {
      const client = createAimlApiClient({
        apiKey: PROVIDER_KEY,
        baseUrl: sim.url,
        timeoutMs: config.AIMLAPI_TIMEOUT_MS,
      });
      harness.running = await startWorker({
        config,
        logger,
        client,
        workerOptions,
        ...(options.prices && { prices: options.prices(config, sim) }),
        ...(options.slotWatchMs !== undefined && { slotWatchMs: options.slotWatchMs }),
      });
      return harness.running;
    },
    async add(data = {}, opts = {}) {
      const { input, ...rest } = data;
      // Parsing fills the schema's defaults (step, polls, retries), as a producer does.
      const jobData = GenerationJobDataSchema.parse({
        input: { model: DEFAULT_MODEL_ID, prompt: `a red fox in snow ${newVideoId()}`, ...input },
        ...rest,
      });
      return queue.add('generate', jobData, { jobId: newVideoId(), ...opts });
    },
    async finished(job) {
      try {
        const result = await job.waitUntilFinished(events);
        return { state: 'completed', result };
      } catch (err) {
        return { state: 'failed', failedReason: (err as Error).message };
      }
    },
    async job(id) {
      const job = await queue.getJob(id);
      if (!job) throw new Error(`job ${id} not found`);
      return job;
    },
    async close() {
      await harness.running?.close();
      await events.close();
      eventsConnection.disconnect();
      await queue.obliterate({ force: true });
      const ours = await redis.keys(`${config.QUEUE_PREFIX}:vidq:*`);
      if (ours.length > 0) await redis.del(...ours);
      await queue.close();
      await producer.quit();
      await redis.quit();
      await sim.close();
    },
  };
  if (options.worker !== false) await harness.startWorker();
  return harness;
}

/**
 * Runs `script` (a worker entry point) as a child process against the harness's Redis, queue prefix
 * and simulator, with FAST_ENV timings and the test provider key; `extraEnv` is added last.
 */
export function spawnWorkerProcess(
  harness: Harness,
  script: URL,
  extraEnv: Record<string, string> = {},
): Child {
  return spawnTs(script, {
    ...FAST_ENV,
    REDIS_URL: harness.config.REDIS_URL!,
    QUEUE_PREFIX: harness.config.QUEUE_PREFIX,
    AIMLAPI_KEY: PROVIDER_KEY,
    AIMLAPI_BASE_URL: harness.sim.url,
    ...extraEnv,
  });
}

/** The `check <n>: <status>` lines the worker wrote into a job's log, as statuses. */
export async function checkedStatuses(queue: GenerationQueue, jobId: string): Promise<string[]> {
  const { logs } = await queue.getJobLogs(jobId);
  return logs.flatMap((line) => /^check \d+: (.+)$/.exec(line)?.[1] ?? []);
}

/** Matches the n-th client request id of a job: `<jobId>-<n>-<8 hex nonce>`. */
export function requestIdOf(jobId: string, n: number): string {
  const escaped = jobId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const matcher: unknown = expect.stringMatching(new RegExp(`^${escaped}-${n}-[0-9a-f]{8}$`));
  return matcher as string;
}
