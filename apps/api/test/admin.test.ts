import { afterEach, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { basic, makeApp, type TestApp } from './helpers.js';

const TOKEN = 'admin-test-token-41f2';
const PROVIDER_KEY = 'sk-admin-test-8c1d';
const auth = { authorization: `Bearer ${TOKEN}` };

let t: TestApp | undefined;
let sim: RunningSimulator | undefined;
let worker: RunningWorker | undefined;
afterEach(async () => {
  await worker?.close();
  await t?.close();
  await sim?.close();
  t = sim = worker = undefined;
});

type Health = { status: string; account_pause: { reason: string; status: number | null } | null };

describe('account pause: degraded health and POST /v1/admin/resume', () => {
  it('a real 403 from the provider shows in /healthz; resume lifts it and the kept jobs complete', async () => {
    sim = await startSimulator({ generationMs: 200, createFaults: { out_of_credits: 1 } });
    t = await makeApp({
      API_TOKENS: TOKEN,
      AIMLAPI_KEY: PROVIDER_KEY,
      AIMLAPI_BASE_URL: sim.url,
      STATUS_FIRST_CHECK_MS: '100',
      STATUS_INTERVAL_MS: '100',
      ACCOUNT_PAUSE_MS: '600000',
    });
    const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: sim.url });
    worker = await startWorker({
      config: t.config,
      logger: createLogger({ level: 'debug', destination: new LogSink() }),
      client,
    });
    const ids: string[] = [];
    for (const prompt of ['a fox', 'a crow', 'a hare']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/videos',
        headers: auth,
        payload: { prompt },
      });
      expect(res.statusCode).toBe(202);
      ids.push(res.json<{ id: string }>().id);
    }

    // The provider's message is shown to a caller with a token (API_TOKENS is set).
    await expect
      .poll(
        async () => (await t!.app.inject({ method: 'GET', url: '/healthz', headers: auth })).json<Health>(),
        { interval: 20 },
      )
      .toMatchObject({
        status: 'degraded',
        redis: 'ok',
        account_pause: { status: 403, reason: expect.stringContaining('run out of credits') as string },
      });
    await expect.poll(() => t!.app.queue.getDelayedCount(), { interval: 20 }).toBe(3);
    expect(await t.app.queue.getFailedCount()).toBe(0);

    // The route needs the token like every /v1 route.
    expect((await t.app.inject({ method: 'POST', url: '/v1/admin/resume' })).statusCode).toBe(401);

    // The operator tops up the credits and resumes: the jobs go now, not when their pause ends.
    sim.configure({ createFaults: { out_of_credits: 0 } });
    const resumed = await t.app.inject({ method: 'POST', url: '/v1/admin/resume', headers: auth });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({
      resumed: true,
      previous_pause: { status: 403, reason: expect.stringContaining('run out of credits') as string },
      promoted: 3,
    });
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json<Health>()).toMatchObject({
      status: 'ok',
      account_pause: null,
    });
    for (const id of ids) {
      await expect
        .poll(
          async () =>
            (await t!.app.inject({ method: 'GET', url: `/v1/videos/${id}`, headers: auth })).json<{
              status: string;
            }>().status,
          { interval: 50, timeout: 10_000 },
        )
        .toBe('completed');
    }
    expect(sim.stats()).toMatchObject({ creates: 3, duplicate_creates: 0 });

    // Resuming when nothing is paused is harmless.
    const again = await t.app.inject({ method: 'POST', url: '/v1/admin/resume', headers: auth });
    expect(again.json()).toEqual({ resumed: false, previous_pause: null, promoted: 0 });
  });

  it('leaves jobs between status checks alone', async () => {
    t = await makeApp();
    const job = await t.app.queue.add(
      'generate',
      { input: { model: 'm', prompt: 'p' }, step: 'checking', polls: 1, retries: 0, generationId: 'g' },
      { delay: 60_000 },
    );
    const res = await t.app.inject({ method: 'POST', url: '/v1/admin/resume' });
    expect(res.json()).toEqual({ resumed: false, previous_pause: null, promoted: 0 });
    expect(await t.app.queue.getJobState(job.id!)).toBe('delayed');
  });
});

describe('DASHBOARD_READ_ONLY', () => {
  const PASSWORD = 'dashboard-secret-2';
  const dash = { authorization: basic('admin', PASSWORD) };

  it('shows the queues but refuses write actions with 405', async () => {
    t = await makeApp({ DASHBOARD_PASSWORD: PASSWORD, DASHBOARD_READ_ONLY: 'true' });
    await t.app.queue.add(
      'generate',
      { input: { model: 'm', prompt: 'p' }, step: 'pending', polls: 0, retries: 0 },
      { delay: 60_000 },
    );
    const list = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: dash });
    expect(list.statusCode).toBe(200);
    const queues = list.json<{ queues: { name: string; readOnlyMode: boolean }[] }>().queues;
    expect(queues.map((q) => q.name).sort()).toEqual(['archive', 'generations', 'webhooks']);
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
    for (const url of [
      '/admin/queues/api/queues/generations/promote',
      '/admin/queues/api/queues/generations/retry/failed',
      '/admin/queues/api/queues/generations/clean/delayed',
      '/admin/queues/api/queues/generations/empty',
    ]) {
      const res = await t.app.inject({ method: 'PUT', url, headers: dash });
      expect(res.statusCode, url).toBe(405);
    }
    expect(await t.app.queue.getDelayedCount()).toBe(1);
  });

  it('allows them by default (with the credentials)', async () => {
    t = await makeApp({ DASHBOARD_PASSWORD: PASSWORD });
    await t.app.queue.add(
      'generate',
      { input: { model: 'm', prompt: 'p' }, step: 'pending', polls: 0, retries: 0 },
      { delay: 60_000 },
    );
    const res = await t.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/generations/promote',
      headers: dash,
    });
    expect(res.statusCode).toBe(200);
    expect(await t.app.queue.getDelayedCount()).toBe(0);
  });
});
