import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { makeApp, type TestApp } from './helpers.js';
import { postBatch, type BatchBody, type Created } from './batch-helpers.js';

/**
 * The issue: a batch record could expire while its rows still ran (its TTL counted from its last
 * change). With BATCH_TTL_SECONDS=1 and generations of 2.5 s, the old record was gone before its rows
 * finished. Now it has no TTL while a row is open, and expires BATCH_TTL_SECONDS after it finished.
 */
const PROVIDER_KEY = 'sk-batch-ttl-5e4d3c2b1a';

let sim: RunningSimulator;
let t: TestApp;
let worker: RunningWorker;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, apiKeys: [PROVIDER_KEY], generationMs: 2_500 });
  t = await makeApp({
    AIMLAPI_KEY: PROVIDER_KEY,
    AIMLAPI_BASE_URL: sim.url,
    BATCH_TTL_SECONDS: '1',
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '150',
    LOG_LEVEL: 'info',
  });
  const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: sim.url, timeoutMs: 5_000 });
  worker = await startWorker({
    config: t.config,
    logger: createLogger({ level: 'warn', destination: new LogSink() }),
    client,
  });
}, 30_000);

afterAll(async () => {
  await worker?.close();
  await t?.close();
  await sim?.close();
});

describe('a batch whose rows run longer than BATCH_TTL_SECONDS', () => {
  it('stays readable until its rows finish, then expires BATCH_TTL_SECONDS later', async () => {
    const res = await postBatch(t.app, 'prompt\na slow red fox\na slow lighthouse\n');
    expect(res.statusCode).toBe(202);
    const { id } = res.json<Created>();

    const statuses = new Set<number>();
    await expect
      .poll(
        async () => {
          const view = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` });
          statuses.add(view.statusCode);
          return view.statusCode === 200 ? view.json<BatchBody>().status : 'expired';
        },
        { timeout: 20_000, interval: 100 },
      )
      .toBe('completed');
    expect([...statuses]).toEqual([200]);
    const results = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
    expect(
      results.body
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { status: string }).status),
    ).toEqual(['completed', 'completed']);
    // Finished: now it goes, BATCH_TTL_SECONDS later.
    await expect
      .poll(async () => (await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` })).statusCode, {
        timeout: 5_000,
        interval: 200,
      })
      .toBe(404);
  });
});
