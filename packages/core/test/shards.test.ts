import { Redis } from 'ioredis';
import keySlot from 'cluster-key-slot';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@vidqueue/testkit';
import { batchJobId, newBatchId, newVideoId, type GenerationJobData } from '../src/contract/index.js';
import { createProducer } from '../src/producer/index.js';
import { ConfigError, loadConfig } from '../src/runtime/index.js';
import {
  CLUSTER_SLOTS,
  GENERATION_JOB_NAME,
  createGenerationQueues,
  shardIndexOf,
  shardPrefixes,
  shardSlot,
  type GenerationQueues,
} from '../src/store/index.js';

describe('shard prefixes', () => {
  it('keeps the queue prefix as it is with one shard, and as shard 0 with more', () => {
    expect(shardPrefixes('{vidq}', 1)).toEqual(['{vidq}']);
    expect(shardPrefixes('vidq', 1)).toEqual(['vidq']);
    expect(shardPrefixes('{vidq}', 3)[0]).toBe('{vidq}');
    expect(shardPrefixes('app-{vidq}', 4)[0]).toBe('app-{vidq}');
  });

  it('gives each shard its own hash tag, in its own share of the slot space', () => {
    for (const count of [2, 3, 5, 8]) {
      const prefixes = shardPrefixes('{vidq}', count);
      expect(new Set(prefixes).size).toBe(count);
      const shares = prefixes.map((p) => Math.floor((shardSlot(p) * count) / CLUSTER_SLOTS));
      expect(new Set(shares).size).toBe(count);
      for (const p of prefixes) {
        // What Redis Cluster hashes: the text between the braces.
        expect(p).toMatch(/^\{vidq(-\d+)?\}$/);
        expect(shardSlot(p)).toBe(keySlot(`${p}:generations:id`));
        // Still a valid QUEUE_PREFIX.
        expect(() => loadConfig({ QUEUE_PREFIX: p })).not.toThrow();
      }
    }
    // The same every time: every process must agree on where each shard is.
    expect(shardPrefixes('{vidq}', 3)).toEqual(shardPrefixes('{vidq}', 3));
    // Around the tag only: the rest of the prefix stays.
    expect(shardPrefixes('app-{vidq}', 2)[1]).toMatch(/^app-\{vidq-\d+\}$/);
    // Without a tag (one Redis), the prefix grows a suffix.
    expect(shardPrefixes('vidq', 3).slice(1)).toEqual([
      expect.stringMatching(/^vidq-\d+$/),
      expect.stringMatching(/^vidq-\d+$/),
    ]);
  });

  it('refuses a count out of range', () => {
    expect(() => shardPrefixes('{vidq}', 0)).toThrow(RangeError);
    expect(() => shardPrefixes('{vidq}', 65)).toThrow(RangeError);
  });
});

describe('the shard of a job', () => {
  it('spreads the rows of a batch round-robin: exact counts, and a retried row stays on its shard', () => {
    const batch = newBatchId();
    const counts = [0, 0, 0];
    for (let row = 1; row <= 100; row += 1) {
      const shard = shardIndexOf(batchJobId(batch, row), 3);
      counts[shard]! += 1;
      expect(shardIndexOf(batchJobId(batch, row, 2), 3)).toBe(shard);
    }
    expect(counts).toEqual([34, 33, 33]);
    // A batch id that itself ends in `-<digits>` is not mistaken for the row.
    expect(shardIndexOf('bat_abc-7-5', 3)).toBe(4 % 3);
    expect(shardIndexOf('bat_abc-7-5-r2', 3)).toBe(4 % 3);
  });

  it('spreads single videos by a hash of their id, and puts everything on shard 0 with one shard', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3_000; i += 1) counts[shardIndexOf(newVideoId(), 3)]! += 1;
    for (const n of counts) expect(n).toBeGreaterThan(800);
    expect(shardIndexOf(newVideoId(), 1)).toBe(0);
    expect(shardIndexOf(batchJobId(newBatchId(), 5), 1)).toBe(0);
  });
});

describe('QUEUE_SHARDS and WORKER_SHARDS settings', () => {
  it('defaults to one shard, every shard for a worker, and refuses shards that do not exist', () => {
    const base = loadConfig({});
    expect(base.QUEUE_SHARDS).toBe(1);
    expect(base.WORKER_SHARDS).toBeUndefined();
    expect(loadConfig({ QUEUE_SHARDS: '3', WORKER_SHARDS: '2, 0,2' }).WORKER_SHARDS).toEqual([0, 2]);
    expect(() => loadConfig({ QUEUE_SHARDS: '3', WORKER_SHARDS: '1,3' })).toThrow(
      /WORKER_SHARDS: shard 3 does not exist: QUEUE_SHARDS=3 has shards 0 to 2/,
    );
    expect(() => loadConfig({ WORKER_SHARDS: 'one' })).toThrow(ConfigError);
    expect(() => loadConfig({ QUEUE_SHARDS: '0' })).toThrow(/QUEUE_SHARDS/);
    expect(() => loadConfig({ QUEUE_SHARDS: '65' })).toThrow(/QUEUE_SHARDS/);
  });
});

describe('the generations queue over 3 shards (one Redis)', () => {
  let prefix: string;
  let redis: Redis;
  let queues: GenerationQueues;
  const config = () =>
    loadConfig({
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      QUEUE_SHARDS: '3',
      FAIR_SHARE_ROWS: '0',
    });

  beforeEach(async () => {
    prefix = uniquePrefix('shards');
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    queues = createGenerationQueues(redis, config());
    await redis.ping();
  });
  afterEach(async () => {
    await queues.close();
    redis.disconnect();
    for (const p of shardPrefixes(prefix, 3)) await deletePrefix(inject('redisUrl'), p);
  });

  it('puts a batch of 10 rows on the shards 4/3/3 and finds, counts and removes each job', async () => {
    const producer = createProducer({ redis, queue: queues, config: config() });
    const csv = `prompt\n${Array.from({ length: 10 }, (_, i) => `row ${i + 1}`).join('\n')}\n`;
    const { batch } = await producer.ingestBatch({ bytes: Buffer.from(csv) }, { format: 'csv' });
    expect(batch.total).toBe(10);
    const perShard = await Promise.all(queues.shards.map((q) => q.getWaitingCount()));
    expect(perShard).toEqual([4, 3, 3]);
    expect(await queues.count()).toBe(10);
    expect((await queues.getJobCounts('waiting')).waiting).toBe(10);

    const row5 = batchJobId(batch.id, 5);
    expect(queues.home(row5)).toBe(queues.shards[1]);
    expect((await queues.getJob(row5))?.queueQualifiedName).toBe(
      `${shardPrefixes(prefix, 3)[1]}:generations`,
    );
    expect(await queues.getJobState(row5)).toBe('waiting');
    expect(await queues.remove(row5)).toBe(1);
    expect(await queues.getJobState(row5)).toBe('unknown');
    expect(await queues.getJob(row5)).toBeUndefined();
    producer.ctx.prices.close();
  });

  it('finds a job added to another shard than its home (QUEUE_SHARDS changed since)', async () => {
    const id = newVideoId();
    const home = shardIndexOf(id, 3);
    const other = queues.shards[(home + 1) % 3]!;
    const data = {
      input: { model: 'm', prompt: 'p' },
      step: 'pending',
      polls: 0,
      retries: 0,
    } as GenerationJobData;
    await other.add(GENERATION_JOB_NAME, data, { jobId: id });
    expect((await queues.getJob(id))?.id).toBe(id);
    expect(await queues.getJobState(id)).toBe('waiting');
    expect(await queues.remove(id)).toBe(1);
    expect(await other.getJobState(id)).toBe('unknown');
  });

  it('adds a single video to the shard its id hashes to', async () => {
    const producer = createProducer({ redis, queue: queues, config: config() });
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      ids.push((await producer.enqueueVideo({ prompt: `single ${i}` })).video.id);
    }
    for (const id of ids) {
      expect(await queues.home(id).getJobState(id)).toBe('waiting');
    }
    producer.ctx.prices.close();
  });
});
