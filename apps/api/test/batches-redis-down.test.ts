import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@vidqueue/core/runtime';
import { freePort } from '@vidqueue/redis-server';
import { LogSink, uniquePrefix } from '@vidqueue/testkit';
import { buildApp, type App } from '../src/app.js';
import { spoolDirs, usePrivateTmpdir } from './batch-helpers.js';

usePrivateTmpdir();

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('batch routes while Redis is unreachable', () => {
  it('answer 503 REDIS_UNAVAILABLE at once, and leave no temp file', async () => {
    // Nothing listens on this port: the producer connection never becomes ready.
    const port = await freePort();
    const config = loadConfig({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      QUEUE_PREFIX: uniquePrefix('bdown'),
    });
    app = buildApp({
      config,
      logger: createLogger({ level: 'debug', destination: new LogSink() }),
      redisTimeoutMs: 300,
    });
    await app.ready();
    const before = await spoolDirs();
    const requests = [
      {
        method: 'POST' as const,
        url: '/v1/batches',
        payload: 'prompt\na fox\n',
        headers: { 'content-type': 'text/csv' },
      },
      { method: 'GET' as const, url: '/v1/batches/bat_x' },
      { method: 'GET' as const, url: '/v1/batches/bat_x/results' },
      { method: 'DELETE' as const, url: '/v1/batches/bat_x' },
      { method: 'POST' as const, url: '/v1/batches/bat_x/retry', payload: { only: 'failed' } },
    ];
    for (const req of requests) {
      const res = await app.inject(req);
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(503);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('REDIS_UNAVAILABLE');
    }
    expect(before).toEqual([]);
    expect(await spoolDirs()).toEqual([]);
  });
});
