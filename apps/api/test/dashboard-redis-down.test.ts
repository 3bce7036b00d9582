import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '@vidqueue/core/runtime';
import { startLocalRedis, type LocalRedis } from '@vidqueue/redis-server';
import { LogSink } from '@vidqueue/testkit';
import { buildApp } from '../src/app.js';
import { basic, testConfig } from './helpers.js';

// Bull Board on a Redis that has gone (its own, stopped by the test): 503 REDIS_UNAVAILABLE as every other
// route says it, never a 500 carrying the Redis client's own words.
const PASSWORD = 'board-down-5e1c';
const dir = mkdtempSync(join(tmpdir(), 'vidq-board-down-'));
let redis: LocalRedis;

beforeAll(async () => {
  redis = await startLocalRedis({ dir, appendOnly: false });
}, 30_000);

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('answers the dashboard API 503 REDIS_UNAVAILABLE while Redis is down, and logs the cause', async () => {
  const sink = new LogSink();
  const app = buildApp({
    config: testConfig({ REDIS_URL: redis.url, DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: PASSWORD }),
    logger: createLogger({ level: 'debug', destination: sink }),
    redisTimeoutMs: 1_000,
  });
  await app.ready();
  try {
    const auth = { authorization: basic('ops', PASSWORD) };
    expect((await app.inject({ url: '/admin/queues/api/queues', headers: auth })).statusCode).toBe(200);
    await redis.stop();
    const res = await app.inject({ url: '/admin/queues/api/queues', headers: auth });
    expect(res.statusCode).toBe(503);
    const body = res.json<{ error: { code: string; message: string; key: string } }>();
    expect(body.error).toMatchObject({ code: 'REDIS_UNAVAILABLE', key: 'ERRORS.INTERNAL_SERVER_ERROR' });
    expect(res.body).not.toMatch(
      /ECONNREFUSED|Stream isn't writeable|Connection is closed|enableOfflineQueue/,
    );
    expect(sink.text()).toContain('dashboard request failed');
  } finally {
    await app.close();
  }
});
