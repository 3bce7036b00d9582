import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Cluster } from 'ioredis';
import { createRedis, loadConfig } from '@vidqueue/core/runtime';
import { shardIndexOf, shardPrefixes, shardSlot } from '@vidqueue/core/store';
import type { RunningSimulator } from '@vidqueue/simulator';
import type { Child, TestCluster } from '@vidqueue/testkit';
import type { RunningApi } from '../src/server.js';
import type { BatchBody, Created } from './batch-helpers.js';
import { startClusterStack, type ClusterStack } from './cluster-stack.js';

/**
 * QUEUE_SHARDS=3 on a real 3-master Redis Cluster: the generations queue in three shards, one per
 * master. Two worker processes from their own main (one takes every shard, the other only shard 2,
 * WORKER_SHARDS=2), the API from the same environment. A batch's rows spread over the shards with exact
 * counts and all complete; every master holds one shard's jobs; metrics and Bull Board show each shard.
 */
const ROWS = 30;
const DASH = { authorization: `Basic ${Buffer.from('admin:dash-shards-7').toString('base64')}` };

let stack: ClusterStack;
let cluster: TestCluster;
let sim: RunningSimulator;
let api: RunningApi;
let workers: Child[] = [];

beforeAll(async () => {
  stack = await startClusterStack({
    seed: 9,
    env: {
      QUEUE_SHARDS: '3',
      AIMLAPI_KEY: 'sk-cluster-shards-key',
      DASHBOARD_PASSWORD: 'dash-shards-7',
      WORKER_CONCURRENCY: '6',
    },
    workers: [{}, { WORKER_SHARDS: '2' }],
  });
  ({ cluster, sim, api, workers } = stack);
}, 90_000);

afterAll(() => stack?.stop(), 30_000);

describe('QUEUE_SHARDS=3 on a 3-master Redis Cluster', () => {
  it('says which shards each worker takes', async () => {
    const [all, one] = await Promise.all(workers.map((w) => w.waitForLine('worker ready')));
    const prefixes = shardPrefixes('{vidq}', 3);
    expect(all).toMatchObject({ of: 3, concurrencyPerShard: 2 });
    expect(all?.shards).toBe(prefixes.map((p, i) => `${i} (${p})`).join(', '));
    expect(one).toMatchObject({ shards: `2 (${prefixes[2]})`, concurrencyPerShard: 6 });
  });

  it('completes a batch whose rows spread 10/10/10 over the shards, one shard per master', async () => {
    const csv = `prompt,custom_id\n${Array.from({ length: ROWS }, (_, i) => `shard prompt ${i + 1},s-${i + 1}`).join('\n')}\n`;
    const res = await fetch(`${api.url}/v1/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as Created;

    let view: BatchBody | undefined;
    await expect
      .poll(
        async () => {
          view = (await (await fetch(`${api.url}/v1/batches/${id}`)).json()) as BatchBody;
          return view.finished_at !== null;
        },
        { timeout: 50_000, interval: 200 },
      )
      .toBe(true);
    expect(view?.status).toBe('completed');
    expect(view?.counts).toMatchObject({ completed: ROWS, failed: 0, queued: 0, generating: 0 });
    expect(sim.stats().duplicate_creates).toBe(0);

    // Each shard completed exactly its third of the rows.
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    for (const shard of ['0', '1', '2']) {
      expect(metrics).toContain(`vidq_shard_jobs{shard="${shard}",state="completed"} ${ROWS / 3}`);
    }
    expect(metrics).toContain(`vidq_jobs{state="completed"} ${ROWS}`);
    // The worker limited to shard 2 took part, and only there.
    const taken = workers[1]!.lines().filter((l) => l.msg === 'completed' && l.batchId === id);
    expect(taken.length).toBeGreaterThan(0);
    for (const line of taken) expect(shardIndexOf(String(line.jobId), 3)).toBe(2);

    // Each shard's slot belongs to another master, and every master holds jobs.
    const redis = createRedis(loadConfig(cluster.env), 'producer') as Cluster;
    try {
      await vi.waitFor(() => expect(redis.status).toBe('ready'), { timeout: 10_000 });
      const owners = shardPrefixes('{vidq}', 3).map((p) => redis.slots[shardSlot(p)]?.[0]);
      expect(new Set(owners).size).toBe(3);
      const sizes = await Promise.all(redis.nodes('master').map((node) => node.dbsize()));
      for (const size of sizes) expect(size).toBeGreaterThan(ROWS / 3);
    } finally {
      redis.disconnect();
    }
  }, 70_000);

  it('lists one Bull Board entry per shard', async () => {
    const list = await fetch(`${api.url}/admin/queues/api/queues`, { headers: DASH });
    expect(list.status).toBe(200);
    const names = ((await list.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual([
      'shard0-generations',
      'shard1-generations',
      'shard2-generations',
      'archive',
      'webhooks',
    ]);
  });
});
