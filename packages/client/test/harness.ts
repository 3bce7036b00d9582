import { inject } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { startApi, type RunningApi } from '@vidqueue/api';
import { createLogger, createRedis, loadConfig, type Config } from '@vidqueue/core';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink, uniquePrefix } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';

export const API_TOKEN = 'client-test-token-3b7e';

/** A real simulator, worker and API over the suite's Redis, under a prefix of its own, with short timings. */
export type TestStack = {
  config: Config;
  simulator: RunningSimulator;
  worker: RunningWorker;
  api: RunningApi;
  redisUrl: string;
  close(): Promise<void>;
};

export async function startTestStack(env: Record<string, string> = {}): Promise<TestStack> {
  const redisUrl = inject('redisUrl');
  const simulator = await startSimulator({ generationMs: 300, queuedFraction: 0.2 });
  const config = loadConfig({
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: uniquePrefix('client'),
    PORT: '0',
    API_TOKENS: API_TOKEN,
    AIMLAPI_KEY: 'sim-key',
    AIMLAPI_BASE_URL: simulator.url,
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '100',
    RETRY_BASE_MS: '50',
    RETRY_MAX_MS: '200',
    WORKER_CONCURRENCY: '8',
    ...env,
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
      await deletePrefix(redisUrl, config.QUEUE_PREFIX);
    },
  };
}

/** Removes every key under the test's own prefix (never FLUSHALL). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = createRedis(url, 'worker');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
