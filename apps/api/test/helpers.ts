import { inject } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger, loadConfig, type Config } from '@vidqueue/core/runtime';
import { LogSink, deletePrefix as deletePrefixOf, uniquePrefix } from '@vidqueue/testkit';
import { buildApp, type App } from '../src/app.js';

/**
 * Where tests that start no simulator send provider reads (the price catalogue): a closed loopback port,
 * so every such test sees "no prices" whether or not the machine can reach the real provider.
 */
export const NO_PROVIDER_URL = 'http://127.0.0.1:1';

/** A config for one test: the suite's Redis, a prefix nobody else uses, small limits, no provider. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: uniquePrefix('api'),
    LOG_LEVEL: 'debug',
    AIMLAPI_BASE_URL: NO_PROVIDER_URL,
    ...env,
  });
}

export type TestApp = { app: App; config: Config; sink: LogSink; close(): Promise<void> };

/** buildApp() over the suite's Redis with logs captured; close() also deletes every key of the prefix. */
export async function makeApp(env: Record<string, string> = {}, redisTimeoutMs = 1_000): Promise<TestApp> {
  const config = testConfig(env);
  const sink = new LogSink();
  const logger = createLogger({ level: 'debug', destination: sink });
  const app = buildApp({ config, logger, redisTimeoutMs });
  await app.ready();
  return {
    app,
    config,
    sink,
    async close() {
      await app.close();
      await deletePrefix(config);
    },
  };
}

/** Removes every key under the test's own prefix (never FLUSHALL). */
export function deletePrefix(config: Config): Promise<void> {
  return deletePrefixOf(config.REDIS_URL, config.QUEUE_PREFIX);
}

/** A plain connection to the suite's Redis for assertions. */
export function testRedis(): Redis {
  return new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
