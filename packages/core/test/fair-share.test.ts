import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@vidqueue/testkit';
import type { GenerationJobData } from '../src/contract/index.js';
import { createProducer, type Producer } from '../src/producer/index.js';
import { loadConfig } from '../src/runtime/index.js';
import {
  GENERATIONS_QUEUE,
  GenerationQueues,
  createGenerationQueue,
  type GenerationQueue,
} from '../src/store/index.js';

/**
 * Fair sharing through the producer's priorities, seen by a real BullMQ worker of concurrency 1 that
 * records the order it takes jobs in (its processor does nothing else: the order is what is tested).
 */
describe('fair sharing of one queue', () => {
  let prefix: string;
  let redis: Redis;
  let queue: GenerationQueue;
  let producer: Producer;
  let worker: Worker<GenerationJobData> | undefined;
  let workerRedis: Redis | undefined;
  /** What the worker took, in order: a batch id, or `single:<id>`. */
  let taken: string[];

  async function setUp(fairShareRows: number) {
    prefix = uniquePrefix('fair');
    const config = loadConfig({
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      FAIR_SHARE_ROWS: String(fairShareRows),
    });
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    queue = createGenerationQueue(redis, config);
    producer = createProducer({ redis, queue: new GenerationQueues([queue]), config });
    await queue.waitUntilReady();
    taken = [];
    workerRedis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    // Created stopped: it starts (or resumes) only when a test says.
    worker = new Worker<GenerationJobData>(
      GENERATIONS_QUEUE,
      (job: Job<GenerationJobData>) => {
        taken.push(job.data.batchId ?? `single:${job.id ?? ''}`);
        return Promise.resolve();
      },
      { connection: workerRedis, prefix, concurrency: 1, autorun: false },
    );
  }

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    workerRedis?.disconnect();
    await queue.obliterate({ force: true });
    await queue.close();
    await deletePrefix(inject('redisUrl'), prefix);
    redis.disconnect();
  });

  async function ingest(rows: number, label: string): Promise<string> {
    const lines = ['prompt'];
    for (let i = 0; i < rows; i++) lines.push(`${label}: a lighthouse in a storm take ${i}`);
    const { batch } = await producer.ingestBatch(
      { bytes: Buffer.from(`${lines.join('\n')}\n`) },
      { format: 'csv' },
    );
    return batch.id;
  }

  async function single(): Promise<string> {
    return `single:${(await producer.enqueueVideo({ prompt: 'a red fox in snow' })).video.id}`;
  }

  /** The longest run of consecutive jobs of one batch in `order`. */
  function longestRun(order: string[]): number {
    let longest = 0;
    let run = 0;
    order.forEach((b, i) => {
      run = b === order[i - 1] ? run + 1 : 1;
      longest = Math.max(longest, run);
    });
    return longest;
  }

  it('takes a single prompt sent after a large batch before the rest of the batch', async () => {
    await setUp(100);
    const batch = await ingest(2_000, 'big');
    const prompt = await single();
    expect(await queue.getPrioritizedCount()).toBe(2_001);
    void worker!.run();
    await expect.poll(() => taken.includes(prompt), { interval: 20 }).toBe(true);
    expect(taken.indexOf(prompt)).toBe(0);
    await expect.poll(() => taken.length, { interval: 20 }).toBeGreaterThan(3);
    expect(taken.slice(1, 4)).toEqual([batch, batch, batch]);
  });

  it('without priorities (FAIR_SHARE_ROWS=0) the same prompt waits behind the whole batch', async () => {
    await setUp(0);
    await ingest(500, 'big');
    const prompt = await single();
    void worker!.run();
    await expect.poll(() => taken.includes(prompt), { timeout: 20_000, interval: 20 }).toBe(true);
    expect(taken.indexOf(prompt)).toBe(500);
  });

  it('takes two batches ingested one after the other in turns of FAIR_SHARE_ROWS rows', async () => {
    await setUp(10);
    const a = await ingest(300, 'a');
    const b = await ingest(300, 'b');
    void worker!.run();
    await expect.poll(() => taken.length, { timeout: 20_000, interval: 20 }).toBe(600);
    expect(taken.slice(0, 40)).toEqual([a, b, a, b].flatMap((id) => Array<string>(10).fill(id)));
    expect(longestRun(taken)).toBe(10);
  });

  it('lets a batch sent while another is half done run beside it at once, not after it', async () => {
    await setUp(10);
    const a = await ingest(400, 'a');
    void worker!.run();
    await expect.poll(() => taken.length, { interval: 10 }).toBeGreaterThanOrEqual(100);
    await worker!.pause();
    const doneBefore = taken.length;
    const b = await ingest(200, 'b');
    await worker!.resume();
    await expect.poll(() => taken.filter((x) => x === b).length, { timeout: 20_000 }).toBe(200);
    const after = taken.slice(doneBefore);
    // B starts at the level A is at: at most the rest of that level of A goes first.
    expect(after.indexOf(b)).toBeLessThanOrEqual(10);
    // Then turns of 10 rows each while both have rows left.
    const both = after.slice(0, after.lastIndexOf(b) + 1);
    expect(longestRun(both)).toBeLessThanOrEqual(10);
    expect(both.filter((x) => x === a).length).toBeGreaterThanOrEqual(180);
  });
});
