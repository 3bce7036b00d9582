import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { batchJobId } from '@vidqueue/core/contract';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { spawnTs, uniquePrefix, type Child, startReceiver, type Receiver } from '@vidqueue/testkit';
import { newWebhookSecret } from '@vidqueue/webhooks';
import { makeApp, type TestApp } from './helpers.js';
import { postBatch, sumCounts, type BatchBody, type Created } from './batch-helpers.js';

/**
 * A batch cap kept by THREE real worker processes (`@vidqueue/worker/main`) taking rows at once: each
 * row reserves its estimate (0.10 USD, a 5 s Kandinsky distill clip) in Redis before its create, so a
 * cap of 0.50 lets exactly 5 of 12 rows reach the provider; the other 7 wait `paused`, counts adding up
 * to the total at every read, until PATCH raises the cap and they complete. Webhooks are on (no
 * WEBHOOK_URL: only a request's own webhook_url gets events), so a paused batch's events can be watched.
 */
const WORKER_MAIN = pathToFileURL(createRequire(import.meta.url).resolve('@vidqueue/worker/main'));
const ROWS = 12;

let sim: RunningSimulator;
let t: TestApp;
let workers: Child[] = [];
let receiver: Receiver;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, generationMs: '300-600', seed: 7 });
  receiver = await startReceiver(() => 204);
  const env = {
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: uniquePrefix('caps'),
    AIMLAPI_KEY: 'sk-caps-test-key',
    AIMLAPI_BASE_URL: sim.url,
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '100',
    RETRY_BASE_MS: '20',
    RETRY_MAX_MS: '100',
    WORKER_CONCURRENCY: '4',
    LOG_LEVEL: 'info',
    WEBHOOK_SECRET: newWebhookSecret(),
    WEBHOOK_ALLOW_PRIVATE: 'true',
  };
  t = await makeApp(env);
  workers = [spawnTs(WORKER_MAIN, env), spawnTs(WORKER_MAIN, env), spawnTs(WORKER_MAIN, env)];
  await Promise.all(workers.map((w) => w.waitForLine('worker ready')));
}, 120_000);

afterAll(async () => {
  for (const w of workers) w.process.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited()));
  await t?.close();
  await sim?.close();
  await receiver?.close();
});

async function view(id: string): Promise<BatchBody> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` });
  expect(res.statusCode).toBe(200);
  const body = res.json<BatchBody>();
  expect(sumCounts(body.counts)).toBe(body.total);
  return body;
}

function csv(rows: number, tag: string): string {
  return `prompt,custom_id\n${Array.from({ length: rows }, (_, i) => `${tag} prompt ${i + 1},${tag}-${i + 1}`).join('\n')}\n`;
}

describe('a batch cap under three worker processes', () => {
  it('exactly the rows the cap allows are created, the rest wait paused; PATCH raises the cap and they complete', async () => {
    const res = await postBatch(t.app, csv(ROWS, 'cap'), 'text/csv', '?max_cost_usd=0.5');
    expect(res.statusCode).toBe(202);
    const created = res.json<Created>();
    expect(created).toMatchObject({
      total: ROWS,
      estimated_cost_usd: 1.2,
      unpriced_rows: 0,
      max_cost_usd: 0.5,
    });

    await expect
      .poll(async () => (await view(created.id)).status, { timeout: 20_000, interval: 50 })
      .toBe('paused');
    const paused = await view(created.id);
    expect(paused.counts).toEqual({
      queued: 0,
      paused: 7,
      generating: 0,
      completed: 5,
      failed: 0,
      cancelled: 0,
    });
    expect(paused).toMatchObject({
      cost_usd: 0.5,
      committed_cost_usd: 0.5,
      estimated_cost_usd: 1.2,
      max_cost_usd: 0.5,
    });
    expect(sim.stats()).toMatchObject({ create_requests: 5, creates: 5, duplicate_creates: 0 });

    // Results and Bull Board say why.
    const results = await t.app.inject({ method: 'GET', url: `/v1/batches/${created.id}/results` });
    const rows = results.body
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { row: number; status: string; error_code: string | null; error_message: string },
      );
    const waiting = rows.filter((r) => r.status === 'paused');
    expect(waiting).toHaveLength(7);
    for (const r of waiting) {
      expect(r.error_code).toBe('budget_exceeded');
      expect(r.error_message).toMatch(
        /^the batch's max_cost_usd of 0\.5 USD: 0\.5 USD committed, this row needs 0\.1 USD/,
      );
    }
    const job = await t.app.queue.getJob(`${created.id}-${waiting[0]!.row}`);
    expect(job?.data.budgetPause).toMatchObject({ reason: 'budget_exceeded', cap: 'batch' });
    expect((await t.app.queue.getJobLogs(job!.id!)).logs[0]).toMatch(
      /^paused: budget_exceeded \(batch cap\): /,
    );
    expect(await job!.getState()).toBe('delayed');

    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/batches/${created.id}`,
      payload: { max_cost_usd: 1.2 },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json<BatchBody>().max_cost_usd).toBe(1.2);
    await expect
      .poll(async () => (await view(created.id)).counts.completed, { timeout: 20_000, interval: 50 })
      .toBe(ROWS);
    const done = await view(created.id);
    expect(done).toMatchObject({ status: 'completed', cost_usd: 1.2, committed_cost_usd: 1.2 });
    expect(sim.stats()).toMatchObject({ create_requests: ROWS, creates: ROWS, duplicate_creates: 0 });
  });

  it('a paused batch sends no batch.completed; cancelling cancels its paused rows at once and sends it; purge drops the reservations', async () => {
    sim.reset();
    const hook = encodeURIComponent(receiver.url);
    const res = await postBatch(t.app, csv(6, 'stop'), 'text/csv', `?max_cost_usd=0.2&webhook_url=${hook}`);
    expect(res.statusCode).toBe(202);
    const { id } = res.json<Created>();
    await expect.poll(async () => (await view(id)).status, { timeout: 20_000, interval: 50 }).toBe('paused');
    expect((await view(id)).counts).toMatchObject({ paused: 4, completed: 2 });

    type Delivery = { event_type: string; status: string };
    const deliveries = async () => {
      const r = await t.app.inject({ method: 'GET', url: `/v1/webhooks/deliveries?batch_id=${id}` });
      expect(r.statusCode).toBe(200);
      return r.json<{ data: Delivery[] }>().data;
    };
    // Both videos' events went out, and nothing says the batch completed: its paused rows are not final.
    await expect
      .poll(async () => (await deliveries()).filter((d) => d.status === 'delivered').length, {
        timeout: 20_000,
        interval: 50,
      })
      .toBe(2);
    expect((await deliveries()).map((d) => d.event_type)).toEqual(['video.completed', 'video.completed']);

    const del = await t.app.inject({ method: 'DELETE', url: `/v1/batches/${id}` });
    expect(del.statusCode).toBe(202);
    expect(del.json<BatchBody>()).toMatchObject({
      status: 'cancelled',
      counts: { paused: 0, cancelled: 4, completed: 2 },
    });
    expect(sim.stats().creates).toBe(2);
    // The paused jobs were run at once and stopped as cancelled.
    await expect
      .poll(async () => (await t.app.queue.getJobs(['delayed'])).filter((j) => j.id?.startsWith(id)).length)
      .toBe(0);
    // Then batch.completed, once, with the cancelled batch (a cancel sends no video.failed).
    await expect
      .poll(async () => (await deliveries()).filter((d) => d.event_type === 'batch.completed').length, {
        timeout: 20_000,
        interval: 50,
      })
      .toBe(1);
    await expect
      .poll(() => receiver.received.filter((r) => r.body.includes('"batch.completed"')).length, {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    const event = receiver.received.find((r) => r.body.includes('"batch.completed"') && r.body.includes(id))!;
    expect(JSON.parse(event.body)).toMatchObject({
      type: 'batch.completed',
      data: { id, status: 'cancelled', counts: { paused: 0, cancelled: 4, completed: 2 }, max_cost_usd: 0.2 },
    });
    expect((await deliveries()).map((d) => d.event_type).sort()).toEqual([
      'batch.completed',
      'video.completed',
      'video.completed',
    ]);

    // The two created rows hold settled reservations; a purge removes them with the rest.
    await expect
      .poll(async () => (await t.app.queue.getJobs(['failed'])).filter((j) => j.id?.startsWith(id)).length)
      .toBe(4);
    const reservations = Array.from({ length: 6 }, (_, i) => t.app.keys.reservation(batchJobId(id, i + 1)));
    expect(await t.app.redis.exists(...reservations)).toBe(2);
    const purge = await t.app.inject({ method: 'DELETE', url: `/v1/batches/${id}?purge=true` });
    expect(purge.statusCode).toBe(200);
    expect(purge.json()).toEqual({ id, purged: true, jobs_removed: 6, files_removed: 0 });
    expect(await t.app.redis.exists(...reservations)).toBe(0);
  });
});
