import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { spawnTs, uniquePrefix, type Child } from '@vidqueue/testkit';
import { makeApp, type TestApp } from './helpers.js';
import { postBatch, sumCounts, type BatchBody, type Created } from './batch-helpers.js';

/**
 * A batch run by TWO real worker processes (`@vidqueue/worker/main`) against the simulator:
 * the counts add up to the total at every moment while rows complete, fail, are retried and
 * cancelled.
 */
const WORKER_MAIN = pathToFileURL(createRequire(import.meta.url).resolve('@vidqueue/worker/main'));
const ROWS = 50;

let sim: RunningSimulator;
let t: TestApp;
let workers: Child[] = [];

beforeAll(async () => {
  sim = await startSimulator({ port: 0, generationMs: '200-600', createFaults: { fail: 0.25 }, seed: 11 });
  const env = {
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: uniquePrefix('bw'),
    AIMLAPI_KEY: 'sk-batch-test-key',
    AIMLAPI_BASE_URL: sim.url,
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '100',
    RETRY_BASE_MS: '20',
    RETRY_MAX_MS: '100',
    WORKER_CONCURRENCY: '4',
    LOG_LEVEL: 'info',
  };
  t = await makeApp(env);
  workers = [spawnTs(WORKER_MAIN, env), spawnTs(WORKER_MAIN, env)];
  await Promise.all(workers.map((w) => w.waitForLine('worker ready')));
}, 40_000);

afterAll(async () => {
  // SIGTERM: each worker finishes its current step and exits.
  for (const w of workers) w.process.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited()));
  await t?.close();
  await sim?.close();
});

async function view(id: string): Promise<BatchBody> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` });
  expect(res.statusCode).toBe(200);
  return res.json<BatchBody>();
}

/** Polls the batch until it has finished, checking on every read that the counts add up. */
async function watchUntilFinished(
  id: string,
): Promise<{ last: BatchBody; reads: number; sawRunning: boolean }> {
  let reads = 0;
  let sawRunning = false;
  let last = await view(id);
  await expect
    .poll(
      async () => {
        last = await view(id);
        reads++;
        expect(sumCounts(last.counts)).toBe(last.total);
        if (last.counts.generating > 0) sawRunning = true;
        return last.finished_at !== null;
      },
      { timeout: 25_000, interval: 25 },
    )
    .toBe(true);
  return { last, reads, sawRunning };
}

function csv(rows: number, tag: string): string {
  const lines = Array.from({ length: rows }, (_, i) => `${tag} prompt ${i + 1},${tag}-${i + 1},${i % 3}`);
  return `prompt,custom_id,group\n${lines.join('\n')}\n`;
}

describe('a batch run by two worker processes', () => {
  it('counts add up while rows complete and fail; retrying the failed rows completes the batch', async () => {
    const res = await postBatch(t.app, csv(ROWS, 'run'));
    expect(res.statusCode).toBe(202);
    const { id } = res.json<Created>();

    const first = await watchUntilFinished(id);
    expect(first.sawRunning).toBe(true);
    expect(first.last.status).toBe('completed');
    const { completed, failed } = first.last.counts;
    expect(completed + failed).toBe(ROWS);
    expect(failed).toBeGreaterThan(0);
    expect(first.last.counts).toMatchObject({ queued: 0, generating: 0, cancelled: 0 });

    // Both processes took rows.
    for (const w of workers) expect(w.lines().some((l) => l.msg === 'submitted')).toBe(true);

    // Results: input order, outcomes, metadata passthrough.
    const out = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
    const rows = out.body
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            row: number;
            status: string;
            video_url: string | null;
            error_code: string | null;
            custom_id: string;
            metadata: { group: string };
          },
      );
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    for (const r of rows) {
      expect(r.custom_id).toBe(`run-${r.row}`);
      expect(r.metadata).toEqual({ group: String((r.row - 1) % 3) });
      if (r.status === 'completed') expect(r.video_url).toMatch(/^http/);
      else expect(r.error_code).toBe('generation_failed');
    }
    expect(rows.filter((r) => r.status === 'failed')).toHaveLength(failed);

    // Retry the failed rows with the provider behaving.
    sim.configure({ createFaults: { fail: 0 } });
    const retry = await t.app.inject({
      method: 'POST',
      url: `/v1/batches/${id}/retry`,
      payload: { only: 'failed' },
    });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ retried: failed });
    const second = await watchUntilFinished(id);
    expect(second.last.counts).toEqual({
      queued: 0,
      paused: 0,
      generating: 0,
      completed: ROWS,
      failed: 0,
      cancelled: 0,
    });
    expect(second.last.status).toBe('completed');
  });

  it('counts add up while a running batch is cancelled', async () => {
    sim.configure({ generationMs: '3000-4000', createFaults: { fail: 0 } });
    const res = await postBatch(t.app, csv(30, 'cancel'));
    const { id } = res.json<Created>();
    // Wait until some rows are being generated, then cancel.
    await expect
      .poll(async () => (await view(id)).counts.generating, { timeout: 15_000, interval: 25 })
      .toBeGreaterThan(0);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/batches/${id}` });
    expect(del.statusCode).toBe(202);
    const body = del.json<BatchBody>();
    expect(body.status).toBe('cancelled');
    expect(sumCounts(body.counts)).toBe(30);

    const { last } = await watchUntilFinished(id);
    expect(last.status).toBe('cancelled');
    expect(last.counts.queued + last.counts.generating + last.counts.failed).toBe(0);
    expect(last.counts.cancelled).toBeGreaterThan(0);
    expect(last.counts.completed + last.counts.cancelled).toBe(30);
  });
});
