import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAimlApiClient } from '@vidqueue/aimlapi';
import type { GenerationResult } from '@vidqueue/core/contract';
import { createLogger } from '@vidqueue/core/runtime';
import { startSimulator, type RunningSimulator } from '@vidqueue/simulator';
import { LogSink } from '@vidqueue/testkit';
import { startWorker, type RunningWorker } from '@vidqueue/worker';
import { startApi, type RunningApi } from '../src/server.js';
import { deletePrefix, testConfig } from './helpers.js';

// A few generations through the real worker and simulator, then GET /metrics compared with what
// the simulator counted and what BullMQ holds.
const PROVIDER_KEY = 'sim-provider-key-metrics-1';
const API_TOKEN = 'api-token-metrics-2';
const auth = { authorization: `Bearer ${API_TOKEN}` };

const config = testConfig({
  PORT: '0',
  API_TOKENS: API_TOKEN,
  AIMLAPI_KEY: PROVIDER_KEY,
  STATUS_FIRST_CHECK_MS: '100',
  STATUS_INTERVAL_MS: '100',
  STATUS_SCHEDULE: 'fixed',
});
let simulator: RunningSimulator;
let worker: RunningWorker;
let api: RunningApi;

beforeAll(async () => {
  simulator = await startSimulator({ apiKeys: [PROVIDER_KEY], generationMs: 400 });
  api = await startApi({ config, logger: createLogger({ destination: new LogSink() }) });
  const client = createAimlApiClient({ apiKey: PROVIDER_KEY, baseUrl: simulator.url, timeoutMs: 5_000 });
  worker = await startWorker({
    config: { ...config, AIMLAPI_BASE_URL: simulator.url },
    logger: createLogger({ destination: new LogSink() }),
    client,
  });
});

afterAll(async () => {
  await worker?.close();
  await api?.close();
  await simulator?.close();
  await deletePrefix(config);
});

/** `name{labels} value` lines of the exposition as a map (labels kept as written). */
function parse(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const cut = line.lastIndexOf(' ');
    values.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return values;
}

async function post(prompt: string): Promise<string> {
  const res = await fetch(`${api.url}/v1/videos`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function settled(id: string): Promise<'completed' | 'failed'> {
  let state = '';
  await expect
    .poll(
      async () => {
        const res = await fetch(`${api.url}/v1/videos/${id}`, { headers: auth });
        state = ((await res.json()) as { status: string }).status;
        return state === 'completed' || state === 'failed';
      },
      { timeout: 20_000, interval: 100 },
    )
    .toBe(true);
  return state as 'completed' | 'failed';
}

describe('GET /metrics', () => {
  it('needs the bearer token like every route', async () => {
    const res = await fetch(`${api.url}/metrics`);
    expect(res.status).toBe(401);
  });

  it('reports what happened: job states, provider calls, in flight, histograms, cost', async () => {
    const ok = await Promise.all([1, 2, 3].map((i) => post(`metrics run ok ${i}`)));
    expect(await Promise.all(ok.map(settled))).toEqual(['completed', 'completed', 'completed']);
    // One generation that the provider accepts and then reports as failed.
    simulator.configure({ createFaults: { fail: 1 } });
    const bad = await post('metrics run failing');
    expect(await settled(bad)).toBe('failed');
    // The worker buffers metric increments (one pipeline a second): write them out before reading.
    await worker.flushMetrics();

    const res = await fetch(`${api.url}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const m = parse(await res.text());
    const sim = simulator.stats();

    expect(m.get('vidq_jobs{state="completed"}')).toBe(3);
    expect(m.get('vidq_jobs{state="failed"}')).toBe(1);
    expect(m.get('vidq_jobs{state="active"}')).toBe(0);
    expect(m.get('vidq_jobs{state="delayed"}')).toBe(0);

    expect(sim.creates).toBe(4);
    expect(m.get('vidq_provider_calls_total{kind="create",status="200"}')).toBe(sim.creates);
    expect(m.get('vidq_provider_calls_total{kind="status",status="200"}')).toBe(sim.status_checks);
    expect(m.get('vidq_generations_submitted_total')).toBe(4);
    expect(m.get('vidq_generations_completed_total')).toBe(3);
    expect(m.get('vidq_jobs_failed_total{code="generation_failed"}')).toBe(1);
    expect(m.get('vidq_generations_in_flight')).toBe(0);

    // Every status check was scheduled, so each one has a lateness; each generation one lag bound.
    expect(m.get('vidq_check_lateness_seconds_count')).toBe(sim.status_checks);
    expect(m.get('vidq_check_lateness_seconds_bucket{le="+Inf"}')).toBe(sim.status_checks);
    expect(m.get('vidq_detection_lag_bound_seconds_count')).toBe(4);
    expect(m.get('vidq_generation_seconds_count')).toBe(3);
    expect(m.get('vidq_completion_seconds_count')).toBe(3);
    // The generations took at least the simulator's 400 ms each.
    expect(m.get('vidq_generation_seconds_sum')).toBeGreaterThanOrEqual(3 * 0.4);

    const results = await Promise.all(
      ok.map(async (id) => (await api.app.queue.getJob(id))?.returnvalue as GenerationResult),
    );
    const cost = results.reduce((sum, r) => sum + (r.costUsd ?? 0), 0);
    expect(cost).toBeGreaterThan(0);
    expect(m.get('vidq_cost_usd_total')).toBeCloseTo(cost, 6);
    expect(m.get('vidq_api_process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
