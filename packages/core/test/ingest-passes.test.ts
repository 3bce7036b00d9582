import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { deletePrefix, uniquePrefix } from '@vidqueue/testkit';
import { vidqKeys } from '../src/contract/index.js';
import {
  INGEST_CHUNK_ROWS,
  FIRST_BATCH_PRIORITY,
  createProducer,
  type Producer,
} from '../src/producer/index.js';
import { loadConfig } from '../src/runtime/index.js';
import { GenerationQueues, createGenerationQueue, type GenerationQueue } from '../src/store/index.js';

/**
 * The two passes of a batch ingest over several chunks: pass one stages the valid rows' requests,
 * pass two adds the jobs from them (never from the file again), chunks in flight together.
 */
describe('batch ingest over several chunks', () => {
  let prefix: string;
  let redis: Redis;
  let queue: GenerationQueue;

  async function producerWith(fairShareRows: number): Promise<Producer> {
    const config = loadConfig({
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      FAIR_SHARE_ROWS: String(fairShareRows),
    });
    queue = createGenerationQueue(redis, config);
    await queue.waitUntilReady();
    return createProducer({ redis, queue: new GenerationQueues([queue]), config });
  }

  beforeEach(() => {
    prefix = uniquePrefix('ingest');
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  });

  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await deletePrefix(inject('redisUrl'), prefix);
    redis.disconnect();
  });

  /** 2.6 chunks of rows; the rows in `invalid` ask for a duration the model does not allow. */
  const ROWS = INGEST_CHUNK_ROWS * 2 + INGEST_CHUNK_ROWS * 0.6;
  const INVALID = new Set([1, INGEST_CHUNK_ROWS, INGEST_CHUNK_ROWS + 1, 2 * INGEST_CHUNK_ROWS, ROWS]);
  function csv(): Buffer {
    const lines = ['prompt,custom_id,duration'];
    for (let row = 1; row <= ROWS; row++) lines.push(`take ${row},id-${row},${INVALID.has(row) ? 7 : 5}`);
    return Buffer.from(`${lines.join('\n')}\n`);
  }
  const validRows = Array.from({ length: ROWS }, (_, i) => i + 1).filter((row) => !INVALID.has(row));

  it('adds one job per valid row, in file order, with its own request, and leaves no staged rows', async () => {
    const producer = await producerWith(0);
    const { batch } = await producer.ingestBatch({ bytes: csv() }, { format: 'csv', onInvalid: 'skip' });
    expect(batch).toMatchObject({ total: validRows.length, skipped: INVALID.size });

    // FIFO (no priorities): workers take the jobs in the order they were added.
    const waiting = await queue.getWaiting(0, -1);
    expect(waiting.map((j) => j.id)).toEqual(validRows.map((row) => `${batch.id}-${row}`));
    for (const job of waiting) {
      const row = job.data.row ?? 0;
      expect(job.data).toMatchObject({
        batchId: batch.id,
        customId: `id-${row}`,
        input: { prompt: `take ${row}` },
      });
    }
    const stored = await producer.ctx.store.requests(batch.id, [1, 2, INGEST_CHUNK_ROWS, ROWS - 1]);
    expect([...stored.keys()]).toEqual([2, ROWS - 1]);
    const keys = vidqKeys(prefix);
    expect(await redis.keys(keys.batch('stage_*').input)).toEqual([]);
  });

  it("gives each job exactly its row's request, batch id and row number as data", async () => {
    const producer = await producerWith(0);
    const file = 'prompt,custom_id,colour\nfirst,a-1,red\nsecond,,\n';
    const { batch } = await producer.ingestBatch({ bytes: Buffer.from(file) }, { format: 'csv' });
    const jobs = await queue.getWaiting(0, -1);
    const dataOf = new Map(jobs.map((j) => [j.id, j.data]));
    const model = producer.ctx.config.DEFAULT_MODEL;
    expect(dataOf.get(`${batch.id}-1`)).toEqual({
      input: expect.objectContaining({ model, prompt: 'first' }) as unknown,
      customId: 'a-1',
      metadata: { colour: 'red' },
      batchId: batch.id,
      row: 1,
    });
    const second = dataOf.get(`${batch.id}-2`);
    expect(second).toEqual({
      input: expect.objectContaining({ model, prompt: 'second' }) as unknown,
      metadata: { colour: '' },
      batchId: batch.id,
      row: 2,
    });
    expect(Object.keys(second ?? {})).toEqual(['input', 'metadata', 'batchId', 'row']);
  });

  it('gives the rows their fair-share levels by position among the valid rows, across chunks', async () => {
    const producer = await producerWith(100);
    const { batch } = await producer.ingestBatch({ bytes: csv() }, { format: 'csv', onInvalid: 'skip' });
    const jobs = await queue.getPrioritized(0, -1);
    expect(jobs).toHaveLength(validRows.length);
    const priorityOf = new Map(jobs.map((j) => [j.id, j.opts.priority]));
    validRows.forEach((row, i) => {
      expect(priorityOf.get(`${batch.id}-${row}`), `row ${row}`).toBe(
        FIRST_BATCH_PRIORITY + Math.floor(i / 100),
      );
    });
  });
});
