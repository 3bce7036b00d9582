import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '@vidqueue/redis-server';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { API_MAIN, WORKER_CHILD } from '../src/entry-points.js';
import { spawnChild, type ChildHandle } from '../src/processes.js';

// A private append-only Redis, stopped and started again on the same port and data folder, under a
// real API process (@vidqueue/api/main) and a real worker process (src/worker-child.ts: startWorker
// with a 2 s lock, see the comment at the final wait). The shared test Redis is never touched.
const TOKEN = 'restart-test-token-9a7c';

let redis: LocalRedis | undefined;
let sim: RunningSimulator | undefined;
const children: ChildHandle[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
  await sim?.close();
  await redis?.stop();
  redis = sim = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type View = { status: string; error: { code: string } | null };

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: res.status, body: await res.json() };
}

describe.each([
  { signal: 'SIGTERM' as const, appendFsync: 'everysec' as const },
  { signal: 'SIGKILL' as const, appendFsync: 'always' as const },
])('Redis restarted mid-run ($signal, appendfsync $appendFsync)', ({ signal, appendFsync }) => {
  it('the API answers 503 meanwhile, then recovers; the worker carries on; every job finishes, created once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vidq-restart-'));
    dirs.push(dir);
    redis = await startLocalRedis({ dir, appendOnly: true, appendFsync });
    const port = redis.port;
    sim = await startSimulator({ generationMs: 1_000 });
    const lines: string[] = [];
    const env = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'restart',
      LOG_LEVEL: 'info',
      API_TOKENS: TOKEN,
      AIMLAPI_KEY: 'sk-restart-test-key',
      AIMLAPI_BASE_URL: sim.url,
      STATUS_FIRST_CHECK_MS: '200',
      STATUS_INTERVAL_MS: '200',
      RETRY_BASE_MS: '50',
      RETRY_MAX_MS: '500',
      AIMLAPI_TIMEOUT_MS: '3000',
    };
    const api = spawnChild('api', API_MAIN, { ...env, PORT: '0' }, (_n, l) => lines.push(l));
    const worker = spawnChild('worker', WORKER_CHILD, { ...env, CHAOS_LOCK_MS: '2000' }, (_n, l) =>
      lines.push(l),
    );
    children.push(api, worker);
    const apiUrl = String((await api.waitFor('api ready', 20_000)).url);
    await worker.waitFor('worker ready', 20_000);

    const post = (i: number) =>
      call(`${apiUrl}/v1/videos`, {
        method: 'POST',
        body: JSON.stringify({ prompt: `restart ${signal} ${i}` }),
      });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await post(i);
      expect(res.status).toBe(202);
      ids.push((res.body as { id: string }).id);
    }
    await expect
      .poll(async () => (await call(`${apiUrl}/v1/videos/${ids[0]}`)).body, { interval: 50, timeout: 10_000 })
      .toMatchObject({ status: 'generating' });

    if (signal === 'SIGKILL') {
      redis.process.kill('SIGKILL');
      await redis.stop();
    } else {
      await redis.stop();
    }
    await expect.poll(async () => (await post(99)).status, { interval: 50, timeout: 5_000 }).toBe(503);
    expect(await call(`${apiUrl}/readyz`)).toMatchObject({
      status: 503,
      body: { error: { code: 'REDIS_UNAVAILABLE' } },
    });
    expect(await call(`${apiUrl}/healthz`)).toMatchObject({
      status: 200,
      body: { status: 'degraded', redis: 'unavailable' },
    });

    redis = await startLocalRedis({ dir, appendOnly: true, appendFsync, port });
    await expect
      .poll(async () => (await call(`${apiUrl}/readyz`)).status, { interval: 100, timeout: 10_000 })
      .toBe(200);
    for (let i = 8; i < 12; i++) {
      const res = await post(i);
      expect(res.status).toBe(202);
      ids.push((res.body as { id: string }).id);
    }

    // Nothing acknowledged was lost: every id is known and ends completed, each created once.
    // A job that was being taken when Redis died can be left in `active` with nobody working on it (the
    // move ran, its reply was lost): it comes back through stalled-job recovery once its lock expires
    // and the next stalled check runs. BullMQ's defaults (30 s each) would make that a minute; this
    // worker uses a 2 s lock, so it takes seconds.
    for (const id of ids) {
      await expect
        .poll(async () => ((await call(`${apiUrl}/v1/videos/${id}`)).body as View).status, {
          interval: 200,
          timeout: 30_000,
        })
        .toBe('completed');
    }
    expect(sim.stats()).toMatchObject({ creates: 12, duplicate_creates: 0 });
    // Both processes rode it out.
    expect(api.process.exitCode).toBeNull();
    expect(worker.process.exitCode).toBeNull();
    expect(lines.some((l) => l.includes('redis connection lost'))).toBe(true);
  }, 60_000);
});
