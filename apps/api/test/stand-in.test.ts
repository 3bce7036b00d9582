import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { makeApp, type TestApp } from './helpers.js';
import { postBatch, type BatchBody, type Created } from './batch-helpers.js';

/**
 * The issue "Fit the real AI/ML API, not our own simulator": the stand-in written from the provider's
 * docs gave 0 of 60 completed, 6 prompts created twice and a batch cost of $0. This is its exact
 * configuration, played by the simulator over real HTTP, through the API and a worker: the cost only on
 * the create answer, a 404 on the first polls of a fresh id, pending statuses `waiting`/`processing`,
 * and creates answered 502 or dropped after the provider accepted the work.
 */
const PROVIDER_KEY = 'sk-stand-in-7d6c5b4a39281706';
const ROWS = 60;

let sim: RunningSimulator;
let t: TestApp;
let worker: RunningWorker;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    generationMs: '500-1500',
    costOn: 'create',
    // Long enough that a first check still lands inside it on a loaded machine.
    fresh404Ms: 1_000,
    pendingSpellings: ['waiting', 'processing'],
    createFaults: { created_then_502: 0.1, drop: 0.05 },
    seed: 20260821,
  });
  const env = {
    AIMLAPI_KEY: PROVIDER_KEY,
    AIMLAPI_BASE_URL: sim.url,
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '150',
    RETRY_BASE_MS: '20',
    RETRY_MAX_MS: '300',
    WORKER_CONCURRENCY: '8',
    RECONCILE_HORIZON_MS: '3000',
    AIMLAPI_TIMEOUT_MS: '3000',
    STATUS_NOT_FOUND_GRACE_MS: '5000',
    LOG_LEVEL: 'info',
  };
  t = await makeApp(env);
  const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: sim.url, timeoutMs: 5_000 });
  worker = await startWorker({
    config: t.config,
    logger: createLogger({ level: 'warn', destination: new LogSink() }),
    client,
    metricsFlushMs: 0,
  });
}, 30_000);

afterAll(async () => {
  await worker?.close();
  await t?.close();
  await sim?.close();
});

async function balance(): Promise<number> {
  const res = await fetch(`${sim.url}/v2/billing`, { headers: { authorization: `Bearer ${PROVIDER_KEY}` } });
  return ((await res.json()) as { current_balance: number }).current_balance;
}

describe("the stand-in's configuration, through the API and a worker", () => {
  it('completes 60 of 60 with no duplicate create and the batch cost the provider charged', async () => {
    const before = await balance();
    const lines = Array.from({ length: ROWS }, (_, i) => `stand-in prompt ${i + 1},row-${i + 1}`);
    const res = await postBatch(t.app, `prompt,custom_id\n${lines.join('\n')}\n`);
    expect(res.statusCode).toBe(202);
    const { id } = res.json<Created>();

    let batch: BatchBody | undefined;
    await expect
      .poll(
        async () => {
          batch = (await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` })).json<BatchBody>();
          return batch.finished_at !== null;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBe(true);
    expect(batch!.counts).toEqual({
      queued: 0,
      paused: 0,
      generating: 0,
      completed: ROWS,
      failed: 0,
      cancelled: 0,
    });

    const stats = sim.stats();
    // The faults happened, and none of them cost a second generation.
    expect(stats.faults.created_then_502 + stats.faults.drop).toBeGreaterThan(0);
    expect(stats.rejected.fresh_not_found).toBeGreaterThan(0);
    expect(stats).toMatchObject({ creates: ROWS, duplicate_creates: 0, failed_generations: 0 });

    // What the provider charged (its balance moved by every completed generation's price).
    const charged = before - (await balance());
    expect(charged).toBeCloseTo(ROWS * 0.1, 6);
    expect(batch!.cost_usd).toBeCloseTo(charged, 6);

    const out = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
    const rows = out.body
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { row: number; status: string; cost_usd: number | null; recovered?: true },
      );
    expect(rows.every((r) => r.status === 'completed' && r.cost_usd === 0.1)).toBe(true);
    // The lost answers were recovered from the usage logs, and say so.
    const recovered = rows.filter((r) => r.recovered);
    expect(recovered.length).toBe(stats.faults.created_then_502 + stats.faults.drop);
    // Per video too: the row's job, as GET /v1/videos/:id shows it.
    const video = await t.app.inject({ method: 'GET', url: `/v1/videos/${id}-${recovered[0]!.row}` });
    expect(video.json()).toMatchObject({
      status: 'completed',
      cost_usd: 0.1,
      credits_used: 200_000,
      recovered: true,
    });
  }, 90_000);
});
