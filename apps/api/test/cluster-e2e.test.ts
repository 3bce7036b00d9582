import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Cluster } from 'ioredis';
import { createRedis, loadConfig } from '@vidqueue/core/runtime';
import type { RunningSimulator } from '@vidqueue/simulator';
import type { Child, LogSink, TestCluster } from '@vidqueue/testkit';
import type { BatchBody, Created } from './batch-helpers.js';
import { startClusterStack, type ClusterStack } from './cluster-stack.js';

/**
 * The whole product on a real 3-master Redis Cluster, configured only by the environment
 * (REDIS_CLUSTER_NODES, REDIS_PASSWORD, the default hash-tagged prefix `{vidq}`): two workers' own
 * main processes, the API from the same environment, the provider simulator at the boundary. A batch and single prompts
 * complete, idempotency keys give back the first answer, every key sits in one slot.
 */
const TOKEN = 'cluster-api-token-81c2';
const ROWS = 12;

let stack: ClusterStack;
let cluster: TestCluster;
let sim: RunningSimulator;
let apiSink: LogSink;
let workers: Child[] = [];
let apiUrl = '';

beforeAll(async () => {
  stack = await startClusterStack({
    seed: 5,
    env: {
      API_TOKENS: TOKEN,
      AIMLAPI_KEY: 'sk-cluster-test-key',
      WORKER_CONCURRENCY: '4',
      // The budgets' scripts and rate limiter run on the cluster too.
      CREATE_RATE_PER_MIN: '6000',
      MAX_IN_FLIGHT: '50',
    },
    workers: [{}, {}],
  });
  ({ cluster, sim, apiSink, workers } = stack);
  apiUrl = stack.api.url;
}, 90_000);

afterAll(() => stack?.stop(), 30_000);

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('vidqueue on a 3-master Redis Cluster', () => {
  it('runs a batch to completion through the API and two worker processes; the same key gives the same batch', async () => {
    const csv = `prompt,custom_id\n${Array.from({ length: ROWS }, (_, i) => `cluster prompt ${i + 1},c-${i + 1}`).join('\n')}\n`;
    const headers = { 'content-type': 'text/csv', 'idempotency-key': 'cluster-upload-1' };
    const first = await call('POST', '/v1/batches', csv, headers);
    expect(first.status).toBe(202);
    const { id, total } = first.body as Created;
    expect(total).toBe(ROWS);
    const again = await call('POST', '/v1/batches', csv, headers);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);

    let view: BatchBody | undefined;
    await expect
      .poll(
        async () => {
          view = (await call('GET', `/v1/batches/${id}`)).body as BatchBody;
          return view.finished_at !== null;
        },
        { timeout: 40_000, interval: 100 },
      )
      .toBe(true);
    expect(view?.status).toBe('completed');
    expect(view?.counts).toMatchObject({
      completed: ROWS,
      failed: 0,
      queued: 0,
      generating: 0,
      cancelled: 0,
    });

    const results = await fetch(`${apiUrl}/v1/batches/${id}/results`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const rows = (await results.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { custom_id: string; status: string; video_url: string | null });
    expect(rows.map((r) => r.custom_id)).toEqual(Array.from({ length: ROWS }, (_, i) => `c-${i + 1}`));
    for (const row of rows) {
      expect(row.status).toBe('completed');
      expect(row.video_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.+\.mp4$/);
    }
    // Both workers took part, and no prompt was created twice.
    const completedBy = workers.map(
      (w) => w.lines().filter((l) => l.msg === 'completed' && l.batchId === id).length,
    );
    expect(completedBy.reduce((a, b) => a + b, 0)).toBe(ROWS);
    for (const n of completedBy) expect(n).toBeGreaterThan(0);
    expect(sim.stats().duplicate_creates).toBe(0);
  }, 60_000);

  it('honours an Idempotency-Key on POST /v1/videos and completes the one video', async () => {
    const body = JSON.stringify({ prompt: 'a single cluster prompt', duration: 5 });
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'cluster-video-1' };
    const first = await call('POST', '/v1/videos', body, headers);
    expect(first.status).toBe(202);
    const again = await call('POST', '/v1/videos', body, headers);
    expect(again.body.id).toBe(first.body.id);
    const other = await call('POST', '/v1/videos', JSON.stringify({ prompt: 'another body' }), headers);
    expect(other.status).toBe(409);
    await expect
      .poll(async () => (await call('GET', `/v1/videos/${String(first.body.id)}`)).body.status, {
        timeout: 20_000,
        interval: 100,
      })
      .toBe('completed');
    expect(sim.stats().by_prompt['a single cluster prompt']?.creates).toBe(1);
  }, 30_000);

  it('streams the live updates of a batch (pub/sub from the row scripts) through the cluster', async () => {
    sim.configure({ generationMs: 2_500 }); // rows finish after the stream is open
    try {
      const created = await call('POST', '/v1/batches', 'prompt\nlive one\nlive two\n', {
        'content-type': 'text/csv',
      });
      expect(created.status).toBe(202);
      const controller = new AbortController();
      const res = await fetch(`${apiUrl}/v1/batches/${String(created.body.id)}/events`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!/event: update\ndata: .*"status":"completed".*\n\n/.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended:\n${text}`);
        text += value;
      }
      expect(text).toMatch(/^retry: \d+\n\nid: 1\nevent: snapshot\n/);
      controller.abort();
    } finally {
      sim.configure({ generationMs: '200-500' });
    }
  }, 30_000);

  it('keeps every key in the one slot of the {vidq} tag, and the password out of every log', async () => {
    const redis = createRedis(loadConfig(cluster.env), 'producer');
    try {
      expect(redis).toBeInstanceOf(Cluster);
      await vi.waitFor(() => expect(redis.status).toBe('ready'), { timeout: 10_000 });
      const slot = Number(await redis.cluster('KEYSLOT', '{vidq}'));
      const masters = (redis as Cluster).nodes('master');
      const sizes = await Promise.all(masters.map((node) => node.dbsize()));
      expect(sizes.filter((n) => n > 0)).toHaveLength(1); // one master holds the lot…
      const owner = masters[sizes.findIndex((n) => n > 0)]!;
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(ROWS);
      // …all in the tag's slot.
      expect(Number(await owner.cluster('COUNTKEYSINSLOT', slot))).toBe(total);
    } finally {
      redis.disconnect();
    }
    expect(apiSink.text()).toContain('redis connection ready');
    for (const out of [apiSink.text(), ...workers.map((w) => w.out())]) {
      expect(out).not.toContain(cluster.password);
    }
    expect(String(workers[0]?.lines().find((l) => l.msg === 'worker ready')?.redis)).toMatch(
      /^cluster 127\.0\.0\.1:\d+,/,
    );
  });
});
