import { inject } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { startApi, type RunningApi } from '@vidqueue/api';
import { createLogger, loadConfig, type Config } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { shardPrefixes } from '@vidqueue/core/store';
import { LogSink, deletePrefix, uniquePrefix } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';

export type TestStack = {
  config: Config;
  simulator: RunningSimulator;
  worker: RunningWorker;
  api: RunningApi;
  /** The suite's Redis; undefined when the stack runs on a cluster (`cluster` option). */
  redisUrl: string | undefined;
  /** Stops the API, the worker and the simulator, then deletes every key under the stack's prefix. */
  close(): Promise<void>;
};

export type TestStackOptions = {
  /** Queue prefix label (a unique suffix is added). */
  label: string;
  /** The API's bearer token. */
  token: string;
  /** Settings over the defaults below (short timings for tests). */
  env?: Record<string, string>;
  /** Run on this Redis Cluster (REDIS_CLUSTER_NODES, REDIS_PASSWORD) instead of the suite's Redis; the prefix is hash-tagged. */
  cluster?: { REDIS_CLUSTER_NODES: string; REDIS_PASSWORD: string };
};

/**
 * A real simulator, worker and API over the suite's Redis (`inject('redisUrl')`, or a Redis Cluster when given), under a queue
 * prefix of its own, with short timings: for suites that drive the whole stack from outside (the
 * SDK's contract suite, the CLI). Lives above the apps, unlike @vidqueue/testkit which they use.
 */
export async function startTestStack(options: TestStackOptions): Promise<TestStack> {
  const redisUrl = options.cluster ? undefined : inject('redisUrl');
  const simulator = await startSimulator({ generationMs: 300, queuedFraction: 0.2 });
  const prefix = uniquePrefix(options.label);
  const config = loadConfig({
    ...(options.cluster ?? { REDIS_URL: redisUrl }),
    QUEUE_PREFIX: options.cluster ? `{${prefix}}` : prefix,
    PORT: '0',
    API_TOKENS: options.token,
    AIMLAPI_KEY: 'sim-key',
    AIMLAPI_BASE_URL: simulator.url,
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '100',
    RETRY_BASE_MS: '50',
    RETRY_MAX_MS: '200',
    WORKER_CONCURRENCY: '8',
    ...options.env,
  });
  const logger = createLogger({ level: 'warn', destination: new LogSink() });
  const client = createAimlApiClient({ apiKey: 'sim-key', baseUrl: simulator.url, timeoutMs: 5_000 });
  const worker = await startWorker({ config, logger, client });
  const api = await startApi({ config, logger });
  return {
    config,
    simulator,
    worker,
    api,
    redisUrl,
    async close() {
      await api.close();
      await worker.close();
      await simulator.close();
      // A test cluster is torn down whole by its owner.
      if (redisUrl === undefined) return;
      for (const prefix of shardPrefixes(config.QUEUE_PREFIX, config.QUEUE_SHARDS)) {
        await deletePrefix(redisUrl, prefix);
      }
    },
  };
}
