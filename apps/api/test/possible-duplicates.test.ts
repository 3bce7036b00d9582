import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import { createLogger } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { makeApp, type TestApp } from './helpers.js';
import { postBatch, type BatchBody, type Created } from './batch-helpers.js';

/**
 * The issue: a row that may have been generated (and billed) twice was flagged in Redis, but no view,
 * export or summary said so; a later failure or a retry of a retry dropped the flag; the first, billed
 * generation's id was lost and the batch cost missed it. Through the API and a real worker against the
 * simulator (which charges on create).
 */
const PROVIDER_KEY = 'sk-dup-6f5e4d3c2b1a';

let sim: RunningSimulator;
let t: TestApp;
let worker: RunningWorker;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, apiKeys: [PROVIDER_KEY], generationMs: 200, costOn: 'create' });
  t = await makeApp({
    AIMLAPI_KEY: PROVIDER_KEY,
    AIMLAPI_BASE_URL: sim.url,
    // A lost create answer is sent again, flagged (the policy that makes duplicates on purpose).
    UNKNOWN_OUTCOME_POLICY: 'resubmit',
    SUBMIT_MAX_RETRIES: '1',
    RETRY_BASE_MS: '20',
    RETRY_MAX_MS: '100',
    STATUS_FIRST_CHECK_MS: '100',
    STATUS_INTERVAL_MS: '150',
    GENERATION_DEADLINE_MS: '1500',
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

type Row = {
  row: number;
  status: string;
  error_code: string | null;
  generation_id: string | null;
  generation_ids: string[];
  cost_usd: number | null;
  possible_duplicate?: true;
};
type Batch = BatchBody;

async function batch(id: string): Promise<Batch> {
  return (await t.app.inject({ method: 'GET', url: `/v1/batches/${id}` })).json<Batch>();
}

async function rows(id: string): Promise<Row[]> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results` });
  return res.body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
}

async function csvLines(id: string): Promise<string[]> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/batches/${id}/results?format=csv` });
  return res.body.trim().split('\n');
}

async function settled(id: string): Promise<Batch> {
  await expect
    .poll(async () => (await batch(id)).finished_at, { timeout: 20_000, interval: 100 })
    .not.toBeNull();
  return batch(id);
}

async function retry(id: string): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/v1/batches/${id}/retry`,
    payload: { only: 'failed' },
  });
  expect(res.json()).toEqual({ retried: 1 });
}

async function video(id: string) {
  return (await t.app.inject({ method: 'GET', url: `/v1/videos/${id}` })).json<{
    status: string;
    generation_id: string | null;
    generation_ids: string[];
    possible_duplicate?: true;
  }>();
}

describe('possible duplicates reach the user', () => {
  it('keeps the flag through a later failure and a retry, in the views, both exports and the count', async () => {
    // Every create is accepted by the provider and answered 502: resent once, flagged, then given up.
    sim.configure({ createFaults: { created_then_502: 1 } });
    const res = await postBatch(t.app, 'prompt\na fox created twice\n');
    const { id } = res.json<Created>();
    const failed = await settled(id);
    expect(failed).toMatchObject({ counts: { failed: 1 }, possible_duplicates: 1 });
    expect(await rows(id)).toEqual([
      expect.objectContaining({
        status: 'failed',
        error_code: 'retries_exhausted',
        possible_duplicate: true,
      }),
    ]);
    expect((await video(`${id}-1`)).possible_duplicate).toBe(true);

    // Retried on purpose: still a possible duplicate when it completes, counted once.
    sim.configure({ createFaults: { created_then_502: 0 } });
    await retry(id);
    expect((await rows(id))[0]).toMatchObject({ status: 'queued', possible_duplicate: true });
    const done = await settled(id);
    expect(done).toMatchObject({ counts: { completed: 1, failed: 0 }, possible_duplicates: 1 });
    const [row] = await rows(id);
    expect(row).toMatchObject({ status: 'completed', possible_duplicate: true });
    expect(row?.generation_ids).toEqual([row?.generation_id]);
    expect(await video(`${id}-1-r1`)).toMatchObject({ status: 'completed', possible_duplicate: true });
    const [header, line] = await csvLines(id);
    const cells = Object.fromEntries((header ?? '').split(',').map((c, i) => [c, line?.split(',')[i]]));
    expect(cells).toMatchObject({ possible_duplicate: 'true', generation_ids: row?.generation_id });
  });

  it('keeps every possibly billed generation id of a row across retries, and counts each known cost once', async () => {
    // The first generation outlives the deadline (it may still finish, and it was charged on create).
    sim.configure({ generationMs: 5_000 });
    const res = await postBatch(t.app, 'prompt\na slow lighthouse\n');
    const { id } = res.json<Created>();
    const first = await settled(id);
    const [failed] = await rows(id);
    expect(failed).toMatchObject({ status: 'failed', error_code: 'deadline_exceeded' });
    const g1 = failed?.generation_id;
    expect(g1).toEqual(expect.any(String));
    expect(failed?.generation_ids).toEqual([g1]);
    const charge = failed?.cost_usd ?? 0;
    expect(charge).toBeGreaterThan(0);
    expect(first.cost_usd).toBe(charge);
    expect(failed?.possible_duplicate).toBeUndefined();

    sim.configure({ generationMs: 200 });
    await retry(id);
    // Queued again: the first generation's id and charge stay on the row, which is now flagged.
    expect((await rows(id))[0]).toMatchObject({
      status: 'queued',
      generation_id: null,
      generation_ids: [g1],
      cost_usd: charge,
      possible_duplicate: true,
    });
    const done = await settled(id);
    const [row] = await rows(id);
    const g2 = row?.generation_id;
    expect(row).toMatchObject({ status: 'completed', possible_duplicate: true, generation_ids: [g1, g2] });
    expect(g2).not.toBe(g1);
    expect(row?.cost_usd).toBeCloseTo(2 * charge, 6);
    expect(done.cost_usd).toBeCloseTo(2 * charge, 6);
    expect(done.possible_duplicates).toBe(1);
    expect(await video(`${id}-1-r1`)).toMatchObject({ generation_ids: [g1, g2], possible_duplicate: true });
  });
});
