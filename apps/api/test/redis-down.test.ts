import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, loadConfig } from '@vidqueue/core/runtime';
import { freePort, startLocalRedis, type LocalRedis } from '@vidqueue/redis-server';
import { LogSink, uniquePrefix } from '@vidqueue/testkit';
import { buildApp, type App } from '../src/app.js';

// This file runs its own redis-server, to stop and restart it; the shared test Redis is never touched.
let redis: LocalRedis | undefined;
let app: App | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await app?.close();
  await redis?.stop();
  app = undefined;
  redis = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vidq-api-redis-'));
  dirs.push(dir);
  return dir;
}

function makeApp(port: number): App {
  const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, QUEUE_PREFIX: uniquePrefix('down') });
  return buildApp({
    config,
    logger: createLogger({ level: 'debug', destination: new LogSink() }),
    redisTimeoutMs: 500,
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

const REDIS_ROUTES = [
  { method: 'POST' as const, url: '/v1/videos', payload: { prompt: 'a fox' } },
  { method: 'GET' as const, url: '/v1/videos/vid_x' },
  { method: 'DELETE' as const, url: '/v1/videos/vid_x' },
  { method: 'GET' as const, url: '/readyz' },
];

async function expectAllUnavailable(a: App): Promise<void> {
  for (const req of REDIS_ROUTES) {
    const { value: res, ms } = await timed(() => a.inject(req));
    expect(res.statusCode, `${req.method} ${req.url}`).toBe(503);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('REDIS_UNAVAILABLE');
    // Answered at once (the connection is known to be down), far below any client timeout.
    expect(ms, `${req.method} ${req.url}`).toBeLessThan(1_000);
  }
  const health = await a.inject({ method: 'GET', url: '/healthz' });
  expect(health.statusCode).toBe(200);
  expect(health.json()).toMatchObject({ status: 'degraded', redis: 'unavailable', account_pause: null });
}

describe('while Redis is down', () => {
  it('answers 503 REDIS_UNAVAILABLE quickly, and recovers when Redis is back', async () => {
    const dir = tempDir();
    redis = await startLocalRedis({ dir, appendOnly: false });
    const port = redis.port;
    app = makeApp(port);
    await app.ready();
    const created = await app.inject({ method: 'POST', url: '/v1/videos', payload: { prompt: 'before' } });
    expect(created.statusCode).toBe(202);

    await redis.stop();
    await expect.poll(() => app?.redis.status).not.toBe('ready');
    await expectAllUnavailable(app);

    redis = await startLocalRedis({ dir, appendOnly: false, port });
    await expect
      .poll(async () => (await app!.inject({ method: 'GET', url: '/readyz' })).statusCode)
      .toBe(200);
    const after = await app.inject({ method: 'POST', url: '/v1/videos', payload: { prompt: 'after' } });
    expect(after.statusCode).toBe(202);
    const got = await app.inject({ method: 'GET', url: `/v1/videos/${after.json<{ id: string }>().id}` });
    expect(got.json<{ status: string }>().status).toBe('queued');
  });

  it('starts while Redis is unreachable, and serves once it comes up', async () => {
    const port = await freePort();
    app = makeApp(port);
    await app.ready();
    await expectAllUnavailable(app);

    redis = await startLocalRedis({ dir: tempDir(), appendOnly: false, port });
    await expect
      .poll(async () => (await app!.inject({ method: 'GET', url: '/readyz' })).statusCode)
      .toBe(200);
    const res = await app.inject({ method: 'POST', url: '/v1/videos', payload: { prompt: 'a fox' } });
    expect(res.statusCode).toBe(202);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json<{ status: string }>().status).toBe('ok');
  });
});
