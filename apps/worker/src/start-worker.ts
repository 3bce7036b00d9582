import { Worker, type WorkerOptions } from 'bullmq';
import { shippedCatalogue, type AimlApiClient, type Catalogue } from '@vidqueue/aimlapi';
import type { Storage } from '@vidqueue/storage';
import type { GenerationJobData, GenerationResult } from '@vidqueue/core/contract';
import {
  GENERATIONS_QUEUE,
  createPriceBook,
  generationRetention,
  shardPrefixes,
  type PriceBook,
} from '@vidqueue/core/store';
import {
  DEFAULT_REDIS_URL,
  createMetricsRecorder,
  createRedis,
  redactUrl,
  type Config,
  type Logger,
  type RedisConnection,
} from '@vidqueue/core/runtime';
import { bullmqTelemetry } from '@vidqueue/telemetry/bullmq';
import { createBatchHooks, reportFinalFailures } from './batch-hooks.js';
import { createBudgets } from './budgets.js';
import { createSpendCaps } from './spend-caps.js';
import { createDurationStats, durationStatsHooks } from './duration-stats.js';
import { instrumentClient, metricsHooks } from './metrics-hooks.js';
import { composeHooks, type ProcessorHooks } from './hooks.js';
import { modelNamesFrom } from './model-names.js';
import { createProcessor } from './processor.js';
import { startSideEffects } from './side-effects.js';
import { adaptiveCheckSchedule, fixedCheckSchedule } from './schedule.js';
import { catalogueSeed, timingKeys } from './timing-keys.js';
import { watchSlots } from './slot-watch.js';

export type StartWorkerDeps = {
  config: Config;
  logger: Logger;
  client: AimlApiClient;
  /**
   * The models the worker knows (default: the shipped catalogue): timing keys fill in their defaults,
   * and the adaptive schedule starts from their expected times. Jobs are sent as they were validated,
   * whatever it holds.
   */
  catalogue?: Catalogue;
  /** A worker-role ioredis connection to share; when absent one is made from REDIS_URL and closed on close(). */
  connection?: RedisConnection;
  /** Lock and stalled-check tuning (BullMQ defaults: 30 s each); tests use short ones to recover crashed jobs fast. */
  workerOptions?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  /** Observers of each job's lifecycle, called after the worker's own (budgets). */
  hooks?: ProcessorHooks;
  /** The shared price list; default: the one in Redis, read from the provider through `client`. */
  prices?: PriceBook;
  /**
   * How often buffered metric increments (one pipeline) and learned generation times (one script per
   * model and duration) are written to Redis, default `METRICS_FLUSH_MS`; 0 writes each one at once.
   * They are also written by `flushMetrics()` and `close()`.
   */
  metricsFlushMs?: number;
  /**
   * Where finished videos are archived: default from STORAGE_URL (made here and closed on close());
   * a Storage to use (the caller closes it); null for none whatever STORAGE_URL says.
   */
  storage?: Storage | null;
  /** Length of the windows in which late status checks are counted and reported (slot-watch.ts). */
  slotWatchMs?: number;
};

/** Default interval of the metrics flush: GET /metrics lags the worker by at most this much. */
export const METRICS_FLUSH_MS = 1_000;

/**
 * How many times a job may be found stalled (its worker died) before BullMQ fails it. BullMQ counts
 * stalls over the job's whole life and its default is 1, but a generation job is active once per step
 * (a create, then every status check), so two unrelated worker crashes would fail a healthy job.
 * Every step resumes from its saved state (a stalled create becomes `submission_unknown`, never a second
 * create), so a re-run is always safe; the limit only stops a job that keeps killing its worker.
 */
export const MAX_STALLED_COUNT = 10;

export type GenerationWorker = Worker<GenerationJobData, GenerationResult>;

export type RunningWorker = {
  /** The BullMQ Workers, one per shard taken (just one unless QUEUE_SHARDS > 1). */
  workers: GenerationWorker[];
  /** Stops taking jobs, waits for the active ones to finish their current step, then disconnects. */
  close(): Promise<void>;
  /** Writes the buffered metric increments and learned generation times to Redis now. */
  flushMetrics(): Promise<void>;
};

/** The shards this process takes jobs from: WORKER_SHARDS, else all QUEUE_SHARDS of them. */
export function workerShards(
  config: Pick<Config, 'QUEUE_PREFIX' | 'QUEUE_SHARDS' | 'WORKER_SHARDS'>,
): { index: number; prefix: string }[] {
  const prefixes = shardPrefixes(config.QUEUE_PREFIX, config.QUEUE_SHARDS);
  const wanted = config.WORKER_SHARDS ?? prefixes.map((_, i) => i);
  return wanted.map((index) => {
    const prefix = prefixes[index];
    if (prefix === undefined) throw new RangeError(`WORKER_SHARDS: no shard ${index} of ${prefixes.length}`);
    return { index, prefix };
  });
}

/**
 * Starts BullMQ workers on the generations queue (one per shard it takes; WORKER_CONCURRENCY is split
 * between them) and resolves once they are connected.
 */
export async function startWorker(deps: StartWorkerDeps): Promise<RunningWorker> {
  const { config, client } = deps;
  const logger = deps.logger.child({ component: 'worker' });
  const connection = deps.connection ?? createRedis(config, 'worker');
  const ownsConnection = deps.connection === undefined;

  const budgets = createBudgets({ config, redis: connection });
  const prices =
    deps.prices ??
    createPriceBook({
      redis: connection,
      prefix: config.QUEUE_PREFIX,
      read: (etag) => client.pricedCatalogue(etag === undefined ? {} : { etag }),
      refreshMs: config.PRICES_REFRESH_MS,
      lockMs: config.AIMLAPI_TIMEOUT_MS + 5_000,
      onError: (err) =>
        logger.warn({ err }, "could not read the provider's price catalogue; keeping the last prices"),
      keepFresh: true,
    });
  const batchHooks = createBatchHooks({ config, redis: connection, logger });
  const flushIntervalMs = deps.metricsFlushMs ?? METRICS_FLUSH_MS;
  const recorder = createMetricsRecorder(
    connection,
    config.QUEUE_PREFIX,
    (err) => logger.debug({ err }, 'metrics: recording failed'),
    { flushIntervalMs },
  );
  const catalogue = deps.catalogue ?? shippedCatalogue();
  const spend = createSpendCaps({ config, redis: connection, prices, catalogue });
  const keyOf = timingKeys(catalogue);
  // Before a timing key has learned times, the adaptive schedule starts from the catalogue's expected
  // time, unless the operator set STATUS_FIRST_CHECK_MS (tests and fast simulators do): that wins.
  const durations = createDurationStats(connection, config.QUEUE_PREFIX, {
    flushIntervalMs,
    ...(config.STATUS_FIRST_CHECK_MS === undefined && { seed: catalogueSeed(catalogue) }),
    onError: (err) => logger.debug({ err }, 'learned durations: recording failed'),
  });
  // Archive and webhooks: their own queues and Workers beside this one (see side-effects.ts).
  const side = await startSideEffects({
    config,
    connection,
    logger,
    ...(deps.storage === undefined ? {} : { storage: deps.storage }),
  });
  // One BullMQ Worker per shard taken (QUEUE_SHARDS, WORKER_SHARDS), sharing WORKER_CONCURRENCY.
  const taken = workerShards(config);
  const concurrency = Math.max(1, Math.ceil(config.WORKER_CONCURRENCY / taken.length));
  // Late status checks are reported with their cause: every slot busy, or not (slot-watch.ts).
  const slots = watchSlots({
    slots: concurrency * taken.length,
    logger,
    ...(deps.slotWatchMs !== undefined && { windowMs: deps.slotWatchMs }),
  });
  const checkSchedule =
    config.STATUS_SCHEDULE === 'adaptive'
      ? adaptiveCheckSchedule(config, durations, Math.random, keyOf)
      : fixedCheckSchedule(config);
  const processGeneration = createProcessor({
    config,
    client: instrumentClient(client, recorder),
    redis: connection,
    logger,
    budgets,
    spend,
    checkSchedule,
    modelNames: modelNamesFrom(catalogue, prices),
    hooks: composeHooks(
      budgets.hooks,
      spend.hooks,
      // Before the batch row is marked completed: the row's archive must already be pending, so a
      // batch is never seen finished with an archive about to start.
      side.before,
      batchHooks,
      metricsHooks(recorder),
      durationStatsHooks(durations, keyOf),
      side.after,
      {
        checked: (_job, info) => {
          if (info.lateMs !== undefined) slots.checked(info.lateMs);
        },
      },
      deps.hooks,
    ),
  });
  // Runs in progress, tracked here too so close() never disconnects under a step that is still
  // saving its progress, whatever the queue library's own bookkeeping does.
  const inFlight = new Set<Promise<unknown>>();
  const processor: typeof processGeneration = (job, token) => {
    slots.started();
    const run = processGeneration(job, token);
    inFlight.add(run);
    void run
      .catch(() => undefined)
      .finally(() => {
        inFlight.delete(run);
        slots.ended();
      });
    return run;
  };
  // What a failure BullMQ decides itself must still reach: the batch row and the events.
  const finalFailureHooks = composeHooks(side.before, batchHooks, side.after);
  const workers: GenerationWorker[] = taken.map(({ prefix }) => {
    const worker: GenerationWorker = new Worker(GENERATIONS_QUEUE, processor, {
      maxStalledCount: MAX_STALLED_COUNT,
      // KEEP_*: applied by BullMQ when a job finishes (queue.ts: not stored in every job's opts).
      ...generationRetention(config),
      ...deps.workerOptions,
      connection,
      prefix,
      concurrency,
      // When tracing: each run is a `process generations` span continuing the trace the job was added in.
      telemetry: bullmqTelemetry(),
    });
    worker.on('error', (err) => logger.error({ err }, 'worker error'));
    reportFinalFailures(worker, finalFailureHooks, logger);
    worker.on('failed', (job, err) => {
      // DelayedError never reaches 'failed'; this is a real, final failure.
      logger.warn({ jobId: job?.id, batchId: job?.data.batchId, reason: err.message }, 'job failed');
    });
    return worker;
  });

  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
  } catch (err) {
    await Promise.all(workers.map((w) => w.close(true)));
    slots.stop();
    if (!deps.prices) prices.close();
    await side.close();
    if (ownsConnection) connection.disconnect();
    throw err;
  }
  logger.info(
    {
      concurrency: config.WORKER_CONCURRENCY,
      queue: GENERATIONS_QUEUE,
      prefix: config.QUEUE_PREFIX,
      ...(config.QUEUE_SHARDS > 1 && {
        shards: taken.map((t) => `${t.index} (${t.prefix})`).join(', '),
        of: config.QUEUE_SHARDS,
        concurrencyPerShard: concurrency,
      }),
      redis: config.REDIS_CLUSTER_NODES
        ? `cluster ${config.REDIS_CLUSTER_NODES.join(',')}`
        : redactUrl(config.REDIS_URL ?? DEFAULT_REDIS_URL),
    },
    'worker ready',
  );

  let closing: Promise<void> | undefined;
  return {
    workers,
    flushMetrics: async () => {
      await Promise.all([recorder.flush(), durations.flush()]);
    },
    close() {
      closing ??= (async () => {
        logger.info('worker closing: waiting for active jobs');
        await Promise.all(workers.map((w) => w.close()));
        await Promise.allSettled(inFlight);
        slots.stop();
        // Then the archive and webhook workers: each waits for its active jobs.
        await side.close();
        await Promise.all([recorder.close(), durations.close()]);
        if (!deps.prices) prices.close();
        if (ownsConnection) await connection.quit();
        logger.info('worker closed');
      })();
      return closing;
    },
  };
}
